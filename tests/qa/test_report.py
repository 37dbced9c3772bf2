"""Report shapes (JSON, CSV, HTML), false-positive marks through the service, and the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tm.errors import ConfigError
from tm.qa import run_checks
from tm.qa.report import render_html, write_csv, write_html

KEYS = {"check", "severity", "units", "source", "target", "span", "message", "fix"}


def test_json_shape(seed_report: Any) -> None:
    data = seed_report.to_dict()
    assert set(data) == {"findings", "summary"}
    assert data["findings"]
    assert all(set(f) == KEYS for f in data["findings"])
    assert data["summary"]["findings"] == len(data["findings"])
    assert len(data["summary"]["fingerprints"]) == len(data["findings"])
    json.dumps(data, ensure_ascii=False)


def test_csv_and_html(seed_report: Any, tmp_path: Path) -> None:
    out = tmp_path / "qa.csv"
    n = write_csv(seed_report, out)
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert n == len(rows) == len(seed_report.findings)
    assert any(r["span"].endswith(":标定地价") for r in rows)
    page = tmp_path / "qa.html"
    write_html(seed_report, page)
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "<style>" in text
    assert "<script" not in text
    assert "<mark>标定地价</mark>" in text
    assert 'id="untranslated-han-error"' in text


def test_html_escapes(seed_units: list[Any]) -> None:
    from dataclasses import replace

    u = replace(seed_units[3], target="<b>x</b>  y")
    assert "<b>x" not in render_html(run_checks([u], checks=["spacing"]))


def test_unknown_check() -> None:
    with pytest.raises(ConfigError):
        run_checks([], checks=["no-such-check"])


def test_fail_threshold(seed_report: Any) -> None:
    assert seed_report.fails("error")
    assert not run_checks([], checks=["numbers"]).fails("info")


def test_marks_persist_and_are_honoured(seed_db: Path, glossary_dir: Path) -> None:
    from tm.service import TMService

    with TMService.open(seed_db, glossary=glossary_dir) as service:
        before = service.qa(checks=["untranslated-han"])
        target = next(f for f in before.findings if f.span and f.span.text == "投融资")
        service.mark_false_positive(target.fingerprint, check=target.check, note="name")
    with TMService.open(seed_db, glossary=glossary_dir) as service:
        after = service.qa(checks=["untranslated-han"])
        assert after.suppressed == 1
        assert target.fingerprint not in {f.fingerprint for f in after.findings}
        assert len(after.findings) == len(before.findings) - 1
        service.unmark_false_positive(target.fingerprint)
        assert len(service.qa(checks=["untranslated-han"]).findings) == len(
            before.findings
        )


def run_cli(args: list[str]) -> Any:
    from tm.cli import _register, cli

    _register()
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_cli_file_json_and_fail_on(seed_path: Path, glossary_dir: Path) -> None:
    res = run_cli(
        [
            "qa",
            str(seed_path),
            "--glossary",
            str(glossary_dir),
            "--json",
            "--checks",
            "untranslated-han,enumerator-consistency",
            "--fail-on",
            "error",
        ]
    )
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert {f["check"] for f in data["findings"]} == {
        "untranslated-han",
        "enumerator-consistency",
    }
    res = run_cli(
        [
            "qa",
            str(seed_path),
            "--json",
            "--checks",
            "enumerator-consistency",
            "--fail-on",
            "error",
        ]
    )
    assert res.exit_code == 0


def test_cli_db_html_and_marks(seed_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    res = run_cli(
        [
            "qa",
            "--db",
            str(seed_db),
            "--checks",
            "spacing",
            "--format",
            "html",
            "-o",
            str(out),
        ]
    )
    assert res.exit_code == 0
    assert "<mark>" in out.read_text(encoding="utf-8")
    res = run_cli(
        ["qa", "--db", str(seed_db), "--checks", "spacing", "--format", "json"]
    )
    fp = json.loads(res.stdout)["summary"]["fingerprints"][0]
    assert (
        run_cli(
            ["qa", "mark", fp, "--db", str(seed_db), "--note", "house style"]
        ).exit_code
        == 0
    )
    res = run_cli(["qa", "--db", str(seed_db), "--checks", "spacing", "--json"])
    assert json.loads(res.stdout)["summary"]["suppressed"] == 1
    assert run_cli(["qa", "unmark", fp, "--db", str(seed_db)]).exit_code == 0
    res = run_cli(["qa", "--db", str(seed_db), "--checks", "spacing", "--json"])
    assert json.loads(res.stdout)["summary"]["suppressed"] == 0


def test_cli_table_and_errors(seed_db: Path) -> None:
    res = run_cli(["qa", "--db", str(seed_db), "--checks", "truncated"])
    assert res.exit_code == 0
    assert "truncated" in res.stdout
    assert "findings in" in res.stdout
    from tm.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["qa", "--db", str(seed_db), "--checks", "nope"])
    assert exc.value.code == 2
    assert run_cli(["qa", "--list-checks"]).stdout.count("\n") >= 15


def test_cli_tmx_file(tmx_dir: Path) -> None:
    tmx = tmx_dir / "factor-reform-2025.zh-en.tmx"  # sentence units, shipped
    res = run_cli(
        ["qa", str(tmx), "--json", "--checks", "untranslated-han,term-inconsistent"]
    )
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert {"标定地价", "规上企业", "攻坚"} <= {
        f["span"]["text"] for f in data["findings"] if f["check"] == "untranslated-han"
    }
    assert any("福厦泉" in f["message"] for f in data["findings"])
