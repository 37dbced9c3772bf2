"""Layering: the core never pulls in the shells' libraries (STYLE.md §3)."""

from __future__ import annotations

import subprocess
import sys


def test_service_imports_no_ui_libraries() -> None:
    code = (
        "import sys, tm.service, tm.store, tm.formats.tmx, tm.formats.bilingual;"
        "bad = [m for m in ('textual', 'rich', 'click') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_formats_and_store_do_not_import_each_other() -> None:
    code = (
        "import sys, tm.formats.tmx, tm.formats.bilingual, tm.formats.tabular;"
        "print(any(m.startswith('tm.store') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
