"""TBX term exchange: TBX-Basic v3 (``<tbx>``, ISO 30042:2019) and TBX 2008 (``<martif>``).

Both dialects share one shape under different element names (the Translate Toolkit's
``lisa.py`` idea): a concept entry holds language sections, each holding terms. The
mapping of a :class:`~tm.models.TermEntry`:

* ``zh`` → the source-language term, whose administrativeStatus carries the entry's
  status: approved → ``preferredTerm-admn-sts``, proposed → ``admittedTerm-admn-sts``
  (usable, not yet the preferred term), deprecated → ``supersededTerm-admn-sts``.
* ``en`` → a target term with ``preferredTerm-admn-sts``; variants →
  ``admittedTerm-admn-sts``; forbidden → ``deprecatedTerm-admn-sts`` (what CAT tools
  flag).
* ``note`` → ``<note>`` on the concept.
* ``category`` and ``seen`` have no TBX-Basic data category. v3 carries them as
  further concept notes, ``category: place_name`` and one ``seen in 000: 3`` per
  document — DCA style, so the file passes the TBX-Basic DCA schematron (elements of
  another namespace are DCT style, which DCA forbids); 2008 as
  ``<admin type="x-tm-…">``, which its core DTD allows and readers ignore. Files of
  older tm versions (``tm:`` elements in v3) are still read.
* 2008 also puts ``FORBIDDEN: <term>; use: <approved>`` as a note on each forbidden
  term: OmegaT, which reads TBX 2008, shows an entry's notes beside each of its
  renderings but not their status.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lxml import etree

from tm.errors import ConfigError, FormatError
from tm.formats._atomic import atomic_output
from tm.formats._xml import check_xml_chars, local_name, safe_iterparse
from tm.models import STATUSES, GlossaryHeader, TermEntry, TermStatus

log = logging.getLogger(__name__)

TBX_NS = "urn:iso:std:iso:30042:ed-2"
TM_NS = "urn:x-tm:glossary:1"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

PREFERRED = "preferredTerm-admn-sts"
ADMITTED = "admittedTerm-admn-sts"
DEPRECATED = "deprecatedTerm-admn-sts"
SUPERSEDED = "supersededTerm-admn-sts"
_ZH_STATUS: dict[str, str] = {
    TermStatus.APPROVED: PREFERRED,
    TermStatus.PROPOSED: ADMITTED,
    TermStatus.DEPRECATED: SUPERSEDED,
}
_ENTRY_STATUS: dict[str, str] = {
    DEPRECATED: TermStatus.DEPRECATED,
    SUPERSEDED: TermStatus.DEPRECATED,
    ADMITTED: TermStatus.PROPOSED,
}
HEADER_KEYS = ("domain", "owner", "source_lang", "target_lang")
# v3 concept notes that carry fields TBX-Basic has no data category for.
CATEGORY_NOTE = "category: "
SEEN_NOTE = "seen in "
# OmegaT shows every note of a TBX 2008 entry beside each of its renderings, so the
# note names the forbidden rendering it is about.
FORBIDDEN_NOTE = "FORBIDDEN: "


@dataclass(frozen=True, slots=True)
class Dialect:
    """Element names of one TBX dialect."""

    name: str
    root: str
    header: str
    entry: str
    lang: str
    term_group: str


V3 = Dialect("v3", "tbx", "tbxHeader", "conceptEntry", "langSec", "termSec")
TBX2008 = Dialect("2008", "martif", "martifHeader", "termEntry", "langSet", "tig")
DIALECTS = {"v3": V3, "2008": TBX2008}
_ENTRY_TAGS = {V3.entry, TBX2008.entry}


# -- reading ---------------------------------------------------------------------------


def read_tbx(path: str | Path) -> tuple[GlossaryHeader, list[TermEntry]]:
    """Read a TBX file of either dialect: its header and all entries.

    Raises:
        FormatError: malformed XML or an entry without a source-language term.
    """
    path = str(path)
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below, read lazily
    except OSError as exc:
        raise FormatError(path, None, f"cannot read TBX: {exc}") from exc
    with fh:
        state: dict[str, Any] = {}
        entries = list(_iter(fh, path, state))
    lines = state.get("no_english", [])
    if lines:
        log.warning(
            "%s:%s: %d %s no English term; read as proposed",
            path,
            lines[0],
            len(lines),
            "entry has" if len(lines) == 1 else "entries have",
        )
    return state.get("header", GlossaryHeader()), entries


def iter_tbx(source: str | Path | IO[bytes]) -> Iterator[TermEntry]:
    """Stream the entries of a TBX file (either dialect)."""
    if isinstance(source, (str, Path)):
        yield from read_tbx(source)[1]
        return
    yield from _iter(source, getattr(source, "name", "<tbx>"), {})


def _iter(fh: IO[bytes], path: str, state: dict[str, Any]) -> Iterator[TermEntry]:
    root_seen = False
    for event, el in safe_iterparse(fh, path):
        name = local_name(el.tag)
        if event == "start":
            if not root_seen:
                root_seen = True
                if name not in (V3.root, TBX2008.root):
                    raise FormatError(path, el.sourceline, f"not TBX: root <{name}>")
                _refuse_entities(el, path)
                state["root_lang"] = el.get(XML_LANG, "")
            continue
        if name in (V3.header, TBX2008.header):
            state["header"] = _read_header(el, state.get("root_lang", ""))
            el.clear()
        elif name in _ENTRY_TAGS:
            entry = _read_entry(el, path, state)
            el.clear()
            if entry is not None:
                yield entry


def _refuse_entities(root: Any, path: str) -> None:
    # safe_iterparse's own check reads ``parser.root``, which lxml leaves None while
    # iterating, so the declaration is checked here on the root element's tree.
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise FormatError(
            path, 1, "the document declares XML entities; tm refuses them"
        )


def _read_header(el: Any, root_lang: str) -> GlossaryHeader:
    values = {"source_lang": root_lang or "zh-CN"}
    for child in el.iter():
        name = local_name(child.tag)
        text = _text(child)
        if name == "title":
            values["name"] = text
        elif name == "p":
            key = child.get("type")
            if key not in HEADER_KEYS and ": " in text:  # 2008: "domain: …" lines
                key, _, text = text.partition(": ")
            if key in HEADER_KEYS:
                values[key] = text
    return GlossaryHeader(**values)


def _read_entry(el: Any, path: str, state: dict[str, Any]) -> TermEntry | None:
    fields: dict[str, Any] = {"seen": []}
    langs: list[tuple[str, list[tuple[str, str]]]] = []
    for child in el:
        name = local_name(child.tag)
        if name in (V3.lang, TBX2008.lang):
            langs.append((child.get(XML_LANG, ""), _terms(child)))
        else:
            try:
                _read_extra(child, name, fields)
            except ValueError as exc:  # a "seen" count that is not a number
                raise FormatError(path, child.sourceline, f"<{name}>: {exc}") from exc
    zh_terms = _chinese_terms(langs, state)
    if not zh_terms:
        found = ", ".join(sorted({tag or "(no xml:lang)" for tag, t in langs if t}))
        raise FormatError(
            path,
            el.sourceline,
            f"entry has no Chinese term (its terms are in: {found or 'no language'})",
            hint="a tm glossary entry needs its Chinese term; add one or remove the entry",
        )
    en_terms = _pick(langs, "en", skip=zh_terms) or next(
        (t for _, t in langs if t is not zh_terms and t), []
    )
    zh, zh_status = zh_terms[0]
    status = fields.get("status") or _ENTRY_STATUS.get(zh_status, TermStatus.APPROVED)
    if status not in STATUSES:
        raise FormatError(path, el.sourceline, f"unknown entry status {status!r}")
    en = next((t for t, s in en_terms if s in (PREFERRED, "")), "")
    if not en and status != TermStatus.PROPOSED:
        # A concept still waiting for its English: kept, as a proposed entry (the
        # only kind a glossary file may hold without an approved rendering).
        status = TermStatus.PROPOSED
        state.setdefault("no_english", []).append(el.sourceline)
    return TermEntry(
        zh=zh,
        en=en,
        variants=tuple(t for t, s in en_terms if s == ADMITTED and t != en),
        forbidden=tuple(t for t, s in en_terms if s in (DEPRECATED, SUPERSEDED)),
        note=fields.get("note", ""),
        status=str(status),
        category=fields.get("category", ""),
        seen=tuple(fields["seen"]),
    )


def _chinese_terms(
    langs: list[tuple[str, list[tuple[str, str]]]], state: dict[str, Any]
) -> list[tuple[str, str]] | None:
    """The Chinese side: by its language tag, else by the file's source language
    (a tool may tag Chinese otherwise), but never the English side of the entry."""
    header: GlossaryHeader = state.get("header", GlossaryHeader())
    found = _pick(langs, "zh")
    source = header.source_lang.split("-")[0].lower()
    if found is None and source not in ("en", ""):
        found = _pick(langs, source)
    return found


def _read_extra(child: Any, name: str, fields: dict[str, Any]) -> None:
    kind = child.get("type", "")
    text = _text(child)
    if name == "note" and text.startswith(CATEGORY_NOTE):
        fields["category"] = text.removeprefix(CATEGORY_NOTE)
    elif name == "note" and text.startswith(SEEN_NOTE) and ": " in text:
        doc, _, count = text.removeprefix(SEEN_NOTE).rpartition(": ")
        fields["seen"].append((doc, int(count)))
    elif name == "note" or (name == "descrip" and kind == "definition"):
        fields.setdefault("note", text)
    elif name == "admin" and kind.startswith("x-tm-"):
        name = kind.removeprefix("x-tm-")
        if name == "seen":
            doc, _, count = _text(child).partition(":")
            fields["seen"].append((doc.strip(), int(count or 0)))
        else:
            fields[name] = _text(child)
    elif isinstance(child.tag, str) and child.tag.startswith(f"{{{TM_NS}}}"):
        if name == "seen":
            fields["seen"].append((child.get("doc", ""), int(_text(child) or 0)))
        else:
            fields[name] = _text(child)


def _terms(lang_el: Any) -> list[tuple[str, str]]:
    """``(term, administrativeStatus)`` for each term group of a language section."""
    out = []
    for group in lang_el:
        if local_name(group.tag) not in (V3.term_group, TBX2008.term_group, "ntig"):
            continue
        term, status = "", ""
        for node in group.iter():
            name = local_name(node.tag)
            if name == "term" and not term:
                term = _text(node)
            elif name == "termNote" and node.get("type") == "administrativeStatus":
                status = _text(node)
        if term:
            out.append((term, status))
    return out


def _text(el: Any) -> str:
    return "".join(el.itertext()).strip()


def _pick(
    langs: list[tuple[str, list[tuple[str, str]]]],
    lang: str,
    *,
    skip: object = None,
) -> list[tuple[str, str]] | None:
    primary = lang.split("-")[0].lower()
    for tag, terms in langs:
        if terms and terms is not skip and tag.split("-")[0].lower() == primary:
            return terms
    return None


# -- writing ---------------------------------------------------------------------------


def write_tbx(
    entries: Iterable[TermEntry],
    dest: str | Path | IO[bytes],
    *,
    header: GlossaryHeader | None = None,
    dialect: str = "v3",
) -> int:
    """Write entries as TBX; returns how many were written.

    The tree is built in memory: a term base is small next to a TM, and a whole tree
    lets the document be checked before a byte is written. A path is replaced atomically.

    Args:
        entries: the entries to write.
        dest: a path, or a binary stream.
        header: languages, name, domain and owner (defaults: zh-CN → en-US).
        dialect: "v3" (TBX-Basic, ISO 30042:2019) or "2008" (``<martif>``).

    Raises:
        FormatError: text holds a character XML cannot carry.
    """
    try:
        d = DIALECTS[dialect]
    except KeyError:
        raise ValueError(f"unknown TBX dialect {dialect!r}: use v3 or 2008") from None
    header = header or GlossaryHeader()
    root, body = _skeleton(d, header)
    count = 0
    for count, entry in enumerate(entries, 1):
        body.append(_entry_element(d, entry, count, header))
    if count == 0 and d is V3:
        raise ConfigError(
            "TBX-Basic v3 needs at least one entry", hint="export as --format tbx2008"
        )
    data = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    if isinstance(dest, (str, Path)):
        with atomic_output(dest) as fh:
            fh.write(data)
    else:
        dest.write(data)
    return count


def _skeleton(d: Dialect, header: GlossaryHeader) -> tuple[Any, Any]:
    ns = f"{{{TBX_NS}}}" if d is V3 else ""
    nsmap = {None: TBX_NS} if d is V3 else None

    def sub(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
        el = etree.SubElement(parent, ns + tag, attrs)
        if text is not None:
            el.text = _checked(text)
        return el

    root = etree.Element(ns + d.root, nsmap=nsmap)
    if d is V3:
        root.set("type", "TBX-Basic")
        root.set("style", "dca")
    else:
        root.set("type", "TBX")
    root.set(XML_LANG, header.source_lang)
    file_desc = sub(sub(root, d.header), "fileDesc")
    sub(sub(file_desc, "titleStmt"), "title", header.name or "glossary")
    source_desc = sub(file_desc, "sourceDesc")
    for key in HEADER_KEYS:
        value = getattr(header, key)
        if d is V3:
            sub(source_desc, "p", value, type=key)
        else:
            sub(source_desc, "p", f"{key}: {value}")
    body = sub(sub(root, "text"), "body")
    return root, body


def _entry_element(d: Dialect, entry: TermEntry, n: int, header: GlossaryHeader) -> Any:
    ns = f"{{{TBX_NS}}}" if d is V3 else ""
    el = etree.Element(ns + d.entry, id=f"c{n}")
    if entry.note:
        etree.SubElement(el, ns + "note").text = _checked(entry.note)
    if d is V3:
        if entry.category:
            etree.SubElement(el, ns + "note").text = _checked(
                CATEGORY_NOTE + entry.category
            )
        for doc, count in entry.seen:
            etree.SubElement(el, ns + "note").text = _checked(
                f"{SEEN_NOTE}{doc}: {count}"
            )
    else:
        for key, value in (("status", str(entry.status)), ("category", entry.category)):
            if value:
                _admin(el, key, value)
        for doc, count in entry.seen:
            _admin(el, "seen", f"{doc}: {count}")
    _lang(
        el, d, header.source_lang, [(entry.zh, _ZH_STATUS.get(entry.status, PREFERRED))]
    )
    en_terms = [(t, ADMITTED) for t in entry.variants]
    en_terms += [(t, DEPRECATED) for t in entry.forbidden]
    if entry.en:
        en_terms.insert(0, (entry.en, PREFERRED))
    if en_terms:
        _lang(el, d, header.target_lang, en_terms, entry.en if d is TBX2008 else "")
    return el


def _admin(el: Any, key: str, value: str) -> None:
    etree.SubElement(el, "admin", type=f"x-tm-{key}").text = _checked(value)


def _lang(
    el: Any,
    d: Dialect,
    lang: str,
    terms: list[tuple[str, str]],
    use: str = "",
) -> None:
    ns = f"{{{TBX_NS}}}" if d is V3 else ""
    sec = etree.SubElement(el, ns + d.lang, {XML_LANG: lang})
    for text, status in terms:
        group = etree.SubElement(sec, ns + d.term_group)
        etree.SubElement(group, ns + "term").text = _checked(text)
        note = etree.SubElement(group, ns + "termNote", type="administrativeStatus")
        note.text = status
        if use and status == DEPRECATED:
            etree.SubElement(group, ns + "note").text = _checked(
                f"{FORBIDDEN_NOTE}{text}; use: {use}"
            )


def _checked(text: str) -> str:
    if not check_xml_chars(text):
        raise FormatError("<tbx>", None, f"text not allowed in XML: {text!r}")
    return text
