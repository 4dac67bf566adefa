"""`--format json` of every command: the command's result model, dumped by pydantic.

Fields in model order, two-space indent, non-ASCII as is: the same bytes `json.dumps(indent=2,
ensure_ascii=False)` of the model's `model_dump(mode="json")` gave, in about a tenth of the time
(pydantic serialises in Rust; `json.dumps` with an indent runs its pure-Python encoder).

Two things pydantic writes differently from `json.dumps`; where a result holds one, the output
falls back to `json.dumps`, so that it stays byte-identical:
- floats below 1e-4 (`0.00005` and `5e-6` where Python writes `5e-05` and `5e-06`): a soft score
  of a priority of weight 1 among 10,000 or more. The models are searched for them along the
  fields whose types can hold a float (a report: each actor's `soft_score`), not the text, which
  costs microseconds where a scan of a large report's text costs as much as dumping it;
- with `ensure_ascii` (the `lint` listing), DEL (U+007F), which Python escapes.
"""

from __future__ import annotations

import json
import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from ..report import Finding, Report, ReportSet
from .logsafe import json_text
from .options import RenderOptions
from .stream import CheckWriter, copy

# Below this, pydantic and Python write a float differently (above: both the shortest repr).
_SMALL = 1e-4


def render_json(result: BaseModel, options: RenderOptions) -> str:
    return dump(result)


def dump(model: BaseModel, *, ensure_ascii: bool = False, **fields: Any) -> str:
    """The model as indented JSON with a final newline; `fields`: include/exclude options."""
    if "exclude" not in fields and (ungated := _ungated(model)):
        fields["exclude"] = ungated
    text = model.model_dump_json(indent=2, ensure_ascii=ensure_ascii, **fields)
    if _small_float(model) or (ensure_ascii and "\x7f" in text):
        data = model.model_dump(mode="json", **fields)
        text = json.dumps(data, indent=2, ensure_ascii=ensure_ascii)
    return json_text(text) + "\n"


class JsonWriter(CheckWriter):
    """`check --format json` a report at a time: the bytes `dump(report_set)` gives, with the
    reports kept in a spool until the overall verdict, which comes first, is known."""

    # A report's lines inside `"reports": [`: two levels deeper than on their own.
    _INDENT = " " * 4

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body = self.spool()

    def add(self, report: Report) -> None:
        super().add(report)
        # Indented line by line: a JSON string holds no raw line break, so every "\n" is a line's.
        lines = dump(report).removesuffix("\n").replace("\n", "\n" + self._INDENT)
        separator = "," if self.tally.proposals > 1 else ""
        self.body.write(f"{separator}\n{self._INDENT}{lines}")

    def finish(self) -> None:
        head = ReportSet(
            version=self.version,
            overall=self.tally.overall,
            reports=(),
            absent=self.absent,
            warnings=self.warnings,
        )
        baseline = self.tally.gate is not None and self.tally.gate.baseline is not None
        empty = dump(head, exclude=_run_exclusions(head, baseline=baseline))
        if not self.tally.proposals:
            self.out.write(empty)
            return
        before, after = empty.split('"reports": []', 1)
        self.out.write(before + '"reports": [')  # the reports' place in the run's fields
        copy(self.body, self.out)
        self.out.write("\n  ]" + after)


# A report checked without a gate (no waivers, baseline, selection or rule overrides) is written
# without the gate's fields, so a plain check's JSON is what it always was.
_GATE_FIELDS = {"waived", "baseline"}
_UNGATED_REPORT: dict[str, Any] = {
    "gate": True,
    "findings": {"__all__": _GATE_FIELDS},
    "contradictions": {"__all__": _GATE_FIELDS},
}


def _ungated(model: BaseModel) -> dict[Any, Any] | None:
    if isinstance(model, Report):
        return _UNGATED_REPORT if model.gate is None else None
    finding = getattr(model, "finding", None)  # `explain`'s result quotes `check`'s finding
    if isinstance(finding, Finding) and finding.waived is None and finding.baseline is None:
        return {"finding": _GATE_FIELDS}
    if isinstance(model, ReportSet):
        baseline = bool(model.absent) or any(r.gate and r.gate.baseline for r in model.reports)
        return _run_exclusions(model, baseline=baseline) or None
    return None


def _run_exclusions(run: ReportSet, *, baseline: bool) -> dict[Any, Any]:
    """What a run's JSON leaves out: the gate's fields of reports checked without one, the
    absent findings without a baseline, the run's warnings when there are none."""
    plain = {i: _UNGATED_REPORT for i, r in enumerate(run.reports) if r.gate is None}
    excluded: dict[Any, Any] = {"reports": plain} if plain else {}
    if not baseline:
        excluded["absent"] = True
    if not run.warnings:
        excluded["warnings"] = True
    return excluded


def render_sorted_json(result: dict[str, Any], options: RenderOptions) -> str:
    """A plain mapping (a JSON Schema) with sorted keys, so that its diffs stay small."""
    return json_text(json.dumps(result, indent=2, sort_keys=True)) + "\n"


def _small_float(value: object) -> bool:
    """Whether a float pydantic would write unlike Python lies anywhere in `value`."""
    if isinstance(value, float):
        return value != 0 and abs(value) < _SMALL
    if isinstance(value, BaseModel):
        return any(_small_float(getattr(value, name)) for name in _float_fields(type(value)))
    if isinstance(value, tuple | list | set | frozenset):
        return any(_small_float(v) for v in value)
    if isinstance(value, dict):
        return any(_small_float(v) for v in value.values())
    return False


_FLOAT_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {}


def _float_fields(
    model: type[BaseModel], visiting: frozenset[type] = frozenset()
) -> tuple[str, ...]:
    """The fields of a model class whose type can hold a float, at any depth."""
    found = _FLOAT_FIELDS.get(model)
    if found is None:
        inside = visiting | {model}
        found = tuple(
            name
            for name, field in model.model_fields.items()
            if _can_hold_float(field.annotation, inside)
        )
        if not visiting:  # a class met again inside itself is judged by its outermost visit
            _FLOAT_FIELDS[model] = found
    return found


def _can_hold_float(annotation: Any, visiting: frozenset[type]) -> bool:
    if annotation is float or annotation is Any or annotation is object:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation not in visiting and bool(_float_fields(annotation, visiting))
    if get_origin(annotation) in (Union, types.UnionType) or get_args(annotation):
        return any(_can_hold_float(arg, visiting) for arg in get_args(annotation))
    return False
