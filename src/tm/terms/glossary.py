"""YAML glossary files: read with line numbers for errors, write in a stable readable form.

A glossary file is ``glossary:`` (a header) plus ``entries:`` (a list of mappings). The
file is parsed once into a node tree (``yaml.SafeLoader``) so every schema error can name
the file, the line and the field; the values are then built from the same nodes.
Writing goes through :func:`dump_glossary`, whose output reads back to equal entries,
keeps the field order fixed and puts one blank line between entries, so a diff of a
hand-edited file stays small.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from tm.errors import FormatError
from tm.formats._atomic import atomic_output
from tm.models import STATUSES, GlossaryHeader, SourceRef, TermEntry, TermStatus

_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")

ENTRY_FIELDS = (
    "zh",
    "en",
    "variants",
    "forbidden",
    "note",
    "status",
    "category",
    "seen",
)
HEADER_FIELDS = ("name", "source_lang", "target_lang", "domain", "owner")


def read_glossary(path: str | Path) -> tuple[GlossaryHeader, list[TermEntry]]:
    """Read one YAML glossary file.

    Raises:
        FormatError: unreadable YAML or a schema error (file, line and field named).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FormatError(str(path), None, f"cannot read glossary: {exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FormatError(
            str(path), line, f"not valid UTF-8 (byte {data[exc.start]:#04x})"
        ) from exc
    return parse_glossary(text, str(path))


def parse_glossary(text: str, path: str) -> tuple[GlossaryHeader, list[TermEntry]]:
    """Parse glossary YAML text; ``path`` is only used in error messages."""
    loaded = _parsed_in_c(text)
    data, node = loaded if loaded is not None else _parsed(text, path)
    if node is None:
        return GlossaryHeader(), []
    _refuse_surrogates(data, text, path)
    if not isinstance(data, dict):
        raise FormatError(path, _line(node), "a glossary is a mapping with 'entries:'")
    keys = _key_lines(node)
    _refuse_repeated_keys(node, path)
    unknown = set(data) - {"glossary", "entries"}
    if unknown:
        field = sorted(map(str, unknown))[0]
        raise FormatError(
            path,
            keys.get(field, _line(node)),
            f"unknown top-level field {field!r}",
            hint="expected 'glossary' (header) and 'entries'",
        )
    header = _header(data.get("glossary"), _value_node(node, "glossary"), path)
    raw = data.get("entries") or []
    entries_node = _value_node(node, "entries")
    if not isinstance(raw, list):
        raise FormatError(path, keys.get("entries"), "field 'entries' must be a list")
    items = entries_node.value if isinstance(entries_node, yaml.SequenceNode) else []
    return header, [_entry(item, n, path) for item, n in zip(raw, items, strict=True)]


def _refuse_surrogates(data: Any, text: str, path: str) -> None:
    """YAML's ``"\\ud800"`` escape gives a lone surrogate, which no output can write."""
    if "\\u" not in text and "\\U" not in text:
        return  # no escape: the text (a str the YAML reader took) has no surrogate
    stack = [data]
    seen: set[int] = set()  # aliases share lists: an alias bomb is a DAG, not a tree
    while stack:
        item = stack.pop()
        if isinstance(item, (dict, list)):
            if id(item) in seen:
                continue
            seen.add(id(item))
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and _SURROGATE.search(item):
            escape = _SURROGATE_ESCAPE.search(text)
            line = text.count("\n", 0, escape.start()) + 1 if escape else 1
            raise FormatError(
                path,
                line,
                f"invalid text {item[:40]!r}: a lone UTF-16 surrogate "
                "(a \\uD800–\\uDFFF escape)",
                hint="write the character itself, or its \\U0001xxxx escape",
            )


def _parsed_in_c(text: str) -> tuple[Any, yaml.Node | None] | None:
    """The document and its node tree, parsed by libyaml; None when it is not there,
    the text holds characters the YAML reader refuses, or anything goes wrong (the
    Python parser then says what is wrong, and where).

    libyaml is eight times faster: the shipped glossary took 0.25 s of each new
    process's first look-up. It builds the same nodes, with the same marks.
    """
    loader_class = getattr(yaml, "CSafeLoader", None)
    if loader_class is None or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    try:
        loader = loader_class(text)
    except Exception:  # text libyaml cannot take (a lone surrogate): see _parsed
        return None
    try:
        node = loader.get_single_node()
        return (None if node is None else loader.construct_document(node)), node
    except Exception:  # every failure is reported by _parsed, with its line
        return None
    finally:
        loader.dispose()


