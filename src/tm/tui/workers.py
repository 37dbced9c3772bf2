"""At most one look-up at a time, the newest request next.

A Textual thread worker cannot be stopped once its thread runs, so cancelling a stale
look-up on each keystroke (``exclusive=True``) still leaves every started thread
computing. A burst of keys (a paste without bracketed paste, holding Ctrl+↓) then
starts hundreds of look-ups that fight for the CPU, and the one the translator waits
for comes last. ``Latest`` runs one job at a time and, while it runs, keeps only the
newest request: a burst costs at most two look-ups, and the last one is current.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Latest(Generic[T]):
    """Start ``start(request)`` now, or after the running job, newest request only.

    The caller calls :meth:`done` (on the UI thread) when a job's result arrived.
    """

    def __init__(self, start: Callable[[T], object]) -> None:
        self._start = start
        self._busy = False
        self._pending: tuple[T] | None = None

    @property
    def busy(self) -> bool:
        return self._busy

    def request(self, arg: T) -> None:
        if self._busy:
            self._pending = (arg,)
            return
        self._busy = True
        self._start(arg)

    def done(self) -> None:
        if self._pending is not None:
            (arg,), self._pending = self._pending, None
            self._start(arg)
        else:
            self._busy = False
