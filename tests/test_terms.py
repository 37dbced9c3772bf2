"""Term base: schema errors, recognition on seed text, inflection, edits and round trips."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from tm.errors import FormatError, NotFound, TMError
from tm.formats.bilingual import read_bilingual
from tm.terms import (
    HitKind,
    TermBase,
    TermEntry,
    dump_glossary,
    load_termbase,
    read_glossary,
)
from tm.terms.english import stem
from tm.terms.glossary import parse_glossary

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def mini(data_dir: Path) -> TermBase:
    return load_termbase(data_dir / "glossary")


@pytest.fixture(scope="module")
def seed_pairs(seed_path: Path) -> list:
    return read_bilingual(seed_path).pairs


def _pair_with(pairs: list, zh: str):
    return next(p for p in pairs if zh in p.zh)


# -- schema ----------------------------------------------------------------------------

HEADER = "glossary:\n  name: t\nentries:\n"


@pytest.mark.parametrize(
    ("body", "line", "field"),
    [
        ("- zh: 地价\n  en: land price\n  varients: [x]\n", 6, "varients"),
        ("- zh: 地价\n  en: land price\n- en: no zh\n", 6, "zh"),
        ("- zh: 地价\n\n  status: approved\n", 4, "en"),
        ("- zh: 地价\n  en: land price\n  status: done\n", 6, "status"),
        ("- zh: 地价\n  en: land price\n  variants: {a: 1}\n", 6, "variants"),
        ("- zh: 地价\n  en: land price\n  seen: {'000': many}\n", 6, "seen"),
        ("- zh: 地价\n  en: [land price]\n", 5, "en"),
    ],
)
def test_schema_error_names_file_line_and_field(
    tmp_path: Path, body: str, line: int, field: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(FormatError) as err:
        load_termbase(path)
    assert err.value.path == str(path)
    assert err.value.line == line
    assert repr(field) in err.value.detail
    assert str(err.value).startswith(f"{path}:{line}:")


def test_invalid_yaml_gives_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(HEADER + "- zh: 地价\n  en: [unclosed\n", encoding="utf-8")
    with pytest.raises(FormatError) as err:
        load_termbase(path)
    assert err.value.line is not None
    assert err.value.line >= 5


def test_missing_glossary_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        load_termbase(tmp_path / "nope")


def test_proposed_entry_may_lack_english(mini: TermBase) -> None:
    (entry,) = mini.lookup("攻坚")
    assert entry.en == ""
    assert entry.status == "proposed"


def test_entry_remembers_file_and_line(mini: TermBase, data_dir: Path) -> None:
    (entry,) = mini.lookup("标定地价")
    assert entry.source is not None
    assert entry.source.path.endswith("mini.zh-en.yaml")
    lines = (data_dir / "glossary" / "mini.zh-en.yaml").read_text("utf-8").splitlines()
    assert lines[entry.source.line - 1].strip() == "- zh: 标定地价"
    assert dict(entry.seen) == {"000": 1, "003": 2}


def test_unquoted_document_ids_are_read_as_three_digits() -> None:
    _, (entry,) = parse_glossary(
        HEADER + "- zh: 地价\n  en: x\n  seen: {003: 4}\n", "t"
    )
    assert entry.seen == (("003", 4),)


# -- recognition -----------------------------------------------------------------------


def test_find_on_seed_sentence(mini: TermBase, seed_pairs: list) -> None:
    pair = _pair_with(seed_pairs, "标定地价")
    hits = mini.find(pair.zh)
    found = [(h.text, h.entry.en) for h in hits]
    assert ("基准地价", "benchmark land price") in found
    assert ("标定地价", "standard land price") in found
    # the longer terms win: 地价 is not reported inside 基准地价 or 标定地价
    assert all(h.text != "地价" for h in hits)
    for h in hits:
        assert pair.zh[h.start : h.end] == h.text


def test_english_side_of_the_same_seed_pair(mini: TermBase, seed_pairs: list) -> None:
    pair = _pair_with(seed_pairs, "标定地价")
    (entry,) = mini.lookup("标定地价")
    (hit,) = mini.renderings_in(entry, pair.en)
    assert hit.kind == HitKind.FORBIDDEN
    assert hit.text == "marked land prices"  # plural folded onto the rendering
    assert pair.en[hit.start : hit.end] == hit.text


def test_forbidden_rendering_found_for_enterprises(
    mini: TermBase, seed_pairs: list
) -> None:
    pair = _pair_with(seed_pairs, "规上企业")
    kinds = {(h.entry.zh, h.kind) for h in mini.find(pair.en, "en")}
    assert ("规上企业", HitKind.FORBIDDEN) in kinds


def test_longest_match_first_not_leftmost() -> None:
    tb = TermBase(
        [
            TermEntry("市场化", "market-based"),
            TermEntry("化配置", "x"),
            TermEntry("要素市场化配置", "y"),
        ]
    )
    hits = tb.find("推进要素市场化配置改革")
    assert [h.text for h in hits] == ["要素市场化配置"]
    hits = tb.find("市场化配置")  # overlap of equal length: leftmost wins
    assert [h.text for h in hits] == ["市场化"]


def test_find_maps_positions_through_normalization() -> None:
    tb = TermBase(
        [TermEntry("5G基站", "5G base station"), TermEntry("（2025）", "(2025)")]
    )
    text = "建设５Ｇ 基站和(2025)号"
    hits = tb.find(text)
    assert [h.text for h in hits] == ["５Ｇ 基站", "(2025)"]
    assert [text[h.start : h.end] for h in hits] == [h.text for h in hits]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("prices", "price"),
        ("policies", "policy"),
        ("Taxes", "tax"),
        ("businesses", "business"),
        ("process", "process"),
        ("status", "status"),
        ("gas", "gas"),
        ("analysis", "analysis"),
    ],
)
def test_plural_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_english_inflection_and_word_boundary() -> None:
    tb = TermBase([TermEntry("政策", "policy"), TermEntry("地价", "land price")])
    text = "Land prices and policies, not landprice or apolicy."
    hits = tb.find(text, "en")
    assert [h.text for h in hits] == ["Land prices", "policies"]


def test_status_filter(mini: TermBase) -> None:
    text = "培育数据要素市场，攻坚克难"
    assert {h.entry.zh for h in mini.find(text)} == {"数据要素", "攻坚"}
    assert mini.find(text, statuses=["approved"]) == []


# -- edits and writing -----------------------------------------------------------------


def test_yaml_round_trip_keeps_every_field(mini: TermBase, data_dir: Path) -> None:
    path = data_dir / "glossary" / "mini.zh-en.yaml"
    header, entries = read_glossary(path)
    header2, entries2 = parse_glossary(dump_glossary(header, entries), "again")
    assert header2 == header
    assert entries2 == entries


def test_add_edit_save_reload(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(
        (data_dir / "glossary" / "mini.zh-en.yaml").read_text("utf-8"), "utf-8"
    )
    tb = load_termbase(path)
    tb.add(TermEntry("新质生产力", "new quality productive forces", status="proposed"))
    with pytest.raises(TMError):
        tb.add(TermEntry("新质生产力", "new quality productive forces"))
    (entry,) = tb.lookup("长株潭")
    tb.update(entry, variants=(*entry.variants, "Chang-Zhu-Tan"))
    tb.save()
    text = path.read_text("utf-8")
    assert text.index("长株潭") < text.index("新质生产力")  # order kept, new at end
    again = load_termbase(path)
    assert [e.zh for e in again] == [e.zh for e in tb]
    assert again.lookup("长株潭")[0].variants[-1] == "Chang-Zhu-Tan"
    assert [replace(e, source=None) for e in again] == list(tb)
    # a second save of an unchanged base writes the same bytes
    again.save()
    assert path.read_text("utf-8") == text


def test_directory_loads_every_yaml(tmp_path: Path, data_dir: Path) -> None:
    src = (data_dir / "glossary" / "mini.zh-en.yaml").read_text("utf-8")
    (tmp_path / "a.yaml").write_text(src, "utf-8")
    (tmp_path / "b.yml").write_text(
        HEADER + "- zh: 新质生产力\n  en: new quality productive forces\n", "utf-8"
    )
    (tmp_path / "notes.txt").write_text("not a glossary", "utf-8")
    tb = load_termbase(tmp_path)
    assert len(tb) == 10
    assert len(tb.headers) == 2


def test_term_core_imports_no_shell_libraries() -> None:
    """Layering: the term base and its formats never pull in click, rich or textual."""
    import subprocess
    import sys

    code = (
        "import sys, tm.terms, tm.terms.extract, tm.formats.tbx, tm.formats.glossary_table;"
        "print(sorted(m for m in ('click', 'rich', 'textual') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_empty_termbase_and_other_formats(tmp_path: Path, mini: TermBase) -> None:
    from tm.formats.tbx import write_tbx

    assert TermBase().find("长株潭") == []
    assert TermBase().find("land price", "en") == []
    write_tbx(mini, tmp_path / "g.tbx", dialect="2008")
    from_tbx = load_termbase(tmp_path / "g.tbx")  # one file of another kind
    assert [e.zh for e in from_tbx] == [e.zh for e in mini]
    assert from_tbx.find("长株潭三市")[0].entry.en == "Changsha-Zhuzhou-Xiangtan"


@pytest.mark.parametrize(
    "glossary",
    [
        ROOT / "glossary" / "factor-markets.zh-en.yaml",
        ROOT / "tests" / "data" / "glossary" / "mini.zh-en.yaml",
    ],
    ids=lambda p: p.name,
)
def test_libyaml_and_the_python_parser_read_a_glossary_alike(
    glossary: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = glossary.read_text(encoding="utf-8")
    fast = parse_glossary(text, str(glossary))
    monkeypatch.delattr(yaml, "CSafeLoader")  # as where PyYAML has no libyaml
    assert parse_glossary(text, str(glossary)) == fast
    assert len(fast[1]) > 3


def test_a_glossary_libyaml_refuses_is_reported_by_the_python_parser() -> None:
    # libyaml stops at a nesting depth of 1,000, the Python parser sooner: the
    # message and the line are the Python parser's either way.
    text = "entries:\n  - zh: 数据\n    en: " + "[" * 2000 + "]" * 2000 + "\n"
    with pytest.raises(FormatError) as caught:
        parse_glossary(text, "deep.yaml")
    assert caught.value.line == 3
