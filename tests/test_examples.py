"""The runnable examples in examples/ run and say something true."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_quickstart_runs(examples_dir: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(examples_dir / "quickstart.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "imported 305 paragraph units and 1109 sentence units" in proc.stdout
    assert "term 长株潭 = Changsha-Zhuzhou-Xiangtan" in proc.stdout
