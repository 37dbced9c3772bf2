"""Store safety on PostgreSQL: what test_store_safety.py proves for SQLite files.

A TM from a newer tm, a read-only session or role, a server that is down or refuses
the login, and a connection killed in the middle of an import: each is one clear line on stderr and exit code 4 (STORE),
and the TM is left exactly as it was. Three imports at once beside a reader all
succeed with nothing lost or doubled. Everything runs the real ``tm`` command
against a real server (TM_TEST_POSTGRES_DSN; the tests skip without one, except the
unreachable-server test, which needs no server at all).
"""

from __future__ import annotations

import hashlib
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

from tests.conftest import postgres_dsn

from ._support import SEED, run_tm, start_tm, write_big_tmx

STORE = 4
SERVER = pytest.mark.postgres


def _one_line(stderr: str, *words: str) -> None:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert lines, "no message"
    assert lines[0].startswith("tm: error: "), stderr
    assert all(ln.startswith("  hint:") for ln in lines[1:]), stderr
    for word in words:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"


def _url(
    dsn: str,
    *,
    user: str | None = None,
    password: str | None = None,
    dbname: str | None = None,
    settings: dict[str, str] | None = None,
    **params: str,
) -> str:
    """``dsn`` with another user/database, server settings (``-c``) or URL parameters."""
    parts = urlsplit(dsn)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    login = user or parts.username or ""
    if password is not None:
        login += ":" + quote(password, safe="")
    netloc = f"{login}@{netloc}" if login else netloc
    query = [parts.query] if parts.query else []
    if settings:
        opts = " ".join(f"-c{k}={v}" for k, v in settings.items())
        query.append("options=" + quote(opts, safe=""))
    query += [f"{k}={quote(v, safe='')}" for k, v in params.items()]
    path = f"/{dbname}" if dbname else parts.path
    return urlunsplit((parts.scheme, netloc, path, "&".join(query), ""))


def _server() -> str:
    dsn = postgres_dsn()
    if not dsn:
        pytest.skip("TM_TEST_POSTGRES_DSN is not set (no PostgreSQL server configured)")
    return dsn


def _admin(sql: str, *params: object, dbname: str | None = None) -> list[tuple]:
    import psycopg

    with psycopg.connect(_url(_server(), dbname=dbname), autocommit=True) as conn:
        cur = conn.execute(sql, params or None)
        return cur.fetchall() if cur.description else []


def _checksum(schema: str) -> str:
    """A digest of the TM in ``schema``: units, occurrences, documents, migrations."""
    h = hashlib.sha256()
    for sql in (
        "SELECT source, target, source_lang, target_lang, segtype FROM {s}.units ORDER BY id",
        "SELECT unit_id, document_id, position, sub FROM {s}.occurrences ORDER BY id",
        "SELECT name, meta FROM {s}.documents ORDER BY id",
        "SELECT name FROM {s}.tm_migrations ORDER BY name",
    ):
        for row in _admin(sql.format(s=f'"{schema}"')):
            h.update(repr(row).encode())
    return h.hexdigest()


def _count(schema: str) -> int:
    return int(_admin(f'SELECT count(*) FROM "{schema}".units')[0][0])


@pytest.fixture
def tm_schema() -> Iterator[str]:
    """A schema holding the seed TM (paragraphs only), dropped after the test."""
    from tm.service import TMService

    schema = f"tm_safety_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE SCHEMA "{schema}"')
    try:
        with TMService.open(_schema_url(schema)) as service:
            service.import_file(SEED, sentences=False)
        yield schema
    finally:
        _admin(f'DROP SCHEMA "{schema}" CASCADE')


def _schema_url(schema: str, **kw: object) -> str:
    settings = {"search_path": f"{schema},public", **kw.pop("settings", {})}  # type: ignore[dict-item]
    return _url(_server(), settings=settings, **kw)  # type: ignore[arg-type]


@pytest.fixture
def role() -> Iterator[str]:
    """A login role without privileges of its own, dropped after the test."""
    name = f"tm_role_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE ROLE "{name}" LOGIN')
    try:
        yield name
    finally:
        _admin(f'DROP ROLE "{name}"')


# -- a newer schema ------------------------------------------------------------------------


