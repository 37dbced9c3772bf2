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
from tm.formats import detect_format, read_units
from tm.models import ImportReport, TranslationUnit
from tm.store import Store, open_store

if TYPE_CHECKING:  # matching types (the matcher imports numpy: load it on first use)
    from tm.match import Matcher
    from tm.models import ConcordanceHit, FragmentHit, Match

log = logging.getLogger(__name__)

ProgressFn = Callable[[int], None]
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
    ) -> ImportReport:
        """Import one file in one transaction: a malformed file changes nothing.

        Raises:
            FormatError: the file is unreadable or malformed (with file and line).
        """
        path = str(path)
        fmt = fmt or detect_format(path)
        report = ImportReport(path=path, format=fmt)
        with self.store.transaction():
            if fmt == "bilingual":
                from tm.formats.bilingual import doc_units, read_bilingual

                doc = read_bilingual(path, encoding=encoding)
                self.store.add_document(doc.name, doc.meta)
                units: Iterable[TranslationUnit] = list(doc_units(doc))
            else:
                units = read_units(path, fmt=fmt, encoding=encoding)
            counted = _counting(units, report)
            result = self.store.add_units(counted, progress=progress, user=user)
            report.added += result.added
            report.duplicates += result.duplicates
            report.occurrences_added += result.occurrences_added
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
        units = self.store.iter_units(segtype=segtype)
        if fmt == "tmx":
            from tm.formats.tmx import TMXHeader, write_tmx

            header = TMXHeader(
                srclang=source_lang or "zh-CN",
                segtype=segtype or "sentence",
            )
            units = _relabel(units, source_lang, target_lang)
            return write_tmx(units, _binary_dest(dest), header=header)
        if fmt == "tsv":
            from tm.formats.tabular import write_tsv

            header = (source_lang or "zh-CN", target_lang or "en-US")
            if isinstance(dest, (str, Path)) and str(dest) != "-":
                from tm.formats._atomic import atomic_output

                with atomic_output(dest, mode="w") as fh:
                    return write_tsv(units, fh, header=header)
            return write_tsv(
                units, sys.stdout if str(dest) == "-" else dest, header=header
            )  # type: ignore[arg-type]
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
        """One result list per text, in order; each text is the next one's context."""
        prev = None
        for text in texts:
            yield self.lookup(
                text,
                min_score=min_score,
                limit=limit,
                prev=prev if context else None,
                side=side,
            )
            prev = text

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


def _counting(
    units: Iterable[TranslationUnit], report: ImportReport
) -> Iterator[TranslationUnit]:
    for unit in units:
        report.read += 1
        yield unit


def _relabel(
    units: Iterable[TranslationUnit], source_lang: str | None, target_lang: str | None
) -> Iterator[TranslationUnit]:
    """Export under other language codes (``--source-lang zh-Hans``) without touching the store."""
    from dataclasses import replace

    for u in units:
        if source_lang or target_lang:
            u = replace(
                u,
                source_lang=source_lang or u.source_lang,
                target_lang=target_lang or u.target_lang,
            )
        yield u


def _binary_dest(dest: str | Path | IO[bytes]) -> str | Path | IO[bytes]:
    if isinstance(dest, (str, Path)) and str(dest) == "-":
        return sys.stdout.buffer
    return dest


__all__ = ["FormatError", "TMService"]
