"""Checks on real pairs of ../shared/corpora that the corpus precision rounds judged
(benchmarks/qa_judged_corpus.yaml): each test holds the pair as the corpus has it, and
the finding a reviewer judged false is gone while the true ones stay."""

from __future__ import annotations

from tm.models import TranslationUnit
from tm.qa import run_checks


def _found(units: list[TranslationUnit], check: str) -> list[str]:
    report = run_checks(units, checks=[check])
    return [f"{f.severity.value}: {f.message}" for f in report.findings]


def _unit(zh: str, en: str, i: int = 1) -> TranslationUnit:
    return TranslationUnit(zh, en, id=i)


def test_a_measure_converted_to_the_other_system_is_its_number() -> None:
    hot = _unit(
        "由于苏珊维尔地区日间气温超 32.2 摄氏度，部分地块存在阴燃风险。",
        "In the daytime heat, with temperatures above 90 degrees in the Susanville "
        "area, smoldering patches were at risk of flaring up.",
    )
    land = _unit(
        "苏珊维尔西部爆发的 “Hog” 山火已烧毁两栋建筑和约 4,047 公顷土地。",
        "West of Susanville, a smaller fire known as the Hog fire has destroyed two "
        "structures and consumed about 10,000 acres.",
    )
    assert _found([hot], "numbers") == []
    assert _found([land], "numbers") == []
    wrong = _unit(land.source, land.target.replace("10,000", "20,000"))
    assert _found([wrong], "numbers")  # a conversion that does not hold is reported


def test_ordinals_roman_labels_decades_and_percent_points() -> None:
    level = _unit("十二、第十二等級：一百五十日。", "XII. Twelfth Level: 150 days")
    decade = _unit(
        "这位出生于上世纪40年代的话剧导演，是业界德高望重的老前辈。",
        "This director of plays, who was born in the 1940s, is a highly respected "
        "elder in the performing arts circle.",
    )
    points = _unit(
        "依被保險人之保險年資合計每滿一年，按其月投保金額發給百分之一點三之月給付金額半數。",
        "a monthly payment is half of payments of 1.3% of the monthly insured for "
        "every insurance year of the insured person.",
    )
    label = _unit(
        "2) 使用 eBay 选项退货。", "2) Use the eBay option to return an item."
    )
    for u in (level, decade, points, label):
        assert _found([u], "numbers") == [], u.source
    year = _unit(
        "2015年，全球空气污染致死案例中约有25%发生在印度。",
        "In 2005, approximately 25% of deaths resulting from global air pollution "
        "occurred in India.",
    )
    assert _found([year], "numbers")  # a wrong year is still an error


def test_a_sentence_split_over_two_units_is_not_truncated() -> None:
    said = [
        _unit(
            "普京欢迎李克强来俄出席上海合作组织成员国总理会议。",
            "Putin welcomed Li Keqiang to Russia to attend the Prime Ministerial "
            "Meeting of SCO Member Countries.",
            1,
        ),
        _unit("他表示", "He expressed that", 2),
        _unit(
            "当前俄中贸易增长势头良好。",
            "at present, the trade between Russia and China has enjoyed good "
            "growth momentum.",
            3,
        ),
    ]
    assert _found(said, "truncated") == []
    # The same first unit without the continuation: its English is cut.
    assert _found(said[:2], "truncated")


def test_a_headline_credit_is_a_source_piece() -> None:
    news = _unit(
        "小学生做错题被老师体罚 涉事学校取消年度评优资格-中新网",
        "An elementary school student was physically punished by a teacher for "
        "making errors when doing exercises. The involved school was disqualified "
        "from taking part in the annual assessment to appraise and select the most "
        "outstanding ones. -- ECNS",
    )
    assert _found([news], "stray-tail") == []


def test_an_inch_mark_is_no_quote_and_a_running_quote_is_info() -> None:
    height = _unit(
        "都达到了她用铅笔写成的遗传单倍群信息的高度 (5.2 英尺，曼宁的身高) 。",
        "down to the height (5\"2, Manning's stature) at which her genetic "
        "haplogroups were written in pencil.",
    )
    assert _found([height], "brackets") == []
    running = _unit(
        "我们原本计划了多项庆祝活动来纪念这一时刻，但目前不得不推迟。",
        '"We had planned a number of celebrations to mark the occasion, but '
        "unfortunately they have had to be postponed.",
    )
    assert [m.split(":")[0] for m in _found([running], "brackets")] == ["info"]
    left_open = _unit(
        "召集人Jenny Marra说：“苏格兰的犬只法规达不到它的目的。”",
        'Convener Jenny Marra said: "Dog law in Scotland is not fit for purpose. '
        "There are still far too many dog attacks.",
    )
    assert [m.split(":")[0] for m in _found([left_open], "brackets")] == ["warning"]
