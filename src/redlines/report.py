"""From an engine's evaluation to a `Report`: findings, verdicts, contradictions, derived terms.

`check()` is the library's main entry point. A Report is plain data (pydantic), sorted and free
of timestamps, so the same input always gives the same JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from .conditions import Truth, deciding_terms, format_value
from .engine import EngineName, Evaluation, make_engine
from .loader.values import lookup_term, type_value
from .models import (
    Clause,
    InputError,
    Origin,
    Problem,
    Proposal,
    Rule,
    RuleBook,
    Severity,
    Source,
    TermValue,
    WhenSilent,
)
from .version import __version__


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Status(StrEnum):
    MET = "met"
    VIOLATED = "violated"
    OPEN = "open"


class ActorVerdictKind(StrEnum):
    REJECTS = "rejects"
    OPEN = "open"
    ACCEPTS = "accepts"


class Verdict(StrEnum):
    INFEASIBLE = "infeasible"
    INCOMPLETE = "incomplete"
    FEASIBLE = "feasible"

    @property
    def gravity(self) -> int:
        return {"infeasible": 2, "incomplete": 1, "feasible": 0}[self.value]


class Location(Model):
    """A place in a file a reviewer can open: path as given, 1-based line and column."""

    path: str
    line: int
    col: int

    @classmethod
    def of(cls, origin: Origin) -> Location:
        return cls(path=origin.file, line=origin.line, col=origin.col)


class ClauseRef(Model):
    id: str
    title: str
    location: Location


class TermState(Model):
    """What a finding's term stood at: set by a clause, derived, overridden, or unaddressed."""

    term: str
    value: TermValue | None
    set_by: str  # "clause" | "implication" | "override" | "unaddressed" | "contradiction"
    clause: str | None = None
    implication: str | None = None
    location: Location | None = None


class Finding(Model):
    rule: str
    title: str
    ruleset: str
    actor: str
    severity: Severity
    weight: int | None
    status: Status
    silent: bool  # the status comes from `when_silent`, not from the proposal's terms
    message: str
    rationale: str | None
    terms: tuple[TermState, ...]
    clauses: tuple[ClauseRef, ...]
    location: Location  # the line a reviewer must change (first deciding clause, else the header)
    sources: tuple[Source, ...]


class RedLineCounts(Model):
    met: int
    violated: int
    open: int


class ActorVerdict(Model):
    ruleset: str
    actor: str
    verdict: ActorVerdictKind
    red_lines: RedLineCounts
    soft_met_weight: int
    soft_total_weight: int
    soft_score: float | None  # met weight / total weight of priorities and preferences
    violated: tuple[str, ...]  # ids of violated red lines
    open: tuple[str, ...]  # ids of open red lines


class Claim(Model):
    value: TermValue
    by: str  # clause id, implication id or "--set"
    location: Location | None


class Contradiction(Model):
    term: str
    claims: tuple[Claim, ...]
    message: str


class DerivedTerm(Model):
    term: str
    value: TermValue
    implication: str
    because_of: tuple[str, ...]
    clauses: tuple[ClauseRef, ...]


class ProposalInfo(Model):
    id: str
    title: str
    date: dt.date
    status: str
    path: str
    lineage: tuple[str, ...]
    base: str | None
    clauses: int
    sources: tuple[Source, ...]
    location: Location


class RuleSetInfo(Model):
    id: str
    actor: str
    title: str
    version: str | None
    rules: int
    location: Location | None


class Override(Model):
    term: str
    value: TermValue


class Report(Model):
    """The check of one proposal against one rule book."""

    proposal: ProposalInfo
    as_of: dt.date
    rulesets: tuple[RuleSetInfo, ...]
    overall: Verdict
    verdicts: tuple[ActorVerdict, ...]
    findings: tuple[Finding, ...]
    contradictions: tuple[Contradiction, ...]
    derived: tuple[DerivedTerm, ...]
    overrides: tuple[Override, ...]


class ReportSet(Model):
    """Several proposals checked in one run: what `--format json` prints."""

    tool: str = "redlines"
    version: str = __version__
    overall: Verdict
    reports: tuple[Report, ...]


# --- checking -----------------------------------------------------------------------------------


