"""Shared helpers for the reliability tests: the reader table, file mutation, the CLI.

Adding a reader to the fuzzing and hostile-input tests is one line in ``READERS``.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from tm.formats.bilingual import iter_bilingual
from tm.formats.glossary_table import read_glossary_table, write_glossary_table
from tm.formats.plaintext import read_plaintext
from tm.formats.tabular import iter_tsv, write_tsv
from tm.formats.tbx import read_tbx, write_tbx
from tm.formats.tmx import iter_tmx, write_tmx
from tm.formats.xliff import XliffSegment, iter_xliff, write_xliff
from tm.models import TranslationUnit
from tm.terms import GlossaryHeader, TermEntry
from tm.terms.glossary import dump_glossary, read_glossary

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SEED = EXAMPLES / "factor-reform-2025.zh-en.txt"
NEXT_DOC = EXAMPLES / "changzhutan-action-plan.zh.txt"
TMX_DIR = ROOT / "tmx"


def consume(items: Iterable[object]) -> int:
    return sum(1 for _ in items)


# -- seeds: real files, cut small so that one parse takes a millisecond or two ---------


def seed_units(limit: int = 40) -> list[TranslationUnit]:
    units = list(iter_bilingual(SEED))
    return units[:limit]


def _head_lines(path: Path, n: int) -> bytes:
    return "\n".join(path.read_text(encoding="utf-8").splitlines()[:n]).encode()


def bilingual_seeds() -> list[bytes]:
    head = _head_lines(SEED, 60)
    tail = "\n".join(SEED.read_text(encoding="utf-8").splitlines()[-30:]).encode()
    return [
        head,
        b"\xef\xbb\xbf" + head,
        head.decode().encode("gb18030"),
        head.decode().encode("utf-16"),
        _head_lines(SEED, 6) + b"\n" + tail,
        _head_lines(NEXT_DOC, 30),
    ]


def tmx_bytes(units: list[TranslationUnit]) -> bytes:
    buf = io.BytesIO()
    write_tmx(units, buf)
    return buf.getvalue()


def seed_tmx_text(limit: int = 120) -> str:
    """The first ``limit`` seed units as TMX, the way ``tm export`` writes them."""
    return tmx_bytes(seed_units(limit)).decode("utf-8")


INLINE_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
<header creationtool="x" creationtoolversion="1" segtype="sentence" o-tmf="x"
 adminlang="en-US" srclang="zh-CN" datatype="plaintext"/>
<body>
<tu tuid="7" creationdate="20240101T000000Z"><prop type="client">甲</prop><note>n&amp;b</note>
<tuv xml:lang="zh-CN"><seg>按<bpt i="1">&lt;b&gt;</bpt>规定<ept i="1">&lt;/b&gt;</ept>执行<ph x="2"/>。</seg></tuv>
<tuv lang="EN-us"><seg>Per <g id="1">the rules</g> <x id="2"/>.</seg></tuv>
</tu>
<tu><tuv xml:lang="zh-CN"><seg><![CDATA[一、<总则>]]></seg></tuv><tuv xml:lang="en-US"><seg/></tuv></tu>
</body>
</tmx>
"""


def tmx_seeds() -> list[bytes]:
    files = sorted(TMX_DIR.glob("*.tmx")) if TMX_DIR.is_dir() else []
    real = [f.read_bytes()[:40_000] for f in files[:2]]
    small = tmx_bytes(seed_units(25))
    text = small.decode()
    return [
        small,
        INLINE_TMX.encode(),
        INLINE_TMX.encode("utf-16"),
        text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le"),
        *real,
    ]


def tsv_seeds() -> list[bytes]:
    buf = io.StringIO()
    write_tsv(seed_units(40), buf, header=("zh-CN", "en-US"))
    text = buf.getvalue()
    return [
        text.encode(),
        text.split("\n", 1)[1].encode("gb18030"),
        ("\ufeff" + text).encode("utf-16"),
        "源\\t文\\\\n\t译\\n文\n".encode(),
    ]


def xliff_bytes(units: list[TranslationUnit], version: str) -> bytes:
    segments = [
        XliffSegment(id=str(i), source=u.source, target=u.target or None)
        for i, u in enumerate(units, start=1)
    ]
    buf = io.BytesIO()
    write_xliff(segments, buf, version=version)
    return buf.getvalue()


