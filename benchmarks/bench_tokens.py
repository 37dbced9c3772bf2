"""Benchmark: English (target-side) look-up scored over pieces, words or characters.

Four ways to turn an English match key into the sequence the edit distance counts:

* ``chars``         every character (what Chinese uses);
* ``words``         what tm uses (:mod:`tm.text.tokenize`): runs of letters and
                    digits, single Han characters and single punctuation marks;
* ``pieces/TM``     SentencePiece trained on the TM's own English, as tm did up to now
                    (retrained as the TM grows; characters under 50 units);
* ``pieces/fixed``  one SentencePiece model for every TM, trained once by
                    ``benchmarks/train_en_pieces.py`` (``make en-model``; trained here
                    if missing) on the first half of each corpus in ../shared/corpora.

Everything here is measured on the *second* halves, which no model saw. They are
shuffled (seed 0); the first ``--queries`` pairs are held-out queries, the rest is the
TM pool, and a TM of size n is the first n units of the pool, so smaller TMs are
inside larger ones. Queries alternate between half A (looked at while choosing) and
half B (reported as the result).

Gold, defined without any English tokenizer:

1. **Source gold.** A target-side match is *right* when the unit it finds translates a
   source close to the query's own source: Chinese character similarity (the
   project's source-side score, on match keys) ≥ ``RELEVANT``, or the same English key.
   A query counts for recall when the TM holds a unit whose source is ≥ ``GOLD``
   similar and none with the query's exact English; the *best target* is the English
   of the unit(s) with the most similar source. Recall = the top match (at or above
   the cutoff) is a best target; precision = share of top matches (at or above the
   cutoff) that are right; junk = share of queries with no source ≥ 50 similar in
   the TM that still get a match.
2. **Edited variants.** TM targets edited as a reviser would (a word substituted,
   deleted, inserted, inflected, two words swapped, a number changed; a share ``f``
   of the words). Recall = the top match is the original (any unit with its key).
3. **Stability.** Pairs (query, unit) with the unit in the smallest TM, scored with
   each TM size's tokenizer: how many scores change as the TM grows, by how much,
   and how many cross the cutoff.
4. **Speed.** CPU time to encode and index the largest TM, index size, and look-up CPU
   per query at the default cutoff (70), median and p90, against characters.

Usage:
    python benchmarks/bench_tokens.py                       # sizes 300 … all, 3,000 queries
    python benchmarks/bench_tokens.py --sizes 1000,10000 --queries 1000   # quicker
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from train_en_pieces import (  # noqa: E402
    CORPORA,
    MODEL_PATH,
    Pieces,
    ensure_model,
    halves,
    train,
)

from tm.match import Matcher, Scored, similarity  # noqa: E402
from tm.models import TranslationUnit  # noqa: E402
from tm.store import open_store  # noqa: E402
from tm.text.normalize import match_key  # noqa: E402
from tm.text.tokenize import Tokenizer as Words  # noqa: E402

GOLD = 80.0
RELEVANT = 70.0
UNRELATED = 50.0
CUTOFFS = (50.0, 60.0, 70.0, 80.0, 90.0)
FINE_CUTOFFS = tuple(float(c) for c in range(50, 100, 2))
TARGET_PRECISION = 0.7
DEFAULT_CUTOFF = 70.0
SHARES = (0.1, 0.2, 0.3)
EDITS = ("substitute", "delete", "insert", "inflect", "swap", "number")
_WORD = re.compile(r"\w+|[^\w\s]")


Encoder = Callable[[str], str]
Factory = Callable[[list[str]], "Pieces | Words | None"]


_TRAINED: dict[int, Pieces] = {}
OLD_MIN_UNITS = 50


def tm_pieces(keys: list[str]) -> Pieces | None:
    """What tm did before: a model trained on the TM's own English, chars under 50 units.

    TMs here are prefixes of one pool, so a model is trained once per size.
    """
    if len(keys) < OLD_MIN_UNITS:
        return None
    if len(keys) not in _TRAINED:
        _TRAINED[len(keys)] = Pieces(train(keys))
    return _TRAINED[len(keys)]


def families(fixed: bytes, others: list[Path]) -> dict[str, Factory]:
    """Tokenizer name → how to make it for a TM (given the TM's English keys)."""
    shipped = Pieces(fixed)
    words = Words()
    out: dict[str, Factory] = {
        "chars": lambda keys: None,
        "words": lambda keys: words,
        "pieces/TM": tm_pieces,
        "pieces/fixed": lambda keys: shipped,
    }
    for path in others:
        tok = Pieces(path.read_bytes())
        out[f"fixed/{path.stem}"[:13]] = lambda keys, tok=tok: tok  # type: ignore[misc]
    return out


def encoder(tok: Pieces | Words | None) -> Encoder:
    if tok is None:
        return lambda s: s
    return tok.codes


# -- data ------------------------------------------------------------------------------


@dataclass
class Data:
    queries: list[tuple[str, str]]  # (zh, en) held out
    pool: list[tuple[str, str]]  # the TM, in order; a TM of size n is pool[:n]
    vocab: list[str]  # words to substitute or insert (frequency-weighted)


def load(n_queries: int) -> Data:
    _, pairs = halves()
    rng = random.Random(0)
    rng.shuffle(pairs)
    seen: set[tuple[str, str]] = set()
    unique = []
    for zh, en in pairs:
        k = (match_key(zh), match_key(en))
        if k not in seen:
            seen.add(k)
            unique.append((zh, en))
    queries = [p for p in unique[: 3 * n_queries] if len(p[1].split()) >= 3][:n_queries]
    held = set(queries)
    pool = [p for p in unique if p not in held]
    vocab = [w for _, en in pool[:20_000] for w in en.split() if w.isalpha()]
    return Data(queries, pool, vocab)


def edit(
    text: str, share: float, kind: str | None, vocab: list[str], rng: random.Random
) -> str:
    """``text`` with ``share`` of its words edited (of one kind, or of mixed kinds)."""
    words = text.split()
    for _ in range(max(1, round(share * len(words)))):
        op = kind or rng.choice(EDITS)
        i = rng.randrange(len(words))
        if op == "number":
            digits = [j for j, w in enumerate(words) if any(c.isdigit() for c in w)]
            if not digits:
                op = "substitute"
            else:
                j = rng.choice(digits)
                words[j] = re.sub(r"\d", lambda m: rng.choice("0123456789"), words[j])
                continue
        if op == "substitute":
            words[i] = rng.choice(vocab)
        elif op == "delete" and len(words) > 2:
            del words[i]
        elif op == "insert":
            words.insert(i, rng.choice(vocab))
        elif op == "inflect":
            w = words[i]
            words[i] = w[:-1] if w.endswith("s") else w + "s"
        elif op == "swap" and i + 1 < len(words):
            words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


# -- gold from the Chinese side --------------------------------------------------------


@dataclass
class SourceGold:
    """For one query: source similarity of every TM unit ≥ UNRELATED (by unit index)."""

    sims: dict[int, float]
    best: float
    exact_en: bool


def source_gold(data: Data, size: int) -> list[SourceGold]:
    zh_keys = [match_key(zh) for zh, _ in data.pool[:size]]
    en_keys = [match_key(en) for _, en in data.pool[:size]]
    en_set = set(en_keys)
    out = []
    for start in range(0, len(data.queries), 100):
        chunk = data.queries[start : start + 100]
        m = cdist(
            [match_key(zh) for zh, _ in chunk],
            zh_keys,
            scorer=Levenshtein.normalized_similarity,
            score_cutoff=UNRELATED / 100 - 1e-4,
            dtype=np.float32,
            workers=-1,
        )
        for row, (zh, en) in zip(m, chunk, strict=True):
            hit = np.flatnonzero(row > 0).tolist()
            # re-score in float64: the cut between gold and not must be exact
            sims = {j: similarity(match_key(zh), zh_keys[j]) for j in hit}
            sims = {j: s for j, s in sims.items() if s >= UNRELATED}
            out.append(
                SourceGold(
                    sims, max(sims.values(), default=0.0), match_key(en) in en_set
                )
            )
    return out


# -- look-up over a real store ---------------------------------------------------------


@dataclass
class Run:
    """One tokenizer over one TM: its matcher and what it cost."""

    matcher: Matcher
    build_cpu: float
    index_mb: float
    ids: dict[int, int]  # unit id → pool index
    en_keys: list[str] = field(default_factory=list)


def build_store(path: Path, pairs: list[tuple[str, str]]) -> None:
    store = open_store(path)
    try:
        store.add_units(
            (TranslationUnit(zh, en, source_lang="zh-CN") for zh, en in pairs),
            batch_size=20_000,
        )
    finally:
        store.close()


def open_run(
    path: Path,
    tok: Pieces | Words | None,
    pool_index: dict[tuple[str, str], int],
) -> Run:
    store = open_store(path, create=False)
    matcher = Matcher(
        store, side="target", tokenizer=None if tok is None else (lambda: tok)
    )  # type: ignore[arg-type,return-value]
    t0 = time.process_time()
    (index,) = matcher.ensure_index()
    cpu = time.process_time() - t0
    matcher.check_every = 1e9  # nothing writes: skip the version check per query
    targets = {row.id: row.key for row in store.iter_keys(side="target")}
    ids = {
        row.id: pool_index[(row.key, targets[row.id])]
        for row in store.iter_keys(side="source")
    }
    return Run(matcher, cpu, index.nbytes() / 2**20, ids)


def top1(run: Run, text: str, cutoff: float) -> Scored | None:
    found = run.matcher.rank(text, min_score=cutoff, limit=1)
    return found[0] if found else None


# -- reports ---------------------------------------------------------------------------


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:5.1f}" if d else "   — "


