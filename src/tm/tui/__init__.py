"""The Textual shell of ``tm``: lookup, document mode, QA review and glossary screens.

Only this package imports textual. Screens call ``TMService`` from thread workers
and get results back as the messages in ``tui/messages.py``.
"""

from __future__ import annotations

from tm.tui.app import TMApp, make_app

__all__ = ["TMApp", "make_app"]