def _parsed(text: str, path: str) -> tuple[Any, yaml.Node | None]:
    """The document and its node tree, parsed by PyYAML's Python parser.

    Raises:
        FormatError: the text is not valid YAML (with the line).
    """
    try:
        loader = yaml.SafeLoader(text)  # rejects control characters already
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text, path) from exc
    try:
        node = loader.get_single_node()
        return (None if node is None else loader.construct_document(node)), node
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text, path) from exc
    except RecursionError as exc:  # [[[[… thousands deep
        raise FormatError(
            path, loader.get_mark().line + 1, "invalid YAML: nested too deep"
        ) from exc
    except ValueError as exc:  # an integer of thousands of digits (int()'s limit)
        raise FormatError(
            path,
            loader.get_mark().line + 1,
            "invalid YAML: a number too long to read (over 4300 digits)",
        ) from exc
    finally:
        loader.dispose()


def _refuse_repeated_keys(node: yaml.Node, path: str) -> None:
    # YAML keeps the last of two equal keys: a second 'entries:' would silently drop
    # every entry above it.
    seen: set[str] = set()
    for key, _ in node.value if isinstance(node, yaml.MappingNode) else ():
        if str(key.value) in seen:
            raise FormatError(
                path, key.start_mark.line + 1, f"field {key.value!r} appears twice"
            )
        seen.add(str(key.value))