def check(
    proposal: Proposal,
    rules: RuleBook,
    *,
    as_of: dt.date | None = None,
    overrides: Mapping[str, Any] | None = None,
    actors: Sequence[str] = (),
    engine: EngineName = "auto",
) -> Report:
    """Check one proposal against a rule book.

    `as_of` selects the rules in force on that date (default: the proposal's own date).
    `overrides` sets terms for a what-if check, typed by the catalogue ("800000" or 800000).
    `actors` limits the check to those rule set ids.
    """
    as_of = as_of or proposal.date
    book = rules.for_actors(list(actors)).in_force(as_of)
    typed_overrides = type_overrides(rules, overrides or {})
    values, contradictions = proposal_values(proposal, typed_overrides)
    evaluation = make_engine(book, engine).evaluate(values)
    return build_report(proposal, book, as_of, evaluation, contradictions, typed_overrides)


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    return max(verdicts, key=lambda v: v.gravity, default=Verdict.FEASIBLE)


def check_all(proposals: Sequence[Proposal], rules: RuleBook, **options: Any) -> ReportSet:
    """Check several proposals; reports come sorted by proposal path, then id."""
    reports = sorted(
        (check(p, rules, **options) for p in proposals),
        key=lambda r: (r.proposal.path, r.proposal.id),
    )
    return ReportSet(overall=worst(r.overall for r in reports), reports=tuple(reports))


def type_overrides(
    rules: RuleBook, overrides: Mapping[str, Any], where: str = "--set"
) -> dict[str, TermValue]:
    """Type --set values by the catalogue; text is parsed ("true", "800000", "2026-01-01").

    `where` names the input in error messages (`--set`, or a variant's place in a batch).
    """
    typed: dict[str, TermValue] = {}
    problems: list[Problem] = []
    for name, raw in sorted(overrides.items()):
        try:
            term = lookup_term(rules.catalogue, name)
            typed[name] = type_value(term, _parse_text(raw, term.type.value))
        except ValueError as err:
            problems.append(Problem(file=where, line=1, col=1, message=f"{name}: {err}"))
    if problems:
        raise InputError(problems)
    return typed


def _parse_text(raw: Any, kind: str) -> Any:
    if not isinstance(raw, str):
        return raw
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    if kind == "integer":
        try:
            return int(raw.replace("_", ""))
        except ValueError:
            return raw
    return raw


_Claims = dict[str, list[tuple[TermValue, Clause]]]


def proposal_values(
    proposal: Proposal, overrides: Mapping[str, TermValue]
) -> tuple[dict[str, TermValue], _Claims]:
    """The terms the proposal sets; a term clauses disagree on is left out and returned apart."""
    claims: _Claims = {}
    for clause in proposal.clauses:
        for setting in clause.settings:
            claims.setdefault(setting.term, []).append((setting.value, clause))
    values: dict[str, TermValue] = {}
    contradictions: _Claims = {}
    for term, said in claims.items():
        if term in overrides:
            continue
        distinct = {_key(v) for v, _ in said}
        if len(distinct) == 1:
            values[term] = said[0][0]
        else:
            contradictions[term] = said
    for term, value in overrides.items():
        values[term] = value
    return values, contradictions


def _key(value: TermValue) -> tuple[str, str]:
    return (type(value).__name__, str(value))


# --- building the report ------------------------------------------------------------------------


def build_report(
    proposal: Proposal,
    book: RuleBook,
    as_of: dt.date,
    evaluation: Evaluation,
    clause_contradictions: _Claims,
    overrides: Mapping[str, TermValue],
) -> Report:
    setters = _setters(proposal)
    header = (
        Location.of(proposal.origin)
        if proposal.origin
        else Location(path=proposal.path, line=1, col=1)
    )
    states = _TermStates(proposal, evaluation, setters, overrides, clause_contradictions)
    findings = tuple(
        _finding(rule, evaluation, states, header)
        for rule in sorted(book.rules, key=lambda r: (r.ruleset, -r.severity.rank, r.id))
    )
    verdicts = tuple(
        _actor_verdict(rs.id, rs.actor, findings)
        for rs in sorted(book.rulesets, key=lambda rs: rs.id)
    )
    overall = overall_verdict(v.verdict for v in verdicts)
    contradictions = tuple(
        _clause_contradiction(term, said) for term, said in sorted(clause_contradictions.items())
    ) + tuple(states.derived_contradictions())
    return Report(
        proposal=ProposalInfo(
            id=proposal.id,
            title=proposal.title,
            date=proposal.date,
            status=proposal.status,
            path=proposal.path,
            lineage=proposal.lineage,
            base=proposal.base_id,
            clauses=len(proposal.clauses),
            sources=proposal.sources,
            location=header,
        ),
        as_of=as_of,
        rulesets=tuple(
            RuleSetInfo(
                id=rs.id,
                actor=rs.actor,
                title=rs.title,
                version=rs.version,
                rules=len(rs.rules),
                location=Location.of(rs.origin) if rs.origin else None,
            )
            for rs in sorted(book.rulesets, key=lambda rs: rs.id)
        ),
        overall=overall,
        verdicts=verdicts,
        findings=findings,
        contradictions=contradictions,
        derived=tuple(states.derived_terms()),
        overrides=tuple(Override(term=t, value=v) for t, v in sorted(overrides.items())),
    )


