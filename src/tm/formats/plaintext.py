"""Monolingual plain-text documents to translate (the Changsha–Zhuzhou–Xiangtan action plan's form).

A paragraph is a run of non-blank lines (a line of only spaces or no-break spaces is
blank). Web-page residue saved with the text — the ``• 索引号:…`` metadata bullets, 来源/
浏览量 lines, "扫一扫在手机打开当前页" — is not text to translate: it is returned as
residue with its line and reason, never dropped silently.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from tm.errors import FormatError
from tm.formats._text import read_text

_META_KEYS = "索引号|发布机构|公开范围|生成日期|公开日期|公开方式|发文字号|主题分类|成文日期|发布日期|来源|浏览量|访问量|点击量|信息来源|文章来源|作者|责任编辑"
_RESIDUE = (
    (re.compile(rf"^\s*[•·]\s*({_META_KEYS})\s*[:：]"), "page metadata bullet"),
    (re.compile(rf"^\s*({_META_KEYS})\s*[:：]"), "page metadata line"),
    (
        re.compile(
            r"^\s*(扫一扫在手机打开当前页|打印本页|关闭窗口|【打印】|【关闭】|分享到[:：]?.*|返回顶部)\s*$"
        ),
        "page furniture",
    ),
    (re.compile(r"^[\s|｜]+$"), "table rule"),
)
_BLANK = re.compile(r"^[\s\u00a0\u3000]*$")


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Residue:
    line: int
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """A document to translate: its paragraphs in order, and the residue set aside."""

    name: str
    paragraphs: tuple[Paragraph, ...]
    residue: tuple[Residue, ...]
    encoding: str = "utf-8"


def residue_reason(line: str) -> str | None:
    """Why ``line`` is page residue rather than text, or None when it is text."""
    for pattern, reason in _RESIDUE:
        if pattern.match(line):
            return reason
    return None


def read_plaintext(path: str | Path, *, encoding: str | None = None) -> SourceDocument:
    """Read a plain-text document into paragraphs and residue.

    Raises:
        FormatError: the file cannot be decoded or has no text at all.
    """
    text, used = read_text(path, encoding=encoding)
    doc = parse_plaintext(text, str(path))
    return SourceDocument(doc.name, doc.paragraphs, doc.residue, used)


def parse_plaintext(text: str, path: str) -> SourceDocument:
    paragraphs: list[Paragraph] = []
    residue: list[Residue] = []
    buf: list[str] = []
    start = 0
    for n, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip(" \t\u00a0\u3000")
        reason = residue_reason(raw) if line else None
        if _BLANK.match(raw) or reason:
            if buf:
                paragraphs.append(Paragraph("".join(buf), start))
                buf = []
            if reason:
                residue.append(Residue(n, raw.strip(), reason))
            continue
        if not buf:
            start = n
        buf.append(line)
    if buf:
        paragraphs.append(Paragraph("".join(buf), start))
    if not paragraphs:
        raise FormatError(path, 1, "no text to translate in the file")
    return SourceDocument(os.path.basename(path), tuple(paragraphs), tuple(residue))
