"""The Store protocol both backends implement, and the value types it returns.

Matching, terms and QA type against this protocol only, never a backend class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from tm.models import Occurrence, SegmentState, TranslationUnit

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class AddResult:
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
    backend: str
    location: str
    schema_version: int
    migrations: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Store(Protocol):
    """A translation memory store.

    Writes go in batches inside one transaction; ``transaction()`` makes a whole import
    atomic: if the block raises, nothing it wrote stays.
    """

    def transaction(self) -> Any: ...

    def add_units(
        self,
        units: Iterable[TranslationUnit],
        *,
        batch_size: int = 1000,
        progress: Progress | None = None,
        user: str | None = None,
    ) -> AddResult: ...

    def add_document(self, name: str, meta: dict[str, str] | None = None) -> int: ...

    def iter_units(
        self,
        *,
        segtype: str | None = None,
        source_lang: str | None = None,
        all_occurrences: bool = False,
    ) -> Iterator[TranslationUnit]: ...

    def iter_keys(
        self, *, side: str = "source", after: int = 0
    ) -> Iterator[KeyRow]: ...

    def get_units(self, ids: Iterable[int]) -> list[TranslationUnit]: ...

    def exact(
        self, key: str, *, source_lang: str | None = None
    ) -> list[TranslationUnit]: ...

    def occurrences(self, unit_id: int) -> list[Occurrence]: ...

    def units_after(self, prev_key: str) -> set[int]: ...

    def concordance(
        self, key: str, *, side: str = "source", limit: int | None = None
    ) -> list[TranslationUnit]: ...

    def stats(self) -> dict[str, Any]: ...

    def info(self) -> StoreInfo: ...

    def count_units(self) -> int: ...

    def data_version(self) -> str: ...

    def edit_version(self) -> int: ...

    def set_target(
        self, unit_id: int, target: str, *, user: str | None = None
    ) -> None: ...

    def ids_with_prop(self, key: str, value: str) -> list[int]: ...

    def set_props(self, unit_id: int, props: tuple[tuple[str, str], ...]) -> None: ...

    def documents(self) -> list[tuple[str, dict[str, str]]]: ...

    # -- replacing an occurrence's unit, and a project's segment states -----------

    def remove_occurrence(self, unit_id: int, document: str, position: int) -> int: ...

    def delete_orphans(self, ids: Iterable[int]) -> int: ...

    def segment_states(self, document: str) -> list[SegmentState]: ...

    def save_segment_states(
        self, states: Iterable[SegmentState], *, user: str | None = None
    ) -> None: ...

    def migrate(self) -> list[str]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc: object) -> None: ...

    # -- QA false-positive marks (a fingerprint identifies a finding across runs) --

    def set_mark(
        self, fingerprint: str, check: str, note: str = "", user: str | None = None
    ) -> None: ...

    def clear_mark(self, fingerprint: str) -> None: ...

    def marks(self) -> set[str]: ...
