"""One finding per problem: findings of several checks about one stretch of one unit merge.

Two findings are about the same problem when they are on the same single unit and
their spans on one side overlap (Chinese left in the English seen by the untranslated
and the punctuation checks), or when both say the unit's target is short of its source
(a cut-off ending, a length outlier, a source clause with no counterpart): one problem,
several symptoms. The merged finding is the most severe one (registry order breaks
ties), its spans joined by the others', and ``data["checks"]`` names every check that
saw it; its fingerprint is the first finding's, so a false-positive mark keeps
holding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from tm.models import QAIssue

# Checks that each say "the target lacks part of the source", whatever the span.
SHORT_TARGET = frozenset(
    {"length-ratio", "truncated", "stray-tail", "missing-clause", "final-punctuation"}
)


def merge_findings(findings: Sequence[QAIssue], order: dict[str, int]) -> list[QAIssue]:
    """The findings with each group about one problem merged into one.

    Args:
        findings: the run's findings.
        order: check name → registry position (ties between severities).
    """
    by_unit: dict[int, list[int]] = defaultdict(list)
    for i, f in enumerate(findings):
        if len(f.units) == 1:
            by_unit[f.units[0]].append(i)
    parent = list(range(len(findings)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for members in by_unit.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                if _same_problem(findings[i], findings[j]):
                    parent[root(j)] = root(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(findings)):
        groups[root(i)].append(i)
    out: list[QAIssue] = []
    for i in range(len(findings)):
        group = groups.get(i)
        if group is None:
            continue
        if len(group) == 1:
            out.append(findings[i])
            continue
        ranked = sorted(
            (findings[k] for k in group),
            key=lambda f: (-f.severity.rank, order.get(f.check, 0)),
        )
        out.append(_merged(ranked))
    return out


def _same_problem(a: QAIssue, b: QAIssue) -> bool:
    if a.check == b.check:
        return False
    if a.check in SHORT_TARGET and b.check in SHORT_TARGET:
        return True
    return any(
        s.side == t.side and s.start < t.end and t.start < s.end
        for s in a.spans
        for t in b.spans
    )


def _merged(members: list[QAIssue]) -> QAIssue:
    head = members[0]
    others = list(dict.fromkeys(f.check for f in members[1:] if f.check != head.check))
    spans = list(head.spans)
    for f in members[1:]:
        spans.extend(s for s in f.spans if s not in spans)
    also = f" (also {', '.join(others)})" if others else ""
    return replace(
        head,
        message=head.message + also,
        spans=tuple(spans),
        fix=head.fix or next((f.fix for f in members if f.fix), ""),
        data=(*head.data, ("checks", [head.check, *others])),
    )
