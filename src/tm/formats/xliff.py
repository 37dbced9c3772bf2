"""XLIFF 1.2 and 2.0: a streaming reader and a writer for pre-translated documents.

The writer says what each target is, in the states CAT tools and translate-toolkit
read. Confirmed work (a translator confirmed it) leaves confirmed — 1.2:
``state="translated"`` and ``approved="yes"`` on the ``<trans-unit>`` (``final``
when a reviewer signed off); 2.0: segment ``state="translated"`` (``final``). A match
that is only offered — the best match at or above the caller's cutoff, exact ones
included — stays for review: 1.2 ``state="needs-review-translation"`` with
``state-qualifier`` exact-match or fuzzy-match; 2.0 ``state="initial"`` with
``subState`` ``tm:exact-match`` or ``tm:fuzzy-match``. Every other candidate goes in
as ``<alt-trans>`` (1.2) or ``<mtc:match>`` (2.0); glossary terms into notes (1.2) or
the glossary module (2.0).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lxml import etree

from tm import __version__
from tm.errors import FormatError, TMError
from tm.formats._xml import NON_XML_RE, local_name, read_inline, safe_iterparse
from tm.formats.status import mark
from tm.models import Occurrence, SegType, TranslationUnit, UnitStatus
from tm.text.normalize import normalize_lang

NS12 = "urn:oasis:names:tc:xliff:document:1.2"
NS20 = "urn:oasis:names:tc:xliff:document:2.0"
NS_MTC = "urn:oasis:names:tc:xliff:matches:2.0"
NS_GLS = "urn:oasis:names:tc:xliff:glossary:2.0"
VERSIONS = ("1.2", "2.0")
NSMAP20 = {None: NS20, "mtc": NS_MTC, "gls": NS_GLS}


@dataclass(frozen=True, slots=True)
class AltMatch:
    """A candidate translation from the TM: quality 0–101, its source and target."""

    quality: float
    source: str
    target: str
    origin: str = "tm"
    kind: str = "fuzzy"


@dataclass(frozen=True, slots=True)
class TermNote:
    source: str
    target: str
    status: str = "approved"
    note: str = ""


@dataclass(frozen=True, slots=True)
class XliffSegment:
    """One segment to write. ``target`` None means untranslated.

    ``confirmed`` marks a target a translator confirmed (``signed_off``: and a
    reviewer signed off); otherwise a target is a match offered for review.
    """

    id: str
    source: str
    target: str | None = None
    quality: float | None = None
    exact: bool = False
    confirmed: bool = False
    signed_off: bool = False
    alternatives: tuple[AltMatch, ...] = ()
    terms: tuple[TermNote, ...] = ()
    notes: tuple[str, ...] = ()
    # A translator's segment status (``tm.models.SegmentStatus`` value); when set it
    # decides the target's state instead of the match quality (see STATUS_12).
    status: str = ""


# A segment status as XLIFF 1.2 (state, state-qualifier, approved) and 2.0 state. A
# draft still needs translating; a repetition filled by propagation is translated
# work inherited from its first occurrence (not approved: nobody looked at it yet).
STATUS_12: dict[str, tuple[str, str | None, bool]] = {
    "draft": ("needs-translation", None, False),
    "translated": ("translated", None, True),
    "propagated": ("translated", "leveraged-inherited", False),
    "reviewed": ("signed-off", None, True),
}
STATUS_20 = {
    "draft": "initial",
    "translated": "translated",
    "propagated": "translated",
    "reviewed": "reviewed",
}


# -- writing ----------------------------------------------------------------------------


def write_xliff(
    segments: Iterable[XliffSegment],
    dest: str | Path | IO[bytes],
    *,
    version: str = "1.2",
    original: str = "document.txt",
    source_lang: str = "zh-CN",
    target_lang: str = "en-US",
) -> int:
    """Write ``segments`` as XLIFF ``version`` (1.2 or 2.0); returns the count written.

    A path is replaced atomically.
    """
    if version not in VERSIONS:
        raise ValueError(f"XLIFF version {version!r}: choose 1.2 or 2.0")
    write = _write12 if version == "1.2" else _write20
    if isinstance(dest, (str, Path)):
        from tm.formats._atomic import atomic_output

        with atomic_output(dest) as fh:
            return write(segments, fh, original, source_lang, target_lang)
    return write(segments, dest, original, source_lang, target_lang)


def _write12(
    segments: Iterable[XliffSegment], fh: IO[bytes], original: str, src: str, tgt: str
) -> int:
    count = 0
    with etree.xmlfile(fh, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("xliff", version="1.2", nsmap={None: NS12}):
            xf.write("\n")
            with xf.element(
                f"{{{NS12}}}file",
                {
                    "original": original,
                    "datatype": "plaintext",
                    "source-language": src,
                    "target-language": tgt,
                },
            ):
                xf.write("\n")
                header = etree.Element(f"{{{NS12}}}header")
                etree.SubElement(
                    header,
                    f"{{{NS12}}}tool",
                    {"tool-id": "tm", "tool-name": "tm", "tool-version": __version__},
                )
                xf.write(header, pretty_print=True)
                with xf.element(f"{{{NS12}}}body"):
                    xf.write("\n")
                    for seg in segments:
                        xf.write(_unit12(seg, src, tgt), pretty_print=True)
                        count += 1
    return count


def _q(tag: str, ns: str = NS12) -> str:
    return f"{{{ns}}}{tag}"


def _unit12(seg: XliffSegment, src: str, tgt: str) -> Any:
    tu = etree.Element(_q("trans-unit"), id=seg.id, nsmap={None: NS12})
    confirmed = seg.target is not None and (seg.confirmed or seg.signed_off)
    if confirmed:
        tu.set("approved", "yes")
    tu.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    _text_child(tu, _q("source"), seg.source).set(
        "{http://www.w3.org/XML/1998/namespace}lang", src
    )
    if seg.target is not None:
        target = _text_child(tu, _q("target"), seg.target)
        target.set("{http://www.w3.org/XML/1998/namespace}lang", tgt)
        if seg.status in STATUS_12:  # a translator's status decides
            _set_status12(tu, target, seg.status)
        elif confirmed:
            target.set("state", "final" if seg.signed_off else "translated")
        else:
            target.set("state", "needs-review-translation")
            target.set("state-qualifier", "exact-match" if seg.exact else "fuzzy-match")
    for note in seg.notes:
        _text_child(tu, _q("note"), note).set("from", "tm")
    for term in seg.terms:
        text = f"Term: {term.source} = {term.target} ({term.status})" + (
            f"; {term.note}" if term.note else ""
        )
        note = _text_child(tu, _q("note"), text)
        note.set("from", "tm-glossary")
        note.set("annotates", "source")
    for alt in seg.alternatives:
        at = etree.SubElement(
            tu,
            _q("alt-trans"),
            {"match-quality": _fmt(alt.quality), "origin": alt.origin},
        )
        _text_child(at, _q("source"), alt.source).set(
            "{http://www.w3.org/XML/1998/namespace}lang", src
        )
        _text_child(at, _q("target"), alt.target).set(
            "{http://www.w3.org/XML/1998/namespace}lang", tgt
        )
    return tu


def _set_status12(tu: Any, target: Any, status: str) -> None:
    state, qualifier, approved = STATUS_12[status]
    target.set("state", state)
    if qualifier:
        target.set("state-qualifier", qualifier)
    elif "state-qualifier" in target.attrib:
        del target.attrib["state-qualifier"]
    if approved:
        tu.set("approved", "yes")
    else:  # a draft or an inherited repetition is not approved, whatever else says so
        tu.attrib.pop("approved", None)


def _write20(
    segments: Iterable[XliffSegment], fh: IO[bytes], original: str, src: str, tgt: str
) -> int:
    count = 0
    nsmap = NSMAP20
    with etree.xmlfile(fh, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(
            _q("xliff", NS20), version="2.0", srcLang=src, trgLang=tgt, nsmap=nsmap
        ):
            xf.write("\n")
            with xf.element(_q("file", NS20), id="f1", original=original):
                xf.write("\n")
                for seg in segments:
                    xf.write(_unit20(seg), pretty_print=True)
                    count += 1
    return count


def _unit20(seg: XliffSegment) -> Any:
    unit = etree.Element(_q("unit", NS20), id=f"u{seg.id}", nsmap=NSMAP20)
    sid = f"s{seg.id}"
    if seg.alternatives:
        matches = etree.SubElement(unit, _q("matches", NS_MTC))
        for alt in seg.alternatives:
            m = etree.SubElement(
                matches,
                _q("match", NS_MTC),
                ref=f"#{sid}",
                matchQuality=_fmt(min(alt.quality, 100)),
                similarity=_fmt(min(alt.quality, 100)),
                type="tm",
                origin=alt.origin,
            )
            _text_child(m, _q("source", NS20), alt.source)
            _text_child(m, _q("target", NS20), alt.target)
    if seg.terms:
        glossary = etree.SubElement(unit, _q("glossary", NS_GLS))
        for term in seg.terms:
            entry = etree.SubElement(glossary, _q("glossEntry", NS_GLS))
            etree.SubElement(
                entry, _q("term", NS_GLS), source="tm-glossary"
            ).text = term.source
            tr = etree.SubElement(
                entry, _q("translation", NS_GLS), source="tm-glossary"
            )
            tr.text = term.target
            if term.note or term.status != "approved":
                etree.SubElement(entry, _q("definition", NS_GLS)).text = (
                    f"{term.status}" + (f": {term.note}" if term.note else "")
                )
    notes = list(seg.notes)
    if seg.quality is not None and seg.target is not None:
        notes.insert(0, f"tm match quality {_fmt(seg.quality)}")
    if notes:
        notes_el = etree.SubElement(unit, _q("notes", NS20))
        for note in notes:
            etree.SubElement(notes_el, _q("note", NS20), category="tm").text = note
    segment = etree.SubElement(unit, _q("segment", NS20), id=sid)
    if seg.target is not None:
        if seg.status in STATUS_20:  # a translator's status decides
            segment.set("state", STATUS_20[seg.status])
        elif seg.confirmed or seg.signed_off:
            segment.set("state", "final" if seg.signed_off else "translated")
        else:
            segment.set("state", "initial")
            segment.set("subState", "tm:exact-match" if seg.exact else "tm:fuzzy-match")
    _text_child(segment, _q("source", NS20), seg.source).set(
        "{http://www.w3.org/XML/1998/namespace}space", "preserve"
    )
    if seg.target is not None:
        _text_child(segment, _q("target", NS20), seg.target)
    return unit


def _text_child(parent: Any, tag: str, text: str) -> Any:
    el = etree.SubElement(parent, tag)
    bad = NON_XML_RE.search(text)
    if bad:
        raise TMError(
            f"cannot write XLIFF: {text[:40]!r} contains U+{ord(bad.group()):04X}, which XML cannot carry",
            hint="export TMX instead (it keeps such characters as placeholders) or fix the segment",
        )
    el.text = text
    return el


def _fmt(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


# -- reading ----------------------------------------------------------------------------


def iter_xliff(
    source: str | Path | IO[bytes], *, name: str | None = None
) -> Iterator[TranslationUnit]:
    """Yield a unit per XLIFF 1.2 ``<trans-unit>`` or 2.0 ``<segment>`` (target may be empty).

    A unit whose target is not confirmed work carries its status (see
    ``tm.formats.status``): 1.2 ``state`` translated/signed-off/final or
    ``approved="yes"`` is confirmed, ``new``/``needs-translation`` untranslated, any
    other state (or none) unconfirmed; 2.0 ``translated``/``reviewed``/``final`` is
    confirmed, ``initial`` (the default) unconfirmed.

    Raises:
        FormatError: malformed XML, or a root that is not ``<xliff>``.
    """
    path = str(source) if isinstance(source, (str, Path)) else (name or "<stream>")
    doc = name or os.path.basename(path)
    fh: IO[bytes] = open(source, "rb") if isinstance(source, (str, Path)) else source  # noqa: SIM115
    try:
        yield from _iter(fh, path, doc)
    except OSError as exc:
        raise FormatError(path, None, f"cannot read: {exc}") from exc
    finally:
        if isinstance(source, (str, Path)):
            fh.close()


def _iter(fh: IO[bytes], path: str, doc: str) -> Iterator[TranslationUnit]:
    src_lang, tgt_lang = "zh-CN", "en-US"
    root_seen = False
    position = 0
    for event, el in safe_iterparse(fh, path):
        name = local_name(el.tag)
        if event == "start":
            if not root_seen:
                if name != "xliff":
                    raise FormatError(
                        path, el.sourceline, f"root element is <{name}>, not <xliff>"
                    )
                root_seen = True
                src_lang = el.get("srcLang") or src_lang
                tgt_lang = el.get("trgLang") or tgt_lang
            elif name == "file" and el.get("source-language"):
                src_lang = el.get("source-language")
                tgt_lang = el.get("target-language") or tgt_lang
            continue
        if name not in ("trans-unit", "segment"):
            continue
        unit = _read_unit(el, path, doc, position, src_lang, tgt_lang)
        if unit is not None:
            yield unit
            position += 1
        if (
            name == "trans-unit"
            or el.getparent() is None
            or local_name(el.getparent().tag) == "unit"
        ):
            el.clear(keep_tail=False)


def _read_unit(
    el: Any, path: str, doc: str, position: int, src: str, tgt: str
) -> TranslationUnit | None:
    source = next((c for c in el if local_name(c.tag) == "source"), None)
    if source is None:
        raise FormatError(
            path, el.sourceline, f"<{local_name(el.tag)}> without <source>"
        )
    target = next((c for c in el if local_name(c.tag) == "target"), None)
    s_text, s_codes = read_inline(source, path)
    t_text, t_codes = read_inline(target, path) if target is not None else ("", ())
    unit = TranslationUnit(
        source=s_text,
        target=t_text,
        source_lang=normalize_lang(src),
        target_lang=normalize_lang(tgt),
        segtype=SegType.SENTENCE,
        source_codes=s_codes,
        target_codes=t_codes,
        tuid=el.get("id"),
        occurrence=Occurrence(document=doc, position=position),
    )
    status, why = (
        _status12(el, target) if local_name(el.tag) == "trans-unit" else _status20(el)
    )
    return mark(unit, status, why)


# XLIFF 1.2 target states: translated or beyond is confirmed work; new and
# needs-translation mean nothing was translated; everything else asks for review.
CONFIRMED_12 = frozenset({"translated", "signed-off", "final"})
UNTRANSLATED_12 = frozenset({"new", "needs-translation"})
CONFIRMED_20 = frozenset({"translated", "reviewed", "final"})


def _status12(tu: Any, target: Any) -> tuple[UnitStatus, str]:
    """A 1.2 ``<trans-unit>``'s status from ``translate``, ``approved`` and ``state``."""
    if tu.get("translate") == "no":
        return UnitStatus.UNTRANSLATED, "not for translation"
    state = target.get("state") if target is not None else None
    approved = tu.get("approved")
    if approved == "no":  # an explicit "not approved" wins over any state
        return UnitStatus.UNCONFIRMED, "XLIFF approved=no"
    if state in UNTRANSLATED_12 and approved != "yes":
        return UnitStatus.UNTRANSLATED, f"XLIFF state {state}"
    if approved == "yes" or state in CONFIRMED_12:
        return UnitStatus.CONFIRMED, ""
    if state is None:
        return UnitStatus.UNCONFIRMED, "XLIFF target without state"
    qualifier = target.get("state-qualifier")
    return UnitStatus.UNCONFIRMED, f"XLIFF state {state}" + (
        f" ({qualifier})" if qualifier else ""
    )


