"""Normalization for matching and grouping. Stored text is never altered: we compare keys.

One family of keys, each named for what it folds away, each the one before it plus
one more fold (the seeds write ASCII ``,():;`` inside Chinese text, so both forms of
punctuation always fold to one):

* :func:`match_key` — width (NFKC), Chinese vs ASCII punctuation, runs of whitespace
  (and whitespace next to CJK), case. Exact and fuzzy matching, concordance, the
  stores' key columns.
* :func:`unpunctuated_key` — a match key without punctuation, symbols or spaces (the
  matcher's "differs only in punctuation" rule).
* :func:`spaceless_key` — width, punctuation form, case, and every whitespace ("a b"
  and "ab" are one key). Coarser than the match key in that one way and several times
  faster, which grouping a million units needs.
* :func:`unlabeled_key` — a spaceless key without the list label that opens the text
  (一、 (一) 1. (1), see ``tm.text.labels``) and its final punctuation: the heading
  ``(三)畅通…渠道。`` in one annex and ``(一)畅通…渠道`` in another say the same.
* :func:`clause_key` — an unlabeled key without a leading "and"/"or"/"but": the last
  clause of a list reads "and …" in one sentence and "…" in another.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from tm import fastpath
from tm.text.labels import en_enumerator, zh_enumerator

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
    if fastpath.on(PLAIN_NFKC) and _NOT_PLAIN.search(text) is None:
        # NFKC of plain text works character by character (see _plain_key).
        for ch in set(_FOLD_CHANGED.findall(text)):
            text = text.replace(ch, _FOLD_MAP[ch])
    else:
        text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    if _ANY_SPACE.search(text) is None:  # most Chinese text: nothing left to fold
        return text
    text = _CJK_SPACE.sub("", text)
    return _SPACE_RUN.sub(" ", text).strip()


def match_key(text: str) -> str:
    """The key exact matches and fuzzy scores are computed on.

    Folds width, punctuation form, whitespace runs (and whitespace beside CJK), case.
    """
    return fold(text).casefold()


_PUNCT_RUN = re.compile(r"[\W_]+")


def unpunctuated_key(key: str) -> str:
    """A match key without punctuation, symbols and spaces (takes the match key)."""
    return _PUNCT_RUN.sub("", key)


_SPACELESS_TABLE = str.maketrans(
    {**PUNCT_TABLE, " ": None, "\t": None, "\n": None, "\r": None}
)
PLAIN_NFKC = fastpath.register(
    "plain-nfkc",
    "spaceless_key: ASCII text skips NFKC; spaceless_key and match_key: text of "
    "'plain' CJK characters replaces the few characters NFKC changes instead of "
    "normalizing; fold_with_map: plain text without whitespace is translated whole",
)


def spaceless_key(text: str) -> str:
    """Folds width (NFKC), punctuation form and case, and drops every whitespace."""
    if text.isascii():
        return "".join(text.split()).translate(_SPACELESS_TABLE).casefold()
    if fastpath.on(PLAIN_NFKC) and _NOT_PLAIN.search(text) is None:
        return _plain_key(text)
    return unicodedata.normalize("NFKC", text).translate(_SPACELESS_TABLE).casefold()


def _plain_key(text: str) -> str:
    """``spaceless_key`` of text made only of "plain" characters (see :func:`_plain_chars`).

    For those, NFKC works character by character (no reordering, no composition), so
    NFKC and the key table fold into one character map; the few characters it changes
    are replaced with ``str.replace``, much faster than NFKC plus ``translate``.
    """
    for ch in set(_PLAIN_CHANGED.findall(text)):
        text = text.replace(ch, _PLAIN_MAP[ch])
    return text.casefold()


def _extra_chars() -> list[str]:
    """The characters besides ASCII and CJK ideographs that may be plain."""
    return [
        chr(cp)
        for lo, hi in ((0x2010, 0x2027), (0x3000, 0x303F), (0xFF00, 0xFFEF))
        for cp in range(lo, hi + 1)
    ] + list(PUNCT_TABLE)


def _plain_chars() -> tuple[str, dict[str, str]]:
    """The plain characters and the key each one folds to (when it changes).

    Plain: ASCII, CJK ideographs (with extension A), and the CJK punctuation, general
    punctuation and full-width forms that are NFKC-stable starters or whose NFKC is
    one such character (，→ , ｡ → 。). None composes with a neighbour under NFC (a
    test checks this against every canonical decomposition).
    """

    def stable(c: str) -> bool:
        return unicodedata.normalize("NFKC", c) == c and not unicodedata.combining(c)

    extra = _extra_chars()
    plain = [chr(cp) for cp in range(0x80)]
    changed: dict[str, str] = {}
    for c in extra:
        n = unicodedata.normalize("NFKC", c)
        if len(n) == 1 and stable(n) and (n.isascii() or stable(c) or n in extra):
            plain.append(c)
            key = n.translate(_SPACELESS_TABLE)
            if key != c:
                changed[c] = key
    for c in " \t\n\r":
        changed[c] = ""
    ranges = "\u3400-\u4dbf\u4e00-\u9fff" + re.escape("".join(sorted(set(plain))))
    return ranges, changed


_PLAIN_RANGES, _PLAIN_MAP = _plain_chars()
_NOT_PLAIN = re.compile(f"[^{_PLAIN_RANGES}]")
_PLAIN_CHANGED = re.compile("[" + re.escape("".join(_PLAIN_MAP)) + "]")
# The plain characters :func:`fold` changes: NFKC, then the punctuation table (ASCII
# and the CJK ideographs of the plain set are NFKC-stable and not in the table).
_FOLD_MAP = {
    c: folded
    for c in _extra_chars()
    if _NOT_PLAIN.match(c) is None
    and (folded := unicodedata.normalize("NFKC", c).translate(_TRANSLATE)) != c
}
_FOLD_CHANGED = re.compile("[" + re.escape("".join(_FOLD_MAP)) + "]")

_TRAIL_CHARS = ".,;:!?\"'"


def unlabeled_key(text: str, lang: str) -> str:
    """A spaceless key without the opening list label and the final punctuation.

    Args:
        text: a paragraph, sentence or clause.
        lang: the language of ``text`` ("zh…" labels are 一、 (一) 1. (1); any other
            language's are 1. (1) I. (a) First, …).
    """
    e = zh_enumerator(text) if lang[:2] == "zh" else en_enumerator(text)
    return spaceless_key(text[e.end :] if e else text).rstrip(_TRAIL_CHARS)


_LEADING_CONJUNCTION = re.compile(r"^(?:and|or|but|as well as)\s+", re.I)


@lru_cache(maxsize=4096)
def clause_key(text: str, lang: str) -> str:
    """An unlabeled key without a leading "and", "or", "but" or "as well as" (English)."""
    if lang[:2] != "zh":
        text = _LEADING_CONJUNCTION.sub("", text.strip())
    return unlabeled_key(text, lang)


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Like :func:`match_key`, plus the index in ``text`` of every key character.

    Used to map differences found on keys back onto the stored text for highlighting.
    """
    if fastpath.on(PLAIN_NFKC) and _NOT_PLAIN.search(text) is None:
        # Each plain character folds to exactly one character (a test checks it), so
        # key character i comes from text character i (as in fold, NFKC is a few
        # replacements here, then case):
        # a look-up's repair and highlighting fold every match, a fifth of its CPU.
        key = text
        for ch in set(_FOLD_CHANGED.findall(text)):
            key = key.replace(ch, _FOLD_MAP[ch])
        key = key.casefold()
        if _SPACE.search(key) is None:
            return key, list(range(len(text)))
        return _fold_spaces(key)
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        folded = _FOLDED.get(ch)
        if folded is None:
            folded = _fold_char(ch)
        if len(folded) == 1:
            out.append(folded)
            where.append(i)
        else:
            for c in folded:
                out.append(c)
                where.append(i)
    folded_text = "".join(out)
    if not _SPACE.search(folded_text):
        return folded_text, where
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


_SPACES = re.compile(r"\s+")


def _fold_spaces(folded: str) -> tuple[str, list[int]]:
    """``fold_with_map`` of a text already folded one character for one: each
    whitespace run becomes one space between two characters that are not CJK, else
    nothing."""
    parts: list[str] = []
    where: list[int] = []
    at = 0
    for run in _SPACES.finditer(folded):
        start, end = run.span()
        parts.append(folded[at:start])
        where.extend(range(at, start))
        inside = start > 0 and end < len(folded)
        if inside and not (_is_cjkish(folded[start - 1]) or _is_cjkish(folded[end])):
            parts.append(" ")
            where.append(start)
        at = end
    parts.append(folded[at:])
    where.extend(range(at, len(folded)))
    return "".join(parts), where


# Each character's fold, as fold_with_map meets them: three calls per character cost
# a third of a look-up's CPU (repair and highlighting fold every match's text).
_FOLDED: dict[str, str] = {}
_FOLDED_MAX = 1 << 16
_SPACE = re.compile(r"\s")


def _fold_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch).translate(_TRANSLATE).casefold()
    if len(_FOLDED) < _FOLDED_MAX:
        _FOLDED[ch] = folded
    return folded


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


@lru_cache(maxsize=1024)  # readers compare every unit's languages
def primary_lang(tag: str) -> str:
    """The primary subtag: ``zh-CN`` → ``zh``."""
    return tag.split("-", 1)[0].lower()
