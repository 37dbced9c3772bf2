"""TMX metadata survives import → export: per-<tuv> authors and dates (OmegaT), Trados's
usage counts, <tuv> props and notes, and the header's props and notes."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from tm.formats.tmx import iter_tmx, read_tmx_header
from tm.service import TMService

# The shape OmegaT 3.6 writes to omegat/project_save.tmx: TMX 1.1 ``lang``, dates and
# authors on the target <tuv>, none on the <tu>.
OMEGAT = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx11.dtd">
<tmx version="1.1">
  <header creationtool="OmegaT" o-tmf="OmegaT TMX" adminlang="EN-US" datatype="plaintext" creationtoolversion="3.6.0_10" segtype="sentence" srclang="zh-CN"/>
  <body>
    <tu>
      <tuv lang="zh-CN"><seg>湖南省人民政府办公厅</seg></tuv>
      <tuv lang="en-US" changeid="wang.fang" changedate="20260302T080000Z" creationid="li.wei" creationdate="20260301T080000Z"><seg>General Office of Hunan Provincial People's Government</seg></tuv>
    </tu>
    <tu>
      <tuv lang="zh-CN"><seg>附件1</seg></tuv>
      <tuv lang="en-US"><seg>Attachment 1</seg></tuv>
    </tu>
  </body>
</tmx>
"""

TRADOS = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
  <header creationtool="SDL Language Platform" creationtoolversion="8.1" o-tmf="SDL TM8 Format" datatype="xml" segtype="sentence" adminlang="en-US" srclang="zh-CN">
    <note>Client: Hunan DRC</note>
    <prop type="x-Recognizers">RecognizeAll</prop>
    <prop type="x-Client:SinglePicklist">Hunan DRC</prop>
  </header>
  <body>
    <tu creationdate="20250110T020304Z" creationid="GLOBAL\\\\alice" changedate="20250111T020304Z" changeid="GLOBAL\\\\bob" lastusagedate="20250301T101010Z" usagecount="7">
      <prop type="x-ConfirmationLevel">ApprovedSignOff</prop>
      <tuv xml:lang="zh-CN" creationid="src-author"><prop type="x-Origin">TM</prop><seg>要素市场</seg></tuv>
      <tuv xml:lang="en-US"><note>checked</note><seg>factor market</seg></tuv>
    </tu>
  </body>
</tmx>
"""


def _roundtrip(tmp_path: Path, text: str) -> tuple[Path, list]:  # type: ignore[type-arg]
    src = tmp_path / "in.tmx"
    src.write_text(text, "utf-8")
    out = tmp_path / "out.tmx"
    with TMService.open(tmp_path / "tm.db") as service:
        service.import_file(src)
        service.export(out, fmt="tmx")
        units = list(service.store.iter_units())
    return out, units


def _tuvs(path: Path) -> list[dict[str, str]]:
    doc = etree.parse(str(path))
    return [
        {k: v for k, v in tuv.attrib.items() if not k.endswith("lang")}
        for tuv in doc.iter("tuv")
    ]


def test_omegat_authors_and_dates_per_tuv_survive(tmp_path: Path) -> None:
    out, units = _roundtrip(tmp_path, OMEGAT)
    by_source = {u.source: u for u in units}
    signed = by_source["湖南省人民政府办公厅"]
    assert (signed.created_by, signed.created_at) == ("li.wei", "20260301T080000Z")
    assert (signed.changed_by, signed.changed_at) == ("wang.fang", "20260302T080000Z")
    exported = {tu.findtext("tuv/seg"): tu for tu in etree.parse(str(out)).iter("tu")}
    tu = exported["湖南省人民政府办公厅"]
    assert not any(a in tu.attrib for a in ("creationid", "changedate"))
    src_tuv, tgt_tuv = tu.findall("tuv")
    assert dict(tgt_tuv.attrib) == {
        "{http://www.w3.org/XML/1998/namespace}lang": "en-US",
        "changeid": "wang.fang",
        "changedate": "20260302T080000Z",
        "creationid": "li.wei",
        "creationdate": "20260301T080000Z",
    }
    assert "creationid" not in src_tuv.attrib
    # a translation OmegaT did not sign gets the importing user, on the <tu> as usual
    unsigned = exported["附件1"]
    assert unsigned.get("creationid") == by_source["附件1"].created_by


def test_trados_usage_counts_tuv_props_and_header_props_survive(
    tmp_path: Path,
) -> None:
    out, units = _roundtrip(tmp_path, TRADOS)
    (unit,) = units
    assert (unit.created_by, unit.changed_by) == ("GLOBAL\\\\alice", "GLOBAL\\\\bob")
    tu = next(etree.parse(str(out)).iter("tu"))
    for attr, value in (
        ("usagecount", "7"),
        ("lastusagedate", "20250301T101010Z"),
        ("creationdate", "20250110T020304Z"),
        ("changeid", "GLOBAL\\\\bob"),
    ):
        assert tu.get(attr) == value, attr
    assert tu.findtext("prop[@type='x-ConfirmationLevel']") == "ApprovedSignOff"
    assert tu.find("prop[@type='x-tm-tmx']") is None
    src_tuv, tgt_tuv = tu.findall("tuv")
    assert src_tuv.get("creationid") == "src-author"
    assert src_tuv.findtext("prop[@type='x-Origin']") == "TM"
    assert tgt_tuv.findtext("note") == "checked"
    props, notes = read_tmx_header(out)
    assert props == [
        ("x-Recognizers", "RecognizeAll"),
        ("x-Client:SinglePicklist", "Hunan DRC"),
    ]
    assert notes == ["Client: Hunan DRC"]
    # and the export reads back into the same units
    again = list(iter_tmx(out))
    assert [(u.source, u.target, u.created_by, u.changed_at) for u in again] == [
        (u.source, u.target, u.created_by, u.changed_at) for u in units
    ]


def test_trados_unconfirmed_level_is_screened(tmp_path: Path) -> None:
    src = tmp_path / "draft.tmx"
    src.write_text(TRADOS.replace("ApprovedSignOff", "Draft"), "utf-8")
    with TMService.open(tmp_path / "tm.db") as service:
        report = service.import_file(src)
        assert (report.added, report.skipped_unconfirmed) == (0, 1)
        assert report.reasons == {"Trados confirmation level Draft": 1}
        report = service.import_file(src, include_unconfirmed=True)
        assert report.added == 1
        (unit,) = service.store.iter_units()
        assert unit.unconfirmed


def test_reexport_keeps_the_tuv_attributes_exactly(tmp_path: Path) -> None:
    out, _ = _roundtrip(tmp_path, OMEGAT)
    again = tmp_path / "again"
    again.mkdir()
    out2, _ = _roundtrip(again, out.read_text("utf-8"))
    assert _tuvs(out2) == _tuvs(out)
