"""Benchmark: ``tm serve`` under 32 concurrent HTTP clients, beside in-process look-up.

The TM and the 1,000 queries are ``bench_lookup.py``'s (the Taiwan law corpus split
into sentences plus a Simplified copy, up to ``--size`` units; half the queries are
edited TM sentences, half unseen news and Tatoeba sentences). In one run it measures:

1. in process: ``TMService.lookup`` on each query, one after another (the reference);
2. the server, as Weblate calls it (``GET /tmserver/zh/en/unit/<text>``), from 32
   clients (aiohttp, one keep-alive connection each):
   a. closed loop: each client sends its next query as soon as the last is answered,
      so the server is saturated: look-ups per second, and latency under saturation
      (by Little's law 32 clients make latency 32 / throughput, whatever the server);
   b. open loop at ``--rate`` requests per second (the target, 500): requests are sent
      on a fixed schedule whatever the answers do, and each latency counts from its
      scheduled time (no coordinated omission): p50/p95/p99 at that load;
3. batches: ``POST /api/v1/lookup`` with 100 queries a request, ``--batch-clients``
   at a time, with every detail (repair, diff) and with ``"details": false``:
   look-ups per second.

Wall-clock figures on a shared machine measure the neighbours too, so it also prints
the server's CPU time per look-up (from /proc, all its workers) beside the in-process
CPU time per look-up; their ratio is the HTTP overhead, and cores / CPU per look-up is
the throughput on an idle machine. Memory: each worker's RSS on this TM and on a
one-document TM; the difference is what the index of this TM costs a worker.

Usage:
    python benchmarks/bench_server.py                          # 1M units, 1 worker
    python benchmarks/bench_server.py --workers 2
    python benchmarks/bench_server.py --size 50000 --queries 200 --rounds 1
    python benchmarks/bench_server.py --db postgresql://localhost/tm_bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import aiohttp  # noqa: E402
from bench_lookup import build_db, make_queries, pct  # noqa: E402
from yarl import URL  # noqa: E402

from tm.service import TMService  # noqa: E402

SEED = ROOT / "examples" / "factor-reform-2025.zh-en.txt"
RUNNING = re.compile(r"Uvicorn running on http://([\d.]+):(\d+)")
MIN_SCORE = 70
CLOCK = os.sysconf("SC_CLK_TCK")


# -- the server process ------------------------------------------------------------


class Served:
    """A ``tm serve`` child process on a free port."""

    def __init__(self, db: str, workers: int, cwd: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k != "TM_SERVER_TOKEN"}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tm",
                "serve",
                "--db",
                db,
                "--port",
                "0",
                "--workers",
                str(workers),
                "--read-only",
            ],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.workers = workers
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        t0 = time.perf_counter()
        self.url = self._wait()
        self.started = time.perf_counter() - t0

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)

    def _wait(self) -> str:
        url = ""
        while True:
            if self.proc.poll() is not None:
                raise SystemExit("tm serve exited:\n" + "".join(self.log))
            if not url:
                for line in self.log:
                    if m := RUNNING.search(line):
                        url = f"http://{m.group(1)}:{m.group(2)}"
            if url and self._every_worker_answers(url):
                return url
            time.sleep(0.2)

    def _every_worker_answers(self, url: str) -> bool:
        """Whether each worker has answered /healthz. A worker listens only once its
        index is loaded; connections opened before then all go to the workers
        already listening (and keep-alive ones stay there), which skewed a run
        whose second worker took 10 s to load. Each request is a new connection,
        which the kernel places by its port, so a few dozen reach every worker."""
        seen: set[int] = set()
        for _ in range(40):
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=5) as resp:
                    seen.add(json.load(resp).get("worker", self.proc.pid))
            except OSError:
                return False
            if len(seen) >= self.workers:
                return True
        return False

    def worker_pids(self) -> list[int]:
        if self.workers == 1:
            return [self.proc.pid]
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmd = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.proc.pid and b"spawn_main" in cmd:
                pids.append(int(entry.name))
        return pids

    def cpu_seconds(self) -> float:
        """CPU time of the server and its workers so far."""
        pids = {self.proc.pid, *self.worker_pids()}
        return sum(c for pid in pids if (c := process_cpu(pid)) is not None)

    def worker_cpu(self) -> dict[int, float]:
        """CPU seconds of each worker so far."""
        found = {pid: process_cpu(pid) for pid in self.worker_pids()}
        return {pid: c for pid, c in found.items() if c is not None}

    def rss_mb(self) -> list[float]:
        out = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(int(line.split()[1]) / 1024)
        return out

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def process_cpu(pid: int) -> float | None:
    """A process's user + system CPU seconds, from /proc (None once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK


