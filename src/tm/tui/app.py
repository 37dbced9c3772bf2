"""TMApp: the Textual application, and ``make_app``, the one factory the CLI and tests use.

The app owns one ``TMService`` (the master TM), one ``TermService`` (the glossary, which
every screen reads and only the glossary screen edits, through the service) and, in
document mode, a ``ProjectService`` (the document's segments and its project TM layer).
Screens are modes switched by F2–F5; each screen does its work in thread workers and
renders the messages they post.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from tm.errors import TMError
from tm.models import TermHit
from tm.service import ProjectService, TermService, TMService
from tm.tui.screens.document import DocumentScreen
from tm.tui.screens.glossary import GlossaryScreen
from tm.tui.screens.help import HelpScreen
from tm.tui.screens.lookup import LookupScreen
from tm.tui.screens.review import ReviewScreen

log = logging.getLogger(__name__)


class TMApp(App[None]):
    """Translation-memory look-up, document translation, QA review and glossary editing.

    Args:
        service: the master TM (closed when the app exits).
        terms: the glossary; None when it could not be loaded.
        term_error: why the glossary is missing (shown instead of terms).
        document: a plain-text file to open in document mode, or None.
    """

    CSS_PATH = "app.tcss"
    TITLE = "tm"
    # Screens get -narrow/-wide and -short/-tall: 80×24 stacks and trims panes.
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 (textual types it as an instance variable)
        (0, "-narrow"),
        (120, "-wide"),
    ]
    VERTICAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-short"),
        (36, "-tall"),
    ]
    MODES: ClassVar = {
        "lookup": LookupScreen,
        "document": DocumentScreen,
        "review": ReviewScreen,
        "glossary": GlossaryScreen,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
        Binding("f2", "lookup", "Lookup"),
        Binding("f3", "switch_mode('document')", "Document"),
        Binding("f4", "switch_mode('review')", "QA"),
        Binding("f5", "switch_mode('glossary')", "Glossary"),
        Binding("ctrl+q", "quit", "Quit"),
    ]

    def __init__(
        self,
        service: TMService,
        *,
        terms: TermService | None = None,
        term_error: str = "",
        document: Path | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.terms = terms
        self.term_error = term_error
        self.document = document
        self.tm_units = _count_units(service)
        self.project: ProjectService | None = None
        self.document_screen: DocumentScreen | None = None  # once document mode opened

    def on_mount(self) -> None:
        self.switch_mode("document" if self.document else "lookup")

    def on_unmount(self) -> None:
        if self.document_screen is not None:
            self.document_screen.flush_draft()  # the last edit, before the layer closes
        if self.project is not None:
            self.project.close()
        self.service.close()

    def open_project(self, document: Path) -> ProjectService:
        """``document`` and its project TM layer (opened once, closed on exit).

        Raises:
            TMError: the document cannot be read or the project TM opened.
        """
        if self.project is None:
            self.project = ProjectService(self.service, document)
        return self.project

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that crashed says so instead of failing silently."""
        if event.state == WorkerState.ERROR:
            what = event.worker.description or event.worker.name
            log.error("%s failed: %r", what, event.worker.error)
            self.notify(f"{what} failed: {event.worker.error}", severity="error")

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_lookup(self) -> None:
        """F2: the lookup screen, with document mode's current segment as the query."""
        text = None
        if isinstance(self.screen, DocumentScreen):
            text = self.screen.current_source()
        await self.switch_mode("lookup")
        if text and isinstance(self.screen, LookupScreen):
            self.screen.set_query(text)

    async def action_quit(self) -> None:
        """Save the draft being typed first (it is saved as typed; this is the last
        edit), after the letters typed before Ctrl+Q have reached the editor."""
        doc = self.document_screen
        if doc is not None and self.screen is doc:
            doc.after_typing(self.quit_now)
        else:
            self.quit_now()

    def quit_now(self) -> None:
        if self.document_screen is not None:
            self.document_screen.flush_draft()
        self.exit()

    # -- helpers screens share ---------------------------------------------------

    def find_terms(self, text: str) -> list[TermHit]:
        """Glossary terms in ``text`` (Chinese terms, or English renderings for English)."""
        if self.terms is None:
            return []
        return self.terms.find(text)

    def count_terms(self) -> int | None:
        """Entries in the glossary; None without one (or when it became unreadable)."""
        if self.terms is None:
            return None
        try:
            return len(self.terms)
        except TMError:
            return None

    def recount_units(self) -> None:
        """Count the master TM's units again (after a commit)."""
        self.tm_units = _count_units(self.service)

    def empty_tm_message(self) -> str:
        if self.tm_units:
            return ""
        return "The TM is empty: import one with `tm import FILE --db DB`."

    def show_clipboard(self, text: str, what: str) -> None:
        """Copy to the clipboard and say so (the terminal may not expose OSC 52)."""
        self.copy_to_clipboard(text)
        self.notify(_short(text, 120), title=f"Copied {what}", timeout=4)


def make_app(
    db: str | Path | None = None,
    *,
    glossary: str | Path | None = None,
    document: str | Path | None = None,
    service: TMService | None = None,
) -> TMApp:
    """Build the app: open the TM, load the glossary (a missing one is a message, not a crash).

    Args:
        db: the master TM (path or URL); ignored when ``service`` is given.
        glossary: a glossary file or directory (default: ``$TM_GLOSSARY`` or
            ``glossary/``); a YAML file that does not exist yet is created on the
            first entry added.
        document: a plain-text file to open in document mode.
        service: an already open service (tests, benchmarks).

    Raises:
        TMError: the TM cannot be opened, or the document cannot be read.
    """
    terms, term_error = _load_glossary(glossary)
    service = service or TMService.open(db)
    if terms is not None:
        service.terms = terms  # QA and analysis use the glossary the app shows
    doc = Path(document) if document is not None else None
    if doc is not None and not doc.is_file():
        raise TMError(f"no such document: {doc}", hint="give a plain-text file")
    return TMApp(service, terms=terms, term_error=term_error, document=doc)


def _load_glossary(glossary: str | Path | None) -> tuple[TermService | None, str]:
    """The glossary, loaded once now so a missing one is a message, not a crash."""
    terms = TermService(glossary, create=True)
    try:
        terms.load()
    except TMError as exc:
        log.warning("glossary not loaded: %s", exc)
        return None, f"No glossary loaded: {exc}"
    return terms, ""


def _count_units(service: TMService) -> int:
    try:
        return service.count_units()
    except TMError:
        return 0


def _short(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
