"""What a new user meets in the first ten minutes (issue 20): how to reach ``tm``,
missing databases, input formats, where terms go, the next command to type.

The tests run the installed ``tm`` command in a subprocess, as the user would (the
help texts are read through click's runner).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parents[2]
TM = Path(sys.executable).with_name("tm")


def run_tm(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """``tm ARGS`` in ``cwd``, with TM_DB and TM_GLOSSARY unset unless ``env`` sets them."""
    full = {k: v for k, v in os.environ.items() if k not in ("TM_DB", "TM_GLOSSARY")}
    full.update(env or {})
    return subprocess.run(
        [str(TM), *args],
        cwd=cwd,
        env=full,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_readme_says_how_to_reach_tm() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## A short tour", 1)[0]
    assert ".venv/bin/tm" in setup
    assert ". .venv/bin/activate" in setup
    # and what it names is there after installation
    proc = subprocess.run(
        [str(TM), "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr


READING = [
    ("qa", "--fail-on", "error"),
    ("qa", "--json"),
    ("qa", "mark", "3f2a9c0d1e4b5a67"),
    ("qa", "unmark", "3f2a9c0d1e4b5a67"),
    ("terms", "extract", "--top", "5"),
    ("stats",),
    ("lookup", "国务院"),
    ("export", "-o", "out.tmx"),
]


@pytest.mark.parametrize("args", READING, ids=lambda a: " ".join(a[:2]))
def test_reading_commands_refuse_a_missing_database(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    proc = run_tm(*args, "--db", "typo.db", cwd=tmp_path)
    assert proc.returncode == 4, proc.stderr
    assert proc.stderr.splitlines()[0] == "tm: error: no TM database at typo.db"
    assert proc.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_failed_first_import_leaves_no_database(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    proc = run_tm("import", "empty.txt", cwd=tmp_path)
    assert proc.returncode == 3
    assert "empty.txt:1: the file is empty" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.txt"]


def test_failed_import_keeps_what_earlier_files_added(tmp_path: Path) -> None:
    seed = ROOT / "examples" / "factor-reform-2025.zh-en.txt"
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    proc = run_tm("import", str(seed), "empty.txt", "--no-sentences", cwd=tmp_path)
    assert proc.returncode == 3
    assert (tmp_path / "tm.db").exists()
    stats = run_tm("stats", "--json", cwd=tmp_path)
    assert '"units": 305' in stats.stdout


@pytest.fixture(scope="module")
def seed_tm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding tm.db: the seed at paragraph level (fast to build)."""
    where = tmp_path_factory.mktemp("seed")
    seed = ROOT / "examples" / "factor-reform-2025.zh-en.txt"
    proc = run_tm("import", str(seed), "--no-sentences", cwd=where)
    assert proc.returncode == 0, proc.stderr
    return where


def test_qa_output_name_picks_the_report_format(seed_tm: Path) -> None:
    proc = run_tm("qa", "--checks", "untranslated-han", "-o", "qa.html", cwd=seed_tm)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""  # the report went to the file, not the terminal
    assert (
        (seed_tm / "qa.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    )
    assert proc.stderr.startswith("qa.html: ")
    assert "findings written (305 units checked)" in proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-o", "qa.txt"), "tm cannot write .txt files"),
        (("-o", "qa.csv", "--format", "html"), "--format html contradicts"),
    ],
)
def test_qa_refuses_an_output_name_it_cannot_write(
    seed_tm: Path, args: tuple[str, ...], message: str
) -> None:
    proc = run_tm("qa", "--checks", "numbers", *args, cwd=seed_tm)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert not (seed_tm / args[1]).exists()


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        (
            "report.docx",
            "PK\x03\x04 not text",
            'libreoffice --headless --convert-to "txt',
        ),
        ("report.pdf", "%PDF-1.7 not text", "pdftotext -enc UTF-8 -layout report.pdf"),
        (
            "alternating.txt",
            "你好世界。\nHello world.\n再见。\nGoodbye.\n",
            "put each pair on one line, Chinese, a tab, English",
        ),
        (
            "changzhutan-action-plan.zh.txt",
            (ROOT / "examples" / "changzhutan-action-plan.zh.txt").read_text("utf-8"),
            "tm analyze changzhutan-action-plan.zh.txt, or tm pretranslate",
        ),
    ],
)
def test_unknown_format_says_what_to_do(
    tmp_path: Path, name: str, content: str, says: str
) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    proc = run_tm("import", name, cwd=tmp_path)
    assert proc.returncode == 3
    error, hint = proc.stderr.splitlines()
    assert error == f"tm: error: {name}:1: unknown format"
    assert says in hint
    assert ".xlf" in hint
    assert "CSV" in hint
    assert not (tmp_path / "tm.db").exists()


