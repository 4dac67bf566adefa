"""`redlines terms`: the term catalogue, one term per entry with its domain and what values mean."""

from __future__ import annotations

import textwrap

from pydantic import RootModel

from ..models import Catalogue, Term
from .json import dump
from .logsafe import text_lines
from .options import RenderOptions

# Meanings are wrapped to this width, so the listing reads in a terminal and diffs by line.
WIDTH = 100


class _Terms(RootModel[dict[str, Term]]):
    """The JSON listing: name -> term, without file positions (they move with every edit)."""


def render_terms_text(catalogue: Catalogue, options: RenderOptions) -> str:
    width = max((len(n) for n in catalogue.terms), default=0)
    pad = " " * (width + 2)
    lines: list[str] = []
    for name, term in catalogue.terms.items():
        lines += [f"{name.ljust(width)}  {term.title}", f"{pad}{_domain(term)}"]
        if term.aliases:
            lines.append(f"{pad}old names (deprecated): {', '.join(term.aliases)}")
        for value, meaning in _meanings(term):
            lines += textwrap.wrap(
                f"- {value}: {meaning}",
                width=max(WIDTH, len(pad) + 40),
                initial_indent=pad,
                subsequent_indent=pad + "  ",
                break_on_hyphens=False,
                break_long_words=False,
            )
    count = len(catalogue.terms)
    return text_lines([*lines, f"{count} term{'' if count == 1 else 's'}"])


def _meanings(term: Term) -> list[tuple[str, str]]:
    meanings = term.meanings or {}
    return [
        (value, " ".join(meanings[value].split())) for value in term.values if value in meanings
    ]


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
