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

Everything works from the keyboard. The footer shows the keys of the current screen.

## Everywhere
| Key | Does |
|---|---|
| F1 or ? | this help (Esc closes) |
| F2 / F3 / F4 / F5 | lookup / document / QA review / glossary |
| Tab, Shift+Tab | move between panes |
| Ctrl+Q | quit |

## Lookup (F2)
| Key | Does |
|---|---|
| type | matches, terms and concordance update as you type |
| / | back to the query box |
| Ctrl+1…5 (or Alt+1…5) | copy match N's target to the clipboard |
| Ctrl+Y | copy the highlighted match (for terminals that do not send Ctrl+digit) |
| Enter | open the highlighted match's unit (provenance, occurrences) |
| F6 | switch between Matches and Concordance |

## Document (F3)
| Key | Does |
|---|---|
| ↑ ↓ in the list, Ctrl+↑ / Ctrl+↓ anywhere | previous / next segment |
| Enter in the list | edit the target |
| Ctrl+1…5 (or Alt+1…5) | insert match N into the target |
| Ctrl+R | insert the highlighted match (for terminals that do not send Ctrl+digit) |
| Ctrl+S (or Ctrl+Enter) | confirm: the segment goes into the project TM |
| Ctrl+E | export the project TM as TMX and the document as XLIFF 1.2 |
| Ctrl+K | commit the project TM to the master TM |

## QA review (F4)
| Key | Does |
|---|---|
| r | re-run QA |
| j or Enter | open the finding's unit |
| e | edit the unit's target |
| f | mark / unmark the finding as a false positive |
| t | term consistency: each term's renderings with counts |
| / | filter findings by text or term |

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
