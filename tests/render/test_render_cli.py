"""`redlines check --format F [--output FILE]` for every CI-facing format."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from redlines.cli import main

ARGS = [
    "check",
    "tests/fixtures/proposals/",
    "tests/render/fixtures/proposals/",
    "--rules",
    "tests/fixtures/rules",
]


@pytest.mark.parametrize("fmt", ["markdown", "sarif", "github", "junit", "html"])
def test_every_format_writes_one_combined_report(
    fmt: str, in_project: Path, tmp_path: Path
) -> None:
    target = tmp_path / f"out.{fmt}"
    assert main([*ARGS, "--format", fmt, "--output", str(target)]) == 1
    text = target.read_text(encoding="utf-8")
    for proposal in ("test-draft", "test-variant", "test-open", "test-passing"):
        assert proposal in text


def test_paths_are_relative_to_the_repository_from_a_subfolder(
    in_project: Path, tmp_path: Path
) -> None:
    """Run from tests/: findings say ../fixtures/…, SARIF says tests/fixtures/… (repo root)."""
    target = tmp_path / "out.sarif"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "redlines.cli",
            "check",
            "fixtures/proposals/draft.yaml",
            "--rules",
            "fixtures/rules",
            "-f",
            "sarif",
            "-o",
            str(target),
        ],
        cwd=in_project / "tests",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    if not (in_project / ".git").exists():
        pytest.skip("the project is not a git checkout here, so no repository root to find")
    results = json.loads(target.read_text(encoding="utf-8"))["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"tests/fixtures/proposals/draft.yaml"}


def test_junit_follows_fail_on(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import xml.etree.ElementTree as ET

    main([*ARGS, "--format", "junit", "--fail-on", "priority"])
    root = ET.fromstring(capsys.readouterr().out)
    assert root.get("failures") == "4"  # EU-1, UA-1, UA-3 in the draft; the contradiction
