"""The TUI keeps answering look-ups while another process imports into the same TM."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.tui.conftest import SIZE, settle
from tests.tui.test_lookup import query, seed_unit
from tm.formats.tmx import write_tmx
from tm.models import Occurrence, SegType, TranslationUnit
from tm.service import TMService
from tm.tui.widgets.match_view import MatchTable

UNITS = 6_000


def big_tmx(path: Path) -> Path:
    """Units made from seed sentences with a counter, so every one is new to the TM."""
    with TMService.open(path.parent / "src.db") as service:
        sentences = [u for u in service.store.iter_units(segtype="sentence")]
    units = (
        TranslationUnit(
            source=f"{s.source}(第{i}稿)",
            target=f"{s.target} (draft {i})",
            segtype=SegType.SENTENCE,
            occurrence=Occurrence("big.tmx", i),
        )
        for i, s in ((i, sentences[i % len(sentences)]) for i in range(UNITS))
    )
    write_tmx(units, path)
    return path


async def test_lookups_answer_while_an_import_writes(seed_app, seed_db, tmp_path):
    import shutil

    shutil.copy(seed_db, tmp_path / "src.db")
    tmx = big_tmx(tmp_path / "big.tmx")
    source, target, _ = seed_unit(seed_db, "长株潭")
    before = TMService.open(seed_db)
    count = before.store.count_units()
    before.close()
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        importer = subprocess.Popen(
            [sys.executable, "-m", "tm", "import", str(tmx), "--db", str(seed_db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        answered = 0
        while importer.poll() is None or answered < 3:
            await query(
                pilot, source if answered % 2 == 0 else source[: len(source) // 2]
            )
            matches = app.screen.query_one(MatchTable).matches
            if answered % 2 == 0:
                assert matches
                assert matches[0][1].target == target
            answered += 1
        out, err = importer.communicate(timeout=300)
    assert importer.returncode == 0, err
    assert "locked" not in err
    assert f"{UNITS} units added" in out
    with TMService.open(seed_db) as after:
        assert after.store.count_units() == count + UNITS