# -- load --------------------------------------------------------------------------


def unit_url(base: str, text: str) -> URL:
    """The URL Weblate's tmserver machinery asks (every character percent-encoded)."""
    return URL(f"{base}/tmserver/zh/en/unit/{quote(text[:500], safe='')}", encoded=True)


# Keep-alive connections by default (as a script with a session sends); with
# --new-connections, one connection per request, as Weblate's machinery sends (its
# requests go through requests.request, a new session each).
NEW_CONNECTIONS = False


def connector(clients: int) -> aiohttp.TCPConnector:
    return aiohttp.TCPConnector(limit=clients, force_close=NEW_CONNECTIONS)


async def fetch(session: aiohttp.ClientSession, url: URL) -> None:
    async with session.get(url) as resp:
        await resp.read()
        assert resp.status == 200, resp.status


async def closed_loop(
    base: str, queries: list[str], clients: int
) -> tuple[list[float], float]:
    """Each client sends its next query once the last is answered; (latencies, wall)."""
    todo = list(enumerate(queries))
    latencies: list[float] = []
    async with aiohttp.ClientSession(connector=connector(clients)) as session:

        async def client() -> None:
            while todo:
                _, text = todo.pop()
                t = time.perf_counter()
                await fetch(session, unit_url(base, text))
                latencies.append((time.perf_counter() - t) * 1000)

        t0 = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        return latencies, time.perf_counter() - t0


async def open_loop(
    base: str, queries: list[str], clients: int, rate: float
) -> tuple[list[float], float]:
    """Requests on a fixed schedule (``rate`` a second) over ``clients`` connections;
    each latency counts from the request's scheduled time."""
    latencies: list[float] = []
    async with aiohttp.ClientSession(connector=connector(clients)) as session:
        t0 = time.perf_counter()

        async def one(i: int, text: str) -> None:
            due = t0 + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await fetch(session, unit_url(base, text))
            latencies.append((time.perf_counter() - due) * 1000)

        await asyncio.gather(*(one(i, q) for i, q in enumerate(queries)))
        return latencies, time.perf_counter() - t0


async def batches(
    base: str, queries: list[str], size: int, clients: int, details: bool = True
) -> tuple[list[float], float]:
    todo = [queries[i : i + size] for i in range(0, len(queries), size)]
    latencies: list[float] = []
    async with aiohttp.ClientSession(connector=connector(clients)) as session:

        async def client() -> None:
            while todo:
                chunk = todo.pop()
                body = {
                    "queries": [{"text": q} for q in chunk],
                    "min_score": MIN_SCORE,
                    "details": details,
                }
                t = time.perf_counter()
                async with session.post(base + "/api/v1/lookup", json=body) as resp:
                    data = await resp.json()
                    assert resp.status == 200, data
                    assert len(data["results"]) == len(chunk)
                latencies.append((time.perf_counter() - t) * 1000)

        t0 = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        return latencies, time.perf_counter() - t0


# -- report ------------------------------------------------------------------------


def cpu_now() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def shares(before: dict[int, float], after: dict[int, float]) -> str:
    """Each worker's share of the CPU the server spent: uvicorn's workers share one
    listening socket, and a worker that accepted most connections does most work."""
    used = {pid: after[pid] - before.get(pid, 0.0) for pid in after}
    total = sum(used.values())
    if len(used) < 2 or total <= 0:
        return ""
    parts = "/".join(f"{100 * u / total:.0f}" for u in sorted(used.values()))
    return f"; workers' CPU shares {parts} %"


