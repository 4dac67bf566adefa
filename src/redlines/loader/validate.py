"""Validate a file's data against its spec model, and say what is wrong in the author's words.

pydantic reports an error as a kind (`missing`, `int_type`, …), a location and its own message.
`TRANSLATIONS` turns each kind into a message about the file, at the line to fix; a kind not in
the table keeps pydantic's message.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from pydantic import ValidationError

from ..gcpause import collector_paused
from ..models import InputError, Origin, Problem, Source, fail
from ..specs import SourceSpec, Spec, spec_named, suggest
from ..yamlfile import Document, Path_, clip, one_line, read_yaml
from .values import shown

# Problems listed per file. A hostile file can hold 100,000 misspelt terms, and a "did you mean"
# for each would take minutes; past this many, the checks stop and say so.
MAX_PROBLEMS = 100

SpecT = TypeVar("SpecT", bound=Spec)
Params = ParamSpec("Params")
Result = TypeVar("Result")


def one_line_problems(load: Callable[Params, Result]) -> Callable[Params, Result]:
    """Every problem a loader raises fits on one line, whatever text the file held.

    A key or value can hold a newline (a block scalar, an escape); printed raw it would break
    the file:line:col format, or fake a line of its own in a CI log.

    The cyclic garbage collector is paused while a file loads (gcpause.py: at 10,000 rules a load
    took 4.6 s with it, 2.1 s without).
    """

    @functools.wraps(load)
    def loader(*args: Params.args, **kwargs: Params.kwargs) -> Result:
        try:
            with collector_paused():
                return load(*args, **kwargs)
        except InputError as err:
            raise InputError(
                [
                    problem.model_copy(
                        update={
                            "file": one_line(problem.file),
                            "message": one_line(problem.message),
                        }
                    )
                    for problem in err.problems
                ]
            ) from None

    return loader


def enough(problems: list[Problem]) -> bool:
    """Whether a file has given more problems than are listed; its checks may stop."""
    return len(problems) > MAX_PROBLEMS


def capped(problems: list[Problem]) -> list[Problem]:
    """The first MAX_PROBLEMS problems of each file, then a line saying the list stops there."""
    by_file: dict[str, list[Problem]] = {}
    for problem in sorted(problems, key=lambda p: (p.file, p.line, p.col, p.message)):
        by_file.setdefault(problem.file, []).append(problem)
    kept: list[Problem] = []
    for found in by_file.values():
        kept.extend(found[:MAX_PROBLEMS])
        if len(found) > MAX_PROBLEMS:
            kept.append(
                found[MAX_PROBLEMS].model_copy(
                    update={
                        "message": "more problems from here on: "
                        f"redlines lists the first {MAX_PROBLEMS} of a file; "
                        "fix those and run it again"
                    }
                )
            )
    return kept


def same_ids(
    items: Iterable[tuple[str, Origin | None]], what: str, file: str = "<input>"
) -> list[Problem]:
    """An id given twice, or two ids that differ only in case, each as a problem at the later.

    'UA-1' and 'ua-1' read as one rule to a reviewer, and as one file to a case-insensitive file
    system or URL; an id must differ from the others in more than case.
    """
    problems: list[Problem] = []
    seen: dict[str, tuple[str, Origin | None]] = {}
    for item_id, origin in items:
        first = seen.get(item_id.casefold())
        if first is None:
            seen[item_id.casefold()] = (item_id, origin)
        elif first[0] == item_id:
            problems.append(
                Problem.at(origin, f"duplicate {what} id '{item_id}' (first at {first[1]})", file)
            )
        else:
            problems.append(
                Problem.at(
                    origin,
                    f"{what} id '{item_id}' differs only in case from '{first[0]}' "
                    f"(at {first[1]}); ids must differ in more than case",
                    file,
                )
            )
    return problems


def read_spec(path: str | Path, display: str, spec: type[SpecT]) -> tuple[Document, SpecT]:
    """Read one YAML file and validate it against a spec model."""
    doc = read_yaml(path, display)
    return doc, validate_spec(doc, spec)


def validate_spec(doc: Document, spec: type[SpecT]) -> SpecT:
    """Validate a document's data against a spec model; problems point at the offending line."""
    if not isinstance(doc.data, dict):
        fail(
            doc.at(()),
            f"{spec.noun} must be a mapping with {spec.layout} at the top, "
            f"but this file holds {shown(doc.data)}",
        )
    try:
        return spec.model_validate(doc.data)
    except ValidationError as err:
        raise InputError(capped(_problems_from(doc, err))) from None


