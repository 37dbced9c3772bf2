"""What a new user meets in the first ten minutes (issue 20): how to reach ``tm``,
missing databases, input formats, where terms go, the next command to type.

Every test runs the installed ``tm`` command in a subprocess, as the user would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
