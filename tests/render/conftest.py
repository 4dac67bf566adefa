"""Fixtures for the renderer tests: a combined ReportSet, options, and the golden-file check.

Golden files live in tests/render/golden/. After an intended change of output, regenerate them
with `REDLINES_REGENERATE=1 pytest tests/render` and review the diff (see tests/README.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from golden_files import check_golden
from redlines import load_rules
from redlines.render import RenderOptions
from redlines.report import ReportSet
from redlines.ruledocs import rule_page_urls

from .render_helpers import GOLDEN, PROJECT, RULES, build, nasty

RULE_DOCS = "https://rules.example.org/pages"


@pytest.fixture
def in_project(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(PROJECT)
    yield PROJECT


@pytest.fixture
def reports(in_project: Path) -> ReportSet:
    return build()


@pytest.fixture
def nasty_reports(in_project: Path) -> ReportSet:
    return nasty()


@pytest.fixture
def options(in_project: Path) -> RenderOptions:
    # Each test rule links to a page, as published with `redlines check --rule-docs URL`.
    book = load_rules(RULES)
    pages = rule_page_urls(((r.id, r.ruleset) for r in book.rules), RULE_DOCS)
    return RenderOptions(repo_root=str(in_project), rule_pages=pages)


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """Compare a rendering with tests/render/golden/NAME (the suite's one golden check)."""
    return lambda name, actual: check_golden(actual, GOLDEN / name)
