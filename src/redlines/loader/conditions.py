"""The condition parser: a rule's `requires:` or an implication's `when:` as a typed Condition.

It reads the raw data of a loaded file with its positions, so each mistake is reported at its
line; the operators it accepts, and what each takes, come from `operators.OPERATORS`.
"""

from __future__ import annotations

from typing import Any, NamedTuple, NoReturn

from ..models import (
    AllOf,
    AnyOf,
    Catalogue,
    Condition,
    IfThen,
    InputWarning,
    Leaf,
    Not,
    Op,
    Term,
    TermValue,
    fail,
)
from ..operators import OPERATORS
from ..specs import suggest
from ..yamlfile import Document, Path_, clip
from .values import lookup_term, renamed, shown, type_value

_COMBINATORS = ("all", "any", "not", "if", "then")


def parse_condition(
    doc: Document, path: Path_, catalogue: Catalogue, warnings: list[InputWarning] | None = None
) -> Condition:
    """Turn the raw mapping at `path` in `doc` into a typed Condition, or raise InputError.

    A term written under an old name (an alias) is read as the term it names now, with a warning
    at its place added to `warnings`.
    """
    data = doc.data
    for step in path:
        data = data[step]
    return _parse(_Parsing(doc, catalogue, warnings if warnings is not None else []), path, data)


def _fail_at(doc: Document, path: Path_, message: str, *, key: bool = False) -> NoReturn:
    fail(doc.key_at(path) if key else doc.at(path), message)


class _Parsing(NamedTuple):
    """What every step of one parse reads: the file, the catalogue, where warnings go."""

    doc: Document
    catalogue: Catalogue
    warnings: list[InputWarning]


def _parse(parser: _Parsing, path: Path_, raw: Any) -> Condition:
    doc = parser.doc
    origin = doc.at(path)
    if not isinstance(raw, dict):
        _fail_at(
            doc,
            path,
            "a condition must be a mapping (all/any/not/if, or a term test {term: T, OP: V}), "
            f"got {shown(raw)}",
        )
    if not raw:
        _fail_at(
            doc, path, "empty condition: write all/any/not/if, or a term test {term: T, OP: V}"
        )
    keys = set(raw)
    if "term" in keys:
        return _parse_leaf(parser, path, raw)
    for key in sorted(keys):
        if key not in _COMBINATORS:
            if key in OPERATORS:
                _fail_at(doc, (*path, key), f"operator '{key}' needs a 'term' beside it", key=True)
            hint = suggest(key, (*_COMBINATORS, "term", *OPERATORS))
            _fail_at(
                doc,
                (*path, key),
                f"unknown condition key '{clip(key)}'{hint}; "
                "a condition is all, any, not, if + then, or a term test {term: T, OP: V}",
                key=True,
            )
    if keys == {"if", "then"}:
        return IfThen(
            condition=_parse(parser, (*path, "if"), raw["if"]),
            consequence=_parse(parser, (*path, "then"), raw["then"]),
            origin=origin,
        )
    if "if" in keys or "then" in keys:
        extra = sorted(keys - {"if", "then"})
        if extra:
            _fail_at(
                doc,
                path,
                "'if' and 'then' go together, alone in their mapping; "
                f"move {', '.join(extra)} into an 'all' beside it",
            )
        missing = "then" if "if" in keys else "if"
        _fail_at(doc, path, f"'if' and 'then' go together, alone in their mapping; add '{missing}'")
    if len(keys) > 1:
        found = ", ".join(sorted(keys))
        _fail_at(doc, path, f"one condition per mapping: found {found}; wrap them in 'all'")
    (key,) = keys
    if key == "not":
        return Not(part=_parse(parser, (*path, "not"), raw["not"]), origin=origin)
    parts = raw[key]
    if not isinstance(parts, list):
        _fail_at(
            doc,
            (*path, key),
            f"'{key}' takes a list of conditions, got {shown(parts)}; "
            f"write '{key}: [...]' or one '- ' item per line",
        )
    if not parts:
        _fail_at(doc, (*path, key), f"'{key}' needs at least one condition")
    parsed = tuple(_parse(parser, (*path, key, i), p) for i, p in enumerate(parts))
    if key == "all":
        return AllOf(parts=parsed, origin=origin)
    return AnyOf(parts=parsed, origin=origin)


def _parse_leaf(parser: _Parsing, path: Path_, raw: dict[str, Any]) -> Leaf:
    doc, catalogue = parser.doc, parser.catalogue
    ops = [k for k in raw if k != "term"]
    for key in ops:
        if key not in OPERATORS:
            hint = suggest(key, OPERATORS) or f"; use one of {', '.join(OPERATORS)}"
            _fail_at(doc, (*path, key), f"unknown operator '{clip(key)}'{hint}", key=True)
    if not ops:
        _fail_at(doc, path, f"term test without an operator; add one of {', '.join(OPERATORS)}")
    if len(ops) > 1:
        found = " and ".join(ops)
        _fail_at(doc, path, f"one operator per term test, found {found}; combine tests with 'all'")
    op: Op = ops[0]  # type: ignore[assignment]  # checked against OPERATORS just above
    operator = OPERATORS[op]
    try:
        term = lookup_term(catalogue, raw["term"])
    except ValueError as err:
        _fail_at(doc, (*path, "term"), str(err))
    deprecated = renamed(raw["term"], term)
    if deprecated:
        parser.warnings.append(InputWarning.at(doc.at((*path, "term")), deprecated))
    value_path = (*path, op)
    raw_value = raw[op]
    if operator.shape == "none":
        if raw_value is not True:
            _fail_at(
                doc,
                value_path,
                f"'{op}' takes only true: write '{op}: true' "
                f"(for the opposite, '{operator.negation}: true'), not {shown(raw_value)}",
            )
        return Leaf(term=term.name, op=op, value=None, origin=doc.at(path))
    if term.type not in operator.types:
        article = "an" if term.type.value[0] in "aeiou" else "a"
        usable = [o.name for o in OPERATORS.values() if term.type in o.types and o.shape != "none"]
        _fail_at(
            doc,
            value_path,
            f"'{op}' {operator.types_reason}; '{term.name}' is {article} {term.type.value} term "
            f"(use {', '.join(usable[:-1])} or {usable[-1]})",
            key=True,
        )
    if operator.shape == "list":
        return Leaf(
            term=term.name,
            op=op,
            value=_typed_list(doc, value_path, raw_value, term),
            origin=doc.at(path),
        )
    try:
        value = type_value(term, raw_value)
    except ValueError as err:
        _fail_at(doc, value_path, str(err))
    return Leaf(term=term.name, op=op, value=value, origin=doc.at(path))


def _typed_list(doc: Document, path: Path_, raw: Any, term: Term) -> tuple[TermValue, ...]:
    op = path[-1]
    if not isinstance(raw, list) or not raw:
        got = "an empty list" if raw == [] else shown(raw)
        hint = ""
        if isinstance(raw, str | int) and not isinstance(raw, bool):
            hint = f"; write '{op}: [{clip(str(raw))}]'"
        _fail_at(doc, path, f"'{op}' takes a non-empty list of values, got {got}{hint}")
    values: list[TermValue] = []
    for i, item in enumerate(raw):
        try:
            values.append(type_value(term, item))
        except ValueError as err:
            _fail_at(doc, (*path, i), str(err))
    return tuple(values)
