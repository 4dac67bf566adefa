"""`--format json` of every command: pydantic's dump, byte for byte what `json.dumps` gave."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from redlines.lint import Level, LintProblem
from redlines.render import render
from redlines.render.json import dump
from redlines.render.lint import LintResult
from redlines.report import ReportSet


def as_before(model: BaseModel, ensure_ascii: bool = False) -> str:
    """What every JSON output was until it moved to pydantic's serialiser (a report checked
    without a gate has none of the gate's fields, as before there was a gate)."""
    data = model.model_dump(mode="json")
    for key in ("absent", "warnings"):
        if isinstance(data, dict) and data.get(key) == []:
            del data[key]
    for report in data.get("reports", []) if isinstance(data, dict) else []:
        if report["gate"] is None:
            del report["gate"]
            for found in (*report["findings"], *report["contradictions"]):
                del found["waived"], found["baseline"]
    return json.dumps(data, indent=2, ensure_ascii=ensure_ascii) + "\n"


def with_score(reports: ReportSet, score: float) -> ReportSet:
    report = reports.reports[0]
    verdicts = (report.verdicts[0].model_copy(update={"soft_score": score}), *report.verdicts[1:])
    return reports.model_copy(
        update={"reports": (report.model_copy(update={"verdicts": verdicts}),)}
    )


def test_report_json_is_what_json_dumps_gave(reports: ReportSet) -> None:
    assert render(reports, "json") == as_before(reports)


@given(
    st.one_of(
        st.floats(min_value=0.0, max_value=1.0),
        st.floats(min_value=1e-12, max_value=1e-3),
        st.sampled_from([1e-4, 5e-5, 1e-5, 3e-6, 1e-9, 1e-10, 0.0, 1.0, 1 / 3]),
    )
)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_soft_scores_of_any_size_are_written_as_python_writes_them(
    reports: ReportSet, score: float
) -> None:
    # pydantic writes 0.00005 and 5e-6 where Python writes 5e-05 and 5e-06.
    scored = with_score(reports, score)
    assert render(scored, "json") == as_before(scored)


def test_lint_json_escapes_non_ascii_as_it_always_did() -> None:
    problem = LintProblem(
        file="rules/é.yaml", line=1, col=1, level=Level.WARNING, code="RL201", message="a\x7fb ü"
    )
    result = LintResult(problems=(problem,), proposals=0, rules=0, terms=0)
    expected = json.dumps([problem.model_dump(mode="json")], indent=2) + "\n"
    assert render(result, "json", command="lint") == expected
    assert "\\u00e9" in expected and "\\u007f" in expected


def test_non_ascii_is_written_as_is(reports: ReportSet) -> None:
    report = reports.reports[0]
    renamed = report.model_copy(
        update={"proposal": report.proposal.model_copy(update={"title": "Straße ✓ — “ü” \x07"})}
    )
    dumped = dump(reports.model_copy(update={"reports": (renamed,)}))
    assert "Straße ✓ — “ü” \\u0007" in dumped
