"""Where tm keeps things: the files beside a TM database, and the environment.

Every file name derived from a database path (the cached match index, a document's
project TM) and every environment variable tm reads (``TM_DB``, ``TM_GLOSSARY``,
``TM_USER``, ``TM_SERVER_TOKEN``) is resolved here and nowhere else. The service
layer calls these functions to fill in what the caller left out; the modules below it
take explicit paths and values (posting's ``locations.py`` is the model).

This module imports nothing from tm, so any layer may use its path builders.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

DEFAULT_DB = "tm.db"
GLOSSARY_DIR = "glossary"
NEW_GLOSSARY = (
    "terms.zh-en.yaml"  # the file an edit starts in a folder without glossary
)

ENV_DB = "TM_DB"
ENV_GLOSSARY = "TM_GLOSSARY"
ENV_USER = "TM_USER"
ENV_SERVER_TOKEN = "TM_SERVER_TOKEN"
# tm serve hands its settings to its worker processes here (not a user setting)
ENV_SERVE_SETTINGS = "TM_SERVE_SETTINGS"

MEMORY = ":memory:"  # SQLite's name for a database that has no file


# -- side-car files beside a SQLite TM -------------------------------------------------


def match_index_path(db_path: str | Path, side: str) -> Path:
    """The cached candidate index of one side (``source``/``target``) of the TM."""
    return Path(f"{db_path}.match-{side}.npz")


def wal_path(db_path: str | Path) -> Path:
    """SQLite's write-ahead log of the TM (present while connections have it open)."""
    return Path(f"{db_path}-wal")


def project_db_path(master: str | Path | None, document: str | Path) -> Path:
    """The project TM layer of ``document``: beside the master TM file.

    ``tm.db`` + ``plan.zh.txt`` → ``tm.plan.zh.project.db``. A master that is not a
    file (PostgreSQL, in memory: ``master`` is None or ``:memory:``) keeps it beside
    the document instead: ``plan.zh.project.db``.
    """
    doc = Path(document)
    stem = doc.name.removesuffix(doc.suffix)
    if master is not None and str(master) != MEMORY:
        db = Path(master)
        return db.with_name(f"{db.stem}.{stem}.project.db")
    return doc.with_name(f"{stem}.project.db")


# -- the environment -------------------------------------------------------------------


def numpy_defaults() -> None:
    """Before numpy is first imported: numpy's settings for tm's work, unless the
    user set them.

    - OpenBLAS starts no thread pool. numpy's import starts one, a thread per core,
      which costs a process 60 ms of CPU (a third of a first look-up's imports) on
      two cores; tm calls no BLAS routine (no matrix products), so the pool only costs.
    - No transparent huge pages for numpy's arrays. numpy asks the kernel for them
      (madvise) for every array over 4 MB, and where the kernel then compacts memory
      to find 2 MB pages, a page fault can take a tenth of a millisecond. Measured
      on this project's machine: the index an import builds took 0.25-0.7 s to
      sort instead of 0.2 s (the wait after the import's commit), and loading the
      match index of 1M units cost 1.0-1.3 s of system time instead of 0.55 s.
      Look-ups on the loaded index measured the same either way.

    The ``tm`` command and tm's worker processes call it first thing (the workers
    ``tm`` starts inherit its environment).
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")


def db_url(explicit: str | Path | None = None) -> str:
    """The TM to open: ``explicit``, else ``$TM_DB``, else ``tm.db`` in the current directory."""
    if explicit is not None and str(explicit) != "":
        return str(explicit)
    return os.environ.get(ENV_DB) or DEFAULT_DB


def glossary_path(explicit: str | Path | None = None) -> Path:
    """The term base: ``explicit``, else ``$TM_GLOSSARY``, else ``./glossary``, else the
    ``glossary/`` of the source checkout (so the shipped term base works from anywhere)."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get(ENV_GLOSSARY)
    if env:
        return Path(env)
    here = Path.cwd() / GLOSSARY_DIR
    if here.exists():
        return here
    repo = Path(__file__).resolve().parents[2] / GLOSSARY_DIR
    return repo if repo.exists() else here


def glossary_edit_path(explicit: str | Path | None = None) -> Path:
    """Where an added term goes: ``explicit``, else ``$TM_GLOSSARY``, else ``./glossary``,
    and when that folder does not exist, a new file in it (``NEW_GLOSSARY``). Never the
    source checkout's glossary that reading falls back to: a command run elsewhere must
    not edit the shipped term base."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get(ENV_GLOSSARY)
    if env:
        return Path(env)
    here = Path(GLOSSARY_DIR)
    return here if here.exists() else here / NEW_GLOSSARY


def glossary_chosen(explicit: str | Path | None = None) -> bool:
    """Whether the user named a term base (an argument or ``$TM_GLOSSARY``).

    A named term base that is missing is an error; the default one may be absent.
    """
    return explicit is not None or bool(os.environ.get(ENV_GLOSSARY))


def user(explicit: str | None = None) -> str:
    """Who is writing: ``explicit``, else ``$TM_USER``, else the login name."""
    if explicit:
        return explicit
    try:
        return os.environ.get(ENV_USER) or getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without passwd entry)
        return "tm"


def server_token() -> str | None:
    """The bearer token ``tm serve`` requires for writes (``$TM_SERVER_TOKEN``), if set.

    Taken from the environment only: a command-line argument would show in ``ps``.
    """
    return os.environ.get(ENV_SERVER_TOKEN) or None


def serve_settings() -> str | None:
    """The settings ``tm serve`` handed to this worker process (JSON), if any."""
    return os.environ.get(ENV_SERVE_SETTINGS) or None


def hand_serve_settings(settings: str) -> None:
    """Leave ``tm serve``'s settings (JSON) for the worker processes it starts."""
    os.environ[ENV_SERVE_SETTINGS] = settings
