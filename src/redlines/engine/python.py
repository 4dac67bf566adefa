"""The python engine: every condition written out as straight-line Python, compiled once.

The rules (and the implications' `when`) are written out as one Python function of straight-line
statements (`codegen.py`): each term is read from the facts once, each leaf is an inline
comparison. Names and constants reach the code only as closure variables, never as source text,
so nothing from a rule file is ever parsed as Python. `conditions.evaluate` stays the reference
semantics; a property test holds the two identical.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..conditions import Facts, Truth
from ..models import Condition, RuleBook
from .base import Engine
from .codegen import Writer


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


def _generate(conditions: list[Condition]) -> Callable[[Facts], list[Truth]]:
    writer = Writer()
    results = [writer.truth(condition) for condition in conditions]
    reads = [f"{var} = get({writer.constant(name)}, UNSET)" for name, var in writer.terms.items()]
    made: Callable[[Facts], list[Truth]] = writer.function(
        ["facts"],
        ["get = facts.get", *reads],
        "[" + ", ".join(results) + "]",
        _UNSET,
        "python engine",
    )
    return made


_UNSET: Any = object()
