"""`redlines timeline` output: text, Markdown tables and a self-contained HTML page with a chart.

Every format shows the same view of a `Timeline` (JSON is the model itself, `json.py`):

- the change points: the day, what entered and left force, the blank page (agreement possible,
  or the deadlocking red lines) and what the change moved, in words;
- the deadlocks over time: each minimal set of red lines and the days it held;
- the zone of possible agreement on the days a package exists (the terms the red lines narrow);
- the lanes: each draft's verdict per actor (and overall) from day to day, as runs.

The HTML page draws the lanes and, above them, the number of deadlocking red lines per change
point, as inline SVG (no script, no external file: it opens the same from a mail attachment).
Every piece of text from the YAML files is escaped (`html.escape`, `gfm.md`).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..space.models import TermZone
from ..timeline import ChangePoint, Timeline, TimelineItem, moves
from .gfm import code, md
from .logsafe import markdown_text, text_lines, xml_text
from .options import RenderOptions
from .space import zone_values

# --- the view every format shows ----------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A stretch of change points (first..last index) over which a lane keeps one verdict."""

    first: int
    last: int
    verdict: str
    detail: str  # the red lines behind it: 'violated: A, B; open: C'


@dataclass(frozen=True)
class Lane:
    proposal: str
    ruleset: str | None  # None: the overall verdict
    actor: str  # the actor, or "overall"
    runs: tuple[Run, ...]


def lanes(timeline: Timeline) -> list[Lane]:
    """One lane per draft x actor, then the draft's overall lane, each as runs of one verdict."""
    found: list[Lane] = []
    for index, draft in enumerate(timeline.proposals):
        at = [point.drafts[index] for point in timeline.points]
        for actor in timeline.actors:
            cells = []
            for draft_at in at:
                verdict = next(a for a in draft_at.actors if a.ruleset == actor.ruleset)
                cells.append((verdict.verdict.value, _detail(verdict.violated, verdict.open)))
            found.append(Lane(draft.id, actor.ruleset, actor.actor, _runs(cells)))
        overall = [(d.overall.value, _contradicts(d.contradictions)) for d in at]
        found.append(Lane(draft.id, None, "overall", _runs(overall)))
    return found


def _detail(violated: tuple[str, ...], still_open: tuple[str, ...]) -> str:
    parts = []
    if violated:
        parts.append("violated: " + ", ".join(violated))
    if still_open:
        parts.append("open: " + ", ".join(still_open))
    return "; ".join(parts)


def _contradicts(terms: tuple[str, ...]) -> str:
    return "contradicts itself on " + ", ".join(terms) if terms else ""


def _runs(cells: list[tuple[str, str]]) -> tuple[Run, ...]:
    runs: list[Run] = []
    for i, (verdict, detail) in enumerate(cells):
        if runs and runs[-1].verdict == verdict and runs[-1].detail == detail:
            runs[-1] = Run(runs[-1].first, i, verdict, detail)
        else:
            runs.append(Run(i, i, verdict, detail))
    return tuple(runs)


@dataclass(frozen=True)
class HeldDeadlock:
    rules: tuple[str, ...]
    actors: tuple[str, ...]
    terms: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]  # (first, last) change point indices it held over


def deadlocks_over_time(timeline: Timeline) -> list[HeldDeadlock]:
    """Each deadlock the blank page had, with the stretches of change points it held over, in
    the order they first appear."""
    found: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...], list[list[int]]]] = {}
    for i, point in enumerate(timeline.points):
        for core in point.blank.deadlocks.cores if point.blank.deadlocks else ():
            key = tuple(r.id for r in core.rules)
            _, _, spans = found.setdefault(key, (core.actors, core.terms, []))
            if spans and spans[-1][1] == i - 1:
                spans[-1][1] = i
            else:
                spans.append([i, i])
    return [
        HeldDeadlock(key, actors, terms, tuple((a, b) for a, b in spans))
        for key, (actors, terms, spans) in found.items()
    ]


