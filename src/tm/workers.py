"""Worker processes for long jobs (imports, alignment): the spawn start method, safe
beside threads (the TUI imports from a worker thread), without re-running the
caller's script in each worker.
"""

from __future__ import annotations

import contextlib
import multiprocessing.context
import sys
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def _main_hidden() -> Iterator[None]:
    """Hide ``__main__``'s file and spec while a process starts.

    A spawned worker would otherwise run the caller's script again before our
    function (multiprocessing's "main guard" rule); workers only run functions of
    tm's own modules, so a script that imports a file needs no guard.
    """
    main = sys.modules.get("__main__")
    saved: dict[str, Any] = {
        k: main.__dict__[k]
        for k in ("__file__", "__spec__")
        if main and k in main.__dict__
    }
    if main is None or not saved:
        yield
        return
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.update(saved)


class _SpawnProcess(multiprocessing.context.SpawnProcess):
    def start(self) -> None:
        with _main_hidden():
            super().start()


class _SpawnContext(multiprocessing.context.SpawnContext):
    """The spawn start method (safe beside threads: the TUI imports from a worker
    thread), without re-running the caller's ``__main__`` in each worker."""

    Process = _SpawnProcess


SPAWN = _SpawnContext()
