"""Golden outputs of a bundled draft with bracketed alternatives: `check` in every format and
`space`, on proposals/examples/us-28-point-brackets.yaml (the 28 points with the army ceiling and
the territory bracketed between the U.S. and E3 wordings).
Regenerate after an intended change with
`REDLINES_REGENERATE=1 pytest tests/test_brackets_golden.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli
from golden_files import check_golden
from redlines.render import formats

GOLDEN = Path(__file__).parent / "golden" / "brackets"
DRAFT = "proposals/examples/us-28-point-brackets.yaml"
SUFFIX = {"markdown": "md", "junit": "xml", "github": "log"}


@pytest.mark.parametrize("fmt", formats("check"))
def test_check_of_a_draft_with_options_matches_golden(fmt: str) -> None:
    run = run_cli("check", DRAFT, "--rules", "rules", "--format", fmt)
    # The exit code is the agreed text's: it crosses EU-ASSET-1 and UA-NATO-1 (clauses 14, 7).
    assert run.code == 1, run.err
    check_golden(run.out, GOLDEN / f"check.{SUFFIX.get(fmt, fmt)}")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_space_of_a_draft_with_options_matches_golden(fmt: str) -> None:
    run = run_cli("space", DRAFT, "--rules", "rules", "--format", fmt)
    assert run.code in (0, 1), run.err
    check_golden(run.out, GOLDEN / f"space.{fmt}")


def test_the_example_names_what_blocks_every_combination() -> None:
    """What the example's comments and docs/formats.md say it shows."""
    run = run_cli("check", DRAFT, "--rules", "rules")
    assert "4 combinations, each checked as a draft" in run.out
    assert "every one leaves EU-ASSET-1 violated or open" in run.out
    assert "21/1 leaves open; 21/2 rejects" in run.out  # Russia: only the U.S. territory wording
