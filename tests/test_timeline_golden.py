"""Golden outputs of `redlines timeline`, every format: on the synthetic timeline rule book
(tests/fixtures/timeline) and on the bundled content from 2025 on.

Rendered in process the way the CLI renders them, with version `0.0.0-test` and paths relative
to the project root. Regenerate after an intended change (and review the diff) with
`REDLINES_REGENERATE=1 pytest tests/test_timeline_golden.py`. The bundled goldens move with the
content, as the `space` goldens do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import ROOT
from golden_files import check_golden
from redlines.loader import load_proposals, load_rules
from redlines.render import RenderOptions, formats, render
from redlines.timeline import timeline

GOLDEN = Path(__file__).parent / "golden" / "timeline"
VERSION = "0.0.0-test"
SUFFIX = {"text": "txt", "json": "json", "markdown": "md", "html": "html"}


def made(rules: str, paths: list[str], start: dt.date | None = None) -> Callable[[str], str]:
    book = load_rules(rules)
    result = timeline(book, load_proposals(paths, book) if paths else [], start=start)
    result = result.model_copy(update={"version": VERSION})
    return lambda fmt: render(result, fmt, RenderOptions(), command="timeline")


CASES: dict[str, Callable[[], Callable[[str], str]]] = {
    "fixtures-timeline": lambda: made(
        "tests/fixtures/timeline/rules", ["tests/fixtures/timeline/proposals"]
    ),
    "bundled-timeline-2025": lambda: made(
        "rules",
        ["proposals/us-28-point-2025-11.yaml", "proposals/e3-markup-2025-11.yaml"],
        start=dt.date(2025, 1, 1),
    ),
}


@pytest.fixture(autouse=True)
def in_project(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(ROOT)
    yield


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_matches_golden(case: str) -> None:
    output = CASES[case]()
    assert set(formats("timeline")) == set(SUFFIX), "a format of `timeline` has no golden"
    for fmt in formats("timeline"):
        check_golden(output(fmt), GOLDEN / f"{case}.{SUFFIX[fmt]}")
