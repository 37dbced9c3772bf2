"""TMX 1.4b: a streaming reader and a streaming writer.

The reader runs ``iterparse`` and clears each ``<tu>`` once read, so a 500 MB file is
read in constant memory. It accepts ``xml:lang`` and the TMX 1.1 ``lang`` attribute,
UTF-8 and UTF-16 with BOM (as Trados writes), keeps ``<prop>`` and ``<note>``, and keeps
inline tags as placeholders (see ``_xml``). Our own provenance travels in ``x-`` props.

Where a unit occurs: its first occurrence as separate props (``x-document``,
``x-position``, ``x-section``, ``x-context-prev``…), which older tm versions read too;
every further occurrence as one ``<prop type="x-occurrence">`` holding a JSON object
(``{"document": …, "position": 7, "sub": 1, "section": …, "prev": …, "next": …}``,
defaults left out). TMX allows a prop type to repeat; tools that do not know these
props keep or ignore them (OmegaT and translate-toolkit read such files unchanged).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lxml import etree

from tm import __version__, fastpath
from tm.errors import FormatError
from tm.formats._xml import (
    HEAD_BYTES,
    MAX_UNIT_BYTES,
    MAX_UNIT_ELEMENTS,
    NON_XML_RE,
    check_declared_encoding,
    local_name,
    make_inline_element,
    read_inline,
    safe_iterparse,
    safe_parser,
)
from tm.models import Occurrence, TranslationUnit, now_stamp
from tm.text.normalize import normalize_lang, primary_lang

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Props tm writes for provenance; read back into an Occurrence, not kept as props.
OCC_PROPS = (
    "x-document",
    "x-position",
    "x-sub",
    "x-section",
    "x-context-prev",
    "x-context-next",
)
_OCC_PROP_SET = frozenset(OCC_PROPS)
# One per occurrence after the first (see the module docstring).
OCC_MORE = "x-occurrence"
# What TMX carries that a unit has no field for — further <tu> attributes (Trados's
# usagecount and lastusagedate), <tuv> attributes (OmegaT dates and authors per
# <tuv>) and <tuv> props and notes — kept as one JSON prop so that import → export
# gives them back where they were: {"tu": {attr: value}, "source": {"attrs": …,
# "props": [[type, value]], "notes": […]}, "target": {…}, "dates": "tuv"}.
# "dates": "tuv" says the unit's creation/change fields came from the target <tuv>.
TMX_META = "x-tm-tmx"
# Document meta key holding a TMX header's props and notes (JSON), kept on import.
HEADER_META = "tmx-header"
_DATE_FIELDS = (
    ("creationdate", "created_at"),
    ("creationid", "created_by"),
    ("changedate", "changed_at"),
    ("changeid", "changed_by"),
)
_DATE_ATTRS = tuple(a for a, _ in _DATE_FIELDS)
_TU_KNOWN = frozenset({"tuid", "segtype", "srclang", *_DATE_ATTRS})


@dataclass(frozen=True, slots=True)
class TMXHeader:
    srclang: str = "zh-CN"
    tgtlang: str = "en-US"
    segtype: str = "sentence"
    creationtool: str = "tm"
    creationtoolversion: str = __version__
    o_tmf: str = "tm"
    adminlang: str = "en-US"
    datatype: str = "plaintext"
    # The header's own <prop> and <note> children, kept from imported TMX files.
    props: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


def iter_tmx(
    source: str | Path | IO[bytes],
    *,
    source_lang: str | None = None,
    target_lang: str | None = None,
    name: str | None = None,
    first_index: int = 0,
) -> Iterator[TranslationUnit]:
    """Yield the translation units of a TMX file, one per (source, target language).

    Args:
        source: a path or a binary file object.
        source_lang: the source language; defaults to the header's ``srclang`` (or the
            first ``<tuv>`` when it is ``*all*``).
        target_lang: keep only this target language; by default every other ``<tuv>``.
        name: document name for provenance; defaults to the file name.
        first_index: the position of the first ``<tu>`` (when ``source`` holds a
            later part of a file, as an import reading it in parallel does).

    Raises:
        FormatError: malformed XML, a ``<tu>`` without a source ``<tuv>``, etc.
    """
    path = str(source) if isinstance(source, (str, Path)) else (name or "<stream>")
    doc_name = name or os.path.basename(path)
    fh: IO[bytes] = open(source, "rb") if isinstance(source, (str, Path)) else source  # noqa: SIM115
    try:
        yield from _iter_tmx(fh, path, doc_name, source_lang, target_lang, first_index)
    except OSError as exc:
        raise FormatError(path, None, f"cannot read: {exc}") from exc
    finally:
        if isinstance(source, (str, Path)):
            fh.close()


def _iter_tmx(
    fh: IO[bytes],
    path: str,
    doc_name: str,
    source_lang: str | None,
    target_lang: str | None,
    first_index: int = 0,
) -> Iterator[TranslationUnit]:
    header_src: str | None = None
    header_segtype = "sentence"
    seen_root = seen_body = False
    index, last_line = first_index, 0
    for event, el in safe_iterparse(fh, path):
        last_line = el.sourceline or last_line
        name = local_name(el.tag)
        if event == "start":
            if not seen_root:
                if name != "tmx":
                    raise FormatError(
                        path, el.sourceline, f"root element is <{name}>, not <tmx>"
                    )
                seen_root = True
            elif name == "header":
                header_src = el.get("srclang")
                header_segtype = el.get("segtype") or "sentence"
            elif name == "body":
                seen_body = True
            continue
        if name != "tu":
            continue
        srclang = source_lang or el.get("srclang") or header_src
        props, notes = _props_and_notes(el)
        tuvs = [_read_tuv(c, path) for c in el if local_name(c.tag) == "tuv"]
        yield from _units_of(
            el,
            tuvs,
            props,
            notes,
            path,
            doc_name,
            index,
            srclang,
            target_lang,
            header_segtype,
        )
        index += 1
        el.clear(keep_tail=False)
        while el.getprevious() is not None:
            del el.getparent()[0]
    if not seen_body:
        raise FormatError(
            path, max(last_line, 1), "no <body> element: not a TMX file or truncated"
        )


PLAIN_TMX = fastpath.register(
    "plain-tmx",
    "a part of a TMX without inline codes, namespaces or a DTD is parsed whole and "
    "walked, instead of streamed event by event (import workers)",
)


def plain_units(
    doc: bytes, name: str, *, first_index: int = 0
) -> list[TranslationUnit] | None:
    """The units :func:`iter_tmx` reads from ``doc``, or None when ``doc`` is not plain.

    A plain TMX is what tm and most tools write at sentence level: ``<tmx>`` holding an
    optional ``<header>`` (props and notes only) and a ``<body>`` of ``<tu>``, whose
    children are ``<prop>``, ``<note>`` and ``<tuv>`` (props, notes and ``<seg>``
    without children: no inline codes), no namespaces, no entity declarations. libxml2 parses such a
    part (a few MB, see ``tm.importer``) whole for a fifth of what the streaming
    reader's per-element events cost in Python, and none of the streaming reader's
    bounds can be reached in it. Anything else, and any error, returns None: the
    caller then reads ``doc`` with :func:`iter_tmx`, which says what is wrong where.
    """
    if len(doc) > MAX_UNIT_BYTES:
        return None
    try:
        check_declared_encoding(doc[:HEAD_BYTES], name)
        root = etree.fromstring(doc, safe_parser())
    except (FormatError, etree.XMLSyntaxError):
        return None
    dtd = root.getroottree().docinfo.internalDTD
    if root.tag != "tmx" or (dtd is not None and any(True for _ in dtd.iterentities())):
        return None  # entity declarations: the streaming reader refuses them
    header_src: str | None = None
    segtype = "sentence"
    body = None
    for child in root:
        if child.tag == "header" and body is None and header_src is None:
            if any(c.tag not in ("prop", "note") or len(c) for c in child):
                return None
            header_src = child.get("srclang")
            segtype = child.get("segtype") or "sentence"
        elif child.tag == "body" and body is None:
            body = child
        else:
            return None
    if body is None:
        return None
    try:
        return _plain_body(body, name, first_index, header_src, segtype)
    except FormatError:
        return None


def _plain_body(
    body: Any, name: str, index: int, header_src: str | None, segtype: str
) -> list[TranslationUnit] | None:
    units: list[TranslationUnit] = []
    for tu in body:
        if tu.tag != "tu":
            return None
        props: list[tuple[str, str]] = []
        notes: list[str] = []
        tuvs: list[_Tuv] = []
        elements = 1 + len(tu)
        for c in tu:
            tag = c.tag
            if tag == "tuv":
                tuv = _plain_tuv(c)
                if tuv is None:
                    return None
                tuvs.append(tuv)
                elements += len(c)
            elif tag == "prop" and not len(c):  # _plain_leaf's, inline: every <tu>
                props.append((c.get("type") or "", c.text or ""))
            elif not _plain_leaf(c, props, notes):
                return None
        if elements > MAX_UNIT_ELEMENTS:
            return None
        srclang = tu.get("srclang") or header_src
        units.extend(
            _units_of(tu, tuvs, props, notes, name, name, index, srclang, None, segtype)
        )
        index += 1
    return units


def _plain_leaf(el: Any, props: list[tuple[str, str]], notes: list[str]) -> bool:
    """Take a ``<prop>`` or ``<note>`` without children; False for anything else."""
    if len(el):
        return False
    if el.tag == "prop":
        props.append((el.get("type") or "", el.text or ""))
    elif el.tag == "note":
        notes.append(el.text or "")
    else:
        return False
    return True


def _plain_tuv(el: Any) -> _Tuv | None:
    """A ``<tuv>`` as :func:`_read_tuv` reads it, or None when it is not plain."""
    items = el.items()
    if len(items) == 1 and items[0][0] == XML_LANG:  # most <tuv>: xml:lang only
        lang, attrs = items[0][1], {}
    else:
        attrs = dict(items)
        xml_lang, lang = attrs.pop(XML_LANG, None), attrs.pop("lang", None)
        lang = xml_lang or lang
    seg = None
    props: list[tuple[str, str]] = []
    notes: list[str] = []
    for c in el:
        if c.tag == "seg" and not len(c):
            seg = c if seg is None else seg
        elif not _plain_leaf(c, props, notes):
            return None
    if not lang or seg is None:
        return None
    return _Tuv(
        normalize_lang(lang),
        seg.text or "",
        (),
        attrs,
        tuple(props) if props else (),
        tuple(notes) if notes else (),
    )


def _units_of(
    tu: Any,
    tuvs: list[_Tuv],
    props: list[tuple[str, str]],
    notes: list[str],
    path: str,
    doc_name: str,
    index: int,
    srclang: str | None,
    target_lang: str | None,
    segtype: str,
) -> Iterator[TranslationUnit]:
    """The units of one ``<tu>`` whose ``<tuv>``, props and notes are read."""
    if not tuvs:
        return
    src = _pick_source(tuvs, srclang)
    if src is None:
        raise FormatError(
            path, tu.sourceline, f"<tu> has no <tuv> in the source language {srclang}"
        )
    occ, props_kept = _occurrence(props, doc_name, index)
    others = _other_occurrences(props, path, tu)
    # The attributes read once into a dict: each lxml get() is a call into C. Most
    # <tu> have none (the comprehensions below are a visible cost per unit).
    tu_attrs = dict(tu.attrib)
    if tu_attrs:
        tu_dates = {a: tu_attrs[a] for a in _DATE_ATTRS if tu_attrs.get(a)}
        tu_extra = {k: v for k, v in tu_attrs.items() if k not in _TU_KNOWN}
        segtype = tu_attrs.get("segtype") or segtype
    else:
        tu_dates = tu_extra = {}
    notes_kept = tuple(notes)
    for tuv in tuvs:
        if tuv is src or tuv.lang == src.lang:
            continue
        if (
            target_lang
            and primary_lang(tuv.lang) != primary_lang(target_lang)
            and tuv.lang != target_lang
        ):
            continue
        # OmegaT dates and signs each translation on its <tuv>, not on the <tu>.
        dates_on_tuv = (
            not tu_dates
            and bool(tuv.attrs)
            and any(a in tuv.attrs for a in _DATE_ATTRS)
        )
        dates = tuv.attrs if dates_on_tuv else tu_dates
        meta = _meta_prop(tu_extra, src, tuv, dates_on_tuv)
        # Positional: keyword arguments cost a third of a unit's construction.
        yield TranslationUnit(
            src.text,
            tuv.text,
            src.lang,
            tuv.lang,
            segtype,
            tu_attrs.get("tuid"),
            dates.get("creationdate"),
            dates.get("creationid"),
            dates.get("changedate"),
            dates.get("changeid"),
            (*props_kept, *meta) if meta else tuple(props_kept),
            notes_kept,
            src.codes,
            tuv.codes,
            occ,
            None,
            others,
        )


class _Tuv:
    """One ``<tuv>`` as read: language, text and codes, and what else it carried.

    A carrier between the reader and :func:`_units_of`, never kept: a plain class,
    which costs a fifth of a frozen dataclass to make (two per unit read).
    """

    __slots__ = ("attrs", "codes", "lang", "notes", "props", "text")

    def __init__(
        self,
        lang: str,
        text: str,
        codes: tuple[str, ...],
        attrs: dict[str, str],
        props: tuple[tuple[str, str], ...] = (),
        notes: tuple[str, ...] = (),
    ) -> None:
        self.lang = lang
        self.text = text
        self.codes = codes
        self.attrs = attrs
        self.props = props
        self.notes = notes


def _read_tuv(el: Any, path: str) -> _Tuv:
    lang = el.get(XML_LANG) or el.get("lang")
    if not lang:
        raise FormatError(path, el.sourceline, "<tuv> without xml:lang")
    seg = next((c for c in el if local_name(c.tag) == "seg"), None)
    props, notes = _props_and_notes(el)
    if seg is None:
        raise FormatError(path, el.sourceline, "<tuv> without <seg>")
    text, codes = read_inline(seg, path)
    attrs = {k: v for k, v in el.attrib.items() if k not in (XML_LANG, "lang")}
    return _Tuv(normalize_lang(lang), text, codes, attrs, tuple(props), tuple(notes))


def _props_and_notes(el: Any) -> tuple[list[tuple[str, str]], list[str]]:
    """The ``<prop>`` (type, text) and ``<note>`` texts among ``el``'s children."""
    props: list[tuple[str, str]] = []
    notes: list[str] = []
    for child in el:
        name = local_name(child.tag)
        if name == "prop":
            props.append((child.get("type") or "", child.text or ""))
        elif name == "note":
            notes.append(child.text or "")
    return props, notes


