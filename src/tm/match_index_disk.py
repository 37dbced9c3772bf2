"""The match index cache of a large TM, built with its grams and texts on disk.

An import's feed (:mod:`tm.importer`) builds the index of the units it writes with an
:class:`~tm.match_index.IndexBuilder`, which holds every unit's texts and numbered
grams in memory: about 1 KB a unit, over 1 GB at a million. Past
``tm.importer.INDEX_MEMORY_UNITS`` units the feed (and the build from the store after
any other import, :func:`tm.match.cache_source_index`) hands them to a
:class:`DiskIndexBuilder`, which keeps a few numbers a unit in memory and the rest in
temporary files beside the TM, and writes the cache file from them (the same file,
which look-ups load as before):

* each unit's numbered grams go to one of a few files by key range, with the unit's
  number in arrival order; the ranges are cut at quantiles of the grams of the units
  handed over;
* its code string and key go to two text files, the texts of some thousands of units
  at a time grouped by the code string's length, so that reading the groups back length by length, each length's
  in arrival order, gives the texts in the index's order (stable by length).

Writing the file sorts one key range at a time (each gram's position in length order
is known by then) and writes its postings on: every posting of one gram is sorted
together, so the lists are those of :meth:`~tm.match_index.IndexBuilder.finish`.
The temporary files are unlinked when created: they go when the process does.
"""

from __future__ import annotations

import logging
import os
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

import numpy as np

from tm.match_index import (
    CACHE_FORMAT,
    IndexBuilder,
    StagedIndex,
    _Chars,
    _chunk_grams,
    _joined,
    _lengths,
    _postings,
    _remove_orphans,
    _stripped_hashes,
    npy_member,
    staging_path,
    write_arrays,
)

log = logging.getLogger(__name__)

# Key ranges the grams are spilled to.
RANGES = 32
# Grams sorted at a time when the cache is written: a range holding more is cut again
# (at 16 bytes a gram with the positions, about 32 MB and the sort's temporaries).
SORT_MAX = 1 << 21
# Values read from a spill file at a time when a range is cut or a member copied.
_READ = 1 << 19
# Units whose grams are numbered at a time when the in-memory builder hands over.
_ADD_CHUNK = 20_000
# Units whose texts are grouped by length at a time: the fewer groups, the fewer
# reads when the cache is written.
_TEXTS_HELD = 16_384
# Bytes of text written to the cache at a time.
_WRITE_BYTES = 1 << 20


