"""`--format summary`: a compact Markdown report that fits a pull-request comment.

GitHub refuses a comment over 65,536 characters, and the full Markdown report of the bundled
drafts is twice that. This one says what a reviewer needs to decide, and links to the rest:

- the overall verdict and the closing count line;
- what the pull request changed, when the Action compares each changed draft with its base
  (`changes`: "newly crosses UA-ARMY-1");
- the red lines crossed (with a baseline: the new ones; waived ones are left out) and the
  contradictions, one line each with a link to the clause;
- the proposals-by-actors verdict table;
- a link to the full report (`RenderOptions.report_url`, the run's job summary in the Action).

It is cut to `BUDGET` characters: rows and lines that would pass it are counted instead, and the
comment says how many were left out and where to read them. The first line is a hidden marker,
so that a workflow can find its own comment and update it in place.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from ..diff import ProposalDiff
from ..models import Severity
from ..report import Report, ReportSet
from .brackets import bracket_text
from .gfm import code, link, md
from .links import file_link, repo_path
from .logsafe import markdown_text
from .markdown import ICON, _verdict_cell
from .options import RenderOptions
from .stream import CheckWriter, render_with
from .view import BASELINE_MARK, GateView, Item, Kind, gate_view, plural, report_view

MARKER = "<!-- redlines-summary -->"
# GitHub's limit for a comment is 65,536 characters; what is left is room for a workflow's own
# words around the summary.
BUDGET = 60_000


def render_summary(reports: ReportSet, options: RenderOptions) -> str:
    return render_with(SummaryWriter, reports, options)


def summary(
    reports: ReportSet, options: RenderOptions, changes: Sequence[ProposalDiff] = ()
) -> str:
    """The summary of a whole run, with what a pull request changed (the Action's `changes`)."""
    out = io.StringIO(newline="")
    writer = SummaryWriter(out, options, version=reports.version)
    with writer:
        writer.changes = tuple(changes)
        for report in reports.reports:
            writer.add(report)
        writer.end_run(reports.absent, reports.warnings)
        writer.finish()
    return out.getvalue()


class SummaryWriter(CheckWriter):
    """Keeps, report by report, the lines the summary may show (never more than its budget of
    them) and counts the rest; writes the summary at the end."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.changes: tuple[ProposalDiff, ...] = ()
        self.crossed = _Kept()
        self.rows = _Kept()
        self.verdicts: list[tuple[str, dict[str, str], str]] = []
        self.brackets = _Kept()

    def add(self, report: Report) -> None:
        super().add(report)
        view = report_view(report)
        options = self.options
        for item in view.items:
            if item.gates and _crossed(item):
                self.crossed.add(_item(item, options))
        p = report.proposal
        found = bracket_text(report)
        if found is not None:
            self.brackets.add(
                f"- {link(p.id, file_link(p.location, options))}: {md(found.outcome)}"
            )
        self.rows.add(
            link(p.id, file_link(p.location, options))
            + "\t"
            + "\t".join(f"{v.ruleset}={_verdict_cell(v)}" for v in report.verdicts)
            + f"\t{ICON[report.overall]} {report.overall.value}"
        )

    def finish(self) -> None:
        options, tally = self.options, self.tally
        overall = tally.overall
        head = [
            MARKER,
            f"## redlines: {ICON[overall]} {overall.value}",
            "",
            md(tally.summary) + ".",
            "",
            *_gate(gate_view(tally)),
        ]
        tail = _tail(self.version, options)
        budget = _Budget(BUDGET - _size(head) - _size(tail))
        body: list[str] = []
        if self.changes:
            body += budget.section(
                "### What this pull request changes",
                [line for change in self.changes for line in _change(change, options)],
                "changes",
            )
        compared = tally.gate is not None and tally.gate.baseline is not None
        title = "Newly crossed red lines" if compared else "Crossed red lines"
        if tally.contradictions:
            title += " and contradictions"
        if options.fail_on == "never":
            title += " (they do not fail: fail-on never)"
        count = self.crossed.total
        body += budget.section(
            f"### {title} ({count})" if count else f"### {title}: none",
            self.crossed.lines,
            "findings",
            total=count,
        )
        if tally.proposals:
            actors = tally.actors
            rows = [_table_row(row, actors) for row in self.rows.lines]
            table_head = [
                "| " + " | ".join(["Proposal", *(md(a) for _, a in actors), "Overall"]) + " |",
                "| " + " | ".join([":--", *(":-:" for _ in actors), ":-:"]) + " |",
            ]
            body += budget.section(
                "### Verdicts", rows, "proposals", table_head, total=self.rows.total
            )
        if self.brackets.total:
            # The verdicts above are the agreed texts'; what the options would do is apart.
            body += budget.section(
                f"### Bracketed alternatives ({self.brackets.total})",
                self.brackets.lines,
                "drafts with options",
                total=self.brackets.total,
            )
        text = "\n".join([*head, *body, *tail]).rstrip("\n") + "\n"
        self.out.write(markdown_text(text))


class _Kept:
    """Lines kept up to the summary's budget, and how many there were in all."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.size = 0
        self.total = 0

    def add(self, line: str) -> None:
        self.total += 1
        if self.size + len(line) < BUDGET:
            self.lines.append(line)
            self.size += len(line) + 1


def _table_row(row: str, actors: tuple[tuple[str, str], ...]) -> str:
    proposal, *cells, overall = row.split("\t")
    by_ruleset = dict(cell.split("=", 1) for cell in cells)
    verdicts = [by_ruleset.get(ruleset, "—") for ruleset, _ in actors]
    return "| " + " | ".join([proposal, *verdicts, overall]) + " |"


def _crossed(item: Item) -> bool:
    """What the summary lists: crossed red lines and contradictions (priorities not met are
    in the full report)."""
    if item.kind is Kind.CONTRADICTION:
        return True
    return (
        item.kind is Kind.VIOLATED
        and item.finding is not None
        and item.finding.severity is Severity.RED_LINE
    )


def _item(item: Item, options: RenderOptions) -> str:
    proposal = item.report.proposal.id
    place = f"{repo_path(item.location.path, options)}:{item.location.line}"
    where = f"{md(proposal)}, {link(place, file_link(item.location, options))}"
    mark = f" ({BASELINE_MARK[item.baseline]})" if item.baseline else ""
    if item.finding is not None:
        return (
            f"- ❌ **{md(item.rule)}** {md(item.title)} — *{md(item.finding.actor)}* · "
            f"{where}{mark}"
        )
    term = item.contradiction.term if item.contradiction else ""
    return f"- ❌ contradiction on {code(term)} · {where}{mark}"


def _change(change: ProposalDiff, options: RenderOptions) -> list[str]:
    new = change.new
    name = link(new.id, file_link(new.location, options, line=False))
    crossed = {r.rule: r for r in change.rules if r.change == "newly_violated"}
    lines = [
        f"- {name}: {change.old_overall.value} → {change.new_overall.value}"
        + ("" if crossed else "; crosses no red line it did not cross before")
    ]
    for rule in change.rules:
        if rule.severity is not Severity.RED_LINE or rule.change == "dropped":
            continue
        verb = {
            "newly_violated": "❌ newly crosses",
            "newly_met": "✅ now meets",
            "newly_open": "⚠️ now leaves open",
        }[rule.change]
        lines.append(f"  - {verb} **{md(rule.rule)}** {md(rule.title)} — *{md(rule.actor)}*")
    return lines


def changes_markdown(changes: Sequence[ProposalDiff], options: RenderOptions) -> str:
    """What a pull request changed, for the job summary under the full report."""
    if not changes:
        return ""
    lines = ["", "### What this pull request changes", ""]
    lines += [line for change in changes for line in _change(change, options)]
    return markdown_text("\n".join(lines) + "\n")


def _gate(gate: GateView | None) -> list[str]:
    """How the gate differs from every rule as written, in one paragraph: a reader must see
    that the check ran a modified or narrowed rule book."""
    if gate is None:
        return []
    parts = [
        f"rule changed: {m.rule} {sentence.split(': ', 1)[-1]} ({m.reason})"
        for sentence, m in zip(gate.modified, gate.info.modified_rules, strict=True)
    ]
    if gate.selection:
        parts.append(gate.selection)
    if gate.info.waivers:
        parts.append(f"{plural(gate.info.waivers, 'waiver')} configured")
    if gate.baseline:
        parts.append(gate.baseline)
    return [f"**Gate**: {md('; '.join(parts))}.", ""] if parts else []


def _tail(version: str, options: RenderOptions) -> list[str]:
    full = (
        f"{link('the full report', options.report_url)} (the job summary)"
        if options.report_url
        else "the full report (`redlines check --format markdown`)"
    )
    return [
        f"Every finding, with its sources, is in {full} and in code scanning.",
        "",
        f"*Checked with redlines {md(version)}.*",
    ]


def _size(lines: Sequence[str]) -> int:
    return sum(len(line) + 1 for line in lines)


class _Budget:
    """Characters left for the comment's body; a section's lines stop where they would pass."""

    def __init__(self, left: int) -> None:
        self.left = left

    def section(
        self,
        title: str,
        lines: Sequence[str],
        what: str,
        head: Sequence[str] = (),
        total: int | None = None,
    ) -> list[str]:
        """The title, the head and as many lines as fit; `total` counts the lines there were,
        of which `lines` are the first."""
        total = len(lines) if total is None else total
        if not total and not head:
            return [title, ""]
        taken = [title, "", *head]
        # Room kept for the line that says what was cut, and the blank line that ends it.
        reserve = len(f"… and {total:,} more lines of {what}: see the full report.") + 3
        if _size(taken) + reserve > self.left:
            return []
        kept = 0
        for line in lines:
            if _size(taken) + len(line) + 1 + reserve > self.left:
                break
            taken.append(line)
            kept += 1
        if kept < total:
            more = total - kept
            taken += ["", f"… and {plural(more, 'more line')} of {what}: see the full report."]
        taken.append("")
        self.left -= _size(taken)
        return taken
