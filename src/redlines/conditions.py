"""The condition language: parse it, type it against the catalogue, evaluate it three-valued.

Truth is Kleene's: True, False, or None for unknown. A value leaf on a term the proposal leaves
unaddressed is unknown; `present`/`absent` always know. Both engines and the solver take their
semantics from `evaluate` here, which is the reference.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .models import (
    AllOf,
    AnyOf,
    Catalogue,
    Condition,
    IfThen,
    Leaf,
    Not,
    Op,
    Problem,
    Term,
    TermType,
    TermValue,
)
from .operators import OPERATORS, if_then_as_any
from .specs import suggest
from .yamlfile import Document, Path_, clip

Truth = bool | None
Facts = Mapping[str, TermValue]

_COMBINATORS = ("all", "any", "not", "if", "then")


class ConditionError(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


# --- typing values against the catalogue --------------------------------------------------------


def type_value(term: Term, raw: Any) -> TermValue:
    """Check one raw YAML value against a term's type; return it typed, or raise ValueError."""
    if term.type is TermType.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in {"yes", "no", "on", "off", "y", "n"}:
            raise ValueError(
                f"'{term.name}' is a boolean: write true or false ('{raw}' is not a boolean here)"
            )
        raise ValueError(f"'{term.name}' is a boolean: write true or false, not {shown(raw)}")
    if term.type is TermType.INTEGER:
        if isinstance(raw, bool) or not isinstance(raw, int):
            hint = ""
            if isinstance(raw, str) and raw.strip().replace("_", "").lstrip("+-").isdigit():
                hint = "; remove the quotes"
            raise ValueError(
                f"'{term.name}' is an integer: expected a whole number, got {shown(raw)}{hint}"
            )
        if term.min is not None and raw < term.min:
            raise ValueError(f"'{term.name}' must be at least {term.min:,}, got {raw:,}")
        if term.max is not None and raw > term.max:
            raise ValueError(f"'{term.name}' must be at most {term.max:,}, got {raw:,}")
        return raw
    if term.type is TermType.DATE:
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return raw
        if isinstance(raw, str):
            try:
                # fromisoformat alone would also take 20260425 and week dates like 2026-W17-6.
                if not _ISO_DATE.match(raw):
                    raise ValueError
                return dt.date.fromisoformat(raw)
            except ValueError:
                raise ValueError(
                    f"'{term.name}' is a date: '{clip(raw)}' is not a valid date (YYYY-MM-DD)"
                ) from None
        raise ValueError(f"'{term.name}' is a date: expected YYYY-MM-DD, got {shown(raw)}")
    # enum
    if not isinstance(raw, str):
        raise ValueError(f"'{term.name}' takes one of {_values(term)}; got {shown(raw)}")
    if raw not in term.values:
        raise ValueError(
            f"'{clip(raw)}' is not a value of '{term.name}'{suggest(raw, term.values)}; "
            f"values: {_values(term)}"
        )
    return raw


def _values(term: Term) -> str:
    if len(term.values) <= 20:
        return ", ".join(term.values)
    return ", ".join(term.values[:20]) + f", … ({len(term.values)} in all)"


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def shown(raw: Any) -> str:
    """A raw YAML value as a message names it: "the text 'yes'", "the number 5", "a list"."""
    if isinstance(raw, bool):
        return f"the boolean {str(raw).lower()}"
    if isinstance(raw, str):
        return f"the text '{clip(raw)}'" if raw else "empty text"
    if isinstance(raw, dt.date):
        return f"the date {raw.isoformat()}"
    if isinstance(raw, int | float):
        return f"the number {clip(str(raw), 30)}"
    if isinstance(raw, list):
        return "a list"
    if isinstance(raw, dict):
        return "a mapping"
    if raw is None:
        return "nothing (an empty value)"
    return clip(repr(raw))


def lookup_term(catalogue: Catalogue, name: Any) -> Term:
    if not isinstance(name, str):
        raise ValueError(f"a term name must be text, got {shown(name)}")
    term = catalogue.get(name)
    if term is None:
        hint = suggest(name, catalogue.terms.keys()) or (
            "; every term must first be defined in the catalogue (terms.yaml)"
        )
        raise ValueError(f"unknown term '{clip(name)}'{hint}")
    return term


# --- parsing ------------------------------------------------------------------------------------


def parse_condition(doc: Document, path: Path_, catalogue: Catalogue) -> Condition:
    """Turn the raw mapping at `path` in `doc` into a typed Condition, or raise ConditionError."""
    return _parse(doc, path, _get(doc.data, path), catalogue)


def _get(data: Any, path: Path_) -> Any:
    for step in path:
        data = data[step]
    return data


