"""Golden outputs of `space`, `diff` and `explain`: on the test rules, and on the bundled content.

Rendered in process the way the CLI renders them, with the pure-Python engine, version
`0.0.0-test` and paths relative to the project root, so they do not change with releases,
engines or the machine. Regenerate after an intended change (and review the diff) with
`REDLINES_REGENERATE=1 pytest tests/test_space_golden.py`.
The bundled rules and proposals change as the content is curated, so their goldens move with
them; the fixture goldens only move when the commands' output does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import ROOT
from golden_files import check_golden
from redlines.diff import diff
from redlines.explain import explain
from redlines.loader import load_proposals, load_rules
from redlines.render import RenderOptions, formats, render
from redlines.report import check
from redlines.space import analyze_all

GOLDEN = Path(__file__).parent / "golden" / "space"
VERSION = "0.0.0-test"
SUFFIX = {"text": "txt", "json": "json", "markdown": "md"}


def renders(command: str, result: object) -> Callable[[str], str]:
    """The CLI's renderer of each format of `command`, by format name."""
    return lambda fmt: render(result, fmt, RenderOptions(), command=command)


def space(rules: str, *paths: str) -> Callable[[str], str]:
    book = load_rules(rules)
    result = analyze_all(book, load_proposals(list(paths), book), engine="python")
    return renders("space", result.model_copy(update={"version": VERSION}))


def compare(rules: str, old: str, new: str) -> Callable[[str], str]:
    book = load_rules(rules)
    (before,), (after,) = load_proposals([old], book), load_proposals([new], book)
    result = diff(
        check(before, book, as_of=after.date, engine="python"),
        check(after, book, as_of=after.date, engine="python"),
        before,
        after,
    )
    return renders("diff", result)


def why(rules: str, rule: str, path: str) -> Callable[[str], str]:
    book = load_rules(rules)
    (proposal,) = load_proposals([path], book)
    return renders("explain", explain(book, rule, proposal, engine="python"))


FIXTURE_RULES, BUNDLED = "tests/fixtures/rules", "rules"
CASES: dict[str, Callable[[], Callable[[str], str]]] = {
    # the test rules
    "fixtures-space-blank": lambda: space(FIXTURE_RULES),
    "fixtures-space-drafts": lambda: space(FIXTURE_RULES, "tests/fixtures/proposals"),
    "fixtures-diff": lambda: compare(
        FIXTURE_RULES,
        "tests/fixtures/proposals/draft.yaml",
        "tests/fixtures/proposals/variant.yaml",
    ),
    "fixtures-explain": lambda: why(FIXTURE_RULES, "UA-2", "tests/fixtures/proposals/draft.yaml"),
    # the bundled content
    "bundled-space-blank": lambda: space(BUNDLED),
    "bundled-space-us-28": lambda: space(BUNDLED, "proposals/us-28-point-2025-11.yaml"),
    "bundled-space-geneva": lambda: space(
        BUNDLED, "proposals/us-ukraine-geneva-framework-2025-11.yaml"
    ),
    "bundled-diff-us-28-geneva": lambda: compare(
        BUNDLED,
        "proposals/us-28-point-2025-11.yaml",
        "proposals/us-ukraine-geneva-framework-2025-11.yaml",
    ),
    "bundled-explain-const": lambda: why(
        BUNDLED, "UA-CONST-1", "proposals/us-28-point-2025-11.yaml"
    ),
}


@pytest.fixture(autouse=True)
def in_project(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(ROOT)
    yield


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_matches_golden(case: str) -> None:
    output = CASES[case]()
    command = case.split("-")[1]
    assert set(formats(command)) == set(SUFFIX), f"a format of `{command}` has no golden"
    for fmt in formats(command):
        check_golden(output(fmt), GOLDEN / f"{case}.{SUFFIX[fmt]}")
