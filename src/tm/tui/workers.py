"""One look-up thread per screen: the newest request next, nothing queued behind it.

A Textual thread worker cannot be stopped once its thread runs, so cancelling a stale
look-up on each keystroke (``exclusive=True``) still leaves every started thread
computing: a burst of keys (a paste without bracketed paste, holding Ctrl+↓) starts
dozens of look-ups that fight for the CPU, and the one the translator waits for
comes last. Starting a worker per key also costs event-loop turns (a task, an
executor hand-off) before the look-up even begins, and each turn is a wait when the
machine is busy.

``LatestThread`` keeps one thread waiting for work. A request replaces whatever
request is still waiting (the newest text wins) and wakes the thread at once, with
no event-loop turn; the job reaches the UI only through ``post_message``, which is
thread-safe. A burst costs at most two look-ups, and the last one is current.

It is a plain daemon thread, not a Textual worker, because it lives as long as its
screen: ``App.workers.wait_for_complete()`` would wait for it forever. Tests wait
for :func:`all_idle` instead.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

_ALL: weakref.WeakSet[LatestThread[object]] = weakref.WeakSet()


class LatestThread(Generic[T]):
    """Run ``job(request)`` on one long-lived thread, newest request first.

    Args:
        job: what to do with a request; it posts its result as a message. An
            exception it raises is handed to ``on_error`` (the thread goes on).
        name: the thread's name.
        on_error: called (on the thread) with an exception ``job`` raised.
    """

    def __init__(
        self,
        job: Callable[[T], object],
        name: str,
        on_error: Callable[[BaseException], object] | None = None,
    ) -> None:
        self._job = job
        self._name = name
        self._on_error = on_error
        self._wake = threading.Condition()
        self._pending: tuple[T] | None = None
        self._running = False
        self._stopped = False
        self._thread: threading.Thread | None = None
        _ALL.add(self)  # type: ignore[arg-type]

    def request(self, arg: T) -> None:
        """Ask for ``arg`` to be done next (a request still waiting is dropped)."""
        with self._wake:
            if self._stopped:
                return
            self._pending = (arg,)
            self._wake.notify()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name=self._name, daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        """Let the thread end (a job it is running finishes first)."""
        with self._wake:
            self._stopped = True
            self._pending = None
            self._wake.notify()

    @property
    def idle(self) -> bool:
        """Nothing running and nothing waiting."""
        with self._wake:
            return not self._running and self._pending is None

    def _loop(self) -> None:
        while True:
            with self._wake:
                while self._pending is None and not self._stopped:
                    self._wake.wait()
                if self._stopped:
                    return
                assert self._pending is not None
                (arg,), self._pending = self._pending, None
                self._running = True
            try:
                self._job(arg)
            except Exception as exc:  # a thread must not die silently: report it
                if self._on_error is not None:
                    self._on_error(exc)
            finally:
                with self._wake:
                    self._running = False


def all_idle() -> bool:
    """Whether every look-up thread is idle (tests wait for this)."""
    return all(t.idle for t in list(_ALL))
