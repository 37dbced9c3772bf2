"""The sentence aligner, its CLI and the import pipeline, on the seed and the dev set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tm.align import (
    DEFAULT_BAND,
    REVIEW_BELOW,
    Aligner,
    LengthModel,
    align_pairs,
    align_presegmented,
    read_presegmented,
    sentence_units,
)
from tm.anchors import TermIndex, enumerator_value, paragraph_anchors
from tm.cli import _register, cli
from tm.errors import FormatError
from tm.formats.bilingual import read_bilingual
from tm.models import SegType
from tm.service import TMService
from tm.text.segment import split_en, split_zh


@pytest.fixture(scope="module")
def seed_doc(seed_path: Path):
    return read_bilingual(seed_path)


@pytest.fixture(scope="module")
def bullets(seed_doc) -> dict[int, tuple[str, str]]:
    return {p.index: (p.zh, p.en) for p in seed_doc.pairs if p.index is not None}


@pytest.fixture(scope="module")
def seed_aligner(bullets) -> Aligner:
    return Aligner(LengthModel.estimate(list(bullets.values())))


@pytest.fixture(scope="module")
def gold_path(shared_dir: Path) -> Path:
    return shared_dir / "dev" / "gold_alignment.dev.jsonl"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


def _strict_f1(gold_rows: list[dict], results) -> float:
    tp = n_pred = n_gold = 0
    for row, res in zip(gold_rows, results, strict=True):
        gold = {(tuple(z), tuple(e)) for z, e in row["links"]}
        pred = {(lk.zh, lk.en) for lk in res.links}
        tp += len(gold & pred)
        n_pred += len(pred)
        n_gold += len(gold)
    return 2 * tp / (n_pred + n_gold)


# -- quality ---------------------------------------------------------------------------


def test_dev_set_strict_f1(gold_path: Path):
    rows = [json.loads(x) for x in gold_path.read_text(encoding="utf-8").splitlines()]
    results = align_presegmented([(r["zh"], r["en"]) for r in rows])
    assert _strict_f1(rows, results) >= 0.95


def test_dev_set_with_model_from_the_seed(gold_path: Path, bullets):
    """The result must not hinge on estimating the model from the 10 gold pairs."""
    rows = [json.loads(x) for x in gold_path.read_text(encoding="utf-8").splitlines()]
    model = LengthModel.estimate(list(bullets.values()))
    results = align_presegmented([(r["zh"], r["en"]) for r in rows], model=model)
    assert _strict_f1(rows, results) >= 0.95


def test_seed_links_have_the_translators_shapes(bullets):
    """000's translator never merges or drops a Chinese sentence (dev README)."""
    results = align_pairs(list(bullets.values()))
    for res in results:
        covered_zh = [i for lk in res.links for i in lk.zh]
        covered_en = [j for lk in res.links for j in lk.en]
        assert covered_zh == list(range(len(res.zh)))
        assert covered_en == list(range(len(res.en)))
        for lk in res.links:
            assert 0.0 <= lk.confidence <= 1.0
            assert lk.review == (lk.confidence < REVIEW_BELOW)
    shapes = {(len(lk.zh), len(lk.en)) for res in results for lk in res.links}
    assert shapes <= {(1, 1), (1, 2), (1, 3)}


def test_merged_english_sentences_give_a_2_1_link(bullets, seed_aligner):
    zh, en = split_zh(bullets[60][0]), split_en(bullets[60][1])
    merged = [en[0], f"{en[1]} {en[2]}", *en[3:]]
    res = seed_aligner.align(zh, merged)
    assert ((1, 2), (1,)) in {(lk.zh, lk.en) for lk in res.links}
    assert all(len(lk.zh) == 1 for lk in res.links if lk.zh != (1, 2))


def test_untranslated_trailing_sentence_gives_a_1_0_link(bullets, seed_aligner):
    zh, en = split_zh(bullets[60][0]), split_en(bullets[60][1])
    extra = split_zh(bullets[109][0])[2]  # a sentence the English never renders
    res = seed_aligner.align([*zh, extra], en)
    assert res.links[-1].zh == (len(zh),)
    assert res.links[-1].en == ()


def test_empty_side_aligns_to_nothing(seed_aligner):
    res = seed_aligner.align(["重大事项及时请示报告。"], [])
    assert [(lk.zh, lk.en) for lk in res.links] == [((0,), ())]


# -- anchors ---------------------------------------------------------------------------


def test_enumerator_values():
    assert enumerator_value("(十五)强化新业态新领域和服务业要素保障。", "zh") == (15, 4)
    assert enumerator_value("三、有关省级人民政府要切实承担主体责任", "zh")[0] == 3
    assert enumerator_value("(15)Strengthen factor guarantees", "en")[0] == 15
    assert enumerator_value("IX.Oversight of mutual aid groups", "en")[0] == 9
    assert enumerator_value("Relevant provincial people's governments", "en") is None


