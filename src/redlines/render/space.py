"""`redlines space` output: text for a terminal, Markdown for a PR comment (JSON: `json.py`).

Both walk the same sections of a `SpaceReport` in the same order, one function each: the head
and verdict, a package every actor accepts, the deadlocks, the cheapest concessions, the zone of
possible agreement, who can live with whom, notes.
"""

from __future__ import annotations

from ..conditions import format_value
from ..models import TermType
from ..space import (
    Compatibility,
    Core,
    Package,
    SpaceReport,
    SpaceReportSet,
    SpaceVerdict,
    TermZone,
)
from .gfm import code, md
from .logsafe import markdown_text, text_lines
from .options import RenderOptions

_MEANING = {
    SpaceVerdict.FEASIBLE: "the draft as written meets every red line",
    SpaceVerdict.COMPLETABLE: "its open terms can be filled so that every actor accepts",
    SpaceVerdict.DEADLOCKED: "no way to fill its open terms satisfies every actor",
    SpaceVerdict.INFEASIBLE: "the draft as written crosses a red line",
}
_BLANK_MEANING = {
    SpaceVerdict.FEASIBLE: "saying nothing already meets every red line",
    SpaceVerdict.COMPLETABLE: "a package acceptable to every actor exists",
    SpaceVerdict.DEADLOCKED: "no package satisfies every actor's red lines",
    SpaceVerdict.INFEASIBLE: "no package satisfies every actor's red lines",
}


# --- text -----------------------------------------------------------------------------------------


def render_space_text(reports: SpaceReportSet, options: RenderOptions) -> str:
    lines = [line for report in reports.reports for line in (*_text(report), "")]
    return text_lines([*lines, _closing(reports)])


def _title(report: SpaceReport) -> str:
    s = report.subject
    return "the blank page" if report.blank else f"{s.id} — {s.title}"


def _meaning(report: SpaceReport) -> str:
    return (_BLANK_MEANING if report.blank else _MEANING)[report.verdict]


def _as_of(report: SpaceReport) -> str:
    if report.as_of is None:
        return "rules of every date (none is dated)"
    return f"rules as of {report.as_of.isoformat()} ({report.as_of_basis})"


def _text(report: SpaceReport) -> list[str]:
    return [
        *_text_head(report),
        *_text_witness(report),
        *_text_deadlocks(report),
        *_text_concessions(report),
        *_text_zone(report),
        *_text_compatibility(report),
        *(f"  note: {note}" for note in report.notes),
    ]


def _text_head(report: SpaceReport) -> list[str]:
    actors = ", ".join(rs.actor for rs in report.rulesets)
    return [
        f"Negotiating space: {_title(report)}",
        f"  {'' if report.blank else report.subject.path + ' · '}{_as_of(report)}",
        f"  actors: {actors} · {report.red_lines} red lines"
        + (" · every open term must be set (--complete)" if report.complete else ""),
        "",
        f"  Verdict: {report.verdict.value.upper()} — {_meaning(report)}"
        + ("" if report.blank else f" (check: {report.check.value})"),
    ]


def _text_witness(report: SpaceReport) -> list[str]:
    if report.witness is None:
        return []
    return [
        "",
        "  A package every actor accepts (terms not listed stay unaddressed):",
        *_package_lines(report.witness, "    "),
    ]


def _text_deadlocks(report: SpaceReport) -> list[str]:
    if report.deadlocks is None:
        return []
    heading = "Deadlocks: red lines that cannot all hold (drop any one and the rest can)"
    lines = ["", f"  {heading}"]
    for i, core in enumerate(report.deadlocks.cores, start=1):
        lines += _core_lines(i, core)
    if not report.deadlocks.complete:
        lines.append(f"    (stopped at {len(report.deadlocks.cores)}; there may be more)")
    return lines


def _text_concessions(report: SpaceReport) -> list[str]:
    c = report.concessions
    if c is None:
        return []
    lines = [""]
    if c.relaxed:
        lines.append(
            f"  Cheapest concessions: give up {len(c.relaxed)} red line"
            f"{'s' if len(c.relaxed) != 1 else ''}"
        )
        lines += [f"    {rule.id} {rule.title} [{rule.actor}]" for rule in c.relaxed]
    else:
        lines.append("  Cheapest concessions: none needed")
    lines.append("  Best package under the priorities:")
    lines += _package_lines(c.package, "    ")
    for outcome in c.package.actors:
        score = (
            f"priorities met {outcome.soft_met_weight}/{outcome.soft_total_weight}"
            f" ({outcome.soft_score:.0%})"
            if outcome.soft_score is not None
            else "no priorities"
        )
        lines.append(f"    {outcome.actor}: {outcome.verdict.value}, {score}")
    lines += [
        f"    not met: {rule.id} {rule.title} [{rule.actor}, weight {rule.weight}]"
        for rule in c.unmet
    ]
    return lines