def blank_label(point: ChangePoint) -> str:
    """The blank page on a change point, in a few words."""
    blank = point.blank
    if blank.feasible:
        narrowed = sum(1 for t in blank.zone.terms if t.restricted) if blank.zone else 0
        return f"agreement possible ({_plural(narrowed, 'term')} narrowed)"
    if blank.deadlocks is None:
        return "deadlocked"
    cores = len(blank.deadlocks.cores)
    more = "" if blank.deadlocks.complete else "+"
    return (
        f"deadlocked: {cores}{more} deadlock{'s' if cores != 1 else ''}, "
        f"{_plural(len(blank.deadlocking), 'red line')}"
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _span(timeline: Timeline, first: int, last: int) -> str:
    start = timeline.points[first].date
    end = timeline.points[last].until
    return f"{start.isoformat()} to {end.isoformat()}"


def _heading(timeline: Timeline) -> tuple[str, str]:
    actors = ", ".join(a.actor for a in timeline.actors)
    points = len(timeline.points)
    drafts = len(timeline.proposals)
    return (
        f"Timeline of the negotiating space, {timeline.start.isoformat()} to "
        f"{timeline.end.isoformat()}",
        f"{points} change point{'s' if points != 1 else ''} (the first day of the range, then "
        f"each day a position enters or leaves force) · actors: {actors} · "
        f"{drafts} draft{'s' if drafts != 1 else ''}",
    )


def _restricted(point: ChangePoint) -> list[tuple[str, str]]:
    zone = point.blank.zone
    if zone is None:
        return []
    return [(t.term, _zone_words(t)) for t in zone.terms if t.restricted]


def _zone_words(term: TermZone) -> str:
    said = zone_values(term)
    if term.unaddressed:
        return f"{said}, or unaddressed" if term.values or term.intervals else "unaddressed only"
    return f"{said} (must be set)"


# --- text -----------------------------------------------------------------------------------------


def render_timeline_text(timeline: Timeline, options: RenderOptions) -> str:
    title, sub = _heading(timeline)
    lines = [title, f"  {sub}", ""]
    for point in timeline.points:
        lines += _text_point(point)
    lines += _text_deadlocks(timeline)
    lines += _text_lanes(timeline)
    return text_lines(lines)


def _text_point(point: ChangePoint) -> list[str]:
    until = "" if point.until == point.date else f" (to {point.until.isoformat()})"
    lines = [f"{point.date.isoformat()}{until}"]
    for word, items in (("enters", point.entered), ("leaves", point.left)):
        for item in items:
            who = f" [{item.actor}]" if item.actor else " [implication]"
            lines.append(f"  {word}: {item.id} {item.title or ''}{who}".rstrip())
    lines.append(f"  blank page: {blank_label(point)}")
    if point.moved is None:
        lines.append(f"  {point.summary}")
    else:
        said = moves(point)
        lines += [f"  moved: {m}" for m in said] or ["  moved: nothing"]
    for term, words in _restricted(point):
        lines.append(f"  zone: {term}: {words}")
    return [*lines, ""]


def _text_deadlocks(timeline: Timeline) -> list[str]:
    held = deadlocks_over_time(timeline)
    if not held:
        return ["Deadlocks over time: none; a package every actor accepts exists throughout", ""]
    lines = ["Deadlocks over time (red lines that cannot all hold, and when):"]
    for d in held:
        spans = ", ".join(_span(timeline, a, b) for a, b in d.spans)
        lines.append(f"  {' + '.join(d.rules)}  ({' + '.join(d.actors)} over {', '.join(d.terms)})")
        lines.append(f"    {spans}")
    return [*lines, ""]


def _text_lanes(timeline: Timeline) -> list[str]:
    if not timeline.proposals:
        return []
    lines = ["Drafts over time (each verdict from the day shown):"]
    width = max(len(a.actor) for a in timeline.actors) if timeline.actors else 7
    width = max(width, len("overall"))
    current = None
    for lane in lanes(timeline):
        if lane.proposal != current:
            current = lane.proposal
            lines.append(f"  {lane.proposal}")
        runs = " · ".join(
            f"{timeline.points[r.first].date.isoformat()} {r.verdict}"
            + (f" ({r.detail})" if r.detail else "")
            for r in lane.runs
        )
        lines.append(f"    {lane.actor.ljust(width)}  {runs}")
    return lines


# --- markdown -------------------------------------------------------------------------------------


def render_timeline_markdown(timeline: Timeline, options: RenderOptions) -> str:
    title, sub = _heading(timeline)
    lines = [f"### {md(title)}", "", md(sub) + ".", ""]
    lines += _md_points(timeline)
    lines += _md_deadlocks(timeline)
    lines += _md_zones(timeline)
    lines += _md_lanes(timeline)
    return markdown_text("\n".join(lines).rstrip("\n") + "\n")


def _md_points(timeline: Timeline) -> list[str]:
    lines = [
        "#### Change points",
        "",
        "| from | to | enters | leaves | blank page | what moved |",
        "|---|---|---|---|---|---|",
    ]
    for point in timeline.points:
        said = moves(point) if point.moved is not None else [point.summary]
        lines.append(
            f"| {point.date.isoformat()} | {point.until.isoformat()} | "
            f"{', '.join(code(i.id) for i in point.entered) or '—'} | "
            f"{', '.join(code(i.id) for i in point.left) or '—'} | "
            f"{md(blank_label(point))} | "
            f"{'<br>'.join(md(m) for m in said) or 'nothing'} |"
        )
    return [*lines, ""]


def _md_deadlocks(timeline: Timeline) -> list[str]:
    held = deadlocks_over_time(timeline)
    lines = ["#### Deadlocks over time", ""]
    if not held:
        return [*lines, "None: a package every actor accepts exists throughout.", ""]
    lines += ["| red lines | actors | over | held |", "|---|---|---|---|"]
    for d in held:
        lines.append(
            f"| {' + '.join(code(r) for r in d.rules) or '—'} | {md(' + '.join(d.actors))} | "
            f"{', '.join(code(t) for t in d.terms)} | "
            f"{'<br>'.join(_span(timeline, a, b) for a, b in d.spans)} |"
        )
    return [*lines, ""]


def _md_zones(timeline: Timeline) -> list[str]:
    rows = [
        f"| {point.date.isoformat()} | {code(term)} | {md(words)} |"
        for point in timeline.points
        for term, words in _restricted(point)
    ]
    if not rows:
        return []
    return [
        "#### Zone of possible agreement (while a package exists)",
        "",
        "Terms the red lines narrow; every other term may take any value, or stay unaddressed.",
        "",
        "| from | term | possible values |",
        "|---|---|---|",
        *rows,
        "",
    ]


def _md_lanes(timeline: Timeline) -> list[str]:
    if not timeline.proposals:
        return []
    lines = [
        "#### Drafts over time",
        "",
        "| draft | actor | from | to | verdict | red lines |",
        "|---|---|---|---|---|---|",
    ]
    for lane in lanes(timeline):
        for run in lane.runs:
            lines.append(
                f"| {code(lane.proposal)} | {md(lane.actor)} | "
                f"{timeline.points[run.first].date.isoformat()} | "
                f"{timeline.points[run.last].until.isoformat()} | {run.verdict} | "
                f"{md(run.detail) or '—'} |"
            )
    return [*lines, ""]


# --- html -----------------------------------------------------------------------------------------

# Lane and bar colours: strong enough to read as a band, and the ones the Chromium test looks for.
COLOURS = {
    "rejects": "#d64545",
    "infeasible": "#d64545",
    "open": "#f2b53a",
    "incomplete": "#f2b53a",
    "accepts": "#3aa76d",
    "feasible": "#3aa76d",
    "deadlock": "#8f1d1d",
    "agreement": "#3aa76d",
}

_CSS = """
:root { --ink: #1d2433; --muted: #5b6475; --line: #d9dde5; --paper: #ffffff; --wash: #f5f6f8; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: var(--wash);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
header, main, footer { max-width: 1400px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; }
h1 { font-size: 26px; margin: 0 0 6px; }
h2 { font-size: 20px; margin: 0 0 10px; }
.summary { color: var(--muted); margin: 0 0 18px; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 10px;
  padding: 20px 22px; margin: 0 0 20px; overflow-x: auto; }
svg text { font: 11px "DejaVu Sans", system-ui, sans-serif; fill: var(--ink); }
svg .muted { fill: var(--muted); }
svg .draft { font-weight: 700; }
svg .overall { font-style: italic; }
.legend { color: var(--muted); font-size: 13px; margin: 10px 0 0; }
.legend span { display: inline-block; width: 12px; height: 12px; border-radius: 2px;
  vertical-align: -1px; margin: 0 4px 0 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; border-bottom: 1px solid var(--line); padding: 6px 8px;
  vertical-align: top; font-size: 14px; }
code { font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; background: var(--wash);
  padding: 1px 4px; border-radius: 4px; }
td.verdict { font-weight: 600; }
footer { color: var(--muted); font-size: 12px; padding-bottom: 28px; }
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"

# The chart's geometry, in pixels.
_LABELS = 170  # the lane labels' column
_COLUMN = 22  # one change point
_BARS = 110  # the deadlock bars' height at most
_LANE = 14
_GAP = 8  # between two drafts' lanes
_DATES = 78  # the rotated date labels


def e(text: str) -> str:
    return escape(text, quote=True)


def render_timeline_html(timeline: Timeline, options: RenderOptions) -> str:
    title, sub = _heading(timeline)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="generator" content="redlines">',
        f"<title>redlines timeline: {e(timeline.start.isoformat())} to "
        f"{e(timeline.end.isoformat())}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{e(title)}</h1>",
        f'<p class="summary">{e(sub)}.</p>',
        "</header>",
        "<main>",
        '<section class="card" id="chart">',
        "<h2>The space and the drafts over time</h2>",
        *_svg(timeline),
        _legend(),
        "</section>",
        *_html_points(timeline),
        *_html_deadlocks(timeline),
        *_html_zones(timeline),
        *_html_lanes(timeline),
        "</main>",
        f"<footer>Made with redlines {e(timeline.version)}. Each change point is a day a position"
        " enters or leaves force; the blank page is analysed as <code>redlines space --as-of"
        "</code> that day, each draft judged as <code>redlines check --as-of</code> that day."
        "</footer>",
        "</body>",
        "</html>",
    ]
    return xml_text("\n".join(parts) + "\n")


def _legend() -> str:
    keys = [
        ("rejects", "rejects / infeasible"),
        ("open", "open / incomplete"),
        ("accepts", "accepts / feasible"),
        ("deadlock", "deadlocking red lines on the blank page"),
        ("agreement", "agreement possible on the blank page"),
    ]
    shown = "".join(f'<span style="background:{COLOURS[k]}"></span>{e(t)}' for k, t in keys)
    return f'<p class="legend">{shown}</p>'


def _svg(timeline: Timeline) -> list[str]:
    points = timeline.points
    drawn = lanes(timeline)
    drafts = len(timeline.proposals)
    width = _LABELS + _COLUMN * len(points) + 10
    lanes_top = _BARS + 24 + _DATES
    height = lanes_top + len(drawn) * _LANE + drafts * (_GAP + _LANE) + 10
    peak = max((len(p.blank.deadlocking) for p in points), default=0) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Timeline chart">',
        f'<text x="0" y="12" class="muted">deadlocking red lines (max {peak})</text>',
    ]
    base = _BARS + 16
    for i, point in enumerate(points):
        x = _LABELS + i * _COLUMN
        day = point.date.isoformat()
        n = len(point.blank.deadlocking)
        if point.blank.feasible:
            kind, h, label = "agreement", 12, "ok"
            tip = f"{day}: {blank_label(point)}"
        else:
            kind, h, label = "deadlock", max(4, round(_BARS * n / peak)), str(n)
            tip = f"{day}: {blank_label(point)} ({', '.join(point.blank.deadlocking)})"
        out.append(
            f'<g class="bar" data-date="{day}" data-kind="{kind}" data-deadlocking="{n}">'
            f"<title>{e(tip)}</title>"
            f'<rect x="{x + 2}" y="{base - h}" width="{_COLUMN - 4}" height="{h}" '
            f'fill="{COLOURS[kind]}"/>'
            f'<text x="{x + _COLUMN // 2}" y="{base - h - 3}" text-anchor="middle">{label}</text>'
            "</g>"
        )
        out.append(
            f'<text class="date" data-date="{day}" x="0" y="0" '
            f'transform="translate({x + _COLUMN // 2 + 4},{base + 6}) rotate(-65)" '
            f'text-anchor="end">{day}</text>'
        )
    y = lanes_top
    current = None
    for lane in drawn:
        if lane.proposal != current:
            current = lane.proposal
            y += _GAP
            out.append(
                f'<text x="0" y="{y + _LANE - 3}" class="draft">{e(_clip(lane.proposal, 60))}'
                "</text>"
            )
            y += _LANE
        cls = "overall" if lane.ruleset is None else "muted"
        out.append(
            f'<text x="{_LABELS - 6}" y="{y + _LANE - 3}" text-anchor="end" class="{cls}">'
            f"{e(_clip(lane.actor, 34))}</text>"
        )
        for run in lane.runs:
            x = _LABELS + run.first * _COLUMN
            w = (run.last - run.first + 1) * _COLUMN
            tip = (
                f"{lane.proposal}, {lane.actor}: {run.verdict} from "
                f"{_span(timeline, run.first, run.last)}"
                + (f" ({run.detail})" if run.detail else "")
            )
            out.append(
                f'<rect class="run" data-proposal="{e(lane.proposal)}" '
                f'data-ruleset="{e(lane.ruleset or "overall")}" '
                f'data-from="{points[run.first].date.isoformat()}" '
                f'data-to="{points[run.last].until.isoformat()}" '
                f'data-verdict="{run.verdict}" x="{x}" y="{y}" width="{w}" '
                f'height="{_LANE - 2}" fill="{COLOURS[run.verdict]}">'
                f"<title>{e(tip)}</title></rect>"
            )
        y += _LANE
    out.append("</svg>")
    return out


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _html_points(timeline: Timeline) -> list[str]:
    rows = []
    for point in timeline.points:
        said = moves(point) if point.moved is not None else [point.summary]
        rows.append(
            f'<tr data-date="{point.date.isoformat()}"><td>{point.date.isoformat()}</td>'
            f"<td>{point.until.isoformat()}</td>"
            f"<td>{_html_items(point.entered)}</td><td>{_html_items(point.left)}</td>"
            f"<td>{e(blank_label(point))}</td>"
            f"<td>{'<br>'.join(e(m) for m in said) or 'nothing'}</td></tr>"
        )
    return [
        '<section class="card" id="points">',
        "<h2>Change points</h2>",
        "<table><thead><tr><th>From</th><th>To</th><th>Enters</th><th>Leaves</th>"
        "<th>Blank page</th><th>What moved</th></tr></thead><tbody>",
        *rows,
        "</tbody></table>",
        "</section>",
    ]


def _html_items(items: tuple[TimelineItem, ...]) -> str:
    if not items:
        return "—"
    return "<br>".join(
        f"<code>{e(i.id)}</code> {e(i.title or '')}" + (f" ({e(i.actor)})" if i.actor else "")
        for i in items
    )


def _html_deadlocks(timeline: Timeline) -> list[str]:
    held = deadlocks_over_time(timeline)
    if not held:
        body = ["<p>None: a package every actor accepts exists throughout.</p>"]
    else:
        rows = [
            f"<tr><td>{' + '.join(f'<code>{e(r)}</code>' for r in d.rules) or '—'}</td>"
            f"<td>{e(' + '.join(d.actors))}</td>"
            f"<td>{', '.join(f'<code>{e(t)}</code>' for t in d.terms)}</td>"
            f"<td>{'<br>'.join(e(_span(timeline, a, b)) for a, b in d.spans)}</td></tr>"
            for d in held
        ]
        body = [
            "<table><thead><tr><th>Red lines</th><th>Actors</th><th>Over</th><th>Held</th>"
            "</tr></thead><tbody>",
            *rows,
            "</tbody></table>",
        ]
    return ['<section class="card" id="deadlocks">', "<h2>Deadlocks over time</h2>", *body,
            "</section>"]  # fmt: skip


def _html_zones(timeline: Timeline) -> list[str]:
    rows = [
        f"<tr><td>{point.date.isoformat()}</td><td><code>{e(term)}</code></td>"
        f"<td>{e(words)}</td></tr>"
        for point in timeline.points
        for term, words in _restricted(point)
    ]
    if not rows:
        return []
    return [
        '<section class="card" id="zone">',
        "<h2>Zone of possible agreement (while a package exists)</h2>",
        "<p>Terms the red lines narrow; every other term may take any value, or stay "
        "unaddressed.</p>",
        "<table><thead><tr><th>From</th><th>Term</th><th>Possible values</th></tr></thead><tbody>",
        *rows,
        "</tbody></table>",
        "</section>",
    ]


def _html_lanes(timeline: Timeline) -> list[str]:
    if not timeline.proposals:
        return []
    rows = [
        f"<tr><td><code>{e(lane.proposal)}</code></td><td>{e(lane.actor)}</td>"
        f"<td>{timeline.points[run.first].date.isoformat()}</td>"
        f"<td>{timeline.points[run.last].until.isoformat()}</td>"
        f'<td class="verdict" style="color:{COLOURS[run.verdict]}">{run.verdict}</td>'
        f"<td>{e(run.detail) or '—'}</td></tr>"
        for lane in lanes(timeline)
        for run in lane.runs
    ]
    return [
        '<section class="card" id="drafts">',
        "<h2>Drafts over time</h2>",
        "<table><thead><tr><th>Draft</th><th>Actor</th><th>From</th><th>To</th><th>Verdict</th>"
        "<th>Red lines</th></tr></thead><tbody>",
        *rows,
        "</tbody></table>",
        "</section>",
    ]
