"""Hypothesis strategies for generated catalogues' values and conditions, shared by the
property tests of the engines and of the solver."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import strategies as st

from redlines.models import (
    AllOf,
    AnyOf,
    Clause,
    ClauseOption,
    Condition,
    IfThen,
    Leaf,
    Not,
    Origin,
    Proposal,
    Setting,
    Term,
    TermType,
)
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


def draft_origin(line: int) -> Origin:
    """A place in a generated draft, so that reports can point at it."""
    return Origin(file="<draft>", line=line, col=1)


@st.composite
def drafts_with_brackets(
    draw: st.DrawFn,
    names: Sequence[str],
    value_of: Callable[[str], st.SearchStrategy[Any]],
    brackets: st.SearchStrategy[int],
    paired: st.SearchStrategy[bool],
    options: st.SearchStrategy[int],
    day: dt.date,
) -> Proposal:
    """A text setting at most one of `names`, then `brackets` bracketed clauses over the other
    terms, each over one term or, when `paired`, two (each term in one bracket only, as the
    loader requires), with `options` options setting some of them; terms left over are
    unaddressed."""
    order = list(draw(st.permutations(sorted(names))))
    line = itertools.count(1)

    def settings(terms: Sequence[str]) -> tuple[Setting, ...]:
        return tuple(
            Setting(term=n, value=draw(value_of(n)), origin=draft_origin(next(line))) for n in terms
        )

    clauses = []
    text_terms = order[: draw(st.integers(0, 1))]
    if text_terms:
        clauses.append(
            Clause(
                id="text",
                title="text",
                text="t",
                settings=settings(text_terms),
                origin=draft_origin(next(line)),
            )
        )
    rest = order[len(text_terms) :]
    for b in range(draw(brackets)):
        if not rest:
            break
        own = [rest.pop(0)]
        if rest and draw(paired):
            own.append(rest.pop(0))
        offered = tuple(
            ClauseOption(
                title=f"o{k}",
                settings=settings(draw(st.lists(st.sampled_from(own), min_size=1, unique=True))),
                origin=draft_origin(next(line)),
            )
            for k in range(draw(options))
        )
        clauses.append(
            Clause(
                id=f"b{b}",
                title="bracket",
                text="[ ... ]",
                state="bracketed",
                options=offered,
                origin=draft_origin(next(line)),
            )
        )
    return Proposal(
        id="d", title="d", date=day, status="draft", clauses=tuple(clauses), path="<draft>"
    )
