"""What a renderer may need beyond the report itself."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False  # ANSI colours; the CLI turns them on only for a terminal
