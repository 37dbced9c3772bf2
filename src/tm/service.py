"""TMService: the one API both shells (CLI and TUI) call.

Shells parse input and render output; everything else happens here or below. Long
operations take a ``progress`` callback and never print.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from tm.errors import ConfigError, FormatError
from tm.formats import detect_format, read_units
from tm.models import ImportReport, SegType, TranslationUnit
from tm.store import Store, open_store

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
        sentences: bool = True,
    ) -> ImportReport:
        """Import one file in one transaction: a malformed file changes nothing.

        With ``sentences`` (the default), paragraph units also yield sentence units
        aligned from them (``tm.align.sentence_units``), in the same transaction.

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
            paragraphs: list[TranslationUnit] = []
            counted = _counting(units, report, paragraphs if sentences else None)
            result = self.store.add_units(counted, progress=progress, user=user)
            report.added += result.added
            report.duplicates += result.duplicates
            report.occurrences_added += result.occurrences_added
            if paragraphs:
                from tm.align import sentence_units

                aligned = sentence_units(paragraphs)
                report.sentences_added = self.store.add_units(aligned, user=user).added
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
            termbase = self._qa_termbase(glossary)
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
        cls, path: str | Path, *, fmt: str | None = None, encoding: str | None = None,
        **kw: Any,
    ) -> Any:
        """QA a bilingual file (TMX, TSV, seed format) without importing it anywhere.

        The file goes through the normal import path into an in-memory store.
        """
        with cls.open(":memory:") as service:
            service.import_file(path, fmt=fmt, encoding=encoding)
            return service.qa(**kw)

    def mark_false_positive(
        self, fingerprint: str, *, check: str = "", note: str = "", user: str | None = None
    ) -> None:
        """Mark a finding (by fingerprint) as a false positive; later runs skip it."""
        self.store.set_mark(fingerprint, check, note, user)

    def unmark_false_positive(self, fingerprint: str) -> None:
        self.store.clear_mark(fingerprint)

    @staticmethod
    def _qa_termbase(glossary: str | Path | None) -> Any:
        """The given glossary, else the default one when it exists, else None."""
        from tm.terms import default_glossary_path, load_termbase

        if glossary is not None:
            return load_termbase(glossary)
        default = default_glossary_path()
        return load_termbase(default) if default.exists() else None


def _counting(
    units: Iterable[TranslationUnit],
    report: ImportReport,
    paragraphs: list[TranslationUnit] | None = None,
) -> Iterator[TranslationUnit]:
    """Count units as they pass; keep the paragraph ones when a list is given."""
    for unit in units:
        report.read += 1
        if paragraphs is not None and unit.segtype == SegType.PARAGRAPH:
            paragraphs.append(unit)
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
