"""tm: a Chinese→English translation memory and term base.

The public API is what ``__all__`` lists; everything else may change.
"""

from __future__ import annotations

__version__ = "0.1.0"

from tm.errors import ConfigError, FormatError, NotFound, StoreError, TMError
from tm.models import Occurrence, TranslationUnit

__all__ = [
    "ConfigError",
    "FormatError",
    "NotFound",
    "Occurrence",
    "StoreError",
    "TMError",
    "TMService",
    "TranslationUnit",
    "__version__",
    "open_store",
]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    # Lazy, so `import tm.formats.tmx` does not pull in the store and the service.
    if name == "TMService":
        from tm.service import TMService

        return TMService
    if name == "open_store":
        from tm.store import open_store

        return open_store
    raise AttributeError(name)
