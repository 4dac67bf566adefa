"""Hypothesis strategies for generated catalogues' values and conditions, shared by the
property tests of the engines and of the solver."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from redlines.models import AllOf, AnyOf, Condition, IfThen, Leaf, Not, Term, TermType
from redlines.operators import OPERATORS

DAYS = [dt.date(2026, 1, d) for d in (1, 10, 20)]


def values_of(term: Term) -> st.SearchStrategy[Any]:
    """Values of a small test term: its enum values, 0..10, booleans, or three dates."""
    if term.type is TermType.ENUM:
        return st.sampled_from(term.values)
    if term.type is TermType.INTEGER:
        return st.integers(0, 10)
    if term.type is TermType.BOOLEAN:
        return st.booleans()
    return st.sampled_from(DAYS)


def leaves(terms: dict[str, Term], order_weight: int = 1) -> st.SearchStrategy[Leaf]:
    """Term tests of every operator a term's type allows; `order_weight` favours lt..gte."""

    @st.composite
    def leaf(draw: st.DrawFn) -> Leaf:
        name = draw(st.sampled_from(sorted(terms)))
        term = terms[name]
        # Every operator of the table that tests this type: a new operator is generated here,
        # and so held to the reference by every property test, without a change to this file.
        ops = [
            op
            for op in OPERATORS.values()
            if term.type in op.types
            for _ in range(order_weight if op.primitive == "at_least" else 1)
        ]
        op = draw(st.sampled_from(ops))
        if op.shape == "none":
            return Leaf(term=name, op=op.name)
        if op.shape == "list":
            chosen = draw(st.lists(values_of(term), min_size=1, max_size=3, unique=True))
            return Leaf(term=name, op=op.name, value=tuple(chosen))
        return Leaf(term=name, op=op.name, value=draw(values_of(term)))

    return leaf()


def conditions(
    terms: dict[str, Term], *, order_weight: int = 1, max_leaves: int = 6
) -> st.SearchStrategy[Condition]:
    """Condition trees of all, any, not and if/then over `leaves(terms)`."""
    return st.recursive(
        leaves(terms, order_weight),
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(lambda ps: AllOf(parts=tuple(ps))),
            st.lists(inner, min_size=1, max_size=3).map(lambda ps: AnyOf(parts=tuple(ps))),
            inner.map(lambda p: Not(part=p)),
            st.tuples(inner, inner).map(lambda t: IfThen(condition=t[0], consequence=t[1])),
        ),
        max_leaves=max_leaves,
    )
