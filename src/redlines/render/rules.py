"""`redlines rules list`: one line (or table row) per rule: id, actor, severity, validity, title.

Text aligns the columns and closes with a count per severity; Markdown is a table whose rule ids
link to the rules' pages where those are published (`ruledocs`); JSON is the `RuleListing`.
"""

from __future__ import annotations

from collections import Counter

from ..models import Severity
from ..ruledocs import ListedRule, RuleListing
from .gfm import code, link, md
from .logsafe import markdown_text, text_lines
from .options import RenderOptions
from .view import SEVERITY_NAME, plural


def severity_label(rule: ListedRule) -> str:
    name = SEVERITY_NAME[rule.severity]
    return f"{name} ({rule.weight})" if rule.weight is not None else name


def validity(rule: ListedRule) -> str:
    """'always', 'from 2025-11-23', 'until 2025-11-22 (then UA-ARMY-1)', 'from … until …'."""
    start = rule.valid_from.isoformat() if rule.valid_from else None
    end = rule.valid_until.isoformat() if rule.valid_until else None
    if start and end:
        said = f"{start} to {end}"
    elif start:
        said = f"from {start}"
    elif end:
        said = f"until {end}"
    else:
        said = "always"
    return said + (f" (then {rule.superseded_by})" if rule.superseded_by else "")


def count_line(listing: RuleListing) -> str:
    counts = Counter(rule.severity for rule in listing.rules)
    many = {Severity.PRIORITY: "priorities"}
    parts = [plural(counts[s], SEVERITY_NAME[s], many.get(s)) for s in Severity if counts[s]]
    when = f" in force on {listing.as_of.isoformat()}" if listing.as_of else ""
    detail = f" ({', '.join(parts)})" if parts else ""
    return f"{plural(len(listing.rules), 'rule')}{when}{detail}"


def render_rules_text(listing: RuleListing, options: RenderOptions) -> str:
    rows = [
        (rule.id, rule.ruleset, severity_label(rule), validity(rule), rule.title)
        for rule in listing.rules
    ]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(4)]
    lines = [
        "  ".join([*(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])), row[4]])
        for row in rows
    ]
    return text_lines([*lines, count_line(listing)])


def render_rules_markdown(listing: RuleListing, options: RenderOptions) -> str:
    lines = [
        "| Rule | Actor | Severity | In force | Tags | Title |",
        "| :-- | :-- | :-- | :-- | :-- | :-- |",
    ]
    for rule in listing.rules:
        rule_id = link(rule.id, rule.page) if rule.page else md(rule.id)
        cells = [
            f"**{rule_id}**",
            md(rule.actor),
            md(severity_label(rule)),
            md(validity(rule)),
            ", ".join(code(tag) for tag in rule.tags),
            md(rule.title),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", md(count_line(listing)) + "."]
    return markdown_text("\n".join(lines)) + "\n"
