"""Issue 21 item 2: a long glossary term costs memory in proportion to its length.

The term index once held every prefix of every term, so one 20,000-character term
took about 450 MB in ``tm qa --glossary``. Each case runs the real ``tm`` in a child
of a small Python process that reports the peak memory of that child alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from ._support import SEED, tm_cmd, tm_env

# The seed text, repeated: real Chinese, and a run no other term can cut short.
TEXT = SEED.read_text(encoding="utf-8")
LONG_TERM = "".join(ch for ch in TEXT if "\u4e00" <= ch <= "\u9fff")[:1000] * 20

PEAK = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
sys.stderr.write(done.stderr.decode(errors="replace"))
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)
"""


def peak_kib(*args: str | Path) -> tuple[int, int]:
    """Peak resident memory (KiB) and exit code of one ``tm`` run."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *tm_cmd(*args)],
        env=tm_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    rss, code = done.stdout.split()
    return int(rss), int(code)


def write_glossary(path: Path, *zh_terms: str) -> Path:
    entries = [{"zh": zh, "en": f"term {i}"} for i, zh in enumerate(zh_terms)]
    path.write_text(yaml.safe_dump({"entries": entries}, allow_unicode=True), "utf-8")
    return path


def test_qa_with_a_20000_character_term_stays_small(
    tmp_path: Path, seed_db: Path
) -> None:
    assert len(LONG_TERM) == 20_000
    small = write_glossary(tmp_path / "small.yaml", "要素市场")
    long = write_glossary(tmp_path / "long.yaml", "要素市场", LONG_TERM)
    base, code = peak_kib("qa", "--db", seed_db, "--glossary", small)
    assert code in (0, 1)
    grown, code = peak_kib("qa", "--db", seed_db, "--glossary", long)
    assert code in (0, 1)
    # Every prefix of the term took ~200 million characters; its text is 60 kB.
    assert grown - base < 60_000, (base, grown)


def test_a_long_term_is_still_found_whole(tmp_path: Path) -> None:
    glossary = write_glossary(
        tmp_path / "g.yaml", "要素市场", LONG_TERM[:5000], LONG_TERM[:40]
    )
    text = "推进" + LONG_TERM[:5000] + "和要素市场"
    done = subprocess.run(
        tm_cmd("terms", "find", text, "--glossary", glossary, "--json"),
        env=tm_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    hits = [(h["start"], h["end"]) for h in json.loads(done.stdout)]
    assert hits == [(2, 5002), (5003, 5007)]
