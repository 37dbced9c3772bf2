"""OmegaT (the Debian package, headless) reads what tm writes and gives the work back.

A TMX tm exports fills a paragraph-segmented project; a project ``tm pretranslate
--format omegat`` writes opens as is: OmegaT segments the document as tm does,
inserts the exact matches, loads the fuzzy TM and shows forbidden terms as forbidden;
a Groovy probe reads what OmegaT loaded and plays the translator, and ``tm import``
of the project brings the work back with OmegaT's authors and dates.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tm.service import TMService

pytestmark = pytest.mark.omegat


def make_project(root: Path) -> Path:
    """An OmegaT project folder (paragraph segmentation) with empty source/ and tm/auto/."""
    for sub in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    from tm.formats.omegat import project_xml

    paragraphs = project_xml("zh-CN", "en-US").replace(
        "<sentence_seg>true<", "<sentence_seg>false<"
    )
    (root / "omegat.project").write_text(paragraphs, encoding="utf-8")
    return root


def run_omegat(project: Path) -> subprocess.CompletedProcess[str]:
    omegat = shutil.which("omegat")
    if omegat is None:
        pytest.skip("OmegaT is not installed (Debian package omegat; CI installs it)")
    return subprocess.run(
        [omegat, str(project), "--mode=console-translate"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_omegat_inserts_the_stored_english(
    tmp_path: Path, seed_db_master: Path
) -> None:
    project = make_project(tmp_path / "proj")
    with TMService.open(seed_db_master) as service:
        service.export(
            project / "tm" / "auto" / "seed.tmx", fmt="tmx", segtype="paragraph"
        )
        unit = next(
            u for u in service.store.iter_units() if u.source.startswith("你们关于开展")
        )
    (project / "source" / "doc.txt").write_text(unit.source + "\n", encoding="utf-8")
    result = run_omegat(project)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    translated = (project / "target" / "doc.txt").read_text(encoding="utf-8")
    assert translated.strip() == unit.target


# -- the project tm pretranslate writes, opened by OmegaT --------------------------

PROBE = Path(__file__).with_name("omegat_probe.groovy")
# what the translator does in OmegaT: segment, author, translation
WORK = (
    (10, "li.wei", "Changsha, Zhuzhou and Xiangtan People's Governments:"),
    (11, "li.wei", "The action plan is hereby issued to you."),
    (12, "li.wei", "General Office of Hunan Provincial People's Government"),
    (12, "wang.fang", "General Office of the People's Government of Hunan Province"),
)


@dataclass
class OmegaTRun:
    """A project written by ``tm pretranslate --format omegat`` after OmegaT opened it."""

    project: Path
    result: subprocess.CompletedProcess[str]
    log: str
    segments: list[tuple[int, str, str]]
    tms: dict[str, int]
    glossary: dict[int, list[str]]
    tbx: list[str]
    ours: list[str]
    report: Any


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n"}.get(m[1], m[1]), text)


@pytest.fixture(scope="module")
def omegat_run(
    seed_db_master: Path,
    next_doc_path: Path,
    glossary_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> OmegaTRun:
    omegat = shutil.which("omegat")
    if omegat is None:
        pytest.skip("OmegaT is not installed (Debian package omegat; CI installs it)")
    from tm.analysis import read_source_document
    from tm.formats.tbx import write_tbx

    root = tmp_path_factory.mktemp("omegat")
    project = root / "cztan"
    from tm.terms import load_termbase

    termbase = load_termbase(glossary_dir)
    with TMService.open(seed_db_master, glossary=glossary_dir) as service:
        report = service.pretranslate(next_doc_path, project, fmt="omegat")
    write_tbx(termbase, root / "g2008.tbx", dialect="2008")
    (root / "work.tsv").write_text(
        "".join(f"{n}\t{who}\t{text}\n" for n, who, text in WORK), "utf-8"
    )
    env = {
        **os.environ,
        "TM_OMEGAT_DUMP": str(root / "dump.tsv"),
        "TM_OMEGAT_TBX": str(root / "g2008.tbx"),
        "TM_OMEGAT_WORK": str(root / "work.tsv"),
    }
    result = subprocess.run(
        [
            omegat,
            str(project),
            "--mode=console-translate",
            f"--config-dir={root / 'config'}",
            f"--script={PROBE}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    logs = sorted((root / "config" / "logs").glob("*.log"))
    log = result.stdout + result.stderr + "".join(p.read_text("utf-8") for p in logs)
    segments: list[tuple[int, str, str]] = []
    tms: dict[str, int] = {}
    glossary: dict[int, list[str]] = {}
    tbx: list[str] = []
    dump = root / "dump.tsv"
    assert dump.exists(), log[-3000:]
    for line in dump.read_text("utf-8").splitlines():
        kind, *cells = line.split("\t")
        cells = [_unescape(c) for c in cells]
        if kind == "seg":
            segments.append((int(cells[0]), cells[1], cells[2]))
        elif kind == "tm":
            tms[cells[0]] = int(cells[1])
        elif kind == "gloss":
            glossary.setdefault(int(cells[0]), []).append(cells[1])
        elif kind == "tbx":
            tbx.append(cells[0])
    ours = [s.source for s in read_source_document(next_doc_path)[0]]
    return OmegaTRun(project, result, log, segments, tms, glossary, tbx, ours, report)


def test_omegat_opens_the_project_without_errors(omegat_run: OmegaTRun) -> None:
    assert omegat_run.result.returncode == 0, omegat_run.log[-3000:]
    # OmegaT logs a TMX it cannot read and carries on with exit 0
    for sign in ("TF_TM_LOAD_ERROR", "CORE_SRX_EXC_LOADING_SEG_RULES", "Exception"):
        assert sign not in omegat_run.log, sign
    assert "Reading of TMX file complete" in omegat_run.log


def test_omegat_segments_the_document_as_tm_does(omegat_run: OmegaTRun) -> None:
    theirs = [src for _, src, _ in omegat_run.segments]
    ours = omegat_run.ours
    assert len(ours) == 478
    # OmegaT also shows the web-page residue lines tm sets aside (9 in 003)
    assert [s for s in theirs if s in set(ours)] == ours
    assert len(theirs) - len(ours) == 9


def test_omegat_loads_our_tms_and_inserts_the_exact_matches(
    omegat_run: OmegaTRun,
) -> None:
    project = omegat_run.report.project
    stem = "changzhutan-action-plan.zh.tmx"
    assert omegat_run.tms == {
        f"auto/{stem}".split("/")[-1]: project.auto,
        stem: project.reference,
    } or omegat_run.tms == {stem: project.auto + project.reference}
    auto = etree.parse(str(omegat_run.project / "tm" / "auto" / stem))
    exact = {
        tu.findtext("tuv[1]/seg"): tu.findtext("tuv[2]/seg") for tu in auto.iter("tu")
    }
    assert len(exact) == project.auto >= 3
    inserted = {src: tgt for _, src, tgt in omegat_run.segments if src in exact}
    assert inserted == exact


def test_omegat_shows_forbidden_terms_as_forbidden(
    omegat_run: OmegaTRun, glossary_dir: Path
) -> None:
    from tm.terms import read_glossary

    _, entries = read_glossary(glossary_dir / "factor-markets.zh-en.yaml")
    pane = [t for texts in omegat_run.glossary.values() for t in texts]
    # the pane's own search finds terms in most of 003's 478 segments
    assert len(omegat_run.glossary) > 350
    by_term: dict[str, str] = {}
    for text in pane:
        by_term[text.split(" = ")[0]] = text
    # where the pane shows a term, it names each forbidden rendering as forbidden
    forbidden = [
        (e.zh, f"FORBIDDEN: {bad}; use: {e.en}")
        for e in entries
        if e.en and e.zh in by_term
        for bad in e.forbidden
    ]
    assert len(forbidden) >= 20
    assert [f for f in forbidden if f[1] not in by_term[f[0]]] == []
    # TBX 2008, the other term format OmegaT reads: the pane lists an entry's notes
    # beside each rendering, so each forbidden one is named there
    tbx = "\n".join(omegat_run.tbx)
    forbidden = [(e.zh, bad, e.en) for e in entries if e.en for bad in e.forbidden]
    assert len(forbidden) >= 50  # every forbidden rendering of the shipped glossary
    assert [f for f in forbidden if f"FORBIDDEN: {f[1]}; use: {f[2]}" not in tbx] == []


def test_omegat_work_comes_back_with_authors_and_dates(
    omegat_run: OmegaTRun, tmp_path: Path
) -> None:
    saved = omegat_run.project / "omegat" / "project_save.tmx"
    assert saved.exists(), omegat_run.log[-3000:]
    dates = {
        tu.findtext("tuv[1]/seg"): dict(tu.findall("tuv")[1].attrib)
        for tu in etree.parse(str(saved)).iter("tu")
    }
    by_num = {n: src for n, src, _ in omegat_run.segments}
    with TMService.open(tmp_path / "tm.db") as service:
        report = service.import_file(omegat_run.project)
        units = {u.source: u for u in service.store.iter_units()}
    assert report.format == "omegat"
    inserted = omegat_run.report.project.auto
    assert len(dates) == 3 + inserted
    assert report.added == 3
    # the exact matches OmegaT inserted and nobody changed are the TM's own, not work
    assert report.reasons == {"OmegaT inserted it from tm/auto": inserted}
    for n, author, text in WORK[:2]:
        unit = units[by_num[n]]
        assert (unit.target, unit.created_by, unit.changed_by) == (text, author, author)
        assert unit.created_at == dates[by_num[n]]["creationdate"]
    revised = units[by_num[12]]
    assert revised.target == WORK[3][2]
    assert (revised.created_by, revised.changed_by) == ("li.wei", "wang.fang")
    assert revised.changed_at == dates[by_num[12]]["changedate"]


def test_source_text_keeps_the_document_unless_a_line_splits_a_sentence(
    tmp_path: Path,
) -> None:
    from tm.formats.omegat import source_text

    items = "一、总体要求。\n1.建设中心。\n2.完善机制。\n\n扫一扫在手机打开当前页\n"
    doc = tmp_path / "items.txt"
    doc.write_text(items, "utf-8")
    assert source_text(doc, []) == ("items.txt", items)
    wrapped = tmp_path / "wrapped.txt"
    wrapped.write_text("标题\n\n深化要素市场化\n配置改革。第二句。\n尾行\n", "utf-8")
    # OmegaT would cut the first sentence at the line end: the paragraph goes on one line
    assert source_text(wrapped, []) == (
        "wrapped.txt",
        "标题\n\n深化要素市场化配置改革。第二句。尾行\n",
    )
