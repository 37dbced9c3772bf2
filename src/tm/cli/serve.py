"""``tm serve``: the TM and the term base over HTTP (amaGama for Weblate, and /api/v1)."""

from __future__ import annotations

import ipaddress
import logging

import click

from tm.cli import cli
from tm.cli.options import db_option, glossary_option
from tm.service import TMService, server_token


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@cli.command("serve")
@db_option
@glossary_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0: every interface).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="TCP port (0: any free one; the log says which).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes; each holds its own index of the TM in memory.",
)
@click.option("--read-only", is_flag=True, help="Refuse every write.")
@click.option(
    "--max-body-mb",
    type=click.FloatRange(0.01, 1024),
    default=16.0,
    show_default=True,
    help="Largest request body accepted (413 above it).",
)
@click.option(
    "--max-query-chars",
    type=click.IntRange(1),
    default=4000,
    show_default=True,
    help="Longest text one query may have (422 above it).",
)
@click.option(
    "--min-score-floor",
    type=click.FloatRange(0, 100),
    default=60.0,
    show_default=True,
    help="Lowest cutoff a query may ask for (lower ones scan much of the TM).",
)
@click.option(
    "--refresh",
    "refresh_seconds",
    type=click.FloatRange(0.1, 3600),
    default=1.0,
    show_default=True,
    help="Seconds between checks for units other writers added.",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    default=8,
    show_default=True,
    help="Request threads per worker (and so its most database connections).",
)
@click.option("--access-log", is_flag=True, help="Log every request on stderr.")
@click.pass_context
def serve_command(
    ctx: click.Context,
    db: str | None,
    glossary: str | None,
    host: str,
    port: int,
    workers: int,
    read_only: bool,
    max_body_mb: float,
    max_query_chars: int,
    min_score_floor: float,
    refresh_seconds: float,
    threads: int,
    access_log: bool,
) -> None:
    """Serve the TM and the term base over HTTP until SIGTERM or Ctrl+C.

    Weblate's tmserver machinery works with the URL http://HOST:PORT/tmserver/.
    The native API and its OpenAPI page are at /api/v1/docs. Writes (adding units,
    confirming segments) need the bearer token in TM_SERVER_TOKEN; without it the
    server only reads.

    \b
    Example:
      TM_SERVER_TOKEN=$(openssl rand -hex 32) tm serve --db tm.db --port 8765
      tm serve --db postgresql://tm@dbhost/tm --host 0.0.0.0 --workers 2 --read-only
    """
    from tm.server import ServerSettings, serve

    token = None if read_only else server_token()
    settings = ServerSettings(
        db=db,
        glossary=glossary,
        host=host,
        port=port,
        workers=workers,
        read_only=read_only,
        token=token,
        max_body_bytes=int(max_body_mb * 2**20),
        max_query_chars=max_query_chars,
        min_score_floor=min_score_floor,
        refresh_seconds=refresh_seconds,
        threads=threads,
    ).validate()
    # Open the TM once here, so a missing or unreachable database is one error line
    # and an exit code, not a worker's traceback.
    with TMService.open(db, create=not read_only, readonly=read_only) as service:
        where = service.location
    writes = (
        "read-only"
        if read_only
        else "writes need the bearer token"
        if token
        else "writes off (no TM_SERVER_TOKEN)"
    )
    at = f"http://{host}:{port}/" if port else f"{host}, a free port (see below)"
    click.echo(
        f"tm serve: {at} ({workers} worker{'s' * (workers > 1)}), TM {where}; {writes}",
        err=True,
    )
    if not _loopback(host):
        click.echo(
            "tm serve: listening beyond this machine over plain HTTP: put a TLS proxy"
            " in front before the token crosses a network",
            err=True,
        )
    obj = ctx.find_root().obj or {}
    level = logging.WARNING if obj.get("quiet") else logging.INFO
    serve(settings, log_level=level, access_log=access_log)
