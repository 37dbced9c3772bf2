"""OmegaT (the Debian package, headless) inserts the English we export for a seed paragraph."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tm.service import TMService

pytestmark = pytest.mark.omegat

PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
    <project version="1.0">
        <source_dir>__DEFAULT__</source_dir>
        <target_dir>__DEFAULT__</target_dir>
        <tm_dir>__DEFAULT__</tm_dir>
        <glossary_dir>__DEFAULT__</glossary_dir>
        <glossary_file>__DEFAULT__</glossary_file>
        <dictionary_dir>__DEFAULT__</dictionary_dir>
        <source_lang>zh-CN</source_lang>
        <target_lang>en-US</target_lang>
        <source_tok>org.omegat.tokenizer.LuceneSmartChineseTokenizer</source_tok>
        <target_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</target_tok>
        <sentence_seg>false</sentence_seg>
        <support_default_translations>true</support_default_translations>
        <remove_tags>false</remove_tags>
    </project>
</omegat>
"""


def make_project(root: Path) -> Path:
    """An OmegaT project folder (paragraph segmentation) with empty source/ and tm/auto/."""
    for sub in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "omegat.project").write_text(PROJECT, encoding="utf-8")
    return root


def run_omegat(project: Path) -> subprocess.CompletedProcess[str]:
    omegat = shutil.which("omegat")
    if omegat is None:
        pytest.skip("OmegaT is not installed (Debian package omegat; CI installs it)")
    return subprocess.run(
        [omegat, str(project), "--mode=console-translate"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_omegat_inserts_the_stored_english(
    tmp_path: Path, seed_db_master: Path
) -> None:
    project = make_project(tmp_path / "proj")
    with TMService.open(seed_db_master) as service:
        service.export(
            project / "tm" / "auto" / "seed.tmx", fmt="tmx", segtype="paragraph"
        )
        unit = next(
            u for u in service.store.iter_units() if u.source.startswith("你们关于开展")
        )
    (project / "source" / "doc.txt").write_text(unit.source + "\n", encoding="utf-8")
    result = run_omegat(project)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    translated = (project / "target" / "doc.txt").read_text(encoding="utf-8")
    assert translated.strip() == unit.target
