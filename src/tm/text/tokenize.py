"""SentencePiece pieces for English: the unit fuzzy scores count for English queries.

Character edit distance suits Chinese; for English a changed word should cost about
one edit whatever its length, so English keys are scored over SentencePiece pieces.
The model is trained on the TM's own English (target) keys, kept beside the database
(``<db>.en.spm.model`` with a ``.json`` note of the unit count it was trained on),
and retrained when the TM has grown by :data:`REGROW` since. Without a model (a TM
too small to train on, or training failed) scoring falls back to characters.

A piece sequence is turned into a *code string*, one private-use character per piece
id, so the same index and the same Levenshtein code serve both characters and pieces.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import random
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

from tm.locations import spm_model_path

log = logging.getLogger(__name__)

VOCAB_SIZE = 8000
REGROW = 0.25
MIN_UNITS = 50
TRAIN_SAMPLE = 100_000
# Supplementary Private Use Area-A: 65,534 code points, one per piece id.
PIECE_BASE = 0xF0000


class Tokenizer:
    """A loaded SentencePiece model, or the per-character fallback when ``model`` is None."""

    def __init__(self, model: bytes | None = None) -> None:
        self._sp = None
        self.fingerprint = f"spm-{zlib.crc32(model):08x}" if model else "chars"
        if model is not None:
            import sentencepiece as spm

            self._sp = spm.SentencePieceProcessor(model_proto=model)

    @property
    def fallback(self) -> bool:
        """True when there is no model and text is scored per character."""
        return self._sp is None

    def pieces(self, text: str) -> tuple[str, ...]:
        """The pieces of ``text`` (its characters without a model)."""
        if self._sp is None:
            return tuple(text)
        return tuple(self._sp.encode(text, out_type=str))

    def codes(self, text: str) -> str:
        """``text`` as a code string: one character per piece (``text`` itself without a model)."""
        if self._sp is None:
            return text
        return "".join(chr(PIECE_BASE + i) for i in self._sp.encode(text))

    def codes_many(self, texts: list[str]) -> list[str]:
        """:meth:`codes` for many texts in one call (the C++ side batches them)."""
        if self._sp is None:
            return list(texts)
        return [
            "".join(chr(PIECE_BASE + i) for i in ids)
            for ids in self._sp.encode(texts, num_threads=2)
        ]


def train(
    texts: Iterable[str], *, vocab_size: int = VOCAB_SIZE, seed: int = 0
) -> bytes:
    """Train a unigram SentencePiece model on ``texts``; returns the serialized model.

    Raises:
        ValueError: there is too little text to train on.
    """
    import sentencepiece as spm

    sample = [t for t in texts if t.strip()]
    if len(sample) < MIN_UNITS:
        raise ValueError(f"only {len(sample)} texts; need {MIN_UNITS} to train")
    if len(sample) > TRAIN_SAMPLE:
        sample = random.Random(seed).sample(sample, TRAIN_SAMPLE)
    out = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sample),
        model_writer=out,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        model_type="unigram",
        character_coverage=1.0,
        normalization_rule_name="identity",
        num_threads=2,
        minloglevel=2,
    )
    return out.getvalue()


def model_path(db_path: str | Path) -> Path:
    """Where the English model of the TM at ``db_path`` is kept."""
    return spm_model_path(db_path)


def load_or_train(
    db_path: str | Path | None,
    unit_count: int,
    texts: Callable[[], Iterable[str]],
    *,
    regrow: float = REGROW,
) -> Tokenizer:
    """The TM's English tokenizer: loaded from beside the database, trained if missing or stale.

    Args:
        db_path: the database file (None: in-memory or server TM; the model is trained
            and kept in memory only).
        unit_count: how many units the TM holds now.
        texts: yields the English keys to train on (called only when training).
        regrow: retrain once the TM has grown by this share since the last training.
    """
    path = model_path(db_path) if db_path else None
    if path is not None and path.exists():
        trained_on = _trained_on(path)
        if unit_count <= trained_on * (1 + regrow):
            return Tokenizer(path.read_bytes())
    if unit_count < MIN_UNITS:
        return Tokenizer()
    try:
        model = train(texts())
    except (ValueError, RuntimeError, OSError) as exc:
        log.warning("no SentencePiece model (%s); scoring English per character", exc)
        return Tokenizer()
    if path is not None:
        _save(path, model, unit_count)
    return Tokenizer(model)


def _trained_on(path: Path) -> int:
    try:
        return int(json.loads(path.with_suffix(".json").read_text())["units"])
    except (OSError, ValueError, KeyError):
        return 0


def _save(path: Path, model: bytes, units: int) -> None:
    # Best effort: a read-only directory only costs a retraining next time.
    with contextlib.suppress(OSError):
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(model)
        tmp.replace(path)
        path.with_suffix(".json").write_text(json.dumps({"units": units}))