def _meta_prop(
    tu_extra: dict[str, str], src: _Tuv, tgt: _Tuv, dates_on_tuv: bool
) -> tuple[tuple[str, str], ...]:
    """The ``x-tm-tmx`` prop for what the unit's fields do not hold, or nothing."""
    if not (
        tu_extra
        or dates_on_tuv
        or src.attrs
        or src.props
        or src.notes
        or tgt.attrs
        or tgt.props
        or tgt.notes
    ):
        return ()  # most units
    meta: dict[str, Any] = {}
    if tu_extra:
        meta["tu"] = tu_extra
    for side, tuv in (("source", src), ("target", tgt)):
        attrs = dict(tuv.attrs)
        if side == "target" and dates_on_tuv:
            for a in _DATE_ATTRS:  # in the unit's fields; written back from them
                attrs.pop(a, None)
        part: dict[str, Any] = {}
        if attrs:
            part["attrs"] = attrs
        if tuv.props:
            part["props"] = [list(p) for p in tuv.props]
        if tuv.notes:
            part["notes"] = list(tuv.notes)
        if part:
            meta[side] = part
    if dates_on_tuv:
        meta["dates"] = "tuv"
    if not meta:
        return ()
    return ((TMX_META, json.dumps(meta, ensure_ascii=False, separators=(",", ":"))),)


