"""`redlines diff` output: text, and Markdown for a PR comment (JSON: `json.py`)."""

from __future__ import annotations

from ..conditions import format_value
from ..diff import ClauseChange, ProposalDiff, RuleChange, TermChange
from .gfm import code, md
from .logsafe import markdown_text, text_lines
from .options import RenderOptions

_CHANGE_WORDS = {
    "newly_violated": "now violated",
    "newly_met": "now met",
    "newly_open": "now open",
    "dropped": "no longer checked",
}


def _value(value: object) -> str:
    return "unset" if value is None else format_value(value)


def _term(change: TermChange) -> str:
    by = ""
    if change.old_by or change.new_by:
        by = f"  ({change.old_by or 'unset'} -> {change.new_by or 'unset'})"
    return f"{change.term}: {_value(change.old)} -> {_value(change.new)}{by}"


def _rule(change: RuleChange) -> str:
    was = change.old.value if change.old else "not checked"
    now = change.new.value if change.new else "not checked"
    return f"{change.rule} {change.title}: {was} -> {now}"


def _clause_head(change: ClauseChange) -> str:
    where = f"{change.location.path}:{change.location.line}: " if change.location else ""
    title = f"'{change.old_title}' -> '{change.title}'" if change.old_title else f"'{change.title}'"
    extras = [
        w for w, on in (("text", change.text_changed), ("sources", change.sources_changed)) if on
    ]
    more = f" ({' and '.join(extras)} changed)" if extras else ""
    return f"{where}clause {change.id} {change.change}: {title}{more}"


def render_diff_text(result: ProposalDiff, options: RenderOptions) -> str:
    old, new = result.old, result.new
    lines = [
        f"{old.id} -> {new.id}",
        f"  {old.path} -> {new.path} · rules as of {result.new_as_of.isoformat()}"
        + (
            ""
            if result.old_as_of == result.new_as_of
            else f" (old: {result.old_as_of.isoformat()})"
        ),
        f"  Overall: {result.old_overall.value} -> {result.new_overall.value}",
    ]
    if result.clauses:
        lines += ["", "  Clauses"]
        for change in result.clauses:
            lines.append(f"    {_clause_head(change)}")
            lines += [f"        {_term(t)}" for t in change.terms]
    if result.terms:
        lines += ["", "  Terms (effective values, derived ones included)"]
        lines += [f"    {_term(t)}" for t in result.terms]
    if result.actors:
        lines += ["", "  Per actor"]
        for actor in result.actors:
            was = actor.old.value if actor.old else "not checked"
            now = actor.new.value if actor.new else "not checked"
            lines.append(f"    {actor.actor}: {was} -> {now}")
            own = [r for r in result.rules if r.ruleset == actor.ruleset]
            for moved in own:
                mark = "!" if moved.rule in result.crossed else " "
                lines.append(
                    f"      {mark} {_CHANGE_WORDS[moved.change]}: {_rule(moved)}"
                    f" [{moved.severity.value}]"
                )
    if not result.clauses and not result.rules:
        lines += ["", "  No change."]
    lines.append("")
    if result.crossed:
        lines.append(
            f"{len(result.crossed)} red line{'s' if len(result.crossed) != 1 else ''} "
            f"newly crossed: {', '.join(result.crossed)}"
        )
    else:
        lines.append("no red line newly crossed")
    return text_lines(lines)


def render_diff_markdown(result: ProposalDiff, options: RenderOptions) -> str:
    old, new = result.old, result.new
    lines = [
        f"### {md(old.id)} → {md(new.id)}",
        "",
        f"Overall: **{result.old_overall.value}** → **{result.new_overall.value}** "
        f"(rules as of {result.new_as_of.isoformat()})",
    ]
    if result.crossed:
        lines += [
            "",
            f"> **{len(result.crossed)} red line(s) newly crossed:** "
            + ", ".join(code(r) for r in result.crossed),
        ]
    if result.clauses:
        lines += ["", "#### Clauses", "", "| clause | change | terms |", "|---|---|---|"]
        for change in result.clauses:
            terms = "<br>".join(md(_term(t)) for t in change.terms) or "—"
            lines.append(f"| {md(change.id)} {md(change.title)} | {change.change} | {terms} |")
    if result.rules:
        lines += [
            "",
            "#### Rules",
            "",
            "| actor | rule | severity | before | after |",
            "|---|---|---|---|---|",
        ]
        for r in result.rules:
            lines.append(
                f"| {md(r.actor)} | {code(r.rule)} {md(r.title)} | "
                f"{r.severity.value} | {r.old.value if r.old else '—'} | "
                f"{r.new.value if r.new else '—'} |"
            )
    if not result.clauses and not result.rules:
        lines += ["", "No change."]
    return markdown_text("\n".join(lines) + "\n")
