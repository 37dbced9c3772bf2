"""ProjectService: a translator's document, its project TM layer, and the master behind it.

Document mode works on one document at a time. Its segments are read as ``tm analyze``
reads them; each confirmed translation goes into the document's own project TM (a
SQLite file beside the master, ``tm.locations.project_db_path``), never into the
master, until the translator commits the project to the master. Look-ups search both
layers; on equal scores the project layer wins.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from tm.models import Occurrence, TranslationUnit
from tm.service.memory import LayerMatch, TMService, merge_layers
from tm.service.output import Destination

if TYPE_CHECKING:
    from tm.models import Match


class ProjectService:
    """One document being translated against a master TM.

    Args:
        master: the master TM (not closed by this service).
        document: the document to translate.
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

    # -- confirming --------------------------------------------------------------

    def confirm(self, index: int, target: str, *, user: str | None = None) -> None:
        """Store the translation of segment ``index`` (0-based) in the project layer.

        Its occurrence records the document, position and neighbouring segments, so a
        later look-up of the same segment in the same place is a context match.

        Raises:
            IndexError: no segment ``index``.
        """
        if not 0 <= index < len(self.segments):
            raise IndexError(f"no segment {index + 1} in {self.name}")
        unit = TranslationUnit(
            source=self.segments[index],
            target=target,
            segtype="sentence",
            occurrence=Occurrence(
                document=self.name,
                position=index + 1,
                prev_source=self.segments[index - 1] if index else None,
                next_source=self.segments[index + 1]
                if index + 1 < len(self.segments)
                else None,
            ),
        )
        self.layer.add_units([unit], user=user)

    def confirmed(self) -> dict[int, str]:
        """Confirmed targets of this document by segment index (0-based), latest winning."""
        store = self.layer.store
        done: dict[int, str] = {}
        for unit in store.iter_units():
            if unit.id is None:
                continue
            for occ in store.occurrences(unit.id):
                if occ.document == self.name and 1 <= occ.position <= len(
                    self.segments
                ):
                    done[occ.position - 1] = unit.target
        return done

    def latest_units(self) -> dict[str, TranslationUnit]:
        """The latest confirmed unit per source text in the project layer."""
        latest: dict[str, TranslationUnit] = {}
        for unit in self.layer.store.iter_units():
            latest[unit.source] = unit
        return latest

    def commit(self, *, user: str | None = None) -> int:
        """Copy the project layer's latest units into the master; returns how many were new."""
        return self.master.add_units(self.latest_units().values(), user=user)

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
        self, *, min_score: float = 50
    ) -> Iterator[tuple[int, float | None]]:
        """(index, best score or None) for each segment, in order."""
        for i in range(len(self.segments)):
            best = self.segment_matches(i, min_score=min_score, limit=1)
            yield i, (best[0][1].score if best else None)

    def band_counts(self, scores: dict[int, float | None]) -> dict[str, int]:
        """Segments per analysis band, counted as ``tm analyze`` counts them: a segment
        seen before is a repetition unless it is a context (101) match."""
        from tm.analysis import band_of
        from tm.text.normalize import match_key

        counts: dict[str, int] = {}
        seen: set[str] = set()
        for i, text in enumerate(self.segments):
            label = band_of(scores.get(i))
            key = match_key(text)
            if key in seen and label != "101":
                label = "repetitions"
            seen.add(key)
            counts[label] = counts.get(label, 0) + 1
        return counts

    def unit_details(self, unit_id: int) -> tuple[TranslationUnit, list[Occurrence]]:
        """A unit of the project layer and its occurrences."""
        return self.layer.unit_details(unit_id)

    # -- export --------------------------------------------------------------------

    def export_paths(self) -> tuple[Path, Path]:
        """Where :meth:`export` writes: the project TM's TMX and the document's XLIFF."""
        return self.path.with_suffix(".tmx"), self.path.with_suffix(".xlf")

    def export(self, targets: dict[int, str] | None = None) -> tuple[int, int]:
        """Write the project layer as TMX and the document as XLIFF 1.2 beside the
        project TM; returns (units, segments) written.

        Args:
            targets: the targets by segment index (default: the confirmed ones).
        """
        tmx, xlf = self.export_paths()
        return self.export_tmx(tmx), self.export_xliff(xlf, targets)

    def export_tmx(self, dest: Destination) -> int:
        """The project layer as TMX."""
        return self.layer.export(dest, fmt="tmx")

    def export_xliff(
        self, dest: Destination, targets: dict[int, str] | None = None
    ) -> int:
        """The document as XLIFF 1.2 with ``targets`` (default: the confirmed ones)."""
        return self.master.export_document_xliff(
            self.segments,
            self.confirmed() if targets is None else targets,
            dest,
            original=self.name,
        )
