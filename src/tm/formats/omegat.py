"""OmegaT projects: write one that OmegaT (3.6 and later) opens as is, and find the work
a translator saved in one.

A project written here holds:

* ``omegat.project`` — source and target language, sentence segmentation on;
* ``omegat/segmentation.conf`` — our sentence rules (``tm/text/segment_rules.yaml``)
  in the form OmegaT loads project rules from (a ``java.beans.XMLEncoder`` file of
  its ``SRX`` class), plus a break at every line end, so OmegaT cuts the document into
  the segments tm analysed and matched;
* ``source/`` — the document (verbatim when OmegaT's line-based reading of it gives
  our paragraphs; otherwise with each paragraph on one line);
* ``tm/auto/`` — the exact and context matches: OmegaT inserts these on loading;
* ``tm/`` — the fuzzy (and repaired) matches, shown in the Fuzzy Matches pane;
* ``glossary/`` — the term base in OmegaT's tab format (a ``.txt`` file: OmegaT does
  not read ``.tsv``), each forbidden rendering on its own line with the comment
  ``FORBIDDEN: <rendering>; use: <approved>``, which the glossary pane shows under
  the term.

A translator's work comes back in ``omegat/project_save.tmx`` (written on every save;
TMX 1.1 with the author and dates on each target ``<tuv>``), or in the TMX files
OmegaT exports to the project folder when it creates the translated documents.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from tm.errors import ConfigError, FormatError
from tm.formats._text import read_text
from tm.formats.status import mark
from tm.models import TermEntry, TranslationUnit, UnitStatus

PROJECT_FILE = "omegat.project"
SAVED_TM = Path("omegat") / "project_save.tmx"
# OmegaT compares this with its own SRX version; an older one makes it merge its
# default rules into ours, which would change the segmentation.
SRX_VERSION = "0.2.2"
_TOKENIZERS = {
    "zh": "org.omegat.tokenizer.LuceneSmartChineseTokenizer",
    "en": "org.omegat.tokenizer.LuceneEnglishTokenizer",
}
_DEFAULT_TOKENIZER = "org.omegat.tokenizer.DefaultTokenizer"
_SUBDIRS = ("source", "target", "tm/auto", "glossary", "dictionary", "omegat")


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    """What a written project holds."""

    path: str
    document: str
    auto: int
    reference: int
    glossary: int


# -- reading ------------------------------------------------------------------------


def is_project(path: str | Path) -> bool:
    return (Path(path) / PROJECT_FILE).is_file()


def project_tmx(path: str | Path) -> Path:
    """The TMX holding a project's translations: the saved project TM, else the export.

    Raises:
        FormatError: the folder is not an OmegaT project, or holds no translations yet.
    """
    root = Path(path)
    if not is_project(root):
        raise FormatError(
            str(root),
            None,
            f"a folder, but not an OmegaT project (no {PROJECT_FILE})",
            hint="import files, or an OmegaT project folder",
        )
    saved = root / SAVED_TM
    if saved.is_file():
        return saved
    exported = sorted(root.glob("*-omegat.tmx"))
    if exported:
        return exported[0]
    raise FormatError(
        str(root),
        None,
        f"the OmegaT project has no saved translations ({SAVED_TM} is missing)",
        hint="save the project in OmegaT first",
    )


def translator_units(
    units: Iterable[TranslationUnit], project: str | Path
) -> Iterator[TranslationUnit]:
    """The units of a project's TM, those that are not the translator's work marked
    unconfirmed: a translation OmegaT inserted from ``tm/auto/`` on loading and
    nobody changed (the TM's own match coming back), or one nobody signed (OmegaT
    puts the author and date on the ``<tuv>`` of what a person entered)."""
    from tm.formats.tmx import iter_tmx

    auto: set[tuple[str, str]] = set()
    for path in sorted((Path(project) / "tm" / "auto").glob("*.tmx")):
        auto.update((u.source, u.target) for u in iter_tmx(path))
    for unit in units:
        if (unit.source, unit.target) in auto:
            yield mark(unit, UnitStatus.UNCONFIRMED, "OmegaT inserted it from tm/auto")
        elif not (unit.created_by or unit.changed_by):
            yield mark(unit, UnitStatus.UNCONFIRMED, "unsigned in the OmegaT project")
        else:
            yield unit


# -- writing ------------------------------------------------------------------------


def write_project(
    dest: str | Path,
    *,
    document_name: str,
    document_text: str,
    auto: Iterable[TranslationUnit],
    reference: Iterable[TranslationUnit],
    glossary: Iterable[TermEntry] | None = None,
    glossary_name: str = "tm-glossary",
    source_lang: str = "zh-CN",
    target_lang: str = "en-US",
) -> ProjectSummary:
    """Write an OmegaT project folder at ``dest``; returns what it holds.

    The folder is built beside ``dest`` and renamed into place, so an error leaves
    nothing behind. An existing ``dest`` must be empty, or a project tm wrote that
    holds no saved translations (it is replaced).

    Raises:
        ConfigError: ``dest`` exists and holds anything else.
    """
    from tm.formats.glossary_table import write_glossary_table
    from tm.formats.tmx import TMXHeader, write_tmx

    dest = Path(dest)
    _check_dest(dest)
    parent = dest.parent if str(dest.parent) else Path(".")
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=parent))
    try:
        for sub in _SUBDIRS:
            (tmp / sub).mkdir(parents=True, exist_ok=True)
        (tmp / PROJECT_FILE).write_text(
            project_xml(source_lang, target_lang), encoding="utf-8"
        )
        (tmp / "omegat" / "segmentation.conf").write_text(
            segmentation_conf(source_lang), encoding="utf-8"
        )
        (tmp / "source" / document_name).write_text(document_text, encoding="utf-8")
        stem = Path(document_name).stem
        header = TMXHeader(srclang=source_lang, tgtlang=target_lang)
        n_auto = write_tmx(auto, tmp / "tm" / "auto" / f"{stem}.tmx", header=header)
        n_ref = write_tmx(reference, tmp / "tm" / f"{stem}.tmx", header=header)
        n_terms = 0
        if glossary is not None:
            n_terms = write_glossary_table(
                glossary, tmp / "glossary" / f"{glossary_name}.txt"
            )
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ProjectSummary(str(dest), document_name, n_auto, n_ref, n_terms)


def _check_dest(dest: Path) -> None:
    if not dest.exists():
        return
    if not dest.is_dir():
        raise ConfigError(
            f"{dest}: exists and is not a folder; an OmegaT project is a folder",
            hint="name a new folder with -o",
        )
    if not any(dest.iterdir()):
        return
    if is_project(dest) and not (dest / SAVED_TM).exists():
        return  # a project we wrote and nobody worked in: write it afresh
    raise ConfigError(
        f"{dest}: the folder is not empty"
        + (" and holds a translator's saved work" if is_project(dest) else ""),
        hint="name a new folder with -o (tm never overwrites work)",
    )


def project_xml(source_lang: str, target_lang: str) -> str:
    """The ``omegat.project`` file: default folders, languages, sentence segmentation."""
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
    <project version="1.0">
        <source_dir>__DEFAULT__</source_dir>
        <source_dir_excludes>
            <mask>**/.svn/**</mask>
            <mask>**/CVS/**</mask>
            <mask>**/.git/**</mask>
        </source_dir_excludes>
        <target_dir>__DEFAULT__</target_dir>
        <tm_dir>__DEFAULT__</tm_dir>
        <glossary_dir>__DEFAULT__</glossary_dir>
        <glossary_file>__DEFAULT__</glossary_file>
        <dictionary_dir>__DEFAULT__</dictionary_dir>
        <source_lang>{escape(source_lang)}</source_lang>
        <target_lang>{escape(target_lang)}</target_lang>
        <source_tok>{_tokenizer(source_lang)}</source_tok>
        <target_tok>{_tokenizer(target_lang)}</target_tok>
        <sentence_seg>true</sentence_seg>
        <support_default_translations>true</support_default_translations>
        <remove_tags>false</remove_tags>
    </project>
</omegat>
"""


