"""What every `check` format says about a draft's bracketed alternatives, in plain words.

A report on a draft with options (`Report.brackets`) gets one more part: the options of each
bracketed clause, each actor's verdict on each option, the combinations every actor accepts or
the smallest set of red lines that blocks them all, and, when every combination was checked,
the table of them. Each format lays out the same sentences; only JSON carries the model itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..conditions import format_value
from ..report import BracketInfo, BracketReport, Combination, Report
from .view import plural

_STANDING = {
    "accepts": "accepts",
    "open": "leaves open",
    "rejects": "rejects",
    "depends": "depends on the other brackets",
}


@dataclass(frozen=True)
class BracketText:
    """The sentences of one report's bracketed part."""

    summary: str  # one line: how many brackets, options, combinations, and how checked
    options: list[str]  # one line per option: "6/1 U.S. wording (United States): term=value"
    actors: list[str]  # one line per actor: its verdict on each option
    outcome: str  # the agreeable combinations, or what blocks every one
    table_head: list[str]  # the combination table's columns (empty: the solver answered)
    table: list[list[str]]


def bracket_text(report: Report) -> BracketText | None:
    b = report.brackets
    if b is None:
        return None
    count = sum(len(br.options) for br in b.brackets)
    if b.method == "engine":
        how = "each checked as a draft"
    elif b.method == "solver":
        how = (
            "too many to check one by one: answered by the solver over the options, "
            "each agreeable combination checked as a draft"
        )
    else:
        how = (
            "too many to check one by one: answered group by group "
            f"({plural(len(b.groups), 'independent group')}: no red line, implication or tie "
            "links two of them), each group's combinations checked as drafts"
        )
    summary = (
        f"{plural(len(b.brackets), 'bracketed clause')} with {plural(count, 'option')}: "
        f"{plural(b.combinations, 'combination')}, {how}. The verdicts above are the agreed "
        "text's alone, with the bracketed terms unaddressed."
    )
    options = [
        f"{br.clause}/{o.number} {o.title}{_by(o.proposed_by)}: "
        + ", ".join(f"{t.term}={format_value(t.value)}" for t in o.terms)
        for br in b.brackets
        for o in br.options
    ]
    actors = [
        f"{a.actor}: "
        + "; ".join(f"{o.clause}/{o.option} {_STANDING[o.verdict]}" for o in a.options)
        for a in b.actors
    ]
    names = [a.actor for a in b.actors]
    table = [[combination_label(b, c), *(v.value for v in c.verdicts)] for c in b.checked]
    return BracketText(
        summary=summary,
        options=options,
        actors=actors,
        outcome=_outcome(b),
        table_head=["options", *names] if b.checked else [],
        table=table,
    )


def combination_label(b: BracketReport, combination: Combination) -> str:
    """'6/2 + 21/1': the option taken in each bracketed clause."""
    return " + ".join(
        f"{br.clause}/{n}" for br, n in zip(b.brackets, combination.options, strict=True)
    )


def _outcome(b: BracketReport) -> str:
    if b.agreeable:
        listed = ", ".join(
            f"{combination_label(b, c)} ({_titles(b.brackets, c)})" for c in b.agreeable
        )
        more = "" if b.agreeable_complete else f" (the first {b.limit}; there are more)"
        return f"Every actor accepts: {listed}{more}."
    if not b.blocking:
        return "No combination is accepted by every actor."
    ids = ", ".join(r.id for r in b.blocking)
    if len(b.blocking) == 1:
        return (
            f"No combination is accepted by every actor: every one leaves {ids} violated or open."
        )
    return (
        f"No combination is accepted by every actor: none meets {ids} together "
        f"(a smallest such set of {plural(len(b.blocking), 'red line')})."
    )


def _titles(brackets: tuple[BracketInfo, ...], combination: Combination) -> str:
    return "; ".join(
        br.options[n - 1].title for br, n in zip(brackets, combination.options, strict=True)
    )


def _by(who: str | None) -> str:
    return f" (proposed by {who})" if who else ""


def text_lines(report: Report) -> list[str]:
    """The bracketed part as plain lines (text, GitHub's log, JUnit's system-out)."""
    found = bracket_text(report)
    if found is None:
        return []
    lines = [found.summary, *found.options, *found.actors, found.outcome]
    if found.table:
        lines.append("Combinations: " + " | ".join(found.table_head))
        lines += [" | ".join(row) for row in found.table]
    return lines
