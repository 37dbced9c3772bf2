"""TMService: the one API both shells (CLI and TUI) call.

Shells parse input and render output; everything else happens here or below. Long
operations take a ``progress`` callback and never print.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tm.errors import ConfigError, FormatError
from tm.models import ImportReport, TranslationUnit
from tm.store import Store, open_store

if TYPE_CHECKING:  # matching types (the matcher imports numpy: load it on first use)
    from tm.match import Matcher
    from tm.models import ConcordanceHit, FragmentHit, Match

log = logging.getLogger(__name__)

ProgressFn = Callable[[int], None]
# Batch look-ups fetch the units of this many queries' results at once.
LOOKUP_CHUNK = 32
EXPORT_FORMATS = ("tmx", "tsv")


class TMService:
    """Import, export, look up and check a translation memory.

    Args:
        store: an open store (the service closes it on ``close()``).
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def open(cls, db: str | Path | None = None, **kw: Any) -> TMService:
        return cls(open_store(db, **kw))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> TMService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        glossary: str | Path | None = None,
    ) -> ImportReport:
        """Import one file in one transaction: a malformed file changes nothing.

        With ``sentences`` (the default), paragraph units also yield sentence units
        aligned from them (``tm.align.sentence_units``), in the same transaction. The
        term base at ``glossary`` (default: $TM_GLOSSARY or ./glossary/, when there is
        one) lends its terms to the aligner as anchors.

        Raises:
            FormatError: the file is unreadable or malformed (with file and line).
        """
        from tm.importer import cache_match_index, import_file
        from tm.match import invalidate_matchers

        report = import_file(
            self.store,
            path,
            fmt=fmt,
            encoding=encoding,
            progress=progress,
            user=user,
            sentences=sentences,
            terms=lambda: self.anchor_terms(glossary),
        )
        invalidate_matchers(self.store)  # they poll the data version once a second
        cache_match_index(self.store)
        return report

    def import_files(
        self, paths: Iterable[str | Path], **kw: Any
    ) -> list[ImportReport]:
        return [self.import_file(p, **kw) for p in paths]

    # -- export ------------------------------------------------------------------

    def export(
        self,
        dest: str | Path | IO[bytes],
        *,
        fmt: str = "tmx",
        segtype: str | None = None,
        source_lang: str | None = None,
        target_lang: str | None = None,
    ) -> int:
        """Write the TM (or its units of one segtype) as TMX or TSV; returns the count.

        A path is replaced atomically; ``-`` or a stream writes there.
        """
        if fmt == "tmx":
            from tm.exporter import export_tmx
            from tm.formats.tmx import TMXHeader

            header = TMXHeader(
                srclang=source_lang or "zh-CN",
                segtype=segtype or "sentence",
            )
            return export_tmx(
                self.store,
                _binary_dest(dest),
                header=header,
                segtype=segtype,
                source_lang=source_lang,
                target_lang=target_lang,
            )
        units = self.store.iter_units(segtype=segtype)
        if fmt == "tsv":
            from tm.formats.tabular import write_tsv

            langs = (source_lang or "zh-CN", target_lang or "en-US")
            if isinstance(dest, (str, Path)) and str(dest) != "-":
                from tm.formats._atomic import atomic_output

                with atomic_output(dest, mode="w") as fh:
                    return write_tsv(units, fh, header=langs)
            out: IO[str] = sys.stdout if str(dest) == "-" else dest  # type: ignore[assignment]
            return write_tsv(units, out, header=langs)
        raise ConfigError(
            f"unknown export format {fmt!r}",
            hint=f"choose one of {', '.join(EXPORT_FORMATS)}",
        )

    # -- information -------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        return self.store.stats()

    # -- matching: look-up, concordance, sub-segment recall ----------------------

    def matcher(self, side: str = "source") -> Matcher:
        """The process-wide matcher for this store and side (its index is built once)."""
        from tm.match import matcher_for

        return matcher_for(self.store, side=side)

    def lookup(
        self,
        text: str,
        *,
        min_score: float = 70,
        limit: int = 5,
        prev: str | None = None,
        side: str = "source",
    ) -> list[Match]:
        """Fuzzy matches for one segment, best first (score, kind, penalties, diff).

        Args:
            text: the segment to translate (``side="target"``: English to find).
            min_score: the cutoff, 0–100; nothing under it is returned.
            limit: how many matches at most.
            prev: the previous segment of the document, for context (101) matches.
            side: ``source`` or ``target``.
        """
        return self.matcher(side).lookup(
            text, min_score=min_score, limit=limit, prev=prev
        )

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
        """
        matcher = self.matcher(side)
        prev: str | None = None
        for chunk in _chunks(texts, LOOKUP_CHUNK):
            prevs = [prev, *chunk[:-1]] if context else None
            yield from matcher.lookup_many(
                chunk, min_score=min_score, limit=limit, prevs=prevs
            )
            prev = chunk[-1]

    def concordance(
        self, text: str, *, side: str = "source", limit: int = 20
    ) -> list[ConcordanceHit]:
        """Units containing ``text`` on ``side`` (source, target or both), hits highlighted."""
        from tm.concordance import concordance

        return concordance(self.store, text, side=side, limit=limit)

    def fragments(
        self, text: str, *, min_chars: int = 6, limit: int = 5
    ) -> list[FragmentHit]:
        """Sub-segment recall: the query's clauses (≥ ``min_chars``) found in TM units."""
        from tm.concordance import fragments

        return fragments(self.store, text, min_chars=min_chars, limit=limit)

    # -- analysis and pre-translation ----------------------------------------------

    @staticmethod
    def load_termbase(
        glossary: str | Path | None = None, *, required: bool = False
    ) -> Any:
        """The term base at ``glossary`` (default: the glossary/ directory), or None if absent."""
        from tm.errors import NotFound

        try:
            return TMService.termbase(glossary)
        except NotFound:
            if required or glossary is not None:
                raise
            return None

    @staticmethod
    def anchor_terms(
        glossary: str | Path | None = None,
    ) -> list[tuple[str, tuple[str, ...]]] | None:
        """The term base's (zh, renderings) pairs for the sentence aligner; None without one."""
        base = TMService.load_termbase(glossary)
        return base.anchor_pairs() if base is not None else None

    def analyze(
        self,
        path: str | Path,
        *,
        min_score: float = 50,
        weights: dict[str, float] | None = None,
        termbase: Any = None,
        exhaustive: bool = False,
        encoding: str | None = None,
    ) -> Any:
        """Band every segment of a new document by its best TM match (see ``tm.analysis``).

        Args:
            exhaustive: score every TM unit instead of using the index (the reference).
        """
        from tm.analysis import analyze_segments, document_name, read_source_document

        segments, residue = read_source_document(path, encoding=encoding)
        matcher = self.matcher("source")
        find = matcher.scan if exhaustive else matcher.lookup

        def lookup(text: str, prev: str | None) -> list[Any]:
            return find(text, min_score=min_score, limit=1, prev=prev)

        return analyze_segments(
            segments,
            lookup,
            document=document_name(path),
            termbase=termbase,
            weights=weights,
            residue=residue,
        )

    def pretranslate(
        self,
        path: str | Path,
        dest: str | Path | IO[bytes],
        *,
        fmt: str = "xliff12",
        min_score: float = 75,
        alt_min: float = 50,
        alternatives: int = 3,
        termbase: Any = None,
        project_tm: str | Path | None = None,
        encoding: str | None = None,
    ) -> Any:
        """Write ``path`` pre-translated as XLIFF 1.2/2.0 (or the used matches as TMX)."""
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

        def lookup(text: str, prev: str | None) -> list[Any]:
            return matcher.lookup(
                text,
                min_score=min(alt_min, min_score),
                limit=alternatives + 1,
                prev=prev,
            )

        xsegs, used = build_segments(
            segments,
            lookup,
            lambda t: self.fragments(t, limit=alternatives),
            min_score=min_score,
            alternatives=alternatives,
            termbase=termbase,
        )
        write_output(xsegs, used, dest, fmt=fmt, original=document_name(path))
        if project_tm is not None:
            write_project_tm(used, project_tm)
        return report_of(xsegs, used)

    # -- terms (issue #5) ----------------------------------------------------------
    # Glossary-only operations are static: `tm terms find` needs no TM database.

    @staticmethod
    def termbase(path: str | Path | None = None) -> TermBase:
        """The term base at ``path`` (default: $TM_GLOSSARY, else ./glossary/).

        Reloaded when a file changed since the last call.

        Raises:
            NotFound: no such glossary. FormatError: a malformed glossary file.
        """
        from tm.terms import cached_termbase

        return cached_termbase(path)

    @staticmethod
    def find_terms(
        text: str,
        *,
        glossary: str | Path | TermBase | None = None,
        lang: str = "zh",
        statuses: Iterable[str] | None = None,
    ) -> list[TermHit]:
        """Glossary terms in a segment: longest match first, with positions."""
        from tm.terms import TermBase as _TermBase

        base = (
            glossary
            if isinstance(glossary, _TermBase)
            else TMService.termbase(glossary)
        )
        return base.find(text, lang, statuses=statuses)

    @staticmethod
    def import_terms(
        source: str | Path,
        *,
        glossary: str | Path | None = None,
        into: str | Path | None = None,
        replace_existing: bool = False,
    ) -> tuple[int, int, int]:
        """Merge a TBX, CSV/TSV or YAML glossary into the term base; returns
        (added, replaced, skipped). New entries go to ``into`` (default: the first
        glossary file), which is created if missing."""
        from tm.terms import GlossaryHeader, load_termbase
        from tm.terms import TermBase as _TermBase
        from tm.terms.base import read_any

        _, entries = read_any(Path(source))
        target = Path(into) if into is not None else None
        if target is not None and not target.exists():
            base = _TermBase(headers={str(target): GlossaryHeader(name=target.stem)})
        else:
            base = load_termbase(target if target is not None else glossary)
        counts = base.merge(entries, path=target, replace_existing=replace_existing)
        with_changes = [str(target)] if target is not None else None
        if with_changes:
            base.save(with_changes[0])
        else:
            base.save()
        return counts

    @staticmethod
    def export_terms(
        dest: str | Path | IO[Any],
        *,
        fmt: str = "tbx",
        glossary: str | Path | None = None,
    ) -> int:
        """Write the term base as TBX-Basic v3 (``tbx``), TBX 2008 (``tbx2008``),
        OmegaT tab text (``tsv``), CSV or YAML; returns the entries written."""
        from tm.terms import GlossaryHeader, dump_glossary

        base = TMService.termbase(glossary)
        header = next(iter(base.headers.values()), GlossaryHeader())
        if fmt in ("tbx", "tbx2008"):
            from tm.formats.tbx import write_tbx

            return write_tbx(
                base,
                _binary_dest(dest),
                header=header,
                dialect="v3" if fmt == "tbx" else "2008",
            )
        if fmt in ("tsv", "csv"):
            from tm.formats.glossary_table import write_glossary_table

            out = sys.stdout if str(dest) == "-" else dest
            return write_glossary_table(base, out, fmt=fmt)
        if fmt == "yaml":
            text = dump_glossary(header, base)
            if str(dest) == "-":
                sys.stdout.write(text)
            elif isinstance(dest, (str, Path)):
                from tm.formats._atomic import atomic_output

                with atomic_output(dest, mode="w") as fh:
                    fh.write(text)
            else:
                dest.write(text)
            return len(base)
        raise ConfigError(
            f"unknown term export format {fmt!r}",
            hint="choose one of tbx, tbx2008, tsv, csv, yaml",
        )

    @staticmethod
    def add_term(
        entry: TermEntry,
        *,
        glossary: str | Path | None = None,
        replace_existing: bool = False,
    ) -> TermEntry:
        """Add one entry to the glossary file (a directory's first YAML file) and save.

        Raises:
            TMError: the same zh and en is already there (unless replace_existing).
        """
        from tm.terms import load_termbase

        base = load_termbase(glossary)
        added = base.add(entry, replace_existing=replace_existing)
        base.save(added.source.path if added.source else None)
        return added

    @staticmethod
    def write_proposed_terms(
        candidates: Sequence[Candidate], dest: str | Path | IO[str]
    ) -> None:
        """Write extraction candidates as proposed-status glossary YAML."""
        from tm.terms import GlossaryHeader
        from tm.terms.extract import dump_candidates

        text = dump_candidates(candidates, GlossaryHeader(name="proposed"))
        if isinstance(dest, (str, Path)):
            from tm.formats._atomic import atomic_output

            with atomic_output(dest, mode="w") as fh:
                fh.write(text)
        else:
            dest.write(text)

    def extract_terms(
        self,
        *,
        glossary: str | Path | None = None,
        top: int = 300,
        min_count: int = 2,
    ) -> list[Candidate]:
        """Propose terms from the TM: Chinese candidates with English renderings.

        Uses the TM's sentence units when it has any, else its paragraph units.
        Candidates already in the glossary are marked with its approved English.
        """
        from tm.errors import NotFound
        from tm.terms.extract import choose_units, extract_terms

        units = choose_units(
            list(self.store.iter_units(segtype="sentence")),
            self.store.iter_units(segtype="paragraph"),
        )
        try:
            base = TMService.termbase(glossary)
        except NotFound:
            if glossary is not None:
                raise
            base = None

        def known(zh: str) -> str | None:
            found = base.lookup(zh) if base is not None else []
            return found[0].en or "(no approved English)" if found else None

        return extract_terms(units, top=top, min_count=min_count, known=known)

    # -- qa ----------------------------------------------------------------------

    def qa(
        self,
        *,
        checks: Iterable[str] | None = None,
        glossary: str | Path | None = None,
        termbase: Any = None,
        progress: ProgressFn | None = None,
        cancel: Any = None,
        workers: int = 1,
    ) -> Any:
        """Run QA checks over the whole TM; findings marked false positive are dropped.

        Args:
            checks: check names to run (default: all, see ``tm.qa.CHECKS``).
            glossary: a glossary file or directory; default ``$TM_GLOSSARY`` or
                ``./glossary`` when it exists (term checks need one).
            termbase: an already loaded ``TermBase`` (wins over ``glossary``).
            progress: called with the number of units checked.
            cancel: a ``threading.Event`` that stops the run early.
            workers: processes for a large TM (0 = one per CPU; see ``tm.qa``).

        Returns:
            A ``tm.qa.QAReport``.

        Raises:
            ConfigError: an unknown check name.
            NotFound: ``glossary`` does not exist.
        """
        from tm.qa import run_checks

        if termbase is None:
            termbase = self.load_termbase(glossary)
        return run_checks(
            self.store.iter_units(),
            checks=checks,
            termbase=termbase,
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
        **kw: Any,
    ) -> Any:
        """QA a bilingual file (TMX, TSV, seed format) without importing it anywhere.

        The file goes through the normal import path into an in-memory store.
        """
        with cls.open(":memory:") as service:
            service.import_file(path, fmt=fmt, encoding=encoding)
            return service.qa(**kw)

    def mark_false_positive(
        self,
        fingerprint: str,
        *,
        check: str = "",
        note: str = "",
        user: str | None = None,
    ) -> None:
        """Mark a finding (by fingerprint) as a false positive; later runs skip it."""
        self.store.set_mark(fingerprint, check, note, user)

    def unmark_false_positive(self, fingerprint: str) -> None:
        self.store.clear_mark(fingerprint)

    # -- tui: documents, project TM layer, unit details ---------------------------

    def document_segments(
        self, path: str | Path, *, encoding: str | None = None
    ) -> list[str]:
        """The segments of a document to translate, in order, for document mode.

        Read as ``tm analyze`` reads it (``tm.analysis.read_source_document``): plain
        text with the page residue set aside, the seed format's source side, XLIFF or
        TMX sources; sentences split by the TM's rules.

        Raises:
            FormatError: the file cannot be read or is not a document.
        """
        from tm.analysis import read_source_document

        segments, _ = read_source_document(path, encoding=encoding)
        return [seg.source for seg in segments]

    def export_document_xliff(
        self,
        segments: list[str],
        targets: dict[int, str],
        dest: str | Path,
        *,
        original: str,
    ) -> int:
        """Write a document being translated as XLIFF 1.2: confirmed targets filled in."""
        from tm.formats.xliff import XliffSegment, write_xliff

        return write_xliff(
            (
                XliffSegment(id=str(i + 1), source=src, target=targets.get(i))
                for i, src in enumerate(segments)
            ),
            dest,
            original=original,
        )

    def project_path(self, document: str | Path) -> Path:
        """Where the project TM of ``document`` lives: beside the master TM file.

        ``tm.db`` + ``plan.zh.txt`` → ``tm.plan.zh.project.db``; a TM that is not a
        file (PostgreSQL, in memory) keeps it beside the document instead.
        """
        doc = Path(document)
        stem = doc.name.removesuffix(doc.suffix)
        if self.store.path:
            master = Path(self.store.path)
            return master.with_name(f"{master.stem}.{stem}.project.db")
        return doc.with_name(f"{stem}.project.db")

    def open_project(self, document: str | Path) -> TMService:
        """Open (or create) the project TM layer of a document."""
        return TMService.open(self.project_path(document))

    def confirm_segment(
        self,
        project: TMService,
        source: str,
        target: str,
        *,
        document: str,
        position: int,
        prev: str | None = None,
        next_source: str | None = None,
        user: str | None = None,
    ) -> None:
        """Store a confirmed translation in the project layer (never in the master)."""
        from tm.models import Occurrence

        unit = TranslationUnit(
            source=source,
            target=target,
            segtype="sentence",
            occurrence=Occurrence(
                document=document,
                position=position,
                prev_source=prev,
                next_source=next_source,
            ),
        )
        with project.store.transaction():
            project.store.add_units([unit], user=user)

    def project_targets(self, project: TMService) -> dict[str, TranslationUnit]:
        """The latest confirmed unit per source text in the project layer."""
        latest: dict[str, TranslationUnit] = {}
        for unit in project.store.iter_units():
            latest[unit.source] = unit
        return latest

    def project_confirmed(self, project: TMService, document: str) -> dict[int, str]:
        """Confirmed targets of ``document`` by segment index (0-based), latest winning."""
        done: dict[int, str] = {}
        for unit in project.store.iter_units():
            if unit.id is None:
                continue
            for occ in project.store.occurrences(unit.id):
                if occ.document == document and occ.position >= 1:
                    done[occ.position - 1] = unit.target
        return done

    def lookup_layers(
        self,
        text: str,
        project: TMService | None,
        *,
        min_score: float = 70,
        limit: int = 5,
        prev: str | None = None,
    ) -> list[tuple[str, Match]]:
        """Matches from the project layer and the master, best first, as (layer, match).

        On equal scores the project layer wins: it holds this job's decisions.
        """
        found: list[tuple[str, Match]] = []
        if project is not None:
            found += [
                ("project", m)
                for m in project.lookup(
                    text, min_score=min_score, limit=limit, prev=prev
                )
            ]
        found += [
            ("master", m)
            for m in self.lookup(text, min_score=min_score, limit=limit, prev=prev)
        ]
        found.sort(key=lambda lm: (-lm[1].score, lm[0] != "project"))
        seen: set[tuple[str, str]] = set()
        out: list[tuple[str, Match]] = []
        for layer, m in found:
            if (m.source, m.target) not in seen:
                seen.add((m.source, m.target))
                out.append((layer, m))
        return out[:limit]

    def iter_best_scores(
        self,
        texts: list[str],
        project: TMService | None = None,
        *,
        min_score: float = 50,
    ) -> Iterator[tuple[int, float | None]]:
        """(index, best score or None) for each text, with the previous text as context."""
        for i, text in enumerate(texts):
            best = self.lookup_layers(
                text,
                project,
                min_score=min_score,
                limit=1,
                prev=texts[i - 1] if i else None,
            )
            yield i, (best[0][1].score if best else None)

    def commit_project(self, project: TMService, *, user: str | None = None) -> int:
        """Copy the project layer's latest units into the master TM; returns how many were new."""
        units = list(self.project_targets(project).values())
        with self.store.transaction():
            result = self.store.add_units(units, user=user)
        return result.added

    def unit_details(self, unit_id: int) -> tuple[TranslationUnit, list[Any]]:
        """A unit and all its occurrences (document, position, context), for display.

        Raises:
            NotFound: no unit with that id.
        """
        from tm.errors import NotFound

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
        self.store.set_target(unit_id, target, user=user)


def _chunks(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for text in texts:
        chunk.append(text)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _binary_dest(dest: str | Path | IO[bytes]) -> str | Path | IO[bytes]:
    if isinstance(dest, (str, Path)) and str(dest) == "-":
        return sys.stdout.buffer
    return dest


__all__ = ["FormatError", "TMService"]


# Term base types for annotations only (issue #5), kept here so the imports above stay
# untouched by this block.
if TYPE_CHECKING:
    from collections.abc import Sequence

    from tm.terms import TermBase, TermEntry, TermHit
    from tm.terms.extract import Candidate
