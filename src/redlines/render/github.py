"""`--format github`: GitHub Actions workflow commands that annotate the pull request.

One `::error` / `::warning` / `::notice` per finding (what `view.items` reports: contradictions
error, first; red lines error, priorities warning, preferences and open red lines notice) at the
clause line, grouped per proposal with `::group::` under the proposal's headline, then the closing
count line, as Conftest does.

GitHub shows at most 10 error and 10 warning annotations per step (50 per job) on the pull
request; the rest stay in the log. SARIF upload has no such limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..models import Problem
from ..report import Report, ReportSet
from ..yamlfile import one_line
from .links import repo_path
from .logsafe import text_line
from .options import RenderOptions
from .stream import CheckWriter, render_with
from .view import Item, Level, clause_label, report_view

COMMAND = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}


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
    return render_with(GithubWriter, reports, options)


class GithubWriter(CheckWriter):
    """A group per proposal as it comes, then the count line."""

    def add(self, report: Report) -> None:
        super().add(report)
        options = self.options
        proposal = report_view(report)
        p = report.proposal
        lines = [
            command(
                "group",
                f"{p.id} — {p.title}: {report.overall.value} ({repo_path(p.path, options)})",
            ),
            text_line(f"{p.id}: {report.overall.value} — {proposal.headline}"),
            *(_annotation(item, options) for item in proposal.items),
            "::endgroup::",
        ]
        self.out.write("\n".join(lines) + "\n")

    def finish(self) -> None:
        self.out.write(text_line(self.tally.summary) + "\n")


def _annotation(item: Item, options: RenderOptions) -> str:
    proposal = item.report.proposal
    where = clause_label(item.finding) if item.finding is not None else ""
    message = f"{item.headline}: {item.message}\n[{proposal.id}{', ' + where if where else ''}]"
    if item.finding is not None and item.finding.sources:
        message += "\nSource: " + item.finding.sources[0].label()
    if item.finding is not None:
        title = f"{item.rule} {item.title} ({item.finding.actor})"
    else:
        c = item.contradiction
        title = f"{item.title}: {(c.tie or c.term) if c else ''}"
    return command(
        COMMAND[item.level],
        message,
        file=repo_path(item.location.path, options),
        line=item.location.line,
        col=item.location.col,
        title=title,
    )


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
