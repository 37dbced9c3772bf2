"""The app on fixed example data, for snapshot tests (posting's snapshot-app pattern).

The seed is imported into a fresh temporary SQLite file and the shipped glossary is
loaded, so every run renders the same screens.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from tm.service import TMService
from tm.tui.app import TMApp, make_app

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "factor-reform-2025.zh-en.txt"
NEXT_DOC = ROOT / "examples" / "changzhutan-action-plan.zh.txt"
GLOSSARY = ROOT / "glossary"


@functools.cache
def _seed_master() -> Path:
    """The seed imported once per process, in a folder that remove_tms() removes."""
    folder = Path(tempfile.mkdtemp(prefix="tm-snapshot-"))
    atexit.register(remove_tms)  # a plain run; xdist's workers skip atexit
    with TMService.open(folder / "master.db") as service:
        service.import_file(SEED)
    return folder / "master.db"


def remove_tms() -> None:
    """Remove the seed TM and its copies (tests/tui/conftest.py, at session end)."""
    if _seed_master.cache_info().currsize:
        shutil.rmtree(_seed_master().parent, ignore_errors=True)
        _seed_master.cache_clear()


def build_app(*, document: bool = False) -> TMApp:
    """A fresh copy of the seed TM; document mode on seed 003 if asked."""
    master = _seed_master()
    db = Path(tempfile.mkdtemp(prefix="app-", dir=master.parent)) / "seed.db"
    shutil.copy(master, db)
    return make_app(db, glossary=GLOSSARY, document=NEXT_DOC if document else None)


if __name__ == "__main__":
    build_app(document=True).run()