INLINE_XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="a.txt" source-language="zh-CN" target-language="en-US" datatype="plaintext">
<body><group id="g">
<trans-unit id="1"><source>按<g id="1">规定</g>执行<x id="2"/>。</source>
<target>Per <g id="1">the rules</g><x id="2"/>.</target></trans-unit>
<trans-unit id="2"><source><![CDATA[一、<总则>]]></source></trans-unit>
</group></body></file></xliff>
"""


def xliff_seeds() -> list[bytes]:
    units = seed_units(20)
    return [
        xliff_bytes(units, "1.2"),
        xliff_bytes(units, "2.0"),
        INLINE_XLIFF.encode(),
        INLINE_XLIFF.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
    ]


def plaintext_seeds() -> list[bytes]:
    head = _head_lines(NEXT_DOC, 40)
    return [
        head,
        head.decode().encode("gb18030"),
        head.decode().encode("utf-16"),
        _head_lines(SEED, 30),
    ]


GLOSSARY = ROOT / "glossary" / "factor-markets.zh-en.yaml"
MINI_GLOSSARY = ROOT / "tests" / "data" / "glossary" / "mini.zh-en.yaml"


def glossary_entries(limit: int = 25) -> tuple[GlossaryHeader, list[TermEntry]]:
    header, entries = read_glossary(GLOSSARY)
    return header, entries[:limit]


def yaml_seeds() -> list[bytes]:
    header, entries = glossary_entries(6)
    text = dump_glossary(header, entries)
    return [
        MINI_GLOSSARY.read_bytes(),
        text.encode(),
        b"\xef\xbb\xbf" + text.encode(),
        GLOSSARY.read_bytes()[:2500],
    ]


def tbx_seeds() -> list[bytes]:
    header, entries = glossary_entries(15)
    out = []
    for dialect in ("v3", "2008"):
        buf = io.BytesIO()
        write_tbx(entries, buf, header=header, dialect=dialect)
        out.append(buf.getvalue())
    out.append(out[0].decode().replace("UTF-8", "UTF-16", 1).encode("utf-16"))
    return out


def glossary_table_seeds() -> list[bytes]:
    _, entries = glossary_entries(30)
    out = []
    for fmt in ("tsv", "csv"):
        buf = io.StringIO()
        write_glossary_table(entries, buf, fmt=fmt)
        out.append(buf.getvalue().encode())
    out.append(out[0].decode().encode("gb18030"))
    return out


def _plaintext(path: Path) -> int:
    doc = read_plaintext(path)
    return len(doc.paragraphs) + len(doc.residue)


@dataclass(frozen=True, slots=True)
class Reader:
    """A reader under test: how to read a file of its format, and real files to mutate."""

    name: str
    suffix: str
    read: Callable[[Path], object]
    seeds: Callable[[], list[bytes]]


READERS: list[Reader] = [
    Reader("bilingual", ".txt", lambda p: consume(iter_bilingual(p)), bilingual_seeds),
    Reader("tmx", ".tmx", lambda p: consume(iter_tmx(p)), tmx_seeds),
    Reader("tsv", ".tsv", lambda p: consume(iter_tsv(p)), tsv_seeds),
    Reader("xliff", ".xlf", lambda p: consume(iter_xliff(p)), xliff_seeds),
    Reader("plaintext", ".txt", _plaintext, plaintext_seeds),
    Reader("tbx", ".tbx", lambda p: len(read_tbx(p)[1]), tbx_seeds),
    Reader("yaml-glossary", ".yaml", lambda p: len(read_glossary(p)[1]), yaml_seeds),
    Reader(
        "glossary-table",
        ".csv",
        lambda p: len(read_glossary_table(p)[1]),
        glossary_table_seeds,
    ),
]
READER_IDS = [r.name for r in READERS]


# -- mutation ---------------------------------------------------------------------------

TOKENS = [
    b"<",
    b">",
    b"&",
    b";",
    b"&amp;",
    b"&lt",
    b"&#0;",
    b"&#x110000;",
    b"&nbsp;",
    b"]]>",
    b"<![CDATA[",
    b"<!ENTITY a 'b'>",
    b"<!DOCTYPE tmx [",
    b"]>",
    b"<tu>",
    b"</tu>",
    b"<tuv>",
    b"<seg>",
    b"</seg>",
    b"<ph/>",
    b"<bpt i='1'>",
    b'xml:lang="zh-CN"',
    b"\x00",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\xed\xa0\x80",
    b"\xc3",
    b"\r",
    b"\n",
    b"\t",
    b"\\",
    b"\\t",
    b"  \xe2\x80\xa2 ",
    b"    ",
    "中".encode("gbk"),
    "附件1".encode(),
    "（一）".encode(),
    b"\x85",
    b"\xe2\x80\xa8",
]


def mutate(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    """One to four random edits: flips, cuts, duplications, tokens, splices, truncation."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        n = len(buf)
        op = rng.randrange(8)
        pos = rng.randint(0, n)
        if op == 0 and n:
            buf[min(pos, n - 1)] = rng.randrange(256)
        elif op == 1:
            del buf[pos : pos + rng.randint(1, 64)]
        elif op == 2:
            buf[pos:pos] = buf[pos : pos + rng.randint(1, 256)] * rng.randint(1, 8)
        elif op in (3, 4):
            buf[pos:pos] = rng.choice(TOKENS)
        elif op == 5:
            other = rng.choice(others)
            cut = rng.randint(0, len(other))
            buf[pos:] = other[cut : cut + rng.randint(0, 4096)]
        elif op == 6:
            del buf[pos:]
        else:
            start = rng.randint(0, n)
            buf[start : start + 1] = bytes(
                rng.randrange(256) for _ in range(rng.randint(1, 8))
            )
    return bytes(buf)


