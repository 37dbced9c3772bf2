"""TMX 1.4b: DTD validity, peers reading our files, round trips, inline codes, UTF-16."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tm.errors import FormatError
from tm.formats.tmx import iter_tmx, write_tmx
from tm.models import Occurrence, TranslationUnit
from tm.service import TMService

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def seed_tmx(tmp_path_factory: pytest.TempPathFactory, seed_db_master: Path) -> Path:
    out = tmp_path_factory.mktemp("tmx") / "seed.tmx"
    with TMService.open(seed_db_master) as service:
        service.export(out, fmt="tmx", segtype="paragraph")
    return out


def test_export_validates_against_the_tmx14_dtd(
    seed_tmx: Path, shared_dir: Path
) -> None:
    dtd = etree.DTD(str(shared_dir / "specs" / "tmx14.dtd"))
    doc = etree.parse(str(seed_tmx))
    assert dtd.validate(doc), dtd.error_log.filter_from_errors()
    tuvs = doc.findall(".//tuv")
    assert len(tuvs) == 2 * 305
    assert all(tuv.get(XML_LANG) in ("zh-CN", "en-US") for tuv in tuvs)
    header = doc.find("header")
    for attr in (
        "creationtool",
        "creationtoolversion",
        "segtype",
        "o-tmf",
        "adminlang",
        "srclang",
        "datatype",
    ):
        assert header.get(attr), attr


def test_translate_toolkit_reads_the_same_305_pairs(
    seed_tmx: Path, seed_path: Path
) -> None:
    from translate.storage.tmx import tmxfile

    from tm.formats.bilingual import read_bilingual

    with open(seed_tmx, "rb") as fh:
        store = tmxfile(fh, sourcelanguage="zh-CN", targetlanguage="en-US")
    theirs = {(u.source, u.target) for u in store.units}
    ours = {(p.zh, p.en) for p in read_bilingual(seed_path).pairs}
    assert len(store.units) == 305
    assert theirs == ours


def test_dates_are_tmx_basic_format(seed_tmx: Path) -> None:
    doc = etree.parse(str(seed_tmx))
    for tu in doc.iter("tu"):
        assert len(tu.get("creationdate")) == 16
        assert tu.get("creationdate").endswith("Z")


def test_reads_legacy_lang_attribute_and_utf16_with_bom() -> None:
    xml = (
        '<?xml version="1.0" encoding="UTF-16"?>\n<tmx version="1.1"><header srclang="ZH-cn" '
        'creationtool="x" creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" '
        'datatype="plaintext"/><body><tu><tuv lang="ZH-CN"><seg>国务院</seg></tuv>'
        '<tuv lang="EN-US"><seg>State Council</seg></tuv></tu></body></tmx>'
    )
    units = list(iter_tmx(io.BytesIO(xml.encode("utf-16")), name="legacy.tmx"))
    assert [(u.source, u.target, u.source_lang, u.target_lang) for u in units] == [
        ("国务院", "State Council", "zh-CN", "en-US")
    ]


def test_inline_tags_are_kept_as_placeholders_and_written_back() -> None:
    xml = (
        b'<tmx version="1.4"><header srclang="zh-CN" creationtool="x" creationtoolversion="1" '
        b'segtype="sentence" o-tmf="x" adminlang="en" datatype="html"/><body><tu>'
        b'<tuv xml:lang="zh-CN"><seg><bpt i="1">&lt;b&gt;</bpt>\xe8\xa6\x81\xe7\xb4\xa0<ept i="1">&lt;/b&gt;</ept>'
        b'\xe5\xb8\x82\xe5\x9c\xba<ph x="2">&lt;br/&gt;</ph></seg></tuv>'
        b'<tuv xml:lang="en-US"><seg><hi type="b">factor</hi> markets</seg></tuv></tu></body></tmx>'
    )
    (unit,) = iter_tmx(io.BytesIO(xml), name="inline.tmx")
    assert len(unit.source) == 2 + 3 + 2  # 要素 + three codes + 市场 … counted below
    assert (
        unit.source.replace("\ue000", "").replace("\ue001", "").replace("\ue002", "")
        == "要素市场"
    )
    assert unit.source_codes[0] == '<bpt i="1">&lt;b&gt;</bpt>'
    assert "factor" in unit.target
    assert unit.target_codes == ('<hi type="b">', "</hi>")
    out = io.BytesIO()
    write_tmx([unit], out)
    (again,) = iter_tmx(io.BytesIO(out.getvalue()), name="inline.tmx")
    assert (again.source, again.source_codes, again.target, again.target_codes) == (
        unit.source,
        unit.source_codes,
        unit.target,
        unit.target_codes,
    )
    assert b'<ph x="2">&lt;br/&gt;</ph>' in out.getvalue()


def test_missing_source_language_is_a_format_error() -> None:
    xml = (
        b'<tmx version="1.4"><header srclang="fr-FR" creationtool="x" creationtoolversion="1" '
        b'segtype="sentence" o-tmf="x" adminlang="en" datatype="plaintext"/><body><tu>'
        b'<tuv xml:lang="zh-CN"><seg>a</seg></tuv><tuv xml:lang="en-US"><seg>b</seg></tuv>'
        b"</tu></body></tmx>"
    )
    with pytest.raises(FormatError, match="source language"):
        list(iter_tmx(io.BytesIO(xml), name="fr.tmx"))


def test_truncated_tmx_reports_a_line() -> None:
    xml = b'<tmx version="1.4"><header srclang="zh-CN"/>\n<body>\n<tu><tuv xml:lang="zh-CN"><seg>a</seg>'
    with pytest.raises(FormatError) as err:
        list(iter_tmx(io.BytesIO(xml), name="cut.tmx"))
    assert err.value.line is not None


# -- round trips --------------------------------------------------------------------------

_XML_SAFE = st.characters(
    blacklist_categories=("Cs", "Cc", "Co"), blacklist_characters="\ufffe\uffff"
) | st.sampled_from(list("\t\n<>&\"' 　，。《》〔〕"))
_TEXT = st.text(
    _XML_SAFE | st.sampled_from(list("国务院要素市场化配置改革试点")),
    min_size=1,
    max_size=40,
)
_STAMP = st.datetimes().map(lambda d: d.strftime("%Y%m%dT%H%M%SZ"))
_UNITS = st.builds(
    TranslationUnit,
    source=_TEXT,
    target=_TEXT,
    tuid=st.none() | st.text("abc123", min_size=1, max_size=6),
    created_at=_STAMP,
    created_by=st.none() | st.sampled_from(["冉略", "reviewer"]),
    changed_at=st.none() | _STAMP,
    props=st.lists(
        st.tuples(st.sampled_from(["x-client", "x-project", "区域"]), _TEXT), max_size=3
    ).map(tuple),
    notes=st.lists(_TEXT, max_size=2).map(tuple),
    occurrence=st.builds(
        Occurrence, document=st.just("rt.tmx"), position=st.integers(0, 10**6)
    ),
    # Further occurrences travel as JSON in x-occurrence props.
    other_occurrences=st.lists(
        st.builds(
            Occurrence,
            document=st.sampled_from(["rt.tmx", "其他 <文件>.txt"]),
            position=st.integers(0, 10**6),
            sub=st.integers(0, 3),
            prev_source=st.none() | _TEXT,
            next_source=st.none() | _TEXT,
            section=st.just("") | _TEXT,
        ),
        max_size=3,
    ).map(tuple),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_UNITS, min_size=1, max_size=5))
def test_write_then_read_gives_equal_units(units: list[TranslationUnit]) -> None:
    out = io.BytesIO()
    write_tmx(units, out)
    again = list(iter_tmx(io.BytesIO(out.getvalue()), name="rt.tmx"))
    assert again == units


def _store_view(service: TMService) -> list[tuple]:
    return sorted(
        (
            u.source,
            u.target,
            u.source_lang,
            u.target_lang,
            u.segtype,
            u.created_at,
            u.created_by,
            u.changed_at,
            u.changed_by,
            u.props,
            u.notes,
            u.tuid,
            tuple(service.store.occurrences(u.id)),
        )
        for u in service.store.iter_units()
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(_UNITS, min_size=1, max_size=6))
def test_tmx_import_export_import_is_identical(
    tmp_path: Path, units: list[TranslationUnit]
) -> None:
    import uuid

    work = tmp_path / uuid.uuid4().hex
    work.mkdir()
    first = work / "in.tmx"
    write_tmx(units, first)
    with TMService.open(work / "a.db") as a:
        a.import_file(first)
        a.export(work / "out.tmx", fmt="tmx")
        view_a = _store_view(a)
    with TMService.open(work / "b.db") as b:
        b.import_file(work / "out.tmx")
        view_b = _store_view(b)
    assert view_a == view_b


def _occurrence_view(service: TMService) -> dict[tuple, list[Occurrence]]:
    return {
        (u.source, u.target, u.segtype): service.store.occurrences(u.id)
        for u in service.store.iter_units()
    }


def test_seed_round_trip_keeps_every_occurrence(
    seed_db_master: Path, tmp_path: Path, shared_dir: Path
) -> None:
    """Seed → TMX → empty TM: the same units, each with all its occurrences, in order."""
    out = tmp_path / "seed.tmx"
    with TMService.open(seed_db_master) as a:
        a.export(out, fmt="tmx")
        before = _occurrence_view(a)
        stats = a.stats()
    with TMService.open(tmp_path / "b.db") as b:
        report = b.import_file(out)
        after = _occurrence_view(b)
        assert b.stats()["occurrences"] == stats["occurrences"]
    assert report.added == stats["units"]
    assert after == before
    repeated = [occs for occs in before.values() if len(occs) > 1]
    assert len(repeated) >= 29  # the seed's repeated headings, at least
    doc = etree.parse(str(out))
    assert len(doc.findall(".//prop[@type='x-occurrence']")) == sum(
        len(occs) - 1 for occs in repeated
    )
    dtd = etree.DTD(str(shared_dir / "specs" / "tmx14.dtd"))
    assert dtd.validate(doc), dtd.error_log.filter_from_errors()


@pytest.mark.parametrize(
    "value",
    [
        '{"position": 3}',
        '{"document": "a", "position": "3"}',
        "[1]",
        "{",
        '"x"',
        '{"document": "\\ud800", "position": 1}',
    ],
)
def test_a_bad_occurrence_prop_is_a_format_error(value: str) -> None:
    body = (
        '<tmx version="1.4"><header srclang="zh-CN" segtype="sentence" o-tmf="t"'
        ' adminlang="en" datatype="plaintext" creationtool="t" creationtoolversion="1"/>'
        f'<body><tu><prop type="x-occurrence">{value}</prop>'
        '<tuv xml:lang="zh-CN"><seg>一</seg></tuv><tuv xml:lang="en-US"><seg>one</seg></tuv>'
        "</tu></body></tmx>"
    )
    with pytest.raises(FormatError) as err:
        list(iter_tmx(io.BytesIO(body.encode()), name="bad.tmx"))
    assert err.value.line == 1


def test_characters_xml_cannot_carry_survive_as_placeholders(shared_dir: Path) -> None:
    unit = TranslationUnit(source="国务院\x01批复\x0b", target="A\x1fB & <c>")
    out = io.BytesIO()
    write_tmx([unit], out)
    doc = etree.fromstring(out.getvalue())
    dtd = etree.DTD(str(shared_dir / "specs" / "tmx14.dtd"))
    assert dtd.validate(doc), dtd.error_log.filter_from_errors()
    assert doc.findall(".//ph[@type='x-tm-char']")[0].text == "U+0001"
    (again,) = iter_tmx(io.BytesIO(out.getvalue()), name="ctl.tmx")
    assert (again.source, again.target, again.source_codes) == (
        unit.source,
        unit.target,
        (),
    )
