"""Safe XML reading shared by the TMX, TBX and XLIFF readers, and inline-code handling.

Parsers never resolve entities, never load a DTD and never touch the network. A
document that declares entities is refused rather than expanded (billion laughs, XXE).

Inline codes (``<bpt>``, ``<ph>``, ``<g>`` …) are kept as single placeholder characters
from the Private Use Area in the unit's text, with their XML in a parallel tuple, so
matching sees one character per code and a writer restores the markup exactly.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from tm.errors import FormatError

PLACEHOLDER_BASE = 0xE000
PLACEHOLDER_MAX = 0xE0FF
# Elements whose content is translatable text: kept as an opening and a closing code.
PAIRED = frozenset({"hi", "g", "mrk", "pc", "sub"})
# Characters XML 1.0 forbids; the TMX writer carries them as character placeholders.
NON_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
CHAR_PH_TYPE = "x-tm-char"
_HEX = re.compile(r"[0-9A-Fa-f]{1,6}")
MAX_DEPTH = 64
# Bounds on one streamed unit (a <tu>, a term entry): the reader holds a unit in memory
# until its end tag, so a unit of millions of elements or bytes would exhaust memory.
MAX_UNIT_ELEMENTS = 20_000
MAX_UNIT_BYTES = 32 * 1024 * 1024
HEAD_BYTES = 65536
# How many levels of each format are containers of units rather than units.
CONTAINER_DEPTH = {"tmx": 2, "xliff": 3, "tbx": 3, "martif": 3}
_DECL_RE = re.compile(
    rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']"
)
ENTITY_REFUSAL = (
    "the document declares XML entities; tm refuses them (entity expansion is a "
    "known attack: billion laughs, external entities)"
)


def placeholder(i: int) -> str:
    return chr(PLACEHOLDER_BASE + i)


def is_placeholder(ch: str) -> bool:
    return PLACEHOLDER_BASE <= ord(ch) <= PLACEHOLDER_MAX


def local_name(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


class _CountingReader:
    """A binary file wrapper that counts the bytes the parser has pulled."""

    def __init__(self, fh: IO[bytes], head: bytes = b"") -> None:
        self._fh = fh
        self._head = head
        self.consumed = 0

    def read(self, size: int = -1) -> bytes:
        if self._head:
            data, self._head = self._head, b""
        else:
            data = self._fh.read(size)
        self.consumed += len(data)
        return data


# What every parser here is given: no entity expansion, no DTD, no network, libxml2's
# size limits; comments and processing instructions are dropped.
_SAFE: dict[str, Any] = {
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def safe_parser() -> Any:
    """A parser for a whole document with :func:`safe_iterparse`'s settings.

    Its caller refuses a document with an internal DTD (entity declarations) itself.
    """
    return etree.XMLParser(**_SAFE)


def safe_iterparse(
    source: IO[bytes],
    path: str,
    *,
    tags: tuple[str, ...] | None = None,
    stream_depth: int | None = None,
) -> Iterator[tuple[str, Any]]:
    """``lxml.etree.iterparse`` with safe settings; errors become FormatError(path, line).

    Yields ``(event, element)`` for start and end events. The caller clears elements.
    Elements at depth ``stream_depth`` or above are containers (``<tmx>``, ``<body>``)
    that may hold any number of units; each element below them is a unit, bounded by
    ``MAX_UNIT_ELEMENTS`` and ``MAX_UNIT_BYTES``. By default the depth comes from the
    root element (``CONTAINER_DEPTH``): tmx/body, xliff/file/body, tbx/text/body.

    A document whose internal DTD declares entities is refused before any element
    content is read. libxml2 itself refuses entity amplification in attributes, and
    external DTDs and entities are never loaded (no file read, no network).
    """
    head = source.read(HEAD_BYTES)
    check_declared_encoding(head, path)
    reader = _CountingReader(source, head)
    parser = etree.iterparse(reader, events=("start", "end"), **_SAFE)
    # The syntax error lxml raises mid-stream can be a bare "no element found"; the
    # error log holds the real message and line, so start from an empty log.
    etree.clear_error_log()
    depth = unit_elements = unit_start = last_line = 0
    container = -1 if stream_depth is None else stream_depth
    groups: list[int] = []  # containers' depths before each open XLIFF <group>
    grouping = False
    try:
        for event, el in parser:
            last_line = el.sourceline or last_line
            if event == "start":
                depth += 1
                if depth == 1:
                    _refuse_entity_declarations(el, path)
                    if container < 0:
                        container = CONTAINER_DEPTH.get(local_name(el.tag), 2)
                    grouping = local_name(el.tag) == "xliff"
                if depth > MAX_DEPTH:
                    raise FormatError(
                        path, el.sourceline, f"XML nested deeper than {MAX_DEPTH}"
                    )
                if (
                    grouping
                    and depth == container + 1
                    and local_name(el.tag) == "group"
                ):
                    # An XLIFF <group> holds units as <body> does: any number of them.
                    groups.append(container)
                    container = depth
                elif depth == container + 1:
                    unit_elements, unit_start = 0, reader.consumed
                if depth > container:
                    unit_elements += 1
                    _check_unit(el, path, unit_elements, reader.consumed - unit_start)
            else:
                if groups and depth == container:
                    container = groups.pop()
                depth -= 1
            yield event, el
    except etree.XMLSyntaxError as exc:
        line, msg = _syntax_error(exc, last_line)
        raise FormatError(path, line, f"malformed XML: {msg}") from exc


def check_declared_encoding(head: bytes, path: str) -> None:
    """Refuse a declaration that names a legacy encoding for bytes that are UTF-8.

    libxml2 trusts the declaration, so ``encoding="GBK"`` on a UTF-8 file would be read
    as mojibake without any error. Real GBK/GB18030 text is almost never valid UTF-8,
    so non-ASCII bytes that decode as UTF-8 mean the declaration lies.
    """
    m = _DECL_RE.match(head)
    if not m:
        return
    declared = m.group(1).decode("ascii").lower().replace("_", "-")
    if declared.startswith(
        ("utf-8", "utf8", "utf-16", "utf16", "ucs", "us-ascii", "ascii")
    ):
        return
    if head.isascii():
        return
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        cut_char = len(head) == HEAD_BYTES and exc.start >= len(head) - 3
        if not cut_char:  # the head may end inside a character
            return
    raise FormatError(
        path,
        1,
        f"the XML declaration says encoding={declared!r} but the bytes are UTF-8",
        hint='fix the declaration (encoding="UTF-8") or re-save the file',
    )


def _check_unit(el: Any, path: str, elements: int, size: int) -> None:
    if elements > MAX_UNIT_ELEMENTS or size > MAX_UNIT_BYTES:
        raise FormatError(
            path,
            el.sourceline,
            f"one unit holds more than {MAX_UNIT_ELEMENTS} elements or "
            f"{MAX_UNIT_BYTES // 2**20} MiB; refused to protect memory",
        )


def _syntax_error(exc: etree.XMLSyntaxError, last_line: int) -> tuple[int, str]:
    """The line and message of the first fatal parser error, not lxml's summary."""
    for entry in exc.error_log:
        if entry.level >= etree.ErrorLevels.FATAL:
            return max(entry.line, 1), _explain(entry.message)
    msg = getattr(exc, "msg", "") or str(exc)
    if exc.lineno:
        return exc.lineno, _explain(msg)
    # No position: the input ended early (truncated file) or held no element at all.
    return max(last_line, 1), "the document ends early (truncated?)"


