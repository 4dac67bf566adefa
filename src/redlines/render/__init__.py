"""Every output format is a function `render_<format>(reports, options) -> str` over one ReportSet."""

from __future__ import annotations

from collections.abc import Callable

from ..report import ReportSet
from .json import render_json
from .options import RenderOptions
from .text import render_text

Renderer = Callable[[ReportSet, RenderOptions], str]

RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
}


def render(reports: ReportSet, fmt: str, options: RenderOptions | None = None) -> str:
    return RENDERERS[fmt](reports, options or RenderOptions())


__all__ = ["RENDERERS", "RenderOptions", "Renderer", "render", "render_json", "render_text"]
