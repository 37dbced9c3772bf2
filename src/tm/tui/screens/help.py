"""The help screen: every key, by screen."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown

HELP = """\
# tm — keys

Everything works from the keyboard. The key line at the bottom shows the keys of the
current screen (the screen's own first); this page lists them all.

## Everywhere
| Key | Does |
|---|---|
| F1 or ? | this help (Esc closes) |
| F2 | lookup; from document mode, with the current segment as the query |
| F3 / F4 / F5 | document / QA review / glossary |
| Tab, Shift+Tab | next / previous pane (document mode: segments → matches → match detail → terms → target) |
| Ctrl+Q | quit (the draft being typed is saved first) |

## Lookup (F2)
| Key | Does |
|---|---|
| type or paste | matches, terms and concordance update as you type; a paste arrives whole |
| / | back to the query box |
| Ctrl+1…5 (or Alt+1…5) | copy match N's English to the clipboard |
| Ctrl+Y | copy the highlighted match (for terminals that do not send Ctrl+digit) |
| Enter on a match | open its unit (provenance, occurrences) |
| Enter on a term | copy its rendering |
| F6 | switch between Matches and Concordance (the rendering highlighted) |

## Document (F3)
The editor has the focus when a document opens: type the translation. It is saved
as a draft as you type and when you leave the segment.

| Key | Does |
|---|---|
| Ctrl+S (or Ctrl+Enter) | confirm: the segment goes into the project TM (replacing its earlier translation) and later repetitions are filled (⇣ propagated); a fuzzy match left unedited asks for a second Ctrl+S |
| Ctrl+↓ / Ctrl+↑ | next / previous segment |
| Ctrl+U | next segment to do (empty, draft or propagated) |
| Ctrl+G | go to segment N |
| Ctrl+F | find in sources and targets (Enter: next hit, Esc: back to the target) |
| Ctrl+1…5 (or Alt+1…5) | insert match N |
| Ctrl+R | insert the highlighted match (for terminals that do not send Ctrl+digit) |
| Ctrl+T | insert the rendering of the next term the target lacks; Enter on a term inserts it |
| F7 | select the whole target (type to replace it) |
| F8 | sign the segment off as reviewed (✔), or take the sign-off back |
| Ctrl+E | export the project TM as TMX and the document as XLIFF 1.2 with each segment's state |
| Ctrl+K | commit to the master TM: every occurrence, replacing what an earlier commit put there |

Statuses: (blank) empty · ✎ draft · ✓ translated · ⇣ propagated from a repetition ·
✔ reviewed. The progress line counts segments and characters as `tm analyze` does.

## QA review (F4)
With a document open, QA covers the master TM and the project layer (units P12).

| Key | Does |
|---|---|
| x | apply the finding's fix (only when the check agrees it fixes it) |
| e | edit the unit's target |
| j or Enter | open the finding's unit |
| f | mark the finding as a false positive |
| p | project only: the findings on the translator's own units |
| c / v | next check / next severity |
| / | filter findings by text or term |
| t | term consistency: each term's renderings with counts |
| r | re-run QA |

## Glossary (F5)
| Key | Does |
|---|---|
| / | search |
| a | add an entry |
| e or Enter | edit the highlighted entry (saved to the YAML file) |

Most terminals (and tmux) send Ctrl+1…5 as plain digits; Ctrl+Y / Ctrl+R and the
match table's cursor do the same job there.

Bands: 101 context · 100 exact · 95-99 · 85-94 · 75-84 · 50-74 · new.
"""


class HelpScreen(ModalScreen[None]):
    """Key bindings of every screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP)
        yield Footer()
