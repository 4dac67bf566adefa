"""The term catalogue (`terms.yaml`): every negotiable dimension, its type and its domain."""

from __future__ import annotations

import re
from pathlib import Path

from ..models import Catalogue, InputError, Problem, Term, TermType, fail
from ..specs import TermsFile, suggest
from ..yamlfile import Document, Path_, clip
from .validate import capped, enough, one_line_problems, read_spec, to_sources

MAX_TERMS = 2_000
MAX_ENUM_VALUES = 200

TERM_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@one_line_problems
def load_terms(path: str | Path, display: str | None = None) -> Catalogue:
    """Load a term catalogue (`terms.yaml`)."""
    doc, spec = read_spec(path, display or str(path), TermsFile)
    if len(spec.terms) > MAX_TERMS:
        fail(doc.key_at(("terms",)), f"more than {MAX_TERMS:,} terms, the limit")
    if not spec.terms:
        fail(
            doc.key_at(("terms",)),
            "the catalogue defines no terms; every rule and clause needs its terms defined here",
        )
    problems: list[Problem] = []
    terms: dict[str, Term] = {}
    for term_name, term_spec in spec.terms.items():
        if enough(problems):
            break
        where: Path_ = ("terms", term_name)
        if not TERM_NAME.match(term_name):
            problems.append(
                doc.problem(
                    where,
                    f"term name '{clip(term_name)}' must be area.subject in lower snake case, "
                    "e.g. territory.crimea",
                    key=True,
                )
            )
            continue
        message = _shape_problem(
            term_spec.type, term_spec.values, term_spec.min, term_spec.max, term_spec.unit
        )
        if message:
            problems.append(doc.problem(where, f"term '{term_name}': {message}", key=True))
            continue
        unexplained = _meanings_problem(term_spec.values, term_spec.meanings)
        if unexplained:
            value, message = unexplained
            at: Path_ = (*where, "meanings", value) if value else (*where, "meanings")
            problems.append(doc.problem(at, f"term '{term_name}': {message}", key=True))
            continue
        terms[term_name] = Term(
            name=term_name,
            title=term_spec.title,
            type=term_spec.type,
            values=tuple(term_spec.values or ()),
            meanings=term_spec.meanings,
            unit=term_spec.unit,
            min=term_spec.min,
            max=term_spec.max,
            description=term_spec.description,
            sources=to_sources(term_spec.sources),
            origin=doc.key_at(where),
            aliases=tuple(term_spec.aliases) or None,
        )
    aliases = _aliases(doc, spec, problems)
    if problems:
        raise InputError(capped(problems))
    return Catalogue(
        terms=dict(sorted(terms.items())), origin=doc.at(()), aliases=dict(sorted(aliases.items()))
    )


def _aliases(doc: Document, spec: TermsFile, problems: list[Problem]) -> dict[str, str]:
    """Old name -> term: each old name a valid name, of one term, and no term's name now."""
    found: dict[str, str] = {}
    for term_name, term_spec in spec.terms.items():
        for i, alias in enumerate(term_spec.aliases):
            where: Path_ = ("terms", term_name, "aliases", i)
            if not TERM_NAME.match(alias):
                problems.append(
                    doc.problem(
                        where,
                        f"alias '{clip(alias)}' of '{term_name}' must be a term name: "
                        "area.subject in lower snake case",
                    )
                )
            elif alias in spec.terms:
                problems.append(
                    doc.problem(
                        where,
                        f"alias '{alias}' of '{term_name}' is a term of its own; an alias is the "
                        "old name of a renamed term, and no term may have it now",
                    )
                )
            elif alias in found:
                problems.append(
                    doc.problem(
                        where,
                        f"alias '{alias}' is given to '{found[alias]}' and to '{term_name}'; "
                        "an old name can stand for one term only",
                    )
                )
            else:
                found[alias] = term_name
    return found


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _meanings_problem(
    values: list[str] | None, meanings: dict[str, str] | None
) -> tuple[str, str] | None:
    """(the value at fault, or '' for the whole mapping; the message), or None."""
    if meanings is None:
        return None
    if values is None:
        return "", "'meanings' explain the values of an enum term; this term has no 'values'"
    for value in meanings:
        if value not in values:
            return value, (
                f"'meanings' explains '{clip(value)}', which is not one of its values"
                f"{suggest(value, values)}"
            )
    return None


def _shape_problem(
    kind: TermType, values: list[str] | None, low: int | None, high: int | None, unit: str | None
) -> str | None:
    if kind is TermType.ENUM:
        if not values:
            return "an enum term needs a non-empty 'values' list"
        if len(values) > MAX_ENUM_VALUES:
            return f"{len(values):,} values, over the limit of {MAX_ENUM_VALUES} for one enum term"
        seen: set[str] = set()
        for value in values:
            if value in seen:
                return f"'values' lists '{clip(value)}' twice"
            seen.add(value)
    elif values is not None:
        return f"'values' belongs to enum terms, not to {_a(kind.value)} term"
    if kind is not TermType.INTEGER and (low is not None or high is not None or unit is not None):
        return f"'min', 'max' and 'unit' belong to integer terms, not to {_a(kind.value)} term"
    if low is not None and high is not None and high < low:
        return f"'max' {high} is below 'min' {low}"
    return None