# -- the CLI and the database -------------------------------------------------------------


def tm_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env.pop("TM_DB", None)
    return env


def tm_cmd(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "tm", "-q", *map(str, args)]


def run_tm(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real ``tm`` command in a child process (exit codes, stderr, signals)."""
    return subprocess.run(
        tm_cmd(*args),
        env=tm_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_tm(*args: str | Path, output: bool = True) -> subprocess.Popen[str]:
    """Start ``tm`` without waiting (to kill it, or to run beside it)."""
    where = subprocess.PIPE if output else subprocess.DEVNULL
    return subprocess.Popen(
        tm_cmd(*args), env=tm_env(), stdout=where, stderr=where, text=True
    )


def units_checksum(db: Path) -> str:
    """A digest of every unit, occurrence and document: equal digests, unchanged TM."""
    conn = sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro", uri=True)
    try:
        h = hashlib.sha256()
        for sql in (
            "SELECT source, target, source_lang, target_lang, segtype FROM units ORDER BY id",
            "SELECT unit_id, document_id, position, sub FROM occurrences ORDER BY id",
            "SELECT name FROM documents ORDER BY id",
        ):
            for row in conn.execute(sql):
                h.update(repr(row).encode())
        return h.hexdigest()
    finally:
        conn.close()


def count_units(db: Path) -> int:
    conn = sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM units").fetchone()[0])
    finally:
        conn.close()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def write_big_tmx(
    path: Path, n: int, *, encoding: str = "utf-8", tag: str = "", cut: int = 40
) -> None:
    """A TMX of ``n`` distinct units built from the seed's real pairs (fast, streamed).

    Each pair is cut to about ``cut`` Chinese characters (and three times as many
    English ones), sentence-sized, so that large files stay quick to import.
    """
    pairs = [(u.source[:cut], u.target[: cut * 3]) for u in iter_bilingual(SEED)]
    enc_name = "UTF-16" if encoding.startswith("utf-16") else "UTF-8"
    with open(path, "w", encoding=encoding, newline="\n") as fh:
        fh.write(
            f'<?xml version="1.0" encoding="{enc_name}"?>\n<tmx version="1.4">\n'
            '<header creationtool="test" creationtoolversion="1" segtype="sentence" '
            'o-tmf="test" adminlang="en-US" srclang="zh-CN" datatype="plaintext"/>\n<body>\n'
        )
        for i in range(n):
            zh, en = pairs[i % len(pairs)]
            fh.write(
                f'<tu tuid="{tag}{i}"><tuv xml:lang="zh-CN"><seg>{_esc(zh)}（{tag}{i}）</seg></tuv>'
                f'<tuv xml:lang="en-US"><seg>{_esc(en)} ({tag}{i})</seg></tuv></tu>\n'
            )
        fh.write("</body>\n</tmx>\n")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
