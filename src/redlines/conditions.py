"""The condition language's meaning: evaluate a condition three-valued, explain and describe it.

Truth is Kleene's: True, False, or None for unknown. A value leaf on a term the proposal leaves
unaddressed is unknown; `present`/`absent` always know. Both engines and the solver take their
semantics from `evaluate` here, which is the reference. Conditions are parsed by the loader
(`loader/conditions.py`); what each operator means is its row in `operators.OPERATORS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .models import AllOf, AnyOf, Condition, IfThen, Leaf, Not, TermValue
from .operators import OPERATORS, if_then_as_any

Truth = bool | None
Facts = Mapping[str, TermValue]

# --- evaluation ---------------------------------------------------------------------------------


def evaluate(condition: Condition, facts: Facts) -> Truth:
    """Kleene three-valued truth of `condition` on `facts` (unset terms are unaddressed)."""
    return compile_condition(condition)(facts)


Compiled = Callable[[Facts], Truth]


def compile_condition(condition: Condition) -> Compiled:
    """Compile once to nested closures: the reference semantics, plainly written (the python
    engine generates faster straight-line code from the same conditions; engine/python.py)."""
    if isinstance(condition, Leaf):
        return _compile_leaf(condition)
    if isinstance(condition, Not):
        return _negated(compile_condition(condition.part))
    if isinstance(condition, IfThen):
        return compile_condition(if_then_as_any(condition))
    parts = tuple(compile_condition(p) for p in condition.parts)
    return _all_of(parts) if isinstance(condition, AllOf) else _any_of(parts)


def _negated(inner: Compiled) -> Compiled:
    def negated(facts: Facts) -> Truth:
        value = inner(facts)
        return None if value is None else not value

    return negated


def _all_of(parts: tuple[Compiled, ...]) -> Compiled:
    def all_of(facts: Facts) -> Truth:
        unknown = False
        for part in parts:
            value = part(facts)
            if value is False:
                return False
            if value is None:
                unknown = True
        return None if unknown else True

    return all_of


def _any_of(parts: tuple[Compiled, ...]) -> Compiled:
    def any_of(facts: Facts) -> Truth:
        unknown = False
        for part in parts:
            value = part(facts)
            if value is True:
                return True
            if value is None:
                unknown = True
        return None if unknown else False

    return any_of


def _compile_leaf(leaf: Leaf) -> Compiled:
    term, operator = leaf.term, OPERATORS[leaf.op]
    unset, test = operator.when_unset, operator.bind(leaf.value)

    def leaf_truth(facts: Facts) -> Truth:
        if term not in facts:
            return unset
        return test(facts[term])

    return leaf_truth


# --- explanation --------------------------------------------------------------------------------


def deciding_terms(condition: Condition, facts: Facts) -> tuple[Truth, list[str]]:
    """The condition's truth and the terms whose leaves decided it, in order of appearance.

    For a false `all`, the terms of its false parts; for a true `all`, of all parts; for an
    unknown one, of its unknown parts (the terms a draft would have to settle). `any` is dual.
    """
    truth, terms = _deciding(condition, facts)
    return truth, list(dict.fromkeys(terms))


def _deciding(condition: Condition, facts: Facts) -> tuple[Truth, list[str]]:
    if isinstance(condition, Leaf):
        return _compile_leaf(condition)(facts), [condition.term]
    if isinstance(condition, Not):
        truth, terms = _deciding(condition.part, facts)
        return (None if truth is None else not truth), terms
    if isinstance(condition, IfThen):
        return _deciding(if_then_as_any(condition), facts)
    results = [_deciding(p, facts) for p in condition.parts]
    truths = [value for value, _ in results]
    # The whole's truth from its parts' (as `_all_of`/`_any_of` decide it, without compiling the
    # subtree again at every level): a false part decides an `all`, a true one an `any`; else
    # an unknown part makes the whole unknown.
    deciding: Truth = isinstance(condition, AnyOf)
    truth = deciding if deciding in truths else None if None in truths else not deciding
    # Whatever the combinator, the parts that agree with the whole decided it: the false parts
    # of a false `all`, the true parts of a true `any`, the unknown parts of an unknown one.
    return truth, [t for value, terms in results if value is truth for t in terms]


def leaves(condition: Condition) -> Iterator[Leaf]:
    """Every term test in a condition, left to right."""
    if isinstance(condition, Leaf):
        yield condition
    elif isinstance(condition, Not):
        yield from leaves(condition.part)
    elif isinstance(condition, IfThen):
        yield from leaves(condition.condition)
        yield from leaves(condition.consequence)
    else:
        for part in condition.parts:
            yield from leaves(part)


def terms_of(condition: Condition) -> list[str]:
    """Every term a condition mentions, in order of first appearance."""
    return list(dict.fromkeys(leaf.term for leaf in leaves(condition)))


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


def describe(condition: Condition) -> str:
    """A one-line readable form: `all(territory.crimea not in [de_jure_russian], …)`."""
    if isinstance(condition, Leaf):
        operator = OPERATORS[condition.op]
        said = f"{condition.term} {operator.words}"
        return said if operator.shape == "none" else f"{said} {format_value(condition.value)}"
    if isinstance(condition, Not):
        return f"not({describe(condition.part)})"
    if isinstance(condition, IfThen):
        return f"if {describe(condition.condition)} then {describe(condition.consequence)}"
    name = "all" if isinstance(condition, AllOf) else "any"
    return f"{name}(" + ", ".join(describe(p) for p in condition.parts) + ")"
