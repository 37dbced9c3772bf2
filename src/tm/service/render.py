"""The JSON shapes of look-up results, shared by every shell.

``tm lookup --json``, ``tm concordance --json``, ``tm terms find --json`` and the
server's ``/api/v1`` answers print the same objects, so a script written against one
reads the other. Each function turns one value object of ``tm.models`` into plain
JSON-ready data (dicts, lists, strings, numbers, None); none of them prints.
"""

from __future__ import annotations

from typing import Any

from tm.models import ConcordanceHit, FragmentHit, ImportReport, Match, TermHit


def match_dict(m: Match) -> dict[str, Any]:
    """A fuzzy match: score, kind, both sides, penalties, diff and where it came from."""
    unit = m.unit
    occ = unit.occurrence
    return {
        "score": m.score,
        "kind": str(m.kind),
        "source": unit.source,
        "target": unit.target,
        "id": unit.id,
        "penalties": [
            {
                "reason": p.reason,
                "detail": p.detail,
                "spans": [list(s) for s in p.spans],
                "query_spans": [list(s) for s in p.query_spans],
            }
            for p in m.penalties
        ],
        "diff": [
            {
                "op": d.op,
                "start": d.start,
                "end": d.end,
                "query_start": d.query_start,
                "query_end": d.query_end,
            }
            for d in m.diff
        ],
        "similarity": m.similarity,
        "repaired_target": m.repaired_target,
        "repairs": [
            {
                "kind": r.kind,
                "tm": r.tm,
                "query": r.query,
                "target_span": list(r.target_span) if r.target_span else None,
                "tm_target_span": list(r.tm_target_span) if r.tm_target_span else None,
                "reason": r.reason,
            }
            for r in m.repairs
        ],
        "flags": [
            {
                "check": f.check,
                "message": f.message,
                "spans": [list(s) for s in f.spans],
            }
            for f in m.flags
        ],
        "origin": occ.document if occ else None,
        "position": occ.position if occ else None,
        "created_at": unit.created_at,
        "created_by": unit.created_by,
        "changed_at": unit.changed_at,
        "changed_by": unit.changed_by,
    }


def concordance_dict(h: ConcordanceHit) -> dict[str, Any]:
    """A concordance hit: both sides, where the hit is, how often it recurs."""
    occ = h.unit.occurrence
    return {
        "id": h.unit.id,
        "side": h.side,
        "source": h.unit.source,
        "target": h.unit.target,
        "spans": [list(s) for s in h.spans],
        "frequency": h.frequency,
        "score": h.score,
        "english": h.english or None,
        "english_scope": h.english_scope or None,
        "origin": occ.document if occ else None,
        "created_at": h.unit.created_at,
        "changed_at": h.unit.changed_at,
    }


def fragment_dict(f: FragmentHit) -> dict[str, Any]:
    """A clause of the query found in TM units, with its concordance hits."""
    return {
        "clause": f.clause,
        "query_start": f.query_start,
        "query_end": f.query_end,
        "kind": f.kind,
        "hits": [concordance_dict(h) for h in f.hits],
    }


def term_hit_dict(hit: TermHit) -> dict[str, Any]:
    """A glossary term found in a text, with its entry's renderings."""
    e = hit.entry
    return {
        "zh": e.zh,
        "en": e.en,
        "start": hit.start,
        "end": hit.end,
        "text": hit.text,
        "status": str(e.status),
        "kind": str(hit.kind),
        "rendering": hit.rendering or None,
        "variants": list(e.variants),
        "forbidden": list(e.forbidden),
        "category": e.category or None,
        "note": e.note or None,
        "source": str(e.source) if e.source else None,
    }


def import_report_dict(r: ImportReport) -> dict[str, Any]:
    """What an import did, as counts (``tm import --json`` and ``POST /api/v1/units``)."""
    return {
        "path": r.path,
        "format": r.format,
        "read": r.read,
        "added": r.added,
        "duplicates": r.duplicates,
        "occurrences_added": r.occurrences_added,
        "sentences_added": r.sentences_added,
        "anchor_terms": r.anchor_terms,
        "skipped_untranslated": r.skipped_untranslated,
        "skipped_unconfirmed": r.skipped_unconfirmed,
        "unconfirmed_taken": r.unconfirmed_taken,
        "confirmed_existing": r.confirmed_existing,
        "reasons": dict(r.reasons),
        "warnings": list(r.warnings),
    }
