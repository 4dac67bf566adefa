"""Every party's position on every term: the coverage matrix (`redlines terms --coverage`).

For each catalogue term and each rule set, the rules of that actor that test the term (any
severity, in force on any date), or, where there is none, the reason the rule set gives in its
header (`no_position:`). `docs/coverage.md` is this matrix for the bundled rules, generated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .conditions import terms_of
from .models import Frozen, NoPositionReason, RuleBook, Severity

# How a reason reads in a cell.
REASON_WORDS = {
    NoPositionReason.NOT_STATED: "no stated position",
    NoPositionReason.NOT_THEIRS_TO_DECIDE: "not theirs to decide",
    NoPositionReason.THROUGH_ANOTHER_TERM: "covered through another term",
    NoPositionReason.NOT_ENCODED: "stated, not encoded",
    NoPositionReason.DERIVED: "derived, not a position",
}


class CoverageRule(Frozen):
    id: str
    severity: Severity
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


class CoverageCell(Frozen):
    """One actor on one term: its rules that test it, or why it has none."""

    ruleset: str
    actor: str
    rules: tuple[CoverageRule, ...]
    reason: NoPositionReason | None = None  # given where there is no rule
    note: str | None = None

    @property
    def gap(self) -> bool:
        """No rule and no reason: a position nobody has looked for yet."""
        return not self.rules and self.reason is None


class CoverageTerm(Frozen):
    term: str
    title: str
    cells: tuple[CoverageCell, ...]  # one per rule set, by rule set id


class CoverageActor(Frozen):
    ruleset: str
    actor: str
    reviewed: dt.date | None


class Coverage(Frozen):
    """The term-by-actor matrix of one rule book."""

    actors: tuple[CoverageActor, ...]
    terms: tuple[CoverageTerm, ...]

    @property
    def gaps(self) -> list[tuple[str, str]]:
        """(term, rule set id) of every cell with neither a rule nor a reason."""
        return [(t.term, c.ruleset) for t in self.terms for c in t.cells if c.gap]


def coverage(book: RuleBook, terms: Iterable[str] | None = None) -> Coverage:
    """The coverage matrix of a rule book (of only some terms, if named)."""
    rulesets = sorted(book.rulesets, key=lambda rs: rs.id)
    tested: dict[tuple[str, str], list[CoverageRule]] = {}
    for ruleset in rulesets:
        for rule in sorted(ruleset.rules, key=lambda r: r.id):
            for term in terms_of(rule.requires):
                tested.setdefault((ruleset.id, term), []).append(
                    CoverageRule(
                        id=rule.id,
                        severity=rule.severity,
                        valid_from=rule.valid_from,
                        valid_until=rule.valid_until,
                    )
                )
    reasons = {(rs.id, entry.term): entry for rs in rulesets for entry in rs.no_position}
    names = sorted(book.catalogue.terms) if terms is None else list(dict.fromkeys(terms))
    rows = []
    for name in names:
        cells = []
        for ruleset in rulesets:
            entry = reasons.get((ruleset.id, name))
            rules = tuple(tested.get((ruleset.id, name), ()))
            cells.append(
                CoverageCell(
                    ruleset=ruleset.id,
                    actor=ruleset.actor,
                    rules=rules,
                    reason=entry.reason if entry and not rules else None,
                    note=entry.note if entry and not rules else None,
                )
            )
        rows.append(
            CoverageTerm(term=name, title=book.catalogue.terms[name].title, cells=tuple(cells))
        )
    return Coverage(
        actors=tuple(
            CoverageActor(ruleset=rs.id, actor=rs.actor, reviewed=rs.reviewed) for rs in rulesets
        ),
        terms=tuple(rows),
    )
