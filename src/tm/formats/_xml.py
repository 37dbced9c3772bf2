"""Safe XML reading shared by the TMX, TBX and XLIFF readers, and inline-code handling.

Parsers never resolve entities, never load a DTD and never touch the network. A
document that declares entities is refused rather than expanded (billion laughs, XXE).

Inline codes (``<bpt>``, ``<ph>``, ``<g>`` …) are kept as single placeholder characters
from the Private Use Area in the unit's text, with their XML in a parallel tuple, so
matching sees one character per code and a writer restores the markup exactly.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from tm.errors import FormatError

PLACEHOLDER_BASE = 0xE000
PLACEHOLDER_MAX = 0xE0FF
# Elements whose content is translatable text: kept as an opening and a closing code.
PAIRED = frozenset({"hi", "g", "mrk", "pc", "sub"})
MAX_DEPTH = 64


def placeholder(i: int) -> str:
    return chr(PLACEHOLDER_BASE + i)


def is_placeholder(ch: str) -> bool:
    return PLACEHOLDER_BASE <= ord(ch) <= PLACEHOLDER_MAX


def local_name(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def safe_iterparse(
    source: IO[bytes], path: str, *, tags: tuple[str, ...] | None = None
) -> Iterator[tuple[str, Any]]:
    """``lxml.etree.iterparse`` with safe settings; errors become FormatError(path, line).

    Yields ``(event, element)`` for start and end events. The caller clears elements.
    """
    parser = etree.iterparse(
        source,
        events=("start", "end"),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    depth = 0
    try:
        for event, el in parser:
            if event == "start":
                depth += 1
                if depth > MAX_DEPTH:
                    raise FormatError(
                        path, el.sourceline, f"XML nested deeper than {MAX_DEPTH}"
                    )
                if depth == 1:
                    _refuse_entity_declarations(parser, path)
            else:
                depth -= 1
            yield event, el
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        msg = exc.msg if hasattr(exc, "msg") and exc.msg else str(exc)
        raise FormatError(path, line, f"malformed XML: {msg}") from exc


def _refuse_entity_declarations(parser: Any, path: str) -> None:
    docinfo = parser.root.getroottree().docinfo if parser.root is not None else None
    if docinfo is None:
        return
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise FormatError(
            path,
            1,
            "the document declares XML entities; tm refuses them (entity expansion is a "
            "known attack: billion laughs, external entities)",
        )


def read_inline(el: Any, path: str) -> tuple[str, tuple[str, ...]]:
    """Text of ``el`` with inline elements replaced by placeholders, and their XML."""
    parts: list[str] = []
    codes: list[str] = []
    _walk(el, parts, codes, path)
    return "".join(parts), tuple(codes)


def _walk(el: Any, parts: list[str], codes: list[str], path: str) -> None:
    if el.text:
        parts.append(el.text)
    for child in el:
        if isinstance(child, etree._Entity):
            raise FormatError(
                path, el.sourceline, f"entity reference {child.text} is not allowed"
            )
        if not isinstance(child.tag, str):  # comment or PI
            if child.tail:
                parts.append(child.tail)
            continue
        name = local_name(child.tag)
        if name in PAIRED:
            open_tag, close_tag = _split_tags(child)
            parts.append(_code(codes, open_tag, path, child))
            _walk(child, parts, codes, path)
            parts.append(_code(codes, close_tag, path, child))
        else:
            xml = etree.tostring(child, encoding="unicode", with_tail=False)
            parts.append(_code(codes, xml, path, child))
        if child.tail:
            parts.append(child.tail)


def _code(codes: list[str], xml: str, path: str, el: Any) -> str:
    if len(codes) > PLACEHOLDER_MAX - PLACEHOLDER_BASE:
        raise FormatError(
            path, el.sourceline, "more than 256 inline codes in one segment"
        )
    codes.append(xml)
    return placeholder(len(codes) - 1)


def _split_tags(el: Any) -> tuple[str, str]:
    shell = etree.Element(el.tag, dict(el.attrib))
    shell.text = "\ue0ff"
    xml = etree.tostring(shell, encoding="unicode")
    open_tag, close_tag = xml.split("\ue0ff")
    return open_tag, close_tag


def inline_xml(text: str, codes: tuple[str, ...]) -> str:
    """The XML fragment for ``text``: text escaped, placeholders replaced by their codes."""
    out: list[str] = []
    for ch in text:
        if codes and is_placeholder(ch) and ord(ch) - PLACEHOLDER_BASE < len(codes):
            out.append(codes[ord(ch) - PLACEHOLDER_BASE])
        else:
            out.append(_escape(ch))
    return "".join(out)


def _escape(ch: str) -> str:
    if ch == "&":
        return "&amp;"
    if ch == "<":
        return "&lt;"
    if ch == ">":
        return "&gt;"
    if ch == "\r":
        return "&#13;"  # a literal CR would be normalized away by the parser
    return ch


def make_inline_element(tag: str, text: str, codes: tuple[str, ...]) -> Any:
    """An element ``<tag>`` holding ``text`` with its inline codes restored."""
    if not codes:
        el = etree.Element(tag)
        el.text = text
        return el
    return etree.fromstring(f"<{tag}>{inline_xml(text, codes)}</{tag}>")


def display(text: str, codes: tuple[str, ...] = ()) -> str:
    """Text for people: each placeholder shown as ``{n}`` (1-based), as CAT tools do."""
    if not any(is_placeholder(c) for c in text):
        return text
    return "".join(
        f"{{{ord(c) - PLACEHOLDER_BASE + 1}}}" if is_placeholder(c) else c for c in text
    )


def check_xml_chars(text: str) -> bool:
    """True when every character of ``text`` may appear in XML 1.0."""
    try:
        etree.Element("x").text = text
    except ValueError:
        return False
    return True


def as_bytes_io(data: bytes) -> IO[bytes]:
    return io.BytesIO(data)