def _status20(segment: Any) -> tuple[UnitStatus, str]:
    """A 2.0 ``<segment>``'s status: its ``state`` (default ``initial``)."""
    unit = segment.getparent()
    if unit is not None and unit.get("translate") == "no":
        return UnitStatus.UNTRANSLATED, "not for translation"
    state = segment.get("state") or "initial"
    if state in CONFIRMED_20:
        return UnitStatus.CONFIRMED, ""
    sub = segment.get("subState")
    return UnitStatus.UNCONFIRMED, f"XLIFF state {state}" + (f" ({sub})" if sub else "")


@dataclass(frozen=True, slots=True)
class TargetState:
    """What an XLIFF file says of one segment's target: 1.2 ``state``,
    ``state-qualifier`` and ``approved``, or the 2.0 segment ``state``."""

    state: str | None
    qualifier: str | None = None
    approved: bool = False


def iter_target_states(source: str | Path) -> Iterator[TargetState]:
    """The target state of each segment, in the order :func:`iter_xliff` yields them.

    Raises:
        FormatError: malformed XML.
    """
    path = str(source)
    try:
        with open(source, "rb") as fh:
            for event, el in safe_iterparse(fh, path):
                if event != "end":
                    continue
                name = local_name(el.tag)
                if name == "trans-unit":
                    target = next(
                        (c for c in el if local_name(c.tag) == "target"), None
                    )
                    yield TargetState(
                        target.get("state") if target is not None else None,
                        target.get("state-qualifier") if target is not None else None,
                        el.get("approved") == "yes",
                    )
                    el.clear(keep_tail=False)
                elif name == "segment":
                    yield TargetState(el.get("state"))
    except OSError as exc:
        raise FormatError(path, None, f"cannot read: {exc}") from exc


__all__ = [
    "AltMatch",
    "TargetState",
    "TermNote",
    "XliffSegment",
    "iter_target_states",
    "iter_xliff",
    "write_xliff",
]