def source_picks(run: Run, data: Data) -> list[tuple[float, int | None]]:
    """(score, pool index) of every query's top match at the lowest cutoff."""
    out: list[tuple[float, int | None]] = []
    for _, en in data.queries:
        s = top1(run, en, min(CUTOFFS))
        out.append((s.score, run.ids[s.unit_id]) if s else (0.0, None))
    return out


@dataclass
class Tally:
    rec_n: int = 0
    rec_d: int = 0
    prec_n: int = 0
    prec_d: int = 0
    junk_n: int = 0
    junk_d: int = 0

    @property
    def precision(self) -> float:
        return self.prec_n / self.prec_d if self.prec_d else 1.0


def tally(
    picks: list[tuple[float, int | None]],
    gold: list[SourceGold],
    q_en: list[str],
    en_keys: list[str],
    half: int,
    cutoff: float,
) -> Tally:
    t = Tally()
    for i, g in enumerate(gold):
        if i % 2 != half or g.exact_en:
            continue
        score, j = picks[i]
        hit = en_keys[j] if j is not None and score >= cutoff else None
        if g.best >= GOLD:
            t.rec_d += 1
            best = {en_keys[k] for k, s in g.sims.items() if s == g.best}
            t.rec_n += hit in best
        if hit is not None:
            t.prec_d += 1
            assert j is not None
            t.prec_n += g.sims.get(j, 0.0) >= RELEVANT or hit == q_en[i]
        if g.best < UNRELATED:
            t.junk_d += 1
            t.junk_n += hit is not None
    return t


