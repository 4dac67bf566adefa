"""`redlines lint`: one line per problem, then what was linted and the count of each level."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import RootModel

from ..lint import Level, LintProblem
from .json import dump
from .logsafe import text_lines
from .options import RenderOptions


@dataclass(frozen=True)
class LintResult:
    """What `redlines lint` found, and in how much."""

    problems: tuple[LintProblem, ...]
    proposals: int
    rules: int
    terms: int
    # The proposals were linted against the bundled rules, whose own problems are left out.
    bundled_rules: bool = False


class _Problems(RootModel[tuple[LintProblem, ...]]):
    """The JSON listing: the problems alone."""


def render_lint_text(result: LintResult, options: RenderOptions) -> str:
    errors = sum(1 for p in result.problems if p.level is Level.ERROR)
    lines = [str(p) for p in result.problems]
    if result.bundled_rules:
        linted = f"{result.proposals} proposals linted against the bundled rules"
    else:
        linted = f"{result.proposals} proposals, {result.rules} rules, {result.terms} terms linted"
    lines.append(f"{linted}: {errors} errors, {len(result.problems) - errors} warnings")
    return text_lines(lines)


def render_lint_json(result: LintResult, options: RenderOptions) -> str:
    # Non-ASCII escaped, as this listing always has been (the other commands write it as is).
    return dump(_Problems(result.problems), ensure_ascii=True)
