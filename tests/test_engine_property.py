"""Property: on generated catalogues, rules and proposals, both engines agree exactly, and the
python engine's generated code agrees with the reference semantics (`conditions.evaluate`)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redlines.conditions import deciding_terms, evaluate
from redlines.engine import DurableEngine, PythonEngine, durable_available
from redlines.models import (
    Catalogue,
    Implication,
    Rule,
    RuleBook,
    RuleSet,
    Severity,
    Term,
    TermType,
)
from strategies import conditions, values_of

needs_durable = pytest.mark.skipif(not durable_available(), reason="durable-rules not importable")

TERMS = {
    "a.enum": Term(name="a.enum", title="e", type=TermType.ENUM, values=("x", "y", "z")),
    "a.int": Term(name="a.int", title="i", type=TermType.INTEGER, min=0, max=10),
    "a.flag": Term(name="a.flag", title="b", type=TermType.BOOLEAN),
    "a.day": Term(name="a.day", title="d", type=TermType.DATE),
    "b.flag": Term(name="b.flag", title="b2", type=TermType.BOOLEAN),
}
CONDITIONS = conditions(TERMS)


def value_of(name: str) -> st.SearchStrategy[Any]:
    return values_of(TERMS[name])


@st.composite
def rule_books(draw: st.DrawFn) -> RuleBook:
    rules = tuple(
        Rule(
            id=f"R{i}",
            title="r",
            severity=Severity.RED_LINE,
            requires=c,
            message="m",
            ruleset="t",
            actor="T",
        )
        for i, c in enumerate(draw(st.lists(CONDITIONS, min_size=1, max_size=8)))
    )
    implications = []
    for j in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from(["a.flag", "b.flag", "a.enum"]))
        implications.append(
            Implication(id=f"I{j}", when=draw(CONDITIONS), then={target: draw(value_of(target))})
        )
    return RuleBook(
        catalogue=Catalogue(terms=TERMS),
        rulesets=(RuleSet(id="t", actor="T", title="t", rules=rules),),
        implications=tuple(implications),
    )


@st.composite
def fact_sets(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(sorted(TERMS)), unique=True))
    return {name: draw(value_of(name)) for name in names}


@needs_durable
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=rule_books(), proposals=st.lists(fact_sets(), min_size=1, max_size=4))
def test_durable_and_python_engines_agree(book: RuleBook, proposals: list[dict[str, Any]]) -> None:
    durable, python = DurableEngine(book), PythonEngine(book)
    for facts in proposals:
        expected, actual = python.evaluate(facts), durable.evaluate(facts)
        assert actual.truths == expected.truths
        assert actual.derived == expected.derived
        assert actual.clashes == expected.clashes


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=rule_books(), proposals=st.lists(fact_sets(), min_size=1, max_size=4))
def test_python_engine_code_matches_the_reference_semantics(
    book: RuleBook, proposals: list[dict[str, Any]]
) -> None:
    engine = PythonEngine(book)
    for facts in proposals:
        assert engine.decide(facts) == {r.id: evaluate(r.requires, facts) for r in book.rules}
        assert engine.firing(facts) == {
            i.id for i in book.implications if evaluate(i.when, facts) is True
        }


@settings(max_examples=200, deadline=None)
@given(condition=CONDITIONS, facts=fact_sets())
def test_deciding_terms_gives_the_reference_truth(condition: Any, facts: dict[str, Any]) -> None:
    assert deciding_terms(condition, facts)[0] == evaluate(condition, facts)
