"""Atomic file output: write beside the destination, fsync, then rename over it.

A process killed mid-write leaves the old destination intact (and at worst a hidden
``.NAME.*.part`` file beside it); the new file gets the old one's permissions, or the
umask's default for a new file, not mkstemp's private 0600.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from tm.errors import FormatError


@contextlib.contextmanager
def atomic_output(dest: str | Path, *, mode: str = "wb") -> Iterator[IO]:  # type: ignore[type-arg]
    """Yield a temporary file that replaces ``dest`` only if the block ends normally."""
    dest = Path(dest)
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{dest.name}.", suffix=".part", dir=dest.parent or "."
        )
    except OSError as exc:
        raise _write_error(dest, exc) from exc
    try:
        os.chmod(tmp, _target_mode(dest))
        text_args: dict[str, Any] = (
            {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
        )
        with os.fdopen(fd, mode, **text_args) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except OSError as exc:  # a full disk, a lost mount: the old file stays
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _write_error(dest, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_error(dest: Path, exc: OSError) -> FormatError:
    return FormatError(
        str(dest),
        None,
        f"cannot write: {exc.strerror or exc}; the previous file, if any, is unchanged",
    )


def _target_mode(dest: Path) -> int:
    try:
        return dest.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0o022)  # reading the umask means setting it; put it back
        os.umask(mask)
        return 0o666 & ~mask
