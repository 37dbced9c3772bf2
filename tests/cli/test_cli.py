"""The CLI on the seed: counts, idempotence, exit codes, help text for every command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tm.cli import _register, cli
from tm.errors import ExitCode

_register()


def run(*args: str) -> tuple[int, str, str]:
    """Run ``tm`` through main() so error handling and exit codes are the real ones."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "tm", *args], capture_output=True, text=True, check=False
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_import_seed_counts_and_reimport_changes_nothing(
    tmp_path: Path, seed_path: Path
) -> None:
    db = str(tmp_path / "x.db")
    code, out, _ = run("import", str(seed_path), "--db", db)
    assert code == 0, out
    assert "305 units added" in out
    assert re.search(r", \d{4} sentence units", out)
    first = json.loads(run("stats", "--db", db, "--json")[1])
    assert first["by_segtype"]["paragraph"] == 305
    assert first["by_segtype"]["sentence"] > 1000
    assert first["units"] == sum(first["by_segtype"].values())
    assert first["languages"] == ["zh-CN→en-US"]
    assert first["documents"] == ["factor-reform-2025.zh-en.txt"]
    code, out, _ = run("import", str(seed_path), "--db", db)
    assert code == 0
    assert "0 units added" in out
    assert json.loads(run("stats", "--db", db, "--json")[1]) == first


def test_paragraph_level_counts_are_305_and_334(
    tmp_path: Path, seed_path: Path
) -> None:
    db = str(tmp_path / "p.db")
    assert run("import", str(seed_path), "--db", db, "--no-sentences")[0] == 0
    stats = json.loads(run("stats", "--db", db, "--json")[1])
    assert (stats["units"], stats["occurrences"]) == (305, 334)
    assert stats["by_segtype"] == {"paragraph": 305}
    assert run("import", str(seed_path), "--db", db, "--no-sentences")[0] == 0
    assert json.loads(run("stats", "--db", db, "--json")[1]) == stats


def test_export_to_stdout_is_tmx(seed_db: Path) -> None:
    code, out, _ = run(
        "export",
        "--db",
        str(seed_db),
        "--format",
        "tmx",
        "-o",
        "-",
        "--segtype",
        "paragraph",
    )
    assert code == 0
    assert out.startswith("<?xml")
    assert out.count("<tu ") == 305


def test_tsv_export_then_import_round_trips(tmp_path: Path, seed_db: Path) -> None:
    tsv = tmp_path / "seed.tsv"
    assert (
        run(
            "export",
            "--db",
            str(seed_db),
            "--format",
            "tsv",
            "-o",
            str(tsv),
            "--segtype",
            "paragraph",
        )[0]
        == 0
    )
    lines = tsv.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("zh-CN\ten-US\tsegtype\tstatus\t")
    assert len(lines) == 306
    code, out, _ = run(
        "import", str(tsv), "--db", str(tmp_path / "t.db"), "--no-sentences"
    )
    assert code == 0, out
    assert "305 units added" in out


def test_missing_file_exits_3_with_one_line(tmp_path: Path) -> None:
    code, _, err = run(
        "import", str(tmp_path / "nope.tmx"), "--db", str(tmp_path / "x.db")
    )
    assert code == ExitCode.INPUT
    assert "nope.tmx" in err
    assert "Traceback" not in err


def test_stats_on_missing_database_exits_4(tmp_path: Path) -> None:
    code, _, err = run("stats", "--db", str(tmp_path / "none.db"))
    assert code == ExitCode.STORE
    assert "no TM database" in err


def test_usage_error_exits_2() -> None:
    code, _, _ = run("export", "--format", "docx", "-o", "-")
    assert code == ExitCode.USAGE


def _all_commands(
    group: click.Group, prefix: str = ""
) -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        out.append((prefix + name, cmd))
        if isinstance(cmd, click.Group):
            out.extend(_all_commands(cmd, prefix + name + " "))
    return out


@pytest.mark.parametrize(("name", "command"), _all_commands(cli))
def test_every_command_has_help(name: str, command: click.Command) -> None:
    assert command.help, f"tm {name} has no help text"
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0
    if not isinstance(command, click.Group):
        assert "Example" in result.output, f"tm {name} --help shows no example"
