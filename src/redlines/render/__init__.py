"""Every output format is a function `render_<format>(reports, options) -> str` over a ReportSet."""

from __future__ import annotations

from collections.abc import Callable

from ..report import ReportSet
from .github import render_github
from .html import render_html
from .json import render_json
from .junit import render_junit
from .markdown import render_markdown
from .options import RenderOptions, find_repo_root
from .sarif import render_sarif
from .text import render_text

Renderer = Callable[[ReportSet, RenderOptions], str]

RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "sarif": render_sarif,
    "github": render_github,
    "junit": render_junit,
    "html": render_html,
}


def render(reports: ReportSet, fmt: str, options: RenderOptions | None = None) -> str:
    return RENDERERS[fmt](reports, options or RenderOptions())


__all__ = [
    "RENDERERS",
    "RenderOptions",
    "Renderer",
    "find_repo_root",
    "render",
    "render_github",
    "render_html",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_sarif",
    "render_text",
]
