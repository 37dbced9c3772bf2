"""ProjectService: a translator's document, its project TM layer, and the master behind it.

Document mode works on one document at a time. Its segments are read as ``tm analyze``
reads them. Each segment has a state (``tm.models.SegmentState``) kept in the
document's own project TM (a SQLite file beside the master,
``tm.locations.project_db_path``): its status (empty, draft, translated,
propagated, reviewed), the text being edited, the translation confirmed, and what the
last commit put into the master.

One segment has one current translation, as in a CAT tool:

- Confirming puts the translation into the project TM for that occurrence (document,
  position), replacing the one confirmed there before; units of other occurrences
  stay. Later repetitions of the segment that are empty or were filled the same way
  are filled too (auto-propagation, status ``propagated``).
- A draft is saved as it is typed; it never becomes a match. Editing a confirmed
  segment makes it a draft again until it is confirmed; the confirmed translation
  stays in the project TM meanwhile.
- Committing copies each confirmed segment into the master with its occurrence,
  repeated ones included, and replaces what an earlier commit of the same occurrence
  put there: its occurrence is moved to the new translation, and the old unit goes
  when that commit created it and nothing else occurs there (units of other
  documents, and units the master held before, stay).

Look-ups search both layers; on equal scores the project layer wins.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tm.models import (
    Occurrence,
    SegmentState,
    SegmentStatus,
    SegType,
    TranslationUnit,
)
from tm.service.memory import LayerMatch, TMService, merge_layers
from tm.service.output import Destination

if TYPE_CHECKING:
    from tm.formats.xliff import TargetState
    from tm.models import Match, QAIssue
    from tm.qa import QAReport
    from tm.store import Store

Pair = tuple[str, str]  # (source, target): a unit's identity within one language pair


@dataclass(frozen=True, slots=True)
class Count:
    """Segments and characters (non-whitespace, as ``tm analyze`` counts them)."""

    segments: int = 0
    chars: int = 0


@dataclass(frozen=True, slots=True)
class Progress:
    """How far the document is: totals, and counts per status.

    Attributes:
        total: every segment of the document.
        by_status: segments and characters per status (every status present).
    """

    total: Count
    by_status: dict[SegmentStatus, Count]

    @property
    def done(self) -> Count:
        """Segments with a confirmed translation (translated, propagated, reviewed)."""
        done = [c for s, c in self.by_status.items() if s.done]
        return Count(sum(c.segments for c in done), sum(c.chars for c in done))

    def share(self, count: Count) -> tuple[float, float]:
        """``count`` as fractions (0–1) of the segments and of the characters."""
        return (
            count.segments / self.total.segments if self.total.segments else 0.0,
            count.chars / self.total.chars if self.total.chars else 0.0,
        )


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What confirming a segment did.

    Attributes:
        index: the segment confirmed (0-based).
        replaced: an earlier translation of this segment was replaced.
        propagated: later repetitions filled with the same translation (0-based).
    """

    index: int
    replaced: bool
    propagated: tuple[int, ...] = ()


@dataclass(slots=True)
class CommitReport:
    """What a commit to the master did.

    Attributes:
        segments: segments committed (each occurrence, repetitions included).
        added: units new to the master.
        replaced: earlier commits of an occurrence replaced by a newer translation.
        removed: units of earlier commits deleted (nothing else occurred there).
        unchanged: segments whose translation the master had from an earlier commit.
    """

    segments: int = 0
    added: int = 0
    replaced: int = 0
    removed: int = 0
    unchanged: int = 0


