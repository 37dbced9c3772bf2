"""Layering (STYLE.md §3; the layers are listed in ``tm/service/__init__.py``).

``lint-imports`` checks the import-linter contracts of pyproject.toml; a broken
contract fails this test. The contracts name modules one by one, so a test also
checks that every module of ``tm`` is placed in a layer, and one proves the contracts
bite by breaking one in a copy of the package.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "tm"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

SHELLS = {"tm.cli", "tm.tui", "tm.server"}
SHELL_MAY_IMPORT = {"tm.service", "tm.models", "tm.errors"}
ROOT_MODULES = {"tm.__init__", "tm.__main__"}  # the public facade and `python -m tm`


def contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def lint_imports(src_parent: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.fail("lint-imports is not installed: pip install -e '.[dev]'")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(src_parent), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_import_contracts_are_kept() -> None:
    result = lint_imports(SRC.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_module_is_in_a_layer() -> None:
    """A new core module must join the contracts, or shells could import it unseen."""
    top = {
        f"tm.{p.stem}" if p.is_file() else f"tm.{p.name}"
        for p in SRC.iterdir()
        if (p.suffix == ".py" or (p / "__init__.py").exists())
    } - ROOT_MODULES
    forbidden_to_shells = set(contracts()["shells"]["forbidden_modules"])
    assert top - SHELLS - SHELL_MAY_IMPORT == forbidden_to_shells
    below = set(contracts()["core-below-service"]["source_modules"])
    assert top - SHELLS - {"tm.service"} == below


def test_a_shell_reaching_into_the_core_breaks_the_contract(tmp_path: Path) -> None:
    copy = tmp_path / "tm"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__"))
    screen = copy / "tui" / "screens" / "help.py"
    screen.write_text(
        screen.read_text("utf-8") + "\nfrom tm.text.normalize import match_key\n",
        "utf-8",
    )
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "tm.tui.screens.help -> tm.text.normalize" in result.stdout


def test_service_imports_no_ui_libraries() -> None:
    code = (
        "import sys, tm.service, tm.store, tm.formats.tmx, tm.formats.bilingual;"
        "bad = [m for m in ('textual', 'rich', 'click', 'fastapi', 'uvicorn')"
        " if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_formats_and_store_do_not_import_each_other() -> None:
    code = (
        "import sys, tm.formats.tmx, tm.formats.bilingual, tm.formats.tabular;"
        "print(any(m.startswith('tm.store') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
