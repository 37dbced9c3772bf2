"""The native API (/api/v1) of a real ``tm serve``: answers as the CLI's --json
gives them, context matches, concordance, terms, statistics, writes, the OpenAPI page."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.server.conftest import (
    ROOT,
    SHIPPED_TMX,
    TOKEN,
    Server,
    get,
    import_shipped,
    post_json,
    request,
)
from tm.service import TMService

GLOSSARY = ROOT / "glossary"


def cli_json(*args: str, cwd: Path | None = None) -> Any:
    out = subprocess.run(
        [sys.executable, "-m", "tm", *args, "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        env={"TM_GLOSSARY": str(GLOSSARY), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(out.stdout)


@pytest.fixture
def sqlite_tm(tmp_path: Path) -> str:
    url = str(tmp_path / "tm.db")
    import_shipped(url)
    return url


def paragraphs(db: str, n: int) -> list[str]:
    with TMService.open(db, create=False) as service:
        units = list(service.store.iter_units(segtype="paragraph"))
    return [u.source for u in units if len(u.source) > 20][:n]


def test_lookup_batch_is_tm_lookup_json(module_server: Server, module_tm: str) -> None:
    texts = paragraphs(module_tm, 3)
    queries = [{"text": t[:-3]} for t in texts] + [{"text": "完全无关的句子内容"}]
    status, body = post_json(module_server.url + "/api/v1/lookup", {"queries": queries})
    assert status == 200
    assert [r["text"] for r in body["results"]] == [q["text"] for q in queries]
    for q, result in zip(queries, body["results"], strict=True):
        assert result["matches"] == cli_json("lookup", q["text"], "--db", module_tm)
    assert body["results"][0]["matches"][0]["source"] == texts[0]


def test_lookup_batch_without_details(module_server: Server, module_tm: str) -> None:
    """``details: false``: the same matches and scores, repair and diff left out."""
    texts = [t[:-3] for t in paragraphs(module_tm, 6)] + ["", "完全无关的句子内容"]
    queries = [{"text": t} for t in texts]
    url = module_server.url + "/api/v1/lookup"
    _, full = post_json(url, {"queries": queries})
    status, bare = post_json(url, {"queries": queries, "details": False})
    assert status == 200

    def shown(body: dict) -> list[list[tuple]]:  # type: ignore[type-arg]
        return [
            [(m["id"], m["source"], m["target"], m["score"]) for m in r["matches"]]
            for r in body["results"]
        ]

    assert shown(bare) == shown(full)
    assert any(m["diff"] for r in full["results"] for m in r["matches"])
    assert not any(
        m["diff"] or m["repaired_target"] for r in bare["results"] for m in r["matches"]
    )


def test_concurrent_clients_get_the_serial_answers(
    module_server: Server, module_tm: str
) -> None:
    """16 clients at once (more than the worker's 8 threads) get what one gets alone."""
    with TMService.open(module_tm, create=False) as service:
        units = list(service.store.iter_units(segtype="sentence"))[::40]
    texts = [u.source[:-2] for u in units][:24]

    def ask(text: str) -> Any:
        status, body = post_json(
            module_server.url + "/api/v1/lookup", {"queries": [{"text": text}]}
        )
        assert status == 200
        return body["results"][0]["matches"]

    serial = [ask(t) for t in texts]
    assert sum(1 for s in serial if s) >= 20
    with ThreadPoolExecutor(16) as pool:
        assert list(pool.map(ask, texts * 4)) == serial * 4


def test_context_match_needs_prev_and_next(
    module_server: Server, module_tm: str
) -> None:
    """A segment met again between the same neighbours is 101; other neighbours, 100."""
    units = "/api/v1/lookup"
    with TMService.open(module_tm, create=False) as service:
        unit = next(
            u
            for u in service.store.iter_units(segtype="sentence")
            if u.occurrence and u.occurrence.prev_source and u.occurrence.next_source
        )
    occ = unit.occurrence
    assert occ is not None
    query = {"text": unit.source, "prev": occ.prev_source, "next": occ.next_source}
    status, body = post_json(module_server.url + units, {"queries": [query]})
    assert status == 200
    best = body["results"][0]["matches"][0]
    assert (best["score"], best["kind"], best["source"]) == (
        101.0,
        "context",
        unit.source,
    )
    other = dict(query, next="第三段完全不同的内容。")
    _, body = post_json(module_server.url + units, {"queries": [other]})
    best = body["results"][0]["matches"][0]
    assert (best["score"], best["kind"]) == (100.0, "exact")
    only_prev = {"text": unit.source, "prev": occ.prev_source}
    _, body = post_json(module_server.url + units, {"queries": [only_prev]})
    assert body["results"][0]["matches"][0]["score"] == 101.0


def test_concordance_and_terms_are_the_cli_json(
    module_server: Server, module_tm: str
) -> None:
    status, body = get(module_server.url + "/api/v1/concordance?q=" + quote("要素市场"))
    assert status == 200
    assert body["hits"] == cli_json("concordance", "要素市场", "--db", module_tm)
    text = "健全城乡基准地价、标定地价的制定与发布制度"
    status, body = post_json(module_server.url + "/api/v1/terms/find", {"text": text})
    assert status == 200
    # the same working directory: a term's file is shown relative to it
    assert body["terms"] == cli_json("terms", "find", text, cwd=module_server.cwd)
    assert body["terms"]


def test_stats(module_server: Server, module_tm: str) -> None:
    status, body = get(module_server.url + "/api/v1/stats")
    assert status == 200
    local = cli_json("stats", "--db", module_tm)
    assert {k: body[k] for k in local} == local
    assert body["server"]["writes"] is True


def test_openapi_page(module_server: Server) -> None:
    status, spec = get(module_server.url + "/api/v1/openapi.json")
    assert status == 200
    paths = spec["paths"]
    for path in (
        "/api/v1/lookup",
        "/api/v1/units",
        "/api/v1/confirm",
        "/tmserver/languages/",
    ):
        assert path in paths
    assert (
        "application/x-tmx+xml"
        in paths["/api/v1/units"]["post"]["requestBody"]["content"]
    )
    unit = paths["/tmserver/{source}/{target}/unit/{text}"]["get"]
    assert {p["name"] for p in unit["parameters"]} == {
        "source",
        "target",
        "text",
        "min_similarity",
        "max_candidates",
    }
    status, page = request("GET", module_server.url + "/api/v1/docs")
    assert status == 200
    assert "/api/v1/openapi.json" in page


def test_healthz_and_index(module_server: Server) -> None:
    assert get(module_server.url + "/healthz")[1]["status"] == "ok"
    assert get(module_server.url + "/")[1]["docs"] == "/api/v1/docs"


# -- writes ------------------------------------------------------------------------


def test_add_units_json_then_found_at_once(
    serve: Callable[..., Server], sqlite_tm: str
) -> None:
    server = serve(sqlite_tm)
    new = [
        {
            "source": "数据要素市场化配置改革试点稳步推进",
            "target": "Pilot reforms progress steadily.",
        },
        {
            "source": "土地要素供应方式持续优化调整",
            "target": "Land supply keeps improving.",
            "document": "memo.txt",
            "position": 2,
        },
    ]
    status, body = post_json(
        server.url + "/api/v1/units", {"units": new, "user": "li"}, token=TOKEN
    )
    assert status == 200, body
    assert (body["read"], body["added"], body["duplicates"]) == (2, 2, 0)
    status, body = post_json(server.url + "/api/v1/units", {"units": new}, token=TOKEN)
    assert (body["added"], body["duplicates"]) == (0, 2)
    _, found = post_json(
        server.url + "/api/v1/lookup", {"queries": [{"text": new[0]["source"]}]}
    )
    best = found["results"][0]["matches"][0]
    assert (best["target"], best["score"], best["created_by"]) == (
        new[0]["target"],
        100.0,
        "li",
    )


def test_add_units_as_tmx_and_tsv(serve: Callable[..., Server], tmp_path: Path) -> None:
    db = str(tmp_path / "empty.db")
    TMService.open(db).close()
    server = serve(db)
    tmx = SHIPPED_TMX.read_bytes()
    status, body = request(
        "POST",
        server.url + "/api/v1/units?document=approval.tmx",
        body=tmx,
        headers={
            "Content-Type": "application/x-tmx+xml",
            "Authorization": f"Bearer {TOKEN}",
        },
    )
    assert status == 200, body
    with TMService.open(db, create=False) as service:
        assert body["added"] == service.count_units() > 1000
    tsv = "zh-CN\ten-US\n建立健全数据要素市场规则体系\tEstablish sound rules for data markets\n"
    status, body = request(
        "POST",
        server.url + "/api/v1/units?document=rules.tsv",
        body=tsv.encode(),
        headers={
            "Content-Type": "text/tab-separated-values",
            "Authorization": f"Bearer {TOKEN}",
        },
    )
    assert (status, body["added"]) == (200, 1), body


def test_malformed_tmx_adds_nothing(
    serve: Callable[..., Server], sqlite_tm: str
) -> None:
    server = serve(sqlite_tm)
    before = get(server.url + "/api/v1/stats")[1]["units"]
    good = SHIPPED_TMX.read_bytes()
    broken = good[: len(good) // 2]  # cut in the middle of the body
    status, body = request(
        "POST",
        server.url + "/api/v1/units?document=cut.tmx",
        body=broken,
        headers={
            "Content-Type": "application/x-tmx+xml",
            "Authorization": f"Bearer {TOKEN}",
        },
    )
    assert status == 422
    assert body["error"].startswith("cut.tmx:")
    with TMService.open(sqlite_tm, create=False) as service:
        assert service.count_units() == before


def test_confirm_then_context_match(
    serve: Callable[..., Server], sqlite_tm: str
) -> None:
    server = serve(sqlite_tm)
    seg = {
        "source": "推动技术要素向现实生产力转化。",
        "target": "Promote the conversion of technology into productive forces.",
        "prev": "二、健全要素市场体系",
        "next": "三、完善配套制度",
        "document": "plan.docx",
        "position": 7,
        "user": "wang",
    }
    status, body = post_json(server.url + "/api/v1/confirm", seg, token=TOKEN)
    assert status == 200, body
    assert isinstance(body["id"], int)
    query = {"text": seg["source"], "prev": seg["prev"], "next": seg["next"]}
    _, found = post_json(server.url + "/api/v1/lookup", {"queries": [query]})
    best = found["results"][0]["matches"][0]
    assert (best["score"], best["id"], best["target"]) == (
        101.0,
        body["id"],
        seg["target"],
    )
    assert best["created_by"] == "wang"


def test_read_only_refuses_writes(serve: Callable[..., Server], sqlite_tm: str) -> None:
    server = serve(sqlite_tm, "--read-only")
    status, body = post_json(
        server.url + "/api/v1/units",
        {"units": [{"source": "只读", "target": "read only"}]},
        token=TOKEN,
    )
    assert status == 403
    assert "read-only" in body["error"]
    status, _ = post_json(
        server.url + "/api/v1/lookup", {"queries": [{"text": "只读模式"}]}
    )
    assert status == 200


def test_missing_database_is_one_line_and_exit_code(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "tm",
            "serve",
            "--db",
            str(tmp_path / "none.db"),
            "--read-only",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert out.returncode == 4
    assert out.stderr.startswith("tm: error: no TM database at")
    assert "Traceback" not in out.stderr
