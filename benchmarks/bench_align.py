"""Aligner speed and link shapes: the seed, then paragraph pairs of the Taiwan laws corpus.

Prints, for each input: pairs, sentences, seconds, pairs/s, the estimated length model,
the share of links that are not 1-1 and of links flagged for review. With
``--synthetic N`` it also builds N paragraphs by joining 2–6 consecutive corpus pairs
and scores the strict links against the known joins (a gold that costs nothing, on a
domain the parameters were never tuned on).

``--deletions`` removes one sentence from seed paragraphs and reports link recall and
how often links in each confidence band are right (is the review threshold sensible?),
without and with the shipped glossary's terms as anchors.

Usage:
    PYTHONPATH=src python benchmarks/bench_align.py [--pairs 20000] [--synthetic 2000]
        [--deletions]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "factor-reform-2025.zh-en.txt"
CORPUS = ROOT.parent / "shared" / "corpora" / "tw_moj_laws.paragraphs.zh-en.tsv.gz"


def read_corpus(path: Path, limit: int, skip: int = 0) -> list[tuple[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = (line.rstrip("\n").split("\t") for line in fh)
        good = ((r[0], r[1]) for r in rows if len(r) == 2 and r[0] and r[1])
        return list(itertools.islice(good, skip, skip + limit))


def report(name: str, pairs: list[tuple[str, str]], repeat: int = 1) -> None:
    from tm.align import LengthModel, align_pairs

    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        results = align_pairs(pairs)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    secs = statistics.median(times)
    links = [lk for res in results for lk in res.links]
    shapes = Counter((len(lk.zh), len(lk.en)) for lk in links)
    non11 = 1 - shapes[(1, 1)] / len(links)
    from tm.text.segment import split_en, split_zh

    model = LengthModel.estimate(pairs)
    sentence_model = model.for_sentences([(split_zh(z), split_en(e)) for z, e in pairs])
    print(f"== {name}")
    print(
        f"  pairs: {len(pairs)}   sentences zh/en: "
        f"{sum(len(r.zh) for r in results)}/{sum(len(r.en) for r in results)}"
    )
    runs = ", ".join(f"{t:.2f}" for t in times)
    cpus = ", ".join(f"{t:.2f}" for t in cpu)
    print(
        f"  wall seconds: {secs:.2f} (median of {repeat}: {runs})   "
        f"pairs/s: {len(pairs) / secs:,.0f}"
    )
    print(f"  CPU seconds: {cpus}")
    print(
        f"  model: ratio {model.ratio:.2f}, variance {model.variance:.1f} between "
        f"paragraphs, {sentence_model.variance:.1f} between sentences"
    )
    print(
        f"  links: {len(links)}   non-1-1: {non11:.2%}   review: "
        f"{sum(lk.review for lk in links) / len(links):.2%}"
    )
    top = ", ".join(f"{z}-{e}: {n}" for (z, e), n in shapes.most_common(8))
    print(f"  shapes: {top}")


def synthetic(corpus: list[tuple[str, str]], groups: int, seed: int = 7) -> None:
    """Join consecutive corpus pairs into paragraphs; score links against the joins."""
    from tm.align import align_presegmented
    from tm.text.segment import split_en, split_zh

    # Only corpus pairs whose Chinese is one sentence: a finer, correct alignment
    # inside a multi-sentence pair would otherwise count as an error.
    units = []
    for z, e in corpus:
        zs, es = split_zh(z), split_en(e)
        if len(zs) == 1 and 1 <= len(es) <= 3:
            units.append((zs, es))
    rng = random.Random(seed)
    items, golds = [], []
    pos = 0
    while len(items) < groups and pos < len(units):
        k = rng.randint(2, 6)
        zh: list[str] = []
        en: list[str] = []
        gold = set()
        for zs, es in units[pos : pos + k]:
            gold.add(
                (
                    tuple(range(len(zh), len(zh) + len(zs))),
                    tuple(range(len(en), len(en) + len(es))),
                )
            )
            zh += zs
            en += es
        pos += k
        items.append((zh, en))
        golds.append(gold)
    results = align_presegmented(items)
    tp = n_pred = n_gold = 0
    for gold, res in zip(golds, results, strict=True):
        pred = {(lk.zh, lk.en) for lk in res.links}
        tp += len(gold & pred)
        n_pred += len(pred)
        n_gold += len(gold)
    p, r = tp / n_pred, tp / n_gold
    print(
        f"== synthetic paragraphs from the corpus: {len(items)} paragraphs of 2-6 "
        f"pairs with one Chinese sentence each, {n_gold} gold links"
    )
    print(f"  strict precision {p:.4f}  recall {r:.4f}  F1 {2 * p * r / (p + r):.4f}")


def deletions(
    pairs: list[tuple[str, str]], seed: int = 1, terms: list | None = None
) -> None:
    """Delete one middle sentence from all-1-1 seed paragraphs; score links and confidence.

    The seed's own alignment of each paragraph with 4+ sentences, all linked 1-1, is
    the gold; one middle sentence is removed, once on each side, so the right answer
    has one 1-0 or 0-1 link. The length model is the seed's own (as when a few
    paragraphs of a document have an omission), not one estimated from the variants,
    where every pair is damaged. Prints link recall and accuracy per confidence band.
    """
    from tm.align import LengthModel, align_pairs, align_presegmented
    from tm.text.segment import split_en, split_zh

    model = LengthModel.estimate(pairs).for_sentences(
        [(split_zh(z), split_en(e)) for z, e in pairs]
    )

    rng = random.Random(seed)
    items, golds = [], []
    for res in align_pairs(pairs):
        if len(res.links) < 4 or any(
            len(lk.zh) != 1 or len(lk.en) != 1 for lk in res.links
        ):
            continue
        k = rng.randrange(1, len(res.links) - 1)
        n = len(res.links)
        zh_gone = {((i - (i > k),), (i,)) for i in range(n) if i != k} | {((), (k,))}
        en_gone = {((i,), (i - (i > k),)) for i in range(n) if i != k} | {((k,), ())}
        items.append(([s for i, s in enumerate(res.zh) if i != k], list(res.en)))
        golds.append(zh_gone)
        items.append((list(res.zh), [s for i, s in enumerate(res.en) if i != k]))
        golds.append(en_gone)
    bands: dict[int, list[int]] = {}
    found = total = 0
    results = align_presegmented(items, model=model, terms=terms)
    for gold, res in zip(golds, results, strict=True):
        pred = {(lk.zh, lk.en) for lk in res.links}
        found += len(gold & pred)
        total += len(gold)
        for lk in res.links:
            band = bands.setdefault(min(int(lk.confidence * 10), 9), [0, 0])
            band[0] += 1
            band[1] += (lk.zh, lk.en) in gold
    anchors = f"{len(terms)} glossary terms as anchors" if terms else "no glossary"
    print(f"== one sentence deleted: {len(items)} seed paragraph variants, {anchors}")
    print(f"  link recall {found / total:.3f}")
    for b in sorted(bands):
        n, ok = bands[b]
        print(
            f"  confidence {b / 10:.1f}-{(b + 1) / 10:.1f}: {n} links, {ok / n:.0%} right"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=20_000)
    parser.add_argument("--synthetic", type=int, default=0)
    parser.add_argument(
        "--deletions",
        action="store_true",
        help="seed stress test: one sentence deleted",
    )
    args = parser.parse_args(argv)

    from tm.formats.bilingual import read_bilingual

    doc = read_bilingual(SEED)
    seed_pairs = [(p.zh, p.en) for p in doc.pairs if p.index is not None]
    report(f"seed {SEED.name}", seed_pairs, repeat=5)
    if args.deletions:
        from tm.terms import load_termbase

        deletions(seed_pairs)
        deletions(seed_pairs, terms=load_termbase(ROOT / "glossary").anchor_pairs())
    if not CORPUS.exists():
        print(f"no corpus at {CORPUS}: skipped", file=sys.stderr)
        return 0
    corpus = read_corpus(CORPUS, args.pairs)
    report(f"{CORPUS.name} (first {len(corpus)} pairs)", corpus)
    if args.synthetic:
        synthetic(
            read_corpus(CORPUS, args.synthetic * 8, skip=args.pairs), args.synthetic
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