def _tokenizer(lang: str) -> str:
    return _TOKENIZERS.get(lang.split("-")[0].lower(), _DEFAULT_TOKENIZER)


def segmentation_conf(source_lang: str) -> str:
    """Our sentence rules for ``source_lang`` as OmegaT's project ``segmentation.conf``.

    The rule table's exceptions come first (no break), then the break after a
    terminator and its closers, then a break at every line end: OmegaT reads a text
    file's paragraphs by blank lines, while tm reads each line as its own paragraph.
    """
    from tm.text.segment import rule_table

    spec = rule_table(source_lang)
    term = _java_class(spec["terminators"])
    close = _java_class(spec["closers"])
    rules: list[tuple[bool, str, str]] = [
        (bool(row["break"]), row["before"], row.get("after") or ".")
        for row in spec["rules"]
    ]
    after = r"\s" if spec["needs_space"] else "."
    rules.append((True, f"{term}{close}*", after))
    rules.append((True, r"\n", "."))
    pattern = source_lang.split("-")[0].upper() + ".*"
    return _srx_xml(pattern, rules)


def _java_class(chars: str) -> str:
    special = "\\[]^-&"
    return "[" + "".join(f"\\{c}" if c in special else c for c in chars) + "]"


def _srx_xml(pattern: str, rules: list[tuple[bool, str, str]]) -> str:
    items = "\n".join(
        f"""       <void method="add">
        <object class="org.omegat.core.segmentation.Rule">
         <void property="afterbreak"><string>{escape(after)}</string></void>
         <void property="beforebreak"><string>{escape(before)}</string></void>
         <void property="breakRule"><boolean>{str(brk).lower()}</boolean></void>
        </object>
       </void>"""
        for brk, before, after in rules
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by tm: the sentence rules tm segments with, so OmegaT's segments are tm's. -->
<java version="1.8.0" class="java.beans.XMLDecoder">
 <object class="org.omegat.core.segmentation.SRX">
  <void property="mappingRules">
   <void method="add">
    <object class="org.omegat.core.segmentation.MapRule">
     <void property="language"><string>tm ({escape(pattern)})</string></void>
     <void property="pattern"><string>{escape(pattern)}</string></void>
     <void property="rules">
      <object class="java.util.ArrayList">
{items}
      </object>
     </void>
    </object>
   </void>
  </void>
  <void property="version"><string>{SRX_VERSION}</string></void>
 </object>
</java>
"""


def source_text(
    path: str | Path,
    paragraphs: list[list[str]],
    *,
    encoding: str | None = None,
    source_lang: str = "zh-CN",
) -> tuple[str, str]:
    """The file name and text to put in ``source/`` for the document at ``path``.

    A plain-text document goes in as it is when OmegaT, which breaks at every line
    end, gets the segments tm got — true of a paragraph on one line, and of one on
    several lines that each end a sentence; any other paragraph tm joined from
    several lines is written on one line, everything else staying in place. Any other document (seed
    format, XLIFF, TMX) becomes a text file of its ``paragraphs`` (lists of segments),
    one segment per line and a blank line between paragraphs.

    Raises:
        FormatError: the document cannot be read.
    """
    from tm.formats import detect_document_format

    name = os.path.basename(str(path))
    if detect_document_format(path) != "plaintext":
        text = "\n\n".join("\n".join(p) for p in paragraphs if p)
        return f"{Path(name).stem}.txt", text + "\n"
    from tm.formats.plaintext import parse_plaintext

    text, _ = read_text(path, encoding=encoding)
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    doc = parse_plaintext(text, str(path))
    joined = {
        p.line: p.text
        for p in doc.paragraphs
        if not _same_segments(p.text, lines[p.line - 1 :], source_lang)
    }
    if not joined:
        return name, text
    out: list[str] = []
    skip_until = 0
    for n, line in enumerate(lines, 1):
        if n in joined:
            out.append(joined[n] + "\n")
            skip_until = n + _continuation_lines(lines, n, joined[n])
        elif n > skip_until:
            out.append(line)
    return name, "".join(out)


def _same_segments(paragraph: str, lines: list[str], lang: str) -> bool:
    """Whether the paragraph's lines, segmented each on its own, give its segments."""
    from tm.text.segment import split_sentences

    whole = split_sentences(paragraph, lang)
    parts: list[str] = []
    taken = ""
    for line in lines:
        piece = line.strip(" \t\u00a0\u3000\r\n")
        taken += piece
        parts += split_sentences(piece, lang)
        if len(taken) >= len(paragraph):
            break
    return taken == paragraph and parts == whole


def _continuation_lines(lines: list[str], start: int, paragraph: str) -> int:
    """How many lines after ``start`` (1-based) the paragraph tm joined still takes."""
    taken = lines[start - 1].strip(" \t\u00a0\u3000\r\n")
    n = 0
    while len(taken) < len(paragraph) and start + n < len(lines):
        taken += lines[start + n].strip(" \t\u00a0\u3000\r\n")
        n += 1
    return n