def _pick_source(tuvs: list[_Tuv], srclang: str | None) -> _Tuv | None:
    if not srclang or srclang == "*all*":
        return tuvs[0]
    want = normalize_lang(srclang)
    for tuv in tuvs:
        if tuv.lang == want:
            return tuv
    primary = primary_lang(want)
    for tuv in tuvs:
        if primary_lang(tuv.lang) == primary:
            return tuv
    return None


def _occurrence(
    props: list[tuple[str, str]], doc_name: str, index: int
) -> tuple[Occurrence, list[tuple[str, str]]]:
    ours: dict[str, str] = {}
    kept: list[tuple[str, str]] = []
    for k, v in props:  # one pass: this runs for every <tu>
        if k in _OCC_PROP_SET:
            ours[k] = v
        elif k != OCC_MORE and k != TMX_META:
            kept.append((k, v))
    if "x-document" not in ours:
        return Occurrence(doc_name, index), kept
    try:
        position = int(ours.get("x-position", index))
        sub = int(ours.get("x-sub", 0))
    except ValueError:
        position, sub = index, 0
    occ = Occurrence(
        ours["x-document"],
        position,
        sub,
        ours.get("x-context-prev"),
        ours.get("x-context-next"),
        ours.get("x-section", ""),
    )
    return occ, kept


