"""`--format junit`: JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure).

One `<testsuite>` per proposal and actor, one `<testcase>` per rule, so that a test case fails
exactly when it would make `redlines check` fail with the same `--fail-on` and `--strict`:

- a violated red line: `<failure>`;
- a violated priority or preference: `<failure>` if `--fail-on` reaches its severity, else a
  passing case whose `<system-out>` says it was not met;
- an open red line: `<skipped>` (not decided), or `<failure>` under `--strict`;
- a met rule: a passing case;
- a waived finding: `<skipped>`, with the waiver's reason and end date; a finding unchanged
  since the baseline: a passing case whose `<system-out>` says so (neither fails a check).

Each proposal's first suite is `<id> / consistency`, with one case that fails when the proposal
contradicts itself (contradictions fail a check at any `--fail-on` but `never`): as in every
format, a contradiction comes first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from ..models import Severity
from ..report import Finding, Report, ReportSet, Status, gates
from .brackets import text_lines as bracket_lines
from .links import repo_path
from .logsafe import xml_text
from .options import RenderOptions
from .stream import CheckWriter, copy, render_with
from .view import SEVERITY_NAME, clause_label, modified_sentence, open_message, waiver_note

# XML 1.0 cannot hold most control characters, even escaped; YAML can.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def render_junit(reports: ReportSet, options: RenderOptions) -> str:
    return render_with(JunitWriter, reports, options)


class JunitWriter(CheckWriter):
    """The root element carries the run's totals: each proposal's suites wait in a spool.

    A proposal's suites are built and indented under a throwaway root, as `ET.indent` lays them
    out under the real one (one level down), and written with the separators it would put
    between them. Each piece is made log-safe as it is written: `xml_text` works line by line,
    and every piece starts or ends at a line's start or end.
    """

    _XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body = self.spool()
        self.totals = {"tests": 0, "failures": 0, "skipped": 0}

    def add(self, report: Report) -> None:
        super().add(report)
        holder = ET.Element("testsuites")
        _consistency(holder, report, self.options, self.totals)
        for verdict in report.verdicts:
            own = [f for f in report.findings if f.ruleset == verdict.ruleset]
            suite = _suite(holder, report, f"{report.proposal.id} / {verdict.actor}", self.options)
            for finding in own:
                _case(suite, report, finding, self.options)
            _bracket_case(suite, report, verdict.ruleset)
            _count(suite, self.totals)
        ET.indent(holder)
        for suite in holder:
            suite.tail = None
            self.body.write(xml_text("\n  " + ET.tostring(suite, encoding="unicode")))

    def finish(self) -> None:
        root = ET.Element("testsuites", name="redlines")
        for key, value in self.totals.items():
            root.set(key, str(value))
        root.set("errors", "0")
        if not self.tally.proposals:
            self.out.write(xml_text(self._XML_DECLARATION + ET.tostring(root, encoding="unicode")))
            self.out.write("\n")
            return
        root.text = "\n"  # a placeholder, so that the start and end tags come apart
        start, end = ET.tostring(root, encoding="unicode").split("\n")
        self.out.write(xml_text(self._XML_DECLARATION + start))
        copy(self.body, self.out)
        self.out.write(xml_text("\n" + end + "\n"))


def _suite(root: ET.Element, report: Report, name: str, options: RenderOptions) -> ET.Element:
    suite = ET.SubElement(root, "testsuite", name=_x(name))
    suite.set("file", _x(repo_path(report.proposal.path, options)))
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("proposal", report.proposal.id),
        ("title", report.proposal.title),
        ("as_of", report.as_of.isoformat()),
        ("overall", report.overall.value),
        *_gate(report),
    ):
        ET.SubElement(props, "property", name=key, value=_x(value))
    return suite


def _gate(report: Report) -> list[tuple[str, str]]:
    """How the gate differs from every rule as written, as each suite's properties."""
    gate = report.gate
    if gate is None:
        return []
    found = [
        (
            "rule changed",
            f"{modified_sentence(m)}: {m.reason} "
            f"[{m.location.path}:{m.location.line}:{m.location.col}]",
        )
        for m in gate.modified_rules
    ]
    if gate.rules_selected is not None:
        asked = [*(f"--select {n}" for n in gate.select), *(f"--ignore {n}" for n in gate.ignore)]
        found.append(
            ("selection", f"{gate.rules_selected} of {gate.rules_total} rules: " + ", ".join(asked))
        )
    if gate.baseline is not None:
        found.append(("baseline", gate.baseline))
    return found


