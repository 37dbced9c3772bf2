"""The app on fixed example data, for snapshot tests (posting's snapshot-app pattern).

The seed is imported into a fresh temporary SQLite file and the shipped glossary is
loaded, so every run renders the same screens.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from tm.service import TMService
from tm.tui.app import TMApp, make_app

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "factor-reform-2025.zh-en.txt"
NEXT_DOC = ROOT / "examples" / "changzhutan-action-plan.zh.txt"
GLOSSARY = ROOT / "glossary"


def build_app(*, document: bool = False) -> TMApp:
    """A fresh seed TM in a temporary directory; document mode on seed 003 if asked."""
    db = Path(tempfile.mkdtemp(prefix="tm-snapshot-")) / "seed.db"
    atexit.register(shutil.rmtree, db.parent, ignore_errors=True)  # 9 MB each
    with TMService.open(db) as service:
        service.import_file(SEED)
    return make_app(db, glossary=GLOSSARY, document=NEXT_DOC if document else None)


if __name__ == "__main__":
    build_app(document=True).run()