@SERVER
def test_database_from_a_newer_tm(tm_schema: str, tmp_path: Path) -> None:
    _admin(
        f'INSERT INTO "{tm_schema}".tm_migrations (name, applied_at)'
        " VALUES ('9999_from_the_future', 'x')"
    )
    before = _checksum(tm_schema)
    url = _schema_url(tm_schema)
    for args in (("stats",), ("import", SEED), ("export", "-o", tmp_path / "out.tmx")):
        result = run_tm(*args, "--db", url)
        assert result.returncode == STORE, (args, result.stderr)
        _one_line(result.stderr, "newer tm", "9999_from_the_future")
    assert _checksum(tm_schema) == before
    assert not (tmp_path / "out.tmx").exists()


# -- read-only -----------------------------------------------------------------------------


def _reads_work(url: str, units: int) -> None:
    stats = run_tm("stats", "--json", "--db", url)
    assert stats.returncode == 0, stats.stderr
    assert f'"units": {units}' in stats.stdout
    first = SEED.read_text(encoding="utf-8").splitlines()[0]
    lookup = run_tm("lookup", first.strip("• ")[:30], "--db", url)
    assert lookup.returncode == 0, lookup.stderr
    concordance = run_tm("concordance", "要素市场", "--db", url)
    assert concordance.returncode == 0, concordance.stderr
    assert "要素市场" in concordance.stdout


@SERVER
def test_read_only_session(tm_schema: str) -> None:
    """default_transaction_read_only=on: look-ups work, an import is refused whole."""
    url = _schema_url(tm_schema, settings={"default_transaction_read_only": "on"})
    before = _checksum(tm_schema)
    _reads_work(url, _count(tm_schema))
    result = run_tm("import", SEED, "--db", url)
    assert result.returncode == STORE, result.stderr
    _one_line(result.stderr, "read-only", "nothing was written")
    assert _checksum(tm_schema) == before


@SERVER
def test_select_only_role(tm_schema: str, role: str) -> None:
    """A role that may only read (pg_read_all_data): look-ups work, an import fails."""
    _admin(f'GRANT pg_read_all_data TO "{role}"')
    url = _schema_url(tm_schema, user=role)
    before = _checksum(tm_schema)
    try:
        _reads_work(url, _count(tm_schema))
        result = run_tm("import", SEED, "--db", url)
    finally:
        _admin(f'REVOKE pg_read_all_data FROM "{role}"')
    assert result.returncode == STORE, result.stderr
    _one_line(result.stderr, f"user {role} may not", "nothing was written")
    assert "GRANT" in result.stderr  # the hint says what the owner can do
    assert _checksum(tm_schema) == before


# -- the server cannot be reached or refuses the login --------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_server_down_or_wrong_port() -> None:
    """No server at all (runs without TM_TEST_POSTGRES_DSN too)."""
    pytest.importorskip("psycopg")
    port = _free_port()
    result = run_tm("stats", "--db", f"postgresql://tm@127.0.0.1:{port}/tm")
    assert result.returncode == STORE, result.stderr
    _one_line(result.stderr, f"127.0.0.1:{port}", "refused")
    assert "Traceback" not in result.stderr


@SERVER
@pytest.mark.parametrize("case", ["unknown role", "nologin role", "unknown database"])
def test_login_refused(case: str, role: str) -> None:
    dsn = _server()
    host = urlsplit(dsn).netloc.rsplit("@", 1)[-1]
    url, word = {
        "unknown role": (_url(dsn, user=f"{role}_nobody"), "does not exist"),
        "nologin role": (_url(dsn, user=role), "not permitted to log in"),
        "unknown database": (_url(dsn, dbname=f"{role}_nodb"), "does not exist"),
    }[case]
    if case == "nologin role":
        _admin(f'ALTER ROLE "{role}" NOLOGIN')
    result = run_tm("stats", "--db", url)
    assert result.returncode == STORE, result.stderr
    _one_line(result.stderr, f"at {host}", word)
    assert "Traceback" not in result.stderr


@SERVER
def test_wrong_password(role: str) -> None:
    """Only where the server checks passwords (a trust-auth test server does not)."""
    import psycopg

    _admin(f"ALTER ROLE \"{role}\" PASSWORD 'right-horse'")
    url = _url(_server(), user=role, password="wrong-horse")
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError:
        pass
    else:
        pytest.skip("the test server trusts this host: it never checks a password")
    result = run_tm("stats", "--db", url)
    assert result.returncode == STORE, result.stderr
    _one_line(result.stderr, "password")
    assert "wrong-horse" not in result.stderr
    assert "Traceback" not in result.stderr


# -- no extension needed ----------------------------------------------------------------------


