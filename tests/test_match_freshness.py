"""When the matcher looks at the store's data version: before the first look-up and
after this process wrote (invalidate), inline; otherwise in the background, so a
look-up never waits for a count over a million rows (issue 17's latency tail)."""

from __future__ import annotations

import time
from pathlib import Path

from tm.match import Matcher
from tm.models import TranslationUnit
from tm.store import open_store

NEW = "第一百零一条 本办法自发布之日起施行。"


def _wait(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_other_writers_are_seen_after_a_background_check(seed_db: Path) -> None:
    reader = open_store(seed_db)
    writer = open_store(seed_db)  # another handle: as another process writes
    try:
        matcher = Matcher(reader)
        assert matcher.lookup(NEW, min_score=100) == []
        calls: list[float] = []
        real = reader.data_version

        def counted() -> str:  # a spy on the real store
            calls.append(time.monotonic())
            return real()

        reader.data_version = counted  # type: ignore[method-assign]
        writer.add_units([TranslationUnit(NEW, "Article 101", segtype="sentence")])
        # Within check_every: no check at all.
        assert matcher.lookup(NEW, min_score=100) == []
        assert calls == []
        # Past it: the look-up answers from the index it has and starts a check…
        matcher.check_every = 0.0
        matcher._checked = time.monotonic() - 1  # due
        assert matcher.lookup(NEW, min_score=100) == []
        assert _wait(lambda: bool(calls) and not matcher._checking)
        # …whose result the next look-up uses.
        matcher.check_every = 60.0
        found = matcher.lookup(NEW, min_score=100)
        assert [m.target for m in found] == ["Article 101"]
        # This process's own writes are seen at once (invalidate checks inline).
        writer.add_units(
            [TranslationUnit(NEW, "Article 101 (new)", segtype="sentence")]
        )
        matcher.invalidate()
        found = matcher.lookup(NEW, min_score=100)
        assert {m.target for m in found} == {"Article 101", "Article 101 (new)"}
    finally:
        writer.close()
        reader.close()