def _other_occurrences(
    props: list[tuple[str, str]], path: str, tu: Any
) -> tuple[Occurrence, ...]:
    """The ``x-occurrence`` props of a ``<tu>`` as occurrences, in document order."""
    out: list[Occurrence] = []
    for key, value in props:
        if key != OCC_MORE:
            continue
        try:
            out.append(occurrence_of(json.loads(value)))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise FormatError(
                path, tu.sourceline, f'bad <prop type="{OCC_MORE}">: {value[:60]!r}'
            ) from exc
    return tuple(out)


def occurrence_of(d: Any) -> Occurrence:
    """An occurrence from its JSON object (see :func:`occurrence_json`).

    Raises:
        ValueError, TypeError, KeyError, AttributeError: not such an object.
    """
    return Occurrence(
        document=_text(d["document"]),
        position=_int(d["position"]),
        sub=_int(d.get("sub", 0)),
        prev_source=_text(d.get("prev"), none=True),
        next_source=_text(d.get("next"), none=True),
        section=_text(d.get("section", "")),
    )


def _text(value: Any, *, none: bool = False) -> Any:
    if none and value is None:
        return value
    if isinstance(value, str):
        value.encode("utf-8")  # a lone surrogate from a \ud800 escape: ValueError
        return value
    raise TypeError(f"expected text, got {value!r}")


