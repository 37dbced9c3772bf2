"""Format registry: pick a reader from the extension, or sniff the first bytes.

Readers are imported lazily so that using one format does not load the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tm.errors import ConfigError, FormatError
from tm.models import TranslationUnit
from tm.text.normalize import has_han

FORMATS = ("bilingual", "tmx", "tsv", "csv", "xliff")


def detect_format(path: str | Path) -> str:
    """The format name of ``path`` from its extension or its first bytes.

    Raises:
        FormatError: the file is empty, unreadable, or of no known format.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    try:
        with open(p, "rb") as fh:
            head = fh.read(65536)
    except OSError as exc:
        raise FormatError(
            str(path), None, f"cannot read: {exc.strerror or exc}"
        ) from exc
    if not head.strip(b" \t\r\n\xef\xbb\xbf\xff\xfe\x00"):
        raise FormatError(str(path), 1, "the file is empty")
    if suffix == ".tmx":
        return "tmx"
    if suffix in (".tsv", ".tab"):
        return "tsv"
    if suffix == ".csv":
        return "csv"
    if suffix in (".xlf", ".xliff", ".sdlxliff", ".mqxliff"):
        return "xliff"
    sniff = _sniff_text(head)
    if "<tmx" in sniff[:4096]:
        return "tmx"
    if "<xliff" in sniff[:4096]:
        return "xliff"
    if suffix == ".txt" or suffix == "":
        from tm.formats.bilingual import looks_bilingual

        if looks_bilingual(sniff):
            return "bilingual"
        if "\t" in sniff.split("\n", 1)[0]:
            return "tsv"
    # An undecodable file (Big5, UTF-16 without BOM) gets the decoder's exact complaint.
    from tm.formats._text import read_text

    if suffix not in WORD_PROCESSOR_SUFFIXES:
        read_text(p)
    raise FormatError(
        str(path), 1, "unknown format", hint=unknown_format_hint(p, sniff)
    )


READABLE = (
    "tm import reads bilingual files: TMX, XLIFF (.xlf), two-column TSV or CSV "
    "(Chinese, English), the bulleted bilingual .txt of examples/, an OmegaT project folder"
)
WORD_PROCESSOR_SUFFIXES = (".docx", ".doc", ".odt", ".rtf", ".pdf", ".wps")


def unknown_format_hint(path: Path, text: str) -> str:
    """What to do with a file tm cannot import: say what tm reads, and how to get
    there from what the file looks like (a Word or PDF file, a monolingual document,
    Chinese and English on alternating lines)."""
    suffix = path.suffix.lower()
    if suffix in WORD_PROCESSOR_SUFFIXES:
        how = (
            f"pdftotext -enc UTF-8 -layout {path} (poppler-utils)"
            if suffix == ".pdf"
            else f'libreoffice --headless --convert-to "txt:Text (encoded):UTF8" {path}'
            " (or Save As > Plain Text, UTF-8)"
        )
        return (
            f"tm reads text, not {suffix} files: get the text out with {how}, then "
            f"tm analyze or tm pretranslate the .txt. A bilingual table: save it as "
            f"CSV. {READABLE}"
        )
    if suffix not in (".txt", ".text", ""):
        return READABLE
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:200]
    han = [has_han(ln) for ln in lines]
    if len(lines) >= 4 and all(h == (i % 2 == 0) for i, h in enumerate(han)):
        return (
            "Chinese and English alternate line by line: put each pair on one line, "
            "Chinese, a tab, English, and name the file .tsv. " + READABLE
        )
    if lines and sum(han) >= 0.8 * len(lines):
        return (
            "this looks like a document to translate (Chinese only): "
            f"tm analyze {path}, or tm pretranslate {path} -o OUT.xlf. " + READABLE
        )
    return READABLE


def _sniff_text(head: bytes) -> str:
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[2:].decode(enc, errors="ignore")
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # the head cut a character in two
            return head[: exc.start].decode("utf-8")
    # GB18030 from Chinese Windows tools; _text.decode decides later whether to accept it.
    return head.decode("gb18030", errors="ignore")


