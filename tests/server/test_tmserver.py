"""Weblate's tmserver machinery against a real ``tm serve``, on SQLite and PostgreSQL.

The client (``weblate_client``) replays Weblate 5.14's requests and response
parsing; ``test_weblate_class`` drives Weblate's own class when Weblate is installed.
Every answer is compared with what the same TM gives in process (``tm lookup``).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.conftest import Server, get
from tests.server.weblate_client import WeblateTMServer
from tm.service import TMService


@pytest.fixture(scope="module")
def in_process(module_tm: str) -> Iterator[TMService]:
    with TMService.open(module_tm, create=False) as service:
        yield service


@pytest.fixture(scope="module")
def sentences(in_process: TMService) -> list[tuple[str, str]]:
    """Sentence units of the shipped TM, a fixed sample of them."""
    units = [
        (u.source, u.target)
        for u in in_process.store.iter_units(segtype="sentence")
        if len(u.source) >= 12
    ]
    return random.Random(18).sample(units, 12)


def weblate(server: Server) -> WeblateTMServer:
    return WeblateTMServer(server.url + "/tmserver/")


def test_weblate_accepts_the_url(module_server: Server) -> None:
    """Weblate's settings form fetches the languages and looks up en → de "test"."""
    client = weblate(module_server)
    client.validate_settings()
    assert ("zh", "en") in client.supported_pairs()


@pytest.mark.parametrize(
    ("project", "expected"),
    [
        (("zh_Hans", "en"), ("zh", "en")),
        (("zh_Hant", "en_GB"), ("zh", "en")),
        (("zh_CN", "en_US"), ("zh_cn", "en_us")),
        (("de", "en"), None),
    ],
)
def test_weblate_picks_a_pair(
    module_server: Server,
    project: tuple[str, str],
    expected: tuple[str, str] | None,
) -> None:
    assert weblate(module_server).pick_pair(*project) == expected


def test_exact_matches_as_tm_lookup_gives_them(
    module_server: Server,
    sentences: list[tuple[str, str]],
    in_process: TMService,
) -> None:
    client = weblate(module_server)
    for source, target in sentences:
        got = client.download_translations("zh", "en", source)
        local = in_process.lookup(source, min_score=75, limit=5)
        assert [(g["source"], g["text"], g["quality"]) for g in got] == [
            (m.source, m.target, int(m.score)) for m in local
        ]
        assert (source, target, 100) in [
            (g["source"], g["text"], g["quality"]) for g in got
        ]


def test_fuzzy_matches_and_threshold(
    module_server: Server,
    sentences: list[tuple[str, str]],
    in_process: TMService,
) -> None:
    client = weblate(module_server)
    for source, target in sentences:
        edited = source[:3] + source[4:]  # a character dropped near the start
        suggestions = client.download_translations("zh_cn", "en_us", edited)
        search = client.download_translations("zh", "en", edited, threshold=10)
        local = in_process.lookup(edited, min_score=70, limit=5)
        assert [s["text"] for s in search] == [m.target for m in local]
        assert all(s["quality"] >= 75 for s in suggestions)
        assert target in [s["text"] for s in search]
        assert all(s["quality"] < 100 for s in search if s["source"] == source)


def test_amagama_query_parameters(
    module_server: Server, sentences: list[tuple[str, str]]
) -> None:
    source = sentences[0][0]
    base = module_server.url + "/tmserver/zh/en/unit/"
    from urllib.parse import quote

    status, one = get(base + quote(source, safe="") + "?max_candidates=1")
    assert status == 200
    assert len(one) == 1
    assert set(one[0]) == {"source", "target", "quality", "rank"}
    status, strict = get(base + quote(source[:-2], safe="") + "?min_similarity=100")
    assert status == 200
    assert all(item["quality"] >= 100 for item in strict)
    status, by_arg = get(base + "?source=" + quote(source, safe=""))
    assert status == 200
    assert by_arg[0]["source"] == source


def test_slashes_percent_and_carriage_returns(
    module_server: Server,
    sentences: list[tuple[str, str]],
    in_process: TMService,
) -> None:
    """Weblate encodes ``/`` as %2F and sends ``\\r`` as a space."""
    client = weblate(module_server)
    for source, _ in sentences[:4]:
        for odd, sent in (
            (source[:5] + "/" + source[5:] + "%?#", None),
            (source[:6] + "\r\n" + source[6:], source[:6] + " \n" + source[6:]),
            ("/" + source + "/", None),
        ):
            got = client.download_translations("zh", "en", odd, threshold=0)
            local = in_process.lookup(sent or odd, min_score=70, limit=5)
            assert [(g["source"], g["quality"]) for g in got] == [
                (m.source, int(m.score)) for m in local
            ]
            assert source in [g["source"] for g in got]


def test_long_text_is_cut_as_weblate_cuts_it(
    module_server: Server, sentences: list[tuple[str, str]]
) -> None:
    text = "".join(s for s, _ in sentences) * 3
    assert len(text) > 500
    got = weblate(module_server).download_translations("zh", "en", text, threshold=0)
    assert isinstance(got, list)


def test_pair_the_tm_lacks_is_an_empty_list(module_server: Server) -> None:
    """Not amaGama's 404: Weblate would refuse the URL (see tm.server.tmserver)."""
    assert weblate(module_server).download_translations("en", "de", "test") == []
    status, body = get(module_server.url + "/tmserver/fr/de/unit/bonjour")
    assert (status, body) == (200, [])


def test_weblates_own_class_agrees(
    module_server: Server, sentences: list[tuple[str, str]], tmp_path: Path
) -> None:
    """Weblate 5.14's TMServerTranslation itself, run by a Python that has Weblate
    (TM_TEST_WEBLATE_PYTHON; README: "Weblate"), answers as the replay does."""
    python = os.environ.get("TM_TEST_WEBLATE_PYTHON")
    if not python:
        pytest.skip("TM_TEST_WEBLATE_PYTHON is not set (no Weblate 5.14 installed)")
    texts = [s for s, _ in sentences[:4]] + [sentences[4][0][2:], "第3/4季度\r\n完成率"]
    projects = [
        ["zh_Hans", "en"],
        ["zh_Hant", "en_GB"],
        ["zh_CN", "en_US"],
        ["de", "en"],
    ]
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"projects": projects, "texts": texts}), "utf-8")
    url = module_server.url + "/tmserver/"
    out = subprocess.run(
        [python, str(Path(__file__).with_name("weblate_peer.py")), url, str(request)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    peer = json.loads(out.stdout)
    replay = weblate(module_server)
    assert [tuple(p) for p in peer["supported"]] == sorted(replay.supported_pairs())
    assert [tuple(p) if p else None for p in peer["pairs"]] == [
        replay.pick_pair(*p) for p in projects
    ]
    for text, found in zip(texts, peer["translations"], strict=True):
        assert found == replay.download_translations("zh", "en", text)
    source, target = sentences[0]
    assert {
        "text": target,
        "quality": 100,
        "service": "tmserver",
        "source": source,
    } in (peer["translations"][0])
