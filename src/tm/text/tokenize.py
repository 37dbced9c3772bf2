"""Word tokens for English: the unit fuzzy scores count for English queries.

Character edit distance suits Chinese; for English a changed word should cost one edit
whatever its length, so English match keys are scored over tokens: a run of letters
or digits, one Han character (Chinese left in an English target has no spaces), or one
punctuation mark. A token sequence is turned into a *code string*, one character per
token, so the same index and the same Levenshtein code serve characters and tokens.

Why words and not SentencePiece pieces, which tm used before (``benchmarks/bench_tokens.py``, 2,000 held-out
English queries from the second half of every corpus in ../shared/corpora, a TM of up
to 162,735 of their pairs; gold from the Chinese side, so no English tokenizer defines
it; pieces from one model trained on the corpora's first halves, and from models
trained on the TM itself as tm did before):

* Stability: of 1,200 close pairs, 92.7 % score differently once a 300-unit TM has
  grown to 162,735 units with TM-trained pieces (up to 38 points; 23 cross the default
  cutoff of 70); none with words, characters or the fixed piece model.
* Recall and precision of the top match for queries whose best source is >= 80
  similar, full TM (162,735 units), cutoff 70: held-out half (230 queries) words
  47.4 / 77.9 %, fixed pieces 45.7 / 80.0, TM pieces 45.2 / 81.8, characters 47.8 /
  70.0. Recall where precision first reaches 70 %: held-out half words 50.4 (cutoff
  64), fixed pieces 53.5 (cutoff 60), TM pieces 51.3; the other half (203 queries)
  words 51.2, both pieces 47.8. A tie: each lead is about 7 queries, and flips with
  the half. At 10,000 units (33 held-out queries) words 33.3 / 73.9 % at 70, fixed
  pieces 30.3 / 70.0.
* Edited TM targets (a reviser's word substitutions, deletions, insertions,
  inflections, swaps, number changes; TM of 10,000), top match is the original at
  cutoff 70 with 20 % / 30 % of the words edited: words 98.0 / 78.2 %, fixed pieces
  95.0 / 75.2, TM pieces 96.0 / 74.0 (characters 98.5 / 94.5, but their cutoff is
  laxer: precision 70.0 % above).
* Speed: look-up median CPU words 0.08x characters, pieces 0.09x; indexing 0.40x and
  0.45x.
* English phrases: term extraction over pieces instead of words finds the glossary's
  English for 43 of 72 terms (held-out half) instead of 52 of 74; QA's target
  comparison over pieces changes no finding (recall 0.889, precision 0.935 both).

So pieces win nowhere clearly, and trail on edits and extraction. Why: the 8,000-piece
model keeps common words whole but splits a word after a bracket or a quote
(``(pilot)`` → ( pi lo t ), ``"market`` → " mark et), abbreviations (gdp → g d p) and
rarer words (decarbonisation: 6 pieces), so one changed word costs one to six edits
depending on the word; a word token costs one.

Words need no model: nothing is trained or stored beside a TM, and the same two
sentences score the same in a 20-unit TM and a 200,000-unit one.
"""

from __future__ import annotations

import re
import zlib
from functools import lru_cache

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_HAN}]|[^\W{_HAN}]+|[^\w\s]")
# A token's code is a hash of it into planes 1-16 (1,048,576 code points, none a
# surrogate): the same in every process, as the match index caches codes on disk.
# Two distinct tokens share a code with odds of 1 in 1,048,576, and a shared code only
# matters where one of them replaces the other in otherwise equal sentences.
CODE_BASE = 0x10000
CODE_SPAN = 0x110000 - CODE_BASE


class Tokenizer:
    """English match keys as word tokens, one code character each."""

    # Part of the match index's cache stamp: change it when tokens or codes change.
    fingerprint = "words-1"

    def tokens(self, text: str) -> tuple[str, ...]:
        """The tokens of ``text``: words, Han characters and punctuation marks."""
        return tuple(_TOKEN.findall(text))

    def codes(self, text: str) -> str:
        """``text`` as a code string: one character per token."""
        return "".join(map(_code, _TOKEN.findall(text)))

    def codes_many(self, texts: list[str]) -> list[str]:
        """:meth:`codes` of each text."""
        return [self.codes(t) for t in texts]


@lru_cache(maxsize=1 << 16)
def _code(token: str) -> str:
    return chr(CODE_BASE + zlib.crc32(token.encode("utf-8")) % CODE_SPAN)