@pytest.fixture
def bare_database() -> Iterator[str]:
    """A new UTF-8 database without pg_trgm, owned by the test's superuser."""
    name = f"tm_bare_{uuid.uuid4().hex[:10]}"
    _admin(
        f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"
        " LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
    )
    try:
        yield name
    finally:
        _admin(f"DROP DATABASE {name} WITH (FORCE)")


@SERVER
def test_a_role_that_may_not_create_extensions_gets_its_tm(
    role: str, bare_database: str
) -> None:
    """tm needs no extension (concordance scans the keys): a role that may create
    tables but not extensions creates its TM, and pg_trgm stays uninstalled."""
    _admin(f'GRANT CREATE ON SCHEMA public TO "{role}"', dbname=bare_database)
    url = _url(_server(), user=role, dbname=bare_database)
    done = run_tm("db", "migrate", "--db", url)
    assert done.returncode == 0, done.stderr
    tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
    assert _admin(tables, dbname=bare_database)[0][0] > 0
    extensions = "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"
    assert _admin(extensions, dbname=bare_database) == [(0,)]


# -- the connection is killed mid-import ------------------------------------------------------

# What the import's backend runs in each phase: copying rows in, then looking units
# up by identity hash or inserting the staged occurrences.
PHASES = {
    "copy": "query LIKE 'COPY %%'",
    "merge": "(query LIKE '%%FROM units WHERE ident%%'"
    " OR query LIKE '%%INSERT INTO occurrences%%')",
}


def _kill_when(app: str, phase: str, proc: subprocess.Popen[str]) -> str:
    """Terminate the import's backends as soon as one runs ``phase``, or has just run
    it inside the import's transaction; its query.

    A backend idle in its transaction still shows the statement it ran last: the
    identity probes of a batch take a few milliseconds, which a poll every 10 ms may
    miss while they run but not while the import prepares the next batch.
    """
    sql = (
        "SELECT left(query, 60) FROM pg_stat_activity WHERE application_name = %s"
        " AND state IN ('active', 'idle in transaction')"
        f" AND {PHASES[phase]}"
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        rows = _admin(sql, app)
        if rows:
            _admin(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s",
                app,
            )
            return str(rows[0][0])
        time.sleep(0.01)
    proc.communicate(timeout=120)  # its pipes closed, not left to the collector
    pytest.fail(f"the import ended before its {phase} phase was seen")


@SERVER
@pytest.mark.slow
@pytest.mark.parametrize("phase", list(PHASES))
def test_connection_lost_mid_import(tm_schema: str, tmp_path: Path, phase: str) -> None:
    """pg_terminate_backend during a 20,000-unit import: exit 4 with one line, none of
    the file kept, and running the import again adds all of it."""
    big = tmp_path / "big.tmx"
    write_big_tmx(big, 20_000, tag="lost")
    before, count = _checksum(tm_schema), _count(tm_schema)
    app = f"tm_lost_{uuid.uuid4().hex[:8]}"
    url = _schema_url(tm_schema, application_name=app)
    proc = start_tm("import", big, "--db", url)
    killed = _kill_when(app, phase, proc)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == STORE, (killed, stderr)
    _one_line(stderr, "lost the connection", "nothing of it was kept")
    assert _checksum(tm_schema) == before
    again = run_tm("import", big, "--db", url)
    assert again.returncode == 0, again.stderr
    assert _count(tm_schema) == count + 20_000


# -- imports at once, through the CLI (test_concurrency.py's case, on PostgreSQL) --------------


@SERVER
def test_imports_at_once_with_a_reader(tm_schema: str, tmp_path: Path) -> None:
    """a.tmx, b.tmx and a copy of a.tmx imported at once while this process reads:
    all three succeed, a.tmx's units are stored once, and every read sees the TM
    between whole files, never part of one."""
    from tm.service import TMService

    units = 4_000
    files = []
    for tag in ("a", "b"):
        files.append(tmp_path / f"{tag}.tmx")
        write_big_tmx(files[-1], units, tag=tag, cut=20)
    files.append(tmp_path / "a-again.tmx")
    files[-1].write_bytes(files[0].read_bytes())
    before = _count(tm_schema)
    url = _schema_url(tm_schema)
    procs = [start_tm("import", f, "--db", url) for f in files]
    reads = 0
    with TMService.open(url) as service:
        while any(p.poll() is None for p in procs) or reads == 0:
            seen = service.stats()["units"]
            assert seen in {before, before + units, before + 2 * units}, seen
            service.store.concordance("国家统一", limit=5)
            reads += 1
    for proc in procs:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert not err.strip(), err
    assert _count(tm_schema) == before + 2 * units
    assert reads > 1