def line(name: str, lat: list[float], n: int, wall: float, cpu: float | None) -> str:
    cpu_part = (
        f"; server CPU {1000 * cpu / n:.2f} ms a look-up" if cpu is not None else ""
    )
    return (
        f"{name}: p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms,"
        f" p99 {pct(lat, 99):.1f} ms; {n / wall:,.0f} look-ups/s{cpu_part}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", default=None, help="TM to use (built there if missing)")
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument(
        "--rounds", type=int, default=3, help="passes over the queries per load"
    )
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--rate", type=float, default=500.0, help="open-loop requests/s")
    ap.add_argument("--batch", type=int, default=100)
    # The kernel places each keep-alive connection on a worker by its port: with 4
    # connections all four land on one of two workers one run in eight (it
    # happened), with 8 one run in 128.
    ap.add_argument("--batch-clients", type=int, default=8)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument(
        "--new-connections",
        action="store_true",
        help="one connection per request (as Weblate sends) instead of keep-alive",
    )
    args = ap.parse_args()
    global NEW_CONNECTIONS
    NEW_CONNECTIONS = args.new_connections
    db = args.db or f"/tmp/tm_bench_{args.size}.db"
    build_db(db, args.size)
    queries = [q for _, q in make_queries(db, args.queries)]
    load = queries * args.rounds

    # 1. in process (builds the cache file a server then loads); like a server's
    # look-ups, these do not check the data version (a count over every unit) each
    # second. /tmserver answers with source, target and score (details=False); the
    # batch API with everything `tm lookup --json` shows (repair, diff).
    with TMService.open(db, create=False, poll_seconds=3600) as service:
        t = time.perf_counter()
        indexed = service.warm()["source"]
        build = time.perf_counter() - t
        service.lookup(queries[0], min_score=MIN_SCORE)
        print(f"TM: {indexed:,} units ({db}); index ready in process in {build:.1f}s")
        print(
            f"machine: {os.cpu_count()} cores,"
            f" load average {os.getloadavg()[0]:.1f} at start"
        )
        local_cpu = {}
        for details in (False, True):
            local: list[float] = []
            c0, t0 = cpu_now(), time.perf_counter()
            for q in queries:
                t = time.perf_counter()
                service.lookup(q, min_score=MIN_SCORE, details=details)
                local.append((time.perf_counter() - t) * 1000)
            local_wall, local_cpu[details] = time.perf_counter() - t0, cpu_now() - c0
            what = "with repair and diff" if details else "source, target, score"
            print(
                line(
                    f"in process, one thread, {what}",
                    local,
                    len(queries),
                    local_wall,
                    None,
                )
                + f"; CPU {1000 * local_cpu[details] / len(queries):.2f} ms a look-up"
            )

    with tempfile.TemporaryDirectory() as tmp:
        small = str(Path(tmp) / "seed.db")
        with TMService.open(small) as seed:
            seed.import_file(SEED)
        baseline = Served(small, args.workers, Path(tmp))
        base_rss = baseline.rss_mb()
        baseline.stop()

        server = Served(db, args.workers, Path(tmp))
        rss = server.rss_mb()
        print(
            f"server: {args.workers} worker(s), ready in {server.started:.1f}s;"
            f" RSS per worker {', '.join(f'{r:.0f}' for r in rss)} MB on this TM,"
            f" {', '.join(f'{r:.0f}' for r in base_rss)} MB on the one-document seed TM"
            f" → the index of {indexed:,} units costs a worker"
            f" {statistics.mean(rss) - statistics.mean(base_rss):.0f} MB"
        )
        try:
            asyncio.run(closed_loop(server.url, queries[:200], args.clients))  # warm-up
            c0, w0 = server.cpu_seconds(), server.worker_cpu()
            lat, wall = asyncio.run(closed_loop(server.url, load, args.clients))
            cpu = server.cpu_seconds() - c0
            split = shares(w0, server.worker_cpu())
            print(
                line(
                    f"GET /tmserver, {args.clients} clients, closed loop",
                    lat,
                    len(load),
                    wall,
                    cpu,
                )
                + split
            )
            ratio = cpu / len(load) / (local_cpu[False] / len(queries))
            print(
                f"  HTTP overhead: server CPU a look-up / in-process CPU a look-up ="
                f" {ratio:.2f}; on {args.workers} idle core(s) that is"
                f" {args.workers * len(load) / cpu:,.0f} look-ups/s"
            )
            c0, w0 = server.cpu_seconds(), server.worker_cpu()
            lat, wall = asyncio.run(
                open_loop(server.url, load, args.clients, args.rate)
            )
            cpu = server.cpu_seconds() - c0
            split = shares(w0, server.worker_cpu())
            print(
                line(
                    f"GET /tmserver, {args.clients} clients, open loop at {args.rate:g}/s",
                    lat,
                    len(load),
                    wall,
                    cpu,
                )
                + split
            )
            for details in (True, False):
                c0, w0 = server.cpu_seconds(), server.worker_cpu()
                lat, wall = asyncio.run(
                    batches(server.url, load, args.batch, args.batch_clients, details)
                )
                cpu = server.cpu_seconds() - c0
                split = shares(w0, server.worker_cpu())
                what = "" if details else ', "details": false'
                print(
                    line(
                        f"POST /api/v1/lookup, {args.batch} queries a request{what},"
                        f" {args.batch_clients} clients (latency per request)",
                        lat,
                        len(load),
                        wall,
                        cpu,
                    )
                    + f"; on {args.workers} idle core(s):"
                    f" {args.workers * len(load) / cpu:,.0f} look-ups/s" + split
                )
                ratio = cpu / len(load) / (local_cpu[details] / len(queries))
                print(
                    "  server CPU a look-up / in-process CPU a look-up (same details)"
                    f" = {ratio:.2f}"
                )
        finally:
            server.stop()
    print(f"machine: load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
