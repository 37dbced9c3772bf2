"""Build a TM from the seed and look up the first sentences of the next document.

Uses only the public API (``tm.TMService``). Run from the repository root:

    .venv/bin/python examples/quickstart.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tm import TMService

HERE = Path(__file__).resolve().parent


def main() -> None:
    glossary = HERE.parent / "glossary"
    with tempfile.TemporaryDirectory() as tmp, TMService.open(Path(tmp) / "demo.db", glossary=glossary) as tm:
        report = tm.import_file(HERE / "factor-reform-2025.zh-en.txt")
        print(f"imported {report.added} paragraph units and {report.sentences_added} sentence units")
        segments = tm.document_segments(HERE / "changzhutan-action-plan.zh.txt")
        for source in segments[8:14]:
            print(f"\n{source}")
            for match in tm.lookup(source, min_score=50, limit=2):
                print(f"  {match.score:5.1f} {match.kind:<7} {match.unit.target[:90]}")
            for hit in tm.terms.find(source)[:4]:
                print(f"  term {hit.entry.zh} = {hit.entry.en}")


if __name__ == "__main__":
    main()
