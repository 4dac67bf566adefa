"""Property: on generated catalogues, rules and proposals, both engines agree exactly (also on
wide conditions and repeated values, which take durable-rules past its limits unless split), and
the python engine's generated code agrees with the reference semantics (`conditions.evaluate`)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redlines.conditions import deciding_terms, evaluate
from redlines.engine import DurableEngine, EngineUnavailable, PythonEngine, durable_available
from redlines.models import (
    AllOf,
    AnyOf,
    Catalogue,
    Condition,
    IfThen,
    Implication,
    Leaf,
    Not,
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


# Wide conditions and repeated values: the shapes that took durable-rules past its limits
# (tests under one node, links on one node, tests matching at once, operators in one rule).
WIDE_TERMS = {
    **TERMS,
    "w.int": Term(name="w.int", title="w", type=TermType.INTEGER, min=0, max=3000),
    **{f"w.f{i}": Term(name=f"w.f{i}", title="f", type=TermType.INTEGER) for i in range(70)},
}


@st.composite
def wide_leaves(draw: st.DrawFn) -> Condition:
    kind = draw(st.sampled_from(["in", "not_in", "repeated", "any", "all", "enum"]))
    # sizes just past each of durable-rules' limits, and around them
    if kind in ("in", "not_in"):  # up to 2,000 values, some repeated
        size = draw(st.sampled_from([1, 2, 65, 129, 256, 511, 600, 2000]))
        values = draw(st.lists(st.integers(0, 3000), min_size=size, max_size=size))
        return Leaf(term="w.int", op=kind, value=tuple(values))
    if kind == "repeated":  # one value listed up to 1,000 times
        value, times = draw(st.integers(0, 3000)), draw(st.sampled_from([2, 65, 129, 200, 1000]))
        return Leaf(
            term="w.int", op=draw(st.sampled_from(["in", "not_in"])), value=(value,) * times
        )
    if kind == "enum":
        values = draw(st.lists(st.sampled_from(["x", "y", "z"]), min_size=1, max_size=300))
        return Leaf(term="a.enum", op=draw(st.sampled_from(["in", "not_in"])), value=tuple(values))
    # any/all of up to 70 tests on as many terms, all of which may hold at once
    count = draw(st.sampled_from([2, 15, 16, 33, 49, 65, 70]))
    op = draw(st.sampled_from(["gt", "lt", "ne", "eq", "absent", "present"]))
    parts = tuple(
        Leaf(term=f"w.f{i}", op=op) if op in ("absent", "present")
        else Leaf(term=f"w.f{i}", op=op, value=draw(st.integers(-1, 1)))
        for i in range(count)
    )  # fmt: skip
    return AnyOf(parts=parts) if kind == "any" else AllOf(parts=parts)


WIDE_CONDITIONS = st.recursive(
    st.one_of(wide_leaves(), conditions(TERMS)),
    lambda inner: (
        st.lists(inner, min_size=1, max_size=3).map(lambda ps: AllOf(parts=tuple(ps)))
        | st.lists(inner, min_size=1, max_size=3).map(lambda ps: AnyOf(parts=tuple(ps)))
    ),
    max_leaves=4,
)


@st.composite
def wide_fact_sets(draw: st.DrawFn, book: RuleBook) -> dict[str, Any]:
    """Values on both sides of what the book's wide conditions test."""
    facts = draw(fact_sets())
    listed = [v for rule in book.rules for v in _values(rule.requires) if isinstance(v, int)]
    if draw(st.booleans()):
        facts["w.int"] = draw(st.sampled_from(listed) if listed else st.integers(0, 3000))
    for i in range(70):
        if draw(st.integers(0, 3)):
            facts[f"w.f{i}"] = draw(st.integers(-2, 2))
    return facts


def _values(condition: Condition) -> list[Any]:
    if isinstance(condition, Leaf):
        return list(condition.value) if isinstance(condition.value, tuple) else [condition.value]
    if isinstance(condition, Not):
        return _values(condition.part)
    if isinstance(condition, IfThen):
        return _values(condition.condition) + _values(condition.consequence)
    return [v for part in condition.parts for v in _values(part)]


@needs_durable
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), conditions_=st.lists(WIDE_CONDITIONS, min_size=1, max_size=4))
def test_durable_and_python_engines_agree_on_wide_and_repeated_conditions(
    data: st.DataObject, conditions_: list[Condition]
) -> None:
    rules = tuple(
        Rule(id=f"W{i}", title="w", severity=Severity.RED_LINE, requires=c, message="m",
             ruleset="t", actor="T")
        for i, c in enumerate(conditions_)
    )  # fmt: skip
    book = RuleBook(
        catalogue=Catalogue(terms=WIDE_TERMS),
        rulesets=(RuleSet(id="t", actor="T", title="t", rules=rules),),
    )
    try:
        durable = DurableEngine(book)
    except EngineUnavailable as why:  # too large even split: `auto` takes the python engine
        assert "is too large for durable-rules" in str(why)
        return
    python = PythonEngine(book)
    for _ in range(3):
        facts = data.draw(wide_fact_sets(book))
        assert durable.evaluate(facts).truths == python.evaluate(facts).truths
