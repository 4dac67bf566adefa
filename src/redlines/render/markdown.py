"""`--format markdown`: for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

GitHub-flavoured Markdown: a proposals-by-actors verdict table, then per proposal the headline,
the contradictions and the violated red lines (with the rules' sources), then, folded in
`<details>`, the open red lines and the priorities not met, each with a link to its clause line.
`<details>` is the only HTML: GitHub keeps it in comments and job summaries, where it strips most
other tags.

All text from the YAML files is escaped (`gfm.md`), so a `|` in a title cannot break the table
and a `<` or `*` cannot turn into markup. Links are `path#Lline` relative to the repository root,
or absolute under `RenderOptions.link_base` (the Action sets it, since a job summary has no file
to be relative to).
"""

from __future__ import annotations

from html import escape as html_escape
from typing import Any

from ..conditions import format_value
from ..report import ActorVerdict, ActorVerdictKind, Finding, Location, Report, ReportSet
from ..report import Verdict as Overall
from .brackets import bracket_text
from .gfm import code, link, md, source_link
from .links import file_link, repo_path
from .logsafe import markdown_text
from .options import RenderOptions
from .stream import CheckWriter, copy, render_with
from .view import (
    ACTOR_VERDICT_MEANING,
    BASELINE_MARK,
    SEVERITY_NAME,
    GateView,
    OpenActor,
    ReportView,
    claim_location,
    gate_view,
    meta,
    plural,
    report_view,
    sentence_case,
    unaddressed,
    verdict_detail,
)

ICON = {
    Overall.INFEASIBLE: "❌", Overall.INCOMPLETE: "⚠️", Overall.FEASIBLE: "✅",
    ActorVerdictKind.REJECTS: "❌", ActorVerdictKind.OPEN: "⚠️", ActorVerdictKind.ACCEPTS: "✅",
}  # fmt: skip


def render_markdown(reports: ReportSet, options: RenderOptions) -> str:
    return render_with(MarkdownWriter, reports, options)


# A proposal's row of the verdict matrix: its cell, its verdict cell per rule set, its overall.
_Row = tuple[str, dict[str, str], str]


class MarkdownWriter(CheckWriter):
    """The heading, the summary and the verdict matrix need the whole run: each proposal's
    section waits in a spool, and only its row of the matrix is kept. Every piece is whole
    lines, made log-safe as it is written (`markdown_text` works line by line)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body = self.spool()
        self.rows: list[_Row] = []

    def add(self, report: Report) -> None:
        super().add(report)
        view = report_view(report)
        self.rows.append(_row(view, self.options))
        self.body.write(markdown_text("\n".join(_report(view, self.options)) + "\n"))

    def finish(self) -> None:
        overall = self.tally.overall
        lines = [
            f"## redlines: {ICON[overall]} {overall.value}",
            "",
            md(self.tally.summary) + ".",
            "",
        ]
        lines += _gate(gate_view(self.tally), self.options)
        if self.rows:
            lines += _matrix(self.tally.actors, self.rows)
            lines += ["", _legend(), ""]
        self.out.write(markdown_text("\n".join(lines) + "\n"))
        copy(self.body, self.out)
        self.out.write(markdown_text(f"*Checked with redlines {md(self.version)}.*\n"))


def _gate(gate: GateView | None, options: RenderOptions) -> list[str]:
    """How the run's gate differs from every rule as written, before the reports."""
    if gate is None:
        return []
    lines = []
    for sentence, m in zip(gate.modified, gate.info.modified_rules, strict=True):
        lines.append(
            f"- Rule changed: {md(sentence)} — {md(m.reason)} ({_place(m.location, options)})"
        )
    if gate.selection:
        lines.append(f"- {md(sentence_case(gate.selection))}")
    if gate.info.waivers:
        lines.append(f"- {plural(gate.info.waivers, 'waiver')} configured")
    if gate.baseline:
        lines.append(f"- {md(sentence_case(gate.baseline))}")
    return ["**Gate**", "", *lines, ""] if lines else []


def _legend() -> str:
    return " · ".join(f"{ICON[k]} {k.value}: {ACTOR_VERDICT_MEANING[k]}" for k in ActorVerdictKind)


def _row(view: ReportView, options: RenderOptions) -> _Row:
    report = view.report
    p = report.proposal
    cell = f"{link(p.id, file_link(p.location, options, line=False))} — {md(p.title)}"
    overall = f"{ICON[report.overall]} **{report.overall.value}**"
    if report.contradictions:
        overall += ", contradicts itself"
    return cell, {v.ruleset: _verdict_cell(v) for v in report.verdicts}, overall


