"""``tm lookup`` and ``tm concordance`` through click's runner: output shapes and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tm.cli import _register, cli
from tm.errors import ExitCode
from tm.service import TMService
from tm.text.segment import clause_spans

MATCH_KEYS = {"score", "kind", "source", "target", "id", "penalties", "diff"}


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


@pytest.fixture
def first_unit(seed_db: Path) -> tuple[str, str]:
    with TMService.open(seed_db) as service:
        unit = next(u for u in service.store.iter_units() if len(u.source) > 20)
    return unit.source, unit.target


def run(runner: CliRunner, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(cli, list(args), input=stdin)
    return result.exit_code, result.output


def test_lookup_json_shape_best_first(
    runner: CliRunner, seed_db: Path, first_unit: tuple[str, str]
) -> None:
    source, target = first_unit
    query = source[:-2] + "数据"
    code, out = run(
        runner, "lookup", query, "--db", str(seed_db), "--json", "--min", "50"
    )
    assert code == ExitCode.OK
    data = json.loads(out)
    assert data
    assert set(data[0]) >= MATCH_KEYS
    assert data[0]["target"] == target
    assert data[0]["kind"] == "fuzzy"
    assert [m["score"] for m in data] == sorted(
        (m["score"] for m in data), reverse=True
    )
    assert all(m["score"] >= 50 for m in data)
    for d in data[0]["diff"]:
        assert set(d) == {"op", "start", "end", "query_start", "query_end"}
    assert data[0]["origin"] == "factor-reform-2025.zh-en.txt"


def test_lookup_exact_and_plain_output(
    runner: CliRunner, seed_db: Path, first_unit: tuple[str, str]
) -> None:
    source, target = first_unit
    code, out = run(
        runner, "lookup", source, "--db", str(seed_db), "--limit", "1", "--json"
    )
    assert code == ExitCode.OK
    [best] = json.loads(out)
    assert (best["score"], best["kind"], best["target"]) == (100.0, "exact", target)
    code, out = run(runner, "lookup", source, "--db", str(seed_db))
    assert code == ExitCode.OK
    assert "100.00" in out
    assert target in out


def test_batch_prints_one_json_list_per_line_in_order(
    runner: CliRunner, seed_db: Path, first_unit: tuple[str, str], tmp_path: Path
) -> None:
    source, target = first_unit
    queries = tmp_path / "queries.txt"
    queries.write_text(f"{source}\n完全无关的一句话\n{source}\n", encoding="utf-8")
    code, out = run(
        runner, "lookup", "--batch", str(queries), "--db", str(seed_db), "--json"
    )
    assert code == ExitCode.OK
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 3
    assert lines[0][0]["target"] == target
    assert lines[1] == []
    code, piped = run(
        runner,
        "lookup",
        "--batch",
        "-",
        "--db",
        str(seed_db),
        "--json",
        stdin=f"{source}\n",
    )
    assert code == ExitCode.OK
    assert json.loads(piped.splitlines()[0])[0]["id"] == lines[0][0]["id"]


def test_fragments_json(runner: CliRunner, seed_db: Path) -> None:
    with TMService.open(seed_db) as service:
        clause = next(
            u.source[a:b]
            for u in service.store.iter_units()
            for a, b in clause_spans(u.source, "zh")
            if b - a >= 8
        )
    text = f"长株潭三市先行先试，{clause}。"
    code, out = run(
        runner, "lookup", "--fragments", text, "--db", str(seed_db), "--json"
    )
    assert code == ExitCode.OK
    data = json.loads(out)
    assert [f["clause"] for f in data] == [clause]
    code, out = run(runner, "lookup", text, "--db", str(seed_db), "--min", "95")
    assert code == ExitCode.OK
    assert "no whole match" in out
    assert clause in out  # plain output falls back to the clauses found
    for f in data:
        assert text[f["query_start"] : f["query_end"]] == f["clause"]
        assert f["hits"]
        assert {"id", "source", "target", "spans", "frequency"} <= set(f["hits"][0])


def test_concordance_json_and_plain(runner: CliRunner, seed_db: Path) -> None:
    code, out = run(
        runner, "concordance", "要素", "--db", str(seed_db), "--limit", "3", "--json"
    )
    assert code == ExitCode.OK
    hits = json.loads(out)
    assert len(hits) == 3
    for h in hits:
        a, b = h["spans"][0]
        assert h["source"][a:b] == "要素"
        assert h["target"]
    code, out = run(
        runner, "concordance", "market", "--side", "target", "--db", str(seed_db)
    )
    assert code == ExitCode.OK
    assert "market" in out.lower()


def test_usage_and_store_errors(
    runner: CliRunner, seed_db: Path, tmp_path: Path
) -> None:
    code, _ = run(runner, "lookup", "--db", str(seed_db))
    assert code == ExitCode.USAGE
    code, _ = run(runner, "lookup", "x", "--min", "120", "--db", str(seed_db))
    assert code == ExitCode.USAGE
    code, _ = run(
        runner, "concordance", "要素", "--side", "middle", "--db", str(seed_db)
    )
    assert code == ExitCode.USAGE


def test_missing_database_exits_with_store_code(tmp_path: Path) -> None:
    import subprocess
    import sys

    missing = tmp_path / "none.db"
    proc = subprocess.run(
        [sys.executable, "-m", "tm", "lookup", "要素", "--db", str(missing)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == ExitCode.STORE
    assert "no TM database" in proc.stderr
    assert not missing.exists()


@pytest.mark.parametrize("verb", ["lookup", "concordance"])
def test_help_has_an_example(runner: CliRunner, verb: str) -> None:
    code, out = run(runner, verb, "--help")
    assert code == ExitCode.OK
    assert "Example:" in out
