"""Hostile XML: entity bombs, external entities, remote DTDs, depth and size.

Each attack is refused (or read harmlessly) without expanding anything, reading any
local file or touching the network, and ``tm import`` says so in one line with the
file and line, exits 3 and leaves the TM as it was.
"""

from __future__ import annotations

import io
import re
import resource
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from tm.errors import FormatError
from tm.formats.tbx import iter_tbx, write_tbx
from tm.formats.tmx import iter_tmx
from tm.formats.xliff import iter_xliff
from tm.models import TranslationUnit
from tm.terms import TermEntry
from tm.terms.glossary import parse_glossary

from ._support import count_units, run_tm, tmx_bytes, units_checksum, xliff_bytes

HEADER = '<header srclang="zh-CN" segtype="sentence"/>'


def _tmx(body: str, *, dtd: str = "", root_attrs: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{dtd}\n'
        f'<tmx version="1.4"{root_attrs}>\n{HEADER}\n<body>\n{body}\n</body>\n</tmx>\n'
    ).encode()


def _tu(zh: str, en: str = "x") -> str:
    return (
        f'<tu><tuv xml:lang="zh-CN"><seg>{zh}</seg></tuv>'
        f'<tuv xml:lang="en-US"><seg>{en}</seg></tuv></tu>'
    )


LAUGHS = "".join(
    ['<!ENTITY lol0 "哈哈">']
    + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
)
BIG = "x" * 50_000

