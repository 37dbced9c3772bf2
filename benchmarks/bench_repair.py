"""Benchmark: fuzzy-match repair on the Taiwan law paragraphs, and on the seed's annexes.

Part 1, laws (``../shared/corpora/tw_moj_laws.paragraphs.zh-en.tsv.gz``). Units whose
sources differ only in numbers or list labels (the same match key once every run of
digits or Chinese numerals is one ``#`` and a leading list label is left out) and whose
English differs only in digit strings form groups. Each group's members (one per match
key) are dealt to a TM side and a query side; the TM holds every group's TM side plus
``--others`` unrelated units. Each query-side source is looked up; its top match's
English is judged against the query's own English:

* repaired exactly: the offered English (``repaired_target``, or the unit's English
  when the match needed no change to it) equals it;
* repaired wrongly: a ``repaired_target`` was offered and differs from it;
* left alone: no repaired English was offered (its ``repairs`` say why).

Groups are split in two by a hash of their key: part A is what the repair rules were
looked at on, part B was not; both are printed.

Part 2, the seed (``examples/factor-reform-2025.zh-en.txt``), leave one annex out: the
TM is the units of the other nine annexes; each sentence of the held-out annex is
looked up. Printed: the bands of the best match (as the issue counted them with an
exhaustive scan), chrF (sacrebleu) of the offered English against the sentence's own
English for matches scoring 75 or more, raw (the TM unit's English) and repaired (the
repaired English where there is one), and the share of sentences with at least one
fragment hit before (exact clauses found by concordance) and after (tm.fragments).

Usage:
    python benchmarks/bench_repair.py
    python benchmarks/bench_repair.py --part laws --others 5000 --show 20
"""

from __future__ import annotations

import argparse
import gzip
import random
import re
import sys
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tm.match import Matcher  # noqa: E402
from tm.models import Match, MatchKind, SegType, TranslationUnit  # noqa: E402
from tm.store import open_store  # noqa: E402
from tm.text.normalize import match_key  # noqa: E402

LAWS = ROOT.parent / "shared" / "corpora" / "tw_moj_laws.paragraphs.zh-en.tsv.gz"
SEED = ROOT / "examples" / "factor-reform-2025.zh-en.txt"
_NUMERAL_RUN = re.compile(r"[0-9零〇○一二三四五六七八九十百千万亿萬億两兩]+")
_LEADING_LABEL = re.compile(r"^(?:#[,.]|\(#\)|第#[条條章节節款项項])")
_DIGITS = re.compile(r"\d+")


