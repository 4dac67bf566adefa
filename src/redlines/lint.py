"""`redlines lint`: is the content fit to be quoted? Sources, coverage, dates.

Loading already rejects what is malformed; lint finds what is well-formed but not good enough:
a rule or clause nobody can check against a source, a term nothing uses, a position whose
validity ran out with no successor named, a clause the checker cannot see into, a proposal with
nothing in it or named unlike its file.

`only_in(problems, files)` keeps the problems of the files a user asked about: linting their own
drafts against the bundled rules must not report the bundled rules' own problems.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import SerializerFunctionWrapHandler, model_serializer

from .conditions import terms_of
from .models import Implication, Origin, Problem, Proposal, RuleBook, Source, Tie
from .render.links import web_url


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
    "RL107": (Level.ERROR, "proposal without clauses"),
    "RL108": (Level.ERROR, "source url that is not http(s)"),
    "RL109": (Level.ERROR, "tie without sources"),
    "RL110": (Level.ERROR, "no_position for a term the rule set has a rule on"),
    "RL201": (Level.WARNING, "source without a url"),
    "RL202": (Level.WARNING, "source without a date (`date: unknown` with a note is one)"),
    "RL203": (Level.WARNING, "rule without a rationale"),
    "RL204": (Level.WARNING, "clause that sets no term (`terms: {}` says it is on purpose)"),
    "RL205": (Level.WARNING, "proposal id that is not lower-kebab case"),
    "RL206": (Level.WARNING, "proposal id that differs from its file name"),
}

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


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
    linked: list[tuple[str, Implication | Tie, str]] = [
        *(("implication", imp, "RL102") for imp in book.implications),
        *(("tie", tie, "RL109") for tie in book.ties),
    ]
    for kind, item, unsourced in linked:
        name = f"{kind} {item.id}"
        if not item.sources:
            found.append(_problem(item.origin, unsourced, f"{name} cites no source", fallback))
        found.extend(_source_problems(item.sources, item.origin, name, fallback))
        found.extend(
            _date_problems(
                item.id, item.valid_until, item.superseded_by, item.origin, today, fallback
            )
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
                        "RL110",
                        f"rule set {ruleset.id} says it has no position on '{entry.term}', but "
                        f"{tested[entry.term]} tests it; drop the no_position entry",
                        fallback,
                    )
                )
    for term in book.catalogue.terms.values():
        found.extend(_url_problems(term.sources, term.origin, f"term '{term.name}'", fallback))
    for proposal in proposals:
        found.extend(_proposal_problems(proposal))
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
    found = _url_problems(sources, origin, name, fallback)
    for source in sources:
        label = source.title or source.outlet or source.url or "a source"
        if not source.url:
            found.append(_problem(origin, "RL201", f"{name}: '{label}' has no url", fallback))
        if not source.date:
            found.append(
                _problem(
                    origin,
                    "RL202",
                    f"{name}: '{label}' has no date; give it one, or `date: unknown` with a "
                    "note saying why",
                    fallback,
                )
            )
    return found


def _url_problems(
    sources: Iterable[Source], origin: Origin | None, name: str, fallback: str
) -> list[LintProblem]:
    return [
        _problem(
            origin,
            "RL108",
            f"{name}: '{source.url}' is not an http(s) address; reports will not link it",
            fallback,
        )
        for source in sources
        if source.url and web_url(source.url) is None
    ]


def _proposal_problems(proposal: Proposal) -> list[LintProblem]:
    found: list[LintProblem] = []
    own = proposal.lineage == (proposal.path,)  # a variant's header cites its own sources
    name = f"proposal {proposal.id}"

    def add(origin: Origin | None, code: str, message: str) -> None:
        found.append(_problem(origin, code, message, proposal.path))

    if not proposal.sources and own:
        add(proposal.origin, "RL104", f"{name} cites no source")
    found.extend(_url_problems(proposal.sources, proposal.origin, name, proposal.path))
    if not proposal.clauses:
        add(
            proposal.origin,
            "RL107",
            f"{name} has no clauses: there is nothing to check; add the clauses the draft makes",
        )
    stem = Path(proposal.path).stem
    if not KEBAB.match(proposal.id):
        add(
            proposal.origin,
            "RL205",
            f"{name}: the id is not lower-kebab case (lower-case words joined by '-', "
            "e.g. us-28-point-2025-11)",
        )
    elif proposal.id != stem:
        add(
            proposal.origin,
            "RL206",
            f"{name}: the id differs from the file name '{stem}'; name the file {proposal.id}"
            f"{Path(proposal.path).suffix} or the proposal {stem}",
        )
    for clause in proposal.clauses:
        if not clause.sources:
            add(clause.origin, "RL103", f"clause {clause.id} cites no source")
        found.extend(
            _url_problems(clause.sources, clause.origin, f"clause {clause.id}", proposal.path)
        )
        if not clause.settings and not clause.options and not clause.deliberately_empty:
            add(
                clause.origin,
                "RL204",
                f"clause {clause.id} sets no term, so the checker cannot see what it says; "
                "set the terms it decides, or write `terms: {}` if it decides none",
            )
    return found


def only_in(problems: Iterable[LintProblem], files: Iterable[str]) -> list[LintProblem]:
    """The problems located in these files (compared as normalised paths)."""
    wanted = {os.path.normpath(f) for f in files}
    return [p for p in problems if os.path.normpath(p.file) in wanted]


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
            used.update(s.term for o in clause.options for s in o.settings)
    return used


def has_errors(problems: Iterable[LintProblem]) -> bool:
    return any(p.level is Level.ERROR for p in problems)
