"""CSV and TSV: tm's own tables round-trip a TM whole, also through Excel; the tables
people make are read as they mean them."""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import replace
from pathlib import Path

import pytest

from tm.errors import FormatError
from tm.formats.tabular import iter_csv, iter_tsv
from tm.models import TranslationUnit
from tm.service import TMService

TAGGED = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="x" creationtoolversion="1" segtype="sentence"
 o-tmf="x" adminlang="en" srclang="zh-CN" datatype="xml"/>
<body>
<tu tuid="t1" creationid="li.wei" creationdate="20260301T080000Z" usagecount="3">
 <prop type="x-client">Hunan</prop><note>tagged</note>
 <tuv xml:lang="zh-CN"><seg>按<bpt i="1">&lt;b&gt;</bpt>国家{统一}<ept i="1">&lt;/b&gt;</ept>部署<ph x="2">&lt;br/&gt;</ph></seg></tuv>
 <tuv xml:lang="en-US"><seg>Per the <bpt i="1">&lt;b&gt;</bpt>national {unified}<ept i="1">&lt;/b&gt;</ept> plan<ph x="2">&lt;br/&gt;</ph></seg></tuv>
</tu>
<tu><tuv xml:lang="zh-CN"><seg>多行\n段落\t含制表符</seg></tuv>
 <tuv xml:lang="en-US"><seg>Two "quoted" lines\nwith a tab\there and C:\\new\\table</seg></tuv></tu>
</body></tmx>
"""


@pytest.fixture
def rich_tm(seed_db: Path, tmp_path: Path) -> Path:
    """The seed TM plus tagged, multi-line and unconfirmed units."""
    tagged = tmp_path / "tagged.tmx"
    tagged.write_text(TAGGED, "utf-8")
    with TMService.open(seed_db) as service:
        assert service.import_file(tagged).added == 2
    # a lower-status unit: a TMX with our status prop, taken on request
    status = tmp_path / "status.tmx"
    status.write_text(
        TAGGED.replace("<note>tagged</note>", "")
        .replace('tuid="t1"', 'tuid="t2"')
        .replace("按<bpt", "仍按<bpt")
        .replace(
            '<prop type="x-client">Hunan</prop>',
            '<prop type="x-tm-status">unconfirmed</prop>'
            '<prop type="x-tm-status-note">XLIFF state needs-review-translation</prop>',
        ),
        "utf-8",
    )
    with TMService.open(seed_db) as service:
        assert service.import_file(status, include_unconfirmed=True).added == 1
    return seed_db


def _units(db: Path) -> list[TranslationUnit]:
    with TMService.open(db) as service:
        units = service.store.iter_units(all_occurrences=True)
        return sorted(
            (replace(u, id=None) for u in units),
            key=lambda u: (u.source, u.target, u.segtype),
        )


def _excel_resave(path: Path, *, tsv: bool) -> None:
    """What Excel does on "Save": CSV UTF-8 (BOM, CRLF, minimal quoting), or
    Unicode Text (UTF-16 with BOM, tab-separated, CRLF, minimal quoting)."""
    encoding = "utf-8-sig"
    delimiter = "\t" if tsv else ","
    with path.open(encoding=encoding, newline="") as fh:
        if tsv:  # Excel splits tm's TSV at tabs and line ends: no quoting in it
            rows = [line.split("\t") for line in fh.read().split("\n") if line]
        else:
            rows = list(csv.reader(fh))
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(
        buf.getvalue().encode("utf-16")
        if tsv
        else b"\xef\xbb\xbf" + buf.getvalue().encode()
    )


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
@pytest.mark.parametrize("excel", [False, True], ids=["as-written", "excel-resaved"])
def test_table_round_trip_of_a_whole_tm_is_lossless(
    rich_tm: Path, tmp_path: Path, fmt: str, excel: bool
) -> None:
    out = tmp_path / f"tm.{fmt}"
    with TMService.open(rich_tm) as service:
        n = service.export(out, fmt=fmt)
    if excel:
        _excel_resave(out, tsv=fmt == "tsv")
    fresh = tmp_path / "fresh.db"
    with TMService.open(fresh) as service:
        report = service.import_file(out, include_unconfirmed=True, sentences=False)
    assert report.read == n
    assert report.added == n
    assert _units(fresh) == _units(rich_tm)


def test_csv_is_for_excel_and_shows_tags_readably(
    rich_tm: Path, tmp_path: Path
) -> None:
    out = tmp_path / "tm.csv"
    with TMService.open(rich_tm) as service:
        service.export(out, fmt="csv")
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfzh-CN,en-US,segtype,status,")
    assert data.count(b"\r\n") >= data.count(b"\n") - data.count(b'\n"') - 10
    text = data.decode("utf-8-sig")
    assert "按{1}国家{{统一}{2}部署{3}" in text
    assert "\ue000" not in text  # no private-use placeholder characters
    row = next(
        r
        for r in csv.reader(io.StringIO(text, newline=""))
        if r[0] == "多行\n段落\t含制表符"
    )
    assert row[1] == 'Two "quoted" lines\nwith a tab\there and C:\\new\\table'
    assert row[3] == ""  # confirmed
    assert any(r[3] == "unconfirmed" for r in csv.reader(io.StringIO(text, newline="")))


def test_tm_tsv_is_one_unit_per_line(rich_tm: Path, tmp_path: Path) -> None:
    out = tmp_path / "tm.tsv"
    with TMService.open(rich_tm) as service:
        n = service.export(out, fmt="tsv")
    lines = out.read_text("utf-8").split("\n")
    assert lines[-1] == ""
    assert len(lines) == n + 2  # header, units, final newline
    assert all(line.count("\t") == 13 for line in lines[:-1])
    assert "C:\\\\new\\\\table" in out.read_text("utf-8")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_foreign_tsv_is_read_literally(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "f.tsv",
        '"十四五"规划\t"14th Five-Year" Plan\n'
        "路径\tC:\\new\\table\n"
        "反斜杠\\t不是制表符\tbackslash-t is text\n".encode(),
    )
    pairs = [(u.source, u.target) for u in iter_tsv(path)]
    assert pairs == [
        ('"十四五"规划', '"14th Five-Year" Plan'),
        ("路径", "C:\\new\\table"),
        ("反斜杠\\t不是制表符", "backslash-t is text"),
    ]


def test_excel_unicode_text_tsv_with_quotes_bom_crlf(tmp_path: Path) -> None:
    rows = [
        ["中文", "英文", ""],
        ['"十四五"规划', '"14th Five-Year" Plan', ""],
        ["两行\n文本", "two\r\nlines", ""],
        ["制表\t符", "tab", ""],
        ["普通", "plain", ""],
    ]
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter="\t", lineterminator="\r\n").writerows(rows)
    path = _write(tmp_path, "excel.txt", buf.getvalue().encode("utf-16"))
    units = list(iter_tsv(path))
    assert [(u.source, u.target) for u in units] == [(r[0], r[1]) for r in rows[1:]]
    assert units[0].source_lang == "zh-CN"


def test_excel_csv_semicolons_and_gb18030(tmp_path: Path) -> None:
    text = 'source;target\r\n"要素,市场";"factor; market"\r\n数据;"data ""factor"""\r\n'
    for data in (b"\xef\xbb\xbf" + text.encode(), text.encode("gb18030")):
        path = _write(tmp_path, "x.csv", data)
        assert [(u.source, u.target) for u in iter_csv(path)] == [
            ("要素,市场", "factor; market"),
            ("数据", 'data "factor"'),
        ]


