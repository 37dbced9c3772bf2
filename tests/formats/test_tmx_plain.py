"""The plain TMX reader (``plain_units``, the import workers' fast path) reads exactly
what the streaming reader reads, and declines everything else, so that the streaming
reader then says what is wrong and where."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.formats.test_tmx import _UNITS
from tests.formats.test_tmx_meta import OMEGAT, TRADOS
from tm import fastpath
from tm.errors import FormatError
from tm.formats.bilingual import iter_bilingual
from tm.formats.tmx import (
    PLAIN_TU,
    TMX_META,
    TMXHeader,
    _tu_text,
    iter_tmx,
    plain_units,
    tu_bytes,
    write_tmx,
)
from tm.models import TranslationUnit


def _streamed(doc: bytes, first_index: int = 0) -> list[TranslationUnit]:
    return list(iter_tmx(io.BytesIO(doc), name="p.tmx", first_index=first_index))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_UNITS, min_size=1, max_size=6), st.integers(0, 5000))
def test_what_tm_writes_is_plain_and_reads_the_same(
    units: list[TranslationUnit], first_index: int
) -> None:
    out = io.BytesIO()
    write_tmx(units, out)
    doc = out.getvalue()
    got = plain_units(doc, "p.tmx", first_index=first_index)
    assert got is not None
    assert got == _streamed(doc, first_index)


MIXED = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
  <header srclang="zh-CN" segtype="paragraph" creationtool="x"><prop type="h">v</prop><note>n</note></header>
  <body>
    <tu tuid="a1" usagecount="3" segtype="sentence">
      <note>tu note</note><prop type="x-client">湖南</prop>
      <prop type="x-tm-status">unconfirmed</prop>
      <tuv xml:lang="zh-cn" creationid="甲"><prop type="x-Origin">TM</prop><seg>要素市场</seg></tuv>
      <tuv xml:lang="en-US"><note>checked</note><seg>factor market</seg></tuv>
      <tuv xml:lang="fr-FR"><seg>marché des facteurs</seg></tuv>
    </tu>
    <tu srclang="en-US"><tuv lang="EN-us"><seg>Source in English</seg></tuv><tuv lang="zh-CN"><seg>英文原文</seg></tuv></tu>
    <tu><prop type="x-document">a.txt</prop><prop type="x-position">9</prop>
      <prop type="x-occurrence">{"document":"b.txt","position":2,"prev":"前"}</prop>
      <tuv xml:lang="zh-CN"><seg>第二条</seg></tuv><tuv xml:lang="en-US"><seg></seg></tuv></tu>
    <tu><tuv xml:lang="zh-CN"><seg>只有原文</seg></tuv></tu>
    <tu></tu>
    <tu><tuv xml:lang="zh-CN" changedate="20250101T000000Z"><seg>  空格　，。</seg><seg>second seg</seg></tuv>
      <tuv xml:lang="en-US" changeid="b"><seg>a &amp; b &lt; c &#x4e00;</seg></tuv></tu>
  </body>
</tmx>
"""


@pytest.mark.parametrize(
    "text", [MIXED, OMEGAT, TRADOS], ids=["mixed", "omegat", "trados"]
)
def test_foreign_shapes_read_the_same(text: str) -> None:
    doc = text.encode("utf-8")
    got = plain_units(doc, "p.tmx", first_index=7)
    assert got is not None
    assert got == _streamed(doc, 7)
    assert got


def _with(old: str, new: str) -> bytes:
    assert old in MIXED
    return MIXED.replace(old, new, 1).encode("utf-8")


