"""Why a rule says what it says: its condition as a tree, and on a proposal each leaf's value.

`explain(book, rule_id)` gives the rule, its condition in readable form, rationale and sources.
`explain(book, rule_id, proposal)` adds the evaluation tree: every node's Kleene truth, every leaf's
term value and the clause that set it (file:line), or that it is unaddressed, or the implication
that derived it and what that implication fired on. Truths come from `conditions.evaluate` on the
facts the engine reached (proposal values plus derivations), so they match `check`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from .conditions import describe, evaluate, terms_of
from .engine import EngineName, Evaluation, make_engine
from .models import (
    AllOf,
    AnyOf,
    Clause,
    Condition,
    IfThen,
    Leaf,
    Not,
    Proposal,
    Rule,
    RuleBook,
    Severity,
    Source,
    TermValue,
    WhenSilent,
)
from .report import (
    ClauseRef,
    Finding,
    Location,
    ProposalInfo,
    Status,
    check,
    proposal_values,
    rule_status,
)
from .specs import suggest


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UnknownRule(LookupError):
    """No rule with that id; the message suggests near misses."""


class LeafState(_Model):
    """Where a leaf's term value came from."""

    term: str
    value: TermValue | None
    set_by: str  # "clause" | "implication" | "unaddressed" | "contradiction"
    clause: str | None = None
    location: Location | None = None
    implication: str | None = None
    because_of: tuple[str, ...] = ()


class Node(_Model):
    kind: str  # "leaf" | "all" | "any" | "not" | "if"
    text: str  # the node in readable form (conditions.describe)
    role: str | None = None  # "if" or "then" under an if/then node
    truth: bool | None = None  # with a proposal: Kleene truth (None: unknown)
    state: LeafState | None = None  # with a proposal, on leaves
    location: Location | None = None  # where the condition is written
    children: tuple[Node, ...] = ()


class Derivation(_Model):
    term: str
    value: TermValue
    implication: str
    title: str | None
    because_of: tuple[str, ...]
    clauses: tuple[ClauseRef, ...]  # the proposal clauses at the root of the chain


class RuleInfo(_Model):
    id: str
    title: str
    ruleset: str
    actor: str
    severity: Severity
    weight: int | None
    when_silent: WhenSilent
    message: str
    rationale: str | None
    sources: tuple[Source, ...]
    valid_from: dt.date | None
    valid_until: dt.date | None
    superseded_by: str | None
    location: Location | None


class Explanation(_Model):
    rule: RuleInfo
    condition: str
    tree: Node
    implications: tuple[str, ...]  # implications that can derive a term the rule reads
    proposal: ProposalInfo | None = None
    as_of: dt.date | None = None
    in_force: bool | None = None  # on as_of; a rule not in force has no finding
    truth: bool | None = None
    status: Status | None = None
    silent: bool = False  # the status comes from when_silent
    finding: Finding | None = None
    derived: tuple[Derivation, ...] = ()  # derived terms the rule reads, with their chains


def explain(
    book: RuleBook,
    rule_id: str,
    proposal: Proposal | None = None,
    *,
    as_of: dt.date | None = None,
    engine: EngineName = "auto",
) -> Explanation:
    """Explain one rule, and with a proposal, how it comes out on it (rules as of its date)."""
    rule = book.rule(rule_id)
    if rule is None:
        known = [r.id for r in book.rules]
        raise UnknownRule(f"no rule '{rule_id}'{suggest(rule_id, known)}")
    info = _rule_info(rule)
    readers = tuple(
        sorted(i.id for i in book.implications if set(i.then) & set(terms_of(rule.requires)))
    )
    if proposal is None:
        return Explanation(
            rule=info,
            condition=describe(rule.requires),
            tree=_tree(rule.requires, None),
            implications=readers,
        )
    as_of = as_of or proposal.date
    in_force = book.in_force(as_of)
    values, contradicted = proposal_values(proposal, {})
    evaluation = make_engine(in_force, engine).evaluate(values)
    report = check(proposal, book, as_of=as_of, actors=[rule.ruleset], engine=engine)
    finding = next((f for f in report.findings if f.rule == rule.id), None)
    truth = evaluate(rule.requires, evaluation.facts)
    status, silent = rule_status(rule, truth)
    tracer = _Tracer(proposal, evaluation, set(contradicted), in_force)
    return Explanation(
        rule=info,
        condition=describe(rule.requires),
        tree=_tree(rule.requires, tracer),
        implications=readers,
        proposal=report.proposal,
        as_of=as_of,
        in_force=rule.in_force(as_of),
        truth=truth,
        status=status,
        silent=silent,
        finding=finding,
        derived=tuple(tracer.derivations(terms_of(rule.requires))),
    )