def _setters(proposal: Proposal) -> dict[str, tuple[Clause, Origin | None]]:
    """The clause (and value position) that sets each term; the first one, for contradictions."""
    found: dict[str, tuple[Clause, Origin | None]] = {}
    for clause in proposal.clauses:
        for setting in clause.settings:
            found.setdefault(setting.term, (clause, setting.origin))
    return found


def _clause_ref(clause: Clause) -> ClauseRef:
    assert clause.origin is not None
    return ClauseRef(id=clause.id, title=clause.title, location=Location.of(clause.origin))


class _TermStates:
    """Answers 'what did this term stand at, and which clauses put it there?'."""

    def __init__(
        self,
        proposal: Proposal,
        evaluation: Evaluation,
        setters: dict[str, tuple[Clause, Origin | None]],
        overrides: Mapping[str, TermValue],
        clause_contradictions: _Claims,
    ) -> None:
        self.evaluation = evaluation
        self.setters = setters
        self.overrides = overrides
        self.contradicted = set(clause_contradictions) | {c.term for c in evaluation.clashes}

    def state(self, term: str) -> TermState:
        if term in self.overrides:
            return TermState(term=term, value=self.overrides[term], set_by="override")
        derivation = self.evaluation.derived.get(term)
        if derivation is not None:
            return TermState(
                term=term,
                value=derivation.value,
                set_by="implication",
                implication=derivation.implication,
            )
        if term in self.contradicted and term not in self.evaluation.facts:
            return TermState(term=term, value=None, set_by="contradiction")
        if term in self.setters and term in self.evaluation.facts:
            clause, origin = self.setters[term]
            return TermState(
                term=term,
                value=self.evaluation.facts[term],
                set_by="clause",
                clause=clause.id,
                location=Location.of(origin) if origin else None,
            )
        return TermState(term=term, value=None, set_by="unaddressed")

    def clauses(self, term: str, seen: frozenset[str] = frozenset()) -> list[Clause]:
        """The clauses behind a term's value, following derivations back to their causes."""
        if term in self.overrides or term in seen:
            return []
        derivation = self.evaluation.derived.get(term)
        if derivation is not None:
            found: list[Clause] = []
            for cause in derivation.because_of:
                found.extend(self.clauses(cause, seen | {term}))
            return found
        if term in self.setters and term in self.evaluation.facts:
            return [self.setters[term][0]]
        return []

    def derived_terms(self) -> list[DerivedTerm]:
        result = []
        for term, d in self.evaluation.derived.items():
            clauses = _unique(self.clauses(term))
            result.append(
                DerivedTerm(
                    term=term,
                    value=d.value,
                    implication=d.implication,
                    because_of=d.because_of,
                    clauses=tuple(_clause_ref(c) for c in clauses),
                )
            )
        return result

    def derived_contradictions(self) -> list[Contradiction]:
        result = []
        for clash in self.evaluation.clashes:
            claims = []
            for value, who in clash.claims:
                if who == "proposal":
                    if clash.term in self.overrides:
                        claims.append(Claim(value=value, by="--set", location=None))
                        continue
                    clause, origin = self.setters[clash.term]
                    claims.append(
                        Claim(
                            value=value,
                            by=f"clause {clause.id}",
                            location=Location.of(origin) if origin else None,
                        )
                    )
                else:
                    claims.append(Claim(value=value, by=f"implication {who}", location=None))
            said = ", ".join(f"{c.by}: {format_value(c.value)}" for c in claims)
            result.append(
                Contradiction(
                    term=clash.term,
                    claims=tuple(claims),
                    message=f"'{clash.term}' is given different values ({said})",
                )
            )
        return result


def _unique(clauses: Iterable[Clause]) -> list[Clause]:
    return list({c.id: c for c in clauses}.values())


