"""English side of term matching: tokens with positions, and a plural-folding stem.

Renderings match on token sequences, so "land prices," matches the rendering "land
price" but "landprice" does not: word boundaries come for free. Hyphens and spaces
separate tokens alike ("market-oriented" = "market oriented"); other punctuation is a
token of its own, so "Changsha, Zhuzhou" does not match "Changsha Zhuzhou".
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(r"[^\W_]+|[^\w\s\-‐‑–—]")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Fold case and simple English plurals: prices→price, policies→policy, taxes→tax."""
    w = word.casefold()
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("ches", "shes", "sses", "xes", "zes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def tokens(text: str) -> list[tuple[str, int, int]]:
    """``(stem, start, end)`` for every word or punctuation token in ``text``."""
    return [(stem(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The stem sequence a rendering is looked up by."""
    return tuple(t for t, _, _ in tokens(phrase))
