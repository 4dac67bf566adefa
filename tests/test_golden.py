"""Golden outputs: the text, JSON, SARIF and JUnit reports of the bundled 28-point draft and the
fixtures, and the `terms` and `lint` listings.

Regenerate after an intended change with `REDLINES_REGENERATE=1 pytest tests/test_golden.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, run_cli
from golden_files import check_golden
from redlines.cli import main

GOLDEN = Path(__file__).parent / "golden"

CASES = {
    "us-28-point": ["proposals/us-28-point-2025-11.yaml", "--rules", "rules"],
    "fixtures": ["tests/fixtures/proposals", "--rules", "tests/fixtures/rules"],
}

# `terms` and `lint` on the test rules (lint on a fixed date: "in the past" moves with today).
LISTINGS = {
    "terms-fixtures": ["terms", "--rules", "tests/fixtures/rules"],
    "lint-fixtures": [
        "lint",
        "tests/fixtures/proposals",
        "--rules",
        "tests/fixtures/rules",
        "--as-of",
        "2030-01-01",
    ],
}


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_report_matches_golden(case: str, fmt: str) -> None:
    run = run_cli("check", *CASES[case], "--format", fmt)
    assert run.code in (0, 1), run.err
    check_golden(run.out, GOLDEN / f"{case}.{fmt}")


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("case", sorted(LISTINGS))
def test_listing_matches_golden(
    case: str, fmt: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    assert main([*LISTINGS[case], "--format", fmt]) in (0, 1)
    check_golden(capsys.readouterr().out, GOLDEN / f"{case}.{fmt}")


def test_fixture_goldens_point_at_clause_lines() -> None:
    # A reviewer must be able to jump from the text report to the line to change.
    text = (GOLDEN / "fixtures.text").read_text()
    draft = FIXTURES / "proposals" / "draft.yaml"
    assert "tests/fixtures/proposals/draft.yaml:9: clause 1" in text
    assert draft.read_text().splitlines()[8].strip() == '- id: "1"'
