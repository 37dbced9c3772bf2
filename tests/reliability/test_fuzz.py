"""Every reader under fuzzing: only FormatError with file:line may escape.

Two sources of hostile input per reader: mutations of real files (examples/, tmx/ and
files the tool itself writes) driven by a seeded RNG, and hypothesis-built documents of
the reader's format. A case fails on any exception other than FormatError, on a
FormatError without a line, on a case slower than ``CASE_SECONDS`` (a hang), and on
the process growing by more than ``RSS_GROWTH_MB`` (a memory blow-up).

The quick variants run in every test run; the ``slow`` ones try ≥ 10k cases a reader.
"""

from __future__ import annotations

import io
import json
import random
import resource
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tm.errors import FormatError
from tm.formats.tbx import write_tbx
from tm.terms import TermEntry

from ._support import READER_IDS, READERS, Reader, mutate

CASE_SECONDS = 5.0
RSS_GROWTH_MB = 300
SLOW_MUTATIONS = 9_000
SLOW_HYPOTHESIS = 1_500


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def check_case(reader: Reader, data: bytes, path: Path) -> str:
    """Read ``data`` as a file of ``reader``'s format; returns "ok" or "error"."""
    path.write_bytes(data)
    start = time.monotonic()
    error: FormatError | None = None
    try:
        reader.read(path)
    except FormatError as exc:
        error = exc
    except Exception as exc:
        keep = path.with_suffix(path.suffix + ".crash")
        keep.write_bytes(data)
        raise AssertionError(
            f"{reader.name}: {type(exc).__name__}: {exc} (input kept in {keep})"
        ) from exc
    if error is not None:
        assert error.path == str(path), error
        assert error.line is not None, f"no line in: {error}"
        assert error.line >= 1, error
        assert "\n" not in str(error), f"not one line: {error!r}"
    took = time.monotonic() - start
    assert took < CASE_SECONDS, f"{reader.name}: one case took {took:.1f}s"
    return "ok" if error is None else "error"


def run_mutations(
    reader: Reader, tmp_path: Path, cases: int, seed: int
) -> dict[str, int]:
    seeds = reader.seeds()
    rng = random.Random(seed)
    path = tmp_path / f"case{reader.suffix}"
    counts = {"ok": 0, "error": 0}
    rss = _rss_mb()
    # The unmutated real files must read cleanly or fail cleanly too.
    for seed_data in seeds:
        counts[check_case(reader, seed_data, path)] += 1
    for _ in range(cases):
        counts[check_case(reader, mutate(rng.choice(seeds), rng, seeds), path)] += 1
    assert _rss_mb() - rss < RSS_GROWTH_MB, f"{reader.name}: memory grew"
    return counts


# -- hypothesis: documents shaped like each format, with hostile text in them ------------

HOSTILE_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(
            list("<>&;\"'\t\\\n\r•　，。（）〔〕《》一二十万亿%\u2028\x85\ufeff")
        ),
    ),
    max_size=40,
)
ENCODINGS = st.sampled_from(
    ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "gb18030", "gbk"]
)


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(
        encoding, errors="replace" if encoding == "gbk" else "surrogatepass"
    )


@st.composite
def bilingual_docs(draw: st.DrawFn) -> bytes:
    lines = [
        draw(HOSTILE_TEXT),
        draw(HOSTILE_TEXT),
        "时间:2025-01-01 语向:中-英 类型:x",
    ]
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["pair"] * 6 + ["zh", "en", "free", "blank"]))
        zh, en = draw(HOSTILE_TEXT), draw(HOSTILE_TEXT)
        if kind == "pair":
            lines += [f"  • {zh}", f"    {en}"]
        elif kind == "zh":
            lines.append(f"  • {zh}")
        elif kind == "en":
            lines.append(f"    {en}")
        elif kind == "free":
            lines.append(zh)
        else:
            lines.append("")
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return _encode(newline.join(lines), draw(ENCODINGS))


