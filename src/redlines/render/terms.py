"""`redlines terms`: the term catalogue, one term per entry with its domain."""

from __future__ import annotations

from pydantic import RootModel

from ..models import Catalogue, Term
from .json import dump
from .logsafe import text_lines
from .options import RenderOptions


class _Terms(RootModel[dict[str, Term]]):
    """The JSON listing: name -> term, without file positions (they move with every edit)."""


def render_terms_text(catalogue: Catalogue, options: RenderOptions) -> str:
    width = max((len(n) for n in catalogue.terms), default=0)
    lines = [
        line
        for name, term in catalogue.terms.items()
        for line in (f"{name.ljust(width)}  {term.title}", f"{' ' * width}  {_domain(term)}")
    ]
    return text_lines([*lines, f"{len(catalogue.terms)} terms"])


def _domain(term: Term) -> str:
    if term.values:
        return " | ".join(term.values)
    if term.min is not None or term.max is not None:
        low = "" if term.min is None else f"{term.min:,}"
        high = "" if term.max is None else f"{term.max:,}"
        return f"{term.type.value} {low}..{high}" + (f" {term.unit}" if term.unit else "")
    return term.type.value


def render_terms_json(catalogue: Catalogue, options: RenderOptions) -> str:
    listing = _Terms(catalogue.terms)
    return dump(listing, exclude={"__all__": {"origin"}}, exclude_none=True)
