"""XLIFF in and out: only confirmed targets enter the TM; confirmed work leaves confirmed.

The peer is translate-toolkit (PyPI): it reads what we write and fills and confirms
segments the way a translator's tool does, and the import must take exactly those.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tm.formats.status import screen
from tm.formats.xliff import XliffSegment, iter_xliff, write_xliff
from tm.models import ImportReport
from tm.service import TMService

SCHEMA_12 = "specs/xliff12/xliff-core-1.2-strict.xsd"
SCHEMA_20 = "specs/xliff20/all-modules.xsd"


@pytest.fixture(scope="module")
def pretranslated(
    seed_db_master: Path, next_doc_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """003 pre-translated against the seed TM, as XLIFF 1.2 and 2.0."""
    out = tmp_path_factory.mktemp("xlf")
    paths = {"1.2": out / "cz.xlf", "2.0": out / "cz20.xlf"}
    with TMService.open(seed_db_master) as service:
        service.pretranslate(next_doc_path, paths["1.2"], fmt="xliff12")
        service.pretranslate(next_doc_path, paths["2.0"], fmt="xliff20")
    return paths


def _import(db: Path, path: Path, **kw: object) -> ImportReport:
    with TMService.open(db) as service:
        return service.import_file(path, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("version", ["1.2", "2.0"])
def test_pretranslated_xliff_validates_and_imports_nothing(
    pretranslated: dict[str, Path], seed_db: Path, shared_dir: Path, version: str
) -> None:
    path = pretranslated[version]
    schema = SCHEMA_12 if version == "1.2" else SCHEMA_20
    xsd = etree.XMLSchema(etree.parse(str(shared_dir / schema)))
    assert xsd.validate(etree.parse(str(path))), xsd.error_log.last_error
    report = _import(seed_db, path)
    assert report.read == 478
    assert (report.added, report.duplicates, report.occurrences_added) == (0, 0, 0)
    # every segment is either empty or a match only offered for review
    assert report.skipped_untranslated > 400
    assert report.skipped_unconfirmed >= 3
    assert report.skipped_untranslated + report.skipped_unconfirmed == 478


def test_translate_toolkit_reads_offered_matches_as_fuzzy(
    pretranslated: dict[str, Path],
) -> None:
    from translate.storage import factory

    store = factory.getobject(str(pretranslated["1.2"]))
    units = [u for u in store.units if not u.isheader()]
    offered = [u for u in units if u.target]
    assert len(units) == 478
    assert offered, "the seed TM offers some matches for 003"
    assert all(u.isfuzzy() and not u.isapproved() for u in offered)
    assert not any(u.istranslated() for u in units)


def test_filled_by_translate_toolkit_imports_exactly_the_confirmed(
    pretranslated: dict[str, Path], seed_db: Path, tmp_path: Path
) -> None:
    from translate.storage import factory

    store = factory.getobject(str(pretranslated["1.2"]))
    empty = [u for u in store.units if not u.isheader() and not u.target]
    confirmed, fuzzy, copied = empty[:12], empty[12:17], empty[17:20]
    for i, unit in enumerate(confirmed):
        unit.target = f"Confirmed translation {i}."
        unit.markfuzzy(False)  # approved="yes", state translated
    for i, unit in enumerate(fuzzy):
        unit.target = f"Draft translation {i}."
        unit.markfuzzy(True)
    for unit in copied:  # "copy source to target", never confirmed as work
        unit.target = unit.source
        unit.markfuzzy(False)
    filled = tmp_path / "filled.xlf"
    store.savefile(str(filled))

    report = _import(seed_db, filled)
    assert report.added == 12
    assert report.skipped_unconfirmed >= 5 + 3  # ours offered 3+, the 5 drafts
    assert report.reasons["target copies the source"] == 3
    with TMService.open(seed_db) as service:
        targets = {u.target for u in service.store.iter_units()}
    assert {f"Confirmed translation {i}." for i in range(12)} <= targets
    assert not any(t.startswith("Draft translation") for t in targets)


def test_unconfirmed_units_are_marked_penalised_and_confirmed_later(
    seed_db: Path, tmp_path: Path
) -> None:
    source = "长株潭三市共建要素市场化配置改革联合实验区。"
    draft = tmp_path / "draft.xlf"
    write_xliff(
        [XliffSegment(id="1", source=source, target="A joint zone.", quality=80)],
        draft,
    )
    report = _import(seed_db, draft, include_unconfirmed=True)
    assert (report.added, report.unconfirmed_taken) == (1, 1)
    with TMService.open(seed_db) as service:
        (match,) = service.lookup(source, limit=1)
    assert match.score == 95.0
    assert match.kind == "exact"
    assert [p.reason for p in match.penalties] == ["unconfirmed"]
    assert "needs-review-translation" in match.penalties[0].detail

    final = tmp_path / "final.xlf"
    write_xliff(
        [XliffSegment(id="1", source=source, target="A joint zone.", confirmed=True)],
        final,
    )
    report = _import(seed_db, final)
    assert (report.added, report.confirmed_existing) == (0, 1)
    with TMService.open(seed_db) as service:
        (match,) = service.lookup(source, limit=1)
    assert (match.score, match.penalties) == (100.0, ())


XLIFF12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
 <file original="d.txt" source-language="zh-CN" target-language="en-US" datatype="plaintext">
  <body>
   <trans-unit id="1"><source>一</source><target state="translated">One</target></trans-unit>
   <trans-unit id="2"><source>二</source><target state="signed-off">Two</target></trans-unit>
   <trans-unit id="3"><source>三</source><target state="final">Three</target></trans-unit>
   <trans-unit id="4" approved="yes"><source>四</source><target>Four</target></trans-unit>
   <trans-unit id="5"><source>五</source><target state="new">Five</target></trans-unit>
   <trans-unit id="6"><source>六</source><target state="needs-translation"></target></trans-unit>
   <trans-unit id="7"><source>七</source><target state="needs-review-translation" state-qualifier="fuzzy-match">Seven</target></trans-unit>
   <trans-unit id="8"><source>八</source><target>Eight</target></trans-unit>
   <trans-unit id="9" approved="no"><source>九</source><target state="translated">Nine</target></trans-unit>
   <trans-unit id="10" translate="no"><source>十</source><target state="translated">Ten</target></trans-unit>
   <trans-unit id="11"><source>十一</source><target state="translated">十一</target></trans-unit>
   <trans-unit id="12"><source>2025</source><target state="translated">2025</target></trans-unit>
   <trans-unit id="13"><source>十三</source></trans-unit>
   <trans-unit id="14"><source>十四</source><target state="needs-adaptation">Fourteen</target></trans-unit>
  </body>
 </file>
</xliff>
"""

