"""`--format github`: GitHub Actions workflow commands that annotate the pull request.

One `::error` / `::warning` / `::notice` per finding (what `view.items` reports: contradictions
error, first; red lines error, priorities warning, preferences and open red lines notice) at the
clause line, grouped per proposal with `::group::` under the proposal's headline, then the closing
count line, as Conftest does.

GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (50 per job), in
the order they are printed, and drops the rest without a word. So only as many findings of each
kind as GitHub shows become annotations, the most severe first: errors and warnings that fail
the check, then notices, and a waived finding or one unchanged since the baseline (it fails
nothing: a notice) only after every notice that can fail. The others are printed as plain lines
in their group, and a closing notice says how many more there are and where to read them all
(the job summary, the SARIF upload). Which findings are annotated is known only at the end of
the run, so the groups wait in a spool, each finding written both ways, and only the choice is
kept in memory: per kind, the first findings that can fill its budget.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..models import Problem
from ..report import Report, ReportSet
from ..yamlfile import one_line
from .brackets import text_lines as bracket_lines
from .links import repo_path
from .logsafe import text_line
from .options import RenderOptions
from .stream import CheckWriter, render_with
from .view import Item, Level, clause_label, gate_lines, gate_view, report_view, waiver_note

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
    return render_with(GithubWriter, reports, options)


class GithubWriter(CheckWriter):
    """A group per proposal, then the count line and, when GitHub would drop some annotations,
    a notice saying how many (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body = self.spool()
        self.items = 0
        # Per annotation kind, the first findings that may take its places: those that can fail
        # the check, then (for notices) those that cannot. Each list stops at the budget.
        self.first: dict[tuple[Level, bool], list[int]] = {
            (level, gates): [] for level in Level for gates in (True, False)
        }
        self.counts = dict.fromkeys(Level, 0)

    def add(self, report: Report) -> None:
        super().add(report)
        options = self.options
        lines = []
        if self.tally.proposals == 1:
            lines += [f"-\t{text_line(line)}" for line in gate_lines(gate_view(self.tally))]
        proposal = report_view(report)
        p = report.proposal
        lines += [
            "-\t"
            + command(
                "group",
                f"{p.id} — {p.title}: {report.overall.value} ({repo_path(p.path, options)})",
            ),
            "-\t" + text_line(f"{p.id}: {report.overall.value} — {proposal.headline}"),
            *("-\t" + text_line(line) for line in bracket_lines(report)),
        ]
        for item in proposal.items:
            seq, level = self.items, level_of(item)
            self.items += 1
            self.counts[level] += 1
            first = self.first[level, item.gates]
            if len(first) < ANNOTATIONS_PER_KIND:
                first.append(seq)
            lines += [f"A{seq}\t{_annotation(item, options)}", f"P{seq}\t{_plain(item, options)}"]
        lines.append("-\t::endgroup::")
        self.body.write("\n".join(lines) + "\n")

    def finish(self) -> None:
        chosen = self._annotated()
        for line in self.body.lines():
            tag, _, text = line.partition("\t")
            if tag == "-" or (tag[0] == "A") == (int(tag[1:]) in chosen):
                self.out.write(text)
        self.out.write(text_line(self.tally.summary) + "\n")
        more = self.items - len(chosen)
        if more:
            self.out.write(
                command(
                    "notice",
                    f"{more} more finding{'s' if more != 1 else ''} than GitHub shows as "
                    f"annotations ({ANNOTATIONS_PER_KIND} errors, {ANNOTATIONS_PER_KIND} warnings "
                    f"and {ANNOTATIONS_PER_KIND} notices per step; the most severe are annotated). "
                    "Every finding is in this log, in the job summary and in the SARIF report.",
                    title="redlines: more findings than annotations",
                )
                + "\n"
            )

    def _annotated(self) -> set[int]:
        overflow = any(n > ANNOTATIONS_PER_KIND for n in self.counts.values())
        chosen: set[int] = set()
        for level in Level:
            budget = ANNOTATIONS_PER_KIND - (1 if overflow and level is Level.NOTE else 0)
            ranked = [*self.first[level, True], *self.first[level, False]]
            chosen.update(ranked[:budget])
        return chosen


def level_of(item: Item) -> Level:
    """An annotation's level: a waived finding or one in the baseline fails nothing."""
    return item.level if item.gates else Level.NOTE


def _message(item: Item) -> str:
    proposal = item.report.proposal
    where = clause_label(item.finding) if item.finding is not None else ""
    if item.finding is not None and item.finding.clauses:
        where += " (bracketed)" if item.finding.clauses[0].state == "bracketed" else ""
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
    c = item.contradiction
    return f"{item.title}: {(c.tie or c.term) if c else ''}"


def _plain(item: Item, options: RenderOptions) -> str:
    """A finding past GitHub's annotation limit: the same words on a plain log line."""
    where = f"{repo_path(item.location.path, options)}:{item.location.line}:{item.location.col}"
    text = f"{where}: {COMMAND[level_of(item)]}: {_title(item)}: {_message(item)}"
    return text_line(" ".join(text.split("\n")))


def _annotation(item: Item, options: RenderOptions) -> str:
    return command(
        COMMAND[level_of(item)],
        _message(item),
        file=repo_path(item.location.path, options),
        line=item.location.line,
        col=item.location.col,
        title=_title(item),
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
