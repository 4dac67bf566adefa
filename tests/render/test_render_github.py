"""`--format github`: workflow commands, parsed back the way the runner reads them."""

from __future__ import annotations

import re
from pathlib import Path

from redlines.models import Problem
from redlines.render import RenderOptions, render_github
from redlines.render.github import escape_data, escape_property, problem_commands
from redlines.render.view import check_view
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


def bundled_reports() -> ReportSet:
    """Every bundled draft: 47 red lines crossed, over a hundred priorities missed."""
    import redlines
    from redlines.loader import load_proposals

    book = redlines.load_rules()
    proposals = load_proposals(["proposals"], book)
    return redlines.check_all(proposals, book, engine="python")


def test_annotations_stop_at_githubs_limit_most_severe_first(in_project: Path) -> None:
    from redlines.render.github import ANNOTATIONS_PER_KIND

    reports = bundled_reports()
    output = render_github(reports, RenderOptions(repo_root=str(in_project)))
    found = commands(output)
    kinds = [name for name, _, _ in found if name in ("error", "warning", "notice")]
    assert (kinds.count("error"), kinds.count("warning")) == (10, 10)
    assert kinds.count("notice") == ANNOTATIONS_PER_KIND  # 9 findings and the closing count
    name, props, message = found[-1]
    assert (name, props) == ("notice", {"title": "redlines: more findings than annotations"})
    total = sum(1 for line in output.splitlines() if ": error: " in line or "::error " in line)
    assert total > 10  # the other errors are plain lines in their group, not lost
    assert message.startswith(f"{len(check_view(reports).items) - 29} more findings than")
    assert "in the job summary and in the SARIF report" in message
    # The annotated errors are red lines that fail the check, not notes that happen to come
    # first in the file.
    for name, _, message in found:
        if name == "error":
            assert "red line violated" in message or "contradiction" in message.lower()


def test_a_few_findings_are_all_annotated_without_a_closing_notice(
    reports: ReportSet, options: RenderOptions
) -> None:
    found = commands(render_github(reports, options))
    assert not any(
        p.get("title") == "redlines: more findings than annotations" for _, p, _ in found
    )


def test_waived_and_unchanged_findings_are_notices(
    reports: ReportSet, options: RenderOptions
) -> None:
    import datetime as dt

    from redlines.report import Location, Waived

    report = reports.reports[0]
    waived = Waived(
        rule="EU-1",
        reason="kept as leaked",
        expires=dt.date(2999, 1, 1),
        location=Location(path=".redlines.yaml", line=4, col=5),
    )
    findings = tuple(
        f.model_copy(update={"waived": waived})
        if f.rule == "EU-1"
        else f.model_copy(update={"baseline": "unchanged"})
        if f.rule == "UA-1"
        else f
        for f in report.findings
    )
    gated = reports.model_copy(
        update={"reports": (report.model_copy(update={"findings": findings}),)}
    )
    found = commands(render_github(gated, options))
    by_rule = {p["title"].split()[0]: (name, msg) for name, p, msg in found if "title" in p}
    assert by_rule["EU-1"][0] == "notice"
    assert by_rule["EU-1"][1].startswith(
        "Waived (waived until 2999-01-01 by .redlines.yaml:4:5: kept as leaked). "
    )
    assert by_rule["UA-1"][0] == "notice"
    assert by_rule["UA-1"][1].startswith("Unchanged since the baseline (does not fail).")