class ProjectService:
    """One document being translated against a master TM.

    Args:
        master: the master TM (not closed by this service).
        document: the document to translate (plain text, the seed format, XLIFF, TMX).
        encoding: the document's encoding when it is not UTF-8 (or UTF-16 with BOM).

    Raises:
        FormatError: the document cannot be read.
        StoreError: the project TM cannot be opened.
    """

    def __init__(
        self,
        master: TMService,
        document: str | Path,
        *,
        encoding: str | None = None,
    ) -> None:
        self.master = master
        self.document = Path(document)
        # read first: a document that cannot be read leaves no project file behind
        self.segments: list[str] = master.document_segments(
            self.document, encoding=encoding
        )
        self.path = master.project_path(self.document)
        self.layer = TMService.open(self.path, terms=master.terms)
        # Drafts are saved from worker threads while the UI confirms: one at a time.
        self._lock = threading.RLock()
        self._states = self._load_states()
        self._keys = _repetition_keys(self.segments)

    @property
    def name(self) -> str:
        """The document's name, as its occurrences record it."""
        return self.document.name

    def close(self) -> None:
        """Close the project layer (the master stays open)."""
        self.layer.close()

    def __enter__(self) -> ProjectService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- states --------------------------------------------------------------------

    def _load_states(self) -> list[SegmentState]:
        stored = {s.position: s for s in self.layer.store.segment_states(self.name)}
        states = []
        for i, source in enumerate(self.segments):
            state = stored.get(i + 1)
            if state is None or state.source != source:  # new, or the text changed
                state = SegmentState(self.name, i + 1, source)
            states.append(state)
        if not stored:
            seeded = self._seed_states(states)
            if seeded:
                self.layer.store.save_segment_states(seeded.values())
                states = [seeded.get(i, s) for i, s in enumerate(states)]
        return states

    def _seed_states(self, states: list[SegmentState]) -> dict[int, SegmentState]:
        """States for a document opened for the first time with this tm: targets an
        XLIFF file carries, or translations an older project TM holds without states."""
        seeded: dict[int, SegmentState] = {}
        if self.document.suffix.lower() in (".xlf", ".xliff"):
            for i, (target, status) in enumerate(self._xliff_targets()):
                if i < len(states) and target:
                    seeded[i] = self._with_target(states[i], target, status)
                    if status.done:
                        self._put_unit(self.layer.store, i, target)
        for i, target in self._occurrence_targets().items():
            if i not in seeded:
                seeded[i] = self._with_target(
                    states[i], target, SegmentStatus.TRANSLATED
                )
        return seeded

    def _xliff_targets(self) -> Iterator[tuple[str, SegmentStatus]]:
        from tm.formats.xliff import iter_target_states, iter_xliff

        units = iter_xliff(self.document)
        for unit, state in zip(units, iter_target_states(self.document), strict=False):
            yield unit.target, status_of_xliff(unit.target, state)

    def _occurrence_targets(self) -> dict[int, str]:
        """Targets of this document's occurrences in the project TM, latest winning."""
        store = self.layer.store
        done: dict[int, str] = {}
        for unit in store.iter_units(all_occurrences=True):
            for occ in (unit.occurrence, *unit.other_occurrences):
                if (
                    occ is not None
                    and occ.document == self.name
                    and 1 <= occ.position <= len(self.segments)
                    and unit.source == self.segments[occ.position - 1]
                ):
                    done[occ.position - 1] = unit.target
        return done

    @staticmethod
    def _with_target(
        state: SegmentState, target: str, status: SegmentStatus
    ) -> SegmentState:
        confirmed = target if status.done else None
        return replace(state, status=status, target=target, confirmed=confirmed)

    def states(self) -> list[SegmentState]:
        """Every segment's state, in document order."""
        with self._lock:
            return list(self._states)

    def state(self, index: int) -> SegmentState:
        """Segment ``index``'s state (0-based).

        Raises:
            IndexError: no segment ``index``.
        """
        self._check(index)
        with self._lock:
            return self._states[index]

    def confirmed(self) -> dict[int, str]:
        """Confirmed translations by segment index (0-based)."""
        with self._lock:
            return {
                i: s.confirmed
                for i, s in enumerate(self._states)
                if s.confirmed is not None
            }

    def progress(self) -> Progress:
        """Segments and characters per status, counted as ``tm analyze`` counts them."""
        from tm.analysis import count_chars

        segs = dict.fromkeys(SegmentStatus, 0)
        chars = dict.fromkeys(SegmentStatus, 0)
        with self._lock:
            for state in self._states:
                segs[state.status] += 1
                chars[state.status] += count_chars(state.source)
        return Progress(
            total=Count(len(self.segments), sum(chars.values())),
            by_status={s: Count(segs[s], chars[s]) for s in SegmentStatus},
        )

    def repetitions(self, index: int) -> list[int]:
        """Every segment (0-based, in order) with the same text as ``index``, itself
        included: the same match key, as ``tm analyze`` finds repetitions."""
        self._check(index)
        key = self._keys[index]
        return [i for i, k in enumerate(self._keys) if k == key]

    def first_of(self, index: int) -> int:
        """The first occurrence of segment ``index``'s text in the document."""
        return self.repetitions(index)[0]

    def next_unfinished(self, after: int) -> int | None:
        """The next segment after ``after`` that is empty, a draft or propagated (not
        yet confirmed by the translator), wrapping round; None when there is none."""
        n = len(self.segments)
        with self._lock:
            for step in range(1, n + 1):
                i = (after + step) % n
                if self._states[i].status in (
                    SegmentStatus.EMPTY,
                    SegmentStatus.DRAFT,
                    SegmentStatus.PROPAGATED,
                ):
                    return i
        return None

    def find(self, text: str, *, after: int = -1) -> list[int]:
        """Segments whose source or current target contains ``text`` (case-insensitive
        for Latin letters), starting after ``after`` and wrapping round."""
        from tm.service.terms import contains

        needle = text.strip()
        if not needle:
            return []
        n = len(self.segments)
        with self._lock:
            order = [(after + step) % n for step in range(1, n + 1)]
            return [
                i
                for i in order
                if contains(needle, self.segments[i], self._states[i].target)
            ]

    def _check(self, index: int) -> None:
        if not 0 <= index < len(self.segments):
            raise IndexError(f"no segment {index + 1} in {self.name}")

    # -- editing -------------------------------------------------------------------

    def save_draft(
        self, index: int, text: str, *, user: str | None = None
    ) -> SegmentState:
        """Keep what the translator typed in segment ``index`` (autosave).

        A text equal to the confirmed translation leaves the segment as it was;
        anything else makes it a draft (empty when nothing is typed and nothing was
        ever confirmed). Nothing is written when the text did not change.

        Raises:
            IndexError: no segment ``index``.
        """
        self._check(index)
        with self._lock:
            state = self._states[index]
            if text == state.target:
                return state
            if state.confirmed is not None and text.strip() == state.confirmed:
                status = state.status if state.status.done else SegmentStatus.TRANSLATED
            elif not text.strip() and state.confirmed is None:
                status = SegmentStatus.EMPTY
            else:
                status = SegmentStatus.DRAFT
            new = replace(
                state, status=status, target=text, changed_at=None, changed_by=None
            )
            self.layer.store.save_segment_states([new], user=user)
            self._states[index] = new
            return new

    def confirm(
        self, index: int, target: str, *, user: str | None = None
    ) -> Confirmation:
        """Confirm ``target`` as segment ``index``'s translation (0-based).

        The project TM then holds it for this occurrence (replacing the one confirmed
        here before), with the document, position and neighbouring segments, so a
        later look-up of the same segment in the same place is a context match.
        Later repetitions that are empty or were propagated get it too.

        Raises:
            IndexError: no segment ``index``.
            ValueError: an empty target.
        """
        self._check(index)
        target = target.strip()
        if not target:
            raise ValueError(f"segment {index + 1}: an empty translation")
        with self._lock, self.layer.store.transaction():
            state = self._states[index]
            replaced = state.confirmed is not None and state.confirmed != target
            changed = {index: self._confirmed(index, target, SegmentStatus.TRANSLATED)}
            for j in self.repetitions(index):
                other = self._states[j]
                if j > index and other.status in (
                    SegmentStatus.EMPTY,
                    SegmentStatus.PROPAGATED,
                ):
                    changed[j] = self._confirmed(j, target, SegmentStatus.PROPAGATED)
            self.layer.store.save_segment_states(changed.values(), user=user)
            for j, new in changed.items():
                self._states[j] = new
        self.layer.units_changed()
        propagated = tuple(j for j in sorted(changed) if j != index)
        return Confirmation(index, replaced, propagated)

    def _confirmed(
        self, index: int, target: str, status: SegmentStatus
    ) -> SegmentState:
        """The new state of a segment confirmed with ``target``; its project unit is
        replaced (call inside the layer's transaction)."""
        state = self._states[index]
        store = self.layer.store
        if state.confirmed is not None and state.confirmed != target:
            old = find_unit(store, state.source, state.confirmed)
            if old is not None and old.id is not None:
                store.remove_occurrence(old.id, self.name, index + 1)
                store.delete_orphans([old.id])
        self._put_unit(store, index, target)
        return replace(
            state,
            status=status,
            target=target,
            confirmed=target,
            changed_at=None,
            changed_by=None,
        )

    def _put_unit(self, store: Store, index: int, target: str) -> None:
        store.add_units([self.unit(index, target)])

    def unit(self, index: int, target: str) -> TranslationUnit:
        """Segment ``index`` translated as ``target``, with its occurrence and context."""
        return TranslationUnit(
            source=self.segments[index],
            target=target,
            segtype=SegType.SENTENCE,
            occurrence=Occurrence(
                document=self.name,
                position=index + 1,
                prev_source=self.segments[index - 1] if index else None,
                next_source=self.segments[index + 1]
                if index + 1 < len(self.segments)
                else None,
            ),
        )

    def mark_reviewed(
        self, index: int, *, reviewed: bool = True, user: str | None = None
    ) -> SegmentState:
        """Sign segment ``index`` off as reviewed (or take the sign-off back).

        Raises:
            IndexError: no segment ``index``.
            ValueError: the segment has no confirmed translation to review.
        """
        self._check(index)
        with self._lock:
            state = self._states[index]
            if not state.status.done:
                raise ValueError(
                    f"segment {index + 1} is {state.status}: confirm it first"
                )
            status = SegmentStatus.REVIEWED if reviewed else SegmentStatus.TRANSLATED
            new = replace(state, status=status, changed_at=None, changed_by=None)
            self.layer.store.save_segment_states([new], user=user)
            self._states[index] = new
            return new

    def edit_unit_target(
        self, unit_id: int, target: str, *, user: str | None = None
    ) -> list[int]:
        """A reviewer's fix of a project TM unit: every segment confirmed with that
        unit's text gets ``target`` instead, keeping its status; returns them (0-based).

        Raises:
            NotFound: no such unit in the project TM.
            ValueError: an empty target.
        """
        unit, _ = self.layer.unit_details(unit_id)
        target = target.strip()
        if not target:
            raise ValueError("an empty translation")
        with self._lock, self.layer.store.transaction():
            hits = [
                i
                for i, s in enumerate(self._states)
                if s.source == unit.source and s.confirmed == unit.target
            ]
            # each keeps its status: a fix does not say the segment was looked at
            changed = [self._confirmed(i, target, self._states[i].status) for i in hits]
            self.layer.store.save_segment_states(changed, user=user)
            for i, new in zip(hits, changed, strict=True):
                self._states[i] = new
        self.layer.units_changed()
        return hits

    # -- committing to the master ----------------------------------------------------

    def commit(self, *, user: str | None = None) -> CommitReport:
        """Copy every confirmed segment into the master, each with its occurrence, and
        replace what an earlier commit of the same occurrence put there.

        One transaction in the master: a failure leaves it as it was.
        """
        report = CommitReport()
        store = self.master.store
        with self._lock:
            states = list(self._states)
            created = {
                (s.source, s.committed)
                for s in states
                if s.committed_new and s.committed is not None
            }
            updated: dict[int, SegmentState] = {}
            with store.transaction():
                for i, state in enumerate(states):
                    if state.confirmed is None:
                        continue
                    report.segments += 1
                    if state.committed == state.confirmed:
                        report.unchanged += 1
                        continue
                    updated[i] = self._commit_one(
                        store, i, state, created, report, user
                    )
            self.master.units_changed()
            if updated:
                self.layer.store.save_segment_states(updated.values(), user=user)
                for i, new in updated.items():
                    self._states[i] = new
        return report

    def _commit_one(
        self,
        store: Store,
        index: int,
        state: SegmentState,
        created: set[Pair],
        report: CommitReport,
        user: str | None,
    ) -> SegmentState:
        """Put one confirmed segment into the master (inside its transaction)."""
        assert state.confirmed is not None
        source, target = state.source, state.confirmed
        new_pair = (source, target)
        exists = find_unit(store, source, target) is not None
        if state.committed is not None:
            old = find_unit(store, source, state.committed)
            if old is not None and old.id is not None:
                report.replaced += 1
                mine = (source, state.committed) in created
                occs = store.occurrences(old.id)
                alone = all(
                    (o.document, o.position) == (self.name, index + 1) for o in occs
                )
                if mine and alone and not exists:
                    # the unit only this occurrence made: correct it in place (the
                    # matcher's source index stays valid, no rebuild)
                    store.set_target(old.id, target, user=user)
                    created.add(new_pair)
                    return self._committed(state, target, new=True)
                store.remove_occurrence(old.id, self.name, index + 1)
                if mine:
                    report.removed += store.delete_orphans([old.id])
        new = not exists or new_pair in created
        if not exists:
            created.add(new_pair)
        report.added += store.add_units([self.unit(index, target)]).added
        return self._committed(state, target, new=new)

    @staticmethod
    def _committed(state: SegmentState, target: str, *, new: bool) -> SegmentState:
        return replace(state, committed=target, committed_new=new)

    # -- look-up -------------------------------------------------------------------

    def lookup(
        self,
        text: str,
        *,
        min_score: float = 70,
        limit: int = 5,
        prev: str | None = None,
    ) -> list[LayerMatch]:
        """Matches from the project layer and the master, best first, as (layer, match)."""
        found: list[tuple[str, Match]] = [
            ("project", m)
            for m in self.layer.lookup(
                text, min_score=min_score, limit=limit, prev=prev
            )
        ]
        found += [
            ("master", m)
            for m in self.master.lookup(
                text, min_score=min_score, limit=limit, prev=prev
            )
        ]
        return merge_layers(found, limit=limit)

    def segment_matches(
        self, index: int, *, min_score: float = 50, limit: int = 5
    ) -> list[LayerMatch]:
        """Matches for segment ``index``, with the previous segment as context."""
        return self.lookup(
            self.segments[index],
            min_score=min_score,
            limit=limit,
            prev=self.segments[index - 1] if index else None,
        )

    def best_scores(
        self, *, min_score: float = 50, indexes: Iterable[int] | None = None
    ) -> Iterator[tuple[int, float | None]]:
        """(index, best score or None) for each segment (or those given), in order."""
        for i in range(len(self.segments)) if indexes is None else indexes:
            best = self.segment_matches(i, min_score=min_score, limit=1)
            yield i, (best[0][1].score if best else None)

    def band_counts(self, scores: dict[int, float | None]) -> dict[str, int]:
        """Segments per analysis band, counted as ``tm analyze`` counts them: a segment
        seen before is a repetition unless it is a context (101) match."""
        from tm.analysis import band_of

        counts: dict[str, int] = {}
        seen: set[str] = set()
        for i, key in enumerate(self._keys):
            label = band_of(scores.get(i))
            if key in seen and label != "101":
                label = "repetitions"
            seen.add(key)
            counts[label] = counts.get(label, 0) + 1
        return counts

    def unit_details(self, unit_id: int) -> tuple[TranslationUnit, list[Occurrence]]:
        """A unit of the project layer and its occurrences."""
        return self.layer.unit_details(unit_id)

    # -- QA ------------------------------------------------------------------------

    def qa(self, *, checks: Iterable[str] | None = None) -> QAReport:
        """QA over the master and this project's layer together, before any commit.

        Project units get negative ids (``-id``), so a finding names the layer of
        each unit: :func:`is_project_finding` tells the project's findings apart. A
        project unit the master also holds (committed) is checked once, as the
        project's. The per-unit checks, which a TM with paragraphs runs on paragraphs
        only, run on the project's sentence units too: they are the translator's
        own work, not sentences cut from a paragraph already checked.
        """
        from tm.qa import run_checks
        from tm.qa.base import CHECKS

        mine = [
            replace(u, id=-u.id)
            for u in self.layer.store.iter_units()
            if u.id is not None
        ]
        pairs = {(u.source, u.target) for u in mine}
        units = [
            u
            for u in self.master.store.iter_units()
            if (u.source, u.target) not in pairs
        ]
        termbase = self.master.terms.optional()
        marks = self.master.store.marks()
        both = run_checks(
            [*units, *mine], checks=checks, termbase=termbase, marks=marks
        )
        names = set(both.checks)
        per_unit = [n for n, c in CHECKS.items() if c.scope == "unit" and n in names]
        own = run_checks(mine, checks=per_unit, termbase=termbase, marks=marks)
        seen = {(f.check, f.fingerprint, f.units) for f in both.findings}
        extra = [
            f for f in own.findings if (f.check, f.fingerprint, f.units) not in seen
        ]
        order = {name: i for i, name in enumerate(CHECKS)}
        findings = sorted(
            [*both.findings, *extra],
            key=lambda f: (-f.severity.rank, order[f.check], f.units),
        )
        return replace(
            both,
            findings=tuple(findings),
            suppressed=both.suppressed + own.suppressed,
        )

    # -- export --------------------------------------------------------------------

    def export_paths(self) -> tuple[Path, Path]:
        """Where :meth:`export` writes: the project TM's TMX and the document's XLIFF."""
        return self.path.with_suffix(".tmx"), self.path.with_suffix(".xlf")

    def export(self) -> tuple[int, int]:
        """Write the project layer as TMX and the document as XLIFF 1.2 beside the
        project TM; returns (units, segments) written."""
        tmx, xlf = self.export_paths()
        return self.export_tmx(tmx), self.export_xliff(xlf)

    def export_tmx(self, dest: Destination) -> int:
        """The project layer as TMX."""
        return self.layer.export(dest, fmt="tmx")

    def export_xliff(self, dest: Destination) -> int:
        """The document as XLIFF 1.2: each segment's current text and its status as
        the target's state (translated work ``translated`` and approved, drafts
        ``needs-translation``, propagated repetitions ``leveraged-inherited``,
        reviewed ``signed-off``)."""
        targets: dict[int, str] = {}
        statuses: dict[int, str] = {}
        for i, s in enumerate(self.states()):
            if s.target.strip():
                targets[i], statuses[i] = s.target, str(s.status)
            elif s.confirmed is not None:  # an emptied draft: the confirmed text
                targets[i], statuses[i] = s.confirmed, str(SegmentStatus.TRANSLATED)
        return self.master.export_document_xliff(
            self.segments, targets, dest, original=self.name, statuses=statuses
        )


