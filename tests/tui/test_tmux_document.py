"""End to end in a real terminal: translate the Changsha–Zhuzhou–Xiangtan action plan
in ``tm tui`` under tmux at 80×24, correct a segment twice with a commit after each
version, and check the master with ``tm lookup --json`` and the exported XLIFF.

Four segments are translated: 1 (the notice title), 2 (the issuing office), 3 (the
title again: a repetition, filled by propagation and then confirmed) and 4 (the
document number); segment 7 repeats 2 and is filled by propagation. Segment 2 is then
corrected twice. The master must end with exactly one English for each corrected
segment, at every occurrence (2 and 7, each found as a context match with its own
previous segment), and the XLIFF must say ``translated`` for the confirmed ones.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tm.formats.xliff import iter_target_states
from tm.service import TMService

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.slow,
]

FIRST = "Notice on Issuing the Action Plan"
OFFICE_VERSIONS = (
    "General Office of the People's Government",
    "General Office of the Hunan People's Government",
    "General Office of the People's Government of Hunan Province",
)
NUMBER = "Xiang Zheng Ban Fa [2025] No. 53"


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").replace("▏", " ").split())


class Terminal:
    """``tm`` in a private tmux server: send keys, read the screen."""

    def __init__(self, socket: str, env: dict[str, str]) -> None:
        self.tmux = ["tmux", "-u", "-L", socket]
        self.env = env

    def start(self, command: list[str], cwd: Path, size: tuple[int, int]) -> None:
        line = " ".join(shlex.quote(a) for a in command)
        subprocess.run(
            [
                *self.tmux,
                "new-session",
                "-d",
                "-s",
                "tm",
                "-x",
                str(size[0]),
                "-y",
                str(size[1]),
                "-c",
                str(cwd),
                line,
            ],
            check=True,
            env=self.env,
        )

    def keys(self, *keys: str, literal: bool = False) -> None:
        extra = ["-l"] if literal else []
        subprocess.run(
            [*self.tmux, "send-keys", "-t", "tm", *extra, *keys],
            check=True,
            env=self.env,
        )

    def screen(self) -> str:
        out = subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", "tm"],
            capture_output=True,
            text=True,
            env=self.env,
        )
        return out.stdout

    def wait(self, found: Callable[[str], bool], what: str, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if found(flat(screen)):
                return screen
            time.sleep(0.3)
        raise AssertionError(f"waited for {what}; the screen shows:\n{screen}")

    def stop(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], env=self.env, check=False)


def tm_json(env: dict[str, str], *args: str) -> object:
    out = subprocess.run(
        [sys.executable, "-m", "tm", *args, "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout)


def test_translate_correct_twice_and_commit_in_tmux(
    seed_db: Path, glossary_dir: Path, next_doc_path: Path, tmp_path: Path
) -> None:
    with TMService.open(seed_db) as service:
        segments = service.document_segments(next_doc_path)
        xlf = service.project_path(next_doc_path).with_suffix(".xlf")
    assert segments[0] == segments[2]
    assert segments[1] == segments[6]
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env["TM_USER"] = "translator"
    term = Terminal(f"tm-doc-{os.getpid()}", env)
    command = [
        sys.executable,
        "-m",
        "tm",
        "tui",
        "--db",
        str(seed_db),
        "--glossary",
        str(glossary_dir),
        str(next_doc_path),
    ]
    term.start(command, tmp_path, (80, 24))

    def at(n: int) -> None:
        term.wait(lambda s: f"Segment {n}/{len(segments)}" in s, f"segment {n}")

    def commit(what: str) -> None:
        term.keys("C-k")
        term.wait(lambda s: "master TM?" in s, "the commit question")
        term.keys("y")
        term.wait(lambda s: "Committed" in s, what)

    def retype(text: str) -> None:
        term.keys("F7")  # select the whole target; typing replaces it
        term.keys(text, literal=True)
        term.keys("C-s")

    try:
        term.wait(lambda s: "Bands:" in s, "the document and its bands")
        at(1)  # the editor has the focus: typing goes to the target
        term.keys(FIRST, literal=True)
        term.keys("C-s")
        at(2)
        term.keys(OFFICE_VERSIONS[0], literal=True)
        term.keys("C-s")
        at(3)
        # segment 3 repeats 1: already filled ("propagated"); confirming makes it
        # the translator's
        term.wait(lambda s: "propagated" in s, "the propagated repetition")
        term.keys("C-s")
        at(4)
        term.keys(NUMBER, literal=True)
        term.keys("C-s")
        at(5)
        commit("the first commit")
        for version in OFFICE_VERSIONS[1:]:
            term.keys("C-g")
            term.wait(lambda s: "Go to segment" in s, "the go-to dialog")
            term.keys("2", "Enter")
            at(2)
            retype(version)
            term.wait(lambda s: "re-confirmed" in s, "the correction")
            commit("a commit after the correction")
        term.keys("C-e")
        term.wait(lambda s: "Exported" in s, "the export")
        term.keys("C-q")
        deadline = time.monotonic() + 30
        while (
            time.monotonic() < deadline
            and "tm"
            in subprocess.run(
                [*term.tmux, "list-sessions"], capture_output=True, text=True, env=env
            ).stdout
        ):
            time.sleep(0.3)
    finally:
        term.stop()

    db = ["--db", str(seed_db)]
    final = OFFICE_VERSIONS[-1]
    office = segments[1]
    exact = tm_json(env, "lookup", office, *db, "--min", "100", "--limit", "20")
    assert isinstance(exact, list)
    englishes = {m["target"] for m in exact if m["source"] == office}
    assert englishes == {final}  # exactly one English: the earlier ones are gone
    # Every occurrence (2 and 7) is in the master: each is a context match there.
    for position in (2, 7):
        prev = segments[position - 2]
        found = tm_json(env, "lookup", office, *db, "--prev", prev, "--min", "100")
        assert isinstance(found, list)
        assert found[0]["score"] == 101, position
        assert found[0]["target"] == final
    title = tm_json(
        env, "lookup", segments[0], *db, "--prev", segments[1], "--min", "100"
    )
    assert isinstance(title, list)
    assert (title[0]["score"], title[0]["target"]) == (101, FIRST)  # segment 3
    number = tm_json(env, "lookup", segments[3], *db, "--min", "100")
    assert isinstance(number, list)
    assert [m["target"] for m in number if m["source"] == segments[3]] == [NUMBER]
    # The exported XLIFF: the confirmed segments are translated.
    states = list(iter_target_states(xlf))
    for n in (1, 2, 3, 4):
        assert states[n - 1].state == "translated", n
        assert states[n - 1].approved, n
    assert states[6].state == "translated"  # 7: propagated from 2
    assert states[6].qualifier == "leveraged-inherited"
    assert states[4].state is None  # 5 was not translated
