"""Issue 21 item 9: a damaged match-index cache is rebuilt with a warning.

An empty ``DB.match-source.npz`` made every look-up exit 130 "Interrupted." (numpy's
EOFError, which click takes for Ctrl+D) and a truncated one exit 70 (BadZipFile),
until someone deleted the file. Each case runs the real ``tm lookup``.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ._support import run_tm, tm_env

QUERY = "按照国家统一部署推进要素市场化配置改革"


def truncated_npz() -> bytes:
    buf = io.BytesIO()
    np.savez(buf, ids=np.arange(5000), lens=np.ones(5000, dtype=np.int32))
    data = buf.getvalue()
    return data[: len(data) // 2]


DAMAGE = {
    "empty": b"",
    "truncated": truncated_npz(),
    "not-a-zip": b"PK\x03\x04" + b"\x00" * 64,
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_lookup_rebuilds_a_damaged_cache(damage: str, seed_db: Path) -> None:
    expected = run_tm("lookup", QUERY, "--db", seed_db, "--json")
    assert expected.returncode == 0, expected.stderr
    cache = Path(f"{seed_db}.match-source.npz")
    cache.write_bytes(DAMAGE[damage])
    # Not quiet: the warning is part of the behaviour.
    result = subprocess.run(
        [sys.executable, "-m", "tm", "lookup", QUERY, "--db", seed_db, "--json"],
        env=tm_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected.stdout
    assert "damaged" in result.stderr
    assert "rebuilding" in result.stderr
    # Gone (a TM this small is not cached), so the next look-up is quiet.
    assert not cache.exists()
    again = run_tm("lookup", QUERY, "--db", seed_db, "--json")
    assert again.returncode == 0, again.stderr
    assert again.stdout == expected.stdout
