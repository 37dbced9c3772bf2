"""Exchange from the command line: the output name picks the format, a wrong name is a
usage error that writes nothing, and import says what it kept out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import run
from tm.errors import ExitCode


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("tm.tsv", b"zh-CN\ten-US\tsegtype\t"),
        ("tm.csv", b"\xef\xbb\xbfzh-CN,en-US,segtype,"),
        ("tm.tmx", b"<?xml"),
    ],
)
def test_export_format_follows_the_name(
    seed_db: Path, tmp_path: Path, name: str, head: bytes
) -> None:
    out = tmp_path / name
    code, _, err = run("export", "--db", str(seed_db), "-o", str(out))
    assert code == 0, err
    assert out.read_bytes().startswith(head)


@pytest.mark.parametrize(
    "args",
    [
        ("export", "--format", "tmx", "-o", "{tmp}/x.tsv"),
        ("export", "-o", "{tmp}/x.docx"),
        ("pretranslate", "{doc}", "-o", "{tmp}/out.docx"),
        ("pretranslate", "{doc}", "-o", "{tmp}/out.xlf", "--format", "tmx"),
        ("pretranslate", "{doc}", "-o", "{tmp}/out.xlf", "--format", "omegat"),
        ("pretranslate", "{doc}", "-o", "-", "--format", "omegat"),
        ("terms", "export", "{tmp}/a.xlsx"),
        ("terms", "export", "{tmp}/g.tbx", "--format", "csv"),
    ],
)
def test_a_wrong_output_name_is_a_usage_error_that_writes_nothing(
    seed_db: Path, next_doc_path: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    work = tmp_path / "out"
    work.mkdir()
    argv = [a.format(tmp=work, doc=next_doc_path) for a in args]
    if argv[0] != "terms":
        argv += ["--db", str(seed_db)]
    code, out, err = run(*argv)
    assert code == ExitCode.USAGE, err
    assert err.startswith("tm: error:")
    assert list(work.iterdir()) == []
    assert out == ""


def test_pretranslate_to_a_folder_writes_an_omegat_project(
    seed_db: Path, next_doc_path: Path, tmp_path: Path
) -> None:
    project = tmp_path / "cztan"
    code, out, err = run(
        "pretranslate", str(next_doc_path), "--format", "omegat", "-o", str(project),
        "--db", str(seed_db), "--json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["format"] == "omegat"
    assert data["omegat"]["auto"] >= 3
    assert (project / "omegat.project").is_file()
    assert (project / "source" / next_doc_path.name).read_bytes() == (
        next_doc_path.read_bytes()
    )
    # the same folder again (nobody worked in it yet) is written afresh
    code, _, err = run(
        "pretranslate", str(next_doc_path), "-o", str(project), "--db", str(seed_db)
    )
    assert code == 0, err
    (project / "omegat" / "project_save.tmx").write_text("<tmx/>", "utf-8")
    code, _, err = run(
        "pretranslate", str(next_doc_path), "-o", str(project), "--db", str(seed_db)
    )
    assert code == ExitCode.USAGE
    assert "saved work" in err


def test_import_says_what_it_kept_out(
    seed_db: Path, next_doc_path: Path, tmp_path: Path
) -> None:
    xlf = tmp_path / "cz.xlf"
    assert (
        run("pretranslate", str(next_doc_path), "-o", str(xlf), "--db", str(seed_db))[0]
        == 0
    )
    code, out, err = run("import", str(xlf), "--db", str(seed_db))
    assert code == 0, err
    assert "0 units added" in out
    assert "untranslated" in out
    assert "unconfirmed skipped" in out
    code, out, _ = run("import", str(xlf), "--db", str(seed_db), "--json")
    (report,) = json.loads(out)
    assert report["added"] == 0
    assert report["skipped_untranslated"] + report["skipped_unconfirmed"] == 478
    assert report["reasons"]["no target"] == report["skipped_untranslated"]


def test_import_of_a_folder_that_is_no_project_exits_3(tmp_path: Path) -> None:
    code, _, err = run("import", str(tmp_path), "--db", str(tmp_path / "x.db"))
    assert code == ExitCode.INPUT
    assert "not an OmegaT project" in err


def test_export_help_says_what_tables_cannot_carry() -> None:
    code, out, _ = run("export", "--help")
    assert code == 0
    assert "cannot carry" in out
    assert "header's" in out
