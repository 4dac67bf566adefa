"""Shared fixtures: the small test rule book and a way to run the CLI as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

import redlines
from redlines.models import Proposal, RuleBook

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
# CI installs the tools some tests need outside Python (Node, Chromium) and sets this, so that
# a missing tool fails there instead of skipping.
REQUIRE_TOOLS = os.environ.get("REDLINES_REQUIRE_TOOLS") == "1"


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> Run:
    """Run `redlines` in a subprocess, from the project root by default."""
    done = subprocess.run(
        [sys.executable, "-m", "redlines.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="session")
def fixture_rules() -> RuleBook:
    return redlines.load_rules(FIXTURES / "rules")


@pytest.fixture(scope="session")
def draft(fixture_rules: RuleBook) -> Proposal:
    return redlines.load_proposal(FIXTURES / "proposals" / "draft.yaml", fixture_rules)


@pytest.fixture(scope="session")
def variant(fixture_rules: RuleBook) -> Proposal:
    return redlines.load_proposal(FIXTURES / "proposals" / "variant.yaml", fixture_rules)


def missing_tool(reason: str) -> NoReturn:
    """Skip a test whose outside tool is missing; fail instead under REDLINES_REQUIRE_TOOLS=1."""
    if REQUIRE_TOOLS:
        pytest.fail(f"{reason} (REDLINES_REQUIRE_TOOLS=1 is set: this run must have it)")
    pytest.skip(reason)
