"""`--format markdown`: for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

GitHub-flavoured Markdown: a proposals-by-actors verdict table, then per proposal the violated
red lines (with the rules' sources) and contradictions, then, folded in `<details>`, the open red
lines and the priorities not met, each with a link to its clause line. `<details>` is the only
HTML: GitHub keeps it in comments and job summaries, where it strips most other tags.

All text from the YAML files is escaped, so a `|` in a title cannot break the table and a `<` or
`*` cannot turn into markup. Links are `path#Lline` relative to the repository root, or absolute
under `RenderOptions.link_base` (the Action sets it, since a job summary has no file to be
relative to).
"""

from __future__ import annotations

import re
from html import escape as html_escape

from ..conditions import format_value
from ..models import Severity, Source
from ..report import ActorVerdict, ActorVerdictKind, Finding, Location, Report, ReportSet, Status
from ..report import Verdict as Overall
from .common import (
    ACTOR_VERDICT_MEANING,
    SEVERITY_NAME,
    SOFT,
    VERDICT_MEANING,
    actors,
    counts_line,
    file_link,
    findings_of,
    plural,
    repo_path,
    source_name,
    unaddressed,
    verdict_detail,
    web_url,
)
from .options import RenderOptions

ICON = {
    Overall.INFEASIBLE: "❌", Overall.INCOMPLETE: "⚠️", Overall.FEASIBLE: "✅",
    ActorVerdictKind.REJECTS: "❌", ActorVerdictKind.OPEN: "⚠️", ActorVerdictKind.ACCEPTS: "✅",
}  # fmt: skip

# Characters that start inline markup in GFM ('$' is GitHub's inline maths). '#', '+', '-' and
# digits only matter at the start of a line, and our text never starts one.
_SPECIAL = re.compile(r"([\\`*_\[\]{}|~!$])")


_URL_UNSAFE = {
    " ": "%20",
    "\n": "",
    "\r": "",
    "\t": "%09",
    "(": "%28",
    ")": "%29",
    "|": "%7C",
    "<": "%3C",
    ">": "%3E",
    "`": "%60",
}


def md(text: str) -> str:
    """Escape text for inline Markdown (also safe inside a table cell)."""
    text = " ".join(text.split())  # a newline would end a table row or a list item
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def code(text: str) -> str:
    """Inline code; '|' still needs escaping in a table, which GFM honours inside code too."""
    text = " ".join(text.split()).replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def link(text: str, url: str | None) -> str:
    """[text](url) for http(s) and repository links; plain escaped text otherwise."""
    if not url:
        return md(text)
    # A destination may not hold spaces or unbalanced brackets, nor '|' inside a table.
    target = "".join(_URL_UNSAFE.get(ch, ch) for ch in url.strip())
    return f"[{md(text)}]({target})"


def render_markdown(reports: ReportSet, options: RenderOptions) -> str:
    lines = [
        f"## redlines: {ICON[reports.overall]} {reports.overall.value}",
        "",
        md(counts_line(reports)) + ".",
        "",
    ]
    if reports.reports:
        lines += _matrix(reports, options)
        lines += ["", _legend(), ""]
    for report in reports.reports:
        lines += _report(report, options)
    lines.append(f"*Checked with redlines {md(reports.version)}.*")
    return "\n".join(lines).rstrip("\n") + "\n"


def _legend() -> str:
    return " · ".join(f"{ICON[k]} {k.value}: {ACTOR_VERDICT_MEANING[k]}" for k in ActorVerdictKind)


def _matrix(reports: ReportSet, options: RenderOptions) -> list[str]:
    columns = actors(reports)
    head = ["Proposal", *(md(actor) for _, actor in columns), "Overall"]
    lines = [
        "| " + " | ".join(head) + " |",
        "| " + " | ".join([":--", *(":-:" for _ in columns), ":-:"]) + " |",
    ]
    for report in reports.reports:
        by_ruleset = {v.ruleset: v for v in report.verdicts}
        p = report.proposal
        cells = [f"{link(p.id, file_link(p.location, options, line=False))} — {md(p.title)}"]
        cells += [_cell(by_ruleset.get(ruleset)) for ruleset, _ in columns]
        cells.append(f"{ICON[report.overall]} **{report.overall.value}**")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _cell(verdict: ActorVerdict | None) -> str:
    if verdict is None:
        return "—"
    detail = verdict_detail(verdict)
    return f"{ICON[verdict.verdict]} {verdict.verdict.value} ({detail})"