# What issue 21 found: code points chr() refuses or no output can write, YAML the
# parser cannot hold (depth, int()'s digit limit, surrogate escapes, repeated keys).
CODE_POINTS = st.one_of(
    st.integers(0, 0x11_0000).map(lambda c: f"U+{c:04X}"),
    st.sampled_from([7, 40, 5000]).map(lambda n: "U+" + "1" * n),
    st.sampled_from(["U+D800", "U+DFFF", "U+", "U+-1", "U+0x41", "41", ""]),
)
HOSTILE_YAML = st.one_of(
    # Past Python's recursion limit, kept small: 20,000 deep is in test_exit_codes.
    st.sampled_from([10, 400, 1100]).map(lambda n: "  note: " + "[" * n + "]" * n),
    st.sampled_from([40, 4300, 4301, 6000]).map(lambda n: f"  seen: [[d, {'9' * n}]]"),
    st.sampled_from(
        [
            '  note: "\\ud800"',
            '  note: "a\\udfffb"',
            "  en: twice",
            "  zh: twice",
            '  note: "\\e]0;title\\a \\u202e"',
        ]
    ),
)


@st.composite
def tmx_docs(draw: st.DrawFn) -> bytes:
    encoding = draw(st.sampled_from(["UTF-8", "UTF-16", "GB18030"]))
    decl = draw(st.sampled_from([encoding, "UTF-8", "GBK", "ISO-8859-1"]))
    tus = []
    for _ in range(draw(st.integers(0, 5))):
        tuvs = []
        for lang in draw(
            st.lists(st.sampled_from(["zh-CN", "en-US", "zh", "EN-us", ""]), max_size=3)
        ):
            text = draw(HOSTILE_TEXT)
            if draw(st.booleans()):
                text = text.replace("&", "&amp;").replace("<", "&lt;")
            inline = draw(
                st.sampled_from(
                    [
                        "",
                        "<ph x='1'/>",
                        "<g id='1'>粗</g>",
                        "<bpt i='1'>&lt;b&gt;</bpt>",
                        "<sub>x</sub>",
                        f'<ph type="x-tm-char">{draw(CODE_POINTS)}</ph>',
                    ]
                )
            )
            attr = f' xml:lang="{lang}"' if lang else ""
            tuvs.append(f"<tuv{attr}><seg>{text}{inline}</seg></tuv>")
        props = draw(
            st.sampled_from(
                [
                    "",
                    '<prop type="x-position">z</prop><prop type="x-document">d</prop>',
                    "<note>n</note>",
                ]
            )
        )
        tus.append(f"<tu>{props}{''.join(tuvs)}</tu>")
    doc = (
        f'<?xml version="1.0" encoding="{decl}"?>\n<tmx version="1.4">'
        f'<header srclang="{draw(st.sampled_from(["zh-CN", "*all*", "fr"]))}"/>'
        f"<body>{chr(10).join(tus)}</body></tmx>"
    )
    data = _encode(doc, encoding.lower() if encoding != "UTF-16" else "utf-16")
    return data[: draw(st.integers(0, len(data)))] if draw(st.booleans()) else data


@st.composite
def tsv_docs(draw: st.DrawFn) -> bytes:
    rows = [draw(st.sampled_from(["zh-CN\ten-US", "zh\ten", "", "source\ttarget"]))]
    for _ in range(draw(st.integers(0, 10))):
        cells = draw(
            st.lists(
                HOSTILE_TEXT.map(lambda t: t.replace("\n", "")), min_size=1, max_size=3
            )
        )
        rows.append("\t".join(cells))
    return _encode("\n".join(rows), draw(ENCODINGS))


def _maybe_escaped(draw: st.DrawFn) -> str:
    text = draw(HOSTILE_TEXT)
    if draw(st.booleans()):
        text = text.replace("&", "&amp;").replace("<", "&lt;")
    return text


@st.composite
def xliff_docs(draw: st.DrawFn) -> bytes:
    units = "".join(
        f'<trans-unit id="{i}"><source>{_maybe_escaped(draw)}</source>'
        f"<target>{_maybe_escaped(draw)}</target></trans-unit>"
        for i in range(draw(st.integers(0, 5)))
    )
    version = draw(st.sampled_from(["1.2", "2.0"]))
    doc = (
        f'<?xml version="1.0" encoding="UTF-8"?><xliff version="{version}" '
        f'xmlns="urn:oasis:names:tc:xliff:document:{version}"><file original="a" '
        f'source-language="zh-CN" target-language="en-US"><body>{units}</body></file>'
        "</xliff>"
    )
    return doc.encode("utf-8", errors="surrogatepass")


