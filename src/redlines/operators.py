"""The operators of the condition language, in one table, and the one rewrite of `if`/`then`.

A term test is `{term: T, OP: V}`. Everything any layer knows about an OP is a field of its row
in `OPERATORS`, so adding an operator is one row here plus its tests (and its name in
`models.Op`, the type a `Leaf` is checked against; a test holds the two equal).

How each reader uses a row:

- The parser (the loader's) and the input schema (`specs.py`): the keys of `OPERATORS`, in
  this order, are the operators a condition may use and the order messages list them in;
  `shape` says what value the operator takes (one value, a non-empty list, or only `true`),
  `types` which term types it may test, and `types_reason` what the message says when a term
  of another type is tested.
- The reference evaluator (`conditions.evaluate`): a test on a term the draft leaves unaddressed
  is `when_unset` (unknown for a value test; decided for `present`/`absent`); on a set term it
  is `test(value, constant(leaf.value))`. `bind(leaf.value)` gives that second half as a
  one-argument function.
- `conditions.describe`: `words`, then the value for operators that take one.
- A code generator (the python engine) writes `value {symbol} constant` for a value test, with
  `constant(leaf.value)` bound as the constant (a frozenset for `in`/`not_in`); `symbol` is a
  Python comparison operator. The two presence tests have no symbol: `value is UNSET` gives
  `when_unset`, anything else its opposite.
- An encoding that has no comparisons of its own (a SAT encoding), or that must push negation
  down to the leaves (the durable-rules compiler, which has no NOT), reads each operator as
  one of three primitives, possibly `negated`:
    * `set`: the term is set at all (`present`; `absent` is it negated);
    * `equals`: the set value equals the constant, or for a list one of the constants
      (`eq`, `in`; `ne`, `not_in` negated);
    * `at_least`: the set value is at least the constant (`gte`), or with `successor` at least
      the next whole number or day after it (`gt`); `lt` and `lte` are these negated.
  A negated `equals` or `at_least` still needs the term set: on an unaddressed term every value
  test is unknown, negated or not. `negation` names the operator whose test is this one's
  opposite on a set term (and for `present`/`absent`, everywhere), so negation pushed to the
  leaves is a lookup: `not {term: T, lt: 5}` is `{term: T, gte: 5}` on a set term.

`if_then_as_any` is the single place `if A then B` becomes `any(not A, B)`: every evaluator and
encoding rewrites an `IfThen` through it rather than spelling the rewrite out again.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .models import AnyOf, IfThen, Not, Op, TermType, TermValue

ValueShape = Literal["one", "list", "none"]
Primitive = Literal["set", "equals", "at_least"]

_EVERY_TYPE = frozenset(TermType)
_ORDERED = frozenset({TermType.INTEGER, TermType.DATE})


def _member(value: Any, members: Any) -> bool:
    return value in members


def _not_member(value: Any, members: Any) -> bool:
    return value not in members


def _always(value: Any, constant: Any) -> bool:
    return True


def _never(value: Any, constant: Any) -> bool:
    return False


@dataclass(frozen=True)
class Operator:
    """One operator of the condition language: how it is written, typed, tested and encoded."""

    name: Op
    # What follows the operator in a term test: one value, a non-empty list, or only `true`.
    shape: ValueShape
    # The term types it may test, and the reason given when a term of another type is tested.
    types: frozenset[TermType]
    types_reason: str
    # The operator whose test is this one's opposite on a set term.
    negation: Op
    # How `describe` writes it: `territory.crimea not in [de_jure_russian]`, `x is set`.
    words: str
    # The Python comparison `value SYMBOL constant`; None for the presence tests.
    symbol: str | None
    # The test on a set term: test(value, constant(leaf value)).
    test: Callable[[Any, Any], bool]
    # The same test as one of three primitives, possibly negated (see the module docstring).
    primitive: Primitive
    negated: bool
    successor: bool = False

    @property
    def when_unset(self) -> bool | None:
        """The test's truth on a term the draft leaves unaddressed: unknown for a value test."""
        return self.negated if self.primitive == "set" else None

    def constant(self, value: TermValue | tuple[TermValue, ...] | None) -> Any:
        """A leaf's value as the test's second argument: a frozenset for list operators."""
        if self.shape == "list":
            assert isinstance(value, tuple)
            return frozenset(value)
        return value

    def bind(self, value: TermValue | tuple[TermValue, ...] | None) -> Callable[[Any], bool]:
        """The test of a set term's value against this leaf value, as a function of the first."""
        test, constant = self.test, self.constant(value)
        return lambda actual: bool(test(actual, constant))


def _row(
    name: Op,
    shape: ValueShape,
    negation: Op,
    words: str,
    symbol: str | None,
    test: Callable[[Any, Any], bool],
    primitive: Primitive,
    *,
    negated: bool = False,
    successor: bool = False,
) -> tuple[Op, Operator]:
    ordered = primitive == "at_least"  # "at least" needs an order: integers and dates
    return name, Operator(
        name=name,
        shape=shape,
        types=_ORDERED if ordered else _EVERY_TYPE,
        types_reason="compares order" if ordered else "",
        negation=negation,
        words=words,
        symbol=symbol,
        test=test,
        primitive=primitive,
        negated=negated,
        successor=successor,
    )


# The order is the order in which messages list the operators. Columns: name, shape, negation,
# words, symbol, test, primitive (then negated, successor where they hold).
OPERATORS: Mapping[Op, Operator] = dict(
    [
        _row("eq", "one", "ne", "=", "==", operator.eq, "equals"),
        _row("ne", "one", "eq", "≠", "!=", operator.ne, "equals", negated=True),
        _row("in", "list", "not_in", "in", "in", _member, "equals"),
        _row("not_in", "list", "in", "not in", "not in", _not_member, "equals", negated=True),
        _row("lt", "one", "gte", "<", "<", operator.lt, "at_least", negated=True),
        _row("lte", "one", "gt", "≤", "<=", operator.le, "at_least", negated=True, successor=True),
        _row("gt", "one", "lte", ">", ">", operator.gt, "at_least", successor=True),
        _row("gte", "one", "lt", "≥", ">=", operator.ge, "at_least"),
        _row("present", "none", "absent", "is set", None, _always, "set"),
        _row("absent", "none", "present", "is not set", None, _never, "set", negated=True),
    ]
)


def if_then_as_any(condition: IfThen) -> AnyOf:
    """`if A then B` as `any(not A, B)`: true when A is false or B is true (Kleene)."""
    return AnyOf(parts=(Not(part=condition.condition), condition.consequence))