def _int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"expected an integer, got {value!r}")


def read_tmx_header(
    source: str | Path,
) -> tuple[list[tuple[str, str]], list[str]]:
    """The ``<prop>`` and ``<note>`` children of a TMX file's ``<header>``.

    Reads no further than the header. Raises FormatError as :func:`iter_tmx` does.
    """
    path = str(source)
    props: list[tuple[str, str]] = []
    notes: list[str] = []
    try:
        with open(path, "rb") as fh:
            for event, el in safe_iterparse(fh, path):
                name = local_name(el.tag)
                if event != "end":
                    if name == "body":
                        break
                    continue
                if name == "header":
                    props, notes = _props_and_notes(el)
                    break
    except OSError as exc:
        raise FormatError(path, None, f"cannot read: {exc}") from exc
    return props, notes


def write_tmx(
    units: Iterable[TranslationUnit],
    dest: str | Path | IO[bytes],
    *,
    header: TMXHeader | None = None,
) -> int:
    """Write ``units`` as TMX 1.4b; returns the number of ``<tu>`` written.

    A path is written atomically (temporary file, then rename), so an interrupted export
    leaves the old file as it was.
    """
    return write_tmx_parts([], dest, header=header, units=units)


def tu_bytes(
    units: Iterable[TranslationUnit], header: TMXHeader | None = None
) -> tuple[bytes, int]:
    """The ``<tu>`` elements :func:`write_tmx` writes for ``units``, and their count:
    a piece of a body that processes can serialize in parallel for
    :func:`write_tmx_parts`."""
    header = header or TMXHeader()
    plain = fastpath.on(PLAIN_TU)
    tus = [
        text.encode("utf-8")
        if plain and (text := _tu_text(u, header)) is not None
        else etree.tostring(_tu_element(u, header), pretty_print=True, encoding="UTF-8")
        for u in units
    ]
    return b"".join(tus), len(tus)


def write_tmx_parts(
    parts: Iterable[tuple[bytes, int]],
    dest: str | Path | IO[bytes],
    *,
    header: TMXHeader | None = None,
    units: Iterable[TranslationUnit] = (),
) -> int:
    """:func:`write_tmx` with a body of pieces from :func:`tu_bytes`, in order (then
    ``units``, if any); the same bytes, written atomically the same way."""
    header = header or TMXHeader()
    if isinstance(dest, (str, Path)):
        from tm.formats._atomic import atomic_output

        with atomic_output(dest) as fh:
            return _write(parts, units, fh, header)
    return _write(parts, units, dest, header)