class DiskIndexBuilder:
    """An :class:`~tm.match_index.IndexBuilder` for many units: only ids, lengths and
    hashes stay in memory. :meth:`stage` writes the cache file and is the only way
    out: the index itself is never held."""

    def __init__(self, directory: Path) -> None:
        """Spill to ``directory``; :meth:`take_over` gives the first units.

        Raises:
            OSError: the temporary files could not be created there.
        """
        self._dir = directory
        self._bounds = np.empty(0, dtype=np.int64)
        self._grams = [_spill_file(directory) for _ in range(RANGES)]
        self._owners = [_spill_file(directory) for _ in range(RANGES)]
        self._counts = np.zeros(RANGES, dtype=np.int64)
        self._codes = _SpilledTexts(directory)
        self._keys = _SpilledTexts(directory)
        self._ids: list[np.ndarray] = []
        self._lens: list[np.ndarray] = []
        self._stripped: list[np.ndarray] = []
        self._chars = _Chars()
        self._n = 0

    def take_over(self, builder: IndexBuilder) -> None:
        """Add what ``builder`` holds (it is emptied), before any other unit: the key
        ranges are cut at quantiles of its grams.

        Raises:
            ValueError: units were added already, or ``builder`` was given no keys.
            OSError: a temporary file could not be written.
        """
        if self._n:
            raise ValueError("units were added already")
        ids, codes, keys, grams = builder.handed_over()
        if keys is None:
            raise ValueError("the disk build needs each unit's key")
        self._bounds = _range_bounds(grams, RANGES)
        del grams
        for start in range(0, len(codes), _ADD_CHUNK):
            end = start + _ADD_CHUNK
            self.add(ids[start:end].tolist(), codes[start:end], keys[start:end])

    def __len__(self) -> int:
        return self._n

    def add(
        self, ids: Sequence[int], codes: Sequence[str], keys: Sequence[str]
    ) -> None:
        """Add units: their ids, code strings and match keys.

        Raises:
            OSError: a temporary file could not be written.
        """
        if not len(ids) == len(codes) == len(keys):
            raise ValueError("ids, codes and keys of different lengths")
        lens = _lengths(codes)
        grams, owners = _chunk_grams(list(codes), self._n, lens)
        self._chars.add(grams)
        self._spill_grams(grams, owners)
        self._codes.add(codes, lens)
        self._keys.add(keys, lens)
        self._ids.append(np.asarray(ids, dtype=np.int64))
        self._lens.append(lens.astype(np.int32))
        self._stripped.append(_stripped_hashes(keys))
        self._n += len(codes)

    def _spill_grams(self, grams: np.ndarray, owners: np.ndarray) -> None:
        which = np.searchsorted(self._bounds, grams, side="right").astype(np.uint8)
        order = np.argsort(which, kind="stable")  # a radix sort: 8-bit values
        counts = np.bincount(which, minlength=len(self._counts))
        grams, owners = grams[order], owners[order]
        at = 0
        for r, count in enumerate(counts.tolist()):
            if count:
                self._grams[r].write(grams[at : at + count].data)
                self._owners[r].write(owners[at : at + count].data)
                at += count
        self._counts += counts

    def stage(self, path: Path, stamp: str) -> StagedIndex | None:
        """Write the index of every unit added to a temporary file beside ``path``,
        tagged with ``stamp`` (flushed to disk), as
        :func:`~tm.match_index.stage_index` writes it; None when it was not written.
        The builder is closed.
        """
        try:
            self._codes.flush()
            self._keys.flush()
            if not (self._codes.joinable and self._keys.joinable):
                # A text holding U+0000, which the cache joins texts with here
                # (a file the XML formats cannot hold): left to the first look-up.
                log.info("the match index is left to the first look-up (unusual texts)")
                return None
            return self._staged(path, stamp)
        finally:
            self.close()

    def close(self) -> None:
        """Close (and so remove) the temporary files."""
        for fh in (*self._grams, *self._owners):
            fh.close()
        self._codes.close()
        self._keys.close()

    def _staged(self, path: Path, stamp: str) -> StagedIndex | None:
        _remove_orphans(path)
        tmp = staging_path(path, os.getpid())
        try:
            with open(tmp, "wb") as fh:
                with zipfile.ZipFile(
                    fh, mode="w", compression=zipfile.ZIP_STORED
                ) as zf:
                    self._write(zf, stamp)
                fh.flush()
                os.fsync(fh.fileno())  # else a crash can leave a renamed, empty file
        except OSError as exc:
            log.info("index not cached at %s: %s", path, exc)
            tmp.unlink(missing_ok=True)
            return None
        return StagedIndex(tmp, path)

    def _write(self, zf: zipfile.ZipFile, stamp: str) -> None:
        lens = _joined(self._lens, np.int32)
        order = np.argsort(lens, kind="stable")
        position = np.empty(self._n, dtype=np.int32)
        position[order] = np.arange(self._n, dtype=np.int32)
        write_arrays(
            zf,
            {
                "ids": _joined(self._ids, np.int64)[order],
                "lens": lens[order],
                "stripped": _joined(self._stripped, np.int64)[order],
                "stamp": np.array([CACHE_FORMAT + "|" + stamp]),
            },
        )
        del lens, order
        # Gram keys and list offsets are as many as the distinct numbered grams
        # (883k at 977k units): they wait on disk while the postings are written.
        with _spill_file(self._dir) as gram_keys, _spill_file(self._dir) as offsets:
            lists = self._write_postings(zf, position, gram_keys, offsets)
            _copy_member(zf, "gram_keys", gram_keys, np.int64, lists)
            _copy_member(zf, "offsets", offsets, np.int64, lists + 1)
        self._codes.write(zf, "codes")
        self._keys.write(zf, "keys")

    def _write_postings(
        self,
        zf: zipfile.ZipFile,
        position: np.ndarray,
        gram_keys: IO[bytes],
        offsets: IO[bytes],
    ) -> int:
        """Write the postings, a key range at a time, their gram keys and list
        offsets to ``gram_keys`` and ``offsets``; the number of lists."""
        total = int(self._counts.sum())
        at = 0
        lists = 0
        with npy_member(zf, "postings", np.int32, (total,)) as member:
            for r, count in enumerate(self._counts.tolist()):
                for keys, owners in _range_parts(
                    self._grams[r], self._owners[r], count
                ):
                    pos = position[owners]
                    del owners
                    uniq, starts, postings = _postings(keys, pos, self._n, self._chars)
                    member.write(postings.data)
                    gram_keys.write(uniq.data)
                    offsets.write((starts[:-1] + at).data)
                    at += len(postings)
                    lists += len(uniq)
        offsets.write(np.array([at], dtype=np.int64).data)
        return lists


