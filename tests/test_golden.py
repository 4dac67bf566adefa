"""Golden outputs: the text and JSON reports of the bundled 28-point draft and the fixtures.

Regenerate after an intended change with `REDLINES_REGENERATE=1 pytest tests/test_golden.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from golden_files import check_golden

GOLDEN = Path(__file__).parent / "golden"

CASES = {
    "us-28-point": ["proposals/us-28-point-2025-11.yaml", "--rules", "rules"],
    "fixtures": ["tests/fixtures/proposals", "--rules", "tests/fixtures/rules"],
}


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_report_matches_golden(case: str, fmt: str) -> None:
    run = run_cli("check", *CASES[case], "--format", fmt)
    assert run.code in (0, 1), run.err
    check_golden(run.out, GOLDEN / f"{case}.{fmt}")


def test_fixture_goldens_point_at_clause_lines() -> None:
    # A reviewer must be able to jump from the text report to the line to change.
    text = (GOLDEN / "fixtures.text").read_text()
    draft = FIXTURES / "proposals" / "draft.yaml"
    assert "tests/fixtures/proposals/draft.yaml:9: clause 1" in text
    assert draft.read_text().splitlines()[8].strip() == '- id: "1"'
