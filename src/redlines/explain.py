"""Why a rule says what it says: its condition as a tree, and on a proposal each leaf's value.

`explain_rule(book, rule_id)` gives the rule, its condition in readable form, rationale and
sources. `explain_rule(book, rule_id, proposal)` adds the evaluation tree: every node's Kleene
truth, every leaf's term value and the clause that set it (file:line), or the override, or that
it is unaddressed, or the implication that derived it and what that implication fired on. It
reads the one evaluation `check` makes (the facts the engine reached, proposal values plus
derivations, and their trace), so it matches `check` by construction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from .conditions import Truth, compile_condition, describe, terms_of
from .coverage import CoverageTerm, coverage
from .engine import EngineName
from .engine.ties import Readings
from .models import (
    AllOf,
    AnyOf,
    Condition,
    Frozen,
    IfThen,
    Leaf,
    Not,
    Proposal,
    RuleBook,
    Source,
    TermValue,
    WhenSilent,
)
from .report import (
    ClauseRef,
    Finding,
    Location,
    ProposalInfo,
    RuleRef,
    Status,
    TermState,
    Trace,
    check_and_trace,
    rule_status,
)
from .specs import suggest


class UnknownRule(LookupError):
    """No rule with that id; the message suggests near misses."""


class Node(Frozen):
    kind: Literal["leaf", "all", "any", "not", "if"]
    text: str  # the node in readable form (conditions.describe)
    role: Literal["if", "then"] | None = None  # under an if/then node
    truth: bool | None = None  # with a proposal: Kleene truth (None: unknown)
    state: TermState | None = None  # with a proposal, on leaves
    location: Location | None = None  # where the condition is written
    children: tuple[Node, ...] = ()


class Derivation(Frozen):
    term: str
    value: TermValue
    implication: str  # the id of the implication, or of the tie (`via`)
    title: str | None
    because_of: tuple[str, ...]
    clauses: tuple[ClauseRef, ...]  # the proposal clauses at the root of the chain
    via: Literal["implication", "tie"] = "implication"


class RuleInfo(RuleRef):
    """The rule with everything a reader of its explanation needs."""

    when_silent: WhenSilent
    message: str
    rationale: str | None
    sources: tuple[Source, ...]
    valid_from: dt.date | None
    valid_until: dt.date | None
    superseded_by: str | None
    location: Location | None


class Explanation(Frozen):
    rule: RuleInfo
    condition: str
    tree: Node
    implications: tuple[str, ...]  # implications that can derive a term the rule reads
    ties: tuple[str, ...] = ()  # ties on a term the rule reads (they may read it coherently)
    # Every actor's rules on each term the rule reads, or why it has none (coverage.py).
    positions: tuple[CoverageTerm, ...] = ()
    proposal: ProposalInfo | None = None
    as_of: dt.date | None = None
    in_force: bool | None = None  # on as_of; a rule not in force has no finding
    truth: bool | None = None
    status: Status | None = None
    silent: bool = False  # the status comes from when_silent
    finding: Finding | None = None
    derived: tuple[Derivation, ...] = ()  # derived terms the rule reads, with their chains


def explain_rule(
    book: RuleBook,
    rule_id: str,
    proposal: Proposal | None = None,
    *,
    as_of: dt.date | None = None,
    overrides: Mapping[str, Any] | None = None,
    engine: EngineName = "auto",
) -> Explanation:
    """Explain one rule, and with a proposal, how it comes out on it (rules as of its date).

    `overrides` lays term values over the proposal as `check(..., overrides=...)` does.
    """
    rule = book.rule(rule_id)
    if rule is None:
        raise UnknownRule(f"no rule '{rule_id}'{_near_miss(rule_id, [r.id for r in book.rules])}")
    info = RuleInfo.of(rule)
    reads = set(terms_of(rule.requires))
    readers = tuple(sorted(i.id for i in book.implications if set(i.then) & reads))
    ties = tuple(sorted(t.id for t in book.ties if set(terms_of(t.requires)) & reads))
    if proposal is None:
        if overrides:
            raise ValueError("explain_rule: overrides need a proposal to lay them over")
        return Explanation(
            rule=info,
            condition=describe(rule.requires),
            tree=_tree(rule.requires, None),
            implications=readers,
            ties=ties,
            positions=coverage(book, terms_of(rule.requires)).terms,
        )
    as_of = as_of or proposal.date
    # The rule's own actor only: implications do not depend on the actors, so neither do the
    # facts; a rule not in force on `as_of` gets no finding but still a tree.
    report, trace = check_and_trace(
        proposal, book, as_of=as_of, overrides=overrides, actors=[rule.ruleset], engine=engine
    )
    truth = _truth(rule.requires, trace)
    status, silent = rule_status(rule, truth)
    titles = {i.id: i.title for i in book.implications}
    titles.update({t.id: t.title for t in book.ties})
    return Explanation(
        rule=info,
        condition=describe(rule.requires),
        tree=_tree(rule.requires, trace),
        implications=readers,
        ties=ties,
        proposal=report.proposal,
        as_of=as_of,
        in_force=rule.in_force(as_of),
        truth=truth,
        status=status,
        silent=silent,
        finding=next((f for f in report.findings if f.rule == rule.id), None),
        derived=tuple(
            Derivation(
                term=d.term,
                value=d.value,
                implication=d.implication,
                title=titles.get(d.implication),
                because_of=d.because_of,
                clauses=d.clauses,
                via=d.via,
            )
            for d in map(trace.derived_term, trace.chain(terms_of(rule.requires)))
        ),
    )


# The name it had before `redlines.explain_rule`; `from redlines.explain import explain` works on.
explain = explain_rule


def _near_miss(rule_id: str, known: list[str]) -> str:
    """' (did you mean …?)': the rule whose id differs only in case, else the closest id."""
    same = [r for r in known if r.lower() == rule_id.lower()]
    return f" (did you mean '{same[0]}'?)" if same else suggest(rule_id, known)


def _truth(condition: Condition, trace: Trace) -> Truth:
    """The condition's truth as `check` decides it: on the facts, and where the ties narrow an
    unaddressed term to several values, the same for every one of them (engine/ties.py)."""
    readings = Readings(trace.facts, trace.narrowed)
    return readings.truth(compile_condition(condition), terms_of(condition))


def _tree(
    condition: Condition, trace: Trace | None, role: Literal["if", "then"] | None = None
) -> Node:
    truth = _truth(condition, trace) if trace else None
    location = Location.of(condition.origin) if condition.origin else None
    if isinstance(condition, Leaf):
        return Node(
            kind="leaf",
            text=describe(condition),
            role=role,
            truth=truth,
            state=trace.state(condition.term) if trace else None,
            location=location,
        )
    if isinstance(condition, Not):
        return Node(
            kind="not",
            text="not",
            role=role,
            truth=truth,
            location=location,
            children=(_tree(condition.part, trace),),
        )
    if isinstance(condition, IfThen):
        return Node(
            kind="if",
            text="if … then …",
            role=role,
            truth=truth,
            location=location,
            children=(
                _tree(condition.condition, trace, "if"),
                _tree(condition.consequence, trace, "then"),
            ),
        )
    assert isinstance(condition, AllOf | AnyOf)
    kind: Literal["all", "any"] = "all" if isinstance(condition, AllOf) else "any"
    return Node(
        kind=kind,
        text="all of" if kind == "all" else "any of",
        role=role,
        truth=truth,
        location=location,
        children=tuple(_tree(p, trace) for p in condition.parts),
    )