def report_source_gold(
    name: str,
    picks: list[tuple[float, int | None]],
    gold: list[SourceGold],
    q_en: list[str],
    en_keys: list[str],
    half: int,
) -> str:
    cells = []
    at_p = None
    for cutoff in FINE_CUTOFFS:
        t = tally(picks, gold, q_en, en_keys, half, cutoff)
        if cutoff in CUTOFFS:
            cells.append(f"{pct(t.rec_n, t.rec_d)}/{pct(t.prec_n, t.prec_d)}")
        if cutoff == DEFAULT_CUTOFF:
            junk = pct(t.junk_n, t.junk_d)
        if at_p is None and t.precision >= TARGET_PRECISION:
            at_p = f"{pct(t.rec_n, t.rec_d)} (cutoff {cutoff:.0f})"
    return f"  {name:13} " + "  ".join(cells) + f"   {junk}   {at_p or '—'}"


def edited_queries(
    data: Data, size: int, n: int
) -> list[tuple[str, float, str | None, int]]:
    """(edited text, share, kind or None for mixed, pool index of the original)."""
    rng = random.Random(7)
    originals = [j for j in range(size) if len(data.pool[j][1].split()) >= 6]
    out = []
    for j in rng.sample(originals, min(n, len(originals))):
        en = data.pool[j][1]
        for share in SHARES:
            out.append((edit(en, share, None, data.vocab, rng), share, None, j))
        for kind in EDITS:
            out.append((edit(en, 0.2, kind, data.vocab, rng), 0.2, kind, j))
    return out


