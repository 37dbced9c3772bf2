"""Several ``tm serve`` processes in front of one TM: the same answers, each other's
writes within seconds, without a restart; SIGTERM lets a running request finish."""

from __future__ import annotations

import http.client
import json
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import TOKEN, Server, get, import_shipped, post_json
from tm.service import TMService

FRESH_WITHIN = 15.0  # seconds; the refresher runs every second


@pytest.fixture
def shared_tm(store_url: str) -> str:
    import_shipped(store_url)
    return store_url


def queries(db: str, n: int) -> list[dict[str, str]]:
    with TMService.open(db, create=False) as service:
        units = list(service.store.iter_units(segtype="sentence"))
    picked = units[:: max(1, len(units) // n)][:n]
    return [{"text": u.source[1:]} for u in picked] + [
        {"text": u.source} for u in picked
    ]


def lookup(server: Server, text: str) -> list[dict[str, Any]]:
    status, body = post_json(
        server.url + "/api/v1/lookup", {"queries": [{"text": text}]}
    )
    assert status == 200, body
    matches: list[dict[str, Any]] = body["results"][0]["matches"]
    return matches


def wait_for(server: Server, text: str, target: str, *, checks: int = 12) -> float:
    """Seconds until ``server`` offers ``target`` for ``text``; then every one of
    ``checks`` more requests (new connections, so any worker) must offer it too."""
    t0 = time.monotonic()
    while target not in [m["target"] for m in lookup(server, text)]:
        assert time.monotonic() - t0 < FRESH_WITHIN, f"{server.url} never saw {text!r}"
        time.sleep(0.2)
    seen = time.monotonic() - t0
    time.sleep(2.5)  # every worker has refreshed at least once since
    for _ in range(checks):
        assert target in [m["target"] for m in lookup(server, text)]
    return seen


def listening(port: int) -> int:
    """How many sockets listen on ``port`` (IPv4, from /proc: no extra tool)."""
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(
        1
        for line in lines
        if (f := line.split())[1].endswith(f":{port:04X}") and f[3] == "0A"
    )


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs /proc")
def test_a_burst_of_connections_reaches_every_worker(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    """32 clients connecting together: each worker gets some of them. Each worker
    listens on a socket of its own (SO_REUSEPORT); with one shared socket, one worker
    took them all in a run of three."""
    tm = str(tmp_path / "tm.db")
    import_shipped(tm)
    server = serve(tm, "--workers", "2")
    host, port = server.url.removeprefix("http://").split(":")
    # Each worker listens once its index is ready: wait for both sockets.
    deadline = time.monotonic() + 60
    while listening(int(port)) < 2:
        assert time.monotonic() < deadline, "the workers never both listened"
        time.sleep(0.1)
    conns = [http.client.HTTPConnection(host, int(port), timeout=30) for _ in range(32)]
    for c in conns:  # all connected before the first request
        c.connect()
    workers = []
    for c in conns:
        c.request("GET", "/healthz")
        workers.append(json.loads(c.getresponse().read())["worker"])
        c.close()
    assert len(set(workers)) == 2, workers


def test_servers_answer_alike_and_see_each_others_writes(
    serve: Callable[..., Server], shared_tm: str
) -> None:
    one = serve(shared_tm)
    two = serve(shared_tm, "--workers", "2")
    batch = {"queries": queries(shared_tm, 10), "limit": 3}
    answers = [post_json(s.url + "/api/v1/lookup", batch) for s in (one, two, two)]
    assert answers[0][0] == 200
    assert answers[0] == answers[1] == answers[2]
    assert (
        get(one.url + "/api/v1/stats")[1]["units"]
        == get(two.url + "/api/v1/stats")[1]["units"]
    )

    unit = {
        "source": "跨服务器写入的句子应当很快可见",
        "target": "Written through one server",
    }
    status, _ = post_json(one.url + "/api/v1/units", {"units": [unit]}, token=TOKEN)
    assert status == 200
    assert lookup(one, unit["source"])[0]["target"] == unit["target"]  # at once
    wait_for(two, unit["source"], unit["target"])

    seg = {
        "source": "另一台服务器确认的句段",
        "target": "A segment confirmed on the other server",
        "prev": "上一句",
        "next": "下一句",
    }
    status, body = post_json(two.url + "/api/v1/confirm", seg, token=TOKEN)
    assert status == 200
    wait_for(one, seg["source"], seg["target"])
    status, body = post_json(
        one.url + "/api/v1/lookup",
        {
            "queries": [
                {"text": seg["source"], "prev": seg["prev"], "next": seg["next"]}
            ]
        },
    )
    assert body["results"][0]["matches"][0]["score"] == 101.0


def test_an_import_by_another_process_reaches_the_server(
    serve: Callable[..., Server], shared_tm: str, tmp_path: Path
) -> None:
    server = serve(shared_tm)
    tsv = tmp_path / "more.tsv"
    tsv.write_text(
        "zh-CN\ten-US\n由命令行导入的新句子内容\tImported from the command line\n",
        encoding="utf-8",
    )
    with TMService.open(shared_tm, create=False) as service:
        service.import_file(tsv)
    wait_for(
        server, "由命令行导入的新句子内容", "Imported from the command line", checks=3
    )


def test_sigterm_lets_a_running_request_finish(
    serve: Callable[..., Server], shared_tm: str
) -> None:
    """SIGTERM comes while a batch request is in flight (its body half sent, so it
    cannot have finished, however fast the look-ups): the server stops, yet still
    reads the rest, answers it whole and exits cleanly."""
    server = serve(shared_tm)
    body = json.dumps({"queries": queries(shared_tm, 100) * 2}).encode()
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        conn.putrequest("POST", "/api/v1/lookup")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(len(body)))
        conn.putheader("Expect", "100-continue")
        conn.endheaders()
        # The server answers "100 Continue" once the application asks for the body:
        # the request is then in flight. A SIGTERM sent before the server has read
        # the headers finds only an idle connection, which it may simply close.
        interim = b""
        while b"\r\n\r\n" not in interim:
            interim += conn.sock.recv(64)
        assert interim.startswith(b"HTTP/1.1 100")
        half = len(body) // 2
        conn.send(body[:half])
        server.proc.send_signal(signal.SIGTERM)
        wait_for_log(server, "Waiting for connections to close")
        conn.send(body[half:])
        resp = conn.getresponse()
        answer = json.loads(resp.read())
    finally:
        conn.close()
    assert resp.status == 200
    assert len(answer["results"]) == len(json.loads(body)["queries"])
    assert answer["results"][0]["matches"]
    # It ends by itself, on the SIGTERM it had: a second one (server.stop()) could
    # arrive while Python finalizes, when the default action kills it (-15).
    assert server.proc.wait(timeout=60) == 0
    server.stop()
    log = "".join(server.log)
    assert "Finished server process" in log
    assert "Traceback" not in log


def wait_for_log(server: Server, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not any(text in line for line in server.log):
        if time.monotonic() > deadline or server.proc.poll() is not None:
            raise AssertionError(
                f"the server never said {text!r}:\n" + "".join(server.log)
            )
        time.sleep(0.05)
