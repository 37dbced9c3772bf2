"""End to end in a real terminal: ``tm tui`` in tmux, type a phrase, read the screen.

Starts the TUI on the seed TM in a private tmux server, types 按照国家统一部署 into the
lookup box, and looks for the English of a seed unit containing it in
``tmux capture-pane``. Skipped when tmux is not installed (CI installs it).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tm.service import TMService

PHRASE = "按照国家统一部署"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed"
)


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def wait_for(capture, found, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = capture()
        if found(screen):
            return screen
        time.sleep(0.3)
    return screen


def test_lookup_in_tmux(seed_db: Path, glossary_dir: Path, tmp_path: Path) -> None:
    with TMService.open(seed_db) as service:
        targets = [u.target for u in service.store.iter_units() if PHRASE in u.source]
    assert targets, "the seed has units with the phrase"
    heads = [" ".join(t.split()[:3]) for t in targets]

    socket = f"tm-test-{os.getpid()}"
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    command = " ".join(
        shlex.quote(a)
        for a in (
            sys.executable,
            "-m",
            "tm",
            "tui",
            "--db",
            str(seed_db),
            "--glossary",
            str(glossary_dir),
        )
    )
    tmux = ["tmux", "-u", "-L", socket]
    subprocess.run(
        [
            *tmux,
            "new-session",
            "-d",
            "-s",
            "tm",
            "-x",
            "100",
            "-y",
            "32",
            "-c",
            str(tmp_path),
            command,
        ],
        check=True,
        env=env,
    )

    def capture() -> str:
        out = subprocess.run(
            [*tmux, "capture-pane", "-p", "-t", "tm"],
            capture_output=True,
            text=True,
            env=env,
        )
        return out.stdout

    try:
        ready = wait_for(capture, lambda s: "Concordance" in s)
        assert "Concordance" in ready, ready
        subprocess.run(
            [*tmux, "send-keys", "-t", "tm", "-l", PHRASE], check=True, env=env
        )
        screen = wait_for(capture, lambda s: any(h in flat(s) for h in heads))
        assert PHRASE in screen, screen
        assert any(h in flat(screen) for h in heads), screen
    finally:
        subprocess.run([*tmux, "kill-server"], env=env, check=False)
