"""Rule books of the shapes that take durable-rules' C core past one of its limits when compiled
naively, for `tests/test_durable_limits.py`. Each runs in a subprocess (a regression would hang
for ever, past any signal handler) through `make_engine(book, "auto")`, and every evaluation is
compared with the python engine's on facts chosen around the shape's values:

    python tests/durable_shapes.py SHAPE   ->  one JSON line: the engine taken, the truths that
                                              differ from the python engine's, the stderr notice
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import sys
from collections.abc import Callable
from typing import Any

from redlines.engine import PythonEngine, make_engine
from redlines.models import (
    AllOf,
    AnyOf,
    Catalogue,
    Condition,
    Leaf,
    Rule,
    RuleBook,
    RuleSet,
    Severity,
    Term,
    TermType,
)

Facts = dict[str, Any]
Shape = tuple[RuleBook, list[Facts]]
INTEGER = Term(name="x.n", title="n", type=TermType.INTEGER)
DAY0 = dt.date(2020, 1, 1)


def book(conditions: list[Condition], terms: list[Term]) -> RuleBook:
    rules = tuple(
        Rule(id=f"R{i}", title="r", severity=Severity.RED_LINE, requires=condition,
             message="m", ruleset="t", actor="T")
        for i, condition in enumerate(conditions)
    )  # fmt: skip
    return RuleBook(
        catalogue=Catalogue(terms={term.name: term for term in terms}),
        rulesets=(RuleSet(id="t", actor="T", title="t", rules=rules),),
    )


def integers(count: int) -> list[Term]:
    return [Term(name=f"x.f{i:03}", title="f", type=TermType.INTEGER) for i in range(count)]


def on_n(*values: int) -> list[Facts]:
    return [{}, *({"x.n": value} for value in values)]


def in_2000_integers() -> Shape:  # tests under one node
    leaf = Leaf(term="x.n", op="in", value=tuple(range(2000)))
    return book([leaf], [INTEGER]), on_n(-1, 0, 1, 255, 256, 1000, 1999, 2000)


def in_600_dates() -> Shape:
    days = tuple(DAY0 + dt.timedelta(days=i) for i in range(600))
    term = Term(name="x.d", title="d", type=TermType.DATE)
    facts: list[Facts] = [{}] + [
        {"x.d": DAY0 + dt.timedelta(days=i)} for i in (-1, 0, 300, 599, 600)
    ]
    return book([Leaf(term="x.d", op="in", value=days)], [term]), facts


def any_600_equalities() -> Shape:
    condition = AnyOf(parts=tuple(Leaf(term="x.n", op="eq", value=i) for i in range(600)))
    return book([condition], [INTEGER]), on_n(-1, 0, 599, 600)


def all_1000_greater() -> Shape:  # also nodes matching at once: x.n <= i for every i
    condition = AllOf(parts=tuple(Leaf(term="x.n", op="gt", value=i) for i in range(1000)))
    return book([condition], [INTEGER]), on_n(-1, 0, 500, 999, 1000)


def one_value_1000_times() -> Shape:  # links on one node: the same branch again and again
    term = Term(name="x.e", title="e", type=TermType.ENUM, values=("a", "b"))
    rules = [Leaf(term="x.e", op=op, value=("a",) * 1000) for op in ("in", "not_in")]
    return book(list(rules), [term]), [{}, {"x.e": "a"}, {"x.e": "b"}]


def any_129_absent() -> Shape:  # links on one node: $nex tests
    terms = integers(129)
    condition = AnyOf(parts=tuple(Leaf(term=t.name, op="absent") for t in terms))
    every = {t.name: 1 for t in terms}
    return book([condition], terms), [{}, every, {**every, "x.f064": 2}, {"x.f000": 1}]


def same_rule_300_times() -> Shape:  # rules ending on one node
    rules = [Leaf(term="x.n", op="gt", value=5) for _ in range(300)]
    return book(list(rules), [INTEGER]), on_n(5, 6)


def all_20_in_lists() -> Shape:  # operators in one rule
    terms = integers(20)
    condition = AllOf(parts=tuple(Leaf(term=t.name, op="in", value=(1, 2)) for t in terms))
    ones = {t.name: 1 for t in terms}
    return book([condition], terms), [{}, ones, {**ones, "x.f007": 3}, {**ones, "x.f019": 2}]


def any_65_true() -> Shape:  # nodes matching at once, in one rule
    terms = integers(65)
    condition = AnyOf(parts=tuple(Leaf(term=t.name, op="gt", value=-1) for t in terms))
    return book([condition], terms), [{t.name: value for t in terms} for value in (0, -1, -5)]


def rules_65_true() -> Shape:  # nodes matching at once, over rules
    terms = integers(65)
    rules = [Leaf(term=t.name, op="gt", value=-1) for t in terms]
    return book(list(rules), terms), [{t.name: value for t in terms} for value in (0, -1)]


def enum_70000_characters() -> Shape:  # strings compared on 16-bit lengths
    long_a, long_b = "x" * 70_000, "x" * 69_999 + "y"
    term = Term(name="x.e", title="e", type=TermType.ENUM, values=(long_a, long_b))
    rules = [Leaf(term="x.e", op="eq", value=long_a), Leaf(term="x.e", op="ne", value=long_b)]
    return book(list(rules), [term]), [{}, {"x.e": long_a}, {"x.e": long_b}]


def paths_4_to_the_10th() -> Shape:  # matching paths: no limit in C, a budget here
    terms = integers(40)
    condition = AllOf(
        parts=tuple(
            AnyOf(parts=tuple(Leaf(term=terms[4 * j + i].name, op="gt", value=0) for i in range(4)))
            for j in range(10)
        )
    )
    return book([condition], terms), [{t.name: 1 for t in terms}, {t.name: 0 for t in terms}]


def all_40_in_lists() -> Shape:  # too many pieces
    terms = integers(40)
    condition = AllOf(parts=tuple(Leaf(term=t.name, op="in", value=(1, 2)) for t in terms))
    return book([condition], terms), [{t.name: 1 for t in terms}]


SHAPES: dict[str, Callable[[], Shape]] = {
    shape.__name__: shape
    for shape in (
        in_2000_integers, in_600_dates, any_600_equalities, all_1000_greater,
        one_value_1000_times, any_129_absent, same_rule_300_times, all_20_in_lists,
        any_65_true, rules_65_true, enum_70000_characters, paths_4_to_the_10th, all_40_in_lists,
    )
}  # fmt: skip


def main(name: str) -> None:
    rules, facts = SHAPES[name]()
    notice = io.StringIO()
    with contextlib.redirect_stderr(notice):
        engine = make_engine(rules, "auto")
    reference = PythonEngine(rules)
    differ = []
    for one in facts:
        got, expected = engine.evaluate(one).truths, reference.evaluate(one).truths
        differ += [
            f"{rule} on {sorted(one)[:3]}: {got[rule]} instead of {expected[rule]}"
            for rule in expected
            if got[rule] != expected[rule]
        ]
    print(json.dumps({"engine": engine.name, "differ": differ, "notice": notice.getvalue()}))


if __name__ == "__main__":
    main(sys.argv[1])