def test_import_help_and_readme_name_the_input_formats() -> None:
    help_text = run_tm("import", "--help", cwd=ROOT).stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for fmt in (".tmx", ".xlf", ".tsv", ".csv", "OmegaT", "•"):
        assert fmt in help_text
    assert "tm analyze" in help_text
    assert "What `tm import` reads" in readme
    assert "pdftotext" in readme


def _shipped_glossary() -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted((ROOT / "glossary").iterdir())}


def test_terms_add_outside_the_checkout_starts_a_local_glossary(
    tmp_path: Path,
) -> None:
    before = _shipped_glossary()
    proc = run_tm("terms", "add", "测试词", "test term", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == (
        "added 测试词 → test term (approved) to glossary/terms.zh-en.yaml (a new glossary)"
    )
    assert _shipped_glossary() == before
    assert "测试词" in (tmp_path / "glossary" / "terms.zh-en.yaml").read_text("utf-8")
    # read back from ./glossary, which now shadows the shipped glossary
    found = run_tm("terms", "find", "这是测试词", cwd=tmp_path)
    assert found.stdout == "2-5\t测试词\t测试词 → test term\n"


def test_terms_import_outside_the_checkout_starts_a_local_glossary(
    tmp_path: Path,
) -> None:
    before = _shipped_glossary()
    (tmp_path / "client.csv").write_text("长株潭,Chang-Zhu-Tan\n", encoding="utf-8")
    proc = run_tm("terms", "import", "client.csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert _shipped_glossary() == before
    assert (tmp_path / "glossary" / "terms.zh-en.yaml").exists()


def test_terms_add_edits_the_glossary_it_is_given(tmp_path: Path) -> None:
    named = tmp_path / "mine.yaml"
    proc = run_tm(
        "terms", "add", "测试词", "test", cwd=tmp_path, env={"TM_GLOSSARY": str(named)}
    )
    assert proc.returncode == 0, proc.stderr
    assert named.exists()
    assert not (tmp_path / "glossary").exists()


PRIVATE_LABELS = re.compile(r"seed \d{3}|(?<![\d,.])\b00\d\b|\bpair \d+")


def _all_help() -> dict[str, str]:
    """``tm … --help`` of every command and group."""
    from click.testing import CliRunner

    from tm.cli import _register, cli

    _register()
    runner = CliRunner()
    out: dict[str, str] = {}

    def walk(cmd: click.Command, path: list[str]) -> None:
        out[" ".join(path)] = runner.invoke(cli, [*path, "--help"]).output
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])

    walk(cli, [])
    return out


