"""Import, export and first look-up of a TMX of real zh–en units, beside translate-toolkit.

For each size (default 100,000 and 1,000,000 sentence units) a TMX is built once from
../shared/corpora and kept in ``--cache`` (built files are reused): every distinct pair
of the parallel corpora (Taiwan laws paragraphs and headings, Python docs, WMT news,
Tatoeba, TICO-19, FLORES); then a copy of each in the other script (Traditional ↔
Simplified through OpenCC's character tables, tagged zh-CN or zh-TW; pairs the table
leaves unchanged are skipped); then the sentence units tm's aligner makes of the
multi-sentence pairs, and their copies in the other script; then the Hong Kong and Taiwan
forms (OpenCC's HK and TW variants) of all of these that have one. No pair is repeated; the
output says how many units the TMX holds.

Each step runs in its own process, as ``tm`` would, and prints wall time (the machine is
shared: see the load average), CPU seconds (the process and its workers apart) and peak
RSS:

* translate-toolkit parsing the same TMX and reading every unit's source and target;
* ``tm import`` into a new SQLite TM (one transaction; workers prepare the file) with
  the match index it builds from the units it writes and caches beside the TM (the
  import's own time is printed apart), then the first ``tm lookup`` of a new process:
  "TMX → first look-up";
* the database size against the TMX's;
* ``tm export`` of the whole TM to TMX;
* with a PostgreSQL URL (``--postgres`` or ``TM_TEST_POSTGRES_DSN``), the same import
  into a new schema there, with the server's CPU seconds for it;
* a TMX of law paragraphs (``--paragraphs``) imported with sentence alignment;
* ``tm lookup --batch --json`` on the first TM: the marginal cost of a query (1,000
  queries minus 10) beside ``TMService.lookup`` of the same queries in one process.

Usage::

    python benchmarks/bench_import.py
    python benchmarks/bench_import.py --sizes 100000 --paragraphs 20000
    python benchmarks/bench_import.py --postgres postgresql://postgres@127.0.0.1/tm
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tm.locations import numpy_defaults  # noqa: E402

# As the tm command does, before numpy is imported: the in-process figures are tm's.
numpy_defaults()

CORPORA = ROOT.parent / "shared" / "corpora"
FILES = (
    "tw_moj_laws.paragraphs.zh-en.tsv.gz",
    "tw_moj_laws.titles_headings.zh-en.tsv.gz",
    "python_docs_3.13.zh_CN.zh-en.tsv.gz",
    "wmt_news_test_2017-2022.zh-en.tsv.gz",
    "tatoeba_test_v2021-08-07.zh-en.tsv.gz",
    "tico19_test.zh-en.tsv.gz",
    "flores200_devtest.zh-en.tsv.gz",
)
TRADITIONAL = {FILES[0], FILES[1]}  # the Taiwan files; the others are Simplified
BATCH_QUERIES = 1000
TM = [sys.executable, "-m", "tm"]


def write_bytecode() -> None:
    """Write the bytecode of tm's modules where it is missing or stale (compileall
    skips the rest).

    An installed package has it (pip compiles on install; ``make install`` does too),
    but an editable install only gets it from Python's own cache, which
    PYTHONDONTWRITEBYTECODE turns off: every process of an import (the parsers, the
    index feed) and the first look-up would then compile tm's modules first, about
    0.1 s of CPU each.
    """
    import compileall

    compileall.compile_dir(str(ROOT / "src" / "tm"), quiet=1)


# -- the data ---------------------------------------------------------------------------


def read_pairs(name: str) -> Iterator[tuple[str, str]]:
    with gzip.open(CORPORA / name, "rt", encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2 and cols[-2].strip() and cols[-1].strip():
                yield cols[-2], cols[-1]


def _script_table(name: str) -> dict[int, str]:
    """One character → its first conversion, from an OpenCC character dictionary."""
    import opencc

    table: dict[int, str] = {}
    path = Path(opencc.__file__).parent / "dictionary" / name
    for line in path.read_text(encoding="utf-8").splitlines():
        src, _, dst = line.partition("\t")
        if len(src) == 1 and dst:
            table[ord(src)] = dst.split()[0]
    return table


def corpus_units(limit: int) -> Iterator[tuple[str, str, str]]:
    """(zh, en, zh language tag) triples, distinct, in the order the docstring gives."""
    seen: set[tuple[str, str]] = set()
    originals: list[tuple[str, str, bool]] = []
    t2s, s2t = _script_table("TSCharacters.txt"), _script_table("STCharacters.txt")

    def fresh(zh: str, en: str) -> bool:
        if (zh, en) in seen:
            return False
        seen.add((zh, en))
        return True

    def with_copy(
        zh: str, en: str, traditional: bool
    ) -> Iterator[tuple[str, str, str]]:
        if fresh(zh, en):
            yield zh, en, "zh-TW" if traditional else "zh-CN"
        other = zh.translate(t2s if traditional else s2t)
        if other != zh and fresh(other, en):
            yield other, en, "zh-CN" if traditional else "zh-TW"

    def stages() -> Iterator[tuple[str, str, str]]:
        for name in FILES:
            for zh, en in read_pairs(name):
                if fresh(zh, en):
                    originals.append((zh, en, name in TRADITIONAL))
                    yield zh, en, "zh-TW" if name in TRADITIONAL else "zh-CN"
        for zh, en, traditional in originals:
            yield from with_copy(zh, en, traditional)
        sentences = list(aligned_sentences(originals))
        for zh, en, traditional in sentences:
            yield from with_copy(zh, en, traditional)
        for table, lang in (("HKVariants.txt", "zh-HK"), ("TWVariants.txt", "zh-TW")):
            variants = _script_table(table)
            for zh, en, traditional in [*originals, *sentences]:
                form = zh if traditional else zh.translate(s2t)
                variant = form.translate(variants)
                if variant != form and fresh(variant, en):
                    yield variant, en, lang

    for n, triple in enumerate(stages(), 1):
        yield triple
        if n >= limit:
            return


def aligned_sentences(
    pairs: list[tuple[str, str, bool]],
) -> Iterator[tuple[str, str, bool]]:
    """The sentence units tm's aligner makes of the multi-sentence pairs (as an import
    with sentence alignment stores them: joined sentences for 1–2 and 2–1 links)."""
    from tm.align import align_pairs

    for start in range(0, len(pairs), 20_000):
        chunk = pairs[start : start + 20_000]
        alignments = align_pairs([(zh, en) for zh, en, _ in chunk], workers=2)
        for (_, _, traditional), al in zip(chunk, alignments, strict=True):
            if len(al.links) < 2:
                continue
            for link in al.links:
                if link.zh and link.en:
                    zh = "".join(al.zh[i] for i in link.zh)
                    yield zh, " ".join(al.en[j] for j in link.en), traditional


def build_tmx(path: Path, n: int, *, paragraphs: bool = False) -> int:
    from tm.formats.tmx import TMXHeader, write_tmx
    from tm.models import Occurrence, SegType, TranslationUnit

    segtype = SegType.PARAGRAPH if paragraphs else SegType.SENTENCE
    if paragraphs:
        triples: Iterator[tuple[str, str, str]] = (
            (zh, en, "zh-TW") for zh, en in read_pairs(FILES[0])
        )
    else:
        triples = corpus_units(n)
    units = (
        TranslationUnit(
            zh,
            en,
            source_lang=lang,
            segtype=segtype,
            occurrence=Occurrence(path.name, i),
        )
        for i, (zh, en, lang) in zip(range(n), triples, strict=False)
    )
    return write_tmx(units, path, header=TMXHeader(segtype=str(segtype)))


def cached_tmx(cache: Path, n: int, *, paragraphs: bool = False) -> Path:
    """The TMX of ``n`` units, built (in its own process, so that this one stays small:
    a child's peak RSS starts from its parent's) unless the cache has it."""
    path = cache / f"bench-{'para' if paragraphs else 'sent'}-{n}.tmx"
    if not path.exists():
        t = time.perf_counter()
        count = step("build", str(path), str(n), "para" if paragraphs else "sent")
        print(
            f"  (built {path.name}: {count['units']:,} units"
            f" in {time.perf_counter() - t:.0f} s)"
        )
    return path


# -- one step per process -----------------------------------------------------------------


def step(*args: str) -> dict[str, Any]:
    """Run this script's ``--step`` in a new process; what it measured."""
    out = subprocess.run(
        [sys.executable, __file__, "--step", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _usage() -> dict[str, float]:
    """CPU seconds and peak RSS of this process and of its (finished) workers.

    This process's peak is its own memory's high-water mark (VmHWM); the workers'
    is the largest of theirs, which Linux counts from this process's RSS when it
    started them (a worker inherits that much of a mark), so it is an upper bound.
    """
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "cpu": me.ru_utime + me.ru_stime,
        "workers_cpu": kids.ru_utime + kids.ru_stime,
        "rss": _high_water_mb(),
        "workers_rss": kids.ru_maxrss / 1024,
    }


def _high_water_mb() -> float:
    status = Path("/proc/self/status")
    if status.exists():
        for row in status.read_text().splitlines():
            if row.startswith("VmHWM:"):
                return int(row.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_step(name: str, args: list[str]) -> dict[str, Any]:
    t = time.perf_counter()
    extra: dict[str, Any] = STEPS[name](*args) or {}
    return {"wall": time.perf_counter() - t, **_usage(), **extra}


def step_build(path: str, n: str, kind: str) -> dict[str, Any]:
    tmp = Path(path + ".part")
    count = build_tmx(tmp, int(n), paragraphs=kind == "para")
    tmp.replace(path)
    return {"units": count}


def step_ttk(tmx: str) -> dict[str, Any]:
    from translate.storage.tmx import tmxfile

    with open(tmx, "rb") as fh:
        store = tmxfile(fh)
    # Every <tuv>'s text (units mix zh-TW and zh-CN, so .source alone would miss some).
    n = sum(
        1 for u in store.units if all(u.getNodeText(x) for x in u.getlanguageNodes())
    )
    return {"units": n}


def step_import(db: str, tmx: str) -> dict[str, Any]:
    """``tm import``: the file, then the match index cached (into a new SQLite TM
    the import builds it from the units it writes; this waits for it)."""
    from tm.importer import cache_match_index, import_file
    from tm.store import open_store

    with open_store(db) as store:
        pid = _backend_pid(store)
        server0 = _process_cpu(pid)
        t = time.perf_counter()
        report = import_file(store, tmx)
        imported = time.perf_counter() - t
        server = _process_cpu(pid) - server0 if pid else None
        cache_match_index(store)
    return {"units": report.added, "server_cpu": server, "import_wall": imported}


def _backend_pid(store: Any) -> int | None:
    """The PostgreSQL backend of the store's write connection, when it is local."""
    conn = getattr(store, "_conn", None)
    if store.backend != "postgresql" or conn is None:
        return None
    pid = int(conn.execute("SELECT pg_backend_pid()").fetchone()[0])
    return pid if Path(f"/proc/{pid}/stat").exists() else None


def _process_cpu(pid: int | None) -> float:
    if not pid:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def step_export(db: str, out: str) -> dict[str, Any]:
    from tm.service import TMService

    with TMService.open(db, readonly=True) as service:
        return {"units": service.export(out, fmt="tmx")}


def step_paragraphs(db: str, tmx: str) -> dict[str, Any]:
    from tm.service import TMService

    with TMService.open(db) as service:
        report = service.import_file(tmx)
    return {"units": report.added, "sentences": report.sentences_added}


def step_lookups(db: str, queries: str) -> dict[str, Any]:
    from tm.service import TMService

    texts = Path(queries).read_text(encoding="utf-8").splitlines()
    times = []
    with TMService.open(db, readonly=True) as service:
        service.lookup(texts[0])  # the index, loaded once as the CLI loads it
        for text in texts:
            t = time.perf_counter()
            service.lookup(text)
            times.append(time.perf_counter() - t)
    return {"median": statistics.median(times), "mean": statistics.mean(times)}


STEPS = {
    "build": step_build,
    "ttk": step_ttk,
    "import": step_import,
    "export": step_export,
    "paragraphs": step_paragraphs,
    "lookups": step_lookups,
}


def timed(cmd: list[str]) -> float:
    return timed_cpu(cmd)[0]


def timed_cpu(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds of ``cmd`` and the CPU seconds it (with its children) used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu


# -- the report ---------------------------------------------------------------------------


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s" if seconds > 0 else "-"


def line(label: str, r: dict[str, Any], n: int) -> None:
    print(
        f"  {label:<30} {r['wall']:7.1f} s wall = {rate(n, r['wall']):>9}"
        f"  cpu {r['cpu']:6.1f} s + workers {r['workers_cpu']:5.1f} s"
        f"  rss {r['rss']:5.0f} MB (workers {r['workers_rss']:4.0f} MB)"
    )


def bench_size(n: int, cache: Path, tmp: Path, pg: str | None) -> tuple[Path, Path]:
    tmx = cached_tmx(cache, n)
    size = tmx.stat().st_size
    ttk = step("ttk", str(tmx))
    n = ttk["units"]
    print(f"\n{n:,} sentence units: {tmx.name}, {size / 1e6:.0f} MB")
    line("translate-toolkit parse", ttk, n)
    db = tmp / f"tm-{n}.db"
    imp = step("import", str(db), str(tmx))
    line("tm import (SQLite) + index", imp, n)
    print(
        f"  {'':30} of which the import {imp['import_wall']:.1f} s wall ="
        f" {rate(n, imp['import_wall'])}, then the match index cached"
        f" {imp['wall'] - imp['import_wall']:.1f} s"
    )
    probe = _probe_text(db)
    first, first_cpu = timed_cpu([*TM, "lookup", probe, "--db", str(db), "--json"])
    ready = imp["wall"] + first
    print(
        f"  {'first tm lookup (new process)':<30} {first:7.1f} s wall"
        f" (cpu {first_cpu:.2f} s); TMX → first look-up {ready:.1f} s (wall), CPU"
        f" {imp['cpu'] + imp['workers_cpu'] + first_cpu:.1f} s on {os.cpu_count()} cores;"
        # The machine's speed moves the wall times: translate-toolkit's parse of the
        # same file, in the same run, is the yardstick.
        f" {ready / ttk['wall']:.2f}× translate-toolkit's parse"
    )
    print(
        f"  database {db.stat().st_size / 1e6:.0f} MB = {db.stat().st_size / size:.2f}×"
        f" the TMX; import {imp['import_wall'] / ttk['wall']:.2f}× translate-toolkit's"
        f" parse (wall), {(imp['cpu'] + imp['workers_cpu']) / ttk['cpu']:.2f}×"
        " (CPU, with the index)"
    )
    exp = step("export", str(db), str(tmp / f"out-{n}.tmx"))
    line("tm export (TMX)", exp, n)
    if pg:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        _pg_admin(pg, f'CREATE SCHEMA "{schema}"')
        try:
            r = step("import", _with_schema(pg, schema), str(tmx))
            line("tm import (PostgreSQL)", r, n)
            print(
                f"  {'':30} server CPU {r['server_cpu'] or 0:.1f} s;"
                f" PostgreSQL/SQLite import rate"
                f" {imp['import_wall'] / r['import_wall']:.2f}× (wall, the imports)"
            )
        finally:
            _pg_admin(pg, f'DROP SCHEMA "{schema}" CASCADE')
    return db, tmx


def _probe_text(db: Path) -> str:
    from tm.store import open_store

    with open_store(db, readonly=True) as store:
        return store.get_units([7])[0].source


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.encode())


def _with_schema(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}%2Cpublic"


def bench_paragraphs(n: int, cache: Path, tmp: Path) -> None:
    tmx = cached_tmx(cache, n, paragraphs=True)
    print(
        f"\n{n:,} paragraph units with sentence alignment: {tmx.stat().st_size / 1e6:.0f} MB"
    )
    r = step("paragraphs", str(tmp / "para.db"), str(tmx))
    line("tm import + alignment", r, n)
    print(f"  {'':30} {r['sentences']:,} sentence units added")


def bench_batch(db: Path, tmx: Path, tmp: Path) -> None:
    """Queries: TM sources with an edit, as a translator meets them again."""
    from tm.formats.tmx import iter_tmx

    rng = random.Random(7)
    sources = [u.source for _, u in zip(range(20_000), iter_tmx(tmx), strict=False)]
    queries = []
    for text in rng.sample(sources, BATCH_QUERIES):
        i = rng.randrange(len(text))
        queries.append(text[:i] + "的" + text[i + 1 :])
    few, many = tmp / "q10.txt", tmp / "q1000.txt"
    few.write_text("\n".join(queries[:10]) + "\n", encoding="utf-8")
    many.write_text("\n".join(queries) + "\n", encoding="utf-8")
    cmd = [*TM, "lookup", "--db", str(db), "--json", "--batch"]
    small, big = timed([*cmd, str(few)]), timed([*cmd, str(many)])
    marginal = (big - small) / (BATCH_QUERIES - 10)
    lookups = step("lookups", str(db), str(many))
    print(f"\ntm lookup --batch --json, {BATCH_QUERIES:,} queries on the first TM:")
    print(
        f"  marginal cost {marginal * 1000:.2f} ms/query (wall, 1,000 minus 10);"
        f" TMService.lookup in one process: median {lookups['median'] * 1000:.2f} ms,"
        f" mean {lookups['mean'] * 1000:.2f} ms; ratio {marginal / lookups['mean']:.2f}×"
        " the mean"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--paragraphs", type=int, default=100_000)
    ap.add_argument("--postgres", default=os.environ.get("TM_TEST_POSTGRES_DSN"))
    ap.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "tm-bench"
    )
    ap.add_argument(
        "--no-compile",
        action="store_true",
        help="do not write missing bytecode of tm's modules first",
    )
    ap.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.step:
        print(json.dumps(run_step(args.step[0], args.step[1:])))
        return
    args.cache.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
        " at the start (wall times are shared with whatever else runs)"
    )
    if not args.no_compile:
        write_bytecode()
        print(
            "tm's bytecode written where missing (as an installed package has it;"
            " --no-compile measures without)"
        )
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        first: tuple[Path, Path] | None = None
        for n in (int(s) for s in args.sizes.split(",") if s):
            done = bench_size(n, args.cache, tmp, args.postgres)
            first = first or done
        if args.paragraphs:
            bench_paragraphs(args.paragraphs, args.cache, tmp)
        if first:
            bench_batch(*first, tmp)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