def _write(
    parts: Iterable[tuple[bytes, int]],
    units: Iterable[TranslationUnit],
    fh: IO[bytes],
    header: TMXHeader,
) -> int:
    count = 0
    with etree.xmlfile(fh, encoding="UTF-8") as xf:
        xf.write_declaration()
        xf.write(etree.Comment(" Exported by tm "), pretty_print=True)
        with xf.element("tmx", version="1.4"):
            xf.write("\n")
            head = etree.Element(
                "header",
                {
                    "creationtool": header.creationtool,
                    "creationtoolversion": header.creationtoolversion,
                    "segtype": header.segtype,
                    "o-tmf": header.o_tmf,
                    "adminlang": header.adminlang,
                    "srclang": header.srclang,
                    "datatype": header.datatype,
                    "creationdate": now_stamp(),
                },
            )
            for note in header.notes:
                etree.SubElement(head, "note").text = note
            for key, value in header.props:
                etree.SubElement(head, "prop", type=key).text = value
            xf.write(head, pretty_print=True)
            with xf.element("body"):
                xf.write("\n")
                xf.flush()
                for data, n in parts:
                    fh.write(data)
                    count += n
                for unit in units:
                    xf.write(_tu_element(unit, header), pretty_print=True)
                    count += 1
            xf.write("\n")
    return count


# What a <tu> is made of, before it is an element or text: its attributes, its
# <note>/<prop> children as (tag, attributes, text), and per <tuv> its attributes,
# children and <seg> text with codes.
_Leaf = tuple[str, dict[str, str], str]
_TuvLayout = tuple[dict[str, str], list[_Leaf], str, tuple[str, ...]]


def _tu_layout(
    unit: TranslationUnit, header: TMXHeader
) -> tuple[dict[str, str], list[_Leaf], list[_TuvLayout]]:
    meta = _unit_meta(unit)
    dates = {
        attr: value for attr, field in _DATE_FIELDS if (value := getattr(unit, field))
    }
    attrs: dict[str, str] = {}
    if unit.tuid or unit.id is not None:
        attrs["tuid"] = unit.tuid or str(unit.id)
    attrs.update(meta.get("tu", {}))
    dates_on_tuv = meta.get("dates") == "tuv"
    if not dates_on_tuv:
        attrs.update(dates)
    if unit.segtype and unit.segtype != header.segtype:
        attrs["segtype"] = unit.segtype
    leaves: list[_Leaf] = [("note", {}, note) for note in unit.notes]
    leaves += [("prop", {"type": k}, v) for k, v in unit.props if k != TMX_META]
    if unit.occurrence is not None:
        occ_props = _occurrence_props(unit.occurrence)
        leaves += [("prop", {"type": k}, v) for k, v in occ_props]
    for occ in unit.other_occurrences:
        leaves.append(("prop", {"type": OCC_MORE}, occurrence_json(occ)))
    tuvs: list[_TuvLayout] = []
    for side, lang, text, codes in (
        ("source", unit.source_lang, unit.source, unit.source_codes),
        ("target", unit.target_lang, unit.target, unit.target_codes),
    ):
        part = meta.get(side, {})
        tuv_attrs = {XML_LANG: lang, **part.get("attrs", {})}
        if side == "target" and dates_on_tuv:
            tuv_attrs.update(dates)
        tuv_leaves: list[_Leaf] = [("note", {}, n) for n in part.get("notes", ())]
        tuv_leaves += [("prop", {"type": k}, v) for k, v in part.get("props", ())]
        tuvs.append((tuv_attrs, tuv_leaves, text, codes))
    return attrs, leaves, tuvs


def _tu_element(unit: TranslationUnit, header: TMXHeader) -> Any:
    attrs, leaves, tuvs = _tu_layout(unit, header)
    tu = etree.Element("tu", attrs)
    for tag, leaf_attrs, text in leaves:
        etree.SubElement(tu, tag, leaf_attrs).text = text
    for tuv_attrs, tuv_leaves, text, codes in tuvs:
        tuv = etree.SubElement(tu, "tuv", tuv_attrs)
        for tag, leaf_attrs, leaf_text in tuv_leaves:
            etree.SubElement(tuv, tag, leaf_attrs).text = leaf_text
        tuv.append(make_inline_element("seg", text, codes))
    return tu


PLAIN_TU = fastpath.register(
    "plain-tu",
    "a <tu> without inline codes or characters XML cannot carry is written as text "
    "(the bytes lxml's pretty print gives) instead of built as elements (export)",
)
_ATTR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
# Characters that need an escape in text or in an attribute, or make the unit one for
# lxml to write (those XML cannot carry: lxml refuses them).
_TEXT_SPECIAL = re.compile("[&<>\r" + NON_XML_RE.pattern[1:-1] + "]")
_ATTR_SPECIAL = re.compile('[&<>"\n\r\t' + NON_XML_RE.pattern[1:-1] + "]")


