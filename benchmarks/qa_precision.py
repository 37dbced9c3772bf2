"""Precision of ``tm qa`` per check and severity, from a hand-judged sample.

Usage::

    PYTHONPATH=src python benchmarks/qa_precision.py [--judged benchmarks/qa_judged.yaml]

QA runs on the seed TM (``tm import examples/factor-reform-2025.zh-en.txt`` into an
in-memory store, the shipped glossary), and each finding is joined by fingerprint with
the judged sample: each judged finding is marked true (the reviewer must act), trivial
(real but not worth a reviewer's time: a cosmetic or harmless difference) or false,
with a one-line reason. Precision = (true + trivial) / judged; the strict figure
counts true only. Findings of the run that are not judged are counted apart (the
sample goes stale as checks change).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tm.qa import run_checks  # noqa: E402
from tm.service import TMService  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--judged", type=Path, default=ROOT / "benchmarks" / "qa_judged.yaml"
    )
    ap.add_argument(
        "--seed", type=Path, default=ROOT / "examples/factor-reform-2025.zh-en.txt"
    )
    ap.add_argument("--glossary", type=Path, default=ROOT / "glossary")
    args = ap.parse_args(argv)
    from tm.terms import load_termbase

    judged = {j["fingerprint"]: j for j in yaml.safe_load(args.judged.read_text())}
    with TMService.open(":memory:") as service:
        service.import_file(args.seed)
        units = list(service.store.iter_units())
    report = run_checks(units, termbase=load_termbase(args.glossary))
    tally: dict[tuple[str, str], Counter[str]] = {}
    unjudged = 0
    for f in report.findings:
        j = judged.get(f.fingerprint)
        if j is None:
            unjudged += 1
            continue
        tally.setdefault((f.severity.value, f.check), Counter())[j["verdict"]] += 1
    print(
        f"{'severity':8} {'check':26} {'n':>4} {'true':>5} {'triv':>5} {'false':>5}"
        f" {'prec':>6} {'strict':>6}"
    )
    by_sev: dict[str, Counter[str]] = {}
    for (sev, check), c in sorted(tally.items()):
        n = sum(c.values())
        by_sev.setdefault(sev, Counter()).update(c)
        print(
            f"{sev:8} {check:26} {n:4} {c['true']:5} {c['trivial']:5} {c['false']:5}"
            f" {(c['true'] + c['trivial']) / n:6.2f} {c['true'] / n:6.2f}"
        )
    for sevs in (("error", "warning"), ("info",)):
        c = sum((by_sev.get(s, Counter()) for s in sevs), Counter())
        n = sum(c.values())
        if n:
            print(
                f"{' + '.join(sevs)}: {n} judged, precision"
                f" {(c['true'] + c['trivial']) / n:.2f} (strict {c['true'] / n:.2f})"
            )
    print(f"judged: {len(judged)}; findings of this run not in the sample: {unjudged}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
