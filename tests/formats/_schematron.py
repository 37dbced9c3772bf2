"""A small ISO Schematron runner for the tests, on elementpath's XPath 2.0.

lxml's isoschematron is XSLT 1 only, and the TBX-Basic DCA schematron binds XSLT 2
(``matches()``, ``./local-name()``). This runner implements the subset of ISO
Schematron such schemas use: ``ns`` declarations, patterns whose rules fire on a node
in order (the first rule whose context matches a node takes it, within a pattern),
``assert`` (a failure when the test is false) and ``report`` (a finding when the
test is true). A rule context is an XSLT match pattern; each of the schema's
contexts is a relative path, so ``//`` + context selects exactly the nodes it
matches. Anything else (abstract patterns, ``let``, phases, includes) is refused
rather than silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elementpath import XPath2Parser, XPathContext
from lxml import etree

SCH = "{http://purl.oclc.org/dsdl/schematron}"
_UNSUPPORTED = ("let", "include", "phase", "extends", "param")


@dataclass(frozen=True)
class Failure:
    pattern: str
    context: str
    line: int | None
    message: str


def validate(document: Path, schema: Path) -> list[Failure]:
    """The failed asserts and fired reports of ``schema`` on ``document``."""
    sch = etree.parse(str(schema)).getroot()
    for name in _UNSUPPORTED:
        if sch.find(f".//{SCH}{name}") is not None:
            raise NotImplementedError(f"<{name}> is not supported by this runner")
    namespaces = {n.get("prefix"): n.get("uri") for n in sch.iter(f"{SCH}ns")}
    parser = XPath2Parser(namespaces=namespaces)
    doc = etree.parse(str(document))
    root_context = XPathContext(doc)
    failures: list[Failure] = []
    for pattern in sch.iter(f"{SCH}pattern"):
        if pattern.get("abstract") == "true" or pattern.get("is-a"):
            raise NotImplementedError("abstract patterns are not supported")
        fired: set[int] = set()
        for rule in pattern.iter(f"{SCH}rule"):
            context = rule.get("context", "")
            if "|" in context or context.startswith("/"):
                raise NotImplementedError(f"rule context {context!r}")
            nodes = parser.parse("//" + context).select(XPathContext(root_context.root))
            for node in nodes:
                key = _node_key(node)
                if key in fired:
                    continue
                fired.add(key)
                failures += _check(parser, rule, node, root_context, pattern, context)
    return failures


def _node_key(node: Any) -> int:
    elem = getattr(node, "elem", None)
    if elem is not None:
        return id(elem)
    parent = getattr(node, "parent", None)
    return hash((id(getattr(parent, "elem", parent)), getattr(node, "name", None)))


def _check(
    parser: XPath2Parser,
    rule: Any,
    node: Any,
    root_context: XPathContext,
    pattern: Any,
    context: str,
) -> list[Failure]:
    out = []
    for test_el in rule:
        kind = test_el.tag.removeprefix(SCH)
        if kind not in ("assert", "report"):
            continue
        ctx = XPathContext(root_context.root, item=node)
        value = _ebv(parser.parse(test_el.get("test")).evaluate(ctx))
        if (kind == "assert" and not value) or (kind == "report" and value):
            elem = getattr(node, "elem", None)
            if elem is None:
                elem = getattr(getattr(node, "parent", None), "elem", None)
            out.append(
                Failure(
                    pattern.get("id", ""),
                    context,
                    getattr(elem, "sourceline", None),
                    " ".join((test_el.text or "").split()),
                )
            )
    return out


def _ebv(value: Any) -> bool:
    """XPath's effective boolean value of a result."""
    if isinstance(value, list):
        if not value:
            return False
        if len(value) == 1:
            return _ebv(value[0])
        return True
    if isinstance(value, (bool, int, float)):
        return bool(value)
    if isinstance(value, str):
        return bool(value)
    return value is not None
