"""`--format text`: what a person reads in a terminal or a CI log.

Overall verdict first, then each actor, then every violated and open red line at the line a
reviewer must change, with the rule's message and first source. Colour only when asked (the CLI
asks on a TTY).
"""

from __future__ import annotations

from ..conditions import format_value
from ..models import Severity
from ..report import ActorVerdictKind, Finding, Report, ReportSet, Status, Verdict
from .options import RenderOptions

_RED, _YELLOW, _GREEN, _BOLD, _DIM, _RESET = (
    "\033[31m", "\033[33m", "\033[32m", "\033[1m", "\033[2m", "\033[0m",
)  # fmt: skip

_VERDICT_COLOUR = {
    Verdict.INFEASIBLE: _RED, Verdict.INCOMPLETE: _YELLOW, Verdict.FEASIBLE: _GREEN,
    ActorVerdictKind.REJECTS: _RED, ActorVerdictKind.OPEN: _YELLOW,
    ActorVerdictKind.ACCEPTS: _GREEN,
}  # fmt: skip

_OVERALL_MEANING = {
    Verdict.INFEASIBLE: "at least one party's red line is crossed",
    Verdict.INCOMPLETE: "no red line crossed, but some are left open",
    Verdict.FEASIBLE: "every party's red lines are met",
}


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def paint(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text

    def verdict(self, verdict: Verdict | ActorVerdictKind, upper: bool = False) -> str:
        word = verdict.value.upper() if upper else verdict.value
        return self.paint(word, _VERDICT_COLOUR[verdict])


def render_text(reports: ReportSet, options: RenderOptions) -> str:
    style = _Style(options.color)
    blocks = [_report(report, style) for report in reports.reports]
    blocks.append(_closing_line(reports))
    return "\n\n".join(blocks) + "\n"


def _report(report: Report, style: _Style) -> str:
    p = report.proposal
    lines = [
        style.paint(f"{p.id} — {p.title}", _BOLD),
        f"  {p.path} · {p.status} · dated {p.date.isoformat()}"
        f" · {p.clauses} clause{'s' if p.clauses != 1 else ''}"
        f" · rules as of {report.as_of.isoformat()}",
    ]
    if p.base:
        lines.append(f"  variant of {p.base} ({' <- '.join(p.lineage)})")
    if report.overrides:
        sets = ", ".join(f"{o.term}={format_value(o.value)}" for o in report.overrides)
        lines.append(f"  what-if: {sets}")
    lines += [
        "",
        f"  Overall: {style.verdict(report.overall, upper=True)}"
        f" — {_OVERALL_MEANING[report.overall]}",
        "",
    ]
    width = max((len(v.actor) for v in report.verdicts), default=0)
    for v in report.verdicts:
        soft = (
            f"   priorities met: {v.soft_met_weight}/{v.soft_total_weight} ({v.soft_score:.0%})"
            if v.soft_score is not None
            else ""
        )
        counts = v.red_lines
        lines.append(
            f"  {v.actor.ljust(width)}  {style.verdict(v.verdict).ljust(8 + _pad(style))}"
            f"  red lines: {counts.violated} violated, {counts.open} open, {counts.met} met{soft}"
        )
    red = [f for f in report.findings if f.severity is Severity.RED_LINE]
    for title, status in (("Violated red lines", Status.VIOLATED), ("Open red lines", Status.OPEN)):
        chosen = [f for f in red if f.status is status]
        if chosen:
            lines += ["", f"  {title}"]
            for finding in sorted(chosen, key=_by_place):
                lines += _finding_lines(finding, style)
    soft_violated = [
        f
        for f in report.findings
        if f.severity is not Severity.RED_LINE and f.status is Status.VIOLATED
    ]
    if soft_violated:
        lines += ["", "  Priorities not met"]
        for finding in sorted(soft_violated, key=_by_place):
            lines.append(
                f"    {_place(finding)}: {finding.rule} {finding.title}"
                f" [{finding.actor}, weight {finding.weight}]"
            )
    if report.contradictions:
        lines += ["", "  Contradictions"]
        for contradiction in report.contradictions:
            where = next((c.location for c in contradiction.claims if c.location), None)
            prefix = f"{where.path}:{where.line}: " if where else ""
            lines.append(f"    {prefix}{style.paint(contradiction.message, _RED)}")
    if report.derived:
        lines += ["", "  Derived terms"]
        for d in report.derived:
            because = ", ".join(f"clause {c.id}" for c in d.clauses) or ", ".join(d.because_of)
            lines.append(
                f"    {d.term} = {format_value(d.value)}  ({d.implication}, from {because})"
            )
    return "\n".join(lines)


def _pad(style: _Style) -> int:
    return len(_RED) + len(_RESET) if style.color else 0


def _by_place(finding: Finding) -> tuple[str, int, str]:
    return (finding.location.path, finding.location.line, finding.rule)


def _place(finding: Finding) -> str:
    where = f"{finding.location.path}:{finding.location.line}"
    if finding.clauses:
        first = finding.clauses[0]
        return f"{where}: clause {first.id}"
    return where


def _finding_lines(finding: Finding, style: _Style) -> list[str]:
    if finding.clauses:
        first = finding.clauses[0]
        more = f" (+{len(finding.clauses) - 1} more)" if len(finding.clauses) > 1 else ""
        place = f"{finding.location.path}:{finding.location.line}: clause {first.id}{more}"
    else:
        unaddressed = [t.term for t in finding.terms if t.set_by == "unaddressed"]
        what = f"unaddressed: {', '.join(unaddressed)}" if unaddressed else "proposal"
        place = f"{finding.location.path}:{finding.location.line}: ({what})"
    silent = " [by when_silent]" if finding.silent else ""
    lines = [
        f"    {place} — {style.paint(finding.rule, _BOLD)} {finding.title}"
        f" [{finding.actor}]{silent}",
        f"        {finding.message}",
    ]
    if finding.sources:
        lines.append(style.paint(f"        source: {finding.sources[0].label()}", _DIM))
    return lines


def _closing_line(reports: ReportSet) -> str:
    counts = {v: sum(1 for r in reports.reports if r.overall is v) for v in Verdict}
    red_violated = sum(v.red_lines.violated for r in reports.reports for v in r.verdicts)
    red_open = sum(v.red_lines.open for r in reports.reports for v in r.verdicts)
    contradictions = sum(len(r.contradictions) for r in reports.reports)
    n = len(reports.reports)
    verdicts = ", ".join(f"{counts[v]} {v.value}" for v in Verdict if counts[v])
    return (
        f"{n} proposal{'s' if n != 1 else ''} checked: {verdicts}; "
        f"{red_violated} red lines violated, {red_open} open, "
        f"{contradictions} contradiction{'s' if contradictions != 1 else ''}"
    )
