"""`--format text`: what a person reads in a terminal or a CI log.

The headline verdict first, then each actor, then the contradictions and every violated and open
red line at the line a reviewer must change, with the rule's message and first source. Colour
only when asked (the CLI asks on a TTY).
"""

from __future__ import annotations

from ..conditions import format_value
from ..report import ActorVerdictKind, Finding, Report, ReportSet, Verdict
from .brackets import text_lines as bracket_lines
from .logsafe import text_lines
from .options import RenderOptions
from .stream import CheckWriter, render_with
from .view import (
    BASELINE_MARK,
    ReportView,
    claim_location,
    gate_lines,
    gate_view,
    meta,
    report_view,
    soft_score,
    unaddressed,
    waiver_note,
)

_RED, _YELLOW, _GREEN, _BOLD, _DIM, _RESET = (
    "\033[31m", "\033[33m", "\033[32m", "\033[1m", "\033[2m", "\033[0m",
)  # fmt: skip

_VERDICT_COLOUR = {
    Verdict.INFEASIBLE: _RED, Verdict.INCOMPLETE: _YELLOW, Verdict.FEASIBLE: _GREEN,
    ActorVerdictKind.REJECTS: _RED, ActorVerdictKind.OPEN: _YELLOW,
    ActorVerdictKind.ACCEPTS: _GREEN,
}  # fmt: skip


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def paint(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text

    def verdict(self, verdict: Verdict | ActorVerdictKind, upper: bool = False) -> str:
        word = verdict.value.upper() if upper else verdict.value
        return self.paint(word, _VERDICT_COLOUR[verdict])

    @property
    def pad(self) -> int:
        """What colour codes add to a painted word's length, for column alignment."""
        return len(_RED) + len(_RESET) if self.color else 0


def render_text(reports: ReportSet, options: RenderOptions) -> str:
    return render_with(TextWriter, reports, options)


class TextWriter(CheckWriter):
    """Each proposal's block and a blank line as it comes, then the summary line. Each item is
    one line, whatever text from the files it holds (see logsafe)."""

    def add(self, report: Report) -> None:
        super().add(report)
        style = _Style(self.options.color)
        lines = []
        if self.tally.proposals == 1:  # how the gate differs from every rule as written: once
            lines += _gate(gate_lines(gate_view(self.tally)), style)
        lines += [*_report(report_view(report), style), ""]
        self.out.write(text_lines(lines, colour=self.options.color))

    def finish(self) -> None:
        self.out.write(text_lines([self.tally.summary], colour=self.options.color))


def _gate(lines: list[str], style: _Style) -> list[str]:
    if not lines:
        return []
    return [style.paint(lines[0], _BOLD), *lines[1:], ""]


def _report(view: ReportView, style: _Style) -> list[str]:
    return [
        *_head(view, style),
        *_verdicts(view, style),
        *_brackets(view),
        *_contradictions(view, style),
        *_red_lines("Violated red lines", view.violated, style),
        *_red_lines("Open red lines", view.open, style),
        *_soft(view),
        *_waived(view),
        *_derived(view),
    ]


def _waived(view: ReportView) -> list[str]:
    if not view.waived:
        return []
    lines = ["", "  Waived (they do not fail the check)"]
    for item in view.waived:
        where = f"{item.location.path}:{item.location.line}"
        who = f" [{item.finding.actor}]" if item.finding is not None else ""
        lines.append(f"    {where}: {item.rule} {item.title}{who} ({item.kind.value})")
        assert item.waived is not None
        lines.append(f"        {waiver_note(item.waived)}")
    return lines


def _head(view: ReportView, style: _Style) -> list[str]:
    report = view.report
    p = report.proposal
    lines = [
        style.paint(f"{p.id} — {p.title}", _BOLD),
        "  " + " · ".join([p.path, *meta(view)]),
    ]
    if p.base:
        lines.append(f"  variant of {p.base} ({' <- '.join(p.lineage)})")
    if report.overrides:
        sets = ", ".join(f"{o.term}={format_value(o.value)}" for o in report.overrides)
        lines.append(f"  what-if: {sets}")
    lines += ["", f"  Overall: {style.verdict(report.overall, upper=True)} — {view.headline}"]
    return lines


def _verdicts(view: ReportView, style: _Style) -> list[str]:
    verdicts = view.report.verdicts
    width = max((len(v.actor) for v in verdicts), default=0)
    why = {o.actor: o for o in view.why_open}
    lines = [""]
    for v in verdicts:
        score = soft_score(v)
        soft = f"   priorities met: {score}" if score is not None else ""
        counts = v.red_lines
        lines.append(
            f"  {v.actor.ljust(width)}  {style.verdict(v.verdict).ljust(8 + style.pad)}"
            f"  red lines: {counts.violated} violated, {counts.open} open, {counts.met} met{soft}"
        )
        if v.actor in why:
            lines.append(f"  {' ' * width}  open because {why[v.actor].sentence()}")
    return lines


def _brackets(view: ReportView) -> list[str]:
    lines = bracket_lines(view.report)
    if not lines:
        return []
    summary, *rest = lines
    return ["", "  Bracketed alternatives", f"    {summary}", *(f"      {line}" for line in rest)]


def _contradictions(view: ReportView, style: _Style) -> list[str]:
    if not view.contradictions:
        return []
    lines = ["", "  Contradictions"]
    for contradiction in view.contradictions:
        where = claim_location(contradiction)
        prefix = f"{where.path}:{where.line}: " if where else ""
        mark = f" [{BASELINE_MARK[contradiction.baseline]}]" if contradiction.baseline else ""
        lines.append(f"    {prefix}{style.paint(contradiction.message, _RED)}{mark}")
    return lines


def _red_lines(title: str, findings: tuple[Finding, ...], style: _Style) -> list[str]:
    if not findings:
        return []
    lines = ["", f"  {title}"]
    for finding in findings:
        lines += _finding_lines(finding, style)
    return lines


def _finding_lines(finding: Finding, style: _Style) -> list[str]:
    where = f"{finding.location.path}:{finding.location.line}"
    if finding.clauses:
        first = finding.clauses[0]
        more = f" (+{len(finding.clauses) - 1} more)" if len(finding.clauses) > 1 else ""
        mark = " [bracketed]" if first.state == "bracketed" else ""
        place = f"{where}: clause {first.id}{mark}{more}"
    else:
        terms = unaddressed(finding)
        place = f"{where}: ({'unaddressed: ' + ', '.join(terms) if terms else 'proposal'})"
    silent = " [by when_silent]" if finding.silent else ""
    mark = f" [{BASELINE_MARK[finding.baseline]}]" if finding.baseline else ""
    lines = [
        f"    {place} — {style.paint(finding.rule, _BOLD)} {finding.title}"
        f" [{finding.actor}]{silent}{mark}",
        f"        {finding.message}",
    ]
    if finding.sources:
        lines.append(style.paint(f"        source: {finding.sources[0].label()}", _DIM))
    return lines


def _soft(view: ReportView) -> list[str]:
    if not view.soft:
        return []
    lines = ["", "  Priorities not met"]
    for finding in view.soft:
        where = f"{finding.location.path}:{finding.location.line}"
        if finding.clauses:
            where += f": clause {finding.clauses[0].id}"
        mark = f" [{BASELINE_MARK[finding.baseline]}]" if finding.baseline else ""
        lines.append(
            f"    {where}: {finding.rule} {finding.title}"
            f" [{finding.actor}, weight {finding.weight}]{mark}"
        )
    return lines


def _derived(view: ReportView) -> list[str]:
    if not view.derived:
        return []
    lines = ["", "  Derived terms"]
    for d in view.derived:
        because = ", ".join(f"clause {c.id}" for c in d.clauses) or ", ".join(d.because_of)
        lines.append(f"    {d.term} = {format_value(d.value)}  ({d.implication}, from {because})")
    return lines
