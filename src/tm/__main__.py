"""The ``tm`` command and ``python -m tm``: the CLI."""

from __future__ import annotations

from typing import Any

from tm.locations import one_blas_thread


def run() -> Any:
    """Run the CLI, OpenBLAS told first to start no thread pool: every command that
    imports numpy would pay 60 ms of CPU for it (a tenth of a first look-up)."""
    one_blas_thread()
    from tm.cli import main

    return main()


if __name__ == "__main__":
    run()
