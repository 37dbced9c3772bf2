"""A real ``tm serve`` refuses what it must, clearly, and keeps answering others."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from tests.server.conftest import TOKEN, Server, get, import_shipped, post_json, request
from tm.service import TMService

UNIT = {"source": "未经授权写入的句子内容", "target": "An unauthorised write"}


@pytest.fixture
def tm(tmp_path: Path) -> str:
    url = str(tmp_path / "tm.db")
    import_shipped(url)
    return url


def units_in(db: str) -> int:
    with TMService.open(db, create=False) as service:
        return service.count_units()


def answers(server: Server) -> bool:
    """The server still looks up (a real query, not only /healthz)."""
    status, body = post_json(
        server.url + "/api/v1/lookup", {"queries": [{"text": "要素市场化配置"}]}
    )
    return status == 200 and len(body["results"]) == 1


def read_response(sock: socket.socket) -> str:
    """One whole HTTP response (headers, then Content-Length bytes of body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(h.split(b":", 1)[1])
        for h in head.split(b"\r\n")
        if h.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return (head + b"\r\n\r\n" + body).decode("utf-8")


def test_binds_loopback_by_default(serve: Callable[..., Server], tm: str) -> None:
    server = serve(tm)
    assert urlsplit(server.url).hostname == "127.0.0.1"


def test_write_without_token_is_401_and_writes_nothing(
    serve: Callable[..., Server], tm: str
) -> None:
    server = serve(tm)
    before = units_in(tm)
    for token in (None, "wrong-token-0123456789", TOKEN + "x", TOKEN[:-1]):
        status, body = post_json(
            server.url + "/api/v1/units", {"units": [UNIT]}, token=token
        )
        assert status == 401, body
        assert "bearer token" in body["error"]
        status, _ = post_json(
            server.url + "/api/v1/confirm", dict(UNIT, prev="上一句"), token=token
        )
        assert status == 401
    status, _ = request(
        "POST",
        server.url + "/api/v1/units?document=x.tmx",
        body=b"<tmx/>",
        headers={
            "Content-Type": "application/x-tmx+xml",
            "Authorization": "Basic dXNlcjpwYXNz",
        },
    )
    assert status == 401
    assert units_in(tm) == before
    _, found = post_json(
        server.url + "/api/v1/lookup", {"queries": [{"text": UNIT["source"]}]}
    )
    assert found["results"][0]["matches"] == []
    status, _ = post_json(server.url + "/api/v1/units", {"units": [UNIT]}, token=TOKEN)
    assert status == 200
    assert units_in(tm) == before + 1


def test_without_a_configured_token_writes_are_off(
    serve: Callable[..., Server], tm: str
) -> None:
    server = serve(tm, token=None)
    status, body = post_json(
        server.url + "/api/v1/units", {"units": [UNIT]}, token=TOKEN
    )
    assert status == 403
    assert "TM_SERVER_TOKEN" in body["hint"]


def test_oversized_body_is_413_and_others_are_answered(
    serve: Callable[..., Server], tm: str
) -> None:
    server = serve(tm, "--max-body-mb", "0.05")  # 52,428 bytes
    before = units_in(tm)
    big = {"units": [UNIT] * 2000}
    status, body = post_json(server.url + "/api/v1/units", big, token=TOKEN)
    assert status == 413
    assert "52,428 bytes" in body["error"]
    queries = {"queries": [{"text": "要素" * 10}] * 1000}
    status, body = post_json(server.url + "/api/v1/lookup", queries)
    assert status == 413
    assert units_in(tm) == before
    assert answers(server)


def test_chunked_upload_over_the_cap_does_not_stall_the_worker(
    serve: Callable[..., Server], tm: str
) -> None:
    """A slow chunked upload: other requests are answered while it trickles in, and
    it is refused with 413 once it passes the cap."""
    server = serve(tm, "--max-body-mb", "0.05")
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(
            b"POST /api/v1/units HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            + f"Authorization: Bearer {TOKEN}\r\n\r\n".encode()
        )
        chunk = b"x" * 8192
        for _ in range(3):
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            t0 = time.monotonic()
            assert answers(server)
            assert time.monotonic() - t0 < 10
        for _ in range(10):
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        sock.sendall(b"0\r\n\r\n")
        reply = read_response(sock)
    assert reply.startswith("HTTP/1.1 413")
    assert reply.endswith('"}')
    assert '{"error":' in reply
    assert answers(server)


def test_a_100k_character_query_is_refused(
    serve: Callable[..., Server], tm: str
) -> None:
    server = serve(tm)
    huge = "要" * 100_000
    status, body = post_json(
        server.url + "/api/v1/lookup", {"queries": [{"text": huge}]}
    )
    assert status == 422
    assert body == {"error": "query 0 text is 100,000 characters; the limit is 4,000"}
    status, body = post_json(server.url + "/api/v1/terms/find", {"text": huge})
    assert status == 422
    assert "100,000 characters" in body["error"]
    status, body = get(server.url + "/api/v1/concordance?q=" + quote(huge[:6000]))
    assert status == 422
    # Through the amaGama URL: past the limit, a JSON 422; a request line over 80 KB
    # (9 bytes a character once encoded) is refused by uvicorn's HTTP parser first.
    status, body = get(
        server.url + "/tmserver/zh/en/unit/" + quote(huge[:5000], safe="")
    )
    assert status == 422
    assert body["error"] == "the text is 5,000 characters; the limit is 4,000"
    status, body = get(server.url + "/tmserver/zh/en/unit/" + quote(huge, safe=""))
    assert status == 400
    assert answers(server)


def test_a_lone_surrogate_is_refused_and_nothing_is_written(
    serve: Callable[..., Server], tm: str
) -> None:
    """JSON's "\\ud800" escape reads as a lone surrogate, which no answer can hold:
    a 422 that says where, not an internal error, and no unit stored."""
    server = serve(tm)
    before = units_in(tm)
    status, body = post_json(
        server.url + "/api/v1/lookup", {"queries": [{"text": "推进\ud800要素"}]}
    )
    assert status == 422
    assert body["error"] == (
        "query 0 text holds a lone UTF-16 surrogate (U+D800) at character 2"
    )
    status, body = post_json(server.url + "/api/v1/terms/find", {"text": "\udfff"})
    assert status == 422
    unit = {"source": "数据要素\udc00", "target": "data"}
    status, body = post_json(
        server.url + "/api/v1/units", {"units": [unit]}, token=TOKEN
    )
    assert status == 422
    assert "surrogate" in body["error"]
    assert units_in(tm) == before
    # A pair of halves is one character, as JSON reads it.
    status, body = post_json(
        server.url + "/api/v1/lookup", {"queries": [{"text": "数据\ud83d\ude00"}]}
    )
    assert status == 200
    assert answers(server)


def test_unknown_language_pair_is_404_json(module_server: Server) -> None:
    status, body = post_json(
        module_server.url + "/api/v1/lookup",
        {"queries": [{"text": "Bonjour"}], "source_lang": "fr", "target_lang": "de"},
    )
    assert status == 404
    assert body["error"] == "this TM has no fr → de units"
    assert "zh-CN → en-US" in body["hint"]
    status, body = post_json(
        module_server.url + "/api/v1/lookup",
        {
            "queries": [{"text": "要素市场"}],
            "source_lang": "zh-Hans",
            "target_lang": "en",
        },
    )
    assert status == 200


@pytest.mark.parametrize(
    "payload",
    [
        {"queries": "not a list"},
        {"queries": []},
        {"queries": [{"text": "要素"}], "min_score": 300},
        {"queries": [{"text": "要素"}], "side": "both"},
        "not an object",
    ],
)
def test_invalid_requests_are_json_422(module_server: Server, payload: object) -> None:
    status, body = post_json(module_server.url + "/api/v1/lookup", payload)
    assert status == 422
    assert body["error"].startswith("invalid request: ")
    assert "Traceback" not in json.dumps(body)


@pytest.mark.parametrize(
    "query",
    [
        "min_similarity=high",
        "min_similarity=101",
        "min_similarity=nan",
        "max_candidates=0",
        "max_candidates=2.5",
        "max_candidates=inf",
    ],
)
def test_invalid_tmserver_parameters_are_json_422(
    module_server: Server, query: str
) -> None:
    url = module_server.url + "/tmserver/zh/en/unit/" + quote("要素市场") + "?" + query
    status, body = get(url)
    assert status == 422
    name = query.split("=")[0]
    assert body["error"].startswith(f"invalid request: {name}: must be")


def test_not_json_at_all_is_422(module_server: Server) -> None:
    status, body = request(
        "POST",
        module_server.url + "/api/v1/lookup",
        body=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert status == 422
    assert body["error"].startswith("invalid request")


def test_unknown_route_is_json_404(module_server: Server) -> None:
    status, body = get(module_server.url + "/api/v2/lookup")
    assert (status, body) == (404, {"error": "Not Found"})


def test_a_cutoff_under_the_floor_is_refused_or_raised(module_server: Server) -> None:
    """Under the floor a look-up would score much of the TM: the JSON API says so,
    the amaGama API raises the cutoff to the floor as amaGama does."""
    status, body = post_json(
        module_server.url + "/api/v1/lookup",
        {"queries": [{"text": "要素市场化配置"}], "min_score": 30},
    )
    assert status == 422
    assert body["error"] == "min_score 30 is under this server's floor of 60"
    status, found = get(
        module_server.url
        + "/tmserver/zh/en/unit/"
        + quote("要素市场化配置改革")
        + "?min_similarity=10"
    )
    assert status == 200
    assert found
    assert all(item["quality"] >= 60 for item in found)