def _matrix(actors: tuple[tuple[str, str], ...], rows: list[_Row]) -> list[str]:
    head = ["Proposal", *(md(actor) for _, actor in actors), "Overall"]
    lines = [
        "| " + " | ".join(head) + " |",
        "| " + " | ".join([":--", *(":-:" for _ in actors), ":-:"]) + " |",
    ]
    for cell, verdicts, overall in rows:
        cells = [cell, *(verdicts.get(ruleset, _verdict_cell(None)) for ruleset, _ in actors)]
        lines.append("| " + " | ".join([*cells, overall]) + " |")
    return lines


def _verdict_cell(verdict: ActorVerdict | None) -> str:
    if verdict is None:
        return "—"
    detail = verdict_detail(verdict)
    return f"{ICON[verdict.verdict]} {verdict.verdict.value} ({detail})"


def _report(view: ReportView, options: RenderOptions) -> list[str]:
    lines = [
        *_head(view, options),
        *_text_sources(view),
        *_brackets(view),
        *_contradictions(view, options),
        *_violated(view, options),
        # What does not fail a check is folded away: a report on a dozen drafts stays readable,
        # and short enough for a pull-request comment.
        *_open(view, options),
        *_soft(view, options),
        *_waived(view, options),
    ]
    if view.all_met:
        lines += ["Every rule is met.", ""]
    return lines + _derived(view)


def _head(view: ReportView, options: RenderOptions) -> list[str]:
    report = view.report
    p = report.proposal
    where = link(repo_path(p.path, options), file_link(p.location, options, line=False))
    said = (
        f"{ICON[report.overall]} **{report.overall.value}**: {md(view.headline)}."
        f" {where} · {md(' · '.join(meta(view)))}"
    )
    if p.base:
        said += f" · variant of {code(p.base)}"
    if report.overrides:
        sets = ", ".join(f"{o.term}={format_value(o.value)}" for o in report.overrides)
        said += f" · what-if: {code(sets)}"
    lines = [f"### {md(p.id)} — {md(p.title)}", "", said, ""]
    # Why an actor is open, in place: the terms the draft would have to settle.
    for actor in view.why_open:
        lines += [
            f"{ICON[ActorVerdictKind.OPEN]} **{md(actor.actor)}** is open: {_why(actor)}.",
            "",
        ]
    return lines


def _why(actor: OpenActor) -> str:
    return "; ".join(
        f"{md(rule)} needs " + (", ".join(code(t) for t in terms) or "its terms settled")
        for rule, terms in actor.red_lines
    )


def _brackets(view: ReportView) -> list[str]:
    found = bracket_text(view.report)
    if found is None:
        return []
    lines = ["#### Bracketed alternatives", "", md(found.summary), ""]
    lines += [f"- {md(line)}" for line in found.options] + [""]
    lines += [f"- {md(line)}" for line in found.actors] + ["", f"**{md(found.outcome)}**", ""]
    if found.table:
        rows = ["| " + " | ".join(md(c) for c in row) + " |" for row in found.table]
        head = [md(c) for c in found.table_head]
        lines += _folded(f"Every combination ({len(found.table)})", head, rows)
    return lines


def _text_sources(view: ReportView) -> list[str]:
    sources = view.report.proposal.sources
    if len(sources) == 1:
        return [f"Source of the text: {source_link(sources[0])}", ""]
    if not sources:
        return []
    return [
        "<details>",
        f"<summary>Sources of the text ({len(sources)})</summary>",
        "",
        *(f"- {source_link(s)}" for s in sources),
        "",
        "</details>",
        "",
    ]


def _contradictions(view: ReportView, options: RenderOptions) -> list[str]:
    if not view.contradictions:
        return []
    lines = [f"#### ❌ Contradictions ({len(view.contradictions)})", ""]
    for c in view.contradictions:
        at = claim_location(c)
        place = f" — {_place(at, options)}" if at else ""
        mark = f" ({BASELINE_MARK[c.baseline]})" if c.baseline else ""
        terms = ", ".join(code(t) for t in (c.terms or (c.term,)))
        lines.append(f"- {terms}: {md(c.message)}{place}{mark}")
    return [*lines, ""]


def _violated(view: ReportView, options: RenderOptions) -> list[str]:
    if not view.violated:
        return []
    lines = [f"#### ❌ Violated red lines ({len(view.violated)})", ""]
    lines += [line for f in view.violated for line in _finding(f, options)]
    return [*lines, ""]


def _open(view: ReportView, options: RenderOptions) -> list[str]:
    if not view.open:
        return []
    return _folded(
        f"⚠️ Open red lines ({len(view.open)}): the draft leaves their terms unaddressed",
        ["Rule", "Actor", "Unaddressed", "Where", "If settled the wrong way"],
        [_open_row(f, options) for f in view.open],
    )