def test_numbers_and_latin_tokens_are_shared_anchors(bullets):
    zh, en = split_zh(bullets[5][0]), split_en(bullets[5][1])
    anchors = paragraph_anchors(zh, en)
    # 一、↔ 1. (enumerator), 2年 ↔ 2 years, 10个 ↔ 10 regions
    assert anchors.size >= 3
    assert sum(sum(c.values()) for c in anchors.zh) == sum(
        sum(c.values()) for c in anchors.en
    )


def test_glossary_terms_are_anchors():
    terms = TermIndex(
        [("生态保护红线", ["red line of ecological protection", "ecological red line"])]
    )
    zh = [
        "(十四)构建绿色要素交易机制。",
        "在明确生态保护红线基础上,探索促进绿色要素交易。",
    ]
    en = [
        "(14) Build a green factor trading mechanism.",
        "On the basis of clarifying the red line of ecological protection, explore it.",
    ]
    assert terms.find(zh[1]) == [0]
    with_terms = paragraph_anchors(zh, en, terms)
    without = paragraph_anchors(zh, en)
    assert with_terms.size == without.size + 1


def _drop_english(al, k: int):
    """A seed paragraph with its English sentence ``k`` deleted, and the right links."""
    n = len(al.links)
    gold = {((i,), (i - (i > k),)) for i in range(n) if i != k} | {((k,), ())}
    return (list(al.zh), [s for i, s in enumerate(al.en) if i != k]), gold


def test_glossary_anchors_recover_a_dropped_sentence(bullets, glossary_dir):
    """Pair 94 loses its second English sentence; the glossary's terms place the gap."""
    from tm.terms import load_termbase

    al = align_pairs([bullets[94]])[0]
    assert len(al.links) == 4
    item, gold = _drop_english(al, 1)
    terms = load_termbase(glossary_dir).anchor_pairs()
    got = align_presegmented([item], terms=terms)[0]
    assert {(lk.zh, lk.en) for lk in got.links} == gold


