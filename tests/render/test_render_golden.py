"""Every CI-facing format, rendered from one combined ReportSet (four proposals: infeasible,
incomplete with a contradiction, incomplete, feasible), compared with its golden file."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from redlines.render import RENDERERS, RenderOptions
from redlines.report import ReportSet

from .render_helpers import build

GOLDEN_NAMES = {
    "markdown": "report.md",
    "sarif": "report.sarif",
    "github": "report.github.txt",
    "junit": "report.junit.xml",
    "html": "report.html",
    "summary": "report.summary.md",
}


@pytest.mark.parametrize("fmt", sorted(GOLDEN_NAMES))
def test_format_matches_golden(
    fmt: str, reports: ReportSet, options: RenderOptions, golden: Callable[[str, str], None]
) -> None:
    golden(GOLDEN_NAMES[fmt], RENDERERS[fmt](reports, options))


@pytest.mark.parametrize("fmt", sorted(GOLDEN_NAMES))
def test_output_is_stable_across_runs(fmt: str, options: RenderOptions) -> None:
    assert RENDERERS[fmt](build(), options) == RENDERERS[fmt](build(), options)


def test_every_format_is_registered() -> None:
    assert set(GOLDEN_NAMES) | {"text", "json"} == set(RENDERERS)


@pytest.mark.parametrize("fmt", sorted(GOLDEN_NAMES))
def test_no_proposals_still_renders(fmt: str, options: RenderOptions) -> None:
    from redlines.report import Verdict

    text = RENDERERS[fmt](ReportSet(overall=Verdict.FEASIBLE, reports=()), options)
    assert "0 proposals checked" in text or fmt in ("sarif", "junit")
