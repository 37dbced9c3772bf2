"""Analysis of seed 003 against the seed TM, pre-translation to XLIFF, and their peers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tm.analysis import BANDS, band_of, count_chars, load_weights, read_source_document
from tm.errors import FormatError
from tm.formats.plaintext import parse_plaintext, read_plaintext
from tm.service import TMService


def tm_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tm", *args], capture_output=True, text=True, check=False
    )


def test_page_residue_is_reported_not_dropped(next_doc_path: Path) -> None:
    doc = read_plaintext(next_doc_path)
    lines = {r.line: r.reason for r in doc.residue}
    assert lines[1] == "page metadata bullet"  # • 索引号:…
    assert lines[9] == "page metadata line"  # 浏览量:1 | | | |
    assert lines[719] == "page furniture"  # 扫一扫在手机打开当前页
    texts = [p.text for p in doc.paragraphs]
    assert not any("索引号" in t or "浏览量" in t or "扫一扫" in t for t in texts)
    assert texts[0].startswith("关于印发《长株潭要素市场化配置综合改革试点行动方案")


def test_blank_lines_with_no_break_spaces_separate_paragraphs() -> None:
    doc = parse_plaintext("第一段。\n\u00a0\n第二段,\n续行。\n", "x.txt")
    assert [p.text for p in doc.paragraphs] == ["第一段。", "第二段,续行。"]
    assert [p.line for p in doc.paragraphs] == [1, 3]


def test_empty_document_is_an_error() -> None:
    with pytest.raises(FormatError, match="no text"):
        parse_plaintext("\n  \n扫一扫在手机打开当前页\n", "empty.txt")


def test_segments_follow_the_tm_sentence_rules(next_doc_path: Path) -> None:
    segments, residue = read_source_document(next_doc_path)
    assert len(residue) == 9
    sources = [s.source for s in segments]
    assert "一、目标要求" in sources
    goal = next(s for s in sources if s.startswith("到2026年底"))
    assert goal.endswith("。")
    assert all(s.strip() for s in sources)


def test_bands() -> None:
    assert [
        band_of(x) for x in (101, 100, 99, 95, 94.9, 85, 80, 75, 74, 50, 49, None)
    ] == [
        "101",
        "100",
        "95-99",
        "95-99",
        "85-94",
        "85-94",
        "75-84",
        "75-84",
        "50-74",
        "50-74",
        "new",
        "new",
    ]
    assert count_chars("国务院 批复, ok") == 8


def test_band_counts_equal_an_exhaustive_scan(
    seed_service: TMService, next_doc_path: Path
) -> None:
    fast = seed_service.analyze(next_doc_path)
    slow = seed_service.analyze(next_doc_path, exhaustive=True)
    assert fast.bands == slow.bands
    assert [r.band for r in fast.segments] == [r.band for r in slow.segments]
    assert sum(c.segments for c in fast.bands.values()) == len(fast.segments)
    assert fast.bands["100"].segments >= 1  # 附件1 / 附件2 are in the seed TM


def test_repetitions_are_counted_once(seed_service: TMService, tmp_path: Path) -> None:
    doc = tmp_path / "rep.txt"
    doc.write_text("附件1\n\n一种全新的说法。\n\n一种全新的说法。\n", encoding="utf-8")
    result = seed_service.analyze(doc)
    assert [r.band for r in result.segments] == ["100", "new", "repetitions"]
    assert result.segments[2].repetition_of == 1


def test_weights_table(tmp_path: Path) -> None:
    good = tmp_path / "w.yaml"
    good.write_text("new: 1\n95-99: 0.25\n", encoding="utf-8")
    assert load_weights(good) == {"new": 1.0, "95-99": 0.25}
    bad = tmp_path / "bad.yaml"
    bad.write_text("90-99: 0.5\n", encoding="utf-8")
    with pytest.raises(FormatError, match="unknown band"):
        load_weights(bad)


def test_cli_json_shape(seed_db: Path, next_doc_path: Path) -> None:
    proc = tm_cli("analyze", str(next_doc_path), "--db", str(seed_db), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data["bands"]) == set(BANDS)
    assert all(set(v) == {"segments", "chars"} for v in data["bands"].values())
    seg = data["segments"][0]
    assert {"source", "best", "band", "id", "terms"} <= set(seg)
    assert data["total"]["segments"] == len(data["segments"])


def test_html_report(seed_db: Path, next_doc_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.html"
    proc = tm_cli(
        "analyze", str(next_doc_path), "--db", str(seed_db), "--html", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    page = out.read_text(encoding="utf-8")
    assert "<svg" in page
    assert "长株潭" in page
    assert "Chinese has no words" in page


# -- pre-translation --------------------------------------------------------------------


@pytest.fixture(scope="module")
def pretranslated(
    tmp_path_factory: pytest.TempPathFactory, seed_db_master: Path, next_doc_path: Path
) -> dict:
    out = tmp_path_factory.mktemp("pre")
    files = {}
    with TMService.open(seed_db_master) as service:
        for fmt, name in (("xliff12", "doc.xlf"), ("xliff20", "doc20.xlf")):
            files[fmt] = out / name
            files[fmt + "_report"] = service.pretranslate(
                next_doc_path,
                files[fmt],
                fmt=fmt,
                project_tm=out / "project.tmx",
            )
        files["tmx"] = out / "project.tmx"
        files["segments"] = len(read_source_document(next_doc_path)[0])
    return files


def test_xliff12_reads_back_with_translate_toolkit(pretranslated: dict) -> None:
    from translate.storage.xliff import xlifffile

    store = xlifffile.parsefile(str(pretranslated["xliff12"]))
    assert len(store.units) == pretranslated["segments"]
    translated = [u for u in store.units if u.target]
    assert len(translated) == pretranslated["xliff12_report"].translated >= 1
    assert any(u.source == "附件1" and u.target == "Attachment 1" for u in translated)


def test_xliff20_reads_back_with_translate_toolkit(pretranslated: dict) -> None:
    from translate.storage.xliff2 import Xliff2File

    store = Xliff2File.parsefile(str(pretranslated["xliff20"]))
    assert len(store.units) == pretranslated["segments"]
    assert any(u.source == "附件1" and u.target == "Attachment 1" for u in store.units)


def test_our_reader_round_trips_both_versions(pretranslated: dict) -> None:
    from tm.formats.xliff import iter_xliff

    for fmt in ("xliff12", "xliff20"):
        units = list(iter_xliff(pretranslated[fmt]))
        assert len(units) == pretranslated["segments"]
        assert ("附件1", "Attachment 1") in {(u.source, u.target) for u in units}


def test_project_tm_holds_the_used_units(pretranslated: dict, shared_dir: Path) -> None:
    from lxml import etree

    dtd = etree.DTD(str(shared_dir / "specs" / "tmx14.dtd"))
    doc = etree.parse(str(pretranslated["tmx"]))
    assert dtd.validate(doc)
    assert len(doc.findall(".//tu")) == pretranslated["xliff12_report"].used_units > 0


@pytest.mark.omegat
def test_omegat_opens_the_pretranslated_xliff(
    pretranslated: dict, tmp_path: Path
) -> None:
    import shutil

    from tests.formats.test_omegat import make_project, run_omegat

    project = make_project(tmp_path / "proj")
    shutil.copy(pretranslated["xliff12"], project / "source" / "doc.xlf")
    shutil.copy(pretranslated["tmx"], project / "tm" / "project.tmx")
    result = run_omegat(project)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "Exception" not in result.stdout + result.stderr
    out = (project / "target" / "doc.xlf").read_text(encoding="utf-8")
    assert "Attachment 1" in out