def report_edited(
    name: str,
    run: Run,
    queries: list[tuple[str, float, str | None, int]],
    en_keys: list[str],
) -> list[str]:
    by: dict[tuple[float, str | None], list[tuple[float, bool]]] = {}
    for text, share, kind, j in queries:
        s = top1(run, text, min(CUTOFFS))
        ok = s is not None and en_keys[run.ids[s.unit_id]] == en_keys[j]
        by.setdefault((share, kind), []).append((s.score if s else 0.0, ok))
    cells = []
    for share in SHARES:
        got = by[(share, None)]
        cells.append(
            f"f={share:.1f}: "
            + " ".join(
                pct(sum(ok and sc >= c for sc, ok in got), len(got))
                for c in (50.0, 70.0, 80.0)
            )
        )
    kinds = " ".join(
        f"{kind[:5]} {pct(sum(ok and sc >= DEFAULT_CUTOFF for sc, ok in by[(0.2, kind)]), len(by[(0.2, kind)]))}"
        for kind in EDITS
    )
    return [
        f"  {name:13} " + " | ".join(cells),
        f"  {'':13} one kind, f=0.2, cutoff 70: {kinds}",
    ]


def stability(
    data: Data, sizes: list[int], fams: dict[str, Factory], n_queries: int
) -> list[str]:
    base = sizes[0]
    rng = random.Random(11)
    # Pairs: held-out queries against their 3 nearest base units by characters, and
    # edited base targets against their originals: close pairs, whose scores matter.
    base_en = [match_key(en) for _, en in data.pool[:base]]
    pairs: list[tuple[str, str]] = []
    for _zh, en in data.queries[:n_queries]:
        q = match_key(en)
        row = cdist(
            [q], base_en, scorer=Levenshtein.normalized_similarity, dtype=np.float32
        )[0]
        pairs += [(q, base_en[j]) for j in np.argsort(-row)[:3].tolist()]
    for j in rng.sample(range(base), min(base, 300)):
        pairs.append(
            (match_key(edit(data.pool[j][1], 0.2, None, data.vocab, rng)), base_en[j])
        )
    out = [
        f"  pairs: {len(pairs)} (queries × 3 nearest units of the first {base}, and edits)"
    ]
    for name, make in fams.items():
        scores = []
        cpu = []
        for size in sizes:
            keys = [match_key(en) for _, en in data.pool[:size]]
            t0 = time.process_time()
            enc = encoder(make(keys))
            cpu.append(time.process_time() - t0)
            scores.append(np.array([similarity(enc(a), enc(b)) for a, b in pairs]))
        cells = []
        for size, s in zip(sizes[1:], scores[1:], strict=True):
            d = np.abs(s - scores[0])
            crossed = int(
                np.sum((s >= DEFAULT_CUTOFF) != (scores[0] >= DEFAULT_CUTOFF))
            )
            cells.append(
                f"{size:>7,}: changed {pct(int(np.sum(d > 1e-9)), len(d))}%, "
                f"mean |Δ| {d.mean():4.1f}, max {d.max():4.1f}, crossed 70 {crossed}"
            )
        out.append(f"  {name:13} vs {base:,} units → " + cells[0])
        out += [f"  {'':13}    {'':>{len(str(base)) + 8}}" + c for c in cells[1:]]
        out.append(
            f"  {'':13} tokenizer setup CPU per size: "
            + ", ".join(f"{s:,}: {c:.1f}s" for s, c in zip(sizes, cpu, strict=True))
        )
    return out


