"""`--format html`: one self-contained page to read, mail or attach to an article.

Inline CSS only: no scripts, fonts or images fetched, and a Content-Security-Policy that forbids
them, so the file opens the same offline, from a mail attachment or from a CI artefact. The page
holds the proposals-by-actors matrix coloured by verdict (the verdict is also written out, so it
reads in black and white), then per proposal its headline, the contradictions, the violated and
open red lines and the priorities not met, each with its sources. Every piece of text from the
YAML files goes through `html.escape`; only http(s) URLs become links.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from ..conditions import format_value
from ..models import Source
from ..report import (
    ActorVerdict,
    ActorVerdictKind,
    ClauseRef,
    Finding,
    Location,
    Report,
    ReportSet,
    Status,
)
from .brackets import bracket_text
from .links import file_link, repo_path, source_name, web_url
from .logsafe import xml_text
from .options import RenderOptions
from .stream import CheckWriter, copy, render_with
from .view import (
    ACTOR_VERDICT_MEANING,
    BASELINE_MARK,
    SEVERITY_NAME,
    GateView,
    ReportView,
    claim_location,
    gate_view,
    meta,
    open_message,
    plural,
    report_view,
    sentence,
    sentence_case,
    soft_score,
    verdict_detail,
    waiver_note,
)

_CSS = """
:root { --ink: #1d2433; --muted: #5b6475; --line: #d9dde5; --paper: #ffffff; --wash: #f5f6f8;
  --rejects: #b42318; --rejects-bg: #fde7e5; --open: #9a5b00; --open-bg: #fdf0cc;
  --accepts: #05603a; --accepts-bg: #d8f5e3; --link: #1f4fbf; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: var(--wash);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; }
h1 { font-size: 26px; margin: 0 0 6px; }
h2 { font-size: 20px; margin: 0 0 6px; }
h3 { font-size: 16px; margin: 22px 0 8px; }
a { color: var(--link); }
code { font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; background: var(--wash);
  padding: 1px 4px; border-radius: 4px; }
.summary { color: var(--muted); margin: 0 0 18px; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 10px;
  padding: 20px 22px; margin: 0 0 20px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 600;
  font-size: 13px; letter-spacing: .02em; text-transform: uppercase; vertical-align: 2px; }
.infeasible, .rejects { color: var(--rejects); background: var(--rejects-bg); }
.incomplete, .open { color: var(--open); background: var(--open-bg); }
.feasible, .accepts { color: var(--accepts); background: var(--accepts-bg); }
td.overall .word { text-transform: uppercase; font-size: 13px; letter-spacing: .03em; }
table { border-collapse: collapse; width: 100%; }
table.matrix th, table.matrix td { border: 1px solid var(--line); padding: 8px 10px; }
table.matrix thead th { background: var(--wash); font-size: 13px; text-align: center; }
table.matrix thead th:first-child { text-align: left; }
table.matrix tbody th { text-align: left; font-weight: normal; min-width: 260px; }
table.matrix tbody th a { font-weight: 600; }
.ptitle { display: block; }
.pmeta { display: block; color: var(--muted); font-size: 12px; }
td.v { text-align: center; min-width: 110px; }
td.v .word { display: block; font-weight: 700; }
td.v .n { display: block; font-size: 12px; }
td.none { color: var(--muted); text-align: center; }
.legend { color: var(--muted); font-size: 13px; margin: 10px 0 0; }
.legend span { padding: 1px 8px; border-radius: 4px; margin-right: 4px; font-weight: 600; }
.meta { color: var(--muted); margin: 0 0 4px; }
.headline { margin: 0 0 4px; font-weight: 600; }
.why-open { margin: 2px 0 4px; color: var(--open); }
ol.findings { list-style: none; padding: 0; margin: 0; }
ol.findings > li { border-left: 4px solid var(--line); padding: 6px 0 6px 12px; margin: 0 0 12px; }
li.violated { border-color: var(--rejects) !important; }
li.open-rl { border-color: #e0a100 !important; }
.rule { font: 600 12px ui-monospace, "DejaVu Sans Mono", monospace; padding: 1px 6px;
  border-radius: 4px; background: var(--wash); border: 1px solid var(--line); }
.actor { color: var(--muted); }
.msg { margin: 4px 0; }
.where, .sources { font-size: 13px; color: var(--muted); margin: 2px 0; }
.sources { padding-left: 18px; }
table.soft th, table.soft td { text-align: left; border-bottom: 1px solid var(--line);
  padding: 6px 8px; vertical-align: top; font-size: 14px; }
table.soft td.num { text-align: right; }
.ok { color: var(--accepts); font-weight: 600; }
details { margin: 14px 0 0; }
summary { cursor: pointer; font-weight: 700; font-size: 16px; margin: 0 0 8px; }
details.meta { margin: 4px 0 0; }
details.meta summary { font-weight: normal; font-size: 14px; color: var(--muted); }
footer { color: var(--muted); font-size: 12px; padding-bottom: 28px; }
@media print { body { background: #fff; } .card { break-inside: avoid; border-color: #bbb; } }
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"


def e(text: str) -> str:
    return escape(text, quote=True)


def render_html(reports: ReportSet, options: RenderOptions) -> str:
    return render_with(HtmlWriter, reports, options)


# A proposal's row of the verdict matrix: up to its verdict cells, those per rule set, the rest.
_Row = tuple[str, dict[str, str], str]


class HtmlWriter(CheckWriter):
    """The header and the verdict matrix need the whole run: each proposal's section waits in a
    spool, and only its row of the matrix is kept. Every piece is whole lines, made log-safe as
    it is written (`xml_text` works line by line)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body = self.spool()
        self.rows: list[_Row] = []

    def add(self, report: Report) -> None:
        super().add(report)
        view = report_view(report)
        anchor = _anchor(self.tally.proposals - 1, report.proposal.id)
        self.rows.append(_row(report, anchor))
        self.body.write(xml_text("\n".join(_report(view, anchor, self.options)) + "\n"))

    def finish(self) -> None:
        overall = self.tally.overall.value
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="generator" content="redlines">',
            f"<title>redlines report: {e(overall)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            "<header>",
            f'<h1>redlines report <span class="badge {e(overall)}">{e(overall)}</span></h1>',
            f'<p class="summary">{e(self.tally.summary)}. Overall {e(overall)}:'
            f" {e(self.tally.headline)}.</p>",
            "</header>",
            "<main>",
        ]
        parts += _gate(gate_view(self.tally), self.options)
        if self.rows:
            parts += _matrix(self.tally.actors, self.rows)
        self.out.write(xml_text("\n".join(parts) + "\n"))
        copy(self.body, self.out)
        footer = [
            "</main>",
            f"<footer>Checked with redlines {e(self.version)}. Each proposal is judged against the"
            " rules in force on its “rules as of” date. Verdicts: an actor <em>rejects</em> a"
            " draft that crosses one of its red lines, leaves it <em>open</em> when the draft"
            " is silent on a red line, and <em>accepts</em> it when every red line is met."
            "</footer>",
            "</body>",
            "</html>",
        ]
        self.out.write(xml_text("\n".join(footer) + "\n"))


def _gate(gate: GateView | None, options: RenderOptions) -> list[str]:
    """How the run's gate differs from every rule as written."""
    if gate is None:
        return []
    items = [
        f"<li>Rule changed: {e(sentence)} — {e(m.reason)} ({_file(m.location, options)})</li>"
        for sentence, m in zip(gate.modified, gate.info.modified_rules, strict=True)
    ]
    if gate.selection:
        items.append(f"<li>{e(sentence_case(gate.selection))}</li>")
    if gate.info.waivers:
        items.append(f"<li>{e(plural(gate.info.waivers, 'waiver'))} configured</li>")
    if gate.baseline:
        items.append(f"<li>{e(sentence_case(gate.baseline))}</li>")
    return ['<section class="card gate"><h2>Gate</h2><ul>', *items, "</ul></section>"]


def _anchor(index: int, proposal_id: str) -> str:
    return f"p{index + 1}-" + re.sub(r"[^A-Za-z0-9_-]+", "-", proposal_id).strip("-")


def _row(report: Report, anchor: str) -> _Row:
    p = report.proposal
    overall = report.overall.value
    contradicts = '<span class="n">contradicts itself</span>' if report.contradictions else ""
    return (
        f'<tr data-proposal="{e(p.id)}"><th scope="row">'
        f'<a href="#{anchor}">{e(p.id)}</a>'
        f'<span class="ptitle">{e(p.title)}</span>'
        f'<span class="pmeta">{e(p.status)} · {e(p.date.isoformat())}</span></th>',
        {v.ruleset: _cell(v) for v in report.verdicts},
        f'<td class="v overall {overall}" data-verdict="{overall}">'
        f'<span class="word">{overall}</span>{contradicts}</td></tr>',
    )


def _matrix(actors: tuple[tuple[str, str], ...], rows: list[_Row]) -> list[str]:
    head = "".join(f'<th scope="col">{e(actor)}</th>' for _, actor in actors)
    parts = [
        '<section class="card" id="verdicts">',
        "<h2>Verdicts</h2>",
        '<table class="matrix" id="matrix">',
        f'<thead><tr><th scope="col">Proposal</th>{head}<th scope="col">Overall</th></tr></thead>',
        "<tbody>",
    ]
    for start, cells, end in rows:
        verdicts = "".join(cells.get(ruleset, _cell(None)) for ruleset, _ in actors)
        parts.append(start + verdicts + end)
    legend = " ".join(
        f'<span class="{k.value}">{k.value}</span>{e(ACTOR_VERDICT_MEANING[k])}.'
        for k in ActorVerdictKind
    )
    parts += ["</tbody>", "</table>", f'<p class="legend">{legend}</p>', "</section>"]
    return parts


def _cell(verdict: ActorVerdict | None) -> str:
    if verdict is None:
        return '<td class="none" title="not checked">—</td>'
    counts = verdict.red_lines
    detail = verdict_detail(verdict)
    score = soft_score(verdict)
    soft = f", priorities met: {score}" if score is not None else ""
    tooltip = (
        f"{verdict.actor}: {counts.violated} red lines violated, {counts.open} open,"
        f" {counts.met} met{soft}"
    )
    kind = verdict.verdict.value
    return (
        f'<td class="v {kind}" data-verdict="{kind}" title="{e(tooltip)}">'
        f'<span class="word">{kind}</span><span class="n">{e(detail)}</span></td>'
    )


def _report(view: ReportView, anchor: str, options: RenderOptions) -> list[str]:
    parts = [
        *_head(view, anchor, options),
        *_brackets(view),
        *_contradictions(view, options),
        *_violated(view, options),
        # What does not fail a check is folded away (no script needed: <details> opens by itself).
        *_open(view, options),
        *_soft(view, options),
        *_waived(view, options),
    ]
    if view.all_met:
        parts.append('<p class="ok">Every rule is met.</p>')
    return [*parts, *_derived(view), "</section>"]


def _head(view: ReportView, anchor: str, options: RenderOptions) -> list[str]:
    report = view.report
    p = report.proposal
    parts = [
        f'<section class="card proposal" id="{anchor}" data-proposal="{e(p.id)}">',
        f'<h2>{e(p.id)} — {e(p.title)} <span class="badge {report.overall.value}">'
        f"{report.overall.value}</span></h2>",
        f'<p class="headline">{e(sentence(view.headline))}.</p>',
        f'<p class="meta">{_file(p.location, options, line=False)} · '
        f"{e(' · '.join(meta(view)))}</p>",
    ]
    for actor in view.why_open:  # why an actor is open, in place
        reasons = "; ".join(
            f'<span class="rule">{e(rule)}</span> needs '
            + (", ".join(f"<code>{e(t)}</code>" for t in terms) or "its terms settled")
            for rule, terms in actor.red_lines
        )
        parts.append(
            f'<p class="why-open"><strong>{e(actor.actor)}</strong> is open: {reasons}.</p>'
        )
    if p.base:
        parts.append(f'<p class="meta">Variant of <code>{e(p.base)}</code>.</p>')
    if report.overrides:
        sets = ", ".join(f"{o.term}={format_value(o.value)}" for o in report.overrides)
        parts.append(f'<p class="meta">What-if: <code>{e(sets)}</code></p>')
    if p.sources:
        parts.append(
            f'<details class="meta"><summary>Sources of the text ({len(p.sources)})</summary>'
            f'<ul class="sources">{_source_items(p.sources)}</ul></details>'
        )
    return parts


def _brackets(view: ReportView) -> list[str]:
    found = bracket_text(view.report)
    if found is None:
        return []
    parts = [
        '<div class="brackets">',
        "<h3>Bracketed alternatives</h3>",
        f"<p>{e(found.summary)}</p>",
        '<ul class="options">' + "".join(f"<li>{e(o)}</li>" for o in found.options) + "</ul>",
        '<ul class="standing">' + "".join(f"<li>{e(a)}</li>" for a in found.actors) + "</ul>",
        f'<p class="outcome"><strong>{e(found.outcome)}</strong></p>',
    ]
    if found.table:
        head = "".join(f"<th>{e(c)}</th>" for c in found.table_head)
        body = "".join(
            f"<tr><td>{e(row[0])}</td>"
            + "".join(f'<td class="{e(c)}">{e(c)}</td>' for c in row[1:])
            + "</tr>"
            for row in found.table
        )
        parts.append(
            f"<details><summary>Every combination ({len(found.table)})</summary>"
            f'<table class="soft combinations"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></details>"
        )
    return [*parts, "</div>"]


def _contradictions(view: ReportView, options: RenderOptions) -> list[str]:
    if not view.contradictions:
        return []
    parts = [f"<h3>Contradictions ({len(view.contradictions)})</h3>", '<ol class="findings">']
    for c in view.contradictions:
        at = claim_location(c)
        where = f'<p class="where">At {_file(at, options)}</p>' if at else ""
        terms = ", ".join(f"<code>{e(t)}</code>" for t in (c.terms or (c.term,)))
        parts.append(f'<li class="violated">{terms}<p class="msg">{e(c.message)}</p>{where}</li>')
    return [*parts, "</ol>"]


def _violated(view: ReportView, options: RenderOptions) -> list[str]:
    if not view.violated:
        return []
    return [
        f"<h3>Violated red lines ({len(view.violated)})</h3>",
        *_findings(view.violated, "violated", options),
    ]


def _open(view: ReportView, options: RenderOptions) -> list[str]:
    if not view.open:
        return []
    return [
        f"<details><summary>Open red lines ({len(view.open)})</summary>",
        *_findings(view.open, "open-rl", options),
        "</details>",
    ]


def _soft(view: ReportView, options: RenderOptions) -> list[str]:
    if not view.soft:
        return []
    return [
        f"<details><summary>Priorities and preferences not met ({len(view.soft)})</summary>",
        '<table class="soft"><thead><tr><th>Rule</th><th>Actor</th><th>Severity</th>'
        "<th>Weight</th><th>Where</th><th>Message</th></tr></thead><tbody>",
        *(_soft_row(f, options) for f in view.soft),
        "</tbody></table></details>",
    ]


def _waived(view: ReportView, options: RenderOptions) -> list[str]:
    if not view.waived:
        return []
    rows = []
    for item in view.waived:
        assert item.waived is not None
        actor = f" — {e(item.finding.actor)}" if item.finding is not None else ""
        rows.append(
            f'<li class="waived" data-rule="{e(item.rule)}">'
            f'<span class="rule">{e(item.rule)}</span> <strong>{e(item.title)}</strong>'
            f'<span class="actor">{actor}</span> ({e(item.kind.value)})'
            f'<p class="where">At {_file(item.location, options)}</p>'
            f'<p class="msg">{e(sentence_case(waiver_note(item.waived)))}</p></li>'
        )
    return [
        f"<details><summary>Waived ({len(view.waived)}): they do not fail the check</summary>",
        '<ol class="findings">',
        *rows,
        "</ol></details>",
    ]


def _derived(view: ReportView) -> list[str]:
    if not view.derived:
        return []
    items = "".join(
        f"<li><code>{e(d.term)}</code> = <code>{e(format_value(d.value))}</code>"
        f" ({e(d.implication)}, from {e(_from(d.clauses, d.because_of))})</li>"
        for d in view.derived
    )
    return ["<h3>Derived terms</h3>", f'<ul class="sources">{items}</ul>']


def _from(clauses: tuple[ClauseRef, ...], because_of: tuple[str, ...]) -> str:
    if clauses:
        return ", ".join(f"clause {c.id}" for c in clauses)
    return ", ".join(because_of) or "—"


def _findings(findings: tuple[Finding, ...], css: str, options: RenderOptions) -> list[str]:
    parts = ['<ol class="findings">']
    for f in findings:
        message = f.message if f.status is Status.VIOLATED else open_message(f)
        silent = " (by <code>when_silent</code>)" if f.silent else ""
        parts.append(
            f'<li class="{css}" data-rule="{e(f.rule)}">'
            f"{_rule(f, options)} <strong>{e(f.title)}</strong>"
            f' <span class="actor">— {e(f.actor)}</span>{silent}{_mark(f)}'
            f'<p class="msg">{e(message)}</p>'
            f'<p class="where">At {_clauses(f, options)}</p>'
            + (f'<ul class="sources">{_source_items(f.sources)}</ul>' if f.sources else "")
            + "</li>"
        )
    parts.append("</ol>")
    return parts


def _mark(finding: Finding) -> str:
    if finding.baseline is None:
        return ""
    return f' <span class="baseline">{e(BASELINE_MARK[finding.baseline])}</span>'


def _rule(finding: Finding, options: RenderOptions) -> str:
    """The rule's id, a link to its page where one is published (http(s) only)."""
    page = web_url(options.rule_pages.get(finding.rule))
    if page is None:
        return f'<span class="rule">{e(finding.rule)}</span>'
    return f'<a class="rule" href="{e(page)}" rel="noreferrer">{e(finding.rule)}</a>'


def _clauses(finding: Finding, options: RenderOptions) -> str:
    if not finding.clauses:
        return f"{_file(finding.location, options)} (no clause settles this)"
    return ", ".join(
        f"clause {e(c.id)} “{e(c.title)}”"
        + (" <em>(bracketed)</em>" if c.state == "bracketed" else "")
        + f" {_file(c.location, options)}"
        for c in finding.clauses
    )


def _file(location: Location, options: RenderOptions, *, line: bool = True) -> str:
    shown = repo_path(location.path, options) + (f":{location.line}" if line else "")
    if options.link_base:
        return f'<a href="{e(file_link(location, options, line=line))}"><code>{e(shown)}</code></a>'
    return f"<code>{e(shown)}</code>"


def _source(source: Source) -> str:
    url = web_url(source.url)
    name = e(source_name(source))
    text = f'<a href="{e(url)}" rel="noreferrer">{name}</a>' if url else name
    if source.dated:
        text += f" ({e(source.dated)})"
    if source.note:
        text += f" — {e(source.note)}"
    return text


def _source_items(sources: tuple[Source, ...]) -> str:
    return "".join(f"<li>{_source(s)}</li>" for s in sources)


def _soft_row(f: Finding, options: RenderOptions) -> str:
    return (
        f'<tr data-rule="{e(f.rule)}"><td>{_rule(f, options)}'
        f" {e(f.title)}</td><td>{e(f.actor)}</td><td>{SEVERITY_NAME[f.severity]}</td>"
        f'<td class="num">{f.weight or ""}</td><td>{_clauses(f, options)}</td>'
        f"<td>{e(f.message)}</td></tr>"
    )
