"""Normalization for matching. Stored text is never altered: we match on a separate key.

The key folds what a translator does not count as a difference in the words: width
(NFKC), Chinese vs ASCII punctuation (one table for both), whitespace, and case. The
seeds write ASCII ``,():;`` inside Chinese text, so both forms must fold to one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Chinese (and typographic) punctuation → the ASCII form it folds to. NFKC already turns
# full-width ，：；（）！？ into ASCII; the rest are not compatibility characters.
PUNCT_TABLE: dict[str, str] = {
    "。": ".",
    "｡": ".",
    "、": ",",
    "“": '"',
    "”": '"',
    "„": '"',
    "‘": "'",
    "’": "'",
    "〔": "[",
    "〕": "]",
    "【": "[",
    "】": "]",
    "〖": "[",
    "〗": "]",
    "「": '"',
    "」": '"',
    "『": '"',
    "』": '"',
    "－": "-",
    "‐": "-",
    "‑": "-",
    "–": "-",
    "·": "·",
    "・": "·",
    "〜": "~",
    "～": "~",
}
_TRANSLATE = str.maketrans(PUNCT_TABLE)

_CJK = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
    "\u3000-\u303f\uff00-\uffef"
)
HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_SPACE_RUN = re.compile(r"\s+")
_ANY_SPACE = re.compile(r"\s")
# A space with a CJK character (or CJK punctuation) on either side carries no meaning.
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")


def is_han(ch: str) -> bool:
    """True for a Han character (CJK unified ideographs and extensions)."""
    return bool(HAN_RE.match(ch))


def has_han(text: str) -> bool:
    """True when the text contains at least one Han character."""
    return HAN_RE.search(text) is not None


def fold(text: str) -> str:
    """Width, punctuation and whitespace folding; case is kept."""
    if text.isascii():
        # NFKC, the punctuation table and CJK spacing change no ASCII text; only
        # whitespace runs fold (str.split and \s agree on ASCII). Imports fold every
        # English target: this path is a fifth of the cost.
        return " ".join(text.split())
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    if _ANY_SPACE.search(text) is None:  # most Chinese text: nothing left to fold
        return text
    text = _CJK_SPACE.sub("", text)
    return _SPACE_RUN.sub(" ", text).strip()


def match_key(text: str) -> str:
    """The key exact matches and fuzzy scores are computed on."""
    return fold(text).casefold()


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Like :func:`match_key`, plus the index in ``text`` of every key character.

    Used to map differences found on keys back onto the stored text for highlighting.
    """
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).translate(_TRANSLATE).casefold():
            out.append(c)
            where.append(i)
    # Whitespace: drop runs next to CJK, collapse the rest, strip the ends.
    keep_chars: list[str] = []
    keep_where: list[int] = []
    n = len(out)
    for j, c in enumerate(out):
        if c.isspace():
            prev_c = keep_chars[-1] if keep_chars else ""
            k = j
            while k < n and out[k].isspace():
                k += 1
            next_c = out[k] if k < n else ""
            if not prev_c or not next_c or prev_c == " ":
                continue
            if _is_cjkish(prev_c) or _is_cjkish(next_c):
                continue
            keep_chars.append(" ")
            keep_where.append(where[j])
        else:
            keep_chars.append(c)
            keep_where.append(where[j])
    return "".join(keep_chars), keep_where


@lru_cache(maxsize=4096)
def _is_cjkish(ch: str) -> bool:
    return bool(re.match(f"[{_CJK}]", ch))


@lru_cache(maxsize=1024)  # a reader calls it for every <tuv>; files use few tags
def normalize_lang(tag: str) -> str:
    """BCP 47 case conventions: ``ZH-cn`` → ``zh-CN``, ``zh-hans`` → ``zh-Hans``."""
    parts = tag.strip().replace("_", "-").split("-")
    if not parts or not parts[0]:
        return tag
    out = [parts[0].lower()]
    for p in parts[1:]:
        if len(p) == 2 and p.isalpha():
            out.append(p.upper())
        elif len(p) == 4 and p.isalpha():
            out.append(p.title())
        else:
            out.append(p.lower())
    return "-".join(out)


def primary_lang(tag: str) -> str:
    """The primary subtag: ``zh-CN`` → ``zh``."""
    return tag.split("-", 1)[0].lower()
