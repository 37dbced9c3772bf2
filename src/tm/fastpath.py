"""Switches for the fast paths: code that gives what plainer code gives, only sooner.

Each fast path is registered here by name with a line saying what it skips, and its
code asks :func:`on` before taking the shortcut. :func:`plain` turns some or all of
them off for a block, so tests compare a run with and without them (findings must be
equal) and ``benchmarks/bench_qa.py`` prints what each one saves. A fast path that a
benchmark does not show paying for itself is removed rather than registered.

The switches are process-wide; a process pool gets the set of paths turned off as an
explicit argument (see ``tm.qa.parallel``) and applies it with :func:`set_off`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

FAST_PATHS: dict[str, str] = {}
_OFF: set[str] = set()


def register(name: str, what: str) -> str:
    """Declare a fast path (at import time); returns ``name`` for the caller to keep."""
    FAST_PATHS[name] = what
    return name


def on(name: str) -> bool:
    """True unless the fast path ``name`` is turned off."""
    return name not in _OFF


def off() -> frozenset[str]:
    """The fast paths turned off now."""
    return frozenset(_OFF)


def set_off(names: Iterable[str]) -> None:
    """Turn exactly ``names`` off (all others on); unknown names raise KeyError."""
    wanted = set(names)
    unknown = wanted - set(FAST_PATHS)
    if unknown:
        raise KeyError(f"unknown fast path(s): {', '.join(sorted(unknown))}")
    _OFF.clear()
    _OFF.update(wanted)


@contextmanager
def plain(*names: str) -> Iterator[None]:
    """Turn off the named fast paths (all when none is named) inside the block."""
    before = off()
    set_off(set(before) | (set(names) if names else set(FAST_PATHS)))
    try:
        yield
    finally:
        set_off(before)
