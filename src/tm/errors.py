"""The TMError family. Every error `tm` raises derives from TMError; each maps to an exit code.

Third-party errors are wrapped once, where they enter, with ``raise ... from exc``.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ISSUES = 1
    USAGE = 2
    INPUT = 3
    STORE = 4
    INTERNAL = 70
    INTERRUPTED = 130


class TMError(Exception):
    """Base of all errors `tm` raises on purpose."""

    exit_code = ExitCode.INTERNAL

    def __init__(self, msg: str, *, hint: str | None = None) -> None:
        super().__init__(msg)
        self.msg = msg
        self.hint = hint

    def __str__(self) -> str:
        return self.msg


class FormatError(TMError):
    """An input file is unreadable or malformed. Carries the file and, where known, the line."""

    exit_code = ExitCode.INPUT

    def __init__(
        self, path: str, line: int | None, msg: str, *, hint: str | None = None
    ) -> None:
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {msg}", hint=hint)
        self.detail = msg


class StoreError(TMError):
    """The database is unreachable, corrupt, read-only, or needs migration."""

    exit_code = ExitCode.STORE


class ConfigError(TMError):
    """A setting, option or optional dependency is wrong or missing."""

    exit_code = ExitCode.USAGE


class NotFound(TMError):
    """A unit, term or document asked for by id or name does not exist."""

    exit_code = ExitCode.INPUT
