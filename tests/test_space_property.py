"""Property: on generated rule books and drafts, `space` agrees with brute force on the engine.

For each generated rule book, every package over small domains is run through the python engine
(the reference semantics). The domains are exact: for integer and date terms they hold every
constant c the rules or the draft mention, and c - 1 and c + 1, which covers each cell the
solver's order literals distinguish, and both neighbours of every interval bound. Against that:

- feasibility, the witness and the best package (the engine checks each);
- every core is unsatisfiable and minimal, and when enumeration completes, they are all the MUSes;
- the concessions' cost is the brute-force optimum;
- the zone is exactly the projection of the acceptable packages (so its bounds are tight);
- which open terms need a value; which actors are compatible.

Rule books carry ties too: a package must keep every tie (true, or none of its terms set), and on
such a package the engine reads nothing into silence, which the brute force checks as it goes.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redlines.engine import PythonEngine
from redlines.models import (
    Catalogue,
    Condition,
    IfThen,
    Implication,
    Leaf,
    Not,
    Proposal,
    Rule,
    RuleBook,
    RuleSet,
    Severity,
    Term,
    TermType,
    TermValue,
    Tie,
    TieLevel,
    WhenSilent,
)
from redlines.report import Verdict, check
from redlines.space import SpaceReport, analyze_space, package_proposal
from strategies import DAYS, conditions, values_of

TERMS = {
    "a.enum": Term(name="a.enum", title="e", type=TermType.ENUM, values=("x", "y", "z")),
    "a.int": Term(name="a.int", title="i", type=TermType.INTEGER, min=0, max=10),
    "a.flag": Term(name="a.flag", title="b", type=TermType.BOOLEAN),
    "a.day": Term(name="a.day", title="d", type=TermType.DATE),
}
ACTORS = ("p", "q", "r")
CONDITIONS = conditions(TERMS, order_weight=2, max_leaves=5)


def value_of(name: str) -> st.SearchStrategy[Any]:
    return values_of(TERMS[name])


@st.composite
def rule_books(draw: st.DrawFn) -> RuleBook:
    rulesets = []
    number = itertools.count()
    for actor in ACTORS[: draw(st.integers(1, 3))]:
        rules = []
        for _ in range(draw(st.integers(1, 3))):
            severity = draw(st.sampled_from([Severity.RED_LINE] * 3 + [Severity.PRIORITY]))
            rules.append(
                Rule(
                    id=f"R{next(number)}",
                    title="r",
                    severity=severity,
                    weight=None if severity is Severity.RED_LINE else draw(st.integers(1, 5)),
                    requires=draw(CONDITIONS),
                    when_silent=draw(st.sampled_from(list(WhenSilent))),
                    message="m",
                    ruleset=actor,
                    actor=actor.upper(),
                )
            )
        rulesets.append(RuleSet(id=actor, actor=actor.upper(), title=actor, rules=tuple(rules)))
    implications = []
    for j in range(draw(st.integers(0, 2))):
        target = draw(st.sampled_from(["a.flag", "a.enum", "a.int"]))
        implications.append(
            Implication(id=f"I{j}", when=draw(CONDITIONS), then={target: draw(value_of(target))})
        )
    ties = [
        Tie(id=f"T{k}", title="t", requires=draw(CONDITIONS), level=draw(st.sampled_from(TieLevel)))
        for k in range(draw(st.integers(0, 2)))
    ]
    return RuleBook(
        catalogue=Catalogue(terms=TERMS),
        rulesets=tuple(rulesets),
        implications=tuple(implications),
        ties=tuple(ties),
    )


@st.composite
def drafts(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(sorted(TERMS)), unique=True, max_size=2))
    return {name: draw(value_of(name)) for name in names}


# --- brute force over the engine ------------------------------------------------------------------


def _constants(book: RuleBook, draft: dict[str, Any]) -> dict[str, set[Any]]:
    found: dict[str, set[Any]] = {name: set() for name in TERMS}

    def walk(node: Condition) -> None:
        if isinstance(node, Leaf):
            if node.value is not None:
                values = node.value if isinstance(node.value, tuple) else (node.value,)
                found[node.term].update(values)
        elif isinstance(node, Not):
            walk(node.part)
        elif isinstance(node, IfThen):
            walk(node.condition)
            walk(node.consequence)
        else:
            for part in node.parts:
                walk(part)

    for rule in book.rules:
        walk(rule.requires)
    for tie in book.ties:
        walk(tie.requires)
    for imp in book.implications:
        walk(imp.when)
        for name, value in imp.then.items():
            found[name].add(value)
    for name, value in draft.items():
        found[name].add(value)
    return found


def domain(book: RuleBook, draft: dict[str, Any]) -> dict[str, list[Any]]:
    """Per term, every value that can matter, plus None (unaddressed)."""
    constants = _constants(book, draft)
    result: dict[str, list[Any]] = {}
    for name, term in TERMS.items():
        if term.type is TermType.ENUM:
            values: list[Any] = list(term.values)
        elif term.type is TermType.BOOLEAN:
            values = [True, False]
        elif term.type is TermType.INTEGER:
            assert term.min is not None and term.max is not None
            points = {term.min, term.max} | {c + d for c in constants[name] for d in (-1, 0, 1)}
            values = sorted(p for p in points if term.min <= p <= term.max)
        else:
            points = {c + dt.timedelta(days=d) for c in constants[name] for d in (-1, 0, 1)}
            values = sorted(points | {DAYS[0]})
        result[name] = [*values, None]
    return result


@dataclass
class Outcome:
    facts: dict[str, TermValue]
    met: frozenset[str]  # rules met (or silent and met when silent)
    free: frozenset[str]  # terms unaddressed or derived by an implication in this package


def outcomes(book: RuleBook, draft: dict[str, Any], complete: bool = False) -> Iterator[Outcome]:
    """Every admissible package extending the draft, as the engine sees it.

    Admissible: the engine reports no clash on a term the draft does not fix (a clash there is a
    contradiction; on a draft term, the draft's value wins, as in `check`), and every tie holds on
    the package's values, or none of its terms is set.
    """
    engine = PythonEngine(book)
    untied = PythonEngine(book.model_copy(update={"ties": ()}))
    hard = [t for t in book.ties if t.level is TieLevel.CONTRADICTION]
    doms = domain(book, draft)
    free_terms = [n for n in sorted(TERMS) if n not in draft]
    rules = {r.id: r for r in book.rules}
    for choice in itertools.product(*(doms[n] for n in free_terms)):
        values = dict(draft)
        values.update({n: v for n, v in zip(free_terms, choice, strict=True) if v is not None})
        plain = untied.evaluate(values)
        if any(c.term not in draft for c in plain.clashes):
            continue
        if not all(_kept(tie, plain.facts) for tie in hard):
            continue
        evaluation = engine.evaluate(values)
        # What the encoding relies on: on a package that keeps every tie, nothing is read.
        assert evaluation.truths == plain.truths and evaluation.facts == plain.facts
        assert not (evaluation.narrowed or evaluation.broken or evaluation.incoherent)
        facts = evaluation.facts
        if complete and any(n not in facts for n in free_terms):
            continue
        met = frozenset(
            rid
            for rid, truth in evaluation.truths.items()
            if truth is True or (truth is None and rules[rid].when_silent is WhenSilent.MET)
        )
        free = frozenset(
            n
            for n in free_terms
            if n not in facts
            or any(n in i.then and _true(i.when, facts) for i in book.implications)
        )
        yield Outcome(facts=dict(facts), met=met, free=free)


def _kept(tie: Tie, facts: dict[str, TermValue]) -> bool:
    from redlines.conditions import evaluate, terms_of

    return evaluate(tie.requires, facts) is True or not any(
        t in facts for t in terms_of(tie.requires)
    )


def _true(condition: Condition, facts: dict[str, TermValue]) -> bool:
    from redlines.conditions import evaluate

    return evaluate(condition, facts) is True


def red_ids(book: RuleBook) -> frozenset[str]:
    return frozenset(r.id for r in book.rules if r.severity is Severity.RED_LINE)


def satisfiable(rule_ids: frozenset[str], packages: list[Outcome]) -> bool:
    return any(rule_ids <= p.met for p in packages)


# --- the property ---------------------------------------------------------------------------------


def _draft_proposal(draft: dict[str, Any]) -> Proposal | None:
    if not draft:
        return None
    base = Proposal(
        id="draft",
        title="draft",
        date=dt.date(2026, 1, 1),
        status="draft",
        clauses=(),
        path="draft.yaml",
    )
    return package_proposal(base, draft).model_copy(update={"id": "draft"})


def _check_package(book: RuleBook, report: SpaceReport, terms: dict[str, Any]) -> Verdict:
    subject = Proposal(
        id="p", title="p", date=dt.date(2000, 1, 1), status="draft", clauses=(), path="p.yaml"
    )
    return check(
        package_proposal(subject, terms), book, as_of=dt.date(2000, 1, 1), engine="python"
    ).overall


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(book=rule_books(), draft=drafts(), complete=st.booleans())
def test_space_agrees_with_brute_force(
    book: RuleBook, draft: dict[str, Any], complete: bool
) -> None:
    proposal = _draft_proposal(draft)
    report = analyze_space(
        book, proposal, engine="python", complete=complete, max_cores=50, core_budget=30.0
    )
    packages = list(outcomes(book, draft, complete))
    red = red_ids(book)
    rules = {r.id: r for r in book.rules}

    # (1) feasibility, and the engine accepts the witness
    assert report.feasible == satisfiable(red, packages)
    if report.witness is not None:
        assert report.witness.verdict is Verdict.FEASIBLE
        values = {t.term: t.value for t in report.witness.terms}
        assert {k: v for k, v in values.items() if k in draft} == draft
        if complete:
            assert set(values) == set(TERMS)
        if proposal is None:
            assert _check_package(book, report, values) is Verdict.FEASIBLE

    # (2) cores: unsatisfiable, minimal, and all of them when enumeration completed
    if not packages:
        assert report.concessions is None and report.zone is None
        return
    if report.deadlocks is not None:
        found = {frozenset(r.id for r in core.rules) for core in report.deadlocks.cores}
        for core in found:
            assert not satisfiable(core, packages), core
            for rule_id in core:
                assert satisfiable(core - {rule_id}, packages), (core, rule_id)
        if report.deadlocks.complete:
            every = {
                frozenset(s)
                for n in range(1, len(red) + 1)
                for s in itertools.combinations(sorted(red), n)
                if not satisfiable(frozenset(s), packages)
                and all(satisfiable(frozenset(s) - {x}, packages) for x in s)
            }
            assert found == every

    # (4) concessions: the optimum cost, and the engine agrees with the package
    concessions = report.concessions
    assert concessions is not None
    weight = concessions.red_line_weight

    def cost(p: Outcome) -> int:
        return sum(
            weight if rules[r].severity is Severity.RED_LINE else (rules[r].weight or 0)
            for r in rules
            if r not in p.met
        )

    assert concessions.cost == min(cost(p) for p in packages)
    relaxed = {r.id for r in concessions.relaxed}
    judged = {x for a in concessions.package.actors for x in (*a.violated, *a.open)}
    assert judged == relaxed

    # (3) the zone is exactly the projection of the acceptable packages
    zone = report.zone
    assert zone is not None
    kept = red - set(zone.relaxed)
    acceptable = [p for p in packages if kept <= p.met]
    assert acceptable
    doms = domain(book, draft)
    for term_zone in zone.terms:
        name = term_zone.term
        if term_zone.fixed:
            assert name in draft
            continue
        seen = {p.facts.get(name) for p in acceptable}
        assert term_zone.unaddressed == (None in seen), name
        for value in doms[name][:-1]:
            assert _in_zone(term_zone, value) == (value in seen), (name, value)
        # (5) a term needs a value when no acceptable package leaves it to silence or implication
        assert term_zone.needs_value == all(name not in p.free for p in acceptable), name

    # pairwise view
    for pair in report.compatibility:
        ids = frozenset(r for r in red if rules[r].ruleset in pair.rulesets)
        assert pair.compatible == satisfiable(ids, packages)
        if not pair.compatible:
            core = frozenset(pair.core)
            assert not satisfiable(core, packages)
            assert all(satisfiable(core - {x}, packages) for x in core)


def _in_zone(term_zone: Any, value: Any) -> bool:
    if term_zone.type in (TermType.ENUM, TermType.BOOLEAN):
        return any(value == v and type(value) is type(v) for v in term_zone.values)
    for interval in term_zone.intervals:
        if (interval.low is None or interval.low <= value) and (
            interval.high is None or value <= interval.high
        ):
            return True
    return False