def find_unit(store: Store, source: str, target: str) -> TranslationUnit | None:
    """The sentence unit with exactly this source and target in ``store``, if any."""
    from tm.text.normalize import match_key

    for unit in store.exact(match_key(source)):
        if (
            unit.source == source
            and unit.target == target
            and unit.segtype == SegType.SENTENCE
        ):
            return unit
    return None


def is_project_finding(finding: QAIssue) -> bool:
    """Whether a finding of :meth:`ProjectService.qa` involves a project TM unit."""
    return any(u < 0 for u in finding.units)


def status_of_xliff(target: str, state: TargetState) -> SegmentStatus:
    """A segment status from an XLIFF target and its state (``TargetState``).

    Confirmed work (1.2 ``translated`` or ``approved="yes"``, 2.0 ``translated``) is
    translated, or propagated when its qualifier says it was inherited; a sign-off
    (``signed-off``, ``final``, 2.0 ``reviewed``) is reviewed; any other target
    (a draft, an offered match) is a draft.
    """
    if not target.strip():
        return SegmentStatus.EMPTY
    if state.state in ("signed-off", "final", "reviewed"):
        return SegmentStatus.REVIEWED
    if state.state == "translated" or state.approved:
        if state.qualifier == "leveraged-inherited":
            return SegmentStatus.PROPAGATED
        return SegmentStatus.TRANSLATED
    return SegmentStatus.DRAFT


def _repetition_keys(segments: list[str]) -> list[str]:
    from tm.text.normalize import match_key

    return [match_key(s) for s in segments]
