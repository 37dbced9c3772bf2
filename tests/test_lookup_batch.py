"""Batch look-ups (``tm lookup --batch``) give what one look-up per text gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from tm.formats.bilingual import read_bilingual
from tm.service import TMService


@pytest.fixture
def queries(seed_path: Path) -> list[str]:
    """Seed sentences as they are (exact and context matches) and edited (fuzzy)."""
    pairs = read_bilingual(seed_path).pairs
    texts = [p.zh for p in pairs[20:60]]
    return texts + [t[:4] + "的" + t[5:] for t in texts] + ["没有这个句子。"]


@pytest.mark.parametrize("context", [True, False])
def test_batch_equals_one_by_one(
    seed_service: TMService, queries: list[str], context: bool
) -> None:
    expected = []
    prev = None
    for text in queries:
        expected.append(seed_service.lookup(text, prev=prev if context else None))
        prev = text
    got = list(seed_service.lookup_batch(iter(queries), context=context))
    assert got == expected
    assert any(m.kind == "context" for ms in got for m in ms) == context
    assert any(m.kind == "fuzzy" for ms in got for m in ms)


def test_results_come_as_chunks_finish(
    seed_service: TMService, queries: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first results are yielded before later texts are even read."""
    import tm.service.memory

    monkeypatch.setattr(tm.service.memory, "LOOKUP_CHUNK", 4)
    read: list[str] = []

    def texts():  # type: ignore[no-untyped-def]
        for q in queries:
            read.append(q)
            yield q

    results = seed_service.lookup_batch(texts())
    next(results)
    assert len(read) == 4


def test_lookup_many_equals_one_by_one_with_each_texts_neighbours(
    seed_service: TMService, seed_path: Path, queries: list[str]
) -> None:
    """The server's batch path: each text with its own previous and next segment."""
    pairs = read_bilingual(seed_path).pairs
    # Neighbours as the document had them (context and double-context matches),
    # wrong ones (an exact match then scores 100), and none.
    prevs: list[str | None] = []
    followings: list[str | None] = []
    for i, _ in enumerate(queries):
        j = 20 + i % 40
        if i % 3 == 0:
            prevs.append(pairs[j - 1].zh)
            followings.append(pairs[j + 1].zh)
        elif i % 3 == 1:
            prevs.append(pairs[j - 1].zh)
            followings.append("不是下一句。")
        else:
            prevs.append(None)
            followings.append(None)
    expected = [
        seed_service.lookup(t, prev=p, following=f)
        for t, p, f in zip(queries, prevs, followings, strict=True)
    ]
    got = seed_service.lookup_many(queries, prevs=prevs, followings=followings)
    assert got == expected
    kinds = {m.kind for ms in got for m in ms}
    assert {"context", "exact", "fuzzy"} <= {str(k) for k in kinds}
