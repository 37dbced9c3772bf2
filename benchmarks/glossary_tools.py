"""Helpers for curating the shipped glossary by hand against its two documents.

The documents: the State Council's 2025 approval of factor-market reform pilots
(examples/factor-reform-2025.zh-en.txt, "the approval", bilingual paragraphs) and the
Changsha–Zhuzhou–Xiangtan action plan (examples/changzhutan-action-plan.zh.txt,
"the action plan", Chinese only). ``seen`` counts are keyed by those file names.

Usage (from the repository root, PYTHONPATH=src):
    python benchmarks/glossary_tools.py show 标定地价 基准地价   # paragraphs of the approval holding each term
    python benchmarks/glossary_tools.py count 标定地价           # occurrences in the approval and the action plan
    python benchmarks/glossary_tools.py ngrams 4 30             # frequent 4-grams of the action plan
    python benchmarks/glossary_tools.py check 先租后让 'lease first' 'first lease'
        # which paragraphs of the approval use which rendering (regexes); the others are printed
    python benchmarks/glossary_tools.py rebuild glossary/factor-markets.zh-en.yaml
        # recount `seen`, order entries by action-plan then approval frequency, rewrite

Not a benchmark: a curation aid kept beside them because it reads the same files.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from tm.formats.bilingual import read_bilingual

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "factor-reform-2025.zh-en.txt"
NEXT_DOC = ROOT / "examples" / "changzhutan-action-plan.zh.txt"
APPROVAL, ACTION_PLAN = SEED.name, NEXT_DOC.name


def seed_pairs() -> list:
    """The approval's 333 bullet paragraphs (the title, index None, is left out as in ../shared/dev)."""
    return [p for p in read_bilingual(SEED).pairs if p.index is not None]


def next_doc_text() -> str:
    return NEXT_DOC.read_text(encoding="utf-8")


def seen_counts(zh: str, pairs: list, plan_text: str) -> dict[str, int]:
    """Occurrences of `zh` in the approval's Chinese paragraphs and in the whole action plan."""
    return {
        APPROVAL: sum(p.zh.count(zh) for p in pairs),
        ACTION_PLAN: plan_text.count(zh),
    }


def show(term: str, pairs: list, width: int = 0) -> None:
    hits = [p for p in pairs if term in p.zh]
    print(
        f"=== {term}: {sum(p.zh.count(term) for p in hits)} in the approval, "
        f"{next_doc_text().count(term)} in the action plan"
    )
    for p in hits:
        zh = p.zh
        i = zh.find(term)
        ctx = zh[max(0, i - 15) : i + len(term) + 15]
        print(f"[{p.index}] ...{ctx}...")
        print(f"      {p.en if not width else p.en[:width]}")


def check(term: str, renderings: list[str], pairs: list) -> None:
    """Which candidate renderings (regexes, case-insensitive) each paragraph of `term` uses.

    Paragraphs that use none of them are printed in full so they can be read by hand.
    """
    hits = [p for p in pairs if term in p.zh]
    n_approval = sum(p.zh.count(term) for p in hits)
    print(
        f"=== {term}: approval {n_approval} in {len(hits)} paragraphs, "
        f"action plan {next_doc_text().count(term)}"
    )
    used: dict[str, list[int]] = {r: [] for r in renderings}
    for p in hits:
        found = [r for r in renderings if re.search(r, p.en, re.I)]
        for r in found:
            used[r].append(p.index)
        if not found:
            i = p.zh.find(term)
            print(f"  ? [{p.index}] ...{p.zh[max(0, i - 12) : i + len(term) + 12]}...")
            print(f"        {p.en[:420]}")
    for r, idx in used.items():
        print(f"  {r!r}: {len(idx)} {idx}")


def rebuild(path: Path, pairs: list) -> None:
    """Recount `seen`, order by action-plan then approval frequency, rewrite the glossary.

    Written by tm's own glossary writer, so the file stays in the one layout the
    TUI and `tm terms add` also write (a later edit gives a small diff).
    """
    from dataclasses import replace

    from tm.terms.glossary import read_glossary, write_glossary

    header, entries = read_glossary(path)
    plan_text = next_doc_text()
    entries = [
        replace(e, seen=tuple(seen_counts(e.zh, pairs, plan_text).items()))
        for e in entries
    ]
    entries.sort(key=lambda e: (-dict(e.seen)[ACTION_PLAN], -dict(e.seen)[APPROVAL]))
    write_glossary(path, header, entries)
    print(
        len(entries),
        "entries,",
        sum(1 for e in entries if dict(e.seen)[ACTION_PLAN]),
        "in the action plan",
    )


def ngrams(n: int, top: int, pairs: list) -> None:
    text = next_doc_text()
    counts: Counter[str] = Counter()
    for chunk in re.findall(r"[\u4e00-\u9fff]+", text):
        for i in range(len(chunk) - n + 1):
            counts[chunk[i : i + n]] += 1
    for gram, c in counts.most_common(top):
        print(gram, c, sum(p.zh.count(gram) for p in pairs))


def main(argv: list[str]) -> None:
    pairs = seed_pairs()
    cmd, args = argv[0], argv[1:]
    if cmd == "show":
        for term in args:
            show(term, pairs)
    elif cmd == "count":
        text = next_doc_text()
        for term in args:
            print(term, seen_counts(term, pairs, text))
    elif cmd == "check":
        check(args[0], args[1:], pairs)
    elif cmd == "rebuild":
        rebuild(Path(args[0]), pairs)
    elif cmd == "ngrams":
        ngrams(int(args[0]), int(args[1]), pairs)


if __name__ == "__main__":
    main(sys.argv[1:])
