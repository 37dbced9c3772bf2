"""What one worker process holds: the service with its index, kept fresh.

Each worker opens the TM once at start-up and builds (or loads from its cache file)
the look-up index before it accepts a request. A daemon thread then checks the TM
every ``refresh_seconds`` and brings the index up to date with units that other
processes wrote (other workers, other hosts, ``tm import``), so look-ups never pay
for that check and see others' writes within about a second. The check is cheap
when nothing changed (``TMService.refresh``); a full one runs every
:data:`FULL_CHECK_SECONDS` whatever the files say.

The TM's statistics count every unit and occurrence (seconds at a million units), so
they are computed at start-up, then again only when data changed: on request at most
every :data:`STATS_ON_REQUEST_SECONDS`, and by the refresher at most every
:data:`STATS_SECONDS` (they also give the language pairs the tmserver API lists).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from tm.server.languages import LanguagePairs
from tm.server.settings import ServerSettings
from tm.service import TermService, TMService, TMStats

log = logging.getLogger(__name__)
T = TypeVar("T")

# Look-ups check the data version themselves only this rarely: the refresher does it.
LOOKUP_POLL_SECONDS = 3600.0
FULL_CHECK_SECONDS = 30.0
STATS_SECONDS = 300.0
STATS_ON_REQUEST_SECONDS = 10.0
# A glossary edited on disk is read again within this many seconds.
GLOSSARY_SECONDS = 1.0


class WorkerState:
    """The service of one worker, its index warm, and the thread keeping it fresh.

    Args:
        settings: how the server runs.

    Raises:
        StoreError: the TM cannot be opened.
    """

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.service = TMService.open(
            settings.db,
            terms=TermService(settings.glossary, recheck_seconds=GLOSSARY_SECONDS),
            create=not settings.read_only,
            readonly=settings.read_only,
            poll_seconds=LOOKUP_POLL_SECONDS,
        )
        t0 = time.perf_counter()
        indexed = self.service.warm()
        self.service.refresh()  # takes the files' first stamp
        log.info(
            "index ready: %d units in %.1fs (%s)",
            indexed["source"],
            time.perf_counter() - t0,
            self.service.location,
        )
        self._stats_lock = threading.Lock()
        self._stats = self.service.stats()
        self._stats_at = time.monotonic()
        self._stats_dirty = False
        self.languages = LanguagePairs.of(self._stats)
        self.last_refresh = self._full_at = time.monotonic()
        self.refresh_error: str | None = None
        # True while the refresher brings the index up to date: a look-up may have to
        # wait for it (a rebuild after a bulk import takes seconds), so the event loop
        # hands look-ups to a thread meanwhile and keeps answering /healthz.
        self.refreshing = False
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._keep_fresh, name="tm-refresh", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """Stop the refresher and close the TM."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self.service.close()

    # -- freshness ---------------------------------------------------------------

    def _keep_fresh(self) -> None:
        while not self._stop.wait(self.settings.refresh_seconds):
            self.refresh_once()

    def refresh_once(self) -> None:
        """One check of the TM: the index, and the statistics when they are due."""
        self.refreshing = True
        try:
            self._refresh()
        finally:
            self.refreshing = False

    def _refresh(self) -> None:
        try:
            now = time.monotonic()
            full = now - self._full_at >= FULL_CHECK_SECONDS
            if self.service.refresh(force=full):
                self._stats_dirty = True
            if full:
                self._full_at = now
            self._update_stats(STATS_SECONDS)
            self.last_refresh = time.monotonic()
            self.refresh_error = None
        except Exception as exc:  # a database that went away: report it on /healthz
            self.refresh_error = f"{type(exc).__name__}: {exc}"
            log.warning("could not refresh the index: %s", self.refresh_error)

    async def look_up(self, call: Callable[[], T], *, in_thread: bool = False) -> T:
        """Run a look-up on the event loop: it takes about a millisecond of CPU, a
        hop to a thread and back cost more, and under load a thread waited for the
        interpreter lock in 5 ms slices. While the refresher brings the index up to
        date a look-up may wait for it (a rebuild takes seconds), and ``in_thread``
        says this one may take long: then a thread waits and the loop goes on
        answering."""
        if in_thread or self.refreshing:
            return await run_in_threadpool(call)
        return call()

    def wrote(self) -> None:
        """This worker wrote units: its statistics are due."""
        self._stats_dirty = True

    def stale_seconds(self) -> float:
        """How long ago the index was last brought up to date."""
        return time.monotonic() - self.last_refresh

    # -- statistics --------------------------------------------------------------

    def _update_stats(self, every: float) -> None:
        with self._stats_lock:
            if self._stats_dirty and time.monotonic() - self._stats_at >= every:
                self._stats_dirty = False
                self._stats = self.service.stats()
                self._stats_at = time.monotonic()
                self.languages = LanguagePairs.of(self._stats)

    def stats(self) -> TMStats:
        """The TM's statistics, at most ``STATS_ON_REQUEST_SECONDS`` behind its data."""
        self._update_stats(STATS_ON_REQUEST_SECONDS)
        return self._stats

    def stats_age(self) -> float:
        """Seconds since the statistics were computed."""
        return time.monotonic() - self._stats_at
