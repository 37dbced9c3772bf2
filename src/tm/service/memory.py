"""TMService: the translation memory as the shells see it.

Import, export, statistics and schema upkeep; look-up, concordance and sub-segment
recall; analysis and pre-translation of a new document; QA with its false-positive
marks; a unit's details and a reviewer's edit; term extraction from the TM. Nothing
here prints: each method returns data, or writes to the destination it was given.

A TMService owns its store, its term base (a :class:`TermService`, used for alignment
anchors, term checks, analysis and extraction) and its matchers, one per side, whose
index is built on first look-up and kept while the service is open.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, cast

from tm import locations
from tm.errors import ConfigError, FormatError, NotFound, TMError
from tm.models import ImportReport, Occurrence, SegType, TranslationUnit
from tm.service.importing import (
    PendingUnits,
    header_meta,
    keep_tmx_header,
    note_levels,
)
from tm.service.output import Destination, text_output
from tm.service.terms import TermService
from tm.store import Store, open_store

if TYPE_CHECKING:  # the matcher imports numpy, QA and analysis more: load on first use
    from tm.analysis import Analysis
    from tm.match import Matcher
    from tm.models import ConcordanceHit, FragmentHit, Match, QAIssue
    from tm.pretranslate import PretranslateReport
    from tm.qa import QAReport
    from tm.store.base import StoreInfo
    from tm.terms import TermBase
    from tm.terms.extract import Candidate

log = logging.getLogger(__name__)

ProgressFn = Callable[[int], None]
EXPORT_FORMATS = ("tmx", "tsv", "csv")
IMPORT_BYTES_FORMATS = ("tmx", "tsv", "xliff")
# Batch look-ups fetch the units of this many queries' results at once.
LOOKUP_CHUNK = 32
SIDES = ("source", "target")

LayerMatch = tuple[str, "Match"]  # ("master" or "project", the match)
_SQLITE_SIDES = ("-wal", "-shm", "-journal")


def _new_sqlite_file(url: str) -> bool:
    """Whether ``url`` names a SQLite file that does not exist yet."""
    if url.startswith(("postgresql://", "postgres://")):
        return False
    # the same reading of sqlite:// URLs as tm.store.open_store
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
    path = path.removeprefix("sqlite://")
    return path not in ("", locations.MEMORY) and not Path(path).exists()


class TMStats(TypedDict):
    """What ``tm stats --json`` prints."""

    units: int
    occurrences: int
    languages: list[str]
    documents: list[str]
    by_segtype: dict[str, int]


class TMService:
    """Import, export, look up and check a translation memory.

    Args:
        store: an open store (the service closes it on ``close()``).
        terms: the term base; default the glossary ``tm.locations`` finds.
        poll_seconds: how often a look-up checks the store's data version for other
            writers' units (default: the matcher's, about a second). A server that
            calls :meth:`refresh` on its own schedule sets it high, so that no
            look-up pays for the check.
    """

    def __init__(
        self,
        store: Store,
        *,
        terms: TermService | None = None,
        poll_seconds: float | None = None,
    ) -> None:
        self.store = store
        self.terms = terms if terms is not None else TermService()
        self.poll_seconds = poll_seconds
        self._matchers: dict[str, Matcher] = {}
        self._matchers_lock = threading.Lock()
        self._stamp: tuple[int, ...] | None = None

    @classmethod
    def open(
        cls,
        db: str | Path | None = None,
        *,
        glossary: str | Path | None = None,
        terms: TermService | None = None,
        create: bool = True,
        readonly: bool = False,
        poll_seconds: float | None = None,
    ) -> TMService:
        """Open the TM at ``db`` (default ``$TM_DB``, else ``tm.db``).

        Args:
            glossary: the term base to use (ignored when ``terms`` is given).
            create: create a missing SQLite file (commands that only read pass False).
            poll_seconds: see the class.

        Raises:
            StoreError: the database cannot be opened or needs a newer tm.
        """
        url = locations.db_url(db)
        new_file = create and _new_sqlite_file(url)
        store = open_store(url, create=create, readonly=readonly)
        service = cls(
            store,
            terms=terms if terms is not None else TermService(glossary),
            poll_seconds=poll_seconds,
        )
        service._created_file = new_file
        return service

    _created_file = False  # open() created the SQLite file

    def discard_if_created(self) -> bool:
        """Close the TM and delete its SQLite file when :meth:`open` created it and
        it still holds no unit, so a failed first import leaves no empty ``tm.db``
        that later commands would take for a TM.

        Returns:
            Whether the file was deleted.
        """
        path = self.db_file
        if not self._created_file or path is None or self.count_units():
            return False
        self.close()
        for name in (path, *(path.with_name(path.name + s) for s in _SQLITE_SIDES)):
            name.unlink(missing_ok=True)
        return True

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> TMService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- where the TM is ---------------------------------------------------------

    @property
    def location(self) -> str:
        """Where the TM is, fit to show (a PostgreSQL URL without its password)."""
        return self.store.location

    @property
    def db_file(self) -> Path | None:
        """The SQLite file of the TM; None for PostgreSQL or an in-memory TM."""
        path = self.store.path
        return Path(path) if path else None

    # -- import ------------------------------------------------------------------

    def import_file(
        self,
        path: str | Path,
        *,
        fmt: str | None = None,
        encoding: str | None = None,
        progress: ProgressFn | None = None,
        user: str | None = None,
        sentences: bool = True,
        include_unconfirmed: bool = False,
        keep_all: bool = False,
    ) -> ImportReport:
        """Import one file in one transaction: a malformed file changes nothing.

        Only confirmed translations enter (``tm.formats.status``): units without a
        target or copying the source are skipped, and so are unconfirmed ones (XLIFF
        fuzzy or review states, a target without state) unless ``include_unconfirmed``
        takes them as lower-status units. The report counts both. ``keep_all``
        takes every unit as read (QA of a file checks drafts and empty targets too).
        A directory is read as an OmegaT project (its ``omegat/project_save.tmx``).

        With ``sentences`` (the default), paragraph units also yield sentence units
        aligned from them (``tm.align.sentence_units``), in the same transaction; the
        service's term base lends its terms to the aligner as anchors.

        Raises:
            FormatError: the file is unreadable or malformed (with file and line).
        """
        from tm.importer import cache_match_index
        from tm.importer import import_file as run_import

        path = str(path)
        source = path
        if Path(path).is_dir():
            from tm.formats.omegat import project_tmx

            source = str(project_tmx(path))
        pending = PendingUnits.of(self.store)
        store = self.store

        def on_written(report: ImportReport) -> None:
            # In the import's transaction: the header goes with the file's units, and
            # the units this file confirms are confirmed only if the import commits.
            if report.format in ("tmx", "omegat"):
                keep_tmx_header(store, source)
            if pending is not None:
                report.confirmed_existing = pending.confirm(store)

        report = run_import(
            store,
            path,
            fmt=fmt,
            encoding=encoding,
            progress=progress,
            user=locations.user(user),
            sentences=sentences,
            terms=self.terms.anchor_terms,
            include_unconfirmed=include_unconfirmed,
            keep_all=keep_all,
            watch=pending.watch if pending is not None else None,
            on_written=on_written,
        )
        self._invalidate_matchers()
        cache_match_index(store)
        return report

    def import_files(
        self,
        paths: Iterable[str | Path],
        *,
        fmt: str | None = None,
        encoding: str | None = None,
        user: str | None = None,
        sentences: bool = True,
        include_unconfirmed: bool = False,
    ) -> list[ImportReport]:
        """Import several files, each in its own transaction."""
        return [
            self.import_file(
                p,
                fmt=fmt,
                encoding=encoding,
                user=user,
                sentences=sentences,
                include_unconfirmed=include_unconfirmed,
            )
            for p in paths
        ]

    # -- export ------------------------------------------------------------------

    def export(
        self,
        dest: Destination,
        *,
        fmt: str = "tmx",
        segtype: str | None = None,
        source_lang: str | None = None,
        target_lang: str | None = None,
    ) -> int:
        """Write the TM (or its units of one segtype) as TMX, TSV or CSV; returns the
        count.

        TMX carries everything; tm's TSV and CSV (``tm.formats.tabular``) carry the
        same (as JSON columns beside the text), CSV made for Excel. ``dest`` is a path
        (replaced atomically) or a byte stream.
        """
        if fmt not in EXPORT_FORMATS:
            raise ConfigError(
                f"unknown export format {fmt!r}",
                hint=f"choose one of {', '.join(EXPORT_FORMATS)}",
            )
        if fmt == "tmx":
            from tm.exporter import export_tmx
            from tm.formats.tmx import TMXHeader

            props, notes = header_meta(self.store)
            header = TMXHeader(
                srclang=source_lang or "zh-CN",
                segtype=segtype or "sentence",
                props=props,
                notes=notes,
            )
            return export_tmx(
                self.store,
                dest,
                header=header,
                segtype=segtype,
                source_lang=source_lang,
                target_lang=target_lang,
            )
        units = self.store.iter_units(segtype=segtype, all_occurrences=True)
        from tm.formats.tabular import write_csv, write_tsv

        langs = (source_lang or "zh-CN", target_lang or "en-US")
        with text_output(dest) as fh:
            if fmt == "tsv":
                return write_tsv(units, fh, header=langs)
            if isinstance(dest, (str, Path)):
                fh.write("\ufeff")  # Excel reads a UTF-8 file as UTF-8 only with a BOM
            return write_csv(units, fh, header=langs)

    # -- information and upkeep --------------------------------------------------

    def stats(self) -> TMStats:
        """Counts of units (by segtype), occurrences, language pairs and documents."""
        return cast("TMStats", self.store.stats())

    def count_units(self) -> int:
        return self.store.count_units()

    def info(self) -> StoreInfo:
        """Backend, location, schema version and applied migrations."""
        return self.store.info()

    def migrate(self) -> list[str]:
        """Apply pending schema migrations; returns their names."""
        return self.store.migrate()

    # -- matching: look-up, concordance, sub-segment recall ----------------------

    def matcher(self, side: str = "source") -> Matcher:
        """This service's matcher for ``side`` (its index is built once, then kept).

        Raises:
            ValueError: ``side`` is neither ``source`` nor ``target``.
        """
        if side not in SIDES:
            raise ValueError("side must be 'source' or 'target'")
        with self._matchers_lock:
            matcher = self._matchers.get(side)
            if matcher is None:
                from tm.match import new_matcher

                matcher = new_matcher(self.store, side=side)
                if self.poll_seconds is not None:
                    matcher.check_every = self.poll_seconds
                self._matchers[side] = matcher
            return matcher

    def warm(self, sides: Iterable[str] = ("source",)) -> dict[str, int]:
        """Build the index of each side now (or load it from its cache file), rather
        than on the first look-up; returns how many units each side indexed."""
        return {
            side: sum(len(tier) for tier in self.matcher(side).ensure_index())
            for side in sides
        }

    def refresh(self, *, force: bool = False) -> bool:
        """Bring every built index up to date with the store (units other processes
        added, a reviewer's edits); True when one changed.

        Cheap when nothing changed, so a server can call it every second: a SQLite
        TM is checked first by its files' sizes and times (the data version there
        counts every unit); ``force`` checks the data version all the same, which
        catches a commit that left both unchanged (two within one clock tick).

        Units appended since the last build are indexed beside the main index in a
        moment; a change the delta cannot take (edits of targets, a bulk import of a
        tenth of the TM) rebuilds the index, and look-ups wait for it.
        """
        stamp = self._files_stamp()  # taken first: a commit after it shows next time
        if not force and stamp is not None and stamp == self._stamp:
            return False
        self._stamp = stamp
        with self._matchers_lock:
            matchers = list(self._matchers.values())
        changed = False
        for matcher in matchers:
            before = matcher.version
            matcher.invalidate()
            matcher.ensure_index()
            changed = changed or matcher.version != before
        return changed

    def _files_stamp(self) -> tuple[int, ...] | None:
        """Sizes and modification times of the SQLite TM and its write-ahead log."""
        if self.db_file is None:
            return None
        stamp: list[int] = []
        for path in (self.db_file, locations.wal_path(self.db_file)):
            try:
                st = path.stat()
                stamp += [st.st_mtime_ns, st.st_size]
            except OSError:
                stamp += [0, 0]
        return tuple(stamp)

    def units_changed(self) -> None:
        """Units were written through ``store`` directly (a project commit): the
        matchers check the data version before their next look-up."""
        self._invalidate_matchers()

    def _invalidate_matchers(self) -> None:
        """Units were written: the matchers check the data version before their next
        look-up (they poll it once a second otherwise, for other writers)."""
        with self._matchers_lock:
            for matcher in self._matchers.values():
                matcher.invalidate()

    def lookup(
        self,
        text: str,
        *,
        min_score: float = 70,
        limit: int = 5,
        prev: str | None = None,
        following: str | None = None,
        side: str = "source",
        details: bool = True,
    ) -> list[Match]:
        """Fuzzy matches for one segment, best first (score, kind, penalties, diff,
        repaired English, flags).

        The glossary (``self.terms``) takes part on the source side: its terms are
        swapped when a match is repaired, its forbidden renderings flag a match.

        Args:
            text: the segment to translate (``side="target"``: English to find).
            min_score: the cutoff, 0–100; nothing under it is returned.
            limit: how many matches at most.
            prev: the previous segment of the document, for context (101) matches.
            following: the next segment of the document. With ``prev``, a context
                match must have occurred between the same two segments (memoQ's
                double context); an exact match that did not is offered at 100.
            side: ``source`` or ``target``.
            details: False: without the repaired English, the diff and the
                penalties' wording (same matches, scores and order; half the CPU),
                for answers that show only source, target and score.
        """
        found = self.matcher(side).lookup(
            text,
            min_score=min_score,
            limit=limit,
            prev=prev,
            termbase=self._match_terms() if side == "source" else None,
            details=details,
        )
        if prev is not None and following is not None:
            found = self._double_context(found, prev, following)
        return found

    def _double_context(
        self, found: list[Match], prev: str, following: str
    ) -> list[Match]:
        """Context matches whose occurrences never had ``following`` next become exact."""
        from tm.models import MatchKind
        from tm.text.normalize import match_key

        keys = (match_key(prev), match_key(following))

        def between(unit_id: int | None) -> bool:
            occs = self.store.occurrences(unit_id) if unit_id is not None else []
            return any(
                (match_key(o.prev_source or ""), match_key(o.next_source or "")) == keys
                for o in occs
            )

        out = [
            m
            if m.kind != MatchKind.CONTEXT or between(m.id)
            else replace(m, score=100.0, kind=MatchKind.EXACT)
            for m in found
        ]
        out.sort(key=lambda m: (-m.score, -(m.id or 0)))
        return out

    def _match_terms(self) -> TermBase | None:
        """The glossary for repair and flags; a broken one only costs those."""
        try:
            return self.terms.optional()
        except TMError as exc:
            log.warning("glossary not used for matching: %s", exc)
            return None

    def lookup_many(
        self,
        texts: Sequence[str],
        *,
        prevs: Sequence[str | None] | None = None,
        followings: Sequence[str | None] | None = None,
        min_score: float = 70,
        limit: int = 5,
        side: str = "source",
        details: bool = True,
    ) -> list[list[Match]]:
        """:meth:`lookup` for each text with its own neighbours, in order: the same
        results, with the units that the texts' rankings show fetched in one round
        trip per :data:`LOOKUP_CHUNK` texts instead of one per text.

        Args:
            texts: the segments to translate.
            prevs: each text's previous segment (None: no context).
            followings: each text's next segment (see :meth:`lookup`).
            details: as for :meth:`lookup`.
        """
        n = len(texts)
        prevs = list(prevs) if prevs is not None else [None] * n
        followings = list(followings) if followings is not None else [None] * n
        if len(prevs) != n or len(followings) != n:
            raise ValueError("texts, prevs and followings differ in length")
        matcher = self.matcher(side)
        termbase = self._match_terms() if side == "source" else None
        out: list[list[Match]] = []
        for at in range(0, n, LOOKUP_CHUNK):
            chunk = slice(at, at + LOOKUP_CHUNK)
            out += matcher.lookup_many(
                texts[chunk],
                min_score=min_score,
                limit=limit,
                prevs=prevs[chunk],
                termbase=termbase,
                details=details,
            )
        for i, (prev, following) in enumerate(zip(prevs, followings, strict=True)):
            if prev is not None and following is not None:
                out[i] = self._double_context(out[i], prev, following)
        return out

    def lookup_batch(
        self,
        texts: Iterable[str],
        *,
        min_score: float = 70,
        limit: int = 5,
        side: str = "source",
        context: bool = True,
    ) -> Iterator[list[Match]]:
        """One result list per text, in order; each text is the next one's context.

        Texts are looked up ``LOOKUP_CHUNK`` at a time, the units their results show
        fetched once per chunk; each chunk's results are yielded as soon as it is done.
        The results are those of :meth:`lookup` for each text (without ``following``).
        """
        matcher = self.matcher(side)
        termbase = self._match_terms() if side == "source" else None
        prev: str | None = None
        for chunk in _chunks(texts, LOOKUP_CHUNK):
            prevs = [prev, *chunk[:-1]] if context else None
            yield from matcher.lookup_many(
                chunk,
                min_score=min_score,
                limit=limit,
                prevs=prevs,
                termbase=termbase,
            )
            prev = chunk[-1]

    def lookup_layers(
        self,
        text: str,
        *,
        min_score: float = 70,
        limit: int = 5,
        prev: str | None = None,
    ) -> list[LayerMatch]:
        """Matches from this TM as ("master", match), one per distinct source and target."""
        found = self.lookup(text, min_score=min_score, limit=limit, prev=prev)
        return merge_layers([("master", m) for m in found], limit=limit)

    def concordance(
        self, text: str, *, side: str = "source", limit: int = 20
    ) -> list[ConcordanceHit]:
        """Units containing ``text`` on ``side`` (source, target or both), hits highlighted."""
        from tm.concordance import concordance

        return concordance(self.store, text, side=side, limit=limit)

    def concordance_renderings(
        self, text: str, hits: Sequence[ConcordanceHit]
    ) -> list[tuple[tuple[int, int], ...]]:
        """For each hit of ``text``, where its rendering stands on the other side.

        A glossary term's renderings are found as the term base finds them; for
        other text, the English most hits share (``tm.terms.renderings``), if any.
        Spans index the other side's stored text; () where nothing was found.
        """
        import re

        from tm.text.normalize import match_key

        base = self.terms.optional()
        entries = base.lookup(text) if base is not None else []
        shared = None
        if not entries:
            from tm.terms.renderings import shared_rendering

            source_hits = [h.unit for h in hits if h.side == "source"]
            shared = shared_rendering(match_key(text), source_hits)
        out: list[tuple[tuple[int, int], ...]] = []
        for hit in hits:
            spans: list[tuple[int, int]] = []
            if hit.side == "source":
                target = hit.unit.target
                for entry in entries:
                    assert base is not None
                    spans += [
                        (h.start, h.end) for h in base.renderings_in(entry, target)
                    ]
                if shared:
                    pattern = r"\b" + re.escape(shared) + r"\b"
                    spans += [m.span() for m in re.finditer(pattern, target, re.I)]
            out.append(tuple(sorted(set(spans))))
        return out

    def fragments(
        self, text: str, *, min_chars: int = 6, limit: int = 5
    ) -> list[FragmentHit]:
        """Sub-segment recall: the query's clauses matching TM clauses (at 80 or more),
        and TM sources or clauses contained in the query (see ``tm.fragments``)."""
        return self.matcher("source").fragments(text, min_chars=min_chars, limit=limit)

    # -- documents: analysis and pre-translation -----------------------------------

    def document_segments(
        self, path: str | Path, *, encoding: str | None = None
    ) -> list[str]:
        """The segments of a document to translate, in order.

        Read as ``tm analyze`` reads it (``tm.analysis.read_source_document``): plain
        text with the page residue set aside, the seed format's source side, XLIFF or
        TMX sources; sentences split by the TM's rules.

        Raises:
            FormatError: the file cannot be read or is not a document.
        """
        from tm.analysis import read_source_document

        segments, _ = read_source_document(path, encoding=encoding)
        return [seg.source for seg in segments]

    def analyze(
        self,
        path: str | Path,
        *,
        min_score: float = 50,
        weights: dict[str, float] | str | Path | None = None,
        exhaustive: bool = False,
        encoding: str | None = None,
    ) -> Analysis:
        """Band every segment of a new document by its best TM match (see ``tm.analysis``).

        Args:
            weights: the weight of each band, or a YAML file of them.
            exhaustive: score every TM unit instead of using the index (the reference).
        """
        from tm.analysis import (
            analyze_segments,
            document_name,
            load_weights,
            read_source_document,
        )

        if isinstance(weights, (str, Path)):
            weights = load_weights(weights)
        segments, residue = read_source_document(path, encoding=encoding)
        matcher = self.matcher("source")
        find = matcher.scan if exhaustive else matcher.lookup

        def lookup(text: str, prev: str | None) -> list[Match]:
            return find(text, min_score=min_score, limit=1, prev=prev)

        return analyze_segments(
            segments,
            lookup,
            document=document_name(path),
            termbase=self.terms.optional(),
            weights=weights,
            residue=residue,
        )

    def pretranslate(
        self,
        path: str | Path,
        dest: Destination,
        *,
        fmt: str = "xliff12",
        min_score: float = 75,
        alt_min: float = 50,
        alternatives: int = 3,
        project_tm: str | Path | None = None,
        encoding: str | None = None,
    ) -> PretranslateReport:
        """Write ``path`` pre-translated as XLIFF 1.2/2.0, the used matches as TMX, or
        an OmegaT project folder (``fmt="omegat"``, ``dest`` a folder)."""
        from tm.analysis import document_name, read_source_document
        from tm.pretranslate import (
            FORMATS,
            build_segments,
            report_of,
            write_output,
            write_project_tm,
        )

        if fmt not in FORMATS:
            raise ConfigError(
                f"unknown format {fmt!r}", hint=f"choose one of {', '.join(FORMATS)}"
            )
        segments, _ = read_source_document(path, encoding=encoding)
        matcher = self.matcher("source")

        termbase = self._match_terms()

        def lookup(text: str, prev: str | None) -> list[Match]:
            return matcher.lookup(
                text,
                min_score=min(alt_min, min_score),
                limit=alternatives + 1,
                prev=prev,
                termbase=termbase,
            )

        termbase = self.terms.optional()
        xsegs, used = build_segments(
            segments,
            lookup,
            lambda t: self.fragments(t, limit=alternatives),
            min_score=min_score,
            alternatives=alternatives,
            termbase=termbase,
        )
        project = write_output(
            xsegs,
            used,
            dest,
            fmt=fmt,
            original=document_name(path),
            document=path,
            doc_segments=segments,
            termbase=termbase,
            encoding=encoding,
        )
        if project_tm is not None:
            write_project_tm(used, project_tm)
        return replace(report_of(xsegs, used), project=project)

    def export_document_xliff(
        self,
        segments: list[str],
        targets: dict[int, str],
        dest: Destination,
        *,
        original: str,
        statuses: dict[int, str] | None = None,
    ) -> int:
        """Write a document being translated as XLIFF 1.2 with its targets filled in.

        Args:
            statuses: each segment's status (``tm.models.SegmentStatus`` values),
                written as the target's state; without it a target is confirmed.
        """
        from tm.formats.xliff import XliffSegment, write_xliff

        statuses = statuses or {}
        return write_xliff(
            (
                XliffSegment(
                    id=str(i + 1),
                    source=src,
                    target=targets.get(i),
                    confirmed=i in targets,
                    status=statuses.get(i, "translated"),
                )
                for i, src in enumerate(segments)
            ),
            dest,
            original=original,
        )

    # -- terms from the TM ---------------------------------------------------------

    def extract_terms(
        self,
        *,
        top: int = 300,
        min_count: int = 2,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Candidate]:
        """Propose terms from the TM: Chinese candidates with English renderings.

        Uses the TM's sentence units when it has any, else its paragraph units.
        Candidates already in the term base are marked with its approved English.
        ``progress`` is called with (candidates weighed, candidates to weigh).
        """
        from tm.terms.extract import choose_units, extract_terms

        units = choose_units(
            list(self.store.iter_units(segtype="sentence")),
            self.store.iter_units(segtype="paragraph"),
        )
        base = self.terms.optional()

        def known(zh: str) -> str | None:
            found = base.lookup(zh) if base is not None else []
            return found[0].en or "(no approved English)" if found else None

        return extract_terms(
            units, top=top, min_count=min_count, known=known, progress=progress
        )

    # -- qa ----------------------------------------------------------------------

    def qa(
        self,
        *,
        checks: Iterable[str] | None = None,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
        workers: int = 1,
    ) -> QAReport:
        """Run QA checks over the whole TM; findings marked false positive are dropped.

        Term checks use the service's term base (skipped when the default glossary is
        absent).

        Args:
            checks: check names to run (default: all, see ``tm.qa.CHECKS``).
            progress: called with the number of units checked.
            cancel: an event that stops the run early.
            workers: processes for a large TM (0 = one per CPU; see ``tm.qa``).

        Raises:
            ConfigError: an unknown check name.
            NotFound: a named glossary does not exist.
        """
        from tm.qa import run_checks

        return run_checks(
            self.store.iter_units(),
            checks=checks,
            termbase=self.terms.optional(),
            marks=self.store.marks(),
            progress=progress,
            cancel=cancel,
            workers=workers,
        )

    @classmethod
    def qa_file(
        cls,
        path: str | Path,
        *,
        fmt: str | None = None,
        encoding: str | None = None,
        terms: TermService | None = None,
        checks: Iterable[str] | None = None,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
        workers: int = 1,
    ) -> QAReport:
        """QA a bilingual file (TMX, TSV, seed format) without importing it anywhere.

        The file goes through the normal import path into an in-memory store.
        """
        with cls.open(locations.MEMORY, terms=terms) as service:
            service.import_file(path, fmt=fmt, encoding=encoding, keep_all=True)
            return service.qa(
                checks=checks, progress=progress, cancel=cancel, workers=workers
            )

    def fixed_target(self, finding: QAIssue) -> str | None:
        """The finding's target with its suggested fix applied, when the check agrees
        the edit fixes it (see ``tm.qa.fixes``); None when it needs a human."""
        from tm.qa.fixes import fixed_target

        return fixed_target(finding, termbase=self.terms.optional())

    def mark_false_positive(
        self,
        fingerprint: str,
        *,
        check: str = "",
        note: str = "",
        user: str | None = None,
        verify: bool = False,
    ) -> None:
        """Mark a finding (by fingerprint) as a false positive; later runs skip it.

        Args:
            verify: first run the checks (only ``check`` when given) and refuse a
                fingerprint that no current finding has, marked or not: a typo
                would otherwise be recorded and suppress nothing.

        Raises:
            NotFound: ``verify`` and no finding has that fingerprint.
            ConfigError: an unknown check name.
        """
        if verify:
            from tm.qa import run_checks

            report = run_checks(
                self.store.iter_units(),
                checks=[check] if check else None,
                termbase=self.terms.optional(),
                marks=set(),
            )
            if fingerprint not in {f.fingerprint for f in report.findings}:
                where = f"check {check}" if check else "any check"
                raise NotFound(
                    f"no finding of {where} has fingerprint {fingerprint}",
                    hint="copy it from tm qa's report (the last line of each finding)",
                )
        self.store.set_mark(fingerprint, check, note, locations.user(user))

    def unmark_false_positive(self, fingerprint: str, *, strict: bool = False) -> None:
        """Forget a false-positive mark: later runs report the finding again.

        Raises:
            NotFound: ``strict`` and no mark has that fingerprint.
        """
        if strict and fingerprint not in self.store.marks():
            raise NotFound(
                f"no finding is marked with fingerprint {fingerprint}",
                hint="tm qa's summary counts the marked findings; mark one with tm qa mark",
            )
        self.store.clear_mark(fingerprint)

    def false_positives(self) -> set[str]:
        """The fingerprints marked false positive."""
        return self.store.marks()

    # -- units -------------------------------------------------------------------

    def unit_details(self, unit_id: int) -> tuple[TranslationUnit, list[Occurrence]]:
        """A unit and all its occurrences (document, position, context), for display.

        Raises:
            NotFound: no unit with that id.
        """
        units = self.store.get_units([unit_id])
        if not units:
            raise NotFound(f"no unit with id {unit_id}")
        return units[0], list(self.store.occurrences(unit_id))

    def edit_target(
        self, unit_id: int, target: str, *, user: str | None = None
    ) -> None:
        """Replace one unit's target in the TM (a reviewer's fix from QA review).

        Raises:
            NotFound: no unit with that id.
            StoreError: the edit would duplicate a unit.
        """
        self.store.set_target(unit_id, target, user=locations.user(user))
        self._invalidate_matchers()

    def add_units(
        self, units: Iterable[TranslationUnit], *, user: str | None = None
    ) -> int:
        """Add units in one transaction; returns how many were new."""
        return self.import_units(units, user=user).added

    def import_units(
        self,
        units: Iterable[TranslationUnit],
        *,
        name: str = "units",
        user: str | None = None,
    ) -> ImportReport:
        """Add units as they are (no sentence alignment) in one transaction.

        Args:
            name: what the report calls the batch (its ``path``).

        Returns:
            How many were read, new, duplicates, and new occurrences.
        """
        from tm.importer import count_read  # the import pipeline loads on first use

        report = ImportReport(path=name, format="units")
        with self.store.transaction():
            counted = note_levels(count_read(units, report), report)
            result = self.store.add_units(counted, user=locations.user(user))
        report.added = result.added
        report.duplicates = result.duplicates
        report.occurrences_added = result.occurrences_added
        self._invalidate_matchers()
        return report

    def import_bytes(
        self,
        data: bytes,
        *,
        fmt: str,
        document: str,
        user: str | None = None,
        sentences: bool = True,
    ) -> ImportReport:
        """Import a TMX, TSV or XLIFF file received as bytes, as :meth:`import_file`
        imports a file (one transaction; paragraphs aligned into sentences).

        Args:
            fmt: ``tmx``, ``tsv`` or ``xliff``.
            document: the file name the units' occurrences record (a TSV's
                document; a TMX without ``x-document`` props too).

        Raises:
            FormatError: the data is malformed; its path is ``document``.
            ConfigError: an unknown format or an unusable document name.
        """
        if fmt not in IMPORT_BYTES_FORMATS:
            raise ConfigError(
                f"cannot import {fmt!r} data",
                hint=f"send one of {', '.join(IMPORT_BYTES_FORMATS)}",
            )
        name = Path(document).name
        if not name or name in (".", ".."):
            raise ConfigError(f"not a document name: {document!r}")
        with tempfile.TemporaryDirectory(prefix="tm-import-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            try:
                report = self.import_file(path, fmt=fmt, user=user, sentences=sentences)
            except FormatError as exc:
                raise FormatError(name, exc.line, exc.detail, hint=exc.hint) from exc
        report.path = name
        return report

    def confirm(
        self,
        source: str,
        target: str,
        *,
        prev: str | None = None,
        following: str | None = None,
        document: str = "confirmed",
        position: int = 0,
        source_lang: str = "zh-CN",
        target_lang: str = "en-US",
        user: str | None = None,
    ) -> TranslationUnit:
        """Store a translator's confirmed segment, with where it occurs.

        The occurrence records the document, the position and the neighbouring
        segments, so a later look-up of the same segment between the same
        neighbours is a context (101) match. Confirming the same pair again adds
        only the occurrence.

        Returns:
            The stored unit, with its id.
        """
        unit = TranslationUnit(
            source=source,
            target=target,
            source_lang=source_lang,
            target_lang=target_lang,
            segtype=SegType.SENTENCE,
            occurrence=Occurrence(
                document=document,
                position=position,
                prev_source=prev,
                next_source=following,
            ),
        )
        self.import_units([unit], name=document, user=user)
        from tm.text.normalize import match_key

        for stored in self.store.exact(match_key(source), source_lang=source_lang):
            if (
                stored.source == source
                and stored.target == target
                and stored.target_lang == target_lang
                and stored.segtype == SegType.SENTENCE
            ):
                return stored
        raise NotFound(f"the confirmed segment was not found again: {source!r}")

    def project_path(self, document: str | Path) -> Path:
        """Where the project TM of ``document`` lives (see ``tm.locations``)."""
        return locations.project_db_path(self.store.path, document)


def merge_layers(found: Iterable[LayerMatch], *, limit: int) -> list[LayerMatch]:
    """Best first, one per distinct (source, target); on equal scores the project
    layer wins (it holds this job's decisions). A flagged match ranks as the matcher
    ranks it, below clean ones of nearly the same score."""
    from tm.match import ranking_score

    ranked = sorted(found, key=lambda lm: (-ranking_score(lm[1]), lm[0] != "project"))
    seen: set[tuple[str, str]] = set()
    out: list[LayerMatch] = []
    for layer, m in ranked:
        if (m.source, m.target) not in seen:
            seen.add((m.source, m.target))
            out.append((layer, m))
    return out[:limit]


def _chunks(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for text in texts:
        chunk.append(text)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
