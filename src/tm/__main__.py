"""The ``tm`` command and ``python -m tm``: the CLI."""

from __future__ import annotations

from typing import Any

from tm.locations import numpy_defaults


def run() -> Any:
    """Run the CLI, numpy's settings made first (:func:`tm.locations.numpy_defaults`):
    OpenBLAS's thread pool alone would cost every command that imports numpy 60 ms
    of CPU (a tenth of a first look-up)."""
    numpy_defaults()
    from tm.cli import main

    return main()


if __name__ == "__main__":
    run()