def _clause_contradiction(term: str, said: list[tuple[TermValue, Clause]]) -> Contradiction:
    claims = []
    for value, clause in said:
        setting = next(s for s in clause.settings if s.term == term)
        location = Location.of(setting.origin) if setting.origin else None
        claims.append(Claim(value=value, by=f"clause {clause.id}", location=location))
    listed = ", ".join(f"{c.by}: {format_value(c.value)}" for c in claims)
    return Contradiction(
        term=term,
        claims=tuple(claims),
        message=f"clauses set '{term}' to different values ({listed})",
    )


def rule_status(rule: Rule, truth: Truth) -> tuple[Status, bool]:
    """A rule's status for a condition's truth, and whether `when_silent` decided it."""
    if truth is True:
        return Status.MET, False
    if truth is False:
        return Status.VIOLATED, False
    if rule.when_silent is WhenSilent.OPEN:
        return Status.OPEN, False
    return Status(rule.when_silent.value), True


def _finding(rule: Rule, evaluation: Evaluation, states: _TermStates, header: Location) -> Finding:
    status, silent = rule_status(rule, evaluation.truths.get(rule.id))
    _, terms = deciding_terms(rule.requires, evaluation.facts)
    clauses = _unique(c for term in terms for c in states.clauses(term))
    clauses.sort(key=lambda c: (c.origin.file, c.origin.line) if c.origin else ("", 0))
    location = Location.of(clauses[0].origin) if clauses and clauses[0].origin else header
    return Finding(
        rule=rule.id,
        title=rule.title,
        ruleset=rule.ruleset,
        actor=rule.actor,
        severity=rule.severity,
        weight=rule.weight,
        status=status,
        silent=silent,
        message=rule.message,
        rationale=rule.rationale,
        terms=tuple(states.state(t) for t in terms),
        clauses=tuple(_clause_ref(c) for c in clauses),
        location=location,
        sources=rule.sources,
    )


def _actor_verdict(ruleset: str, actor: str, findings: Sequence[Finding]) -> ActorVerdict:
    own = [f for f in findings if f.ruleset == ruleset]
    red = [f for f in own if f.severity is Severity.RED_LINE]
    soft = [f for f in own if f.severity is not Severity.RED_LINE]
    violated = tuple(f.rule for f in red if f.status is Status.VIOLATED)
    still_open = tuple(f.rule for f in red if f.status is Status.OPEN)
    total = sum(f.weight or 0 for f in soft)
    met = sum(f.weight or 0 for f in soft if f.status is Status.MET)
    return ActorVerdict(
        ruleset=ruleset,
        actor=actor,
        verdict=actor_verdict_kind(violated, still_open),
        red_lines=RedLineCounts(
            met=len(red) - len(violated) - len(still_open),
            violated=len(violated),
            open=len(still_open),
        ),
        soft_met_weight=met,
        soft_total_weight=total,
        soft_score=soft_score(met, total),
        violated=violated,
        open=still_open,
    )


# The verdict rules, shared by `check` and `check_many` (batch.py).


def actor_verdict_kind(violated: Sequence[str], still_open: Sequence[str]) -> ActorVerdictKind:
    if violated:
        return ActorVerdictKind.REJECTS
    if still_open:
        return ActorVerdictKind.OPEN
    return ActorVerdictKind.ACCEPTS


def soft_score(met: int, total: int) -> float | None:
    """Met weight over total weight of an actor's priorities and preferences."""
    return round(met / total, 4) if total else None


def overall_verdict(kinds: Iterable[ActorVerdictKind]) -> Verdict:
    found = set(kinds)
    if ActorVerdictKind.REJECTS in found:
        return Verdict.INFEASIBLE
    if ActorVerdictKind.OPEN in found:
        return Verdict.INCOMPLETE
    return Verdict.FEASIBLE


def failing(report: Report, fail_on: str, strict: bool = False) -> list[str]:
    """Why this report should fail a CI run at the given level (empty: it passes)."""
    if fail_on == "never":
        return []
    threshold = Severity(fail_on).rank
    reasons = [
        f"{f.rule} violated"
        for f in report.findings
        if f.status is Status.VIOLATED and f.severity.rank >= threshold
    ]
    if strict:
        reasons += [
            f"{f.rule} open"
            for f in report.findings
            if f.status is Status.OPEN and f.severity is Severity.RED_LINE
        ]
    reasons += [f"contradiction on {c.term}" for c in report.contradictions]
    return reasons
