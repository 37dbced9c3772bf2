"""Term base benchmarks: recognition throughput and extraction quality.

Recognition: CC-CEDICT (~124k simplified headwords, ../shared/corpora) plus the shipped
glossary, over every Chinese paragraph of seed 000 and line of seed 003, and over the
English of 000. Extraction: the seed TM's paragraph units (or sentence units, when a
TM database with them is given) against ../shared/dev/gold_terms.dev.yaml: recall of
the gold terms seen at least twice in 000 among the top N candidates, and whether the
suggested English is one 000 really uses for the term.

    PYTHONPATH=src python benchmarks/bench_terms.py [--what recognition|extraction|all]
        [--top 300] [--repeat 3] [--db TM.db] [--show 50]
"""

from __future__ import annotations

import argparse
import lzma
import re
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CEDICT = SHARED / "corpora" / "cc-cedict_2025-10-02.txt.xz"
GOLD = SHARED / "dev" / "gold_terms.dev.yaml"
SEED = ROOT / "examples" / "factor-reform-2025.zh-en.txt"
NEXT_DOC = ROOT / "examples" / "changzhutan-action-plan.zh.txt"

sys.path.insert(0, str(ROOT / "src"))

from tm.formats.bilingual import doc_units, read_bilingual  # noqa: E402
from tm.terms import TermBase, TermEntry, load_termbase  # noqa: E402
from tm.terms.english import phrase_key  # noqa: E402
from tm.terms.extract import choose_units, extract_terms  # noqa: E402


def cedict_entries(path: Path) -> list[TermEntry]:
    """Simplified headword → first English sense, one entry per line of CC-CEDICT."""
    out = []
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            head, _, rest = line.partition(" [")
            simplified = head.split(" ")[-1]
            senses = rest.split("/")[1:-1]
            if simplified and senses:
                out.append(TermEntry(zh=simplified, en=senses[0], category="cedict"))
    return out


def bench_recognition(repeat: int, glossary_path: Path) -> None:
    t0 = time.perf_counter()
    entries = cedict_entries(CEDICT)
    glossary = _glossary_entries(glossary_path)
    base = TermBase([*entries, *glossary])
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    base.find("预热")
    base.find("warm up", "en")
    index_s = time.perf_counter() - t0
    pairs = read_bilingual(SEED).pairs
    sets = (
        ("zh", "000 paragraphs", [p.zh for p in pairs]),
        ("zh", "003 sentences", zh_sentences(NEXT_DOC.read_text("utf-8"))),
        ("en", "000 English paragraphs", [p.en for p in pairs]),
    )
    print(f"term base: {len(entries)} CC-CEDICT + {len(glossary)} glossary entries")
    print(f"  read {load_s:.2f}s, index build (zh + en) {index_s:.2f}s")
    for lang, name, segs in sets:
        chars = sum(map(len, segs))
        wall = cpu = float("inf")
        hits = 0
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            hits = sum(len(base.find(s, lang)) for s in segs)
            wall = min(wall, time.perf_counter() - t0)
            cpu = min(cpu, time.process_time() - c0)
        print(
            f"  find {lang} over {name}: {len(segs)} segments, {chars / len(segs):.0f} chars"
            f" each, {hits} hits; best of {repeat}: CPU {cpu:.3f}s = "
            f"{len(segs) / cpu:,.0f} segments/s ({chars / cpu / 1000:,.0f}k chars/s); "
            f"wall {wall:.3f}s"
        )


def zh_sentences(text: str) -> list[str]:
    """Split after 。！？； and at line ends (the dev set's sentence convention)."""
    parts = re.split(r"(?<=[。！？；!?;])|\n", text)
    return [p.strip() for p in parts if p.strip()]


def _glossary_entries(path: Path) -> list[TermEntry]:
    try:
        return list(load_termbase(path))
    except Exception as exc:  # a benchmark reports and goes on without the glossary
        print(f"  (no glossary: {exc})")
        return []


def bench_extraction(top: int, db: str | None, show: int) -> None:
    units = _units(db)
    t0 = time.perf_counter()
    cands = extract_terms(units, top=top)
    took = time.perf_counter() - t0
    gold = yaml.safe_load(GOLD.read_text("utf-8"))["terms"]
    targets = [g for g in gold if g["count_000"] >= 2]
    by_zh = {c.zh: c for c in cands}
    recalled = [g for g in targets if g["zh"] in by_zh]
    good_en = [g for g in recalled if _uses(by_zh[g["zh"]].en, g)]
    print(f"extraction over {len(units)} {units[0].segtype} units: {took:.2f}s")
    print(
        f"  recall of {len(targets)} gold terms (≥2× in 000) in top {top}: "
        f"{len(recalled)}/{len(targets)} = {len(recalled) / len(targets):.2f}"
    )
    print(
        f"  suggested English used by 000 for the term: {len(good_en)}/{len(recalled)}"
        f" = {len(good_en) / max(1, len(recalled)):.2f}"
    )
    for g in targets:
        c = by_zh.get(g["zh"])
        rank = cands.index(c) + 1 if c else None
        mark = "ok " if c and _uses(c.en, g) else "-- "
        print(f"    {mark}{g['zh']}: rank {rank}, en {c.en if c else None!r}")
    if show:
        print(f"  top {show}:")
        for i, c in enumerate(cands[:show], 1):
            alts = "; ".join(f"{r.en} ({r.count}, {r.dice})" for r in c.renderings[1:])
            print(
                f"    {i:3d} {c.zh} ×{c.count} C={c.cvalue}: {c.en!r} [{c.confidence}] {alts}"
            )


def _uses(en: str, gold: dict) -> bool:
    """Same words as one of 000's renderings, quotes and plural aside."""
    key = phrase_key(en.strip('"“” '))
    return bool(en) and any(
        phrase_key(r["en"].strip('"“” ')) == key for r in gold["renderings_000"]
    )


def _units(db: str | None) -> list:
    if db:
        from tm.store import open_store

        store = open_store(db)
        return choose_units(
            list(store.iter_units(segtype="sentence")),
            store.iter_units(segtype="paragraph"),
        )
    return list(doc_units(read_bilingual(SEED)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--what", default="all", choices=["recognition", "extraction", "all"]
    )
    ap.add_argument("--top", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--db", default=None, help="a TM database (uses its sentence units)"
    )
    ap.add_argument("--show", type=int, default=0, help="print the top N candidates")
    ap.add_argument("--glossary", type=Path, default=ROOT / "glossary")
    args = ap.parse_args()
    if args.what in ("extraction", "all"):
        bench_extraction(args.top, args.db, args.show)
    if args.what in ("recognition", "all"):
        bench_recognition(args.repeat, args.glossary)


if __name__ == "__main__":
    main()