XLIFF20 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="zh-CN" trgLang="en-US">
 <file id="f1">
  <unit id="u1"><segment state="translated"><source>一</source><target>One</target></segment></unit>
  <unit id="u2"><segment state="reviewed"><source>二</source><target>Two</target></segment></unit>
  <unit id="u3"><segment state="final"><source>三</source><target>Three</target></segment></unit>
  <unit id="u4"><segment state="initial"><source>四</source><target>Four</target></segment></unit>
  <unit id="u5"><segment><source>五</source><target>Five</target></segment></unit>
  <unit id="u6"><segment><source>六</source></segment></unit>
  <unit id="u7" translate="no"><segment state="final"><source>七</source><target>Seven</target></segment></unit>
 </file>
</xliff>
"""


def _screened(path: Path, **kw: bool) -> tuple[list[str], ImportReport]:
    report = ImportReport(path=str(path), format="xliff")
    kept = [u.target for u in screen(iter_xliff(path), report, **kw)]
    return kept, report


def test_xliff12_states(tmp_path: Path) -> None:
    path = tmp_path / "s.xlf"
    path.write_text(XLIFF12, "utf-8")
    kept, report = _screened(path)
    assert kept == ["One", "Two", "Three", "Four", "2025"]
    assert report.skipped_untranslated == 5  # new, needs-translation, no, copy, none
    assert report.skipped_unconfirmed == 4  # review, no state, approved=no, adaptation
    assert report.reasons["XLIFF target without state"] == 1
    assert report.reasons["XLIFF approved=no"] == 1
    taken, report = _screened(path, include_unconfirmed=True)
    assert taken == [*kept[:4], "Seven", "Eight", "Nine", "2025", "Fourteen"]
    assert report.unconfirmed_taken == 4


def test_xliff20_states(tmp_path: Path) -> None:
    path = tmp_path / "s.xlf"
    path.write_text(XLIFF20, "utf-8")
    kept, report = _screened(path)
    assert kept == ["One", "Two", "Three"]
    assert (report.skipped_unconfirmed, report.skipped_untranslated) == (2, 2)
    assert report.reasons == {
        "XLIFF state initial": 2,
        "no target": 1,
        "not for translation": 1,
    }


def test_confirmed_segments_leave_confirmed(tmp_path: Path) -> None:
    """A document whose segments were confirmed: translate-toolkit reads them approved."""
    from translate.storage import factory

    segments = ["附件1", "附件2", "附件3"]
    for version, fmt in (("1.2", "xlf"), ("2.0", "xlf")):
        out = tmp_path / f"doc{version}.{fmt}"
        with TMService.open(":memory:") as service:
            if version == "1.2":
                service.export_document_xliff(
                    segments, {0: "Annex 1", 2: "Annex 3"}, out, original="d.txt"
                )
            else:
                write_xliff(
                    [
                        XliffSegment("1", "附件1", "Annex 1", confirmed=True),
                        XliffSegment("2", "附件2", "Annex 2", signed_off=True),
                        XliffSegment("3", "附件3", "Annex 3", quality=99),
                    ],
                    out,
                    version="2.0",
                )
            report = service.import_file(out)
        if version == "1.2":
            store = factory.getobject(str(out))
            units = [u for u in store.units if not u.isheader()]
            assert [u.isapproved() for u in units] == [True, False, True]
            assert [u.istranslated() for u in units] == [True, False, True]
            assert not any(u.isfuzzy() for u in units)
            assert (report.added, report.skipped_untranslated) == (2, 1)
        else:
            assert (report.added, report.skipped_unconfirmed) == (2, 1)


def test_confirming_a_lower_status_unit_on_each_backend(
    store_url: str, tmp_path: Path
) -> None:
    draft, final = tmp_path / "draft.xlf", tmp_path / "final.xlf"
    segs = [("1", "数据要素_市场%化。", "A data market."), ("2", "附件1", "Annex 1")]
    write_xliff([XliffSegment(i, s, t, quality=90) for i, s, t in segs], draft)
    write_xliff([XliffSegment(i, s, t, confirmed=True) for i, s, t in segs[:1]], final)
    with TMService.open(store_url) as service:
        assert service.import_file(draft, include_unconfirmed=True).added == 2
        assert len(service.store.ids_with_prop("x-tm-status", "unconfirmed")) == 2
        report = service.import_file(final)
        assert (report.added, report.confirmed_existing) == (0, 1)
        held = {u.source: u.unconfirmed for u in service.store.iter_units()}
    assert held == {"数据要素_市场%化。": False, "附件1": True}


def test_qa_of_an_xliff_checks_drafts_and_empty_targets(tmp_path: Path) -> None:
    path = tmp_path / "s.xlf"
    path.write_text(XLIFF12, "utf-8")
    report = TMService.qa_file(path, checks=["empty-target"])
    flagged = {f.source for f in report.findings}
    assert {"六", "十三"} <= flagged  # empty and missing targets, never imported