def _rule_info(rule: Rule) -> RuleInfo:
    return RuleInfo(
        id=rule.id,
        title=rule.title,
        ruleset=rule.ruleset,
        actor=rule.actor,
        severity=rule.severity,
        weight=rule.weight,
        when_silent=rule.when_silent,
        message=rule.message,
        rationale=rule.rationale,
        sources=rule.sources,
        valid_from=rule.valid_from,
        valid_until=rule.valid_until,
        superseded_by=rule.superseded_by,
        location=Location.of(rule.origin) if rule.origin else None,
    )


class _Tracer:
    """Answers 'where did this term's value come from?' for one evaluated proposal."""

    def __init__(
        self, proposal: Proposal, evaluation: Evaluation, contradicted: set[str], book: RuleBook
    ) -> None:
        self.evaluation = evaluation
        self.contradicted = contradicted | {c.term for c in evaluation.clashes}
        self.titles = {i.id: i.title for i in book.implications}
        self.setters: dict[str, tuple[Clause, Location | None]] = {}
        for clause in proposal.clauses:
            for setting in clause.settings:
                where = setting.origin or clause.origin
                self.setters.setdefault(
                    setting.term, (clause, Location.of(where) if where else None)
                )

    @property
    def facts(self) -> Mapping[str, TermValue]:
        return self.evaluation.facts

    def state(self, term: str) -> LeafState:
        derivation = self.evaluation.derived.get(term)
        if derivation is not None:
            return LeafState(
                term=term,
                value=derivation.value,
                set_by="implication",
                implication=derivation.implication,
                because_of=derivation.because_of,
            )
        if term in self.facts and term in self.setters:
            clause, location = self.setters[term]
            return LeafState(
                term=term,
                value=self.facts[term],
                set_by="clause",
                clause=clause.id,
                location=location,
            )
        if term in self.contradicted:
            return LeafState(term=term, value=None, set_by="contradiction")
        return LeafState(term=term, value=None, set_by="unaddressed")

    def clauses(self, term: str, seen: frozenset[str] = frozenset()) -> list[Clause]:
        """The proposal clauses at the root of a term's value, through derivations."""
        if term in seen:
            return []
        derivation = self.evaluation.derived.get(term)
        if derivation is not None:
            return [
                c for cause in derivation.because_of for c in self.clauses(cause, seen | {term})
            ]
        if term in self.facts and term in self.setters:
            return [self.setters[term][0]]
        return []

    def derivations(self, terms: list[str]) -> list[Derivation]:
        """The derivations behind these terms, following each chain back to the clauses."""
        found: dict[str, Derivation] = {}
        queue = list(terms)
        while queue:
            term = queue.pop(0)
            derivation = self.evaluation.derived.get(term)
            if derivation is None or term in found:
                continue
            clauses = list({c.id: c for c in self.clauses(term)}.values())
            found[term] = Derivation(
                term=term,
                value=derivation.value,
                implication=derivation.implication,
                title=self.titles.get(derivation.implication),
                because_of=derivation.because_of,
                clauses=tuple(
                    ClauseRef(id=c.id, title=c.title, location=Location.of(c.origin))
                    for c in clauses
                    if c.origin
                ),
            )
            queue.extend(derivation.because_of)
        return list(found.values())


def _tree(condition: Condition, tracer: _Tracer | None, role: str | None = None) -> Node:
    truth = evaluate(condition, tracer.facts) if tracer else None
    location = Location.of(condition.origin) if condition.origin else None
    if isinstance(condition, Leaf):
        return Node(
            kind="leaf",
            text=describe(condition),
            role=role,
            truth=truth,
            state=tracer.state(condition.term) if tracer else None,
            location=location,
        )
    if isinstance(condition, Not):
        return Node(
            kind="not",
            text="not",
            role=role,
            truth=truth,
            location=location,
            children=(_tree(condition.part, tracer),),
        )
    if isinstance(condition, IfThen):
        return Node(
            kind="if",
            text="if … then …",
            role=role,
            truth=truth,
            location=location,
            children=(
                _tree(condition.condition, tracer, "if"),
                _tree(condition.consequence, tracer, "then"),
            ),
        )
    assert isinstance(condition, AllOf | AnyOf)
    kind = "all" if isinstance(condition, AllOf) else "any"
    text = "all of" if kind == "all" else "any of"
    return Node(
        kind=kind,
        text=text,
        role=role,
        truth=truth,
        location=location,
        children=tuple(_tree(p, tracer) for p in condition.parts),
    )
