"""`--format json`: the ReportSet model dumped as sorted, stable JSON."""

from __future__ import annotations

import json

from ..report import ReportSet
from .options import RenderOptions


def render_json(reports: ReportSet, options: RenderOptions) -> str:
    return json.dumps(reports.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
