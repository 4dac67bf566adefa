"""Raw values from a file (or a what-if) typed against the term catalogue.

Shared by everything that reads a term's value: clauses, implications, condition leaves, rule
examples, test cases and `--set` overrides, so a value is accepted, refused and explained the
same way everywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..models import Catalogue, InputWarning, Problem, Setting, Term, TermType, TermValue
from ..specs import iso_date, suggest
from ..yamlfile import MAX_INT, Document, Path_, clip


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
        if abs(raw) > MAX_INT:  # a --set value or a model built in code; YAML checks its own
            # (str() of an int past 4,300 digits raises; such a number is not worth quoting.)
            said = clip(str(raw), 30) if raw.bit_length() < 1000 else "the number"
            raise ValueError(
                f"'{term.name}' is an integer: {said} is too large; "
                f"whole numbers must lie within ±{MAX_INT:,}"
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
                return iso_date(raw)
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
    """The catalogue's term of that name (or renamed from it: see `renamed`), or a ValueError
    naming the nearest one."""
    if not isinstance(name, str):
        raise ValueError(f"a term name must be text, got {shown(name)}")
    term = catalogue.resolve(name)
    if term is None:
        hint = suggest(name, catalogue.terms.keys()) or (
            "; every term must first be defined in the catalogue (terms.yaml)"
        )
        raise ValueError(f"unknown term '{clip(name)}'{hint}")
    return term


def renamed(name: str, term: Term) -> str | None:
    """The deprecation warning for a term written under an old name, else None."""
    if name == term.name:
        return None
    return (
        f"'{clip(name)}' is the old name of '{term.name}'; write '{term.name}' "
        "(the old name still works, but may be removed in a later version)"
    )


def typed_settings(
    doc: Document,
    at: Path_,
    raw: dict[str, Any],
    catalogue: Catalogue,
    problems: list[Problem],
    warnings: list[InputWarning] | None = None,
    twice: str = "",
) -> tuple[Setting, ...]:
    """A mapping of terms to values written at `at` in `doc`, typed like a clause's terms.

    A term the catalogue lacks is a problem at its key, a value it refuses one at the value; the
    settings that are right are returned, the problems added to `problems`. A term under its old
    name is read as the term it names now, with a warning (if `warnings` is given). `twice` words
    the problem of a term set under both its names ("this clause sets").
    """
    settings: list[Setting] = []
    for term_name, value in raw.items():
        where: Path_ = (*at, term_name)
        try:
            term = lookup_term(catalogue, term_name)
        except ValueError as err:
            problems.append(doc.problem(where, str(err), key=True))
            continue
        try:
            typed = type_value(term, value)
        except ValueError as err:
            problems.append(doc.problem(where, str(err)))
            continue
        if any(s.term == term.name for s in settings):
            problems.append(
                doc.problem(
                    where,
                    f"{twice} '{term.name}' twice (once under its old name); keep one"
                    if twice
                    else f"'{term.name}' is set twice (once under its old name); keep one",
                    key=True,
                )
            )
            continue
        deprecated = renamed(term_name, term)
        if deprecated and warnings is not None:
            warnings.append(InputWarning.at(doc.key_at(where), deprecated))
        settings.append(Setting(term=term.name, value=typed, origin=doc.key_at(where)))
    return tuple(settings)
