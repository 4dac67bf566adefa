"""Conditions written out as straight-line Python, compiled once: the python engine's rules and
the ties' conditions.

Closures (`conditions.compile_condition`) cost two or three calls per leaf; a large batch spends
most of its time there. So a condition is written out as straight-line statements: each term is
read once, each leaf is an inline comparison, each combinator one Kleene expression over its
parts' variables. Term names and constants reach the code only as closure variables (`k0`, `k1`,
…), never as source text, so nothing from a rule file is ever parsed as Python.
`conditions.evaluate` stays the reference semantics; property tests hold the code to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..models import AllOf, Condition, IfThen, Leaf, Not
from ..operators import OPERATORS, if_then_as_any


class Writer:
    """The statements of one generated function, and the constants they refer to by name."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: list[Any] = []
        self.terms: dict[str, str] = {}  # term -> variable holding its value (or UNSET)

    def constant(self, value: Any) -> str:
        self.constants.append(value)
        return f"k{len(self.constants) - 1}"

    def term(self, name: str) -> str:
        if name not in self.terms:
            self.terms[name] = f"v{len(self.terms)}"
        return self.terms[name]

    def truth(self, condition: Condition) -> str:
        """Emit statements computing the condition; return the variable that holds its truth."""
        if isinstance(condition, Leaf):
            out = f"x{len(self.lines)}"
            value = self.term(condition.term)
            operator = OPERATORS[condition.op]
            if operator.symbol is None:  # a presence test: whether the term is set decides it
                test = f"{value} is UNSET" if operator.when_unset else f"{value} is not UNSET"
                self.lines.append(f"{out} = {test}")
            else:
                # Values are typed by the catalogue (bool, int, date, str), and comparing those
                # gives a bool already: no bool() call per leaf.
                self.lines.append(f"{out} = None if {value} is UNSET else {self.test(condition)}")
            return out
        if isinstance(condition, Not):
            inner = self.truth(condition.part)
            out = f"x{len(self.lines)}"
            self.lines.append(f"{out} = None if {inner} is None else not {inner}")
            return out
        if isinstance(condition, IfThen):
            return self.truth(if_then_as_any(condition))
        names = [self.truth(part) for part in condition.parts]
        out = f"x{len(self.lines)}"
        decisive = "False" if isinstance(condition, AllOf) else "True"
        ruling = " or ".join(f"{n} is {decisive}" for n in names)
        unknown = " or ".join(f"{n} is None" for n in names)
        self.lines.append(
            f"{out} = {decisive} if {ruling} else None if {unknown} else not {decisive}"
        )
        return out

    def test(self, leaf: Leaf) -> str:
        """The comparison of a value leaf on its set term: `v0 >= k3`."""
        operator = OPERATORS[leaf.op]
        assert operator.symbol is not None, "a presence test has no comparison"
        constant = self.constant(operator.constant(leaf.value))
        return f"{self.term(leaf.term)} {operator.symbol} {constant}"

    def function(
        self, parameters: Sequence[str], body: Sequence[str], result: str, unset: Any, label: str
    ) -> Any:
        """Compile `def f(parameters): body; return result`, with UNSET and the constants bound."""
        source = "\n".join(
            [
                "def make(UNSET, " + ", ".join(f"k{i}" for i in range(len(self.constants))) + "):",
                f"    def generated({', '.join(parameters)}):",
                *(f"        {line}" for line in [*body, *self.lines]),
                f"        return {result}",
                "    return generated",
            ]
        )
        namespace: dict[str, Any] = {}
        exec(compile(source, f"<redlines {label}>", "exec"), namespace)
        return namespace["make"](unset, *self.constants)
