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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lxml import etree

from tm import __version__
from tm.errors import FormatError
from tm.formats._xml import local_name, make_inline_element, read_inline, safe_iterparse
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
# One per occurrence after the first (see the module docstring).
OCC_MORE = "x-occurrence"


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
        yield from _tu_units(
            el, path, doc_name, index, srclang, target_lang, header_segtype
        )
        index += 1
        el.clear(keep_tail=False)
        while el.getprevious() is not None:
            del el.getparent()[0]
    if not seen_body:
        raise FormatError(
            path, max(last_line, 1), "no <body> element: not a TMX file or truncated"
        )


def _tu_units(
    tu: Any,
    path: str,
    doc_name: str,
    index: int,
    srclang: str | None,
    target_lang: str | None,
    segtype: str,
) -> Iterator[TranslationUnit]:
    tuvs: list[tuple[str, str, tuple[str, ...]]] = []
    props: list[tuple[str, str]] = []
    notes: list[str] = []
    for child in tu:
        cname = local_name(child.tag)
        if cname == "prop":
            props.append((child.get("type") or "", child.text or ""))
        elif cname == "note":
            notes.append(child.text or "")
        elif cname == "tuv":
            lang = child.get(XML_LANG) or child.get("lang")
            if not lang:
                raise FormatError(path, child.sourceline, "<tuv> without xml:lang")
            seg = next((c for c in child if local_name(c.tag) == "seg"), None)
            if seg is None:
                raise FormatError(path, child.sourceline, "<tuv> without <seg>")
            text, codes = read_inline(seg, path)
            tuvs.append((normalize_lang(lang), text, codes))
    if not tuvs:
        return
    src = _pick_source(tuvs, srclang)
    if src is None:
        raise FormatError(
            path, tu.sourceline, f"<tu> has no <tuv> in the source language {srclang}"
        )
    occ, props_kept = _occurrence(props, doc_name, index)
    others = _other_occurrences(props, path, tu.sourceline)
    for lang, text, codes in tuvs:
        if (lang, text, codes) is src or lang == src[0]:
            continue
        if (
            target_lang
            and primary_lang(lang) != primary_lang(target_lang)
            and lang != target_lang
        ):
            continue
        yield TranslationUnit(
            source=src[1],
            target=text,
            source_lang=src[0],
            target_lang=lang,
            segtype=tu.get("segtype") or segtype,
            tuid=tu.get("tuid"),
            created_at=tu.get("creationdate"),
            created_by=tu.get("creationid"),
            changed_at=tu.get("changedate"),
            changed_by=tu.get("changeid"),
            props=tuple(props_kept),
            notes=tuple(notes),
            source_codes=src[2],
            target_codes=codes,
            occurrence=occ,
            other_occurrences=others,
        )


def _pick_source(
    tuvs: list[tuple[str, str, tuple[str, ...]]], srclang: str | None
) -> tuple[str, str, tuple[str, ...]] | None:
    if not srclang or srclang == "*all*":
        return tuvs[0]
    want = normalize_lang(srclang)
    for tuv in tuvs:
        if tuv[0] == want:
            return tuv
    for tuv in tuvs:
        if primary_lang(tuv[0]) == primary_lang(want):
            return tuv
    return None


def _occurrence(
    props: list[tuple[str, str]], doc_name: str, index: int
) -> tuple[Occurrence, list[tuple[str, str]]]:
    ours = {k: v for k, v in props if k in OCC_PROPS}
    kept = [(k, v) for k, v in props if k not in OCC_PROPS and k != OCC_MORE]
    if "x-document" not in ours:
        return Occurrence(document=doc_name, position=index), kept
    try:
        position = int(ours.get("x-position", index))
        sub = int(ours.get("x-sub", 0))
    except ValueError:
        position, sub = index, 0
    occ = Occurrence(
        document=ours["x-document"],
        position=position,
        sub=sub,
        prev_source=ours.get("x-context-prev"),
        next_source=ours.get("x-context-next"),
        section=ours.get("x-section", ""),
    )
    return occ, kept


def _other_occurrences(
    props: list[tuple[str, str]], path: str, line: int | None
) -> tuple[Occurrence, ...]:
    """The ``x-occurrence`` props of a ``<tu>`` as occurrences, in document order."""
    out: list[Occurrence] = []
    for key, value in props:
        if key != OCC_MORE:
            continue
        try:
            d = json.loads(value)
            out.append(
                Occurrence(
                    document=_text(d["document"]),
                    position=_int(d["position"]),
                    sub=_int(d.get("sub", 0)),
                    prev_source=_text(d.get("prev"), none=True),
                    next_source=_text(d.get("next"), none=True),
                    section=_text(d.get("section", "")),
                )
            )
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise FormatError(
                path, line, f'bad <prop type="{OCC_MORE}">: {value[:60]!r}'
            ) from exc
    return tuple(out)


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
    tus = [
        etree.tostring(_tu_element(u, header), pretty_print=True, encoding="UTF-8")
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


def _tu_element(unit: TranslationUnit, header: TMXHeader) -> Any:
    attrs: dict[str, str] = {}
    if unit.tuid or unit.id is not None:
        attrs["tuid"] = unit.tuid or str(unit.id)
    for key, value in (
        ("creationdate", unit.created_at),
        ("creationid", unit.created_by),
        ("changedate", unit.changed_at),
        ("changeid", unit.changed_by),
    ):
        if value:
            attrs[key] = value
    if unit.segtype and unit.segtype != header.segtype:
        attrs["segtype"] = unit.segtype
    tu = etree.Element("tu", attrs)
    for note in unit.notes:
        etree.SubElement(tu, "note").text = note
    for key, value in unit.props:
        etree.SubElement(tu, "prop", type=key).text = value
    if unit.occurrence is not None:
        for key, value in _occurrence_props(unit.occurrence):
            etree.SubElement(tu, "prop", type=key).text = value
    for occ in unit.other_occurrences:
        etree.SubElement(tu, "prop", type=OCC_MORE).text = _occurrence_json(occ)
    for lang, text, codes in (
        (unit.source_lang, unit.source, unit.source_codes),
        (unit.target_lang, unit.target, unit.target_codes),
    ):
        tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
        tuv.append(make_inline_element("seg", text, codes))
    return tu


def _occurrence_json(occ: Occurrence) -> str:
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