# libxml2's escapes in element content, and in quoted attribute values ("&" first).
_TEXT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;"))
_ATTR_ESCAPES = (*_TEXT_ESCAPES, ('"', "&quot;"), ("\n", "&#10;"), ("\t", "&#9;"))


def _escaped(value: str, *, attr: bool = False) -> str | None:
    """``value`` as element content (or an attribute value) as libxml2 escapes it;
    None when it holds a character XML cannot carry (lxml's to write or refuse)."""
    special, escapes = (
        (_ATTR_SPECIAL, _ATTR_ESCAPES) if attr else (_TEXT_SPECIAL, _TEXT_ESCAPES)
    )
    if special.search(value) is None:
        return value
    if NON_XML_RE.search(value):
        return None
    for ch, ref in escapes:
        value = value.replace(ch, ref)
    return value


def _tu_text(unit: TranslationUnit, header: TMXHeader) -> str | None:
    """The pretty-printed ``<tu>`` :func:`_tu_element` gives, as text; None when the
    unit has inline codes, a character XML cannot carry, a value that is not text or
    an attribute name that is not a plain XML name (lxml then writes it, or says
    what is wrong)."""
    if unit.source_codes or unit.target_codes:
        return None
    attrs, leaves, tuvs = _tu_layout(unit, header)
    tu_attrs = _attrs_text(attrs)
    if tu_attrs is None:
        return None
    out = [f"<tu{tu_attrs}>\n"]
    if not _leaves_text(leaves, "  ", out):
        return None
    for tuv_attrs, tuv_leaves, text, _codes in tuvs:
        lang = _escaped(tuv_attrs.pop(XML_LANG), attr=True)
        more = _attrs_text(tuv_attrs)
        seg = _escaped(text)
        if lang is None or more is None or seg is None:
            return None
        out.append(f'  <tuv xml:lang="{lang}"{more}>\n')
        if not _leaves_text(tuv_leaves, "    ", out):
            return None
        out.append(f"    <seg>{seg}</seg>\n  </tuv>\n")
    out.append("</tu>\n")
    return "".join(out)


def _attrs_text(attrs: dict[Any, Any]) -> str | None:
    """`` a="v" b="w"``; None when one is not text or its name not a plain XML name
    (values from the ``x-tm-tmx`` prop are whatever its JSON held)."""
    parts = []
    for name, value in attrs.items():
        if not isinstance(name, str) or not isinstance(value, str):
            return None
        escaped = _escaped(value, attr=True)
        if escaped is None or _ATTR_NAME.match(name) is None:
            return None
        parts.append(f' {name}="{escaped}"')
    return "".join(parts)


def _leaves_text(leaves: list[_Leaf], indent: str, out: list[str]) -> bool:
    for tag, attrs, text in leaves:
        more = _attrs_text(attrs)
        escaped = _escaped(text) if isinstance(text, str) else None
        if more is None or escaped is None:
            return False
        out.append(f"{indent}<{tag}{more}>{escaped}</{tag}>\n")
    return True


def _unit_meta(unit: TranslationUnit) -> dict[str, Any]:
    raw = next((v for k, v in unit.props if k == TMX_META), None)
    if raw is None:
        return {}
    try:
        meta = json.loads(raw)
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def occurrence_json(occ: Occurrence) -> str:
    """An occurrence as a compact JSON object (defaults left out)."""
    d: dict[str, Any] = {"document": occ.document, "position": occ.position}
    if occ.sub:
        d["sub"] = occ.sub
    if occ.section:
        d["section"] = occ.section
    if occ.prev_source is not None:
        d["prev"] = occ.prev_source
    if occ.next_source is not None:
        d["next"] = occ.next_source
    # ensure_ascii=False keeps Chinese readable; json still escapes control characters,
    # which XML could not carry.
    return json.dumps(d, ensure_ascii=False, separators=(",", ":"))


def _occurrence_props(occ: Occurrence) -> list[tuple[str, str]]:
    out = [("x-document", occ.document), ("x-position", str(occ.position))]
    if occ.sub:
        out.append(("x-sub", str(occ.sub)))
    if occ.section:
        out.append(("x-section", occ.section))
    if occ.prev_source is not None:
        out.append(("x-context-prev", occ.prev_source))
    if occ.next_source is not None:
        out.append(("x-context-next", occ.next_source))
    return out