def speed(name: str, run: Run, data: Data, ref: dict[str, float]) -> str:
    times = []
    for _, en in data.queries[1::2]:
        t0 = time.process_time()
        run.matcher.rank(en, min_score=DEFAULT_CUTOFF, limit=5)
        times.append((time.process_time() - t0) * 1000)
    med = statistics.median(times)
    p90 = sorted(times)[int(0.9 * (len(times) - 1))]
    ref.setdefault("med", med)
    ref.setdefault("build", run.build_cpu)
    return (
        f"  {name:13} encode+index {run.build_cpu:6.1f}s CPU ({run.build_cpu / ref['build']:4.2f}×)"
        f"  index {run.index_mb:6.1f} MB   look-up median {med:6.2f} ms "
        f"({med / ref['med']:4.2f}×), p90 {p90:6.2f} ms CPU"
    )


# -- English-side phrase alignment (term extraction) and QA's target comparison --------


def piece_tokens(tok: Pieces) -> Callable[[str], list[tuple[str, int, int]]]:
    """``tm.terms.english.tokens`` over pieces: (piece, start, end), case folded.

    Pieces never cross a space, so each whitespace-separated word is encoded alone
    and its pieces get their spans by length; a word whose pieces do not spell it
    (an unseen character) stays one token.
    """

    def tokens(text: str) -> list[tuple[str, int, int]]:
        out = []
        for m in re.finditer(r"\S+", text):
            word = m.group().casefold()
            parts = [p.lstrip("▁") for p in tok.pieces(word)]
            parts = [p for p in parts if p]
            if "".join(parts) != word or len(word) != len(m.group()):
                out.append((word, m.start(), m.end()))
                continue
            at = m.start()
            for p in parts:
                out.append((p, at, at + len(p)))
                at += len(p)
        return out

    return tokens


def phrase_alignment(tok: Pieces) -> None:
    """Term extraction (bench_terms) and QA (eval_qa) with English words vs pieces."""
    import contextlib
    import io

    import bench_terms
    import eval_qa

    import tm.qa.consistency as consistency
    import tm.terms.renderings as renderings
    from tm.text.normalize import has_han

    def run() -> list[str]:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            bench_terms.bench_extraction(300, None, 0, ROOT / "glossary")
            eval_qa.main([])
        keep = ("  dev ", "  glossary ", "gold items", "attributable", "findings per")
        return [line for line in buf.getvalue().splitlines() if line.startswith(keep)]

    real_fuzz = consistency.fuzz

    class PieceRatio:
        """rapidfuzz ``fuzz`` for QA: English compared over pieces, Chinese as is."""

        @staticmethod
        def ratio(a: str, b: str, **kw: float) -> float:
            if not has_han(a) and not has_han(b):
                a, b = tok.codes(a), tok.codes(b)
            return float(real_fuzz.ratio(a, b, **kw))

    print("\n5. English phrases: term extraction (the seed's gold terms) and QA")
    print("  words (as shipped):")
    for line in run():
        print("   ", line)
    words_tokens = renderings.tokens
    renderings.tokens = piece_tokens(tok)  # type: ignore[assignment]
    consistency.fuzz = PieceRatio  # type: ignore[assignment]
    try:
        print("  pieces (renderings over pieces; QA compares targets over pieces):")
        for line in run():
            print("   ", line)
    finally:
        renderings.tokens, consistency.fuzz = words_tokens, real_fuzz


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--sizes", default="300,1000,10000,100000,0", help="TM sizes (0: all)"
    )
    ap.add_argument(
        "--eval-sizes", default="10000,0", help="sizes for recall and speed"
    )
    ap.add_argument("--queries", type=int, default=3000)
    ap.add_argument(
        "--edited", type=int, default=400, help="originals for edited variants"
    )
    ap.add_argument("--model", type=Path, default=MODEL_PATH, help="the fixed model")
    ap.add_argument(
        "--also", type=Path, nargs="*", default=[], help="more fixed models to compare"
    )
    ap.add_argument(
        "--only",
        default="",
        help="comma-separated tokenizer names to run (default all)",
    )
    ap.add_argument("--no-stability", action="store_true")
    ap.add_argument(
        "--what",
        default="lookup,phrases",
        help="lookup (sections 1-4), phrases (section 5), or both",
    )
    args = ap.parse_args()
    if not CORPORA.exists():
        sys.exit(f"{CORPORA} not found: the corpora must sit beside the repository")
    if "lookup" in args.what:
        data = load(args.queries)
        full = len(data.pool)
        fams = families(ensure_model(args.model).read_bytes(), args.also)
        if args.only:
            fams = {k: v for k, v in fams.items() if k in args.only.split(",")}
        print(
            f"English of the evaluation halves: {full + len(data.queries):,} pairs; "
            f"{len(data.queries):,} held-out queries, TM pool {full:,}; "
            f"fixed model {args.model.name} ({args.model.stat().st_size:,} bytes)"
        )
        if not args.no_stability:
            print_stability(data, [int(s) or full for s in args.sizes.split(",")], fams)
        evaluate(data, fams, [int(s) or full for s in args.eval_sizes.split(",")], args)
    if "phrases" in args.what:
        phrase_alignment(Pieces(ensure_model(args.model).read_bytes()))