def _text_zone(report: SpaceReport) -> list[str]:
    zone = report.zone
    if zone is None:
        return []
    shown = [t for t in zone.terms if not t.fixed and t.restricted]
    free = [t for t in zone.terms if not t.fixed and not t.restricted]
    after = f" after giving up {', '.join(zone.relaxed)}" if zone.relaxed else ""
    lines = ["", f"  Zone of possible agreement{after}:"]
    width = max((len(t.term) for t in shown), default=0)
    lines += [f"    {term.term.ljust(width)}  {_zone_text(term)}" for term in shown]
    if free:
        lines.append(
            f"    {len(free)} other open term{'s' if len(free) != 1 else ''}: "
            "any value, or unaddressed"
        )
    if not report.blank:
        needed = [t.term for t in zone.terms if t.needs_value]
        lines.append(
            "    the draft still needs a value for: " + (", ".join(needed) if needed else "nothing")
        )
    return lines


def _text_compatibility(report: SpaceReport) -> list[str]:
    if not report.compatibility:
        return []
    lines = ["", "  Who can live with whom (red lines only):"]
    width = max(len(" + ".join(c.actors)) for c in report.compatibility)
    for pair in report.compatibility:
        lines.append(f"    {' + '.join(pair.actors).ljust(width)}  {_compat(pair)}")
    return lines


def _package_lines(package: Package, indent: str) -> list[str]:
    if not package.terms:
        return [f"{indent}(nothing needs to be set)"]
    width = max(len(t.term) for t in package.terms)
    lines = []
    for t in package.terms:
        why = []
        if t.source == "draft":
            why.append(f"draft clause {t.clause}" if t.clause else "draft")
        if t.implied_by:
            why.append("implied by " + ", ".join(t.implied_by))
        suffix = f"  ({'; '.join(why)})" if why else ""
        lines.append(f"{indent}{t.term.ljust(width)} = {format_value(t.value)}{suffix}")
    return lines


def _core_lines(number: int, core: Core) -> list[str]:
    over = ", ".join(core.terms)
    lines = [f"    {number}. {' + '.join(core.actors) or 'the draft itself'} over {over}"]
    for rule in core.rules:
        lines.append(f"         {rule.id} {rule.title} [{rule.actor}]")
    if core.implications or core.ties:
        lines.append(f"         through {', '.join((*core.implications, *core.ties))}")
    for setting in core.draft:
        where = f" at {setting.location.path}:{setting.location.line}" if setting.location else ""
        clause = f"clause {setting.clause}" if setting.clause else "the draft"
        lines.append(f"         {clause}{where}: {setting.term} = {format_value(setting.value)}")
    return lines


def _compat(c: Compatibility) -> str:
    if c.compatible:
        return "compatible"
    return "clash: " + ", ".join(c.core)


def zone_values(term: TermZone) -> str:
    """The possible values of one term, in words: 'ukrainian | contested', '≤ 599,999'."""
    if term.type in (TermType.INTEGER, TermType.DATE):
        parts = []
        for interval in term.intervals:
            low, high = interval.low, interval.high
            if low is not None and high is not None and low == high:
                parts.append(f"= {format_value(low)}")
            elif low is None and high is None:
                parts.append("any value")
            elif low is None:
                parts.append(f"≤ {format_value(high)}")
            elif high is None:
                parts.append(f"≥ {format_value(low)}")
            else:
                parts.append(f"{format_value(low)} to {format_value(high)}")
        said = " or ".join(parts)
    else:
        said = " | ".join(format_value(v) for v in term.values)
    return said or "no value"


def _zone_text(term: TermZone) -> str:
    said = zone_values(term)
    if term.unaddressed:
        return f"{said}, or unaddressed" if term.values or term.intervals else "unaddressed only"
    if term.needs_value:
        return f"{said}  (must be set)"
    return f"{said}  (must be set; an implication can set it)"


def _closing(reports: SpaceReportSet) -> str:
    counts = {v: sum(1 for r in reports.reports if r.verdict is v) for v in SpaceVerdict}
    said = ", ".join(f"{counts[v]} {v.value}" for v in SpaceVerdict if counts[v])
    n = len(reports.reports)
    end = "agreement possible" if reports.agreement else "no agreement possible"
    return f"{n} {'analysis' if n == 1 else 'analyses'}: {said}; {end}"


# --- markdown -------------------------------------------------------------------------------------


def render_space_markdown(reports: SpaceReportSet, options: RenderOptions) -> str:
    blocks = ["\n".join(_markdown(report)) for report in reports.reports]
    blocks.append(f"_{md(_closing(reports))}_")
    return markdown_text("\n\n".join(blocks) + "\n")