ATTACKS = {
    "billion-laughs": _tmx(_tu("&lol9;"), dtd=f"<!DOCTYPE tmx [{LAUGHS}]>"),
    "billion-laughs-attribute": _tmx(
        _tu("甲"), dtd=f"<!DOCTYPE tmx [{LAUGHS}]>", root_attrs=' a="&lol9;"'
    ),
    "quadratic-blowup": _tmx(
        _tu("&q;" * 20_000), dtd=f'<!DOCTYPE tmx [<!ENTITY q "{BIG}">]>'
    ),
    "quadratic-blowup-attribute": _tmx(
        _tu("甲"),
        dtd=f'<!DOCTYPE tmx [<!ENTITY q "{BIG}">]>',
        root_attrs=f' a="{"&q;" * 20_000}"',
    ),
    "xxe-passwd": _tmx(
        _tu("&xxe;"), dtd='<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    ),
    "xxe-passwd-attribute": _tmx(
        _tu("甲"),
        dtd='<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        root_attrs=' a="&xxe;"',
    ),
    "xxe-parameter-entity": _tmx(
        _tu("甲"),
        dtd='<!DOCTYPE tmx [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
    ),
    "undefined-entity": _tmx(_tu("甲&nbsp;乙")),
    "deep-nesting": _tmx(_tu("<g>" * 5000 + "深" + "</g>" * 5000)),
    "huge-unit": _tmx(_tu("甲" + "<ph/>" * 100_000)),
}


def _assert_one_line_error(stderr: str, path: Path) -> re.Match[str]:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert lines, "no error message"
    m = re.match(rf"^tm: error: {re.escape(str(path))}:(\d+): \S", lines[0])
    assert m, f"not 'tm: error: FILE:LINE: …': {lines[0]!r}"
    assert all(ln.startswith("  hint:") for ln in lines[1:]), stderr
    return m


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_refused_by_reader(name: str) -> None:
    start = time.monotonic()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(FormatError) as info:
        list(iter_tmx(io.BytesIO(ATTACKS[name]), name=f"{name}.tmx"))
    assert time.monotonic() - start < 5
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
    assert grown_mb < 200, f"memory grew by {grown_mb:.0f} MB"
    err = info.value
    assert err.line is not None
    assert "root:" not in str(err)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_refused_by_cli(
    name: str, tmp_path: Path, guarded_db: Path, guarded_sum: str
) -> None:
    path = tmp_path / f"{name}.tmx"
    path.write_bytes(ATTACKS[name])
    result = run_tm("import", path, "--db", guarded_db, timeout=60)
    assert result.returncode == 3, result.stderr
    _assert_one_line_error(result.stderr, path)
    assert "root:x:0:0" not in result.stdout + result.stderr
    assert units_checksum(guarded_db) == guarded_sum


def test_passwd_never_reaches_the_tm(tmp_path: Path) -> None:
    """Even the attacks that a lax parser would accept store no byte of /etc/passwd."""
    db = tmp_path / "tm.db"
    for name in ("xxe-passwd", "xxe-parameter-entity", "xxe-passwd-attribute"):
        path = tmp_path / f"{name}.tmx"
        path.write_bytes(ATTACKS[name])
        run_tm("import", path, "--db", db, timeout=60)
    xinclude = tmp_path / "xinclude.tmx"
    xinclude.write_bytes(
        _tmx(
            _tu('甲<xi:include href="/etc/passwd" parse="text"/>'),
            root_attrs=' xmlns:xi="http://www.w3.org/2001/XInclude"',
        )
    )
    result = run_tm("import", xinclude, "--db", db, timeout=60)
    assert result.returncode == 0, result.stderr  # read, but never included
    data = db.read_bytes()
    for wal in db.parent.glob("tm.db-*"):
        data += wal.read_bytes()
    assert b"root:x:0:0" not in data
    assert count_units(db) == 1


class _Listener:
    """A local TCP port that records whether anyone connected to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def test_no_network_fetch_for_external_dtd_or_entity(tmp_path: Path) -> None:
    listener = _Listener()
    try:
        url = f"http://127.0.0.1:{listener.port}"
        external_dtd = tmp_path / "external-dtd.tmx"
        external_dtd.write_bytes(
            _tmx(_tu("甲"), dtd=f'<!DOCTYPE tmx SYSTEM "{url}/tmx14.dtd">')
        )
        remote_entity = tmp_path / "remote-entity.tmx"
        remote_entity.write_bytes(
            _tmx(_tu("&r;"), dtd=f'<!DOCTYPE tmx [<!ENTITY r SYSTEM "{url}/e">]>')
        )
        db = tmp_path / "tm.db"
        ok = run_tm("import", external_dtd, "--db", db, timeout=60)
        refused = run_tm("import", remote_entity, "--db", db, timeout=60)
        time.sleep(0.3)
    finally:
        listener.close()
    # A DOCTYPE naming the TMX DTD is normal in real files: read, DTD not fetched.
    assert ok.returncode == 0, ok.stderr
    assert refused.returncode == 3, refused.stderr
    _assert_one_line_error(refused.stderr, remote_entity)
    assert listener.hits == 0, "the parser fetched something over the network"


@pytest.mark.parametrize("version", ["1.2", "2.0"])
def test_unit_bounds_let_large_real_files_through(version: str) -> None:
    """The per-unit bounds apply below the containers: a 25k-segment XLIFF reads whole."""
    units = [
        TranslationUnit(source=f"第{i}段", target=f"Paragraph {i}")
        for i in range(25_000)
    ]
    data = xliff_bytes(units, version)
    assert sum(1 for _ in iter_xliff(io.BytesIO(data), name="big.xlf")) == 25_000
    tmx = tmx_bytes(units)
    assert sum(1 for _ in iter_tmx(io.BytesIO(tmx), name="big.tmx")) == 25_000


def _tbx_template(dialect: str) -> str:
    buf = io.BytesIO()
    write_tbx([TermEntry(zh="占位词", en="placeholder")], buf, dialect=dialect)
    return buf.getvalue().decode().replace("占位词", "{text}")


XLIFF_BODY = (
    '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
    '<file original="a" source-language="zh-CN" target-language="en-US" '
    'datatype="plaintext"><body><trans-unit id="1"><source>{text}</source>'
    "</trans-unit></body></file></xliff>"
)
# Every XML reader: how to read a stream, and a document holding ``{text}``.
XML_READERS = [
    pytest.param(
        lambda fh: list(iter_tmx(fh, name="a.tmx")),
        _tmx(_tu("{text}")).decode(),
        id="tmx",
    ),
    pytest.param(lambda fh: list(iter_xliff(fh, name="a.xlf")), XLIFF_BODY, id="xliff"),
    pytest.param(lambda fh: list(iter_tbx(fh)), _tbx_template("v3"), id="tbx-v3"),
    pytest.param(lambda fh: list(iter_tbx(fh)), _tbx_template("2008"), id="tbx-2008"),
]
DTDS = {
    "billion-laughs": (f"<!DOCTYPE x [{LAUGHS}]>", "&lol9;"),
    "xxe": ('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "&e;"),
    "undefined": ("", "&nbsp;"),
}


@pytest.mark.parametrize("attack", sorted(DTDS))
@pytest.mark.parametrize(("read", "template"), XML_READERS)
def test_every_xml_reader_refuses(
    attack: str, read: Callable[[IO[bytes]], object], template: str
) -> None:
    dtd, ref = DTDS[attack]
    body = template.replace("{text}", f"甲{ref}乙")
    if body.startswith("<?xml"):
        decl, rest = body.split("?>", 1)
        doc = f"{decl}?>{dtd}{rest}"
    else:
        doc = f'<?xml version="1.0" encoding="UTF-8"?>{dtd}{body}'
    with pytest.raises(FormatError) as info:
        read(io.BytesIO(doc.encode()))
    assert info.value.line is not None
    assert "root:" not in str(info.value)


def _alias_bomb(field: str) -> str:
    """A YAML "billion laughs": nine levels of nine aliases each (9**9 leaves)."""
    text = "glossary:\n  name: bomb\nentries:\n"
    text += f"- zh: 甲\n  en: a\n  {field}: &v0 [" + ", ".join(['"lol"'] * 9) + "]\n"
    for i in range(1, 10):
        refs = ", ".join([f"*v{i - 1}"] * 9)
        text += f"- zh: 甲{i}\n  en: a\n  {field}: &v{i} [{refs}]\n"
    return text


@pytest.mark.parametrize("field", ["variants", "en", "note", "seen"])
def test_yaml_glossary_alias_bomb(field: str) -> None:
    start = time.monotonic()
    with pytest.raises(FormatError) as info:
        parse_glossary(_alias_bomb(field), "bomb.yaml")
    assert time.monotonic() - start < 5
    assert info.value.line is not None
