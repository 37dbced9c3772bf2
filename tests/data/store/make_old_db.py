"""Build ``main-schema.db.gz`` and ``main-schema.expected.json.gz`` with tm as it was.

Run once, at commit 4c556e2 (before the store's identity hash and the slimmer
schema), from the repository root:

    python tests/data/store/make_old_db.py
    python tests/data/store/make_old_db.py 'postgresql://…?options=-csearch_path%3Dtm_old%2Cpublic'

The database is what that tm wrote for the seed file plus a few units that use every
stored field; the JSON holds what that tm read back from it (every unit with all its
occurrences, concordance ids, look-up results), so ``tests/store/test_migrations.py``
can check that a newer tm migrates it and reads the same things.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from tm.models import Occurrence, TranslationUnit
from tm.service import TMService

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SEED = ROOT / "examples" / "factor-reform-2025.zh-en.txt"
DB = HERE / "main-schema.db"
PACKED = HERE / "main-schema.db.gz"
HEAD_LINES = 81  # the seed's head: about 35 paragraphs
EXPECTED = HERE / "main-schema.expected.json.gz"
PG_PACKED = HERE / "main-schema.pg.sql.gz"
PG_EXPECTED = HERE / "main-schema.pg.expected.json.gz"
PG_DUMP = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))[-1]

RICH = [
    TranslationUnit(
        source="第一条 为规范〔2025〕1号文件的执行，制定本办法。",
        target="Article 1 These Measures are formulated to regulate Document No. 1 [2025].",
        tuid="tu-1",
        created_at="20250101T010203Z",
        created_by="张三",
        changed_at="20250102T030405Z",
        changed_by="reviewer",
        props=(("x-domain", "法律"), ("x-client", "A&B <co>")),
        notes=("注：第一条", "second note"),
        source_codes=('<ph x="1">&lt;b&gt;</ph>',),
        target_codes=('<ph x="1">&lt;b&gt;</ph>',),
        occurrence=Occurrence("法规.tmx", 0, 0, None, "第二条", "第一章 总则"),
        other_occurrences=(Occurrence("法规-2.tmx", 4, 1, "上一条", None, "附则"),),
    ),
    TranslationUnit(
        source="第二条 增长50%以上的\ue000部分",
        target="Article 2 the part\ue000 growing by more than 50%",
        source_codes=("<bpt i='1'/>",),
        target_codes=("<bpt i='1'/>",),
        occurrence=Occurrence("法规.tmx", 1, 0, "第一条", None, "第一章 总则"),
        created_at="20250101T010203Z",
        created_by="tester",
    ),
    TranslationUnit(
        "变量a_b的值",
        "the value of a_b",
        source_lang="zh-TW",
        target_lang="en-GB",
        created_at="20250101T010203Z",
        created_by="tester",
    ),
    TranslationUnit(
        "长" * 3000 + "文本",
        "long " * 2000 + "text",
        segtype="sentence",
        created_at="20250101T010203Z",
        created_by="tester",
    ),
]
CONCORDANCE = [
    ("数据", "source"),
    ("要素", "source"),
    ("的", "source"),
    ("market", "target"),
    ("a_b", "both"),
    ("50%", "source"),
]
# Look-ups: a unit of the seed's head as it is, and two with a character cut.
LOOKUP_UNITS = (5, 20, 60)


def _lookups(units: list[dict[str, object]]) -> list[str]:
    texts = [str(units[i]["source"]) for i in LOOKUP_UNITS]
    return [texts[0], texts[1][:5] + texts[1][6:], texts[2][:-3] + texts[2][-2:]]


def main() -> None:
    """Write the SQLite fixture; with a PostgreSQL URL, the PostgreSQL one instead."""
    if len(sys.argv) > 1:
        write_postgres(sys.argv[1])
        return
    for p in (DB, PACKED, EXPECTED):
        p.unlink(missing_ok=True)
    head = seed_head()
    expected = fill(DB, head)
    head.unlink()
    for side_car in HERE.glob("main-schema.db.*"):
        side_car.unlink()
    conn = sqlite3.connect(DB)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("VACUUM")
    conn.close()
    write_expected(EXPECTED, expected)
    PACKED.write_bytes(gzip.compress(DB.read_bytes()))
    DB.unlink()


def seed_head() -> Path:
    """The seed's first paragraphs, under the seed's own name (its document name)."""
    head = HERE / SEED.name
    lines = SEED.read_text(encoding="utf-8").splitlines()[:HEAD_LINES]
    head.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return head


def write_expected(path: Path, expected: dict[str, object]) -> None:
    text = json.dumps(expected, ensure_ascii=False, default=str)
    path.write_bytes(gzip.compress(text.replace('}, {"id"', '},\n{"id"').encode()))


def write_postgres(url: str) -> None:
    """Fill the (empty) schema first on ``url``'s search path, then dump it."""
    head = seed_head()
    expected = fill(url, head)
    head.unlink()
    schema = url.rsplit("search_path%3D", 1)[1].split("%2C")[0]
    dump = subprocess.run(
        [
            PG_DUMP,
            "--schema",
            schema,
            "--no-owner",
            "--no-privileges",
            "--inserts",
            url.split("?")[0],
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    PG_PACKED.write_bytes(gzip.compress(dump.replace(schema, "tm_old_schema").encode()))
    write_expected(PG_EXPECTED, expected)


def fill(db: str | Path, head: Path) -> dict[str, object]:
    """Import the seed's head and the rich units into ``db``; what tm reads back."""
    with TMService.open(db) as service:
        service.import_file(head)
        service.store.add_units(RICH, user="tester")
        unit = next(u for u in service.store.iter_units() if "pilot" in u.target)
        assert unit.id is not None
        service.store.set_target(
            unit.id, unit.target.replace("pilot", "trial"), user="rev"
        )
        service.store.set_mark("fp-1", "numbers", "checked by hand", user="rev")  # type: ignore[attr-defined]
        units = [asdict(u) for u in service.store.iter_units(all_occurrences=True)]
        expected = {
            "units": units,
            "documents": service.store.documents(),  # type: ignore[attr-defined]
            "marks": sorted(service.store.marks()),
            "stats": service.store.stats(),
            "edit_version": service.store.edit_version(),
            "concordance": {
                f"{q}|{side}": [h.unit.id for h in service.concordance(q, side=side)]
                for q, side in CONCORDANCE
            },
            "lookups": {
                q: [(m.unit.id, m.score, m.kind) for m in service.lookup(q)]
                for q in _lookups(units)
            },
            "units_after": {
                u["occurrence"]["prev_source"]: None
                for u in units
                if u["occurrence"] and u["occurrence"]["prev_source"]
            },
        }
        from tm.text.normalize import match_key

        expected["units_after"] = {
            prev: sorted(service.store.units_after(match_key(prev)))
            for prev in list(expected["units_after"])[:50]
        }
    return expected


if __name__ == "__main__":
    main()
