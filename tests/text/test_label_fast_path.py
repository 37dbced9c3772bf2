"""zh_label answers "no label" from the first character alone when no label can open
with it; it must agree with the full patterns everywhere."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tm import placeables

# What follows the first character: after each of these, one opener or another makes
# a label (一、 (一) 1. (1) 第一条 …), so a wrong "no" shows up.
TAILS = (
    "、推动改革",
    "一)推动改革",
    ")推动改革",
    ". 推动改革",
    "一条 推动改革",
    "1条 推动",
    "",
)


def _both(text: str) -> None:
    assert placeables.zh_label(text) == placeables._zh_label(text), repr(text)


# Every character of the Basic Multilingual Plane (all of CJK, the brackets, the
# full-width digits), every decimal digit beyond it, and a sample of the rest.
FIRSTS = [
    chr(c)
    for c in range(1, sys.maxunicode + 1)
    if not 0xD800 <= c <= 0xDFFF and (c < 0x10000 or c % 97 == 0 or chr(c).isdecimal())
]


@pytest.mark.parametrize("lead", ["", " ", "\u3000"])
def test_every_first_character_agrees_with_the_patterns(lead: str) -> None:
    for first in FIRSTS if lead == "" else FIRSTS[::7]:
        for tail in TAILS:
            _both(lead + first + tail)


def test_real_paragraphs_agree(examples_dir: Path) -> None:
    lines = []
    for name in ("factor-reform-2025.zh-en.txt", "changzhutan-action-plan.zh.txt"):
        lines += (examples_dir / name).read_text(encoding="utf-8").splitlines()
    labelled = 0
    for line in lines:
        _both(line)
        labelled += placeables.zh_label(line) is not None
    assert labelled > 50  # the documents' list labels are found
