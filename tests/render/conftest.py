"""Fixtures for the renderer tests: a combined ReportSet, options, and the golden-file check.

Golden files live in tests/render/golden/. After an intended change of output, regenerate them
with `REDLINES_REGENERATE=1 pytest tests/render` and review the diff (see tests/README.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from golden_files import check_golden
from redlines.render import RenderOptions
from redlines.report import ReportSet

from .render_helpers import GOLDEN, PROJECT, build, nasty


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
    return RenderOptions(repo_root=str(in_project))


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """Compare a rendering with tests/render/golden/NAME (the suite's one golden check)."""
    return lambda name, actual: check_golden(actual, GOLDEN / name)