def moved_to_disk(
    builder: IndexBuilder, directory: Path
) -> IndexBuilder | DiskIndexBuilder:
    """``builder``'s units, in a disk builder spilling to ``directory`` (or ``builder``
    itself, when no file can be created there).

    Raises:
        OSError: a file created could not be written.
    """
    try:
        disk = DiskIndexBuilder(directory)
    except OSError as exc:
        log.info("the match index is built in memory: %s", exc)
        return builder
    disk.take_over(builder)
    return disk


def _spill_file(directory: Path) -> IO[bytes]:
    return tempfile.TemporaryFile(dir=directory, prefix=".tm-index-", buffering=1 << 16)


def _copy_member(
    zf: zipfile.ZipFile, name: str, fh: IO[bytes], dtype: type, count: int
) -> None:
    """``count`` values of ``dtype`` written to ``fh``, as the member ``name``."""
    with npy_member(zf, name, dtype, (count,)) as member:
        for start in range(0, count, _READ):
            member.write(_read(fh, dtype, start, min(_READ, count - start)).data)


def _range_bounds(sample: np.ndarray, ranges: int) -> np.ndarray:
    """Keys cutting ``sample`` into ``ranges`` parts of about one size (fewer when it
    holds fewer distinct keys): a key k is in part ``searchsorted(bounds, k, "right")``."""
    if not len(sample):
        return np.empty(0, dtype=np.int64)
    ordered = np.sort(sample[:: max(1, len(sample) // (ranges * 1024))])
    cuts = ordered[(len(ordered) * np.arange(1, ranges)) // ranges]
    return np.unique(cuts)


def _range_parts(
    grams: IO[bytes], owners: IO[bytes], count: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """A spilled range's grams and owners, in parts of at most :data:`SORT_MAX` grams
    each holding every gram of its keys (one key with more is a part of its own)."""
    if not count:
        return
    if count <= SORT_MAX:
        yield _read(grams, np.int64, 0, count), _read(owners, np.int32, 0, count)
        return
    # Too many to sort at once: cut again at quantiles of a sample, and read the
    # range once a part, keeping that part's grams.
    step = max(1, count // (SORT_MAX // 8))
    sample = np.concatenate(
        [chunk[::step] for chunk, _ in _chunks(grams, owners, count, keys_only=True)]
    )
    bounds = _range_bounds(sample, -(-count // SORT_MAX) * 2)
    del sample
    lows = [None, *bounds.tolist()]
    highs = [*bounds.tolist(), None]
    for low, high in zip(lows, highs, strict=True):
        kept_keys: list[np.ndarray] = []
        kept_owners: list[np.ndarray] = []
        for keys, own in _chunks(grams, owners, count):
            keep = np.ones(len(keys), dtype=bool)
            if low is not None:
                keep &= keys >= low
            if high is not None:
                keep &= keys < high
            kept_keys.append(keys[keep])
            kept_owners.append(own[keep])
        yield _joined(kept_keys, np.int64), _joined(kept_owners, np.int32)


def _chunks(
    grams: IO[bytes], owners: IO[bytes], count: int, *, keys_only: bool = False
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    empty = np.empty(0, dtype=np.int32)
    for start in range(0, count, _READ):
        n = min(_READ, count - start)
        keys = _read(grams, np.int64, start, n)
        yield keys, (empty if keys_only else _read(owners, np.int32, start, n))


def _read(fh: IO[bytes], dtype: type, start: int, count: int) -> np.ndarray:
    """``count`` values of ``dtype`` from ``fh``, from the ``start``-th on."""
    fh.flush()
    out: np.ndarray = np.empty(count, dtype=dtype)
    fh.seek(start * out.itemsize)
    view = out.data.cast("B")
    got = 0
    while got < len(view):
        n = fh.readinto(view[got:])  # type: ignore[attr-defined]
        if not n:
            raise OSError(f"a spill file ended early ({got} of {len(view)} bytes)")
        got += n
    return out


class _SpilledTexts:
    """Texts written to a file as they come, read back in the index's order.

    The texts of :data:`_TEXTS_HELD` units at a time are grouped by their unit's code
    length and each group written joined by U+0000 in UTF-16; a record per group
    (length, offset, bytes) lets :meth:`write` read the groups length by length.
    """

    def __init__(self, directory: Path) -> None:
        self._file = _spill_file(directory)
        self._end = 0
        self._held: list[str] = []
        self._held_lens: list[np.ndarray] = []
        self._lengths: list[np.ndarray] = []
        self._offsets: list[np.ndarray] = []
        self._sizes: list[np.ndarray] = []
        self.ascii = True
        # False once a text holds U+0000, which joins them in the cache.
        self.joinable = True

    def add(self, texts: Sequence[str], lens: np.ndarray) -> None:
        self._held += texts
        self._held_lens.append(lens)
        if len(self._held) >= _TEXTS_HELD:
            self.flush()

    def flush(self) -> None:
        """Write the texts held."""
        texts, self._held = self._held, []
        lens = _joined(self._held_lens, np.int64)
        if not self.joinable or not texts:
            return
        order = np.argsort(lens, kind="stable")
        grouped = lens[order]
        starts = np.flatnonzero(np.concatenate(([True], grouped[1:] != grouped[:-1])))
        ends = [*starts[1:].tolist(), len(order)]
        picked = order.tolist()
        offsets, sizes = [], []
        for start, end in zip(starts.tolist(), ends, strict=True):
            joined = "\x00".join([texts[i] for i in picked[start:end]])
            if joined.count("\x00") != end - start - 1:
                self.joinable = False
                return
            self.ascii = self.ascii and joined.isascii()
            data = joined.encode("utf-16-le")
            self._file.write(data)
            offsets.append(self._end)
            sizes.append(len(data))
            self._end += len(data)
        self._lengths.append(grouped[starts])
        self._offsets.append(np.array(offsets, dtype=np.int64))
        self._sizes.append(np.array(sizes, dtype=np.int64))

    def close(self) -> None:
        self._file.close()

    def write(self, zf: zipfile.ZipFile, name: str) -> None:
        """The texts in the index's order as :func:`tm.match_index._texts` stores
        them: joined by U+0000, in UTF-16 unless all are ASCII."""
        self.flush()
        self._file.flush()
        fd = self._file.fileno()
        order = np.argsort(_joined(self._lengths, np.int64), kind="stable")
        offsets = _joined(self._offsets, np.int64)[order]
        sizes = _joined(self._sizes, np.int64)[order]
        width = 1 if self.ascii else 2
        total = (int(sizes.sum()) + 2 * max(len(sizes) - 1, 0)) // 2 * width
        sep = b"\x00" * width
        with npy_member(zf, name, np.uint8, (total,)) as member:
            pieces: list[bytes] = []
            held = 0
            for offset, size in zip(offsets.tolist(), sizes.tolist(), strict=True):
                data = os.pread(fd, size, offset)
                if len(data) != size:
                    raise OSError(f"a spill file ended early ({name})")
                pieces.append(data[::2] if self.ascii else data)
                held += size
                if held >= _WRITE_BYTES:  # few writes: each costs a CRC call
                    member.write(sep.join(pieces) + sep)
                    pieces, held = [], 0
            member.write(sep.join(pieces))
        write_arrays(
            zf,
            {
                f"{name}_utf16": np.array([not self.ascii]),
                f"{name}_sep": np.array([0], dtype=np.int32),
            },
        )
