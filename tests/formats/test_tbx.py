"""TBX v3 / 2008 and table glossaries: validity, interop with translate-toolkit, round trips."""

from __future__ import annotations

import io
import os
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tm.errors import FormatError
from tm.formats.glossary_table import read_glossary_table, write_glossary_table
from tm.formats.tbx import iter_tbx, read_tbx, write_tbx
from tm.terms import GlossaryHeader, TermEntry, read_glossary

RNG = "specs/TBXcoreStructV03_TBX-Basic_integrated.rng"
CORE_RNG = "specs/TBXcoreStructV03.rng"
DCA = "specs/TBX-Basic_DCA.sch"
DTD = "specs/TBXcoreStructV02.dtd"


@pytest.fixture(scope="module")
def mini(data_dir: Path) -> tuple[GlossaryHeader, list[TermEntry]]:
    return read_glossary(data_dir / "glossary" / "mini.zh-en.yaml")


def _plain(entries: list[TermEntry]) -> list[TermEntry]:
    return [replace(e, source=None) for e in entries]


def test_v3_validates_against_tbx_basic_rng(
    mini: tuple, shared_dir: Path, tmp_path: Path
) -> None:
    header, entries = mini
    out = tmp_path / "g.tbx"
    assert write_tbx(entries, out, header=header) == len(entries)
    rng = etree.RelaxNG(etree.parse(str(shared_dir / RNG)))
    assert rng.validate(etree.parse(str(out))), rng.error_log


@pytest.fixture(scope="module")
def shipped(glossary_dir: Path) -> tuple[GlossaryHeader, list[TermEntry]]:
    """The glossary the project ships: 351 entries, every field in use."""
    return read_glossary(glossary_dir / "factor-markets.zh-en.yaml")


@pytest.mark.parametrize("which", ["mini", "shipped"])
def test_v3_passes_the_core_rng_and_the_dca_schematron(
    which: str, request: pytest.FixtureRequest, shared_dir: Path, tmp_path: Path
) -> None:
    from tests.formats._schematron import validate

    header, entries = request.getfixturevalue(which)
    out = tmp_path / "g.tbx"
    write_tbx(entries, out, header=header)
    doc = etree.parse(str(out))
    for rng_path in (RNG, CORE_RNG):
        rng = etree.RelaxNG(etree.parse(str(shared_dir / rng_path)))
        assert rng.validate(doc), (rng_path, rng.error_log.last_error)
    assert validate(out, shared_dir / DCA) == []


def test_the_schematron_runner_finds_dca_violations(
    mini: tuple, shared_dir: Path, tmp_path: Path
) -> None:
    """The runner used above is not blind: each planted violation is found once."""
    from tests.formats._schematron import validate

    header, entries = mini
    out = tmp_path / "g.tbx"
    write_tbx(entries, out, header=header)
    text = out.read_text("utf-8")
    ns = 'xmlns:x="urn:x"'
    bad = (
        text.replace("<tbx ", f"<tbx {ns} ", 1)
        .replace('style="dca"', 'style="dct"')
        .replace("<note>", '<x:seen doc="000">1</x:seen><note>', 1)
        .replace(
            "</conceptEntry>",
            '<descrip type="comment">x</descrip>'
            '<termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>'
            "</conceptEntry>",
            1,
        )
        .replace("preferredTerm-admn-sts</termNote>", "preferred</termNote>", 2)
    )
    out.write_text(bad, "utf-8")
    found = sorted(
        f.message.split(".")[0][:40] for f in validate(out, shared_dir / DCA)
    )
    assert found == sorted(
        [
            "The style of this dialect should be decl",  # style="dct"
            "DCT style elements are not permitted in ",  # <x:seen>
            "Permitted type value(s): subjectField, c",  # descrip type="comment"
            "Any termNote is only allowed at the term",  # termNote on the concept
            "/administrativeStatus/ type may be: 'adm",  # "preferred" ×2
            "/administrativeStatus/ type may be: 'adm",
        ]
    )


def test_shipped_glossary_round_trips_through_v3_whole(
    shipped: tuple, tmp_path: Path
) -> None:
    header, entries = shipped
    out = tmp_path / "g.tbx"
    write_tbx(entries, out, header=header)
    header2, entries2 = read_tbx(out)
    assert header2 == header
    assert entries2 == entries
    statuses = {e.status for e in entries}
    assert statuses >= {"approved", "proposed"}
    assert all(e.category and e.seen for e in entries)


