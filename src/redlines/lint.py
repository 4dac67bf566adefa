"""`redlines lint`: is the content fit to be quoted? Sources, coverage, dates.

Loading already rejects what is malformed; lint finds what is well-formed but not good enough:
a rule or clause nobody can check against a source, a term nothing uses, a position whose
validity ran out with no successor named.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from pydantic import SerializerFunctionWrapHandler, model_serializer

from .conditions import terms_of
from .models import Origin, Problem, Proposal, RuleBook, Source


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class LintProblem(Problem):
    """A problem lint finds, with its level and code (the README lists the codes)."""

    level: Level
    code: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.level.value} {self.code} {self.message}"

    @model_serializer(mode="wrap")
    def _in_reading_order(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # `lint --format json` has always listed the level and code before the message, as the
        # text line reads; a Problem's own fields would put the message first.
        data: dict[str, Any] = handler(self)
        return {key: data[key] for key in ("file", "line", "col", "level", "code", "message")}


# code -> (level, what it means); the README lists these.
CHECKS: dict[str, tuple[Level, str]] = {
    "RL101": (Level.ERROR, "rule without sources"),
    "RL102": (Level.ERROR, "implication without sources"),
    "RL103": (Level.ERROR, "clause without a source"),
    "RL104": (Level.ERROR, "proposal without sources"),
    "RL105": (Level.ERROR, "term that no rule, implication, tie or clause uses"),
    "RL106": (Level.ERROR, "validity ended in the past and no superseded_by"),
    "RL107": (Level.ERROR, "tie without sources"),
    "RL108": (Level.ERROR, "no_position for a term the rule set has a rule on"),
    "RL201": (Level.WARNING, "source without a url"),
    "RL202": (Level.WARNING, "source without a date"),
    "RL203": (Level.WARNING, "rule without a rationale"),
}


def _problem(origin: Origin | None, code: str, message: str, fallback: str) -> LintProblem:
    level = CHECKS[code][0]
    if origin is None:
        return LintProblem(file=fallback, line=1, col=1, level=level, code=code, message=message)
    return LintProblem(
        file=origin.file, line=origin.line, col=origin.col, level=level, code=code, message=message
    )


def lint(book: RuleBook, proposals: Sequence[Proposal], *, today: dt.date) -> list[LintProblem]:
    """Every lint problem in a rule book and the given proposals, sorted by place."""
    fallback = book.root or "rules"
    found: list[LintProblem] = []
    for rule in book.rules:
        name = f"rule {rule.id}"
        if not rule.sources:
            found.append(_problem(rule.origin, "RL101", f"{name} cites no source", fallback))
        found.extend(_source_problems(rule.sources, rule.origin, name, fallback))
        if not rule.rationale:
            found.append(_problem(rule.origin, "RL203", f"{name} gives no rationale", fallback))
        found.extend(
            _date_problems(
                rule.id, rule.valid_until, rule.superseded_by, rule.origin, today, fallback
            )
        )
    for imp in book.implications:
        name = f"implication {imp.id}"
        if not imp.sources:
            found.append(_problem(imp.origin, "RL102", f"{name} cites no source", fallback))
        found.extend(_source_problems(imp.sources, imp.origin, name, fallback))
        found.extend(
            _date_problems(imp.id, imp.valid_until, imp.superseded_by, imp.origin, today, fallback)
        )
    for ruleset in book.rulesets:
        tested: dict[str, str] = {}  # term -> the first rule that tests it
        for rule in ruleset.rules:
            for tested_term in terms_of(rule.requires):
                tested.setdefault(tested_term, rule.id)
        for entry in ruleset.no_position:
            if entry.term in tested:
                found.append(
                    _problem(
                        entry.origin,
                        "RL108",
                        f"rule set {ruleset.id} says it has no position on '{entry.term}', but "
                        f"{tested[entry.term]} tests it; drop the no_position entry",
                        fallback,
                    )
                )
    for tie in book.ties:
        name = f"tie {tie.id}"
        if not tie.sources:
            found.append(_problem(tie.origin, "RL107", f"{name} cites no source", fallback))
        found.extend(_source_problems(tie.sources, tie.origin, name, fallback))
        found.extend(
            _date_problems(tie.id, tie.valid_until, tie.superseded_by, tie.origin, today, fallback)
        )
    for proposal in proposals:
        if not proposal.sources and proposal.lineage == (proposal.path,):
            found.append(
                _problem(
                    proposal.origin,
                    "RL104",
                    f"proposal {proposal.id} cites no source",
                    proposal.path,
                )
            )
        for clause in proposal.clauses:
            if not clause.sources:
                found.append(
                    _problem(
                        clause.origin, "RL103", f"clause {clause.id} cites no source", proposal.path
                    )
                )
    used = _used_terms(book, proposals)
    for name, term in book.catalogue.terms.items():
        if name not in used:
            found.append(
                _problem(
                    term.origin,
                    "RL105",
                    f"term '{name}' is used by no rule, implication or clause",
                    fallback,
                )
            )
    return sorted(set(found), key=lambda p: (p.file, p.line, p.col, p.code, p.message))


def _source_problems(
    sources: Iterable[Source], origin: Origin | None, name: str, fallback: str
) -> list[LintProblem]:
    found = []
    for source in sources:
        label = source.title or source.outlet or source.url or "a source"
        if not source.url:
            found.append(_problem(origin, "RL201", f"{name}: '{label}' has no url", fallback))
        if not source.date:
            found.append(_problem(origin, "RL202", f"{name}: '{label}' has no date", fallback))
    return found


def _date_problems(
    item_id: str,
    valid_until: dt.date | None,
    successor: str | None,
    origin: Origin | None,
    today: dt.date,
    fallback: str,
) -> list[LintProblem]:
    if valid_until is None or valid_until >= today or successor is not None:
        return []
    return [
        _problem(
            origin,
            "RL106",
            (
                f"{item_id} stopped being valid on {valid_until.isoformat()}; name its successor "
                "in superseded_by (or drop valid_until if the position still holds)"
            ),
            fallback,
        )
    ]


def _used_terms(book: RuleBook, proposals: Sequence[Proposal]) -> set[str]:
    used: set[str] = set()
    for rule in book.rules:
        used.update(terms_of(rule.requires))
    for imp in book.implications:
        used.update(terms_of(imp.when))
        used.update(imp.then)
    for tie in book.ties:
        used.update(terms_of(tie.requires))
    for proposal in proposals:
        for clause in proposal.clauses:
            used.update(s.term for s in clause.settings)
    return used


def has_errors(problems: Iterable[LintProblem]) -> bool:
    return any(p.level is Level.ERROR for p in problems)
