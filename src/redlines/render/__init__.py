"""Every output format is a function `render_<format>(reports, options) -> str` over a ReportSet.

A renderer's module is imported when its format is first asked for, so a `redlines check`
printing text never pays for the XML, HTML or SARIF writers (see benchmarks/RESULTS.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..report import ReportSet
from .options import RenderOptions, find_repo_root

if TYPE_CHECKING:
    from .github import render_github
    from .html import render_html
    from .json import render_json
    from .junit import render_junit
    from .markdown import render_markdown
    from .sarif import render_sarif
    from .text import render_text

Renderer = Callable[[ReportSet, RenderOptions], str]

FORMATS = ("text", "json", "markdown", "sarif", "github", "junit", "html")


class _Renderers(Mapping[str, Renderer]):
    """Format name -> renderer, importing each renderer's module on first use."""

    def __getitem__(self, fmt: str) -> Renderer:
        if fmt not in FORMATS:
            raise KeyError(fmt)
        renderer: Renderer = getattr(importlib.import_module(f".{fmt}", __name__), f"render_{fmt}")
        return renderer

    def __iter__(self) -> Iterator[str]:
        return iter(FORMATS)

    def __len__(self) -> int:
        return len(FORMATS)


RENDERERS: Mapping[str, Renderer] = _Renderers()


def render(reports: ReportSet, fmt: str, options: RenderOptions | None = None) -> str:
    return RENDERERS[fmt](reports, options or RenderOptions())


def __getattr__(name: str) -> Any:
    fmt = name.removeprefix("render_")
    if name.startswith("render_") and fmt in FORMATS:
        return RENDERERS[fmt]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FORMATS",
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