def read_pairs(path: Path) -> Iterator[tuple[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            zh, _, en = line.rstrip("\n").partition("\t")
            if zh.strip() and en.strip():
                yield zh, en


def zh_skeleton(zh: str) -> str:
    """The match key with every numeral run one ``#`` and no opening label."""
    return _LEADING_LABEL.sub("", _NUMERAL_RUN.sub("#", match_key(zh)))


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    members: tuple[tuple[str, str], ...]  # (zh, en), one per match key

    @property
    def part(self) -> str:
        return "A" if zlib.crc32(self.key.encode()) % 2 == 0 else "B"


def law_groups(
    rows: list[tuple[str, str]],
) -> tuple[list[Group], list[tuple[str, str]]]:
    """Groups of two or more sources differing only in numbers/labels, and the rest.

    Where sources of one skeleton have English of several skeletons (the same Chinese
    translated two ways in two statutes), only the largest such group is kept and the
    other units are left out altogether: the TM must hold one side of a pair, not a
    third unit with the same Chinese and another English.
    """
    by_zh: dict[str, dict[str, dict[str, tuple[str, str]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for zh, en in rows:
        by_zh[zh_skeleton(zh)][_DIGITS.sub("#", en)].setdefault(match_key(zh), (zh, en))
    groups, rest = [], []
    for zh_key, by_en in by_zh.items():
        en_key, members = max(
            by_en.items(), key=lambda kv: (len(kv[1]), zlib.crc32(kv[0].encode()))
        )
        if len(members) >= 2:
            groups.append(Group(zh_key + "\t" + en_key, tuple(members.values())))
        elif len(by_en) == 1:
            rest += members.values()
    return groups, rest


def deal(group: Group) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Members to the TM side and the query side, alternately in a fixed hashed order."""
    order = sorted(group.members, key=lambda m: zlib.crc32(m[0].encode()))
    return order[0::2], order[1::2]


def judge(match: Match | None, expected: str) -> str:
    if match is None:
        return "no match"
    if match.repaired_target is not None:
        return "exact" if match.repaired_target == expected else "wrong"
    if match.kind in (MatchKind.REPAIRED, MatchKind.EXACT) and match.target == expected:
        return "exact"  # the English needed no change (a label's width or style)
    return "left alone"


def laws(others: int, show: int, seed: int, show_left: int = 0) -> None:
    t0 = time.perf_counter()
    rows = list(read_pairs(LAWS))
    groups, rest = law_groups(rows)
    rng = random.Random(seed)
    filler = rng.sample(rest, min(others, len(rest)))
    tm_units: list[TranslationUnit] = []
    queries: list[tuple[str, str, str, int]] = []  # zh, en, part, tm-side size
    for g in groups:
        tm_side, query_side = deal(g)
        tm_units += [TranslationUnit(zh, en, source_lang="zh-TW") for zh, en in tm_side]
        queries += [(zh, en, g.part, len(tm_side)) for zh, en in query_side]
    tm_units += [TranslationUnit(zh, en, source_lang="zh-TW") for zh, en in filler]
    pairs = sum(len(a) * len(b) * 2 for a, b in (deal(g) for g in groups))
    print(
        f"laws: {len(rows):,} paragraphs; {len(groups):,} groups differing only in"
        f" numbers/labels ({pairs:,} ordered pairs); TM {len(tm_units):,} units"
        f" ({len(tm_units) - len(filler):,} group members + {len(filler):,} others);"
        f" {len(queries):,} queries"
    )
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "laws.db")
        try:
            store.add_units(tm_units, batch_size=10_000)
            matcher = Matcher(store)
            matcher.ensure_index()
            results: dict[str, Counter[str]] = {"A": Counter(), "B": Counter()}
            reasons: Counter[str] = Counter()
            wrong: list[tuple[str, str, Match]] = []
            alone: list[tuple[str, str, Match]] = []
            for zh, en, part, _ in queries:
                found = matcher.lookup(zh, min_score=50, limit=1)
                best = found[0] if found else None
                verdict = judge(best, en)
                results[part][verdict] += 1
                if verdict == "wrong":
                    wrong.append((zh, en, best))  # type: ignore[arg-type]
                if verdict == "left alone" and best is not None:
                    skipped = [r for r in best.repairs if not r.done]
                    reasons[_reason(skipped, best)] += 1
                    alone.append((zh, en, best))
        finally:
            store.close()
    for part, label in (
        ("A", "part A (looked at while tuning)"),
        ("B", "part B (held out)"),
    ):
        c = results[part]
        n = sum(c.values())
        print(
            f"{label}: {n:,} queries; repaired exactly {_share(c['exact'], n)},"
            f" repaired wrongly {_share(c['wrong'], n)}, left alone"
            f" {_share(c['left alone'], n)}, no match ≥ 50 {_share(c['no match'], n)}"
        )
    print("left alone, why (both parts):")
    for why, k in reasons.most_common(8):
        print(f"  {k:5d}  {why}")
    for zh, en, m in wrong[:show]:
        print(
            f"WRONG  query {zh}\n       TM    {m.source}\n       want  {en}\n       got   {m.repaired_target}"
        )
    for zh, en, m in alone[:show_left]:
        why = "; ".join(
            f"{r.kind} {r.tm}→{r.query}: {r.reason}" for r in m.repairs if not r.done
        )
        print(
            f"LEFT   query {zh}\n       TM    {m.source}\n       TM en {m.target}\n       want  {en}\n       why   {why}"
        )
    print(f"laws part: {time.perf_counter() - t0:.0f}s")


# -- part 2: the seed, leave one annex out ---------------------------------------------

_ANNEX = re.compile(r"附件(\d+)")


def annex_of(occ: object) -> int | None:
    m = _ANNEX.match(getattr(occ, "section", "") or "")
    return int(m.group(1)) if m else None


def seed_units(tmp: Path) -> list[tuple[TranslationUnit, list[int]]]:
    """The seed's units (sentence units aligned as `tm import` does) and their annexes."""
    from tm.service import TMService

    with TMService.open(tmp / "seed.db") as service:
        service.import_file(SEED)
        out = []
        for u in service.store.iter_units(all_occurrences=True):
            occs = [o for o in (u.occurrence, *u.other_occurrences) if o is not None]
            out.append((u, [a for o in occs if (a := annex_of(o)) is not None]))
    return out


def band(score: float | None) -> str:
    if score is None or score < 50:
        return "none"
    if score >= 100:
        return "100+"
    if score >= 85:
        return "85-99"
    if score >= 75:
        return "75-84"
    return "50-74"


def seed(show: int) -> None:
    import sacrebleu

    from tm.concordance import fragments as exact_clause_fragments
    from tm.service import TermService

    t0 = time.perf_counter()
    termbase = TermService(ROOT / "glossary").load()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        units = seed_units(tmp)
        bands: Counter[str] = Counter()
        kinds: Counter[str] = Counter()
        refs: list[str] = []
        raw: list[str] = []
        fixed: list[str] = []
        offered: list[tuple[str, str, str]] = []  # (raw, repaired, ref) where repaired
        frag_before = frag_after = total = 0
        for k in range(1, 11):
            tm = [
                replace(u, id=None, other_occurrences=())
                for u, annexes in units
                if any(a != k for a in annexes)
            ]
            queries = [
                u
                for u, annexes in units
                if u.segtype == SegType.SENTENCE
                for a in annexes
                if a == k
            ]
            store = open_store(tmp / f"annex{k}.db")
            try:
                store.add_units(tm)
                matcher = Matcher(store)
                for q in queries:
                    total += 1
                    found = matcher.lookup(
                        q.source, min_score=50, limit=1, termbase=termbase
                    )
                    best = found[0] if found else None
                    bands[band(best.score if best else None)] += 1
                    if best is not None and best.score >= 75:
                        kinds[str(best.kind)] += 1
                        refs.append(q.target)
                        raw.append(best.target)
                        fixed.append(best.offered_target)
                        if best.repaired_target is not None:
                            offered.append(
                                (best.target, best.repaired_target, q.target)
                            )
                    frag_before += bool(exact_clause_fragments(store, q.source))
                    frag_after += bool(matcher.fragments(q.source))
            finally:
                store.close()
    print(
        f"seed, leave one annex out: {total} sentences of the ten annexes; best match"
        " by band: "
        + ", ".join(
            f"{b} {bands[b]}" for b in ("100+", "85-99", "75-84", "50-74", "none")
        )
    )
    n = len(refs)
    print(
        f"matches >= 75: {n} ({', '.join(f'{k} {v}' for k, v in kinds.most_common())})"
    )
    chrf_raw = sacrebleu.corpus_chrf(raw, [refs]).score
    chrf_fixed = sacrebleu.corpus_chrf(fixed, [refs]).score
    print(
        f"chrF of the offered English vs the seed's own, matches >= 75: raw {chrf_raw:.1f}, repaired {chrf_fixed:.1f}"
    )
    if offered:
        r_raw = sacrebleu.corpus_chrf(
            [o[0] for o in offered], [[o[2] for o in offered]]
        ).score
        r_fix = sacrebleu.corpus_chrf(
            [o[1] for o in offered], [[o[2] for o in offered]]
        ).score
        print(
            f"  the {len(offered)} matches with a repaired English: raw {r_raw:.1f}, repaired {r_fix:.1f}"
        )
    for o in offered[:show]:
        print(f"  TM       {o[0]}\n  repaired {o[1]}\n  own      {o[2]}")
    print(
        f"sentences with at least one fragment hit: before (exact clauses, concordance)"
        f" {_share(frag_before, total)}, after (tm.fragments) {_share(frag_after, total)}"
    )
    judged_links()
    print(f"seed part: {time.perf_counter() - t0:.0f}s")


def judged_links() -> None:
    """Precision and recall of "the clause's English" on the hand-judged clause links."""
    from tm.fragments import ALIGN_CONFIDENT

    rows = [
        line.rstrip("\n").split("\t")
        for line in (ROOT / "benchmarks" / "fragments_judged.tsv").open(
            encoding="utf-8"
        )
        if not line.startswith("#")
    ]
    for half, name in (
        (0, "even rows (threshold chosen here)"),
        (1, "odd rows (held out)"),
    ):
        part = [(float(r[2]), r[5] == "1") for r in rows if int(r[0]) % 2 == half]
        chosen = [ok for conf, ok in part if conf >= ALIGN_CONFIDENT]
        right = sum(ok for _, ok in part)
        print(
            f"clause English, hand-judged links, {name}: {len(chosen)} of {len(part)} links"
            f" at confidence >= {ALIGN_CONFIDENT}; precision {sum(chosen) / max(1, len(chosen)):.3f},"
            f" recall {sum(chosen) / max(1, right):.3f}"
        )


def _reason(skipped: list, match: Match) -> str:  # type: ignore[type-arg]
    if skipped:
        r = skipped[0]
        return (
            f"{r.kind}: {re.sub(r'[0-9一二三四五六七八九十百千萬万]+', '#', r.reason)}"
        )
    if match.kind is MatchKind.FUZZY:
        return "other text differs (the top match is not from the group)"
    return str(match.kind)


def _share(k: int, n: int) -> str:
    return f"{k / n:.3f} ({k:,})" if n else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=["laws", "seed", "both"], default="both")
    ap.add_argument(
        "--others", type=int, default=5000, help="unrelated TM units (laws)"
    )
    ap.add_argument("--show", type=int, default=0, help="print this many wrong repairs")
    ap.add_argument(
        "--show-left", type=int, default=0, help="print this many left alone"
    )
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.part in ("laws", "both"):
        laws(args.others, args.show, args.seed, args.show_left)
    if args.part in ("seed", "both"):
        seed(args.show)


if __name__ == "__main__":
    main()
