"""The import pipeline: files read and prepared in worker processes while this one writes.

Preparing a unit (parsing it, folding its match keys, building its table rows with
:func:`tm.store.rows.prepare_batches`) costs about twice what writing it does, so a
large file is prepared in worker processes and this process only writes the batches
they send, in order, in one transaction per file (:meth:`Store.add_batches`):

* a UTF-8 TMX is cut at ``<tu>`` boundaries into parts that two processes parse at
  once (each part is parsed as a document of its own: the file's prolog, the part,
  the file's closing tags); any doubt (comments, CDATA or processing instructions in
  the body, another encoding, a part that fails) falls back to one reader, so the
  units and errors are exactly those of :func:`tm.formats.tmx.iter_tmx`;
* other formats stream from one worker process;
* a small file is read here: starting a process costs more than it saves, and so
  are an OmegaT project and any file whose units the caller watches (``watch``).

Every unit passes the status screen (``tm.formats.status``) where it is prepared: the
counts of what the screen kept out travel with each batch and are summed here.

Paragraph units are then aligned into sentence units (``tm.align``) in two processes,
once the whole file is read: the length model comes from all its paragraphs.

The matcher's index of a new file TM is built in a separate process from the units
as they are written, and cached beside the database when the import commits
(:class:`_IndexFeed`); after any other import it is built there from the database.
Either way the first look-up loads it instead of building it (and this process
stays small).
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tm import fastpath
from tm.errors import FormatError, TMError
from tm.formats import detect_format, read_units
from tm.formats.status import screen
from tm.locations import numpy_defaults
from tm.models import ImportReport, SegType, TranslationUnit, now_stamp
from tm.store.rows import SOURCE_KEY, PreparedBatch, prepare_batches
from tm.store.sql import default_user
from tm.workers import SPAWN, end_now, exit_with_parent, ordered_map

if TYPE_CHECKING:
    from tm.store.base import Store

log = logging.getLogger(__name__)

ProgressFn = Callable[[int], None]
# Sees every unit that passed the screen, in this process (and may pass it on changed).
Watch = Callable[[Iterable[TranslationUnit]], Iterator[TranslationUnit]]
# Called with the report inside the import's transaction, once its units are written
# and before alignment (to keep file metadata, update units the import confirms).
OnWritten = Callable[[ImportReport], None]

# Files smaller than this are read in this process.
WORKER_MIN_BYTES = 4 * 1024 * 1024
# A TMX is cut into parts of about this size, two of them parsed at a time. Small
# parts let the writer start soon after the parsers and end soon after them (it
# writes the parts still queued alone): 1 MB is about 2,000 sentence units, a
# tenth of a second to parse.
PART_BYTES = 1024 * 1024
PARSERS = 2
# Parts parsed ahead of the writer (bounds the memory the import holds).
AHEAD = 2 * PARSERS
BATCH = 2000
# Start tags of <tu> elements (any namespace prefix), and what makes a cut unsafe.
_TU_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?tu[\s/>]")
_UNSAFE = re.compile(rb"<!--|<!\[CDATA\[|<\?")
_BODY_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?body[\s>]")
_BODY_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?body\s*>")
_DECLARED = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")


@dataclass(slots=True)
class Counts:
    """What the reader and the status screen counted of some units (see ImportReport)."""

    read: int = 0
    skipped_untranslated: int = 0
    skipped_unconfirmed: int = 0
    unconfirmed_taken: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    @classmethod
    def take(cls, report: ImportReport) -> Counts:
        """The counts ``report`` holds, which are then zeroed (counted once)."""
        counts = cls(
            report.read,
            report.skipped_untranslated,
            report.skipped_unconfirmed,
            report.unconfirmed_taken,
            dict(report.reasons),
        )
        report.read = report.skipped_untranslated = report.skipped_unconfirmed = 0
        report.unconfirmed_taken = 0
        report.reasons.clear()
        return counts

    def __bool__(self) -> bool:
        return self.read > 0

    def add_to(self, report: ImportReport) -> None:
        report.read += self.read
        report.skipped_untranslated += self.skipped_untranslated
        report.skipped_unconfirmed += self.skipped_unconfirmed
        report.unconfirmed_taken += self.unconfirmed_taken
        for why, n in self.reasons.items():
            report.reasons[why] = report.reasons.get(why, 0) + n


@dataclass(slots=True)
class Prepared:
    """A batch of prepared units and what the import report counts of them.

    Attributes:
        batch: the rows to write; None when every unit read since the last batch
            was kept out by the screen (only ``counts`` then).
        counts: the units read for this batch, and those the screen kept out.
        sentences: how many of the units are sentence units.
        paragraphs: the paragraph units, kept for sentence alignment (when asked).
    """

    batch: PreparedBatch | None
    counts: Counts = field(default_factory=Counts)
    sentences: int = 0
    paragraphs: list[TranslationUnit] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Reading:
    """What reading and preparing one file needs; sent to worker processes as it is.

    Attributes:
        path: the file.
        fmt: its format.
        encoding: for text formats; detected when None.
        stamp: the import's time, for units without a creation date.
        user: who imports, for units without a creator.
        keep_paragraphs: keep the paragraph units (to align them afterwards).
        include_unconfirmed: take unconfirmed units, marked, instead of skipping them.
        keep_all: take every unit as read (no status screen).
    """

    path: str
    fmt: str
    encoding: str | None
    stamp: str
    user: str
    keep_paragraphs: bool
    include_unconfirmed: bool = False
    keep_all: bool = False

    def units(self, watch: Watch | None = None) -> Iterator[Prepared]:
        """The file read here, in this process (an OmegaT project: its TM, the units
        that are not the translator's work marked unconfirmed)."""
        if self.fmt == "omegat":
            from tm.formats.omegat import project_tmx, translator_units

            tmx = read_units(str(project_tmx(self.path)), fmt="tmx")
            return self.prepare(translator_units(tmx, self.path), watch)
        read = read_units(self.path, fmt=self.fmt, encoding=self.encoding)
        return self.prepare(read, watch)

    def prepare(
        self, units: Iterable[TranslationUnit], watch: Watch | None = None
    ) -> Iterator[Prepared]:
        """Units read, screened (``tm.formats.status``), watched, then prepared."""
        local = ImportReport(path=self.path, format=self.fmt)
        kept = count_read(units, local)
        if not self.keep_all:
            kept = screen(kept, local, include_unconfirmed=self.include_unconfirmed)
        if watch is not None:
            kept = watch(kept)
        return prepare_units(kept, self.stamp, self.user, self.keep_paragraphs, local)


MAX_SEGMENT_CHARS = 100_000
"""The longest source or target a TM stores. One 9 MB segment made every concordance
query that touched it take 17.8 s and 1.1 GB; the XML readers bound a unit likewise."""


def count_read(
    units: Iterable[TranslationUnit], report: ImportReport
) -> Iterator[TranslationUnit]:
    """Count every unit read, before the status screen drops any.

    Raises:
        FormatError: a unit's source or target is longer than ``MAX_SEGMENT_CHARS``
            (the import is a transaction: nothing of the file is kept).
    """
    for unit in units:
        report.read += 1
        if (
            len(unit.source) <= MAX_SEGMENT_CHARS
            and len(unit.target) <= MAX_SEGMENT_CHARS
        ):
            yield unit  # nearly every unit: no pair of tuples to build
            continue
        for side, text in (("source", unit.source), ("target", unit.target)):
            if len(text) > MAX_SEGMENT_CHARS:
                raise FormatError(
                    report.path,
                    None,
                    f"unit {report.read} has a {side} of {len(text):,} characters;"
                    f" tm stores segments of up to {MAX_SEGMENT_CHARS:,}",
                    hint="split the text into paragraphs or sentences first",
                )
        yield unit


def import_file(
    store: Store,
    path: str | Path,
    *,
    fmt: str | None = None,
    encoding: str | None = None,
    progress: ProgressFn | None = None,
    user: str | None = None,
    sentences: bool = True,
    terms: Callable[[], Sequence[tuple[str, Sequence[str]]] | None] | None = None,
    workers: bool | None = None,
    include_unconfirmed: bool = False,
    keep_all: bool = False,
    watch: Watch | None = None,
    on_written: OnWritten | None = None,
) -> ImportReport:
    """Import one file in one transaction: a malformed file changes nothing.

    Only confirmed translations enter (``tm.formats.status``); the report counts what
    the screen kept out. A directory is read as an OmegaT project.

    Args:
        store: the TM.
        path: the file.
        fmt: its format; detected when None.
        encoding: for text formats; detected when None.
        progress: called with the number of units read so far.
        user: who imports (default ``$TM_USER`` or the login name).
        sentences: align paragraph units into sentence units too (unless the file
            has sentence units of its own), in the same transaction.
        terms: gives the glossary terms the aligner anchors on (called only when
            there are paragraphs to align).
        workers: prepare the file in worker processes; None decides by its size.
        include_unconfirmed: take unconfirmed units as lower-status units.
        keep_all: take every unit as read (QA of a file checks drafts too).
        watch: sees every unit that passed the screen; the file is then read in
            this process.
        on_written: called with the report in the transaction, after the file's
            units are written and before alignment.

    Raises:
        FormatError: the file is unreadable or malformed (with file and line).
    """
    path = str(path)
    if os.path.isdir(path):
        fmt = "omegat"
    fmt = fmt or detect_format(path)
    if workers is None:
        workers = (
            fmt not in ("bilingual", "omegat")
            and os.path.getsize(path) >= WORKER_MIN_BYTES
        )
    if watch is not None or fmt == "omegat":
        workers = False  # a watch sees units in this process; a project is small
    reading = Reading(
        path,
        fmt,
        encoding,
        now_stamp(),
        user or default_user(),
        sentences,
        include_unconfirmed=include_unconfirmed,
        keep_all=keep_all,
    )
    job = _Job(store, reading, progress, terms, watch, on_written)
    try:
        return _import(job, workers=workers, parts=True)
    except _PartFailed as exc:
        # A part of the TMX could not be cut or did not parse alone (the whole
        # transaction rolled back, before ``on_written`` ran): read the file whole,
        # so the units and any error are the reader's own. The report starts again
        # from zero.
        log.info("%s: not read in parts (%s); reading it whole", path, exc)
        return _import(job, workers=workers, parts=False)


@dataclass(frozen=True, slots=True)
class _Job:
    """One import, as each attempt at it (see :func:`import_file`) needs it."""

    store: Store
    reading: Reading
    progress: ProgressFn | None
    terms: Callable[[], Sequence[tuple[str, Sequence[str]]] | None] | None
    watch: Watch | None
    on_written: OnWritten | None


def _import(job: _Job, *, workers: bool, parts: bool) -> ImportReport:
    store = job.store
    feed = _IndexFeed.start(store) if workers else None
    try:
        report = _import_into(job, workers=workers, parts=parts, feed=feed)
    except BaseException:
        if feed is not None:
            feed.abandon()
        raise
    if feed is not None and store.path is not None:
        feed.finish(store.data_version(), store.path)
    return report


def _import_into(
    job: _Job, *, workers: bool, parts: bool, feed: _IndexFeed | None
) -> ImportReport:
    store, reading = job.store, job.reading
    report = ImportReport(path=reading.path, format=reading.fmt)
    paragraphs: list[TranslationUnit] = []
    with store.transaction():
        prepared = _prepared(store, reading, job.watch, workers=workers, parts=parts)
        result = store.add_batches(
            _counted(prepared, report, paragraphs),
            progress=job.progress,
            on_added=feed.send if feed is not None else None,
        )
        report.added += result.added
        report.duplicates += result.duplicates
        report.occurrences_added += result.occurrences_added
        if feed is not None:
            # Alignment adds units the feed has not seen: its index would be stale.
            feed.units_sent(complete=not (paragraphs and not report.had_sentences))
        if job.on_written is not None:
            job.on_written(report)
        # A file that already has sentence units (a TM exported with both levels)
        # was segmented by its author: aligning its paragraphs again would add a
        # second, different sentence level.
        if paragraphs and not report.had_sentences:
            from tm.align import sentence_units

            anchors = job.terms() if job.terms is not None else None
            report.anchor_terms = len(anchors or ())
            aligned = sentence_units(paragraphs, terms=anchors, workers=PARSERS)
            report.sentences_added = store.add_units(aligned, user=reading.user).added
    return report


def _counted(
    prepared: Iterable[Prepared],
    report: ImportReport,
    paragraphs: list[TranslationUnit],
) -> Iterator[PreparedBatch]:
    for p in prepared:
        p.counts.add_to(report)
        if p.batch is None:
            continue
        report.had_sentences = report.had_sentences or p.sentences > 0
        paragraphs.extend(p.paragraphs)
        yield p.batch


def _prepared(
    store: Store,
    reading: Reading,
    watch: Watch | None,
    *,
    workers: bool,
    parts: bool,
) -> Iterator[Prepared]:
    """The file's units as prepared batches, from whichever reader fits."""
    if reading.fmt == "bilingual":
        from tm.formats.bilingual import doc_units, read_bilingual

        doc = read_bilingual(reading.path, encoding=reading.encoding)
        store.add_document(doc.name, doc.meta)
        return reading.prepare(list(doc_units(doc)), watch)
    if not workers:
        return reading.units(watch)
    cut = tmx_cut(reading.path) if reading.fmt == "tmx" and parts else None
    if cut is not None:
        return _parsed_in_parts(reading, cut)
    return _streamed(reading)


def prepare_units(
    units: Iterable[TranslationUnit],
    stamp: str,
    user: str,
    keep_paragraphs: bool,
    report: ImportReport | None = None,
) -> Iterator[Prepared]:
    """Units as prepared batches, counting sentence units and keeping paragraphs.

    ``report``: where the reader and the screen count as ``units`` are drawn; each
    batch takes the counts made since the previous one, and a last :class:`Prepared`
    without a batch takes what was counted after the last batch (all of it, when the
    screen kept every unit out).
    """
    counted: list[TranslationUnit] = []
    local = report if report is not None else ImportReport(path="", format="")

    def tally(units: Iterable[TranslationUnit]) -> Iterator[TranslationUnit]:
        for u in units:
            counted.append(u)
            if report is None:
                local.read += 1
            yield u

    for batch in prepare_batches(tally(units), stamp=stamp, user=user, size=BATCH):
        seg = [str(u.segtype) for u in counted]
        yield Prepared(
            batch,
            Counts.take(local),
            sentences=seg.count(SegType.SENTENCE),
            paragraphs=[u for u in counted if u.segtype == SegType.PARAGRAPH]
            if keep_paragraphs
            else [],
        )
        counted.clear()
    rest = Counts.take(local)
    if rest:
        yield Prepared(None, rest)


# -- a TMX in parts ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Part:
    """Bytes ``start:end`` of a TMX file: whole ``<tu>`` elements, the first of
    which is the file's ``first_index``-th."""

    start: int
    end: int
    first_index: int


@dataclass(frozen=True, slots=True)
class TMXParts:
    """A TMX cut into parts that parse on their own between ``prolog`` and ``epilog``
    (the file's bytes before the first part and after the last)."""

    prolog: bytes
    epilog: bytes
    parts: tuple[Part, ...]


@dataclass(frozen=True, slots=True)
class TMXCut:
    """:class:`TMXParts` whose parts are cut as they are drawn (see :func:`tmx_cut`);
    the iterator raises :class:`_PartFailed` at a part that cannot be cut."""

    prolog: bytes
    epilog: bytes
    parts: Iterator[Part]


# The file's start and end are read whole to find <body> and </body>.
HEAD_BYTES = TAIL_BYTES = 64 * 1024


def tmx_parts(path: str, size: int | None = None) -> TMXParts | None:
    """Where to cut the TMX at ``path`` into parts of about ``size`` bytes (all of
    them: the file is read once, a part at a time).

    None when it cannot be cut safely: not UTF-8, no ``<body>`` near the start or
    ``</body>`` near the end, or comments, CDATA sections or processing instructions
    in the body (which may hide a ``<tu``), or when it is too small to be worth it.
    """
    cut = tmx_cut(path, size)
    if cut is None:
        return None
    try:
        return TMXParts(cut.prolog, cut.epilog, tuple(cut.parts))
    except _PartFailed:
        return None


def tmx_cut(path: str, size: int | None = None) -> TMXCut | None:
    """:func:`tmx_parts` with the parts cut as they are drawn, so the first ones
    are parsed while the rest of the file is cut; None as there, except that a body
    which may hide a ``<tu`` is only found at the part that holds it (the iterator
    then raises :class:`_PartFailed`)."""
    size = size or PART_BYTES
    with open(path, "rb") as fh:
        total = os.fstat(fh.fileno()).st_size
        if total < 2 * size:
            return None
        head = fh.read(HEAD_BYTES)
        fh.seek(max(0, total - TAIL_BYTES))
        tail_at = fh.tell()
        tail = fh.read()
    first = _first_tu(head)
    ends = list(_BODY_END.finditer(tail))
    if first is None or not ends:
        return None
    epilog = tail_at + ends[-1].start()
    parts = _cut(path, first, epilog, size)
    return TMXCut(head[:first], tail[epilog - tail_at :], parts)


def _first_tu(head: bytes) -> int | None:
    """Where the first ``<tu`` of the body starts, if the head says the file is UTF-8."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:200]:
        return None  # UTF-16: bytes like b"<tu" do not appear as such
    declared = _DECLARED.match(head.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii"):
        return None
    body = _BODY_START.search(head)
    if body is None:
        return None
    body_end = head.find(b">", body.start())
    first = _TU_START.search(head, body_end)
    if first is None or _UNSAFE.search(head, body_end, first.start()):
        return None
    return first.start()


def _cut(path: str, start: int, epilog: int, size: int) -> Iterator[Part]:
    """Parts of about ``size`` bytes from ``start`` to ``epilog``, each ending where a
    ``<tu`` starts, read as they are drawn.

    Raises:
        _PartFailed: a part holds something that may hide a ``<tu``.
    """
    index = 0
    with open(path, "rb") as fh:
        while start < epilog:
            fh.seek(start)
            data = fh.read(min(size, epilog - start))
            cut = None
            while cut is None and start + len(data) < epilog:
                more = fh.read(min(size, epilog - start - len(data)))
                # A <tu just past the part's end (or inside a long unit): read on.
                cut = _TU_START.search(data + more, max(size, len(data) - 64))
                data += more
            end = start + (cut.start() if cut else len(data))
            part = data[: end - start]
            if _UNSAFE.search(part):
                raise _PartFailed(
                    "a comment, CDATA section or processing instruction in the body"
                )
            yield Part(start, end, index)
            index += len(_TU_START.findall(part))  # a list: no match objects
            start = end


@dataclass(frozen=True, slots=True)
class _PartJob:
    reading: Reading
    prolog: bytes
    epilog: bytes
    part: Part
    # The plain TMX fast path is on (``tm.fastpath`` switches are per process).
    plain: bool = True


class _PartFailed(Exception):
    """A part did not parse alone; the file is then read whole, which says why."""


def _parse_part(job: _PartJob) -> list[Prepared] | str:
    """Worker: one part's prepared batches (or why it failed, as text)."""
    import io

    from tm.formats.tmx import iter_tmx, plain_units

    path = job.reading.path
    try:
        with open(path, "rb") as fh:
            fh.seek(job.part.start)
            doc = b"".join(
                (job.prolog, fh.read(job.part.end - job.part.start), job.epilog)
            )
        name = os.path.basename(path)
        first = job.part.first_index
        plain = plain_units(doc, name, first_index=first) if job.plain else None
        units: Iterable[TranslationUnit] = (
            plain
            if plain is not None
            else iter_tmx(io.BytesIO(doc), name=name, first_index=first)
        )
        return list(job.reading.prepare(units))
    except (TMError, OSError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"


def _parsed_in_parts(reading: Reading, cut: TMXCut) -> Iterator[Prepared]:
    """The parts' batches in file order, parsed ``PARSERS`` at a time, ``AHEAD`` ahead.

    Raises:
        _PartFailed: a part could not be cut or did not parse alone (see
            :func:`import_file`).
    """
    from tm.formats.tmx import PLAIN_TMX

    plain = fastpath.on(PLAIN_TMX)
    jobs = (_PartJob(reading, cut.prolog, cut.epilog, p, plain) for p in cut.parts)
    for result in ordered_map(_parse_part, jobs, workers=PARSERS, ahead=AHEAD):
        if isinstance(result, str):
            raise _PartFailed(result)
        yield from result


# -- any other format, streamed from one worker --------------------------------------


def _stream_worker(reading: Reading, out: Any) -> None:
    """Worker: put the file's prepared batches on ``out``, then ``None`` (or an error)."""
    exit_with_parent()
    try:
        for prepared in reading.units():
            out.put(prepared)
        out.put(None)
    except FormatError as exc:
        out.put(("format", exc.path, exc.line, exc.detail, exc.hint))
    except TMError as exc:
        out.put(("tm", type(exc).__name__, exc.msg, exc.hint))
    except Exception as exc:  # reported to the writer, which raises it there
        out.put(("other", type(exc).__name__, str(exc), None))


def _streamed(reading: Reading) -> Iterator[Prepared]:
    out = SPAWN.Queue(maxsize=AHEAD)
    proc = SPAWN.Process(target=_stream_worker, args=(reading, out), daemon=True)
    proc.start()
    try:
        while True:
            item = out.get()
            if item is None:
                return
            if isinstance(item, tuple):
                raise _rebuilt(item)
            yield item
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()


def _rebuilt(item: tuple[Any, ...]) -> Exception:
    """The worker's error, as the reader raised it."""
    kind = item[0]
    if kind == "format":
        return FormatError(item[1], item[2], item[3], hint=item[4])
    import tm.errors

    cls = getattr(tm.errors, item[1], None) if kind == "tm" else None
    if isinstance(cls, type) and issubclass(cls, TMError):
        return cls(item[2], hint=item[3])
    return RuntimeError(f"{item[1]}: {item[2]}")


# -- the match index, from the units as they are written ---------------------------

# Feeds still building after their import returned, by database path.
_FEEDS: dict[str, Any] = {}


class _IndexFeed:
    """A process that builds the source-side match index of a new file TM from the
    units the import writes, while it writes, and caches it once the import commits
    (the import returns meanwhile: :func:`cache_match_index`, which ``tm import``
    calls next, waits for it).

    The import into an empty file TM sends each batch's new ids and source keys; the
    process folds them into the matcher's code strings and numbers their q-grams as
    they come (:class:`tm.match_index.IndexBuilder`, in the time the parsers and the
    writer leave). Once the file's units are written it sorts them into the index and
    writes it beside the TM while the import commits; after the commit it puts the
    file in place if the store's data version says the TM holds exactly the units it
    was sent (alignment, or another writer, adding units makes it drop them: ``tm
    import`` then builds the index from the store as before, see
    :func:`cache_match_index`).
    """

    def __init__(self, out: Any, proc: Any, db_path: str) -> None:
        self._out = out
        self._proc = proc
        self._db_path = db_path
        self._abandoned = False

    @classmethod
    def start(cls, store: Store) -> _IndexFeed | None:
        """A feed for an import into ``store``, or None: not an empty file TM."""
        if store.path is None or store.count_units() > 0:
            return None
        receive, out = SPAWN.Pipe(duplex=False)
        # Not a daemon: a caller that ends before cache_match_index still waits
        # for the cache to be written (multiprocessing joins it at exit).
        proc = SPAWN.Process(
            target=_fed_index, args=(receive, store.path, INDEX_MEMORY_UNITS)
        )
        proc.start()
        receive.close()
        return cls(out, proc, store.path)

    def send(self, ids: list[int], rows: list[tuple[Any, ...]]) -> None:
        if self._abandoned:
            return
        try:
            self._out.send((ids, [r[SOURCE_KEY] for r in rows]))
        except OSError as exc:  # it died: the build after the import makes the index
            log.info("the match index feed ended early: %s", exc)
            self.abandon()

    def units_sent(self, *, complete: bool) -> None:
        """Every unit of the file was sent: the process sorts them into the index
        while the import commits. ``complete`` False: the import adds units the
        feed does not see (alignment), so the feed is abandoned."""
        if not complete:
            self.abandon()
            return
        try:
            self._out.send(_UNITS_SENT)
        except OSError as exc:  # it ended: the first look-up builds the index
            log.info("the match index feed ended early: %s", exc)

    def finish(self, version: str, db_path: str) -> None:
        """Let the process cache the index (if the TM is at ``version``) while the
        caller goes on; :func:`cache_match_index` waits for it."""
        if self._abandoned:
            return
        try:
            self._out.send(version)
        except OSError as exc:  # it ended: the first look-up builds the index
            log.info("the match index feed ended early: %s", exc)
        self._out.close()
        _FEEDS[db_path] = (self._proc, version)

    @staticmethod
    def wait(db_path: str) -> str | None:
        """Wait for the index a feed builds for the TM at ``db_path``, if any; the
        data version it cached the index for (None: it cached none)."""
        proc, version = _FEEDS.pop(db_path, (None, None))
        if proc is None:
            return None
        proc.join()
        return version if proc.exitcode == 0 else None

    def abandon(self) -> None:
        if self._abandoned:
            return
        self._abandoned = True
        self._out.close()
        self._proc.terminate()
        self._proc.join()
        # Ended while the commit was awaited: the index it staged goes too.
        from tm.match_index import cache_path, staging_path

        staged = staging_path(cache_path(self._db_path, "source"), self._proc.pid)
        with contextlib.suppress(OSError):
            staged.unlink()


# The feed, or the build after an import, holds the index in memory up to this many
# units (175 MB at 150k on the benchmark's TMX: about 1 KB a unit), and builds it
# on disk past them (tm.match_index_disk).
INDEX_MEMORY_UNITS = 150_000
# What the import sends the feed after the file's last units (see units_sent).
_UNITS_SENT = "units sent"
# The feed's exit code when it did not cache the index.
_NOT_CACHED = 3


def _fed_index(receive: Any, db_path: str, in_memory: int) -> None:
    """Worker of :class:`_IndexFeed`: ids and keys until the data version (or EOF);
    past ``in_memory`` units the index is built on disk."""
    import signal

    # Ctrl+C reaches the whole process group: the import abandons this process
    # itself (a KeyboardInterrupt here would print a traceback under "Interrupted.").
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent()
    numpy_defaults()
    from tm.match import SourceIndexBuild, stage_source_index

    build: SourceIndexBuild | None = SourceIndexBuild(db_path, in_memory)
    staged = None
    last_id = 0
    items = _drained(receive)
    while True:
        item = items.get()
        if item is None:  # the import failed or was abandoned
            if staged is not None:
                staged[1].discard()
            sys.exit(_NOT_CACHED)
        if item == _UNITS_SENT:
            # Sorted and written while the import commits; put in place only if
            # the TM then holds exactly these units.
            if build is not None:
                staged = stage_source_index(build, last_id)
        elif isinstance(item, str):  # the data version, once the import committed
            if staged is not None:
                version, index_file = staged
                if item == version and index_file.publish():
                    end_now(0)  # cached (see _IndexFeed.wait)
                index_file.discard()
            sys.exit(_NOT_CACHED)
        elif build is not None:
            ids, keys = item
            try:
                build.add(ids, keys)
            except OSError as exc:  # a full disk: the build after the import tries
                log.info("the match index feed stopped building: %s", exc)
                build = None  # what comes is still read, so the import goes on
            last_id = max(last_id, *ids)


def _drained(receive: Any) -> queue.SimpleQueue[Any]:
    """What the import sends, read off the pipe by a thread as soon as it comes
    (None at the end of the pipe).

    A batch's keys are more than a pipe holds: read only between two batches'
    work, each send would hold the writer until this process had folded and
    counted the batch before it.
    """
    items: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def drain() -> None:
        while True:
            try:
                item = receive.recv()
            except EOFError:
                items.put(None)
                return
            items.put(item)
            if isinstance(item, str) and item != _UNITS_SENT:
                return  # the data version: the last thing sent

    threading.Thread(target=drain, name="tm-index-feed", daemon=True).start()
    return items


# -- after an import -----------------------------------------------------------------


def cache_match_index(store: Store) -> None:
    """Build the source-side match index of a file TM and cache it beside the file,
    in a separate process (the build needs several times the memory of an import).

    Only for a TM large enough for the matcher to cache its index; a failure only
    costs the first look-up the build.
    """
    if store.path is None:
        return
    fed = _IndexFeed.wait(store.path)
    if fed is not None and fed == store.data_version():
        # What index_is_cached would say, without importing the matcher (numpy,
        # rapidfuzz: 0.15-0.2 s of CPU at the end of every import).
        return
    from tm.match import CACHE_MIN_UNITS, index_is_cached

    if store.count_units() < CACHE_MIN_UNITS or index_is_cached(store):
        return  # small, or the import built it (see _IndexFeed)
    proc = SPAWN.Process(target=_build_index, args=(store.path, INDEX_MEMORY_UNITS))
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        log.info("the match index was not cached (exit code %s)", proc.exitcode)


def _build_index(path: str, in_memory: int) -> None:
    exit_with_parent()
    numpy_defaults()
    from tm.match import cache_source_index
    from tm.store import open_store

    with open_store(path, readonly=True) as store:
        cache_source_index(store, in_memory)
    end_now(0)
