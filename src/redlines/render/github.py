"""`--format github`: GitHub Actions workflow commands that annotate the pull request.

One `::error` / `::warning` / `::notice` per finding (what `view.items` reports: contradictions
error, first; red lines error, priorities warning, preferences and open red lines notice) at the
clause line, grouped per proposal with `::group::` under the proposal's headline, then the closing
count line, as Conftest does.

GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (50 per job), in
the order they are printed, and drops the rest without a word. So the findings are ranked, most
severe first (errors that fail the check, then warnings, then notices), and only as many as
GitHub shows become annotations; the others are printed as plain lines in their group, and a
closing notice says how many more there are and where to read them all (the job summary, the
SARIF upload). A waived finding, and one unchanged since the baseline, fails nothing: it is a
notice, after every finding that can fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..models import Problem
from ..report import ReportSet
from ..yamlfile import one_line
from .links import repo_path
from .logsafe import text_line
from .options import RenderOptions
from .view import Item, Level, check_view, clause_label, gate_lines, waiver_note

COMMAND = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}
# Annotations of each kind GitHub shows per step; one notice is kept for the closing count.
ANNOTATIONS_PER_KIND = 10


# Line breaks other than CR and LF, which GitHub has no escape for: shown escaped (`\u2028`), as
# in the text output.
_UNESCAPABLE = re.compile("[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def escape_data(text: str) -> str:
    """A command's message: GitHub unescapes exactly %25, %0D and %0A, so the whole message,
    line breaks and all, stays on the command's one line."""
    text = _UNESCAPABLE.sub(lambda m: one_line(m.group()), text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (file, title): ':' and ',' would end it early."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int | None) -> str:
    """`::name key=value,…::message`, each part escaped: the one way this format writes a
    command. Every other line it writes is a `text_line`, which no runner reads as one."""
    given = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in properties.items()
        if value is not None
    )
    return f"::{name}{' ' + given if given else ''}::{escape_data(message)}"


def render_github(reports: ReportSet, options: RenderOptions) -> str:
    view = check_view(reports)
    shown = annotated(view.items)
    lines: list[str] = [text_line(line) for line in gate_lines(view.gate)]
    for proposal in view.proposals:
        report = proposal.report
        p = report.proposal
        lines.append(
            command(
                "group",
                f"{p.id} — {p.title}: {report.overall.value} ({repo_path(p.path, options)})",
            )
        )
        lines.append(text_line(f"{p.id}: {report.overall.value} — {proposal.headline}"))
        lines += [
            _annotation(item, options) if id(item) in shown else _plain(item, options)
            for item in proposal.items
        ]
        lines.append("::endgroup::")
    lines.append(text_line(view.summary))
    more = len(view.items) - len(shown)
    if more:
        lines.append(
            command(
                "notice",
                f"{more} more finding{'s' if more != 1 else ''} than GitHub shows as annotations "
                f"({ANNOTATIONS_PER_KIND} errors, {ANNOTATIONS_PER_KIND} warnings and "
                f"{ANNOTATIONS_PER_KIND} notices per step; the most severe are annotated). "
                "Every finding is in this log, in the job summary and in the SARIF report.",
                title="redlines: more findings than annotations",
            )
        )
    return "\n".join(lines) + "\n"


def level_of(item: Item) -> Level:
    """An annotation's level: a waived finding or one in the baseline fails nothing."""
    return item.level if item.gates else Level.NOTE


def annotated(items: list[Item]) -> set[int]:
    """The items that become annotations (by id): the most severe first, as many of each kind as
    GitHub shows, one notice kept back for the closing count when some are left over."""
    order = {Level.ERROR: 0, Level.WARNING: 1, Level.NOTE: 2}
    ranked = sorted(
        enumerate(items), key=lambda pair: (order[level_of(pair[1])], not pair[1].gates, pair[0])
    )
    budget = dict.fromkeys(Level, ANNOTATIONS_PER_KIND)
    if _overflows(items):
        budget[Level.NOTE] -= 1
    chosen: set[int] = set()
    for _, item in ranked:
        level = level_of(item)
        if budget[level] > 0:
            budget[level] -= 1
            chosen.add(id(item))
    return chosen


def _overflows(items: list[Item]) -> bool:
    counts = {level: 0 for level in Level}
    for item in items:
        counts[level_of(item)] += 1
    return any(n > ANNOTATIONS_PER_KIND for n in counts.values())


def _message(item: Item) -> str:
    proposal = item.report.proposal
    where = clause_label(item.finding) if item.finding is not None else ""
    message = f"{item.headline}: {item.message}\n[{proposal.id}{', ' + where if where else ''}]"
    if item.finding is not None and item.finding.sources:
        message += "\nSource: " + item.finding.sources[0].label()
    if item.waived is not None:
        message = f"Waived ({waiver_note(item.waived)}). {message}"
    elif item.baseline == "unchanged":
        message = f"Unchanged since the baseline (does not fail). {message}"
    return message


def _title(item: Item) -> str:
    if item.finding is not None:
        return f"{item.rule} {item.title} ({item.finding.actor})"
    return f"{item.title}: {item.contradiction.term if item.contradiction else ''}"


def _annotation(item: Item, options: RenderOptions) -> str:
    return command(
        COMMAND[level_of(item)],
        _message(item),
        file=repo_path(item.location.path, options),
        line=item.location.line,
        col=item.location.col,
        title=_title(item),
    )


def _plain(item: Item, options: RenderOptions) -> str:
    """A finding past GitHub's annotation limit: the same words on a plain log line."""
    where = f"{repo_path(item.location.path, options)}:{item.location.line}:{item.location.col}"
    text = f"{where}: {COMMAND[level_of(item)]}: {_title(item)}: {_message(item)}"
    return text_line(" ".join(text.split("\n")))


def problem_commands(problems: Iterable[Problem], options: RenderOptions) -> str:
    """Bad input as error annotations, so a broken YAML file is marked where it breaks."""
    return "".join(
        command(
            "error",
            p.message,
            file=repo_path(p.file, options),
            line=p.line,
            col=p.col,
            title="redlines: bad input",
        )
        + "\n"
        for p in problems
    )
