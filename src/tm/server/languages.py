"""Language pairs: the TM's, and the codes clients spell them with.

The TM stores BCP 47 tags (``zh-CN``, ``en-US``); Weblate's tmserver machinery writes
them lower-cased with ``_`` (``zh_cn``, ``zh_hans``, ``en``). A pair is compared by
primary language subtag: the TM is matched as a whole, Simplified and Traditional
units alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from tm.service import TMStats


@dataclass(frozen=True, slots=True)
class LanguagePairs:
    """The TM's language pairs, in BCP 47 (``zh-CN``, ``en-US``)."""

    pairs: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, stats: TMStats) -> LanguagePairs:
        found = []
        for pair in stats["languages"]:
            source, _, target = pair.partition("→")
            found.append((source, target))
        return cls(tuple(found))

    def holds(self, source: str | None, target: str | None) -> bool:
        """Whether the TM has units from ``source``'s language into ``target``'s
        (compared by primary subtag, in either spelling; None matches any)."""
        return any(
            (source is None or primary(source) == primary(s))
            and (target is None or primary(target) == primary(t))
            for s, t in self.pairs
        )


def weblate_code(tag: str) -> str:
    """A BCP 47 tag as Weblate's tmserver machinery writes it: ``zh-CN`` → ``zh_cn``."""
    return tag.replace("-", "_").lower()


def primary(code: str) -> str:
    """The primary language subtag of a code in either spelling: ``zh_Hans`` → ``zh``."""
    return code.replace("-", "_").split("_", 1)[0].lower()
