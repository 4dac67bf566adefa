"""Shared fixtures: the small test rule book and a way to run the CLI as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import redlines
from redlines.models import Proposal, RuleBook

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
REGENERATE = os.environ.get("REDLINES_REGENERATE") == "1"


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


def check_golden(actual: str, golden: Path) -> None:
    """Compare with a golden file; REDLINES_REGENERATE=1 rewrites it instead."""
    if REGENERATE or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        if not REGENERATE:
            pytest.fail(f"golden file {golden} was missing and has been written; check it in")
    assert actual == golden.read_text(encoding="utf-8"), (
        f"output differs from {golden}; if the change is intended, "
        "regenerate with REDLINES_REGENERATE=1 pytest"
    )
