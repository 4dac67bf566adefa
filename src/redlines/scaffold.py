"""`redlines new`: the skeleton of a draft or of a variant, ready to fill in.

A skeleton loads as written (tested): a header with every required field (the id is the file
name, the date the day given, the status `draft`), a source to cite, and a first clause whose
`terms:` lists the whole catalogue as comments, grouped by area, one line per term with its type,
its values and its title; uncomment a line and give it a value. A variant's skeleton names its
base (`base: bundled:ID` for a bundled draft) and lists the base's clauses with the terms each
sets, so the clauses to `replace:` or `drop:` are in view.

The first line is the modeline that gives the editor the proposal schema
(`# yaml-language-server: $schema=…`), so terms and values complete as you type.

These are pure functions from what a skeleton needs to its text; the CLI writes the files.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from itertools import groupby
from pathlib import Path

import yaml

from .models import Catalogue, Proposal, Term, TermType

PROPOSAL_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SUFFIXES = (".yaml", ".yml")
# Where `redlines new` points the modeline, under the repository root, unless told otherwise.
DEFAULT_SCHEMA = Path("schemas") / "proposal.schema.json"
PLACEHOLDER = "REPLACE"


def proposal_id(path: Path) -> str:
    """The id a new proposal file gets: its name, which must be lower-kebab case already."""
    if path.suffix not in SUFFIXES:
        raise ValueError(f"'{path.name}': a proposal file ends in .yaml or .yml")
    stem = path.stem
    if not PROPOSAL_ID.match(stem):
        kebab = "-".join(re.findall(r"[a-z0-9]+", stem.lower())) or "my-draft"
        raise ValueError(
            f"'{path.name}' does not make a proposal id: name the file in lower-kebab case, "
            f"e.g. {kebab}{path.suffix} (the id is the file name)"
        )
    return stem


def modeline(schema: str) -> str:
    """The first line of a new file: it tells yaml-language-server which schema to use."""
    return f"# yaml-language-server: $schema={schema}"


def proposal_skeleton(
    draft_id: str,
    catalogue: Catalogue,
    *,
    date: dt.date,
    title: str | None,
    schema: str,
    path: str,
) -> str:
    """A new draft: header, a source stub and one clause listing the catalogue's terms."""
    lines = [
        modeline(schema),
        "# A draft for redlines. Fill in the header and the clause, add clauses, then run",
        f"#   redlines check {path}   and   redlines lint {path}",
        "# The format is in docs/formats.md; `redlines terms WORD` says what each value means.",
        "",
        *_header(draft_id, date=date, title=title, what="the draft's title"),
        "clauses:",
        *_clause_stub('"1"', catalogue),
    ]
    return "\n".join(lines) + "\n"


def variant_skeleton(
    draft_id: str,
    base_ref: str,
    base: Proposal,
    *,
    date: dt.date,
    title: str | None,
    schema: str,
    path: str,
) -> str:
    """A new variant of `base`: the header, `base:`, and the base's clauses to change."""
    lines = [
        modeline(schema),
        f"# A variant of {base.id} ({_one_line(base.title)}).",
        "# It keeps every clause of its base except those it replaces or drops, and adds its own.",
        f"# Then run   redlines check {path}   and, to see which verdicts your changes move,",
        f"#   redlines diff {base_ref if base_ref.startswith('bundled:') else base.path} {path}",
        "",
        f"base: {_scalar(base_ref)}",
        "",
        *_header(draft_id, date=date, title=title, what="the variant's title"),
        "",
        "# The base's clauses and the terms each sets. To change one, copy it under replace:",
        "# (the whole clause, same id); to remove one, list its id under drop:.",
        *(f"#   {line}" for line in _clause_listing(base)),
        "#",
        "# replace:",
        f'#   "{base.clauses[0].id if base.clauses else "1"}":',
        "#     id: ...  (the same id)",
        "#     title: ...",
        "#     text: ...",
        "#     terms: {...}",
        "#     sources: [text]",
        "# drop: [...]",
        "# add:",
        "#   - id: ...  (an id the base does not use)",
        "#     title: ...",
        "#     text: ...",
        "#     terms: {...}",
        "#     sources: [text]",
    ]
    return "\n".join(lines) + "\n"


def _header(draft_id: str, *, date: dt.date, title: str | None, what: str) -> list[str]:
    return [
        "proposal:",
        f"  id: {draft_id}",
        f"  title: {_scalar(title or f'{PLACEHOLDER} with {what}')}",
        f"  date: {date.isoformat()}   # the rules in force on this day apply (or --as-of)",
        "  status: draft   # draft | leaked | reported | tabled | agreed | rejected",
        "  sources:   # clauses cite these by id",
        "    - id: text",
        f"      title: {PLACEHOLDER} with the title of the document the clauses come from",
        "      # outlet: …   or   authority: …",
        "      # url: https://…",
        "      # date: YYYY-MM-DD   (or `unknown`, with a note saying why)",
    ]


def _clause_stub(clause_id: str, catalogue: Catalogue) -> list[str]:
    return [
        f"  - id: {clause_id}",
        f"    title: {PLACEHOLDER} with what the clause is about",
        f"    text: {PLACEHOLDER} with the clause, in your own words.",
        "    sources: [text]",
        "    # The terms this clause decides: uncomment each one it settles and give it a value.",
        "    # A clause that settles none says so with `terms: {}`.",
        "    terms:",
        *(f"      {line}" for line in catalogue_comments(catalogue)),
    ]


def catalogue_comments(catalogue: Catalogue) -> list[str]:
    """Every term as a commented line `# name:   # domain — title`, grouped by area."""
    lines: list[str] = []
    width = max((len(name) for name in catalogue.terms), default=0) + 1
    for area, names in groupby(sorted(catalogue.terms), key=lambda name: name.split(".")[0]):
        group = list(names)
        lines.append(f"# --- {area} ({len(group)}) ---")
        for name in group:
            term = catalogue.terms[name]
            lines.append(f"# {(name + ':').ljust(width)}   # {domain(term)} — {term.title}")
    return lines


def domain(term: Term) -> str:
    """What a term takes, in a few words: 'one of a | b', 'integer 0..3,000,000 personnel'."""
    if term.type is TermType.ENUM:
        return "one of " + " | ".join(term.values)
    if term.type is TermType.INTEGER:
        low = "" if term.min is None else f"{term.min}"
        high = "" if term.max is None else f"{term.max}"
        bounds = f" {low}..{high}" if low or high else ""
        return f"integer{bounds}" + (f" {term.unit}" if term.unit else "")
    if term.type is TermType.BOOLEAN:
        return "true | false"
    return "a date, YYYY-MM-DD"


def _clause_listing(base: Proposal) -> Iterable[str]:
    width = max((len(c.id) for c in base.clauses), default=0) + 2
    for clause in base.clauses:
        settings = ", ".join(f"{s.term}: {_value(s.value)}" for s in clause.settings)
        head = f'"{clause.id}"'.ljust(width) + f"  {_one_line(clause.title)}"
        yield head + (f"  ->  {settings}" if settings else "  (sets no term)")


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _scalar(text: str) -> str:
    """Text as a YAML scalar: plain when that reads back as the same text, else double-quoted."""
    plain = (
        bool(text)
        and text == text.strip()
        and text[0] not in "!&*{}[]|>'\"%@`#,?:-"
        and ": " not in text
        and " #" not in text
        and "\n" not in text
        and yaml.safe_load(text) == text  # not a number, a date, true, null
    )
    return text if plain else json.dumps(text, ensure_ascii=False)