# Read by the streaming reader (not plain, but valid).
READ = {
    "inline code": _with(
        "<seg>第二条</seg>", '<seg>第<ph x="1">&lt;b/&gt;</ph>二条</seg>'
    ),
    "paired code": _with(
        "<seg>要素市场</seg>", "<seg><bpt i='1'>[</bpt>要素<ept i='1'>]</ept></seg>"
    ),
    "namespace": _with('<tmx version="1.4">', '<tmx version="1.4" xmlns="urn:x">'),
    "element in a prop": _with("湖南</prop>", "<b>湖南</b></prop>"),
    "unknown element": _with("<tu></tu>", "<tu><foo/></tu>"),
    "header after body": _with("</body>", "</body><header srclang='en'/>"),
    "tu inside a header": _with(
        "<note>n</note></header>", "<note>n</note><tu/></header>"
    ),
}
# Refused by the streaming reader, which names the line.
REFUSED = {
    "entity": _with(
        '<tmx version="1.4">', '<!DOCTYPE tmx [<!ENTITY e "x">]>\n<tmx version="1.4">'
    ),
    "no language": _with('<tuv xml:lang="fr-FR">', "<tuv>"),
    "no seg": _with("<seg>marché des facteurs</seg>", ""),
    "no source": _with(
        '<tuv xml:lang="zh-CN"><seg>只有原文</seg>', '<tuv xml:lang="de"><seg>x</seg>'
    ),
    "bad occurrence": _with('{"document":"b.txt","position":2,"prev":"前"}', "{oops"),
    "malformed": _with("</body>", "</bod>"),
    "not a tmx": MIXED.replace("<tmx", "<xliff", 1)
    .replace("</tmx>", "</xliff>")
    .encode(),
}


@pytest.mark.parametrize("name", list(READ))
def test_other_shapes_are_left_to_the_streaming_reader(name: str) -> None:
    assert plain_units(READ[name], "p.tmx") is None
    assert _streamed(READ[name])


@pytest.mark.parametrize("name", list(REFUSED))
def test_errors_are_left_to_the_streaming_reader(name: str) -> None:
    assert plain_units(REFUSED[name], "p.tmx") is None
    with pytest.raises(FormatError) as info:
        _streamed(REFUSED[name])
    assert info.value.line is not None


# -- the writer's text path ------------------------------------------------------------

_META = st.sampled_from(
    [
        None,
        '{"tu":{"usagecount":"7","lastusagedate":"20250301T101010Z"}}',
        '{"source":{"attrs":{"creationid":"a\\"b<&>\\t\\n\\r"},"props":[["x-Origin","TM"]],'
        '"notes":["n &"]},"target":{"notes":["ok"]},"dates":"tuv"}',
        '{"tu":{"{urn:x}odd":"namespaced"}}',
        '{"tu":{"count":7}}',
        "not json",
    ]
)
_ODD = st.sampled_from(["", "a\rb", "x\x01y", "\ufffe", "tab\tnl\n", "&amp;<>\"'"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_UNITS, min_size=1, max_size=4),
    _META,
    _ODD,
    st.sampled_from([None, 12]),
    st.booleans(),
)
def test_text_written_tus_are_the_bytes_lxml_writes(
    units: list[TranslationUnit],
    meta: str | None,
    odd: str,
    uid: int | None,
    codes: bool,
) -> None:
    """Units with odd characters, TMX metadata kept as a prop (attributes on <tu> and
    <tuv>, namespaced names, values that are not text), inline codes: the text path
    writes lxml's bytes or leaves the unit to lxml."""
    u = units[0]
    units[0] = replace(
        u,
        id=uid,
        source=u.source + odd,
        props=(*u.props, (TMX_META, meta)) if meta else u.props,
        notes=(*u.notes, odd),
    )
    if codes:
        units[-1] = replace(
            units[-1], source="\ue000" + units[-1].source, source_codes=("<ph/>",)
        )
    header = TMXHeader(segtype="paragraph")
    fast = _tu_bytes_or_error(units, header)
    with fastpath.plain(PLAIN_TU):
        assert _tu_bytes_or_error(units, header) == fast


def _tu_bytes_or_error(units: list[TranslationUnit], header: TMXHeader) -> object:
    try:
        return tu_bytes(units, header)
    except (ValueError, TypeError) as exc:
        return type(exc)


def test_the_text_path_is_taken(seed_path: Path) -> None:
    units = list(iter_bilingual(seed_path))
    assert all(_tu_text(u, TMXHeader()) is not None for u in units)