@pytest.mark.skipif(
    not os.environ.get("TM_PYSCHEMATRON_PYTHON"),
    reason="set TM_PYSCHEMATRON_PYTHON to a Python ≥ 3.12 with pyschematron",
)
def test_pyschematron_agrees(shipped: tuple, shared_dir: Path, tmp_path: Path) -> None:
    """Cross-check with pyschematron (needs Python ≥ 3.12, so not in the dev extra)."""
    import subprocess

    header, entries = shipped
    out = tmp_path / "g.tbx"
    write_tbx(entries, out, header=header)
    script = (
        "import sys; from pathlib import Path; from pyschematron import validate_document;"
        "r = validate_document(Path(sys.argv[1]), Path(sys.argv[2]));"
        "print(len(r.get_svrl().findall('.//{http://purl.oclc.org/dsdl/svrl}failed-assert')))"
    )
    proc = subprocess.run(
        [os.environ["TM_PYSCHEMATRON_PYTHON"], "-c", script, out, shared_dir / DCA],
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    assert proc.stdout.strip() == "0"


def test_2008_validates_against_core_dtd(
    mini: tuple, shared_dir: Path, tmp_path: Path
) -> None:
    header, entries = mini
    out = tmp_path / "g.tbx"
    write_tbx(entries, out, header=header, dialect="2008")
    dtd = etree.DTD(str(shared_dir / DTD))
    assert dtd.validate(etree.parse(str(out))), dtd.error_log


@pytest.mark.parametrize("dialect", ["v3", "2008"])
def test_yaml_tbx_yaml_loses_no_field(
    mini: tuple, tmp_path: Path, dialect: str
) -> None:
    header, entries = mini
    out = tmp_path / "g.tbx"
    write_tbx(entries, out, header=header, dialect=dialect)
    header2, entries2 = read_tbx(out)
    assert header2 == header
    assert entries2 == entries  # source (file:line) is not compared


def test_translate_toolkit_reads_2008_export(mini: tuple, tmp_path: Path) -> None:
    from translate.storage.tbx import tbxfile

    header, entries = mini
    out = tmp_path / "g.tbx"
    write_tbx(entries, out, header=header, dialect="2008")
    with out.open("rb") as fh:
        store = tbxfile(fh)
    units = store.units
    assert [u.source for u in units] == [e.zh for e in entries]
    assert [u.target or "" for u in units] == [
        e.en or (e.variants[:1] or ("",))[0] for e in entries
    ]
    for unit, entry in zip(units, entries, strict=True):
        terms = unit.get_target_terms()
        assert [t.text for t in terms if t.deprecated] == list(entry.forbidden)
        assert {t.text for t in terms if not t.deprecated} == {
            r for r in (entry.en, *entry.variants) if r
        }
        if entry.note:
            assert entry.note in unit.getnotes()


def test_reads_a_foreign_v3_file_without_our_extensions(tmp_path: Path) -> None:
    doc = """<?xml version="1.0"?>
<tbx xmlns="urn:iso:std:iso:30042:ed-2" type="TBX-Basic" style="dca" xml:lang="en">
 <tbxHeader><fileDesc><sourceDesc><p>x</p></sourceDesc></fileDesc></tbxHeader>
 <text><body>
  <conceptEntry id="a"><descrip type="definition">def</descrip>
   <langSec xml:lang="en"><termSec><term>land price</term></termSec></langSec>
   <langSec xml:lang="zh"><termSec><term>地价</term>
     <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termSec></langSec>
  </conceptEntry></body></text></tbx>"""
    path = tmp_path / "f.tbx"
    path.write_text(doc, "utf-8")
    header, entries = read_tbx(path)
    assert header.source_lang == "en"
    (entry,) = entries
    # the Chinese side is found by language even when the file's source is English
    assert (entry.zh, entry.en, entry.note, entry.status) == (
        "地价",
        "land price",
        "def",
        "deprecated",
    )


def test_malformed_tbx_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.tbx"
    path.write_text('<martif type="TBX">\n<text><body>\n<termEntry>\n</body>', "utf-8")
    with pytest.raises(FormatError) as err:
        read_tbx(path)
    assert err.value.line is not None


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.tbx"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE martif [<!ENTITY a "aaaa">]>'
        '<martif type="TBX"><text><body/></text></martif>',
        "utf-8",
    )
    with pytest.raises(FormatError):
        list(iter_tbx(io.BytesIO(path.read_bytes())))


_text = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"
        ),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=40, deadline=None)
@given(
    zh=_text,
    en=_text,
    variants=st.lists(_text, max_size=3, unique=True),
    note=st.one_of(st.just(""), _text),
)
def test_tbx_round_trip_arbitrary_text(
    zh: str, en: str, variants: list, note: str
) -> None:
    variants = [v for v in variants if v != en]
    entry = TermEntry(
        zh=zh, en=en, variants=tuple(variants), note=note, seen=(("000", 2),)
    )
    for dialect in ("v3", "2008"):
        buf = io.BytesIO()
        write_tbx([entry], buf, dialect=dialect)
        buf.seek(0)
        assert list(iter_tbx(buf)) == [entry]


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
def test_table_glossary_round_trip(mini: tuple, tmp_path: Path, fmt: str) -> None:
    _, entries = mini
    out = tmp_path / f"g.{'txt' if fmt == 'tsv' else 'csv'}"
    n = write_glossary_table(entries, out, fmt=fmt)
    with_en = [e for e in entries if e.en]
    assert n == len(with_en)
    _, back = read_glossary_table(out)
    keep = ("zh", "en", "variants", "forbidden", "note")
    assert [tuple(getattr(e, k) for k in keep) for e in back] == [
        tuple(getattr(e, k) for k in keep) for e in with_en
    ]


def test_omegat_tab_file_with_comments_and_repeats(tmp_path: Path) -> None:
    path = tmp_path / "omegat.txt"
    path.write_text(
        "# OmegaT glossary\n地价\tland price\tprice of land\n地价\tland prices\t\n\n",
        "utf-8",
    )
    _, (entry,) = read_glossary_table(path)
    assert (entry.en, entry.variants, entry.note) == (
        "land price",
        ("land prices",),
        "price of land",
    )


def test_table_line_without_target_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("地价\tland price\n基准地价\n", "utf-8")
    with pytest.raises(FormatError) as err:
        read_glossary_table(path)
    assert err.value.line == 2
