"""Pre-translation's choice of match: repaired English with a note, never a flagged unit."""

from __future__ import annotations

from pathlib import Path

from tm.formats.xliff import iter_xliff
from tm.service import TMService


def test_repaired_english_goes_in_and_a_flagged_unit_does_not(
    seed_service: TMService, tmp_path: Path
) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text(
        "推动科技成果高效转化应用\n\n长株潭要素市场化配置综合改革试点实施方案\n",
        encoding="utf-8",
    )
    out = tmp_path / "doc.xlf"
    seed_service.pretranslate(doc, out, fmt="xliff12")
    units = {u.source: u for u in iter_xliff(out)}
    # (二)推动科技成果高效转化应用。 is in the TM: its English without "(2) " and ".".
    first = units["推动科技成果高效转化应用"]
    assert first.target == (
        "Promote the efficient transformation and application of scientific and"
        " technological achievements"
    )
    text = out.read_text(encoding="utf-8")
    assert "repaired from TM match" in text
    # The exact match for the title has a truncated English ("… Zhuzhou and"): the
    # clean 7.长株潭… goes in, repaired, and a note says why the exact one did not.
    title = units["长株潭要素市场化配置综合改革试点实施方案"]
    assert title.target.endswith("Changsha, Zhuzhou and Xiangtan")
    assert not title.target.startswith("7.")
    assert "not inserted: the target ends on 'and'" in text