def _soft(view: ReportView, options: RenderOptions) -> list[str]:
    if not view.soft:
        return []
    return _folded(
        f"Priorities and preferences not met ({len(view.soft)})",
        ["Rule", "Actor", "Severity", "Weight", "Where", "Message"],
        [_soft_row(f, options) for f in view.soft],
    )


def _waived(view: ReportView, options: RenderOptions) -> list[str]:
    if not view.waived:
        return []
    rows = []
    for item in view.waived:
        waived = item.waived
        assert waived is not None
        actor = md(item.finding.actor) if item.finding is not None else "—"
        until = waived.expires.isoformat() if waived.expires else "never"
        rule = _rule_id(item.finding, options) if item.finding is not None else md(item.rule)
        cells = [
            f"**{rule}** {md(item.title)}",
            actor,
            item.kind.value,
            _place(item.location, options),
            md(waived.reason),
            until,
            _place(waived.location, options),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return _folded(
        f"Waived ({len(view.waived)}): accepted by the configuration, they do not fail",
        ["Rule", "Actor", "Status", "Where", "Reason", "Expires", "Waiver"],
        rows,
    )


def _derived(view: ReportView) -> list[str]:
    if not view.derived:
        return []
    derived = "; ".join(
        f"{code(d.term)} = {code(format_value(d.value))} ({md(d.implication)})"
        for d in view.derived
    )
    return [f"Derived terms: {derived}.", ""]


def _folded(summary: str, head: list[str], rows: list[str]) -> list[str]:
    """A table inside <details>, which GitHub keeps (it strips most other HTML)."""
    align = ["--:" if h == "Weight" else ":--" for h in head]
    return [
        "<details>",
        f"<summary>{html_escape(summary)}</summary>",
        "",
        "| " + " | ".join(head) + " |",
        "| " + " | ".join(align) + " |",
        *rows,
        "",
        "</details>",
        "",
    ]


def _open_row(finding: Finding, options: RenderOptions) -> str:
    terms = ", ".join(code(t) for t in unaddressed(finding)) or "—"
    where = _clause(finding, options) if finding.clauses else "—"
    silent = " (by `when_silent`)" if finding.silent else ""
    cells = [
        f"**{_rule_id(finding, options)}** {md(finding.title)}{silent}{_mark(finding, ' (')}",
        md(finding.actor),
        terms,
        where,
        md(finding.message),
    ]
    return "| " + " | ".join(cells) + " |"


def _finding(finding: Finding, options: RenderOptions) -> list[str]:
    silent = " (by `when_silent`)" if finding.silent else ""
    lines = [
        f"- **{_rule_id(finding, options)}** {md(finding.title)} — *{md(finding.actor)}*"
        f"{silent}{_mark(finding)}\\",
        f"  {md(finding.message)}\\",
        f"  At {_clause(finding, options)}",
    ]
    if finding.sources:
        lines[-1] += "\\"
        label = "Source" if len(finding.sources) == 1 else "Sources"
        lines.append(f"  {label}: " + "; ".join(source_link(s) for s in finding.sources))
    return lines


def _mark(finding: Finding, before: str = " · ") -> str:
    """'new' or 'unchanged since the baseline', when the run compares with one."""
    if finding.baseline is None:
        return ""
    after = ")" if before.endswith("(") else ""
    return f"{before}{BASELINE_MARK[finding.baseline]}{after}"


def _rule_id(finding: Finding, options: RenderOptions) -> str:
    """The rule's id, linked to its page where one is published."""
    return link(finding.rule, options.rule_pages.get(finding.rule))


def _clause(finding: Finding, options: RenderOptions) -> str:
    if not finding.clauses:
        return f"{_place(finding.location, options)} (no clause settles this)"
    parts = [
        link(f"clause {c.id} “{c.title}”", file_link(c.location, options))
        + (" (bracketed)" if c.state == "bracketed" else "")
        for c in finding.clauses
    ]
    return ", ".join(parts)


def _place(location: Location, options: RenderOptions) -> str:
    text = f"{repo_path(location.path, options)}:{location.line}"
    return link(text, file_link(location, options))


def _soft_row(finding: Finding, options: RenderOptions) -> str:
    cells = [
        f"**{_rule_id(finding, options)}** {md(finding.title)}{_mark(finding, ' (')}",
        md(finding.actor),
        SEVERITY_NAME[finding.severity],
        str(finding.weight or ""),
        _clause(finding, options),
        md(finding.message),
    ]
    return "| " + " | ".join(cells) + " |"
