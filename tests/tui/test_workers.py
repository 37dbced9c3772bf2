"""LatestThread: one look-up at a time, the newest request next (tm.tui.workers)."""

from __future__ import annotations

import threading
import time

from tm.tui.workers import LatestThread, all_idle


def _wait(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_a_burst_runs_the_first_and_the_last_request_only() -> None:
    started = threading.Event()
    release = threading.Event()
    done: list[int] = []

    def job(n: int) -> None:
        if n == 0:
            started.set()
            release.wait(10)  # a slow look-up while the keys keep coming
        done.append(n)

    runner: LatestThread[int] = LatestThread(job, "test-latest")
    runner.request(0)
    assert started.wait(10)
    for n in range(1, 100):
        runner.request(n)
    assert not runner.idle
    release.set()
    assert _wait(lambda: runner.idle)
    assert done == [0, 99]
    runner.stop()
    runner.request(5)  # a stopped runner takes nothing
    time.sleep(0.05)
    assert done == [0, 99]


def test_a_failing_job_is_reported_and_the_thread_goes_on() -> None:
    errors: list[BaseException] = []
    done: list[str] = []

    def job(text: str) -> None:
        if text == "bad":
            raise ValueError(text)
        done.append(text)

    runner: LatestThread[str] = LatestThread(job, "test-errors", on_error=errors.append)
    runner.request("bad")
    assert _wait(lambda: runner.idle and bool(errors))
    runner.request("good")
    assert _wait(lambda: done == ["good"])
    assert [str(e) for e in errors] == ["bad"]
    runner.stop()
    assert _wait(all_idle)
