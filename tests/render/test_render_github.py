"""`--format github`: workflow commands, parsed back the way the runner reads them."""

from __future__ import annotations

import re

from redlines.models import Problem
from redlines.render import RenderOptions, render_github
from redlines.render.github import escape_data, escape_property, problem_commands
from redlines.report import ReportSet

from .render_helpers import NASTY

COMMAND = re.compile(r"^::(?P<name>[a-z]+)(?: (?P<props>[^:]*))?::(?P<message>.*)$")


def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    return unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def commands(output: str) -> list[tuple[str, dict[str, str], str]]:
    """(name, properties, message) of every workflow command, as the runner would split them."""
    found = []
    for line in output.splitlines():
        match = COMMAND.match(line)
        if not match:
            continue
        props = {}
        for pair in filter(None, (match["props"] or "").split(",")):
            key, _, value = pair.partition("=")
            props[key] = unescape_property(value)
        found.append((match["name"], props, unescape_data(match["message"])))
    return found


def test_escaping_follows_the_runner() -> None:
    assert escape_data("100% a\r\nb: c, d") == "100%25 a%0D%0Ab: c, d"
    assert escape_property("100% a\r\nb: c, d") == "100%25 a%0D%0Ab%3A c%2C d"
    for text in (NASTY, "%0A literal", "::error::x"):
        assert unescape_data(escape_data(text)) == text
        assert unescape_property(escape_property(text)) == text


def test_one_annotation_per_finding_grouped_per_proposal(
    reports: ReportSet, options: RenderOptions
) -> None:
    output = render_github(reports, options)
    found = commands(output)
    groups = [message for name, _, message in found if name == "group"]
    assert [g.split(" — ")[0] for g in groups] == [
        "test-draft",
        "test-variant",
        "test-open",
        "test-passing",
    ]
    assert sum(1 for name, _, _ in found if name == "endgroup") == 4
    levels = [name for name, _, _ in found if name in ("error", "warning", "notice")]
    assert (levels.count("error"), levels.count("warning"), levels.count("notice")) == (3, 1, 6)
    eu1 = next(props for name, props, msg in found if props.get("title", "").startswith("EU-1"))
    assert eu1 == {
        "file": "tests/fixtures/proposals/draft.yaml",
        "line": "9",
        "col": "5",
        "title": "EU-1 Non-recognition of Crimea's annexation (European Union)",
    }
    assert output.splitlines()[-1] == (
        "4 proposals checked: 1 infeasible, 2 incomplete, 1 feasible; 2 red lines violated,"
        " 4 open, 3 priorities not met, 1 contradiction"
    )


def test_messages_carry_source_and_clause(reports: ReportSet, options: RenderOptions) -> None:
    found = commands(render_github(reports, options))
    ua3 = next(msg for name, props, msg in found if props.get("title", "").startswith("UA-3"))
    assert ua3 == (
        "Ukraine priority not met (UA-3, weight 5): The draft caps the army below"
        " 800,000.\n[test-draft, clause 2 “Army”]\nSource: 20-point plan"
        " https://example.org/20"
    )


def test_nasty_text_stays_one_command_per_line(
    nasty_reports: ReportSet, options: RenderOptions
) -> None:
    output = render_github(nasty_reports, options)
    assert "\r" not in output
    found = commands(output)
    annotations = [
        (props, msg) for name, props, msg in found if name in ("error", "notice", "warning")
    ]
    assert len(annotations) == 5
    for props, message in annotations:
        assert set(props) == {"file", "line", "col", "title"}
        assert props["title"].startswith(("EU-1 " + NASTY, "UA-"))
        assert NASTY in message


def test_bad_input_becomes_error_annotations(options: RenderOptions) -> None:
    output = problem_commands(
        [Problem(file="proposals/x.yaml", line=3, col=7, message="unknown term 'a.b', did you")],
        options,
    )
    assert commands(output) == [
        (
            "error",
            {"file": "proposals/x.yaml", "line": "3", "col": "7", "title": "redlines: bad input"},
            "unknown term 'a.b', did you",
        )
    ]