def to_sources(specs: Iterable[SourceSpec]) -> tuple[Source, ...]:
    return tuple(s.to_source() for s in specs)


# --- pydantic's errors in the author's words ----------------------------------------------------


@dataclass(frozen=True)
class PydanticError:
    """One pydantic error, placed in the file: what `TRANSLATIONS` turns into problems."""

    doc: Document
    kind: str
    said: str  # pydantic's own message
    ctx: dict[str, Any]
    raw: Any  # the offending value
    path: Path_  # where it is in the data
    missing: str  # the last step of pydantic's location: a missing key's name

    @property
    def field(self) -> str:
        return next((str(step) for step in reversed(self.path) if isinstance(step, str)), "")

    @property
    def prefix(self) -> str:
        return f"'{self.field}'" if self.field else "this value"

    def here(self, message: str) -> list[Problem]:
        return [self.doc.problem(self.path, message)]


def _unknown_keys(error: PydanticError) -> list[Problem]:
    # One problem per unknown key, at the key (specs.Spec names them all, with hints).
    allowed = ", ".join(error.ctx.get("allowed", []))
    return [
        error.doc.problem(
            (*error.path, key),
            f"unknown key '{clip(key)}'{hint or f'; allowed here: {allowed}'}",
            key=True,
        )
        for key, hint in zip(error.ctx["keys"], error.ctx["hints"], strict=True)
    ]


def _missing(error: PydanticError) -> list[Problem]:
    return error.here(f"missing required key '{error.missing}'")


def _own(error: PydanticError) -> list[Problem]:
    # Our validators' errors (specs.py): their message stands alone, at the key they name.
    key = error.ctx.get("key")
    if key is not None and isinstance(error.doc.data, dict):
        return [error.doc.problem((*error.path, key), error.said, key=True)]
    return error.here(error.said)


def _not_a_mapping(error: PydanticError) -> list[Problem]:
    spec = spec_named(str(error.ctx.get("class_name", "")))
    if spec is None:
        return _as_pydantic_says(error)
    keys = _listed(spec.required_keys()) or "its keys"
    return error.here(f"{spec.noun} must be a mapping with {keys}, got {shown(error.raw)}")


# What a wrong-type error expected, in words.
_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "bool_type": "true or false",
}


def _expected(error: PydanticError) -> list[Problem]:
    kind, raw = error.kind, error.raw
    message = f"{error.prefix}: expected {_EXPECTED[kind]}, got {shown(raw)}"
    if kind == "string_type" and isinstance(raw, int | float | dt.date):
        message += "; put it in quotes to make it text"
    elif kind.startswith("int") and isinstance(raw, str) and raw.strip().isdigit():
        message += "; remove the quotes"
    elif kind == "list_type" and isinstance(raw, str | int):
        message += f"; write [{clip(str(raw))}]"
    return error.here(message)


def _one_of(error: PydanticError) -> list[Problem]:
    choices = re.findall(r"'([^']*)'", str(error.ctx.get("expected", "")))
    hint = suggest(error.raw, choices) if isinstance(error.raw, str) else ""
    return error.here(
        f"{error.prefix} must be one of {', '.join(choices)}; got {shown(error.raw)}{hint}"
    )


