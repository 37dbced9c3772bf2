"""The Store protocol both backends implement, and the value types it returns.

Matching, terms, QA and the service type against :class:`Store` only, never a
backend class. Every method may raise :class:`~tm.errors.StoreError` when the
database fails (unreachable, locked past the wait, full disk, corrupt, closed
store); the docstrings name only the other errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from tm.models import Occurrence, SegmentState, TranslationUnit
from tm.store.rows import PreparedBatch

Progress = Callable[[int], None]
# Told the ids and rows of the units a batch added (see Store.add_batches).
Added = Callable[[list[int], list[tuple[Any, ...]]], None]


@dataclass(frozen=True, slots=True)
class AddResult:
    """What one :meth:`Store.add_units` call stored.

    Attributes:
        added: new units.
        duplicates: units read that the TM already had (or that came twice).
        occurrences_added: new (document, position) records, duplicates' included.
    """

    added: int = 0
    duplicates: int = 0
    occurrences_added: int = 0


@dataclass(frozen=True, slots=True)
class KeyRow:
    """What the matcher's index needs of a unit: id, key and how to filter it."""

    id: int
    key: str
    source_lang: str
    target_lang: str
    segtype: str


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """What ``tm db info`` shows.

    Attributes:
        backend: ``sqlite`` or ``postgresql``.
        location: the TM's file or URL (without a password).
        schema_version: how many migrations the database has had.
        migrations: their names, in order.
        extra: backend details (versions, sizes, journal mode, locale).
    """

    backend: str
    location: str
    schema_version: int
    migrations: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Store(Protocol):
    """A translation memory: units, where they occur, and the QA marks on them.

    Units are deduplicated on (source, target, source language, target language,
    segtype); ids grow in the order units were first stored. Open one with
    :func:`tm.store.open_store`; close it (or use it as a context manager) when done.
    A store may be read from several threads while one of them writes; readers see
    committed data only.

    Attributes:
        backend: ``sqlite`` or ``postgresql``.
        location: where the TM is, for people: a file path (``:memory:``) or a
            ``postgresql://user@host:port/db`` URL without the password.
        path: the database file, beside which side-car files (index caches, models,
            project TMs) go; None when the TM is not a file (a server, or memory).
        url: what :func:`tm.store.open_store` takes to open this TM again, in another
            process (a worker); it may carry a password, so show ``location`` instead.
        readonly: opened for reading only: every write raises StoreError.
    """

    backend: str
    location: str
    path: str | None
    url: str
    readonly: bool

    # -- writing ----------------------------------------------------------------------

    def transaction(self) -> AbstractContextManager[None]:
        """A write transaction: everything written inside commits together or not at all.

        Nested calls join the outer transaction. Writers to one TM take turns (SQLite
        has one writer; PostgreSQL writers queue on an advisory lock at their first
        write), so concurrent imports never deadlock and none is lost.

        Raises:
            StoreError: the store is read-only, or the database failed; whatever the
                block wrote is rolled back, and an exception the block raised passes
                through unchanged after the rollback.
        """
        ...

    def add_units(
        self,
        units: Iterable[TranslationUnit],
        *,
        batch_size: int = 1000,
        progress: Progress | None = None,
        user: str | None = None,
    ) -> AddResult:
        """Store units that are new and every occurrence they carry, in one transaction.

        A unit already in the TM is not stored again; its occurrences are linked to
        the stored unit. Documents named by occurrences are created as needed.
        Missing ``created_at``/``created_by`` are filled with the time and ``user``
        (default ``$TM_USER`` or the login name); a unit without a tuid reads back
        with its id as tuid.

        Args:
            units: any iterable; it is consumed once, lazily.
            batch_size: units per round trip to the database (a tuning knob).
            progress: called with the number of units read so far, per batch.
            user: who is importing.

        Returns:
            The counts of what was added.

        Raises:
            Whatever ``units`` raises (a FormatError from a reader): nothing of the
            call is kept.
        """
        ...

    def add_batches(
        self,
        batches: Iterable[PreparedBatch],
        *,
        progress: Progress | None = None,
        on_added: Added | None = None,
    ) -> AddResult:
        """:meth:`add_units` for units already prepared as rows (``prepare_batches``),
        as an import's worker process sends them; one transaction, the same result.

        Args:
            batches: consumed once, lazily; may raise part-way (nothing is kept).
            progress: called with the number of units written so far, per batch.
            on_added: called per batch with the ids and rows of the units it added
                (in id order), before the transaction commits.
        """
        ...

    def add_document(self, name: str, meta: dict[str, str] | None = None) -> int:
        """The id of the document called ``name``, creating it when new.

        ``meta`` (header fields: title, date…) is merged into what the document had.
        """
        ...

    def set_target(self, unit_id: int, target: str, *, user: str | None = None) -> None:
        """Replace a unit's target (a reviewer's fix), stamping changed_at/changed_by.

        Counted by :meth:`edit_version`, so indexes of target keys rebuild.

        Raises:
            NotFound: no unit with that id.
            StoreError: the TM already has a unit with this source and the new target.
        """
        ...

    def set_mark(
        self, fingerprint: str, check: str, note: str = "", user: str | None = None
    ) -> None:
        """Mark a QA finding (by its fingerprint) as a false positive; a second mark
        replaces the note."""
        ...

    def clear_mark(self, fingerprint: str) -> None:
        """Remove a false-positive mark (nothing happens when there is none)."""
        ...

    def set_props(self, unit_id: int, props: tuple[tuple[str, str], ...]) -> None:
        """Replace a unit's props (a status change: text and dates stay as they are).

        Raises:
            NotFound: no unit with that id.
        """
        ...

    # -- replacing an occurrence's unit, and a project's segment states ---------------

    def remove_occurrence(self, unit_id: int, document: str, position: int) -> int:
        """Forget that unit ``unit_id`` occurs at ``position`` of ``document``; returns
        how many occurrence rows went (0 when it was not recorded there)."""
        ...

    def delete_orphans(self, ids: Iterable[int]) -> int:
        """Delete those of the units ``ids`` that no longer occur anywhere; returns how
        many were deleted."""
        ...

    def segment_states(self, document: str) -> list[SegmentState]:
        """The stored states of ``document``'s segments, by position."""
        ...

    def save_segment_states(
        self, states: Iterable[SegmentState], *, user: str | None = None
    ) -> None:
        """Write segment states (replacing those at the same document and position);
        ``changed_at``/``changed_by`` are stamped now unless a state carries them."""
        ...

    def migrate(self) -> list[str]:
        """Bring the schema up to date; returns the names of the migrations applied.

        Opening a store for writing already does this; an up-to-date database takes
        no write lock.

        Raises:
            StoreError: the database was written by a newer tm.
        """
        ...

    # -- reading ----------------------------------------------------------------------

    def iter_units(
        self,
        *,
        segtype: str | None = None,
        source_lang: str | None = None,
        all_occurrences: bool = False,
        after: int = 0,
        upto: int | None = None,
    ) -> Iterator[TranslationUnit]:
        """Every unit (or those of one segtype or source language), in id order.

        Each unit carries its first occurrence; with ``all_occurrences`` also the
        others, in stored order (what an export writes). Read in batches, so a TM of
        any size streams in constant memory. ``after`` and ``upto`` bound the ids
        (``after < id <= upto``), so processes can each read a range.
        """
        ...

    def get_units(self, ids: Iterable[int]) -> list[TranslationUnit]:
        """The units with these ids, in the order asked, each with its first
        occurrence; ids the TM lacks are left out."""
        ...

    def iter_keys(self, *, side: str = "source", after: int = 0) -> Iterator[KeyRow]:
        """The match keys of ``side`` (``source`` or ``target``) of the units with an
        id above ``after``, in id order: what the matcher's index is built from."""
        ...

    def exact(
        self, key: str, *, source_lang: str | None = None
    ) -> list[TranslationUnit]:
        """Units whose source match key is ``key`` (optionally in one source
        language), in id order."""
        ...

    def concordance(
        self, key: str, *, side: str = "source", limit: int | None = None
    ) -> list[TranslationUnit]:
        """Units whose match key on ``side`` (``source``, ``target`` or ``both``)
        contains ``key``, in id order, at most ``limit``.

        Exactly what a scan of every key finds, for a key of any length (an index
        may narrow the scan, never lose a hit). An empty key finds nothing.
        """
        ...

    def occurrences(self, unit_id: int) -> list[Occurrence]:
        """Where a unit occurs, in the order the occurrences were stored (empty for an
        unknown id)."""
        ...

    def units_after(self, prev_key: str) -> set[int]:
        """Ids of the units that follow, in some document, a unit whose source match
        key is ``prev_key`` (for context matches)."""
        ...

    def documents(self) -> list[tuple[str, dict[str, str]]]:
        """Every document's name and metadata, in the order they were added."""
        ...

    def marks(self) -> set[str]:
        """The fingerprints of the QA findings marked as false positives."""
        ...

    def count_units(self) -> int:
        """How many units the TM holds."""
        ...

    def id_bounds(self) -> tuple[int, int] | None:
        """The lowest and the highest unit id; None for an empty TM."""
        ...

    def ids_with_prop(self, key: str, value: str) -> list[int]:
        """Ids of the units whose props hold ``(key, value)``, in id order (a scan of
        the props column: meant for rare props, such as the unconfirmed status)."""
        ...

    def stats(self) -> dict[str, Any]:
        """Counts for ``tm stats``: units, occurrences, language pairs, documents
        and units per segtype."""
        ...

    def info(self) -> StoreInfo:
        """The backend, location, schema migrations and backend details."""
        ...

    def data_version(self) -> str:
        """A token that changes whenever units are added (committed by anyone), for
        in-memory indexes to notice; cheap enough to poll once a second."""
        ...

    def edit_version(self) -> int:
        """How many target edits (:meth:`set_target`) the TM has had."""
        ...

    # -- lifetime ---------------------------------------------------------------------

    def close(self) -> None:
        """Close every connection; a closed store raises StoreError on use. Closing
        twice is harmless."""
        ...

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc: object) -> None: ...
