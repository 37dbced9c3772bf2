"""Term base benchmarks: recognition throughput and extraction quality.

Recognition: CC-CEDICT (~124k simplified headwords, ../shared/corpora) plus the shipped
glossary, over every Chinese paragraph of seed 000 and line of seed 003, and over the
English of 000. Extraction: the seed TM's paragraph units (or sentence units, when a
TM database with them is given) against ../shared/dev/gold_terms.dev.yaml: recall of
the gold terms seen at least twice in 000 among the top N candidates, and whether the
suggested English is one 000 really uses for the term; and the same against the
shipped glossary (its terms seen twice in 000, top 300 and 500; English = its en or
a variant).

Both yardsticks are also scored in two halves, so a change tuned on one half can be
checked on the other: the dev terms alternate between half A and half B in id order
(tune on A, check on B); a glossary term's half is the parity of the CRC-32 of its
Chinese. ``--src`` runs the same benchmark on another checkout's code (the "before").

    PYTHONPATH=src python benchmarks/bench_terms.py [--what recognition|extraction|all]
        [--top 300] [--repeat 3] [--db TM.db] [--show 50] [--src OTHER/src]
"""

from __future__ import annotations

import argparse
import lzma
import re
import sys
import time
import zlib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CEDICT = SHARED / "corpora" / "cc-cedict_2025-10-02.txt.xz"
GOLD = SHARED / "dev" / "gold_terms.dev.yaml"
SEED = ROOT / "examples" / "factor-reform-2025.zh-en.txt"
NEXT_DOC = ROOT / "examples" / "changzhutan-action-plan.zh.txt"


def _source_dir() -> str:
    """``--src DIR`` (checked before argparse runs, since it decides what to import)."""
    if "--src" in sys.argv:
        return sys.argv[sys.argv.index("--src") + 1]
    return str(ROOT / "src")


sys.path.insert(0, _source_dir())

from tm.formats.bilingual import doc_units, read_bilingual  # noqa: E402
from tm.terms import TermBase, TermEntry, load_termbase  # noqa: E402
from tm.terms.english import phrase_key  # noqa: E402
from tm.terms.extract import choose_units, extract_terms  # noqa: E402
from tm.text.normalize import match_key  # noqa: E402


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


def bench_extraction(
    top: int, db: str | None, show: int, glossary_path: Path | None = None
) -> None:
    units = _units(db)
    t0, c0 = time.perf_counter(), time.process_time()
    cands = extract_terms(units, top=max(top, GLOSSARY_TOPS[-1]))
    took, cpu = time.perf_counter() - t0, time.process_time() - c0
    ranked, cands = cands, cands[:top]
    gold = yaml.safe_load(GOLD.read_text("utf-8"))["terms"]
    targets = [g for g in sorted(gold, key=lambda g: g["id"]) if g["count_000"] >= 2]
    by_zh = {c.zh: c for c in cands}
    print(
        f"extraction over {len(units)} {units[0].segtype} units: {took:.2f}s wall, "
        f"{cpu:.2f}s CPU"
    )
    halves = (
        ("A (tune)", targets[0::2]),
        ("B (check)", targets[1::2]),
        ("all", targets),
    )
    for name, part in halves:
        recalled = [g for g in part if g["zh"] in by_zh]
        good_en = [g for g in recalled if _uses(by_zh[g["zh"]].en, g)]
        print(
            f"  dev {name:9}: recall of {len(part)} gold terms (≥2× in 000) in top "
            f"{top}: {len(recalled)}/{len(part)} = {len(recalled) / len(part):.2f}; "
            f"English used by 000: {len(good_en)}/{len(recalled)}"
            f" = {len(good_en) / max(1, len(recalled)):.2f}"
        )
    for i, g in enumerate(targets):
        c = by_zh.get(g["zh"])
        rank = cands.index(c) + 1 if c else None
        mark = "ok " if c and _uses(c.en, g) else "-- "
        half = "AB"[i % 2]
        print(f"    {mark}{half} {g['zh']}: rank {rank}, en {c.en if c else None!r}")
    if glossary_path is not None:
        bench_against_glossary(ranked, glossary_path)
    if show:
        print(f"  top {show}:")
        for i, c in enumerate(cands[:show], 1):
            alts = "; ".join(f"{r.en} ({r.count}, {r.dice})" for r in c.renderings[1:])
            print(
                f"    {i:3d} {c.zh} ×{c.count} score={c.score} C={c.cvalue}: {c.en!r} [{c.confidence}] {alts}"
            )


GLOSSARY_TOPS = (300, 500)


def bench_against_glossary(cands: list, glossary_path: Path) -> None:
    """The shipped glossary as a second, larger yardstick.

    Recall of its terms seen at least twice in 000's Chinese among the top 300/500
    candidates, and how many recalled terms get the entry's English or a variant.
    """
    entries = _glossary_entries(glossary_path)
    paras = [match_key(p.zh) for p in read_bilingual(SEED).pairs]
    targets = [e for e in entries if sum(p.count(match_key(e.zh)) for p in paras) >= 2]
    if not targets:
        return
    halves = (
        ("A", [e for e in targets if _glossary_half(e.zh) == 0]),
        ("B", [e for e in targets if _glossary_half(e.zh) == 1]),
        ("all", targets),
    )
    for top in GLOSSARY_TOPS:
        by_zh = {c.zh: c for c in cands[:top]}
        for name, part in halves:
            recalled = [e for e in part if e.zh in by_zh]
            good = [e for e in recalled if _approved(by_zh[e.zh].en, e)]
            print(
                f"  glossary {name:3}: {len(recalled)}/{len(part)} terms (≥2× in 000) "
                f"in top {top} = {len(recalled) / len(part):.2f}; English is its "
                f"en/variant: {len(good)}/{len(recalled)}"
                f" = {len(good) / max(1, len(recalled)):.2f}"
            )


def _glossary_half(zh: str) -> int:
    return zlib.crc32(zh.encode("utf-8")) % 2


def _approved(en: str, entry: TermEntry) -> bool:
    key = phrase_key(en.strip('"“” '))
    return bool(en) and any(
        phrase_key(r.strip('"“” ')) == key for r in (entry.en, *entry.variants)
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
    ap.add_argument(
        "--src", default=None, help="import tm from this source tree (a 'before')"
    )
    args = ap.parse_args()
    if args.what in ("extraction", "all"):
        bench_extraction(args.top, args.db, args.show, args.glossary)
    if args.what in ("recognition", "all"):
        bench_recognition(args.repeat, args.glossary)


if __name__ == "__main__":
    main()
