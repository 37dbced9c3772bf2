"""Which units of a file may enter the TM: the status screen every import passes through.

A TM holds confirmed translations. A file says how far each target got — XLIFF by its
``state`` and ``approved`` attributes, TMX by a status prop (ours, ``x-tm-status``, or
Trados's ``x-ConfirmationLevel``) — and some targets are not translations at all: an
empty target, or the source copied into the target (OmegaT and most CAT tools can
copy the source as a starting point). The screen sorts every unit into confirmed,
unconfirmed or untranslated, counts what it keeps out in the ``ImportReport``, and
lets unconfirmed units through only when asked, marked as lower-status units.

Readers that know a status put it on the unit with :func:`mark`; everything else is
decided here, the same way for every format.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from tm.models import (
    STATUS_NOTE_PROP,
    STATUS_PROP,
    ImportReport,
    TranslationUnit,
    UnitStatus,
)
from tm.text.normalize import HAN_RE

# Trados Studio's TMX export: the segment's confirmation level as a prop.
TRADOS_LEVEL_PROP = "x-ConfirmationLevel"
TRADOS_CONFIRMED = frozenset(
    {"Translated", "ApprovedTranslation", "ApprovedSignOff", "SignedOff"}
)
_OUR_PROPS = (STATUS_PROP, STATUS_NOTE_PROP)


def mark(unit: TranslationUnit, status: UnitStatus, why: str) -> TranslationUnit:
    """``unit`` carrying a status a reader found (and why), for :func:`screen`."""
    if status is UnitStatus.CONFIRMED:
        return unit
    props = tuple(p for p in unit.props if p[0] not in _OUR_PROPS)
    return replace(
        unit, props=(*props, (STATUS_PROP, str(status)), (STATUS_NOTE_PROP, why))
    )


def status_of(unit: TranslationUnit) -> tuple[UnitStatus, str]:
    """The unit's status and the reason for it ("" for a confirmed unit)."""
    target = unit.target.strip()
    if not target:
        return UnitStatus.UNTRANSLATED, "no target"
    if target == unit.source.strip() and HAN_RE.search(unit.source):
        return UnitStatus.UNTRANSLATED, "target copies the source"
    if not unit.props:
        return UnitStatus.CONFIRMED, ""  # most units: no status marks to read
    props = dict(unit.props)
    marked = props.get(STATUS_PROP)
    if marked in (UnitStatus.UNTRANSLATED, UnitStatus.UNCONFIRMED):
        return UnitStatus(marked), props.get(STATUS_NOTE_PROP) or str(marked)
    level = props.get(TRADOS_LEVEL_PROP)
    if level is not None and level not in TRADOS_CONFIRMED:
        return UnitStatus.UNCONFIRMED, f"Trados confirmation level {level}"
    return UnitStatus.CONFIRMED, ""


def screen(
    units: Iterable[TranslationUnit],
    report: ImportReport,
    *,
    include_unconfirmed: bool = False,
) -> Iterator[TranslationUnit]:
    """The units that may enter the TM; what is kept out is counted in ``report``.

    Confirmed units pass without status props. Unconfirmed ones are skipped, or with
    ``include_unconfirmed`` pass marked (``x-tm-status: unconfirmed`` and the reason),
    which look-ups penalise. Untranslated ones never pass.
    """
    for unit in units:
        status, why = status_of(unit)
        if status is UnitStatus.CONFIRMED:
            if unit.props and any(k in _OUR_PROPS for k, _ in unit.props):
                unit = replace(
                    unit, props=tuple(p for p in unit.props if p[0] not in _OUR_PROPS)
                )
            yield unit
            continue
        report.reasons[why] = report.reasons.get(why, 0) + 1
        if status is UnitStatus.UNTRANSLATED:
            report.skipped_untranslated += 1
        elif include_unconfirmed:
            report.unconfirmed_taken += 1
            yield mark(unit, status, why)
        else:
            report.skipped_unconfirmed += 1