def _parse(doc: Document, path: Path_, raw: Any, catalogue: Catalogue) -> Condition:
    origin = doc.at(path)

    def fail(message: str, at: Path_ | None = None, key: bool = False) -> ConditionError:
        where = path if at is None else at
        return ConditionError(Problem.at(doc.key_at(where) if key else doc.at(where), message))

    if not isinstance(raw, dict):
        raise fail(
            "a condition must be a mapping (all/any/not/if, or a term test "
            f"{{term: T, OP: V}}), got {shown(raw)}"
        )
    if not raw:
        raise fail("empty condition: write all/any/not/if, or a term test {term: T, OP: V}")
    keys = set(raw)
    if "term" in keys:
        return _parse_leaf(doc, path, raw, catalogue, fail)
    for key in sorted(keys):
        if key not in _COMBINATORS:
            hint = suggest(key, (*_COMBINATORS, "term", *OPERATORS))
            if key in OPERATORS:
                raise fail(f"operator '{key}' needs a 'term' beside it", (*path, key), key=True)
            raise fail(
                f"unknown condition key '{clip(key)}'{hint}; a condition is all, any, not, "
                "if + then, or a term test {term: T, OP: V}",
                (*path, key),
                key=True,
            )
    if keys == {"if", "then"}:
        return IfThen(
            condition=_parse(doc, (*path, "if"), raw["if"], catalogue),
            consequence=_parse(doc, (*path, "then"), raw["then"], catalogue),
            origin=origin,
        )
    if "if" in keys or "then" in keys:
        extra = sorted(keys - {"if", "then"})
        if extra:
            raise fail(
                f"'if' and 'then' go together, alone in their mapping; move "
                f"{', '.join(extra)} into an 'all' beside it"
            )
        missing = "then" if "if" in keys else "if"
        raise fail(f"'if' and 'then' go together, alone in their mapping; add '{missing}'")
    if len(keys) > 1:
        found = ", ".join(sorted(keys))
        raise fail(f"one condition per mapping: found {found}; wrap them in 'all'")
    (key,) = keys
    if key == "not":
        return Not(part=_parse(doc, (*path, "not"), raw["not"], catalogue), origin=origin)
    parts = raw[key]
    if not isinstance(parts, list):
        raise fail(
            f"'{key}' takes a list of conditions, got {shown(parts)}; write "
            f"'{key}: [...]' or one '- ' item per line",
            (*path, key),
        )
    if not parts:
        raise fail(f"'{key}' needs at least one condition", (*path, key))
    parsed = tuple(_parse(doc, (*path, key, i), p, catalogue) for i, p in enumerate(parts))
    return (
        AllOf(parts=parsed, origin=origin) if key == "all" else AnyOf(parts=parsed, origin=origin)
    )


def _parse_leaf(
    doc: Document,
    path: Path_,
    raw: dict[str, Any],
    catalogue: Catalogue,
    fail: Callable[..., ConditionError],
) -> Leaf:
    ops = [k for k in raw if k != "term"]
    for key in ops:
        if key not in OPERATORS:
            hint = suggest(key, OPERATORS) or f"; use one of {', '.join(OPERATORS)}"
            raise fail(f"unknown operator '{clip(key)}'{hint}", (*path, key), key=True)
    if not ops:
        raise fail(f"term test without an operator; add one of {', '.join(OPERATORS)}")
    if len(ops) > 1:
        found = " and ".join(ops)
        raise fail(f"one operator per term test, found {found}; combine tests with 'all'")
    op: Op = ops[0]  # type: ignore[assignment]  # checked against OPERATORS just above
    operator = OPERATORS[op]
    try:
        term = lookup_term(catalogue, raw["term"])
    except ValueError as err:
        raise fail(str(err), (*path, "term")) from None
    value_path = (*path, op)
    raw_value = raw[op]
    if operator.shape == "none":
        if raw_value is not True:
            raise fail(
                f"'{op}' takes only true: write '{op}: true' (for the opposite, "
                f"'{operator.negation}: true'), not {shown(raw_value)}",
                value_path,
            )
        return Leaf(term=term.name, op=op, value=None, origin=doc.at(path))
    if term.type not in operator.types:
        article = "an" if term.type.value[0] in "aeiou" else "a"
        usable = [o.name for o in OPERATORS.values() if term.type in o.types and o.shape != "none"]
        raise fail(
            f"'{op}' {operator.types_reason}; '{term.name}' is {article} {term.type.value} term "
            f"(use {', '.join(usable[:-1])} or {usable[-1]})",
            (*path, op),
            key=True,
        )
    try:
        if operator.shape == "list":
            if not isinstance(raw_value, list) or not raw_value:
                got = "an empty list" if raw_value == [] else shown(raw_value)
                hint = ""
                if isinstance(raw_value, str | int) and not isinstance(raw_value, bool):
                    hint = f"; write '{op}: [{clip(str(raw_value))}]'"
                raise fail(f"'{op}' takes a non-empty list of values, got {got}{hint}", value_path)
            values: list[TermValue] = []
            for i, item in enumerate(raw_value):
                try:
                    values.append(type_value(term, item))
                except ValueError as err:
                    raise fail(str(err), (*value_path, i)) from None
            return Leaf(term=term.name, op=op, value=tuple(values), origin=doc.at(path))
        value = type_value(term, raw_value)
    except ValueError as err:
        raise fail(str(err), value_path) from None
    return Leaf(term=term.name, op=op, value=value, origin=doc.at(path))


# --- evaluation ---------------------------------------------------------------------------------


def evaluate(condition: Condition, facts: Facts) -> Truth:
    """Kleene three-valued truth of `condition` on `facts` (unset terms are unaddressed)."""
    return compile_condition(condition)(facts)


Compiled = Callable[[Facts], Truth]


def compile_condition(condition: Condition) -> Compiled:
    """Compile once to nested closures: the reference semantics, plainly written (the python
    engine generates faster straight-line code from the same conditions; engine.py)."""
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
