"""ProjectService, the translator's workflow without the TUI: segment statuses and
drafts, one current translation per segment, repetitions, commits that replace what
an earlier commit put in the master, progress, XLIFF states out and back in, and QA
over the master and the project layer.

The document is the Changsha–Zhuzhou–Xiangtan action plan against the seed TM (the
State Council's 2025 approval of factor-market reform pilots). Its segments 1 and 3
are the same notice title, 2 and 7 the issuing office.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tm.analysis import count_chars
from tm.formats.xliff import iter_target_states, iter_xliff
from tm.models import SegmentStatus, TranslationUnit
from tm.service import ProjectService, TMService, is_project_finding
from tm.service.project import find_unit

TITLE, OFFICE, TITLE_AGAIN, OFFICE_AGAIN = 0, 1, 2, 6


@pytest.fixture
def master(seed_db: Path) -> TMService:
    with TMService.open(seed_db) as service:
        yield service


@pytest.fixture
def project(master: TMService, next_doc_path: Path) -> ProjectService:
    with ProjectService(master, next_doc_path) as p:
        yield p


def occurrences(store, source: str, target: str) -> list[tuple[str, int]]:
    unit = find_unit(store, source, target)
    assert unit is not None, (source, target)
    assert unit.id is not None
    return [(o.document, o.position) for o in store.occurrences(unit.id)]


def targets_of(store, source: str) -> list[str]:
    from tm.text.normalize import match_key

    return sorted(
        u.target
        for u in store.exact(match_key(source))
        if u.source == source and u.segtype == "sentence"
    )


def test_the_document_has_the_repetitions_these_tests_use(project) -> None:
    segs = project.segments
    assert segs[TITLE] == segs[TITLE_AGAIN]
    assert segs[OFFICE] == segs[OFFICE_AGAIN]
    assert project.repetitions(TITLE) == [TITLE, TITLE_AGAIN]
    assert project.first_of(TITLE_AGAIN) == TITLE


def test_confirming_replaces_the_segment_s_unit_and_fills_repetitions(project) -> None:
    store = project.layer.store
    name = project.name
    done = project.confirm(TITLE, "Notice A")
    assert done.propagated == (TITLE_AGAIN,)
    assert not done.replaced
    assert project.state(TITLE_AGAIN).status is SegmentStatus.PROPAGATED
    assert occurrences(store, project.segments[TITLE], "Notice A") == [
        (name, 1),
        (name, 3),
    ]
    # Correct it twice: one unit, both occurrences, the old English gone.
    project.confirm(TITLE, "Notice B")
    done = project.confirm(TITLE, "Notice C")
    assert done.replaced
    assert done.propagated == (TITLE_AGAIN,)
    assert targets_of(store, project.segments[TITLE]) == ["Notice C"]
    assert occurrences(store, project.segments[TITLE], "Notice C") == [
        (name, 1),
        (name, 3),
    ]
    # Revising the repetition itself: it becomes translated, the first keeps its own.
    project.confirm(TITLE_AGAIN, "Notice, again")
    assert project.state(TITLE_AGAIN).status is SegmentStatus.TRANSLATED
    assert targets_of(store, project.segments[TITLE]) == ["Notice C", "Notice, again"]
    assert occurrences(store, project.segments[TITLE], "Notice C") == [(name, 1)]
    # A confirmed repetition is the translator's: re-confirming the first leaves it.
    assert project.confirm(TITLE, "Notice D").propagated == ()
    assert project.state(TITLE_AGAIN).confirmed == "Notice, again"
    with pytest.raises(IndexError):
        project.confirm(len(project.segments), "past the end")
    with pytest.raises(ValueError, match="empty"):
        project.confirm(OFFICE, "   ")


def test_drafts_are_kept_but_never_offered_as_matches(
    master, next_doc_path, project
) -> None:
    assert project.state(OFFICE).status is SegmentStatus.EMPTY
    assert project.save_draft(OFFICE, "General Off").status is SegmentStatus.DRAFT
    assert project.save_draft(OFFICE, "").status is SegmentStatus.EMPTY
    project.save_draft(OFFICE, "General Office of the")
    # A confirmed segment edited again is a draft until confirmed; the TM keeps the
    # confirmed translation meanwhile.
    project.confirm(TITLE, "Notice")
    assert project.save_draft(TITLE, "Notice on").status is SegmentStatus.DRAFT
    assert project.state(TITLE).confirmed == "Notice"
    assert project.save_draft(TITLE, "Notice").status is SegmentStatus.TRANSLATED
    project.save_draft(TITLE, "Notice on printing")
    offered = {m.target for _, m in project.segment_matches(OFFICE, min_score=50)}
    assert "General Office of the" not in offered
    project.close()
    with ProjectService(master, next_doc_path) as again:
        assert again.state(OFFICE).target == "General Office of the"
        assert again.state(OFFICE).status is SegmentStatus.DRAFT
        assert again.state(TITLE).target == "Notice on printing"
        assert again.state(TITLE).confirmed == "Notice"


def test_commit_keeps_every_occurrence_and_replaces_earlier_commits(
    master, project
) -> None:
    seed_store = master.store
    before = seed_store.count_units()
    name = project.name
    project.confirm(TITLE, "Notice A")  # fills 3
    project.confirm(OFFICE, "General Office")  # fills 7
    project.confirm(3, "Xiang Zheng Ban Fa [2025] No. 53")
    report = project.commit()
    assert (report.segments, report.added, report.replaced) == (5, 3, 0)
    title, office = project.segments[TITLE], project.segments[OFFICE]
    assert occurrences(seed_store, title, "Notice A") == [(name, 1), (name, 3)]
    assert occurrences(seed_store, office, "General Office") == [(name, 2), (name, 7)]
    assert project.commit().unchanged == 5  # nothing new: nothing written
    assert seed_store.count_units() == before + 3
    # Corrected twice, committed after each: one English, every occurrence.
    for english in ("Notice B", "Notice C"):
        project.confirm(TITLE, english)
        report = project.commit()
        assert report.replaced == 2
        assert targets_of(seed_store, title) == [english]
        assert occurrences(seed_store, title, english) == [(name, 1), (name, 3)]
    assert seed_store.count_units() == before + 3
    # The repetition revised on its own: two Englishes, one occurrence each.
    project.confirm(TITLE_AGAIN, "Notice (copy)")
    project.commit()
    assert occurrences(seed_store, title, "Notice C") == [(name, 1)]
    assert occurrences(seed_store, title, "Notice (copy)") == [(name, 3)]


def test_commit_never_removes_what_other_documents_put_in_the_master(
    master, project
) -> None:
    seed_store = master.store
    # A segment the seed translates too: the translator takes the seed's English.
    row = next(
        i
        for i, s in enumerate(project.segments)
        if (m := master.lookup(s, min_score=100, limit=1)) and m[0].source == s
    )
    source = project.segments[row]
    seed_english = master.lookup(source, min_score=100, limit=1)[0].target
    seed_occurrences = occurrences(seed_store, source, seed_english)
    project.confirm(row, seed_english)
    project.commit()
    mine = (project.name, row + 1)
    assert occurrences(seed_store, source, seed_english) == [*seed_occurrences, mine]
    # Corrected: the seed's unit stays with its own occurrences, ours moves.
    project.confirm(row, seed_english + " (revised)")
    report = project.commit()
    assert report.replaced == 1
    assert report.removed == 0
    assert occurrences(seed_store, source, seed_english) == seed_occurrences
    assert occurrences(seed_store, source, seed_english + " (revised)") == [mine]
    # A unit the master held without any occurrence is not ours to delete either.
    seed_store.add_units([TranslationUnit(source, "Held before.", segtype="sentence")])
    project.confirm(row, "Held before.")
    project.commit()
    project.confirm(row, "Another one.")
    project.commit()
    assert "Held before." in targets_of(seed_store, source)
    assert seed_english + " (revised)" not in targets_of(seed_store, source)


def test_progress_counts_segments_and_characters_as_analyze_does(
    master, next_doc_path, project
) -> None:
    analysis = master.analyze(next_doc_path)
    progress = project.progress()
    assert progress.total.segments == len(analysis.segments)
    assert progress.total.chars == sum(r.chars for r in analysis.segments)
    project.confirm(TITLE, "Notice")
    project.save_draft(OFFICE, "Office")
    project.confirm(3, "No. 53")
    project.mark_reviewed(3)
    progress = project.progress()
    title_chars = count_chars(project.segments[TITLE])
    by = progress.by_status
    assert by[SegmentStatus.TRANSLATED].segments == 1
    assert by[SegmentStatus.PROPAGATED].chars == title_chars
    assert by[SegmentStatus.DRAFT].segments == 1
    assert by[SegmentStatus.REVIEWED].segments == 1
    assert progress.done.segments == 3
    assert progress.done.chars == 2 * title_chars + count_chars(project.segments[3])
    with pytest.raises(ValueError, match="confirm it first"):
        project.mark_reviewed(OFFICE)


def test_next_unfinished_and_find(project) -> None:
    project.confirm(TITLE, "Notice on the action plan")
    assert project.next_unfinished(TITLE) == OFFICE
    project.confirm(OFFICE, "General Office")
    # The propagated repetition still waits for the translator's look.
    assert project.next_unfinished(OFFICE) == TITLE_AGAIN
    assert project.find("action plan", after=-1) == [TITLE, TITLE_AGAIN]
    assert project.find("办公厅", after=OFFICE) == [OFFICE_AGAIN, OFFICE]
    assert project.find("  ") == []


def test_xliff_carries_statuses_out_and_back_in(
    master, project, tmp_path: Path
) -> None:
    project.confirm(TITLE, "Notice")  # and 3 propagated
    project.confirm(OFFICE, "General Office")
    project.mark_reviewed(OFFICE)
    project.save_draft(3, "Xiang Zheng")
    project.export()
    _, xlf = project.export_paths()
    states = list(iter_target_states(xlf))
    units = list(iter_xliff(xlf))
    assert [u.source for u in units] == project.segments
    assert (states[TITLE].state, states[TITLE].approved) == ("translated", True)
    assert (states[TITLE_AGAIN].state, states[TITLE_AGAIN].qualifier) == (
        "translated",
        "leveraged-inherited",
    )
    assert states[OFFICE].state == "signed-off"
    assert states[3].state == "needs-translation"
    assert units[3].target == "Xiang Zheng"
    assert units[4].target == ""
    assert states[4].state is None
    # Opened in tm tui, the exported file brings its targets and statuses along.
    copy = tmp_path / "plan.xlf"
    shutil.copy(xlf, copy)
    with ProjectService(master, copy) as reopened:
        got = [s.status for s in reopened.states()[:5]]
        assert got == [
            SegmentStatus.TRANSLATED,
            SegmentStatus.REVIEWED,
            SegmentStatus.PROPAGATED,
            SegmentStatus.DRAFT,
            SegmentStatus.EMPTY,
        ]
        assert reopened.state(OFFICE).confirmed == "General Office"
        assert reopened.state(3).confirmed is None
        assert reopened.confirmed()[TITLE_AGAIN] == "Notice"
        # its confirmed segments are matches of its project layer at once
        best = reopened.segment_matches(OFFICE, limit=1)[0]
        assert best == ("project", best[1])
        assert best[1].target == "General Office"


def test_qa_sees_the_project_layer_before_the_commit(master, project) -> None:
    project.confirm(TITLE, "Notice，with a Chinese comma")
    report = project.qa()
    mine = [f for f in report.findings if is_project_finding(f)]
    assert any(
        f.check == "cjk-punctuation" and f.target.startswith("Notice") for f in mine
    )
    master_only = master.qa()
    assert len(report.findings) > len(master_only.findings)
    assert not any(is_project_finding(f) for f in master_only.findings)
    # Once committed, the unit is still the translator's: checked once, as theirs.
    project.commit()
    after = project.qa()
    assert len(after.findings) == len(report.findings)
    assert [f.units for f in after.findings if f.check == "cjk-punctuation"] == [
        f.units for f in report.findings if f.check == "cjk-punctuation"
    ]


def test_a_project_unit_fixed_in_review_confirms_its_segments_again(project) -> None:
    project.confirm(TITLE, "Notice，A")
    unit = find_unit(project.layer.store, project.segments[TITLE], "Notice，A")
    assert unit is not None
    assert unit.id is not None
    assert project.edit_unit_target(unit.id, "Notice, A") == [TITLE, TITLE_AGAIN]
    assert project.state(TITLE).confirmed == "Notice, A"
    assert project.state(TITLE_AGAIN).status is SegmentStatus.PROPAGATED
