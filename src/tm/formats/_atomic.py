"""Atomic file output: write beside the destination, fsync, then rename over it.

A process killed mid-write leaves the old destination intact (and at worst a hidden
``.NAME.PID.*.part`` file beside it, removed by the next write to that name); the new file gets the old one's permissions, or the
umask's default for a new file, not mkstemp's private 0600.

Only a regular file is replaced. A symbolic link is followed, so its target gets the
new content and the link stays; a FIFO, a device or a socket (``-o /dev/stdout``,
``-o /dev/null``, a named pipe another program reads) is written to in place, as a
shell redirection would: renaming a file over it would destroy it.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from tm.errors import FormatError


@contextlib.contextmanager
def atomic_output(dest: str | Path, *, mode: str = "wb") -> Iterator[IO]:  # type: ignore[type-arg]
    """Yield a temporary file that replaces ``dest`` only if the block ends normally.

    ``dest`` that is a symbolic link is resolved first; one that exists and is not a
    regular file (a FIFO, a device) is written to directly.
    """
    dest = Path(dest)
    if dest.is_symlink():
        dest = Path(os.path.realpath(dest))
    if _is_special(dest):
        with _direct_output(dest, mode) as fh:
            yield fh
        return
    _remove_stale_parts(dest)
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{dest.name}.{os.getpid()}.",
            suffix=".part",
            dir=dest.parent or ".",
        )
    except OSError as exc:
        raise _write_error(dest, exc) from exc
    try:
        os.chmod(tmp, _target_mode(dest))
        with os.fdopen(fd, mode, **_text_args(mode)) as fh:
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


def _remove_stale_parts(dest: Path) -> None:
    """Delete ``.NAME.PID.*.part`` files beside ``dest`` whose writer is gone.

    A writer killed with SIGKILL cannot clean up (ten killed exports left 550 MB);
    the next write to the same name does, sparing files of writers still running.
    """
    pattern = re.compile(re.escape(f".{dest.name}.") + r"(\d+)\.\w+\.part")
    try:
        names = [p.name for p in (dest.parent or Path(".")).iterdir()]
    except OSError:
        return
    for name in names:
        m = pattern.fullmatch(name)
        if m is not None and not _alive(int(m.group(1))):
            with contextlib.suppress(OSError):
                (dest.parent / name).unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or not a pid: leave its file
    return True


def _is_special(dest: Path) -> bool:
    try:
        mode = dest.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@contextlib.contextmanager
def _direct_output(dest: Path, mode: str) -> Iterator[IO]:  # type: ignore[type-arg]
    """Write straight into a FIFO or a device (no rename, no fsync: neither has one)."""
    try:
        fh = open(dest, mode, **_text_args(mode))  # noqa: SIM115 - closed below
    except OSError as exc:
        raise _write_error(dest, exc, replaced=False) from exc
    try:
        with fh:
            yield fh
    except OSError as exc:  # the reader went away (EPIPE), the device is full
        raise _write_error(dest, exc, replaced=False) from exc


def _text_args(mode: str) -> dict[str, Any]:
    return {} if "b" in mode else {"encoding": "utf-8", "newline": ""}


def _write_error(dest: Path, exc: OSError, *, replaced: bool = True) -> FormatError:
    kept = "; the previous file, if any, is unchanged" if replaced else ""
    return FormatError(str(dest), None, f"cannot write: {exc.strerror or exc}{kept}")


def _target_mode(dest: Path) -> int:
    try:
        return dest.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0o022)  # reading the umask means setting it; put it back
        os.umask(mask)
        return 0o666 & ~mask
