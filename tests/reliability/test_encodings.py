"""Encodings: every encoding a client may send gives the same units, or a clear refusal.

The seed file, a TMX and a TSV are each re-encoded (UTF-8 with and without BOM, UTF-16
LE/BE with BOM as Trados writes, GB18030/GBK as Chinese Windows tools write) and must
import to exactly the units of the UTF-8 original. Encodings we cannot tell apart from
mojibake (Big5 read as GBK, UTF-16 without BOM, a lying XML declaration) are refused
with file:line, never stored.
"""

from __future__ import annotations

import io
from pathlib import Path

import opencc
import pytest

from tm.errors import FormatError
from tm.formats.tabular import write_tsv
from tm.service import TMService

from ._support import SEED, seed_tmx_text, seed_units, units_checksum

TEXT_ENCODINGS = ["utf-8", "utf-8-sig", "utf-16-le-bom", "utf-16-be-bom", "gb18030"]
# GBK lacks "•" (the seed's bullet), so GBK is tried where the text fits: TSV, TMX.


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-le-bom":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if encoding == "utf-16-be-bom":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(encoding)


def import_digest(tmp_path: Path, label: str, name: str, data: bytes, **kw: str) -> str:
    folder = tmp_path / label
    folder.mkdir()
    path = folder / name
    path.write_bytes(data)
    db = folder / "tm.db"
    with TMService.open(db) as service:
        report = service.import_file(path, **kw)
    assert report.added > 0
    return units_checksum(db)


def seed_tsv_text() -> str:
    buf = io.StringIO()
    write_tsv(seed_units(120), buf, header=("zh-CN", "en-US"))
    return buf.getvalue()


@pytest.mark.parametrize("encoding", TEXT_ENCODINGS)
def test_seed_format_in_every_encoding(encoding: str, tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    want = import_digest(tmp_path, "ref", "seed.txt", text.encode())
    got = import_digest(tmp_path, encoding, "seed.txt", encode(text, encoding))
    assert got == want


@pytest.mark.parametrize("encoding", [*TEXT_ENCODINGS, "gbk"])
def test_tsv_in_every_encoding(encoding: str, tmp_path: Path) -> None:
    text = seed_tsv_text()
    want = import_digest(tmp_path, "ref", "units.tsv", text.encode())
    got = import_digest(tmp_path, encoding, "units.tsv", encode(text, encoding))
    assert got == want


@pytest.mark.parametrize(
    ("encoding", "declared"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8"),
        ("utf-16-le-bom", "UTF-16"),
        ("utf-16-be-bom", "UTF-16"),
        ("gb18030", "GB18030"),
        ("gbk", "GBK"),
    ],
)
def test_tmx_in_every_encoding(encoding: str, declared: str, tmp_path: Path) -> None:
    text = seed_tmx_text()
    want = import_digest(tmp_path, "ref", "units.tmx", text.encode())
    redeclared = text.replace("encoding='UTF-8'", f"encoding='{declared}'", 1)
    got = import_digest(tmp_path, encoding, "units.tmx", encode(redeclared, encoding))
    assert got == want


def _refused(tmp_path: Path, name: str, data: bytes) -> FormatError:
    path = tmp_path / name
    path.write_bytes(data)
    db = tmp_path / "tm.db"
    with TMService.open(db) as service, pytest.raises(FormatError) as info:
        service.import_file(path)
    with TMService.open(db) as service:
        assert service.stats()["units"] == 0
    assert info.value.path == str(path)
    assert info.value.line is not None
    return info.value


def test_big5_is_refused_not_read_as_gbk(tmp_path: Path) -> None:
    """Big5 bytes are valid GBK pairs: decoding them would store mojibake silently."""
    traditional = opencc.OpenCC("s2t").convert(SEED.read_text(encoding="utf-8"))
    data = traditional.encode("big5", errors="replace")
    err = _refused(tmp_path, "seed.txt", data)
    assert "UTF-8" in err.detail
    assert "Big5" in (err.hint or "")


def test_big5_named_with_encoding_is_read_exactly(tmp_path: Path) -> None:
    traditional = opencc.OpenCC("s2t").convert(SEED.read_text(encoding="utf-8"))
    path = tmp_path / "seed.txt"
    path.write_bytes(traditional.encode("big5", errors="replace"))
    with TMService.open(tmp_path / "tm.db") as service:
        service.import_file(path, fmt="bilingual", encoding="big5")
        sources = {u.source for u in service.store.iter_units()}
    assert any("國" in s for s in sources)
    assert all(s.isprintable() for s in sources)


def test_traditional_text_saved_as_gbk_is_accepted(tmp_path: Path) -> None:
    traditional = opencc.OpenCC("s2t").convert(SEED.read_text(encoding="utf-8"))
    want = import_digest(tmp_path, "ref", "seed.txt", traditional.encode())
    got = import_digest(tmp_path, "gbk", "seed.txt", traditional.encode("gb18030"))
    assert got == want


@pytest.mark.parametrize("suffix", [".txt", ".tsv"])
def test_utf16_without_bom_is_refused(suffix: str, tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8") if suffix == ".txt" else seed_tsv_text()
    err = _refused(tmp_path, f"doc{suffix}", text.encode("utf-16-le"))
    assert "NUL" in err.detail or "UTF-8" in err.detail


@pytest.mark.parametrize(
    ("declared", "actual"),
    [("GBK", "utf-8"), ("ISO-8859-1", "utf-8"), ("Big5", "utf-8"), ("UTF-8", "gbk")],
)
def test_tmx_whose_declaration_lies_is_refused(
    declared: str, actual: str, tmp_path: Path
) -> None:
    text = seed_tmx_text().replace("encoding='UTF-8'", f"encoding='{declared}'", 1)
    err = _refused(tmp_path, "lying.tmx", text.encode(actual))
    assert "encoding" in err.detail.lower() or "bytes" in err.detail.lower()


def test_utf16_tmx_without_bom_is_read_by_content(tmp_path: Path) -> None:
    """XML names its encoding: a BOM-less UTF-16 TMX is detected from '<?xml'."""
    text = seed_tmx_text().replace("encoding='UTF-8'", "encoding='UTF-16'", 1)
    want = import_digest(tmp_path, "ref", "u.tmx", seed_tmx_text().encode())
    assert import_digest(tmp_path, "le", "u.tmx", text.encode("utf-16-le")) == want
