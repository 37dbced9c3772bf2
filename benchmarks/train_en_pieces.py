"""Train one English SentencePiece model on the corpora, for ``bench_tokens.py`` to measure.

The model (``benchmarks/.cache/en.spm.model``, 142 KB at 8,000 pieces) is trained once, on the *training half* of every parallel corpus in
../shared/corpora (the first half of each file, in file order: other laws, other
documentation pages, other news stories than the second half), and never on a TM.
``benchmarks/bench_tokens.py`` measures it on the second halves, which it was not
trained on.

The text is the match key of each English segment (:func:`tm.text.normalize.match_key`:
width and punctuation folded, case folded), exactly what the matcher encodes.
Training is reproducible: a fixed random seed, one thread, the same input order; a
second run writes the same bytes (the script prints the CRC-32 to compare).

Usage:
    python benchmarks/train_en_pieces.py                 # writes benchmarks/.cache/en.spm.model
    python benchmarks/train_en_pieces.py --vocab 4000 -o /tmp/en4k.model
"""

from __future__ import annotations

import argparse
import gzip
import io
import random
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tm.text.normalize import match_key  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
# Supplementary Private Use Area-A: one code point per piece id.
PIECE_BASE = 0xF0000
MODEL_PATH = ROOT / "benchmarks" / ".cache" / "en.spm.model"
VOCAB_SIZE = 8000
MIN_TEXTS = 50
TRAIN_SAMPLE = 100_000
# Every parallel corpus there; the dictionary (CC-CEDICT) has no English sentences.
FILES = (
    "tw_moj_laws.paragraphs.zh-en.tsv.gz",
    "tw_moj_laws.titles_headings.zh-en.tsv.gz",
    "python_docs_3.13.zh_CN.zh-en.tsv.gz",
    "wmt_news_test_2017-2022.zh-en.tsv.gz",
    "tico19_test.zh-en.tsv.gz",
    "flores200_devtest.zh-en.tsv.gz",
    "tatoeba_test_v2021-08-07.zh-en.tsv.gz",
)


def read_pairs(name: str) -> list[tuple[str, str]]:
    """(zh, en) pairs of one corpus file, in file order."""
    with gzip.open(CORPORA / name, "rt", encoding="utf-8") as fh:
        rows = (line.rstrip("\n").split("\t") for line in fh)
        return [(r[0], r[1]) for r in rows if len(r) == 2 and r[0] and r[1]]


def halves() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(training half, evaluation half): the first and second half of each file."""
    train_half: list[tuple[str, str]] = []
    eval_half: list[tuple[str, str]] = []
    for name in FILES:
        pairs = read_pairs(name)
        mid = len(pairs) // 2
        train_half += pairs[:mid]
        eval_half += pairs[mid:]
    return train_half, eval_half


def training_text() -> list[str]:
    """The English match keys the shipped model is trained on, in a fixed order."""
    train_half, _ = halves()
    return [match_key(en) for _, en in train_half]


class Pieces:
    """A SentencePiece model as a tokenizer for the matcher (what tm used before words).

    Args:
        model: a serialized SentencePiece model (the bytes of a ``.model`` file).
    """

    def __init__(self, model: bytes) -> None:
        import sentencepiece as spm

        self.fingerprint = f"spm-{zlib.crc32(model):08x}"
        self._sp = spm.SentencePieceProcessor(model_proto=model)

    def pieces(self, text: str) -> tuple[str, ...]:
        """The pieces of ``text`` (``▁`` marks a piece that starts a word)."""
        return tuple(self._sp.encode(text, out_type=str))

    def codes(self, text: str) -> str:
        """``text`` as a code string: one character per piece."""
        return "".join(chr(PIECE_BASE + i) for i in self._sp.encode(text))

    def codes_many(self, texts: list[str]) -> list[str]:
        """:meth:`codes` for many texts in one call (the C++ side batches them)."""
        return [
            "".join(chr(PIECE_BASE + i) for i in ids)
            for ids in self._sp.encode(texts, num_threads=2)
        ]


def train(
    texts: list[str],
    *,
    vocab_size: int = VOCAB_SIZE,
    seed: int = 0,
    sample: int | None = TRAIN_SAMPLE,
) -> bytes:
    """Train a unigram SentencePiece model on ``texts``; returns the serialized model.

    The same texts in the same order give the same bytes (a fixed seed).

    Args:
        texts: the English match keys to learn pieces from.
        vocab_size: the number of pieces (a soft limit: a small text gets fewer).
        seed: seeds the sample and SentencePiece's own random choices.
        sample: train on at most this many texts (None: all of them), as tm did
            when it trained on a TM.

    Raises:
        ValueError: there is too little text to train on.
    """
    import sentencepiece as spm

    lines = [t for t in texts if t.strip()]
    if len(lines) < MIN_TEXTS:
        raise ValueError(f"only {len(lines)} texts; need {MIN_TEXTS} to train")
    if sample is not None and len(lines) > sample:
        lines = random.Random(seed).sample(lines, sample)
    spm.set_random_generator_seed(seed)
    out = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=out,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        model_type="unigram",
        character_coverage=1.0,
        # A character the model never saw becomes its UTF-8 bytes, not one shared
        # <unk>: otherwise two targets differing only in such characters score 100.
        byte_fallback=True,
        normalization_rule_name="identity",
        num_threads=2,
        minloglevel=2,
    )
    return out.getvalue()


def ensure_model(path: Path = MODEL_PATH) -> Path:
    """``path``, trained first if it is not there yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(train(training_text(), sample=None))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vocab", type=int, default=VOCAB_SIZE)
    ap.add_argument("-o", "--output", type=Path, default=MODEL_PATH)
    args = ap.parse_args()
    if not CORPORA.exists():
        sys.exit(f"{CORPORA} not found: the corpora must sit beside the repository")
    text = training_text()
    t0 = time.process_time()
    model = train(text, vocab_size=args.vocab, sample=None)
    cpu = time.process_time() - t0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(model)
    print(
        f"trained on {len(text):,} English segments in {cpu:.0f}s CPU; "
        f"{len(model):,} bytes, crc32 {zlib.crc32(model):08x} → {args.output}"
    )


if __name__ == "__main__":
    main()
