"""The condition language: Kleene truth, parsing with positions, typing against the catalogue."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from redlines.conditions import deciding_terms, describe, evaluate, terms_of
from redlines.loader.conditions import parse_condition
from redlines.loader.values import type_value
from redlines.models import AllOf, AnyOf, Catalogue, IfThen, InputError, Leaf, Not, RuleBook
from redlines.yamlfile import parse_yaml

T, F, U = True, False, None
CRIMEA = Leaf(term="territory.crimea", op="eq", value="ukrainian")  # true / false / unknown
CAP = Leaf(term="ukraine.army_cap", op="gte", value=800_000)


def facts_for(crimea: bool | None, cap: bool | None) -> dict[str, object]:
    """Facts making CRIMEA and CAP take the given truth values (None: leave unaddressed)."""
    facts: dict[str, object] = {}
    if crimea is not None:
        facts["territory.crimea"] = "ukrainian" if crimea else "contested"
    if cap is not None:
        facts["ukraine.army_cap"] = 900_000 if cap else 600_000
    return facts


KLEENE_AND = {(T, T): T, (T, F): F, (T, U): U, (F, F): F, (F, U): F, (U, U): U}


@pytest.mark.parametrize(("a", "b"), list(itertools.product([T, F, U], repeat=2)))
def test_all_any_not_and_if_follow_kleene(a: bool | None, b: bool | None) -> None:
    facts = facts_for(a, b)
    conj = KLEENE_AND.get((a, b), KLEENE_AND.get((b, a)))
    neg = {T: F, F: T, U: U}
    disj = neg[KLEENE_AND.get((neg[a], neg[b]), KLEENE_AND.get((neg[b], neg[a])))]
    assert evaluate(AllOf(parts=(CRIMEA, CAP)), facts) is conj
    assert evaluate(AnyOf(parts=(CRIMEA, CAP)), facts) is disj
    assert evaluate(Not(part=CRIMEA), facts) is neg[a]
    implication = neg[KLEENE_AND.get((a, neg[b]), KLEENE_AND.get((neg[b], a)))]
    assert evaluate(IfThen(condition=CRIMEA, consequence=CAP), facts) is implication


def test_presence_tests_always_know() -> None:
    present = Leaf(term="ukraine.army_cap", op="present")
    absent = Leaf(term="ukraine.army_cap", op="absent")
    assert evaluate(present, {}) is False
    assert evaluate(absent, {}) is True
    assert evaluate(present, {"ukraine.army_cap": 1}) is True
    assert evaluate(absent, {"ukraine.army_cap": 1}) is False


@pytest.mark.parametrize(
    ("op", "value", "actual", "expected"),
    [
        ("eq", 5, 5, True), ("ne", 5, 5, False), ("lt", 5, 4, True), ("lte", 5, 5, True),
        ("gt", 5, 5, False), ("gte", 5, 5, True), ("in", (1, 2), 2, True),
        ("not_in", (1, 2), 2, False), ("not_in", (1, 2), 3, True),
    ],
)  # fmt: skip
def test_value_operators(op: str, value: object, actual: int, expected: bool) -> None:
    leaf = Leaf(term="ukraine.army_cap", op=op, value=value)  # type: ignore[arg-type]
    assert evaluate(leaf, {"ukraine.army_cap": actual}) is expected
    assert evaluate(leaf, {}) is None


def test_dates_compare_in_time_order() -> None:
    leaf = Leaf(term="eu.lng_ban_from", op="lte", value=dt.date(2027, 1, 1))
    assert evaluate(leaf, {"eu.lng_ban_from": dt.date(2026, 4, 25)}) is True
    assert evaluate(leaf, {"eu.lng_ban_from": dt.date(2028, 1, 1)}) is False


def parse(text: str, catalogue: Catalogue) -> object:
    doc = parse_yaml(text.encode(), "cond.yaml")
    return parse_condition(doc, ("requires",), catalogue)


def test_parse_builds_the_tree_with_positions(fixture_rules: RuleBook) -> None:
    condition = parse(
        "requires:\n"
        "  all:\n"
        "    - {term: territory.crimea, not_in: [de_jure_russian]}\n"
        "    - if: {term: ukraine.constitution_amended, eq: true}\n"
        "      then: {term: ukraine.martial_law_ended, eq: true}\n",
        fixture_rules.catalogue,
    )
    assert isinstance(condition, AllOf)
    first, second = condition.parts
    assert isinstance(first, Leaf) and first.value == ("de_jure_russian",)
    assert first.origin is not None and (first.origin.line, first.origin.col) == (3, 7)
    assert isinstance(second, IfThen)
    assert describe(condition) == (
        "all(territory.crimea not in [de_jure_russian], if ukraine.constitution_amended = true "
        "then ukraine.martial_law_ended = true)"
    )


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("requires: {term: territory.crimia, eq: ukrainian}",
         "unknown term 'territory.crimia' (did you mean 'territory.crimea'?)", 1),
        ("requires: {term: territory.crimea, eq: ukranian}",
         "'ukranian' is not a value of 'territory.crimea' (did you mean 'ukrainian'?)", 1),
        ("requires: {term: territory.crimea, lt: ukrainian}",
         "'lt' compares order; 'territory.crimea' is an enum term", 1),
        ("requires: {term: ukraine.army_cap, gt: 1, lt: 5}", "one operator per term test", 1),
        ("requires: {term: ukraine.army_cap, gtt: 1}",
         "unknown operator 'gtt' (did you mean 'gt'?)", 1),
        ("requires:\n  all: []", "'all' needs at least one condition", 2),
        ("requires: {term: eu.lng_ban_from, lt: 5}", "'eu.lng_ban_from' is a date", 1),
        ("requires: {term: ukraine.constitution_amended, eq: yes}",
         "write true or false ('yes' is not a boolean here)", 1),
        ("requires: {term: ukraine.army_cap, eq: 9000000}", "must be at most 3,000,000", 1),
        (
            "requires: {if: {term: ukraine.army_cap, present: true}}",
            "'if' and 'then' go together",
            1,
        ),
    ],
)  # fmt: skip
def test_parse_errors_name_the_place_and_the_fix(
    fixture_rules: RuleBook, text: str, message: str, line: int
) -> None:
    with pytest.raises(InputError) as caught:
        parse(text, fixture_rules.catalogue)
    (problem,) = caught.value.problems
    assert message in problem.message
    assert problem.file == "cond.yaml"
    assert problem.line == line


def test_type_value_rejects_integer_for_date_and_accepts_iso_text(fixture_rules: RuleBook) -> None:
    term = fixture_rules.catalogue.terms["eu.lng_ban_from"]
    assert type_value(term, "2026-04-25") == dt.date(2026, 4, 25)
    with pytest.raises(ValueError, match="is a date"):
        type_value(term, 20260425)
    cap = fixture_rules.catalogue.terms["ukraine.army_cap"]
    with pytest.raises(ValueError, match="is an integer"):
        type_value(cap, True)


def test_deciding_terms_name_what_made_the_difference() -> None:
    condition = AllOf(parts=(CRIMEA, CAP))
    facts = {"territory.crimea": "contested", "ukraine.army_cap": 900_000}
    assert deciding_terms(condition, facts) == (False, ["territory.crimea"])
    assert deciding_terms(condition, {"ukraine.army_cap": 900_000}) == (None, ["territory.crimea"])
    assert deciding_terms(AnyOf(parts=(CRIMEA, CAP)), facts) == (True, ["ukraine.army_cap"])
    assert terms_of(condition) == ["territory.crimea", "ukraine.army_cap"]
