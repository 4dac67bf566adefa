"""Every output of every command: `render(result, options) -> str`, registered by (command, format).

`REGISTRY` is the one table of outputs: the CLI offers a command's formats from it and renders
through it, and the tests look formats up in it. A new command or format is one entry here and
one function in the module it names.

A renderer's module is imported when its format is first asked for, so a `redlines check`
printing text never pays for the XML, HTML or SARIF writers (see benchmarks/RESULTS.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .options import RenderOptions, find_repo_root

if TYPE_CHECKING:
    from .github import render_github
    from .html import render_html
    from .json import render_json
    from .junit import render_junit
    from .markdown import render_markdown
    from .sarif import render_sarif
    from .stream import CheckWriter
    from .summary import render_summary
    from .text import render_text

Renderer = Callable[[Any, RenderOptions], str]

# (command, format) -> "module:function" in this package; text first, the default. The result
# each command's renderers take:
# check: ReportSet · space: SpaceReportSet · timeline: Timeline · diff: ProposalDiff ·
# explain: Explanation · terms: Catalogue · coverage (`terms --coverage`): coverage.Coverage ·
# lint: render.lint.LintResult · schema: a JSON Schema (dict) ·
# test: ruletest.TestRun · rules: ruledocs.RuleListing · docs: ruledocs.RulePage (one page).
REGISTRY: dict[tuple[str, str], str] = {
    ("check", "text"): "text:render_text",
    ("check", "json"): "json:render_json",
    ("check", "markdown"): "markdown:render_markdown",
    ("check", "sarif"): "sarif:render_sarif",
    ("check", "github"): "github:render_github",
    ("check", "junit"): "junit:render_junit",
    ("check", "html"): "html:render_html",
    ("check", "summary"): "summary:render_summary",
    ("space", "text"): "space:render_space_text",
    ("space", "json"): "json:render_json",
    ("space", "markdown"): "space:render_space_markdown",
    ("timeline", "text"): "timeline:render_timeline_text",
    ("timeline", "json"): "json:render_json",
    ("timeline", "markdown"): "timeline:render_timeline_markdown",
    ("timeline", "html"): "timeline:render_timeline_html",
    ("diff", "text"): "diff:render_diff_text",
    ("diff", "json"): "json:render_json",
    ("diff", "markdown"): "diff:render_diff_markdown",
    ("explain", "text"): "explain:render_explain_text",
    ("explain", "json"): "json:render_json",
    ("explain", "markdown"): "explain:render_explain_markdown",
    ("terms", "text"): "terms:render_terms_text",
    ("terms", "json"): "terms:render_terms_json",
    ("coverage", "text"): "coverage:render_coverage_text",
    ("coverage", "markdown"): "coverage:render_coverage_markdown",
    ("coverage", "json"): "coverage:render_coverage_json",
    ("lint", "text"): "lint:render_lint_text",
    ("lint", "json"): "lint:render_lint_json",
    ("schema", "json"): "json:render_sorted_json",
    ("rules", "text"): "rules:render_rules_text",
    ("rules", "json"): "json:render_json",
    ("rules", "markdown"): "rules:render_rules_markdown",
    ("docs", "markdown"): "docs:render_docs_markdown",
    ("test", "text"): "ruletest:render_test_text",
    ("test", "json"): "json:render_json",
    ("test", "junit"): "ruletest:render_test_junit",
}


# `check`'s formats -> "module:class" of the writer behind each: what a run over many drafts
# streams its reports through (render/stream.py). Each `render_<format>` above runs its writer.
WRITERS: dict[str, str] = {
    "text": "text:TextWriter",
    "json": "json:JsonWriter",
    "markdown": "markdown:MarkdownWriter",
    "sarif": "sarif:SarifWriter",
    "github": "github:GithubWriter",
    "junit": "junit:JunitWriter",
    "html": "html:HtmlWriter",
    "summary": "summary:SummaryWriter",
}


def check_writer(fmt: str) -> type[CheckWriter]:
    """The writer of one `check` format, its module imported now; KeyError if there is none."""
    module, name = WRITERS[fmt].split(":")
    found: type[CheckWriter] = getattr(importlib.import_module(f".{module}", __name__), name)
    return found


def formats(command: str) -> tuple[str, ...]:
    """The formats of one command, in registry order."""
    return tuple(fmt for cmd, fmt in REGISTRY if cmd == command)


def renderer(command: str, fmt: str) -> Renderer:
    """The renderer of one output, its module imported now; KeyError if there is none."""
    module, name = REGISTRY[command, fmt].split(":")
    found: Renderer = getattr(importlib.import_module(f".{module}", __name__), name)
    return found


def render(
    result: Any, fmt: str = "text", options: RenderOptions | None = None, *, command: str = "check"
) -> str:
    return renderer(command, fmt)(result, options or RenderOptions())


FORMATS = formats("check")


class _CheckRenderers(Mapping[str, Renderer]):
    """`check`'s formats -> renderer, importing each renderer's module on first use."""

    def __getitem__(self, fmt: str) -> Renderer:
        return renderer("check", fmt)

    def __iter__(self) -> Iterator[str]:
        return iter(FORMATS)

    def __len__(self) -> int:
        return len(FORMATS)


RENDERERS: Mapping[str, Renderer] = _CheckRenderers()


def __getattr__(name: str) -> Any:
    fmt = name.removeprefix("render_")
    if name.startswith("render_") and fmt in FORMATS:
        return RENDERERS[fmt]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FORMATS",
    "REGISTRY",
    "RENDERERS",
    "WRITERS",
    "RenderOptions",
    "Renderer",
    "check_writer",
    "find_repo_root",
    "formats",
    "render",
    "render_github",
    "render_html",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_sarif",
    "render_summary",
    "render_text",
    "renderer",
]