def test_bad_csv_names_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.csv", 'a,b\r\n要素,ok\r\n"未闭合,x\r\n'.encode())
    with pytest.raises(FormatError) as err:
        list(iter_csv(path))
    assert err.value.line is not None
    assert err.value.line >= 3


def test_three_columns_without_header_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.tsv", "一\tone\n二\ttwo\textra\n".encode())
    with pytest.raises(FormatError) as err:
        list(iter_tsv(path))
    assert err.value.line == 2


def test_header_names_the_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.tsv", "id\tnote\ten\tzh\n1\tn\tone\t一\n".encode())
    (unit,) = iter_tsv(path)
    assert (unit.source, unit.target, unit.source_lang) == ("一", "one", "zh")


def test_a_news_tsv_whose_quotations_run_over_paragraphs_keeps_each_line(
    tmp_path: Path, shared_dir: Path
) -> None:
    # WMT news: an English field opens a quotation that goes on in the next
    # paragraph; read with Excel's quoting, that field ran over the next rows up to
    # another row's closing quote and merged them into one unit without a word.
    corpus = shared_dir / "corpora" / "wmt_news_test_2017-2022.zh-en.tsv.gz"
    with gzip.open(corpus, "rt", encoding="utf-8", newline="") as fh:
        lines = [line for _, line in zip(range(2200), fh, strict=False)][2100:]
    opened = [line for line in lines if line.split("\t")[1].startswith(("“", '"'))]
    assert any(line.count('"') % 2 for line in lines)  # an unclosed quotation
    assert opened
    path = _write(tmp_path, "news.tsv", "".join(lines).encode("utf-8"))
    units = list(iter_tsv(path))
    assert [(u.source, u.target) for u in units] == [
        tuple(line.rstrip("\n").split("\t")) for line in lines
    ]