def _report(report: Report, options: RenderOptions) -> list[str]:
    p = report.proposal
    where = link(repo_path(p.path, options), file_link(p.location, options, line=False))
    meta = [
        p.status,
        f"dated {p.date.isoformat()}",
        plural(p.clauses, "clause"),
        f"rules as of {report.as_of.isoformat()}",
    ]
    lines = [
        f"### {md(p.id)} — {md(p.title)}",
        "",
        f"{ICON[report.overall]} **{report.overall.value}**: {VERDICT_MEANING[report.overall]}."
        f" {where} · {md(' · '.join(meta))}",
    ]
    if p.base:
        lines[-1] += f" · variant of {code(p.base)}"
    if report.overrides:
        sets = ", ".join(f"{o.term}={format_value(o.value)}" for o in report.overrides)
        lines[-1] += f" · what-if: {code(sets)}"
    lines.append("")
    if len(p.sources) == 1:
        lines += [f"Source of the text: {_source(p.sources[0])}", ""]
    elif p.sources:
        lines += [
            "<details>",
            f"<summary>Sources of the text ({len(p.sources)})</summary>",
            "",
            *(f"- {_source(s)}" for s in p.sources),
            "",
            "</details>",
            "",
        ]
    violated = findings_of(report, Status.VIOLATED, [Severity.RED_LINE])
    still_open = findings_of(report, Status.OPEN, [Severity.RED_LINE])
    soft = findings_of(report, Status.VIOLATED, SOFT)
    if violated:
        lines += [f"#### ❌ Violated red lines ({len(violated)})", ""]
        lines += [line for f in violated for line in _finding(f, md(f.message), options)]
        lines.append("")
    if report.contradictions:
        lines += [f"#### ❌ Contradictions ({len(report.contradictions)})", ""]
        for c in report.contradictions:
            at = next((claim.location for claim in c.claims if claim.location), None)
            place = f" — {_place(at, options)}" if at else ""
            lines.append(f"- {code(c.term)}: {md(c.message)}{place}")
        lines.append("")
    # What does not fail a check is folded away: a report on a dozen drafts stays readable, and
    # short enough for a pull-request comment.
    if still_open:
        lines += _folded(
            f"⚠️ Open red lines ({len(still_open)}): the draft leaves their terms unaddressed",
            ["Rule", "Actor", "Unaddressed", "Where", "If settled the wrong way"],
            [_open_row(f, options) for f in still_open],
        )
    if soft:
        lines += _folded(
            f"Priorities and preferences not met ({len(soft)})",
            ["Rule", "Actor", "Severity", "Weight", "Where", "Message"],
            [_soft_row(f, options) for f in soft],
        )
    if not (violated or still_open or soft or report.contradictions):
        lines += ["Every rule is met.", ""]
    if report.derived:
        derived = "; ".join(
            f"{code(d.term)} = {code(format_value(d.value))} ({md(d.implication)})"
            for d in report.derived
        )
        lines += [f"Derived terms: {derived}.", ""]
    return lines


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
        f"**{md(finding.rule)}** {md(finding.title)}{silent}",
        md(finding.actor),
        terms,
        where,
        md(finding.message),
    ]
    return "| " + " | ".join(cells) + " |"


def _finding(finding: Finding, message: str, options: RenderOptions) -> list[str]:
    """A list item; `message` is Markdown already."""
    silent = " (by `when_silent`)" if finding.silent else ""
    lines = [
        f"- **{md(finding.rule)}** {md(finding.title)} — *{md(finding.actor)}*{silent}\\",
        f"  {message}\\",
        f"  At {_clause(finding, options)}",
    ]
    if finding.sources:
        lines[-1] += "\\"
        lines.append(f"  {_sources(finding.sources)}")
    return lines


def _clause(finding: Finding, options: RenderOptions) -> str:
    if not finding.clauses:
        return f"{_place(finding.location, options)} (no clause settles this)"
    parts = [
        link(f"clause {c.id} “{c.title}”", file_link(c.location, options)) for c in finding.clauses
    ]
    return ", ".join(parts)


def _place(location: Location, options: RenderOptions) -> str:
    text = f"{repo_path(location.path, options)}:{location.line}"
    return link(text, file_link(location, options))


def _sources(sources: tuple[Source, ...]) -> str:
    label = "Source" if len(sources) == 1 else "Sources"
    return f"{label}: " + "; ".join(_source(s) for s in sources)


def _source(source: Source) -> str:
    text = link(source_name(source), web_url(source.url))
    return text + (f" ({source.date.isoformat()})" if source.date else "")


def _soft_row(finding: Finding, options: RenderOptions) -> str:
    cells = [
        f"**{md(finding.rule)}** {md(finding.title)}",
        md(finding.actor),
        SEVERITY_NAME[finding.severity],
        str(finding.weight or ""),
        _clause(finding, options),
        md(finding.message),
    ]
    return "| " + " | ".join(cells) + " |"
