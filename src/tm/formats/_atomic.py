"""Atomic file output: write beside the destination, fsync, then rename over it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_output(dest: str | Path, *, mode: str = "wb") -> Iterator[IO]:  # type: ignore[type-arg]
    """Yield a temporary file that replaces ``dest`` only if the block ends normally."""
    dest = Path(dest)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{dest.name}.", suffix=".part", dir=dest.parent or "."
    )
    try:
        with os.fdopen(
            fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})
        ) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