def test_user_text_names_documents_by_title() -> None:
    texts = {"README.md": (ROOT / "README.md").read_text(encoding="utf-8")}
    texts.update({f"tm {k} --help": v for k, v in _all_help().items()})
    for path in sorted((ROOT / "src" / "tm" / "tui").rglob("*.py")):
        texts[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "glossary").iterdir()):
        texts[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    assert len(texts) > 30
    found = {
        where: PRIVATE_LABELS.findall(text)
        for where, text in texts.items()
        if PRIVATE_LABELS.search(text)
    }
    assert found == {}


def test_qa_mark_and_unmark_refuse_unknown_fingerprints(seed_tm: Path) -> None:
    bogus = run_tm("qa", "mark", "0123456789abcdef", "--check", "numbers", cwd=seed_tm)
    assert bogus.returncode == 3
    assert (
        "no finding of check numbers has fingerprint 0123456789abcdef" in bogus.stderr
    )
    report = run_tm("qa", "--checks", "untranslated-han", "--json", cwd=seed_tm)
    fingerprint = json.loads(report.stdout)["summary"]["fingerprints"][0]
    mark = run_tm("qa", "mark", fingerprint, "--check", "untranslated-han", cwd=seed_tm)
    assert mark.returncode == 0, mark.stderr
    assert run_tm("qa", "unmark", fingerprint, cwd=seed_tm).returncode == 0
    again = run_tm("qa", "unmark", fingerprint, cwd=seed_tm)
    assert again.returncode == 3
    assert f"no finding is marked with fingerprint {fingerprint}" in again.stderr
    forced = run_tm("qa", "mark", "0123456789abcdef", "--force", cwd=seed_tm)
    assert forced.returncode == 0
    assert run_tm("qa", "unmark", "0123456789abcdef", cwd=seed_tm).returncode == 0


def test_terms_extract_counts_what_it_wrote(seed_tm: Path) -> None:
    proc = run_tm("terms", "extract", "--top", "5", "-o", "proposed.yaml", cwd=seed_tm)
    assert proc.returncode == 0, proc.stderr
    written = (seed_tm / "proposed.yaml").read_text(encoding="utf-8")
    entries = written.count("\n- zh: ")
    assert entries < 5  # the shipped glossary already has most of the top terms
    said = proc.stderr.strip()
    assert said.startswith(f"{entries} new candidate")
    assert f"; {5 - entries} already in the glossary" in said


def test_lookup_batch_shows_each_query(seed_tm: Path) -> None:
    queries = "国务院:开展10个要素市场化配置综合改革试点\n今天天气很好\n"
    proc = run_tm("lookup", "--batch", "-", cwd=seed_tm, stdin=queries)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "1: 国务院:开展10个要素市场化配置综合改革试点"
    assert lines[1].startswith("100.00 exact")
    assert lines[-2:] == ["2: 今天天气很好", "no whole match"]
    as_json = run_tm("lookup", "--batch", "-", "--json", cwd=seed_tm, stdin=queries)
    assert [len(json.loads(x)) > 0 for x in as_json.stdout.splitlines()] == [
        True,
        False,
    ]


def test_lookup_fragments_without_hits_is_one_line(seed_tm: Path) -> None:
    proc = run_tm(
        "lookup", "--fragments", "今天天气很好,我们一起去公园散步吧。", cwd=seed_tm
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "no clause found\n"


@pytest.mark.parametrize("command", ["qa", "tui", "import", "analyze"])
def test_glossary_option_everywhere_names_tm_glossary(command: str) -> None:
    help_text = " ".join(run_tm(command, "--help", cwd=ROOT).stdout.split())
    assert "-g, --glossary PATH" in help_text
    assert "env TM_GLOSSARY" in help_text


def test_outputs_take_dest_or_dash_o(seed_tm: Path) -> None:
    for args in (("export", "a.tmx"), ("export", "-o", "b.tmx")):
        assert run_tm(*args, cwd=seed_tm).returncode == 0
    for args in (("terms", "export", "a.tbx"), ("terms", "export", "-o", "b.tbx")):
        assert run_tm(*args, cwd=seed_tm).returncode == 0
    for name in ("a.tmx", "b.tmx", "a.tbx", "b.tbx"):
        assert (seed_tm / name).stat().st_size > 1000
    both = run_tm("export", "c.tmx", "-o", "d.tmx", cwd=seed_tm)
    assert both.returncode == 2
    assert "two outputs named: c.tmx and -o d.tmx" in both.stderr
    none = run_tm("export", cwd=seed_tm)
    assert none.returncode == 2
    assert "name the output: -o FILE" in none.stderr


def test_xliff12_declares_its_namespace_once(seed_tm: Path) -> None:
    from lxml import etree

    doc = ROOT / "examples" / "changzhutan-action-plan.zh.txt"
    proc = run_tm("pretranslate", str(doc), "-o", "plan.xlf", cwd=seed_tm)
    assert proc.returncode == 0, proc.stderr
    text = (seed_tm / "plan.xlf").read_text(encoding="utf-8")
    assert "ns0:" not in text
    assert text.count("xmlns") == 1
    root = etree.parse(str(seed_tm / "plan.xlf")).getroot()
    ns = "{urn:oasis:names:tc:xliff:document:1.2}"
    assert root.tag == f"{ns}xliff"
    units = root.findall(f".//{ns}trans-unit")
    assert len(units) > 400
    assert {el.tag for el in root.iter()} <= {
        f"{ns}{t}"
        for t in (
            "xliff",
            "file",
            "header",
            "tool",
            "body",
            "trans-unit",
            "source",
            "target",
            "note",
            "alt-trans",
        )
    }


def _stderr_on_a_terminal(*args: str, cwd: Path) -> tuple[int, str, str]:
    """Run tm with stderr on a pseudo-terminal, stdout to a file: (code, stdout,
    stderr)."""
    import pty

    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("TM_DB", "TM_GLOSSARY")}
    env.update(COLUMNS="100", TERM="xterm")
    stdout = cwd / "stdout.txt"
    with stdout.open("wb") as out:
        proc = subprocess.Popen(
            [str(TM), *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=secondary,
        )
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = proc.wait(timeout=300)
    os.close(primary)
    text = stdout.read_text(encoding="utf-8")
    stdout.unlink()
    return code, text, b"".join(chunks).decode("utf-8", "replace")


SEED = ROOT / "examples" / "factor-reform-2025.zh-en.txt"


@pytest.mark.parametrize(
    ("args", "label"),
    [
        (("import", str(SEED), "--no-sentences"), "importing"),
        (("qa", "--checks", "numbers"), "checking"),
        (("terms", "extract", "--top", "5"), "extracting terms"),
    ],
    ids=["import", "qa", "extract"],
)
def test_progress_bar_on_a_terminal_only_without_json(
    tmp_path: Path, seed_tm: Path, args: tuple[str, ...], label: str
) -> None:
    where = tmp_path
    if args[0] != "import":
        (where / "tm.db").write_bytes((seed_tm / "tm.db").read_bytes())
    code, _out, err = _stderr_on_a_terminal(*args, cwd=where)
    assert code == 0, err
    assert label in err  # rich drew it on the terminal (transient: cleared at the end)
    (where / "tm.db").unlink()
    if args[0] != "import":
        (where / "tm.db").write_bytes((seed_tm / "tm.db").read_bytes())
    code, out, err = _stderr_on_a_terminal(*args, "--json", cwd=where)
    assert code == 0, err
    assert label not in err
    json.loads(out)
    piped = run_tm(*args, cwd=where)
    assert label not in piped.stderr


def test_import_says_what_to_type_next(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("你好世界\tHello world\n", encoding="utf-8")
    outside = {"PATH": "/usr/bin:/bin"}  # the virtual environment not activated
    proc = run_tm("import", "pairs.tsv", "--db", "my.db", cwd=tmp_path, env=outside)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0] == (
        "next: tm lookup TEXT · tm qa · tm analyze DOC.txt · tm tui DOC.txt "
        "(each with --db my.db)"
    )
    here = TM.resolve()
    assert lines[1] == f"  tm is {here}: . {here.parent / 'activate'} puts it on PATH"
    assert proc.stdout.startswith("pairs.tsv: 1 read, 1 units added")
    inside = {"PATH": f"{TM.parent}:/usr/bin:/bin"}
    again = run_tm("import", "pairs.tsv", cwd=tmp_path, env=inside)
    assert again.stderr.splitlines() == [
        "next: tm lookup TEXT · tm qa · tm analyze DOC.txt · tm tui DOC.txt"
    ]
    for quiet in (("--json",), ()):
        args = (
            ("-q", "import", "pairs.tsv")
            if not quiet
            else ("import", "pairs.tsv", *quiet)
        )
        assert "next:" not in run_tm(*args, cwd=tmp_path, env=inside).stderr


def test_make_run_ends_with_the_next_commands() -> None:
    make = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if make.returncode != 0:
        pytest.skip(f"make -n run: {make.stderr.strip()}")
    tail = make.stdout.rsplit("fi\n", 1)[-1]
    assert "next: . .venv/bin/activate (puts tm on PATH), then tm lookup TEXT" in tail
    assert "tm analyze examples/changzhutan-action-plan.zh.txt" in tail