def _at_least(error: PydanticError) -> list[Problem]:
    return error.here(
        f"{error.prefix} must be at least {error.ctx.get('ge')}, got {shown(error.raw)}"
    )


def _empty(error: PydanticError) -> list[Problem]:
    what = "must set at least one term" if error.field == "then" else "must not be empty"
    return error.here(f"{error.prefix} {what}")


def _date(error: PydanticError) -> list[Problem]:
    got = f", got {shown(error.raw)}" if error.said.startswith("expected") else ""
    return error.here(f"{error.prefix}: {error.said}{got}")


def _as_pydantic_says(error: PydanticError) -> list[Problem]:
    return error.here(f"{error.prefix}: {error.said}")


# pydantic error kind -> the problems it becomes. Kinds not listed keep pydantic's message.
TRANSLATIONS: dict[str, Callable[[PydanticError], list[Problem]]] = {
    "unknown_key": _unknown_keys,
    "missing": _missing,
    "weight": _own,
    "id": _own,
    "dates": _own,
    "shape": _own,
    "source": _own,
    "tag": _own,
    "model_type": _not_a_mapping,
    **dict.fromkeys(_EXPECTED, _expected),
    "enum": _one_of,
    "literal_error": _one_of,
    "greater_than_equal": _at_least,
    "too_short": _empty,
    "date_only": _date,
}

# pydantic error kinds that only say "wrong shape"; in a union (a source given as an id or as a
# mapping) each branch reports one, and the real complaint, if any, is elsewhere.
_SHAPE_ERRORS = frozenset({"string_type", "model_type", "dict_type", "model_attributes_type"})


def _problems_from(doc: Document, err: ValidationError) -> list[Problem]:
    problems: dict[tuple[Path_, str], Problem] = {}
    located = [
        (error, *_data_path(doc.data, error["loc"])) for error in err.errors(include_url=False)
    ]
    # Every prefix of a path with a real complaint: a union branch's shape error there is noise.
    explained: set[Path_] = set()
    for error, path, branch in located:
        if not (branch and error["type"] in _SHAPE_ERRORS):
            explained.update(path[:end] for end in range(len(path) + 1))
    union_shapes: dict[Path_, Any] = {}
    for error, path, branch in located:
        if branch and error["type"] in _SHAPE_ERRORS:
            if path not in explained:
                union_shapes.setdefault(path, error["input"])
            continue
        placed = PydanticError(
            doc=doc,
            kind=error["type"],
            said=error["msg"],
            ctx=error.get("ctx") or {},
            raw=error.get("input"),
            path=path,
            missing=str(error["loc"][-1]) if error["loc"] else "",
        )
        for problem in TRANSLATIONS.get(placed.kind, _as_pydantic_says)(placed):
            problems.setdefault((path, problem.message), problem)
    for path, raw in union_shapes.items():
        field = next((str(step) for step in reversed(path) if isinstance(step, str)), "")
        problem = doc.problem(
            path,
            f"'{field}': expected a source id (text) or a source mapping, got {shown(raw)}"
            if field == "sources"
            else f"'{field}': unexpected {shown(raw)}",
        )
        problems.setdefault((path, problem.message), problem)
    return list(problems.values())


def _listed(words: list[str]) -> str:
    quoted = [f"'{word}'" for word in words]
    return " and ".join(filter(None, [", ".join(quoted[:-1]), *quoted[-1:]]))


def _data_path(data: Any, loc: tuple[int | str, ...]) -> tuple[Path_, bool]:
    """The part of a pydantic error location that names real keys and indexes in the data."""
    path: list[str | int] = []
    skipped = False
    for step in loc:
        in_dict = isinstance(data, dict) and step in data
        in_list = isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data)
        if in_dict or in_list:
            data = data[step]
            path.append(step)
        else:
            skipped = True  # a union branch tag or a missing key
    return tuple(path), skipped
