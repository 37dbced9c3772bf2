"""Pre-translation: a document to XLIFF (or TMX) with the TM's matches and the terms.

The best clean match at or above ``min_score`` becomes the target (for review): its
repaired English when repair carried the query's numbers, labels or terms into it, with
a note that says so. A flagged match (a QA error on its unit: Chinese left in the
English, a forbidden rendering, a cut-off or empty English) is never inserted as the
target; it goes in as an alternative, with a note saying why it was not used. Every
other candidate down to the analysis cutoff, and sub-segment hits when no whole segment
matches, go in as alternatives; glossary terms go in as notes / the glossary module.
The units used are also written as a "project TM" for the CAT tool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

from tm.analysis import DocSegment
from tm.formats.xliff import AltMatch, TermNote, XliffSegment
from tm.models import FragmentHit, Match, TranslationUnit

if TYPE_CHECKING:
    from tm.formats.omegat import ProjectSummary
    from tm.terms import TermBase

FORMATS = ("xliff12", "xliff20", "tmx", "omegat")


@dataclass(frozen=True, slots=True)
class PretranslateReport:
    segments: int
    translated: int
    exact: int
    with_alternatives: int
    with_terms: int
    used_units: int
    project: ProjectSummary | None = None  # what an OmegaT project holds


def build_segments(
    segments: Iterable[DocSegment],
    lookup: Callable[[str, str | None], list[Match]],
    fragments: Callable[[str], list[FragmentHit]],
    *,
    min_score: float,
    alternatives: int = 3,
    termbase: TermBase | None = None,
) -> tuple[list[XliffSegment], list[TranslationUnit]]:
    """The XLIFF segments and the TM units they used (best first per segment, no repeats)."""
    out: list[XliffSegment] = []
    used: dict[int, TranslationUnit] = {}
    prev: str | None = None
    for seg in segments:
        matches = lookup(seg.source, prev)
        prev = seg.source
        best = choose(matches, min_score)
        rest = [m for m in matches if m is not best][:alternatives]
        alts = tuple(
            AltMatch(m.score, m.unit.source, m.offered_target, "tm", str(m.kind))
            for m in rest
        )
        if not matches:
            alts = _fragment_alts(seg.source, fragments(seg.source), alternatives)
        for m in ([best] if best else []) + rest:
            if m.unit.id is not None:
                used.setdefault(m.unit.id, m.unit)
        terms = tuple(
            TermNote(
                h.entry.zh,
                h.entry.en or "",
                str(h.entry.status),
                _forbidden_note(h.entry),
            )
            for h in (termbase.find(seg.source) if termbase is not None else [])
        )
        out.append(
            XliffSegment(
                id=str(seg.index + 1),
                source=seg.source,
                target=best.offered_target if best else None,
                quality=best.score if best else None,
                exact=bool(best and best.score >= 100),
                alternatives=alts,
                terms=_unique_terms(terms),
                notes=match_notes(best, matches, min_score),
            )
        )
    return out, list(used.values())


def choose(matches: list[Match], min_score: float) -> Match | None:
    """The match to insert: the best one at ``min_score`` or more whose unit is clean."""
    return next((m for m in matches if m.score >= min_score and not m.flags), None)


def match_notes(
    best: Match | None, matches: list[Match], min_score: float
) -> tuple[str, ...]:
    """Notes for the translator: what repair changed, which flagged match was passed over."""
    notes = []
    if best is not None and best.repaired_target is not None:
        changes = ", ".join(
            f"{r.tm or '—'} → {r.query or '—'}" for r in best.repairs if r.done
        )
        notes.append(
            f"repaired from TM match {best.score:g}% (unit {best.id}): {changes};"
            f" the TM's English was: {best.target}"
        )
    for m in matches:
        if m.flags and m.score >= min_score and (best is None or m.score > best.score):
            why = "; ".join(f.message for f in m.flags)
            notes.append(f"TM match {m.score:g}% (unit {m.id}) not inserted: {why}")
            break
    return tuple(notes)


def _fragment_alts(
    text: str, hits: list[FragmentHit], limit: int
) -> tuple[AltMatch, ...]:
    """Sub-segment hits as alternatives; quality = share of the segment the TM unit covers."""
    covered: dict[int, int] = {}
    pairs: dict[int, tuple[str, str]] = {}
    for frag in hits:
        for hit in frag.hits[:1]:
            uid = hit.unit.id if hit.unit.id is not None else -len(pairs) - 1
            if hit.english_scope == "clause" and hit.spans:
                a, b = hit.spans[0]  # the clause and its own English
                pairs[uid] = (hit.unit.source[a:b], hit.english)
            else:
                pairs[uid] = (hit.unit.source, hit.unit.target)
            covered[uid] = covered.get(uid, 0) + len(frag.clause)
    ranked = sorted(covered, key=lambda u: -covered[u])[:limit]
    return tuple(
        AltMatch(
            round(min(99.0, 100 * covered[u] / max(len(text), 1)), 1),
            pairs[u][0],
            pairs[u][1],
            "tm-fragment",
            "fragment",
        )
        for u in ranked
    )


def _forbidden_note(entry: object) -> str:
    forbidden = getattr(entry, "forbidden", ())
    return f"do not use: {', '.join(forbidden)}" if forbidden else ""


def _unique_terms(terms: tuple[TermNote, ...]) -> tuple[TermNote, ...]:
    seen: set[str] = set()
    out = []
    for t in terms:
        if t.source not in seen:
            seen.add(t.source)
            out.append(t)
    return tuple(out)


def write_output(
    segments: list[XliffSegment],
    used: list[TranslationUnit],
    dest: str | Path | IO[bytes],
    *,
    fmt: str,
    original: str,
    source_lang: str = "zh-CN",
    target_lang: str = "en-US",
    document: str | Path | None = None,
    doc_segments: list[DocSegment] | None = None,
    termbase: TermBase | None = None,
    encoding: str | None = None,
) -> ProjectSummary | None:
    """Write the pre-translated document (XLIFF 1.2/2.0), the TMX of the used matches,
    or an OmegaT project folder (``fmt="omegat"``: needs ``document`` and
    ``doc_segments``, the document and its segments as analysed; returns what the
    project holds)."""
    if fmt == "tmx":
        write_project_tm(used, dest)
        return None
    if fmt == "omegat":
        if (
            not isinstance(dest, (str, Path))
            or document is None
            or doc_segments is None
        ):
            raise ValueError(
                "an OmegaT project needs a folder, the document and its segments"
            )
        langs = {"source_lang": source_lang, "target_lang": target_lang}
        return write_omegat(
            segments, used, dest, document=document, doc_segments=doc_segments,
            termbase=termbase, encoding=encoding, **langs,
        )  # fmt: skip
    from tm.formats.xliff import write_xliff

    write_xliff(
        segments,
        dest,
        version="1.2" if fmt == "xliff12" else "2.0",
        original=original,
        source_lang=source_lang,
        target_lang=target_lang,
    )
    return None


def write_omegat(
    segments: list[XliffSegment],
    used: list[TranslationUnit],
    dest: str | Path,
    *,
    document: str | Path,
    doc_segments: list[DocSegment],
    termbase: TermBase | None = None,
    encoding: str | None = None,
    source_lang: str = "zh-CN",
    target_lang: str = "en-US",
) -> ProjectSummary:
    """The pre-translation as an OmegaT project folder (see ``tm.formats.omegat``).

    Exact and context matches go to ``tm/auto/`` under the document's own segment
    text, so OmegaT inserts them; every other unit the pre-translation used (fuzzy
    matches, alternatives) and repaired matches go to ``tm/`` for the Fuzzy Matches
    pane; the term base goes to ``glossary/``.
    """
    from tm.formats.omegat import source_text, write_project

    auto, reference = omegat_units(segments, used, source_lang, target_lang)
    paragraphs: dict[int, list[str]] = {}
    for seg in doc_segments:
        paragraphs.setdefault(seg.paragraph, []).append(seg.source)
    name, text = source_text(
        document, list(paragraphs.values()), encoding=encoding, source_lang=source_lang
    )
    return write_project(
        dest,
        document_name=name,
        document_text=text,
        auto=auto,
        reference=reference,
        glossary=termbase,
        source_lang=source_lang,
        target_lang=target_lang,
    )


def omegat_units(
    segments: list[XliffSegment],
    used: list[TranslationUnit],
    source_lang: str,
    target_lang: str,
) -> tuple[list[TranslationUnit], list[TranslationUnit]]:
    """The units for ``tm/auto/`` (exact, under the segment's text) and for ``tm/``."""
    by_pair = {(u.source, u.target): u for u in used}
    auto: dict[str, TranslationUnit] = {}
    for seg in segments:
        if not seg.exact or seg.target is None or seg.source in auto:
            continue
        found = by_pair.get((seg.source, seg.target))
        auto[seg.source] = _plain(
            found or TranslationUnit(seg.source, seg.target),
            source_lang,
            target_lang,
        )
    inserted = {(u.source, u.target) for u in auto.values()}
    reference = [
        _plain(u, source_lang, target_lang)
        for u in used
        if (u.source, u.target) not in inserted
    ]
    seen = {(u.source, u.target) for u in reference}
    for seg in segments:
        for alt in seg.alternatives:
            if alt.kind == "repaired" and (alt.source, alt.target) not in seen:
                seen.add((alt.source, alt.target))
                reference.append(
                    TranslationUnit(
                        alt.source,
                        alt.target,
                        source_lang=source_lang,
                        target_lang=target_lang,
                        segtype="sentence",
                        notes=("repaired by tm from a fuzzy match: review it",),
                    )
                )
    return list(auto.values()), reference


def _plain(u: TranslationUnit, source_lang: str, target_lang: str) -> TranslationUnit:
    """A TM unit for an OmegaT reference TM: text, languages, authors and dates only."""
    return TranslationUnit(
        u.source,
        u.target,
        source_lang=source_lang,
        target_lang=target_lang,
        segtype="sentence",
        created_at=u.created_at,
        created_by=u.created_by,
        changed_at=u.changed_at,
        changed_by=u.changed_by,
        source_codes=u.source_codes,
        target_codes=u.target_codes,
    )


def write_project_tm(units: list[TranslationUnit], dest: str | Path | IO[bytes]) -> int:
    """The TM units a pre-translation used, as TMX (segtype sentence)."""
    from tm.formats.tmx import TMXHeader, write_tmx

    return write_tmx(
        [replace(u, occurrence=u.occurrence) for u in units], dest, header=TMXHeader()
    )


def report_of(
    segments: list[XliffSegment], used: list[TranslationUnit]
) -> PretranslateReport:
    return PretranslateReport(
        segments=len(segments),
        translated=sum(1 for s in segments if s.target is not None),
        exact=sum(1 for s in segments if s.exact),
        with_alternatives=sum(1 for s in segments if s.alternatives),
        with_terms=sum(1 for s in segments if s.terms),
        used_units=len(used),
    )