def read_units(
    path: str | Path, *, fmt: str | None = None, encoding: str | None = None
) -> Iterator[TranslationUnit]:
    """Yield the units of ``path`` with the reader for ``fmt`` (detected when None)."""
    fmt = fmt or detect_format(path)
    if fmt == "tmx":
        from tm.formats.tmx import iter_tmx

        return iter_tmx(path)
    if fmt == "tsv":
        from tm.formats.tabular import iter_tsv

        return iter_tsv(path, encoding=encoding)
    if fmt == "csv":
        from tm.formats.tabular import iter_csv

        return iter_csv(path, encoding=encoding)
    if fmt == "bilingual":
        from tm.formats.bilingual import iter_bilingual

        return iter_bilingual(path, encoding=encoding)
    if fmt == "xliff":
        from tm.formats.xliff import iter_xliff

        return iter_xliff(path)
    raise FormatError(str(path), None, f"unknown format {fmt!r}")


def detect_document_format(path: str | Path) -> str:
    """Like :func:`detect_format`, for documents to translate: plain text is ``plaintext``."""
    try:
        return detect_format(path)
    except FormatError as exc:
        if Path(path).suffix.lower() in (
            ".txt",
            ".text",
            "",
        ) and "unknown format" in str(exc):
            return "plaintext"
        raise


def output_format(
    dest: str | Path,
    requested: str | None,
    extensions: dict[str, str],
    *,
    default: str,
    folder: str | None = None,
) -> str:
    """The format to write ``dest`` in: from ``--format``, or from the file name.

    Args:
        dest: the output path; ``-`` (stdout) has no name to go by.
        requested: the format asked for with ``--format``, if any.
        extensions: the writable extensions (".tmx") and the format each means;
            several formats may share one extension (XLIFF 1.2 and 2.0 in ``.xlf``).
        default: the format for ``-`` or a name without extension.
        folder: the format that writes a folder (OmegaT), if any: chosen for an
            existing folder, and the only one an existing folder may take.

    Raises:
        ConfigError: the name's extension is not one tm can write, or it contradicts
            ``requested`` (a usage error: exit 2, nothing written).
    """
    if str(dest) == "-":
        if requested is not None and requested == folder:
            raise ConfigError(f"--format {requested} writes a folder: name it with -o")
        return requested or default
    path = Path(dest)
    if folder is not None and (requested == folder or path.is_dir()):
        if requested not in (None, folder):
            raise ConfigError(
                f"{dest} is a folder; --format {requested} writes a file",
                hint=f"name a file, or use --format {folder}",
            )
        if path.suffix.lower() in extensions:
            raise ConfigError(
                f"{dest} names a {path.suffix} file; --format {folder} writes a folder",
                hint="name a folder with -o",
            )
        return folder
    suffix = path.suffix.lower()
    if not suffix:
        return requested or default
    meant = [fmt for ext, fmt in extensions.items() if ext == suffix]
    if not meant:
        known = ", ".join(sorted(set(extensions)))
        raise ConfigError(
            f"tm cannot write {suffix} files ({dest})",
            hint=f"name the output {known}" + (" or a folder" if folder else ""),
        )
    if requested is None:
        return meant[0]
    if requested not in _family(meant):
        raise ConfigError(
            f"--format {requested} contradicts the output name {path.name} "
            f"({suffix} is {meant[0]})",
            hint="drop --format, or give the file the matching extension",
        )
    return requested


def _family(meant: list[str]) -> set[str]:
    """Formats an extension stands for, with their siblings (xliff12 and xliff20)."""
    out = set(meant)
    for fmt in meant:
        out.update(FORMAT_FAMILIES.get(fmt, ()))
    return out


# Formats written to files with the same extension.
FORMAT_FAMILIES = {
    "xliff12": ("xliff12", "xliff20"),
    "xliff20": ("xliff12", "xliff20"),
    "tbx": ("tbx", "tbx2008"),
    "tbx2008": ("tbx", "tbx2008"),
}
