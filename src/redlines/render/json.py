"""`--format json` of every command: the command's result model, dumped by pydantic.

Fields in model order, two-space indent, non-ASCII as is: the same bytes `json.dumps(indent=2,
ensure_ascii=False)` of the model's `model_dump(mode="json")` gave, in about a tenth of the time
(pydantic serialises in Rust; `json.dumps` with an indent runs its pure-Python encoder).

Two things pydantic writes differently from `json.dumps`, on which the output falls back to
`json.dumps` so that it stays byte-identical:
- floats between 1e-10 and 1e-4 (`0.00005` and `5e-6` where Python writes `5e-05`, `5e-06`): a
  soft score of a priority of weight 1 among 10,000 or more;
- with `ensure_ascii` (the `lint` listing), DEL (U+007F), which Python escapes.
The check is a few substring searches; text that merely looks like such a number only costs the
slower path, never a different output.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from .options import RenderOptions

# How pydantic writes a float that Python writes differently (see above).
_PYDANTIC_ONLY = ("0.0000", "e-5", "e-6", "e-7", "e-8", "e-9")


def render_json(result: BaseModel, options: RenderOptions) -> str:
    return dump(result)


def dump(model: BaseModel, *, ensure_ascii: bool = False, **fields: Any) -> str:
    """The model as indented JSON with a final newline; `fields`: include/exclude options."""
    text = model.model_dump_json(indent=2, ensure_ascii=ensure_ascii, **fields)
    if any(odd in text for odd in _PYDANTIC_ONLY) or (ensure_ascii and "\x7f" in text):
        data = model.model_dump(mode="json", **fields)
        text = json.dumps(data, indent=2, ensure_ascii=ensure_ascii)
    return text + "\n"


def render_sorted_json(result: dict[str, Any], options: RenderOptions) -> str:
    """A plain mapping (a JSON Schema) with sorted keys, so that its diffs stay small."""
    return json.dumps(result, indent=2, sort_keys=True) + "\n"
