"""The store's part of a project's workflow, on both backends (``store_url``): segment
states keyed by (document, position), and replacing one occurrence's unit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tm.models import Occurrence, SegmentState, SegmentStatus, TranslationUnit
from tm.store import Store, open_store
from tm.text.normalize import match_key


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as s:
        yield s


def _unit(source: str, target: str, *occurrences: tuple[str, int]) -> TranslationUnit:
    occs = [Occurrence(document=d, position=p) for d, p in occurrences]
    return TranslationUnit(
        source=source,
        target=target,
        segtype="sentence",
        occurrence=occs[0] if occs else None,
        other_occurrences=tuple(occs[1:]),
    )


def _ids(store: Store, source: str) -> dict[str, int]:
    return {u.target: u.id for u in store.exact(match_key(source)) if u.id is not None}


def test_segment_states_round_trip_and_replace(store: Store) -> None:
    assert store.segment_states("plan.txt") == []
    first = [
        SegmentState("plan.txt", 2, "第二句。", SegmentStatus.DRAFT, "Second"),
        SegmentState(
            "plan.txt",
            1,
            "第一句。",
            SegmentStatus.TRANSLATED,
            "First.",
            confirmed="First.",
            committed="First.",
            committed_new=True,
        ),
        SegmentState("other.txt", 1, "别的。", SegmentStatus.DRAFT, "Other"),
    ]
    store.save_segment_states(first, user="tester")
    got = store.segment_states("plan.txt")
    assert [s.position for s in got] == [1, 2]  # by position, this document only
    assert got[0].status is SegmentStatus.TRANSLATED
    assert (got[0].confirmed, got[0].committed, got[0].committed_new) == (
        "First.",
        "First.",
        True,
    )
    assert got[1].confirmed is None
    assert got[1].committed is None
    assert got[0].changed_by == "tester"
    assert got[0].changed_at
    # The same (document, position) again replaces the state.
    store.save_segment_states(
        [SegmentState("plan.txt", 2, "第二句。", SegmentStatus.EMPTY, "")]
    )
    again = store.segment_states("plan.txt")
    assert len(again) == 2
    assert (again[1].status, again[1].target) == (SegmentStatus.EMPTY, "")
    assert [s.target for s in store.segment_states("other.txt")] == ["Other"]


def test_remove_occurrence_and_delete_orphans(store: Store) -> None:
    store.add_units(
        [
            _unit("第一句。", "First.", ("plan.txt", 1), ("plan.txt", 3)),
            _unit("第一句。", "Earlier.", ("seed.txt", 7)),
            _unit("无出处。", "No occurrence."),
        ]
    )
    ids = _ids(store, "第一句。")
    version = store.data_version()
    assert store.remove_occurrence(ids["First."], "plan.txt", 1) == 1
    assert store.remove_occurrence(ids["First."], "plan.txt", 1) == 0  # gone already
    assert store.remove_occurrence(ids["Earlier."], "plan.txt", 3) == 0  # not there
    assert [o.position for o in store.occurrences(ids["First."])] == [3]
    # A unit that still occurs somewhere stays; one that occurs nowhere goes.
    assert store.delete_orphans([ids["First."], ids["Earlier."]]) == 0
    assert store.remove_occurrence(ids["First."], "plan.txt", 3) == 1
    assert store.delete_orphans([ids["First."]]) == 1
    assert set(_ids(store, "第一句。")) == {"Earlier."}
    assert store.count_units() == 2
    assert store.data_version() != version  # indexes see the deletion
    assert store.concordance(match_key("第一句"), side="source") != []
    assert all(u.target != "First." for u in store.iter_units())
