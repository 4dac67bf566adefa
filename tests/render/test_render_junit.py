"""`--format junit`: parsed back with xml.etree; test cases fail exactly as the check would."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest

from redlines.render import RenderOptions, render_junit
from redlines.report import ReportSet, failing


def outcome(case: ET.Element) -> str:
    for tag in ("failure", "skipped"):
        if case.find(tag) is not None:
            return tag
    return "passed"


def cases(root: ET.Element) -> dict[tuple[str, str], str]:
    return {
        (suite.get("name", ""), case.get("name", "").split()[0]): outcome(case)
        for suite in root.iter("testsuite")
        for case in suite.iter("testcase")
    }


def test_suites_per_proposal_and_actor(reports: ReportSet, options: RenderOptions) -> None:
    root = ET.fromstring(render_junit(reports, options))
    assert root.tag == "testsuites"
    names = [s.get("name") for s in root.iter("testsuite")]
    assert names[:3] == [
        "test-draft / consistency",
        "test-draft / European Union",
        "test-draft / Ukraine",
    ]
    assert len(names) == 12  # 4 proposals x (2 actors + consistency)
    found = cases(root)
    assert found[("test-draft / Ukraine", "UA-1")] == "failure"
    assert found[("test-draft / Ukraine", "UA-2")] == "skipped"  # open
    assert found[("test-draft / Ukraine", "UA-3")] == "passed"  # a priority, below --fail-on
    assert found[("test-variant / consistency", "The")] == "failure"
    assert found[("test-passing / Ukraine", "UA-1")] == "passed"
    suite = next(s for s in root.iter("testsuite") if s.get("name") == "test-draft / Ukraine")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "1")
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("24", "3", "4")
    case = next(c for c in suite.iter("testcase") if c.get("name", "").startswith("UA-1"))
    assert (case.get("file"), case.get("line")) == ("tests/fixtures/proposals/draft.yaml", "9")
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "red_line"
    assert "https://example.org/const" in (failure.text or "")


@pytest.mark.parametrize(
    ("fail_on", "strict"),
    [("red_line", False), ("priority", False), ("preference", True), ("never", False)],
)
def test_failures_match_the_exit_code(
    reports: ReportSet, options: RenderOptions, fail_on: str, strict: bool
) -> None:
    """A proposal has a failing test case exactly when `redlines check` would fail on it."""
    chosen = dataclasses.replace(options, fail_on=fail_on, strict=strict)
    root = ET.fromstring(render_junit(reports, chosen))
    for report in reports.reports:
        suites = [
            s
            for s in root.iter("testsuite")
            if s.get("name", "").startswith(report.proposal.id + " / ")
        ]
        failed = sum(int(s.get("failures", "0")) for s in suites)
        assert bool(failed) == bool(failing(report, fail_on, strict)), (report.proposal.id, fail_on)


def test_nasty_text_is_well_formed_xml(nasty_reports: ReportSet, options: RenderOptions) -> None:
    text = render_junit(nasty_reports, options)
    root = ET.fromstring(text)
    names = [c.get("name", "") for c in root.iter("testcase")]
    assert any("<script>" in n for n in names)  # escaped in the file, intact when parsed
    assert "\x07" not in text
