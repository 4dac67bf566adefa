"""docs/timeline.md stays true of the tool: the lines it quotes are in the timeline's text output,
and docs/timeline.svg is the chart the HTML output draws today."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT, run_cli

DOC = ROOT / "docs" / "timeline.md"
CHART = ROOT / "docs" / "timeline.svg"
ARGS = [
    "timeline",
    "proposals/us-28-point-2025-11.yaml",
    "proposals/e3-markup-2025-11.yaml",
    "--from",
    "2025-01-01",
]


def _quoted(doc: str) -> list[str]:
    block = doc.split("## The lines this page rests on", 1)[1]
    found = re.search(r"```text\n(.*?)```", block, re.S)
    assert found is not None
    return [line for line in found.group(1).splitlines() if line.strip()]


def test_every_line_the_worked_example_quotes_is_in_the_output() -> None:
    run = run_cli(*ARGS)
    assert run.code == 0, run.err
    out = run.out.splitlines()
    quoted = _quoted(DOC.read_text(encoding="utf-8"))
    assert len(quoted) > 10
    missing = [line for line in quoted if line not in out]
    assert not missing, missing


def test_the_documented_command_is_the_one_tested() -> None:
    assert " ".join(["redlines", *ARGS]) in DOC.read_text(encoding="utf-8")


def test_the_chart_in_the_docs_is_the_tools_own() -> None:
    run = run_cli(*ARGS, "--format", "html")
    assert run.code == 0, run.err
    drawn = re.search(r"<svg.*?</svg>", run.out, re.S)
    assert drawn is not None
    assert CHART.read_text(encoding="utf-8") == drawn.group(0) + "\n"


def test_the_worked_example_is_linked_from_the_readme() -> None:
    assert "docs/timeline.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert isinstance(DOC, Path) and "(timeline.svg)" in DOC.read_text(encoding="utf-8")