def _explain(msg: str) -> str:
    # libxml2 may quote the offending input, newlines and all: keep the error one line.
    msg = " ".join(msg.split())
    if "XML_PARSE_HUGE" in msg:  # libxml2's advice names a flag users cannot set
        return (
            "a text or attribute longer than libxml2's limit (10,000,000 bytes); "
            "tm refuses it to protect memory"
        )
    if len(msg) > 160:
        msg = msg[:159] + "…"
    if "amplification" in msg or ("entity" in msg.lower() and "loop" in msg.lower()):
        return f"{msg} (entity expansion refused: an XML bomb?)"
    return msg


def _refuse_entity_declarations(root: Any, path: str) -> None:
    # iterparse's ``parser.root`` is still None at the first start event, but the
    # element's tree already carries the parsed internal DTD.
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise FormatError(path, 1, ENTITY_REFUSAL)


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
        if name == "ph" and child.get("type") == CHAR_PH_TYPE:
            parts.append(_char_from_ph(child, path))
        elif name in PAIRED:
            try:
                open_tag, close_tag = _split_tags(child)
            except ValueError as exc:  # lxml refuses to rebuild an odd namespace URI
                raise FormatError(path, child.sourceline, str(exc)) from exc
            parts.append(_code(codes, open_tag, path, child))
            _walk(child, parts, codes, path)
            parts.append(_code(codes, close_tag, path, child))
        else:
            xml = etree.tostring(child, encoding="unicode", with_tail=False)
            parts.append(_code(codes, xml, path, child))
        if child.tail:
            parts.append(child.tail)


def _char_from_ph(el: Any, path: str) -> str:
    """The character a ``<ph type="x-tm-char">U+0001</ph>`` stands for."""
    value = (el.text or "").strip()
    digits = value.removeprefix("U+")
    # At most six hex digits (int() of 5,000 digits overflows chr), and never a
    # surrogate, which no UTF-8 output can write.
    code = int(digits, 16) if _HEX.fullmatch(digits) else -1
    if not 0 <= code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise FormatError(
            path,
            el.sourceline,
            f"bad character placeholder {value[:40]!r}",
            hint="x-tm-char holds U+ and a code point (U+0001 … U+10FFFF, "
            "no surrogates)",
        )
    if code == 0:
        # PostgreSQL cannot store NUL in text, and no TSV or CSV reader takes it back:
        # refused here, the same on both backends.
        raise FormatError(
            path,
            el.sourceline,
            "a NUL character (U+0000 placeholder): tm cannot store NUL",
            hint="remove the placeholder from the segment",
        )
    return chr(code)


def _code(codes: list[str], xml: str, path: str, el: Any) -> str:
    if len(codes) > PLACEHOLDER_MAX - PLACEHOLDER_BASE:
        raise FormatError(
            path, el.sourceline, "more than 256 inline codes in one segment"
        )
    codes.append(xml)
    return placeholder(len(codes) - 1)


def _split_tags(el: Any) -> tuple[str, str]:
    shell = etree.Element(el.tag, dict(el.attrib), nsmap=el.nsmap)
    shell.text = ""  # serialized as <g ...></g>, never as an empty-element tag
    xml = etree.tostring(shell, encoding="unicode")
    cut = xml.rindex("</")
    return xml[:cut], xml[cut:]


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
    if NON_XML_RE.match(ch):
        return f'<ph type="{CHAR_PH_TYPE}">U+{ord(ch):04X}</ph>'
    return ch


def make_inline_element(tag: str, text: str, codes: tuple[str, ...]) -> Any:
    """An element ``<tag>`` holding ``text`` with its inline codes restored.

    Characters XML 1.0 cannot carry (C0 controls, U+FFFE/U+FFFF) are written as
    ``<ph type="x-tm-char">U+0001</ph>``, which our reader turns back into the
    character: the stored text is kept, and the file stays well-formed.
    """
    if not codes and not NON_XML_RE.search(text):
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
