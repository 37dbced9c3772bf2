"""Issue 21 item 12: one huge segment is refused at import, not stored.

With one 9 MB segment stored, ``tm concordance 中`` took 17.8 s and 1.1 GB. An import
now refuses a source or target over 100,000 characters with a clear message (exit 3),
and keeps nothing of that file (an import is a transaction). Through the real ``tm``.
"""

from __future__ import annotations

from pathlib import Path

from ._support import SEED, count_units, run_tm

ZH = "按照国家统一部署推进要素市场化配置改革。"  # 20 characters


def test_segment_over_the_cap_is_refused(tmp_path: Path, seed_db: Path) -> None:
    before = count_units(seed_db)
    tsv = tmp_path / "huge.tsv"
    tsv.write_text(
        f"第一条\tArticle 1\n{ZH * 6000}\tone huge paragraph\n", encoding="utf-8"
    )
    result = run_tm("import", tsv, "--db", seed_db)
    assert result.returncode == 3, result.stderr
    assert f"{tsv}: unit 2 has a source of 120,000 characters" in result.stderr
    assert count_units(seed_db) == before


def test_segment_under_the_cap_imports(tmp_path: Path) -> None:
    tsv = tmp_path / "long.tsv"
    tsv.write_text(f"{ZH * 4000}\ta long paragraph\n", encoding="utf-8")
    db = tmp_path / "tm.db"
    result = run_tm("import", tsv, "--db", db, "--no-sentences")
    assert result.returncode == 0, result.stderr
    assert count_units(db) == 1
    assert run_tm("import", SEED, "--db", db).returncode == 0
