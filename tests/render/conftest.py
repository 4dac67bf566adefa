"""Fixtures for the renderer tests: a combined ReportSet, options, and the golden-file check.

Golden files live in tests/render/golden/. After an intended change of output, regenerate them
with `REDLINES_REGENERATE=1 pytest tests/render` and review the diff (see tests/README.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

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
    def compare(name: str, actual: str) -> None:
        path = GOLDEN / name
        if os.environ.get("REDLINES_REGENERATE") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8", newline="\n")
            return
        if not path.exists():
            pytest.fail(
                f"no golden file {path.relative_to(PROJECT)}; "
                "create it with REDLINES_REGENERATE=1 pytest tests/render"
            )
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, (
            f"{name} differs from its golden file; if the change is intended, run "
            "REDLINES_REGENERATE=1 pytest tests/render and review the diff"
        )

    return compare
