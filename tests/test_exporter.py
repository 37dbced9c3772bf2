"""TMX export in worker processes writes the file one process writes, byte for byte."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tm import exporter
from tm.formats.tmx import TMXHeader, iter_tmx
from tm.service import TMService
from tm.store import open_store

STAMP = re.compile(rb'creationdate="\d{8}T\d{6}Z"')


def _bytes(path: Path) -> bytes:
    return STAMP.sub(b'creationdate="-"', path.read_bytes())


@pytest.fixture
def seeded_url(store_url: str, seed_path: Path) -> str:
    with TMService.open(store_url) as service:
        service.import_file(seed_path)
    return store_url


@pytest.mark.parametrize(
    ("segtype", "langs"),
    [(None, (None, None)), ("sentence", ("zh-Hans", "en-GB"))],
)
def test_pieces_write_the_same_file(
    seeded_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    segtype: str | None,
    langs: tuple[str | None, str | None],
) -> None:
    monkeypatch.setattr(exporter, "PIECE_IDS", 97)  # many pieces, uneven ones
    header = TMXHeader(segtype=segtype or "sentence")
    outs = {}
    with open_store(seeded_url) as store:
        for workers in (False, True):
            outs[workers] = tmp_path / f"{workers}.tmx"
            n = exporter.export_tmx(
                store,
                outs[workers],
                header=header,
                segtype=segtype,
                source_lang=langs[0],
                target_lang=langs[1],
                workers=workers,
            )
            assert n == (1109 if segtype else 1414)
    assert _bytes(outs[True]) == _bytes(outs[False])
    units = list(iter_tmx(outs[True]))
    assert len(units) == n
    if langs[0]:
        assert {u.source_lang for u in units} == {"zh-Hans"}


def test_a_stream_and_an_empty_tm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(tmp_path / "empty.db") as store:
        out = io.BytesIO()
        assert exporter.export_tmx(store, out, header=TMXHeader(), workers=True) == 0
        assert b"<body>" in out.getvalue()
        assert list(iter_tmx(io.BytesIO(out.getvalue()))) == []