def print_stability(data: Data, sizes: list[int], fams: dict[str, Factory]) -> None:
    print(
        f"\n3. Stability: raw edit similarity of fixed pairs as the TM grows "
        f"({', '.join(f'{s:,}' for s in sizes)} units)"
    )
    for line in stability(data, sizes, fams, 300):
        print(line, flush=True)


def evaluate(
    data: Data, fams: dict[str, Factory], sizes: list[int], args: argparse.Namespace
) -> None:
    with tempfile.TemporaryDirectory(prefix="bench_tokens") as tmp:
        for size in sizes:
            pairs = data.pool[:size]
            db = Path(tmp) / f"tm{size}.db"
            build_store(db, pairs)
            en_keys = [match_key(en) for _, en in pairs]
            pool_index = {
                (match_key(zh), k): j
                for j, ((zh, _), k) in enumerate(zip(pairs, en_keys, strict=True))
            }
            gold = source_gold(data, size)
            n_gold = sum(g.best >= GOLD and not g.exact_en for g in gold)
            print(
                f"\n== TM of {size:,} units ({n_gold} queries with a source ≥ {GOLD:.0f} similar)"
            )
            runs = {}
            for name, make in fams.items():
                tok = make(en_keys)
                runs[name] = open_run(db, tok, pool_index)
            q_en = [match_key(en) for _, en in data.queries]
            picks = {name: source_picks(run, data) for name, run in runs.items()}
            for half, label in ((0, "A (looked at)"), (1, "B (held out)")):
                print(
                    f"1. Source gold, half {label}: recall/precision of the top match "
                    f"at cutoff {', '.join(f'{c:.0f}' for c in CUTOFFS)}; junk at 70; "
                    f"recall where precision first reaches {TARGET_PRECISION:.0%}"
                )
                n = tally(next(iter(picks.values())), gold, q_en, en_keys, half, 100.0)
                print(
                    f"  ({n.rec_d} queries with gold, {n.junk_d} with nothing related)"
                )
                for name in runs:
                    print(
                        report_source_gold(name, picks[name], gold, q_en, en_keys, half)
                    )
            eq = edited_queries(data, size, args.edited)
            print(
                "2. Edited variants: recall@1 at cutoff 50 / 70 / 80, by share f of words edited"
            )
            for name, run in runs.items():
                for line in report_edited(name, run, eq, en_keys):
                    print(line, flush=True)
            print("4. Speed (CPU time; ratios against chars)")
            ref: dict[str, float] = {}
            for name, run in runs.items():
                print(speed(name, run, data, ref), flush=True)
            for run in runs.values():
                run.matcher.store.close()


if __name__ == "__main__":
    main()
