"""Where a worker runs a look-up: on its event loop, or in a thread while its index
is being brought up to date (a rebuild after a bulk import takes seconds, and a
look-up on the loop would hold up every other request, /healthz included)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from tm.models import Match
from tm.server.settings import ServerSettings
from tm.server.state import WorkerState

TEXT = "推进土地要素市场化配置改革"


def _scores(matches: list[Match]) -> list[tuple[int | None, float]]:
    return [(m.unit.id, m.score) for m in matches]


class LookUp:
    """A look-up that records the thread it ran in; on the loop's own thread while
    the test holds the rebuild's lock it would wait forever, so it fails instead."""

    def __init__(self, state: WorkerState) -> None:
        self.state = state
        self.ran_in: list[int] = []
        self.loop_thread: int | None = None
        self.must_not_block_loop = False

    def __call__(self) -> list[Match]:
        me = threading.get_ident()
        self.ran_in.append(me)
        if self.must_not_block_loop and me == self.loop_thread:
            raise AssertionError("a look-up waited for a rebuild on the event loop")
        return self.state.service.lookup(TEXT)


def test_a_look_up_waits_for_a_rebuild_in_a_thread_and_the_loop_goes_on(
    seed_db: Path,
) -> None:
    state = WorkerState(ServerSettings(db=str(seed_db), read_only=True))
    try:
        want = _scores(state.service.lookup(TEXT))
        assert want  # the seed has matches for it
        look_up = LookUp(state)
        # Stand in for the refresher in the middle of a rebuild: it holds the
        # matcher's lock, and refresh_once has set `refreshing`.
        rebuild = state.service.matcher("source")._lock

        async def while_rebuilding() -> tuple[list[Match], int]:
            look_up.loop_thread = threading.get_ident()
            look_up.must_not_block_loop = True
            rebuild.acquire()
            state.refreshing = True
            ticks = 0
            try:
                waiting = asyncio.ensure_future(state.look_up(look_up))
                # The loop goes on with other work while the look-up waits.
                while (not look_up.ran_in or ticks < 5) and ticks < 500:
                    await asyncio.sleep(0.01)
                    ticks += 1
                assert look_up.ran_in
                assert not waiting.done()
            finally:
                state.refreshing = False
                rebuild.release()
            return await waiting, ticks

        found, ticks = asyncio.run(while_rebuilding())
        assert look_up.ran_in[0] != look_up.loop_thread  # a thread waited
        assert ticks >= 5
        assert _scores(found) == want

        # Otherwise a look-up runs on the loop itself (a thread hop costs more than
        # the look-up), unless it says it may take long.
        for in_thread in (False, True):
            look_up.ran_in.clear()
            look_up.must_not_block_loop = False

            async def idle(in_thread: bool = in_thread) -> list[Match]:
                look_up.loop_thread = threading.get_ident()
                return await state.look_up(look_up, in_thread=in_thread)

            assert _scores(asyncio.run(idle())) == want
            on_loop = look_up.ran_in == [look_up.loop_thread]
            assert on_loop is not in_thread
    finally:
        state.close()
