"""`tm terms …` through the real CLI entry point (CliRunner), on real data."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tm.cli import _register, cli
from tm.errors import ExitCode
from tm.service import TermService
from tm.terms import load_termbase

_register()


@pytest.fixture
def glossary(tmp_path: Path, data_dir: Path) -> Path:
    """A private copy of the tiny test glossary directory."""
    dest = tmp_path / "glossary"
    shutil.copytree(data_dir / "glossary", dest)
    return dest


def zh_sentences(text: str) -> list[str]:
    """003 split after 。！？； and at line ends (the dev set's convention)."""
    parts = re.split(r"(?<=[。！？；!?;])|\n", text)
    return [p.strip() for p in parts if p.strip()]


def run(*args: str, input: str | None = None) -> object:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_find_json_shape_and_offsets(glossary: Path) -> None:
    text = "健全城乡基准地价、标定地价的制定与发布制度"
    res = run("terms", "find", text, "--glossary", str(glossary), "--json")
    assert res.exit_code == 0, res.output
    hits = json.loads(res.stdout)
    assert [h["zh"] for h in hits] == ["基准地价", "标定地价"]
    for h in hits:
        assert {"zh", "en", "start", "end", "status"} <= set(h)
        assert text[h["start"] : h["end"]] == h["zh"]
    assert hits[1]["forbidden"] == ["marked land price"]


def test_find_english_reports_forbidden(glossary: Path) -> None:
    res = run(
        "terms", "find", "promote 规上企业 (large-scale enterprises)", "-g", str(glossary),
        "--lang", "en", "--json",
    )  # fmt: skip
    (hit,) = json.loads(res.stdout)
    assert (hit["zh"], hit["kind"], hit["text"]) == (
        "规上企业",
        "forbidden",
        "large-scale enterprises",
    )


def test_find_reads_lines_from_stdin(glossary: Path) -> None:
    res = run(
        "terms", "find", "-", "-g", str(glossary), "--json", input="长株潭\n\n无术语\n"
    )
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert [(d["line"], len(d["terms"])) for d in lines] == [(1, 1), (3, 0)]


def test_glossary_from_environment(
    glossary: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TM_GLOSSARY", str(glossary))
    res = run("terms", "list", "--json")
    assert len(json.loads(res.stdout)) == 9


def test_missing_glossary_exits_with_input_error(tmp_path: Path) -> None:
    from tm.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["terms", "find", "地价", "--glossary", str(tmp_path / "none")])
    assert exc.value.code == ExitCode.INPUT


def test_bad_glossary_names_file_line_field(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from tm.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "entries:\n- zh: 地价\n  en: land price\n  stauts: approved\n", "utf-8"
    )
    with pytest.raises(SystemExit) as exc:
        main(["terms", "list", "--glossary", str(bad)])
    assert exc.value.code == ExitCode.INPUT
    assert f"{bad}:4: field 'stauts'" in capsys.readouterr().err


def test_add_then_list_then_duplicate(glossary: Path) -> None:
    res = run(
        "terms", "add", "新质生产力", "new quality productive forces", "-g", str(glossary),
        "--variant", "new productive forces", "--category", "policy_term",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    entries = json.loads(run("terms", "list", "-g", str(glossary), "--json").stdout)
    assert entries[-1]["variants"] == ["new productive forces"]
    from tm.cli import main

    with pytest.raises(SystemExit) as exc:
        main(
            [
                "terms",
                "add",
                "新质生产力",
                "new quality productive forces",
                "-g",
                str(glossary),
            ]
        )
    assert exc.value.code == ExitCode.USAGE


def test_export_import_round_trip(glossary: Path, tmp_path: Path) -> None:
    for name, fmt in (("g.tbx", "tbx"), ("g8.tbx", "tbx2008"), ("g.txt", "tsv")):
        res = run(
            "terms",
            "export",
            str(tmp_path / name),
            "--format",
            fmt,
            "-g",
            str(glossary),
        )
        assert res.exit_code == 0, res.output
        into = tmp_path / f"{name}.yaml"
        res = run(
            "terms",
            "import",
            str(tmp_path / name),
            "--into",
            str(into),
            "-g",
            str(glossary),
        )
        assert res.exit_code == 0, res.output
        back = load_termbase(into)
        assert {e.zh for e in back} <= {e.zh for e in load_termbase(glossary)}
        assert len(back) >= 8
    # importing the same entries into the glossary itself adds nothing
    res = run("terms", "import", str(tmp_path / "g.tbx"), "-g", str(glossary))
    assert "0 added" in res.output


def test_export_yaml_to_stdout_reads_back(glossary: Path) -> None:
    res = run("terms", "export", "-", "--format", "yaml", "-g", str(glossary))
    data = yaml.safe_load(res.stdout)
    assert len(data["entries"]) == 9


def test_extract_marks_known_terms(
    seed_db: Path, glossary: Path, tmp_path: Path
) -> None:
    out = tmp_path / "proposed.yaml"
    res = run(
        "terms", "extract", "--db", str(seed_db), "-g", str(glossary), "--top", "60",
        "-o", str(out),
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    text = out.read_text("utf-8")
    proposed = load_termbase(out)
    assert all(e.status == "proposed" for e in proposed)
    assert 0 < len(proposed) <= 60
    # 要素市场化配置 is in the test glossary: listed in the header comment, not repeated
    assert re.search(r"^#\s+要素市场化配置 \(\d+×\) → market-oriented", text, re.M)
    assert "要素市场化配置" not in {e.zh for e in proposed}


def test_every_sentence_of_003_with_the_shipped_glossary(
    glossary_dir: Path, next_doc_path: Path
) -> None:
    """Done means: `tm terms find` over 003 returns the glossary terms in it."""
    if not any(glossary_dir.glob("*.yaml")):
        pytest.skip(
            "no shipped glossary in glossary/ yet (written by issue #5's data part)"
        )
    sentences = zh_sentences(next_doc_path.read_text("utf-8"))
    res = run(
        "terms",
        "find",
        "-",
        "-g",
        str(glossary_dir),
        "--json",
        input="\n".join(sentences),
    )
    assert res.exit_code == 0
    results = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(results) == len(sentences)
    base = TermService(glossary_dir).load()
    for r, sentence in zip(results, sentences, strict=True):
        for h in r["terms"]:
            assert sentence[h["start"] : h["end"]] == h["text"]
            assert base.lookup(h["text"])
    assert sum(1 for r in results if r["terms"]) > len(sentences) / 2
