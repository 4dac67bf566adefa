"""The python engine: every condition written out as straight-line Python, compiled once.

Closures (`conditions.compile_condition`) cost two or three calls per leaf; a large batch spends
most of its time there. So this engine writes the conditions out as one Python function of
straight-line statements: each term is read from the facts once, each leaf is an inline
comparison, each combinator one Kleene expression over its parts' variables. Names and constants
reach the code only as closure variables, never as source text, so nothing from a rule file is
ever parsed as Python. `conditions.evaluate` stays the reference semantics; a property test holds
the two identical.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..conditions import Facts, Truth
from ..models import AllOf, Condition, IfThen, Leaf, Not, RuleBook
from ..operators import OPERATORS, if_then_as_any
from .base import Engine


class PythonEngine(Engine):
    name = "python"

    def __init__(self, book: RuleBook) -> None:
        super().__init__(book)
        self._rules = compile_truths([rule.requires for rule in book.rules])
        self._whens = compile_truths([imp.when for imp in self.implications])
        self._imp_ids = [imp.id for imp in self.implications]

    def firing(self, facts: Facts) -> set[str]:
        return {i for i, truth in zip(self._imp_ids, self._whens(facts), strict=True) if truth}

    def truths(self, facts: Facts) -> list[Truth]:
        return self._rules(facts)


_CHUNK = 500  # conditions per generated function, so no function grows without bound


def compile_truths(conditions: list[Condition]) -> Callable[[Facts], list[Truth]]:
    """One function giving the Kleene truth of each condition on a set of facts, in order."""
    parts = [
        _generate(conditions[start : start + _CHUNK]) for start in range(0, len(conditions), _CHUNK)
    ]
    if len(parts) == 1:
        return parts[0]

    def all_chunks(facts: Facts) -> list[Truth]:
        return [truth for part in parts for truth in part(facts)]

    return all_chunks


class _Writer:
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
                constant = self.constant(operator.constant(condition.value))
                test = f"{value} {operator.symbol} {constant}"
                self.lines.append(f"{out} = None if {value} is UNSET else {test}")
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


def _generate(conditions: list[Condition]) -> Callable[[Facts], list[Truth]]:
    writer = _Writer()
    results = [writer.truth(condition) for condition in conditions]
    body = [f"{var} = get({writer.constant(name)}, UNSET)" for name, var in writer.terms.items()]
    source = "\n".join(
        [
            "def make(UNSET, " + ", ".join(f"k{i}" for i in range(len(writer.constants))) + "):",
            "    def truths(facts):",
            "        get = facts.get",
            *(f"        {line}" for line in body + writer.lines),
            "        return [" + ", ".join(results) + "]",
            "    return truths",
        ]
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, "<redlines python engine>", "exec"), namespace)
    made: Callable[[Facts], list[Truth]] = namespace["make"](_UNSET, *writer.constants)
    return made


_UNSET: Any = object()