@st.composite
def tbx_docs(draw: st.DrawFn) -> bytes:
    template = draw(st.sampled_from(TBX_TEMPLATES))
    return template.replace("占位词", _maybe_escaped(draw)).encode(
        "utf-8", errors="surrogatepass"
    )


@st.composite
def yaml_docs(draw: st.DrawFn) -> bytes:
    lines = ["glossary:", f"  name: {draw(HOSTILE_TEXT)!r}", "entries:"]
    for _ in range(draw(st.integers(0, 5))):
        zh, en = draw(HOSTILE_TEXT), draw(HOSTILE_TEXT)
        quote = draw(st.sampled_from(["plain", "double", "single"]))
        if quote == "double":
            zh, en = json.dumps(zh, ensure_ascii=False), json.dumps(en)
        elif quote == "single":
            zh, en = f"'{zh}'", f"'{en}'"
        lines += [f"- zh: {zh}", f"  en: {en}"]
        extra = draw(st.sampled_from(["", "  status: approved", "  seen: {x: y}"]))
        extra = draw(st.sampled_from([extra, extra, draw(HOSTILE_YAML)]))
        if extra:
            lines.append(extra)
    return _encode("\n".join(lines), draw(st.sampled_from(["utf-8", "utf-8-sig"])))


@st.composite
def csv_docs(draw: st.DrawFn) -> bytes:
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        cells = draw(st.lists(HOSTILE_TEXT, min_size=1, max_size=3))
        if draw(st.booleans()):
            cells = ['"' + c.replace('"', '""') + '"' for c in cells]
        rows.append(",".join(cells))
    return _encode("\n".join(rows), draw(ENCODINGS))


@st.composite
def plain_docs(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(HOSTILE_TEXT, max_size=12))
    return _encode("\n".join(lines), draw(ENCODINGS))


def _tbx_templates() -> list[str]:
    out = []
    for dialect in ("v3", "2008"):
        buf = io.BytesIO()
        write_tbx([TermEntry(zh="占位词", en="placeholder")], buf, dialect=dialect)
        out.append(buf.getvalue().decode())
    return out


TBX_TEMPLATES = _tbx_templates()
DOCS = {
    "bilingual": bilingual_docs(),
    "tmx": tmx_docs(),
    "tsv": tsv_docs(),
    "xliff": xliff_docs(),
    "tbx": tbx_docs(),
    "yaml-glossary": yaml_docs(),
    "glossary-table": csv_docs(),
    "plaintext": plain_docs(),
}
# A reader with no shaped strategy yet is still fuzzed with raw bytes and mutations.
RAW = st.binary(max_size=2048)


def run_hypothesis(reader: Reader, tmp_path: Path, examples: int) -> dict[str, int]:
    counts = {"ok": 0, "error": 0}
    path = tmp_path / f"hyp{reader.suffix}"
    strategy = st.one_of(DOCS.get(reader.name, RAW), RAW)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def case(data: bytes) -> None:
        counts[check_case(reader, data, path)] += 1

    case()
    return counts


# -- the tests -----------------------------------------------------------------------------


@pytest.mark.parametrize("reader", READERS, ids=READER_IDS)
def test_mutations_quick(reader: Reader, tmp_path: Path) -> None:
    counts = run_mutations(reader, tmp_path, 400, seed=7)
    assert counts["ok"], counts  # both paths were exercised
    assert counts["error"], counts


@pytest.mark.parametrize("reader", READERS, ids=READER_IDS)
def test_hypothesis_quick(reader: Reader, tmp_path: Path) -> None:
    counts = run_hypothesis(reader, tmp_path, 150)
    assert sum(counts.values()) >= 150


@pytest.mark.slow
@pytest.mark.parametrize("reader", READERS, ids=READER_IDS)
def test_fuzz_slow(reader: Reader, tmp_path: Path) -> None:
    start = time.monotonic()
    mutated = run_mutations(reader, tmp_path, SLOW_MUTATIONS, seed=2026)
    shaped = run_hypothesis(reader, tmp_path, SLOW_HYPOTHESIS)
    total = sum(mutated.values()) + sum(shaped.values())
    print(
        f"\nfuzz {reader.name}: {total} cases in {time.monotonic() - start:.0f}s "
        f"(mutations {mutated}, hypothesis {shaped})"
    )
    assert total >= 10_000