def _yaml_error(exc: yaml.YAMLError, text: str, path: str) -> FormatError:
    """One line with the line number: PyYAML's own message spans several lines."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        line = mark.line + 1
    else:  # a ReaderError (a control character) knows only its offset
        line = text.count("\n", 0, getattr(exc, "position", 0)) + 1
    parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
    msg = " ".join(str(p) for p in parts if p) or str(exc)
    return FormatError(path, line, f"invalid YAML: {' '.join(msg.split())}")


def _header(raw: Any, node: yaml.Node | None, path: str) -> GlossaryHeader:
    if raw is None:
        return GlossaryHeader()
    if not isinstance(raw, dict):
        raise FormatError(path, _line(node), "field 'glossary' must be a mapping")
    keys = _key_lines(node)
    values: dict[str, str] = {}
    for key, value in raw.items():
        if key not in HEADER_FIELDS:
            raise FormatError(path, keys.get(str(key)), f"unknown header field {key!r}")
        if value is not None and not isinstance(value, str):
            raise FormatError(path, keys.get(key), f"header field {key!r} must be text")
        values[key] = value or ""
    return GlossaryHeader(**values)


def _entry(raw: Any, node: yaml.Node, path: str) -> TermEntry:
    _refuse_repeated_keys(node, path)  # YAML would keep the last 'en:' silently
    line = _line(node)
    if not isinstance(raw, dict):
        raise FormatError(path, line, "an entry must be a mapping with 'zh' and 'en'")
    keys = _key_lines(node)

    def fail(field: str, msg: str) -> FormatError:
        return FormatError(path, keys.get(field, line), f"field {field!r}: {msg}")

    for key in raw:
        if key not in ENTRY_FIELDS:
            raise fail(str(key), "unknown field (typo?)")
    zh = raw.get("zh")
    if not isinstance(zh, str):
        raise fail("zh", ZH_REQUIRED)
    status = raw.get("status", TermStatus.APPROVED.value)
    en = raw.get("en")
    if en is None and status == TermStatus.PROPOSED:
        en = ""
    if not isinstance(en, str):
        raise fail("en", EN_REQUIRED)
    problem = entry_problem(zh, en, status)
    if problem is not None:
        raise fail(*problem)
    return TermEntry(
        zh=zh.strip(),
        en=en.strip(),
        variants=_text_list(raw, "variants", fail),
        forbidden=_text_list(raw, "forbidden", fail),
        note=_text(raw, "note", fail),
        status=str(status),
        category=_text(raw, "category", fail),
        seen=_seen(raw, fail),
        source=SourceRef(path, keys.get("zh", line)),
    )


ZH_REQUIRED = "required, a non-empty text"
EN_REQUIRED = "required (the approved rendering) unless status is proposed"


def entry_problem(zh: str, en: str, status: object) -> tuple[str, str] | None:
    """What the loader would refuse in an entry: ``(field, message)``, or None.

    One rule for reading and for writing: an edit, an import or ``tm terms add``
    checks an entry with it before saving, so tm never writes a glossary file that
    it then cannot read.
    """
    if not zh.strip():
        return "zh", ZH_REQUIRED
    if status not in STATUSES:
        return "status", f"must be one of {', '.join(STATUSES)}, not {status!r}"
    if not en.strip() and status != TermStatus.PROPOSED:
        return "en", EN_REQUIRED
    return None


def _text(raw: dict[str, Any], field: str, fail: Any) -> str:
    value = raw.get(field)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise fail(field, "must be text")
    return str(value).strip()


def _text_list(raw: dict[str, Any], field: str, fail: Any) -> tuple[str, ...]:
    value = raw.get(field)
    if value is None:
        return ()
    if isinstance(value, str):  # a hand editor's single rendering without brackets
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(field, "must be a list of texts")
    return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))


def _seen(raw: dict[str, Any], fail: Any) -> tuple[tuple[str, int], ...]:
    value = raw.get("seen")
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise fail(
            "seen",
            "must be a mapping of document name to count, "
            'e.g. {"factor-reform-2025.zh-en.txt": 3}',
        )
    out: list[tuple[str, int]] = []
    for doc, count in value.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise fail("seen", f"count for {doc!r} must be a whole number ≥ 0")
        # YAML 1.1 reads an unquoted 003 as the integer 3; older files keyed
        # documents by three-digit numbers, so those keep their leading zeros.
        out.append((f"{doc:03d}" if isinstance(doc, int) else str(doc), count))
    return tuple(out)


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def _key_lines(node: yaml.Node | None) -> dict[str, int]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def _value_node(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v  # type: ignore[no-any-return]
    return None


# -- writing -------------------------------------------------------------------------


def entry_dict(entry: TermEntry) -> dict[str, Any]:
    """The entry as the ordered mapping written to YAML; empty fields are left out."""
    out: dict[str, Any] = {"zh": entry.zh}
    if entry.en or entry.status != TermStatus.PROPOSED:
        out["en"] = entry.en
    if entry.variants:
        out["variants"] = list(entry.variants)
    if entry.forbidden:
        out["forbidden"] = list(entry.forbidden)
    if entry.note:
        out["note"] = entry.note
    out["status"] = str(entry.status)
    if entry.category:
        out["category"] = entry.category
    if entry.seen:
        out["seen"] = dict(entry.seen)
    return out


def dump_glossary(
    header: GlossaryHeader,
    entries: Iterable[TermEntry],
    *,
    comments: Sequence[str] = (),
) -> str:
    """The YAML text of a glossary file: header, then one block per entry."""
    parts = [f"# {c}\n" for c in comments]
    head = {f: getattr(header, f) for f in HEADER_FIELDS}
    parts.append(_dump({"glossary": head}, flow=False))
    parts.append("\nentries:\n")
    for i, entry in enumerate(entries):
        if i:
            parts.append("\n")
        parts.append(_dump_entry(entry_dict(entry)))
    if parts[-1] == "\nentries:\n":
        parts[-1] = "\nentries: []\n"
    return "".join(parts)


def write_glossary(
    path: str | Path, header: GlossaryHeader, entries: Iterable[TermEntry]
) -> None:
    """Write a glossary file atomically (a crash leaves the old file whole)."""
    text = dump_glossary(header, entries)
    with atomic_output(path, mode="w") as fh:
        fh.write(text)


def _dump(data: Any, *, flow: bool | None = None) -> str:
    return yaml.safe_dump(
        data,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=flow,
        width=100,
        indent=2,
    )


def _dump_entry(fields: dict[str, Any]) -> str:
    """One ``- zh: …`` block, one field a line; lists and ``seen`` in flow style."""
    lines = []
    for i, (key, value) in enumerate(fields.items()):
        lead = "- " if i == 0 else "  "
        lines.append(f"{lead}{key}: {_flow(value)}\n")
    return "".join(lines)


def _flow(value: Any) -> str:
    text = yaml.safe_dump(
        value, allow_unicode=True, default_flow_style=True, width=1 << 30
    )
    return text.removesuffix("\n").removesuffix("\n...")