def _count(suite: ET.Element, totals: dict[str, int]) -> None:
    cases = suite.findall("testcase")
    counts = {
        "tests": len(cases),
        "failures": sum(1 for c in cases if c.find("failure") is not None),
        "skipped": sum(1 for c in cases if c.find("skipped") is not None),
    }
    for key, value in counts.items():
        suite.set(key, str(value))
        totals[key] += value
    suite.set("errors", "0")


def _fails(finding: Finding, options: RenderOptions) -> bool:
    if options.fail_on == "never":
        return False
    return finding.severity.rank >= Severity(options.fail_on).rank


def _case(suite: ET.Element, report: Report, finding: Finding, options: RenderOptions) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        name=_x(f"{finding.rule} {finding.title}"),
        classname=_x(f"{report.proposal.id}.{finding.ruleset}"),
    )
    case.set("file", _x(repo_path(finding.location.path, options)))
    case.set("line", str(finding.location.line))
    severity = SEVERITY_NAME[finding.severity]
    details = _details(finding, options)
    judged = finding.status is Status.VIOLATED or (
        finding.status is Status.OPEN and finding.severity is Severity.RED_LINE
    )
    if judged and finding.waived is not None:
        ET.SubElement(case, "skipped", message=_x(f"{finding.rule} {waiver_note(finding.waived)}"))
        return
    if judged and finding.baseline == "unchanged":
        out = ET.SubElement(case, "system-out")
        out.text = _x(f"Unchanged since the baseline (does not fail): {details}")
        return
    if finding.status is Status.VIOLATED:
        what = "violated" if finding.severity is Severity.RED_LINE else "not met"
        message = f"{finding.actor} {severity} {what}: {finding.message}"
        if _fails(finding, options):
            failure = ET.SubElement(
                case, "failure", message=_x(message), type=finding.severity.value
            )
            failure.text = _x(details)
        else:
            out = ET.SubElement(case, "system-out")
            out.text = _x(f"{message} (does not fail at --fail-on {options.fail_on})\n{details}")
    elif finding.status is Status.OPEN and finding.severity is Severity.RED_LINE:
        message = f"{finding.actor} red line left open: {open_message(finding)}"
        if options.strict:
            failure = ET.SubElement(case, "failure", message=_x(message), type="open")
            failure.text = _x(details)
        else:
            ET.SubElement(case, "skipped", message=_x(message))


def _bracket_case(suite: ET.Element, report: Report, ruleset: str) -> None:
    """A draft with options: one passing case per actor saying what it makes of them (the
    run's verdict is the agreed text's, so the options never fail it)."""
    lines = bracket_lines(report)
    if report.brackets is None or not lines:
        return
    own = next(a for a in report.brackets.actors if a.ruleset == ruleset)
    case = ET.SubElement(
        suite,
        "testcase",
        name=_x(f"bracketed alternatives: {', '.join(v.value for v in own.verdicts)}"),
        classname=_x(f"{report.proposal.id}.{ruleset}"),
    )
    out = ET.SubElement(case, "system-out")
    out.text = _x("\n".join(lines))


def _details(finding: Finding, options: RenderOptions) -> str:
    where = f"{repo_path(finding.location.path, options)}:{finding.location.line}"
    lines = [f"{where}: {clause_label(finding)}", finding.message]
    lines += [f"Source: {s.label()}" for s in finding.sources]
    return "\n".join(lines)


def _consistency(
    root: ET.Element, report: Report, options: RenderOptions, totals: dict[str, int]
) -> None:
    suite = _suite(root, report, f"{report.proposal.id} / consistency", options)
    case = ET.SubElement(
        suite,
        "testcase",
        name="The proposal does not contradict itself",
        classname=_x(f"{report.proposal.id}.consistency"),
    )
    case.set("file", _x(repo_path(report.proposal.path, options)))
    messages = [c.message for c in report.contradictions if gates(c)]
    apart = [
        f"{c.message} ({waiver_note(c.waived)})"
        if c.waived is not None
        else f"{c.message} (unchanged since the baseline)"
        for c in report.contradictions
        if not gates(c)
    ]
    if apart and not messages:
        ET.SubElement(case, "skipped", message=_x("; ".join(apart)))
    elif messages and options.fail_on != "never":
        failure = ET.SubElement(
            case, "failure", message=_x("; ".join(messages)), type="contradiction"
        )
        failure.text = _x("\n".join(messages))
    elif messages:
        out = ET.SubElement(case, "system-out")
        out.text = _x("Contradictions (--fail-on never):\n" + "\n".join(messages))
    _count(suite, totals)
