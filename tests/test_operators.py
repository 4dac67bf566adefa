"""The operator table: every reader of a term test takes the operator from one row, so the row
must agree with itself (its test, its Python symbol, its primitive, its negation) and with the
operator names a `Leaf` accepts."""

from __future__ import annotations

import datetime as dt
import itertools
import operator as python
from typing import Any, get_args

import pytest

from redlines.models import Leaf, Op, TermType
from redlines.operators import OPERATORS, Operator
from redlines.specs import json_schema

# Values of each type to test every operator on, with constants beside and between them.
SAMPLES: dict[TermType, list[Any]] = {
    TermType.INTEGER: [-1, 0, 1, 2, 799_999, 800_000, 800_001],
    TermType.DATE: [dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 1, 2)],
    TermType.ENUM: ["ukrainian", "contested", "de_jure_russian"],
    TermType.BOOLEAN: [True, False],
}
SYMBOLS = {
    "==": python.eq,
    "!=": python.ne,
    "<": python.lt,
    "<=": python.le,
    ">": python.gt,
    ">=": python.ge,
    "in": lambda v, k: v in k,
    "not in": lambda v, k: v not in k,
}


def cases(op: Operator) -> list[tuple[Any, Any]]:
    """(set value, leaf value) pairs of every type the operator may test."""
    found = []
    for kind in sorted(op.types):
        values = SAMPLES[kind]
        if op.shape == "none":
            found += [(value, None) for value in values]
        elif op.shape == "list":
            lists = [tuple(c) for n in (1, 2) for c in itertools.combinations(values, n)]
            found += [(value, listed) for value in values for listed in lists]
        else:
            found += list(itertools.product(values, values))
    return found


def successor(value: Any) -> Any:
    return value + dt.timedelta(days=1) if isinstance(value, dt.date) else value + 1


def primitive_reading(op: Operator, value: Any, leaf_value: Any) -> bool:
    if op.primitive == "set":
        holds = True
    elif op.primitive == "equals":
        holds = value in (leaf_value if op.shape == "list" else (leaf_value,))
    else:
        holds = value >= (successor(leaf_value) if op.successor else leaf_value)
    return holds != op.negated


def test_the_table_names_exactly_the_operators_a_leaf_accepts_in_the_same_order() -> None:
    assert tuple(OPERATORS) == get_args(Op)
    assert all(op.name == name for name, op in OPERATORS.items())


@pytest.mark.parametrize("name", list(OPERATORS))
def test_each_operator_reads_the_same_as_its_primitive_and_as_its_python_symbol(name: str) -> None:
    op = OPERATORS[name]  # type: ignore[index]
    assert cases(op)
    for value, leaf_value in cases(op):
        tested = op.bind(leaf_value)(value)
        assert tested is primitive_reading(op, value, leaf_value), (value, leaf_value)
        if op.symbol is not None:
            assert SYMBOLS[op.symbol](value, op.constant(leaf_value)) is tested


@pytest.mark.parametrize("name", list(OPERATORS))
def test_negation_is_the_opposite_test_on_a_set_term_and_undoes_itself(name: str) -> None:
    op = OPERATORS[name]  # type: ignore[index]
    negation = OPERATORS[op.negation]
    assert OPERATORS[negation.negation] is op
    assert (negation.shape, negation.types, negation.primitive, negation.successor) == (
        op.shape,
        op.types,
        op.primitive,
        op.successor,
    )
    assert negation.negated is not op.negated
    for value, leaf_value in cases(op):
        assert negation.bind(leaf_value)(value) is not op.bind(leaf_value)(value)


def test_only_presence_tests_know_an_unaddressed_term() -> None:
    unset = {name: op.when_unset for name, op in OPERATORS.items()}
    assert unset.pop("present") is False
    assert unset.pop("absent") is True
    assert set(unset.values()) == {None}


def test_order_operators_test_only_integers_and_dates() -> None:
    ordered = {name for name, op in OPERATORS.items() if op.types != frozenset(TermType)}
    assert ordered == {"lt", "lte", "gt", "gte"}
    for name in ordered:
        assert OPERATORS[name].types == {TermType.INTEGER, TermType.DATE}  # type: ignore[index]


@pytest.mark.parametrize("kind", ["rules", "implications"])
def test_the_published_condition_schema_takes_each_operator_s_value_shape(kind: str) -> None:
    properties = json_schema(kind)["$defs"]["Condition"]["properties"]
    for name, op in OPERATORS.items():
        expected = {"one": {}, "list": {"type": "array", "minItems": 1}, "none": {"const": True}}
        shape = {key: value for key, value in properties[name].items() if key != "description"}
        assert shape == expected[op.shape]
        assert properties[name]["description"], f"{name} says what it tests"


def test_a_leaf_value_is_bound_as_a_set_for_list_operators() -> None:
    leaf = Leaf(term="territory.crimea", op="in", value=("ukrainian", "contested"))
    assert OPERATORS[leaf.op].constant(leaf.value) == frozenset({"ukrainian", "contested"})
    assert OPERATORS["eq"].constant(5) == 5