def _markdown(report: SpaceReport) -> list[str]:
    return [
        *_md_head(report),
        *_md_witness(report),
        *_md_deadlocks(report),
        *_md_concessions(report),
        *_md_zone(report),
        *_md_compatibility(report),
        *(line for note in report.notes for line in ("", f"> {md(note)}")),
    ]


def _md_head(report: SpaceReport) -> list[str]:
    return [
        f"### Negotiating space: {md(_title(report))}",
        "",
        f"**{report.verdict.value.upper()}** — {md(_meaning(report))}"
        + ("" if report.blank else f" (check: {code(report.check.value)})"),
        "",
        f"{md(_as_of(report))}; actors: {md(', '.join(rs.actor for rs in report.rulesets))}; "
        f"{report.red_lines} red lines.",
    ]


def _md_witness(report: SpaceReport) -> list[str]:
    if report.witness is None:
        return []
    return ["", "#### A package every actor accepts", "", *_package_table(report.witness)]


def _md_deadlocks(report: SpaceReport) -> list[str]:
    if report.deadlocks is None:
        return []
    lines = [
        "",
        "#### Deadlocks",
        "",
        "Each row is a minimal set of red lines that cannot all hold.",
        "",
        "| # | red lines | actors | over | through |",
        "|---|---|---|---|---|",
    ]
    for i, core in enumerate(report.deadlocks.cores, start=1):
        rules = "<br>".join(f"{code(r.id)} {md(r.title)}" for r in core.rules) or "—"
        through = [
            *(code(imp) for imp in (*core.implications, *core.ties)),
            *(
                f"{md(f'clause {s.clause}' if s.clause else 'the draft')}: {code(s.term)}"
                f" = {md(format_value(s.value))}"
                for s in core.draft
            ),
        ]
        lines.append(
            f"| {i} | {rules} | {md(', '.join(core.actors))} | "
            f"{', '.join(code(t) for t in core.terms)} | "
            f"{'<br>'.join(through) or '—'} |"
        )
    if not report.deadlocks.complete:
        lines += ["", f"Stopped at {len(report.deadlocks.cores)}; there may be more."]
    return lines


def _md_concessions(report: SpaceReport) -> list[str]:
    c = report.concessions
    if c is None:
        return []
    lines = ["", "#### Cheapest concessions", ""]
    if c.relaxed:
        lines += [f"- give up {code(r.id)} {md(r.title)} ({md(r.actor)})" for r in c.relaxed]
    else:
        lines.append("None needed.")
    lines += ["", "Best package under the priorities:", ""]
    lines += _package_table(c.package)
    lines += ["", "| actor | verdict | priorities met |", "|---|---|---|"]
    for o in c.package.actors:
        score = (
            f"{o.soft_met_weight}/{o.soft_total_weight} ({o.soft_score:.0%})"
            if o.soft_score is not None
            else "—"
        )
        lines.append(f"| {md(o.actor)} | {o.verdict.value} | {score} |")
    return lines


def _md_zone(report: SpaceReport) -> list[str]:
    zone = report.zone
    if zone is None:
        return []
    after = f" (after giving up {md(', '.join(zone.relaxed))})" if zone.relaxed else ""
    lines = [
        "",
        f"#### Zone of possible agreement{after}",
        "",
        "| term | possible values | unaddressed? |",
        "|---|---|---|",
    ]
    for term in zone.terms:
        if term.fixed or not term.restricted:
            continue
        gap = (
            "allowed"
            if term.unaddressed
            else "must be set"
            if term.needs_value
            else "must be set (an implication can)"
        )
        lines.append(f"| {code(term.term)} | {md(zone_values(term))} | {gap} |")
    free = sum(1 for t in zone.terms if not t.fixed and not t.restricted)
    if free:
        lines += ["", f"{free} other open terms: any value, or unaddressed."]
    return lines


def _md_compatibility(report: SpaceReport) -> list[str]:
    if not report.compatibility:
        return []
    lines = ["", "#### Who can live with whom", "", "| actors | red lines |", "|---|---|"]
    for pair in report.compatibility:
        lines.append(f"| {md(' + '.join(pair.actors))} | {md(_compat(pair))} |")
    return lines


def _package_table(package: Package) -> list[str]:
    if not package.terms:
        return ["Nothing needs to be set."]
    lines = ["| term | value | from |", "|---|---|---|"]
    for t in package.terms:
        why = f"draft clause {t.clause}" if t.source == "draft" else "chosen"
        if t.implied_by:
            why += "; implied by " + ", ".join(t.implied_by)
        lines.append(f"| {code(t.term)} | {md(format_value(t.value))} | {md(why)} |")
    return lines
