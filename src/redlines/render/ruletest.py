"""`redlines test`: each failure with what was expected, what came out, and why; a count line.

Text lists the failures (with `-v`, the cases that passed too), each under its file:line:col,
then one line counting cases and examples, passed and failed. JUnit has one `<testcase>` per
case or example, in one `<testsuite>` per file, so a CI system shows them as tests. JSON is the
`TestRun` model's dump.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

from ..conditions import format_value
from ..report import TermState
from ..ruletest import CaseResult, Failure, TestRun
from .links import repo_path
from .logsafe import text_lines, xml_text
from .options import RenderOptions
from .view import plural


def render_test_text(run: TestRun, options: RenderOptions) -> str:
    lines: list[str] = []
    for result in run.results:
        if result.passed and not options.verbose:
            continue
        lines.append(f"{'ok  ' if result.passed else 'FAIL'} {_where(result)}  {_title(result)}")
        for failure in result.failures:
            lines += [f"  {line}" for line in failure_lines(failure)]
    if lines:
        lines.append("")
    lines.append(summary(run))
    return text_lines(lines)


def _where(result: CaseResult) -> str:
    at = result.location
    return f"{at.path}:{at.line}:{at.col}"


def _title(result: CaseResult) -> str:
    return f"{result.name} ({result.proposal}, as of {result.as_of.isoformat()})"


def failure_lines(failure: Failure) -> list[str]:
    """A failure: what was expected and what came out, then the terms that decided it."""
    head = f"{failure.subject}: expected {failure.expected}, got {failure.actual}"
    if failure.rules:
        head += f" (differ: {', '.join(failure.rules)})"
    lines = [head]
    if failure.silent:
        lines.append("  decided by the rule's when_silent: the draft leaves its terms unset")
    lines += [f"  {term_line(state)}" for state in failure.terms]
    return lines


def term_line(state: TermState) -> str:
    """Where a term's value came from: 'ukraine.army_cap = 600,000 (clause 1, file:7:7)'."""
    value = format_value(state.value)
    match state.set_by:
        case "clause":
            where = f", {_place(state)}" if state.location else ""
            return f"{state.term} = {value} (clause {state.clause}{where})"
        case "implication":
            return f"{state.term} = {value} (derived by {state.implication})"
        case "override":
            return f"{state.term} = {value} (the case's terms)"
        case "contradiction":
            return f"{state.term}: contradicted (the draft gives it different values)"
    return f"{state.term}: unaddressed"


def _place(state: TermState) -> str:
    assert state.location is not None
    at = state.location
    return f"{at.path}:{at.line}:{at.col}"


def summary(run: TestRun) -> str:
    """'12 cases, 246 rule examples: 257 passed, 1 failed'."""
    kinds = Counter(result.kind for result in run.results)
    parts = []
    if kinds["case"]:
        parts.append(plural(kinds["case"], "case"))
    if kinds["example"]:
        parts.append(plural(kinds["example"], "rule example"))
    ran = ", ".join(parts) or "nothing"
    if not run.failed:
        return f"{ran}: all passed"
    return f"{ran}: {run.passed} passed, {run.failed} failed"


def render_test_junit(run: TestRun, options: RenderOptions) -> str:
    root = ET.Element("testsuites", name="redlines test")
    suites: dict[str, ET.Element] = {}
    counts: Counter[str] = Counter()
    for result in run.results:
        path = repo_path(result.location.path, options)
        suite = suites.get(path)
        if suite is None:
            suite = suites[path] = ET.SubElement(root, "testsuite", name=path, file=path)
        case = ET.SubElement(
            suite,
            "testcase",
            name=result.name,
            classname=path,
            file=path,
            line=str(result.location.line),
        )
        counts[path] += 1
        if not result.passed:
            counts[f"{path}:failed"] += 1
            body = [line for f in result.failures for line in failure_lines(f)]
            failure = ET.SubElement(case, "failure", message=body[0], type="expectation")
            failure.text = "\n".join(body)
    for path, suite in suites.items():
        suite.set("tests", str(counts[path]))
        suite.set("failures", str(counts[f"{path}:failed"]))
        suite.set("errors", "0")
    root.set("tests", str(len(run.results)))
    root.set("failures", str(run.failed))
    root.set("errors", "0")
    ET.indent(root)
    return xml_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
    )