def test_glossary_anchors_help_across_the_seed(bullets, glossary_dir):
    """Over every all-1-1 seed paragraph with one English sentence dropped, terms help."""
    from tm.terms import load_termbase

    items, golds = [], []
    for al in align_pairs([bullets[i] for i in sorted(bullets)]):
        if len(al.links) >= 3 and all(len(lk.zh) == len(lk.en) == 1 for lk in al.links):
            item, gold = _drop_english(al, len(al.links) // 2)
            items.append(item)
            golds.append(gold)
    terms = load_termbase(glossary_dir).anchor_pairs()

    def right(results) -> int:
        return sum(
            {(lk.zh, lk.en) for lk in res.links} == gold
            for res, gold in zip(results, golds, strict=True)
        )

    plain, anchored = (
        right(align_presegmented(items)),
        right(align_presegmented(items, terms=terms)),
    )
    assert len(items) > 50
    assert anchored > plain


def test_import_uses_the_glossary_as_anchors(seed_path, glossary_dir, tmp_path):
    from tm.terms import load_termbase

    with TMService.open(tmp_path / "tm.db", glossary=glossary_dir) as service:
        report = service.import_file(seed_path)
    assert report.anchor_terms == len(load_termbase(glossary_dir)) > 150
    assert report.sentences_added > 1000
    one = tmp_path / "one.yaml"
    one.write_text(
        "glossary: {name: one, source_lang: zh-CN, target_lang: en-US}\n"
        "entries:\n  - {zh: 福厦泉, en: Fuzhou-Xiamen-Quanzhou, forbidden: [Fuxiaquan]}\n",
        encoding="utf-8",
    )
    with TMService.open(tmp_path / "one.db", glossary=one) as service:
        report = service.import_file(seed_path)
    assert report.anchor_terms == 1


# -- linear-time banding -----------------------------------------------------------------


def test_band_keeps_work_linear_on_a_long_input(bullets, seed_aligner):
    """All seed sentences as one long text: DP cells grow with n, not n·m."""
    zh = [s for z, _ in bullets.values() for s in split_zh(z)]
    en = [s for _, e in bullets.values() for s in split_en(e)]
    half = seed_aligner.align(zh[: len(zh) // 2], en[: len(en) // 2])
    full = seed_aligner.align(zh, en)
    n, m = len(zh), len(en)
    per_row = 2 * (DEFAULT_BAND + 2) + 3
    assert full.cells <= (n + 1) * per_row
    assert full.cells < (n + 1) * (m + 1) / 10
    assert 1.8 <= full.cells / half.cells <= 2.2
    # the long alignment still finds the paragraph-wise links
    paragraph_wise = 0
    offset_z = offset_e = 0
    pairs = set()
    for z, e in bullets.values():
        res = seed_aligner.align(split_zh(z), split_en(e))
        for lk in res.links:
            pairs.add(
                (tuple(i + offset_z for i in lk.zh), tuple(j + offset_e for j in lk.en))
            )
        offset_z += len(res.zh)
        offset_e += len(res.en)
    paragraph_wise = len(pairs & {(lk.zh, lk.en) for lk in full.links})
    assert paragraph_wise / len(pairs) >= 0.9


# -- CLI ---------------------------------------------------------------------------------


def test_cli_presegmented_json(runner: CliRunner, gold_path: Path):
    result = runner.invoke(cli, ["align", "--presegmented", str(gold_path), "--json"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    gold = gold_path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(gold)
    for k, (line, gline) in enumerate(zip(lines, gold, strict=True)):
        out, row = json.loads(line), json.loads(gline)
        assert list(out) == ["pair", "zh", "en", "links", "confidence"]
        assert out["pair"] == k
        assert out["zh"] == row["zh"]
        assert out["en"] == row["en"]
        assert len(out["confidence"]) == len(out["links"])


def test_cli_align_seed_file(runner: CliRunner, seed_path: Path, bullets):
    result = runner.invoke(cli, ["align", str(seed_path), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in result.output.splitlines()]
    assert [r["pair"] for r in rows] == sorted(bullets)
    assert rows[5]["links"] == [[[0], [0, 1, 2]]]
    text = runner.invoke(cli, ["align", str(seed_path)])
    assert text.exit_code == 0
    assert "pair 332" in text.output


def test_cli_align_usage_and_bad_input(runner: CliRunner, tmp_path: Path):
    assert runner.invoke(cli, ["align"]).exit_code == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"zh": ["一。"], "en": ["One."]}\n{"zh": "一。"}\n', encoding="utf-8"
    )
    with pytest.raises(FormatError) as info:
        read_presegmented(bad)
    assert info.value.line == 2
    result = runner.invoke(cli, ["align", "--presegmented", str(bad), "--json"])
    assert result.exit_code != 0
    assert result.output == ""


# -- pipeline ----------------------------------------------------------------------------


def test_import_adds_sentence_units_with_context(seed_service, bullets, glossary_dir):
    from tm.terms import load_termbase

    service = seed_service
    stats = service.stats()
    # the import aligned with the glossary's terms as anchors: so does the reference
    anchors = load_termbase(glossary_dir).anchor_pairs()
    assert stats["by_segtype"]["paragraph"] == 305
    sentences = list(service.store.iter_units(segtype=SegType.SENTENCE))
    expected = {
        ("".join(res.zh[i] for i in lk.zh), " ".join(res.en[j] for j in lk.en))
        for res in align_pairs(
            [
                (p.source, p.target)
                for p in service.store.iter_units(segtype="paragraph")
            ],
            terms=anchors,
        )
        for lk in res.links
    }
    assert stats["by_segtype"]["sentence"] == len(sentences) == len(expected)
    assert {(u.source, u.target) for u in sentences} == expected
    by_source = {u.source: u for u in sentences}
    unit = by_source["重大事项及时请示报告。"]
    assert (
        unit.target
        == "Request instructions and report on major issues in a timely manner."
    )
    occ = unit.occurrence
    assert (occ.position, occ.sub) == (8, 1)  # bullet pair 7 is position 8
    assert occ.prev_source.startswith("三、有关省级人民政府")
    assert occ.next_source.startswith("四、国家发展改革委")
    assert occ.section


def test_sentence_units_flag_low_confidence(bullets, seed_doc):
    from tm.formats.bilingual import doc_units

    units = sentence_units(list(doc_units(seed_doc)))
    flagged = [u for u in units if ("x-align-review", "yes") in u.props]
    assert flagged
    for u in flagged:
        conf = dict(u.props)["x-align-confidence"]
        assert 0.0 <= float(conf) < REVIEW_BELOW
    unflagged = [u for u in units if u not in flagged]
    assert all("x-align-confidence" not in dict(u.props) for u in unflagged)
    # a 1-3 link becomes one unit with the English joined by spaces
    joined = [u for u in units if u.source.startswith("一、同意自即日起2年内")]
    assert joined[0].target == bullets[5][1]


def test_reimport_adds_nothing_and_no_sentences_flag(
    seed_path: Path, tmp_path: Path, runner: CliRunner
):
    db = tmp_path / "tm.db"
    with TMService.open(db) as service:
        first = service.import_file(seed_path)
        again = service.import_file(seed_path)
    assert first.sentences_added > 0
    assert again.sentences_added == 0
    assert again.added == 0
    plain = tmp_path / "plain.db"
    result = runner.invoke(
        cli, ["import", str(seed_path), "--db", str(plain), "--no-sentences", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["sentences_added"] == 0
    with TMService.open(plain) as service:
        assert "sentence" not in service.stats()["by_segtype"]


def test_paragraph_tmx_import_adds_sentences(seed_service, tmp_path: Path):
    tmx = tmp_path / "paragraphs.tmx"
    seed_service.export(tmx, segtype="paragraph")
    with TMService.open(tmp_path / "from_tmx.db") as service:
        report = service.import_file(tmx)
        stats = service.stats()["by_segtype"]
    assert stats["paragraph"] == 305
    assert report.sentences_added == stats["sentence"] > 305
