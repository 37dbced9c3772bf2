"""A real ``tm serve``: uvicorn in a child process on a port the system picks.

Each server gets ``--port 0`` and its own temporary directory, and the test reads the
port from uvicorn's "running on" line, so servers started by parallel test workers
never collide. Stopping sends SIGTERM, as a process manager would.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_TMX = ROOT / "tmx" / "factor-reform-2025.zh-en.tmx"
SHIPPED_PARAGRAPHS = ROOT / "tmx" / "factor-reform-2025.paragraphs.zh-en.tmx"
TOKEN = "test-token-0123456789abcdef"
RUNNING = re.compile(r"Uvicorn running on http://([\d.]+):(\d+)")
START_TIMEOUT = 120.0


@dataclass
class Server:
    """One ``tm serve`` process and what it printed."""

    proc: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)
    url: str = ""
    reader: threading.Thread | None = None
    cwd: Path | None = None

    def read_log(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("tm serve exited:\n" + "".join(self.log))
            if not self.url:
                found = next(
                    (RUNNING.search(line) for line in self.log if RUNNING.search(line)),
                    None,
                )
                if found:
                    self.url = f"http://{found.group(1)}:{found.group(2)}"
            if self.url:
                try:
                    status, _ = get(self.url + "/healthz")
                    if status == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        raise AssertionError("tm serve did not start:\n" + "".join(self.log))

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM, then wait; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.reader is not None:
            self.reader.join(timeout=10)
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        return self.proc.returncode


def start_server(
    db: str,
    cwd: Path,
    *args: str,
    token: str | None = TOKEN,
) -> Server:
    """Start ``tm serve --db DB --port 0 ARGS`` and wait until it answers /healthz."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TM_")}
    if token is not None:
        env["TM_SERVER_TOKEN"] = token
    env["TM_GLOSSARY"] = str(ROOT / "glossary")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tm", "serve", "--db", db, "--port", "0", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = Server(proc, cwd=cwd)
    server.reader = threading.Thread(target=server.read_log, daemon=True)
    server.reader.start()
    try:
        server.wait_ready()
    except BaseException:
        server.stop()
        raise
    return server


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> tuple[int, Any]:
    """(status, body) of one request, the body parsed when it is JSON; HTTP errors
    are answers too."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            if resp.headers.get_content_type() != "application/json":
                return resp.status, raw.decode("utf-8", "replace")
            return resp.status, json.loads(raw)
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, raw.decode("utf-8", "replace")


def get(url: str, **kw: Any) -> tuple[int, Any]:
    return request("GET", url, **kw)


def post_json(url: str, data: Any, *, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return request("POST", url, body=json.dumps(data).encode(), headers=headers)


def import_shipped(url: str) -> None:
    """The shipped TMX files of the State Council's approval: its paragraphs and
    the sentences aligned from them."""
    from tm.service import TMService

    with TMService.open(url) as service:
        service.import_file(SHIPPED_PARAGRAPHS, sentences=False)
        service.import_file(SHIPPED_TMX)


@pytest.fixture
def shipped_tm(store_url: str) -> str:
    """A TM (SQLite file or PostgreSQL schema) holding the shipped TMX."""
    import_shipped(store_url)
    return store_url


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start servers for a test; every one still running is stopped after it."""
    started: list[Server] = []

    def run(db: str, *args: str, token: str | None = TOKEN) -> Server:
        workdir = tmp_path / f"server{len(started)}"
        workdir.mkdir()
        server = start_server(db, workdir, *args, token=token)
        started.append(server)
        return server

    yield run
    for server in started:
        server.stop()


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def module_tm(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The shipped TMX in a TM shared by one test module, on each backend."""
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("tm") / "tm.db")
        import_shipped(url)
        yield url
        return
    from tests.conftest import fresh_postgres_schema

    with fresh_postgres_schema() as url:
        import_shipped(url)
        yield url


@pytest.fixture(scope="module")
def module_server(
    module_tm: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One server over ``module_tm`` for the read-only tests of a module."""
    server = start_server(module_tm, tmp_path_factory.mktemp("server"))
    yield server
    server.stop()
