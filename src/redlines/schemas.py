"""The published JSON Schemas (`redlines schema KIND`): what an editor validates and completes.

Each input kind's shape is its spec model (`specs.py`), the report's is `ReportSet`. Publishing
adds what the models cannot know:

- **The catalogue.** Every mapping of terms to values (a clause's `terms`, a variant's, a rule
  example's, a test case's, an implication's `then`) becomes an object with one property per
  catalogue term: its type, its allowed values with what each means (`enumDescriptions`, which
  VS Code's YAML extension shows beside each value in completion), its bounds and its title and
  description. A misspelt term or a value the term does not have is flagged in the editor before
  `redlines` runs. A condition's `term` completes to the catalogue's names.
- **Descriptions.** A field's description is the docstring written under it in its model. They
  are read from the source here, when a schema is published, rather than by pydantic on every
  import (its `use_attribute_docstrings` parses each model's source as the class is built, which
  tripled the import time of the models).
- **The dialect.** JSON Schema draft-07, the newest dialect yaml-language-server (the language
  server behind VS Code's YAML extension and most editors' YAML support) fully supports; it
  validates later dialects only in part. pydantic writes 2020-12, so `$defs` become
  `definitions`, and a `$ref` with a description beside it (which draft-07 ignores) is wrapped
  in `allOf`.

Every property of every published schema has a description (tested).
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import textwrap
import typing
from typing import Any

from pydantic import BaseModel

from .models import Catalogue, Term, TermType
from .specs import SPEC_FOR_KIND, TERMS_MARK, json_schema

DIALECT = "http://json-schema.org/draft-07/schema#"
KINDS = ("proposal", "rules", "implications", "ties", "terms", "test", "report")

# A kind's title in the schema (editors show it when they name the schema in use).
_TITLES = {
    "proposal": "redlines proposal (a draft or a variant)",
    "rules": "redlines rule set (one actor's rules)",
    "implications": "redlines implications (terms derived from terms)",
    "ties": "redlines ties (terms that cannot contradict each other)",
    "terms": "redlines term catalogue",
    "test": "redlines test file",
    "report": "redlines check report (--format json)",
}


def published_schema(kind: str, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """The JSON Schema `redlines schema KIND` prints: draft-07, term mappings per `catalogue`."""
    model: type[BaseModel]
    if kind == "report":
        from .report import ReportSet  # the report's models, only when asked for

        model = ReportSet
        raw: dict[str, Any] = ReportSet.model_json_schema()
    else:
        model = SPEC_FOR_KIND[kind]
        raw = json_schema(kind)
    schema = _draft_07(_with_catalogue(_described(raw, model), catalogue))
    description = schema.pop("description", None) or SPEC_FOR_KIND[kind].__doc__
    return {
        "$schema": DIALECT,
        "title": _TITLES[kind],
        "description": " ".join(str(description).split()),
        **{key: value for key, value in schema.items() if key != "title"},
    }


# --- descriptions -------------------------------------------------------------------------------


def _described(schema: dict[str, Any], root: type[BaseModel]) -> dict[str, Any]:
    """The schema with each model's field docstrings as its properties' descriptions."""
    models = {cls.__name__: cls for cls in _models_in(root)}
    described = _describe_properties(schema, root)
    definitions = {
        name: _describe_properties(node, models[name]) if name in models else node
        for name, node in schema.get("$defs", {}).items()
    }
    return {**described, "$defs": definitions} if definitions else described


def _describe_properties(node: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    docs = field_docs(model)
    properties = {
        name: (
            {**prop, "description": docs[name]}
            if name in docs and not prop.get("description")
            else prop
        )
        for name, prop in node.get("properties", {}).items()
    }
    return {**node, "properties": properties} if properties else node


def _models_in(root: type[BaseModel]) -> list[type[BaseModel]]:
    """The root model and every model its fields hold, at any depth."""
    found: list[type[BaseModel]] = []

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in found:
                found.append(annotation)
                for field in annotation.model_fields.values():
                    visit(field.annotation)
            return
        for arg in typing.get_args(annotation):
            visit(arg)

    visit(root)
    return found


@functools.cache
def field_docs(model: type[BaseModel]) -> dict[str, str]:
    """The docstring under each field of a model (and of the models it extends)."""
    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        try:
            source = textwrap.dedent(inspect.getsource(cls))
        except (OSError, TypeError):  # no source (a frozen build): descriptions are optional
            continue
        (definition,) = ast.parse(source).body
        assert isinstance(definition, ast.ClassDef)
        body = definition.body
        for statement, following in itertools.pairwise(body):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[statement.target.id] = " ".join(following.value.value.split())
    return docs


# --- the catalogue ------------------------------------------------------------------------------


def _with_catalogue(schema: dict[str, Any], catalogue: Catalogue | None) -> dict[str, Any]:
    linked: dict[str, Any] = _link_terms(schema)
    if linked == schema:  # this kind holds no term mappings
        return schema
    definitions = linked.setdefault("$defs", {})
    definitions["Terms"] = terms_schema(catalogue) if catalogue else _ANY_TERMS
    condition = definitions.get("Condition")
    if condition is not None and catalogue is not None:
        properties = dict(condition["properties"])
        properties["term"] = {**properties["term"], **_term_names(catalogue)}
        definitions["Condition"] = {**condition, "properties": properties}
    return linked


_ANY_TERMS = {
    "description": "Catalogue terms and their values (term: value).",
    "type": "object",
}


def terms_schema(catalogue: Catalogue) -> dict[str, Any]:
    """A mapping of catalogue terms to values: one property per term, nothing else."""
    return {
        "description": "Catalogue terms and their values (term: value); `redlines terms` "
        "lists them.",
        "type": "object",
        "properties": {name: term_schema(term) for name, term in catalogue.terms.items()},
        "additionalProperties": False,
    }


def term_schema(term: Term) -> dict[str, Any]:
    """One term's value: its type, allowed values and their meanings, bounds, description."""
    lines = [term.title + "."]
    if term.description:
        lines += ["", " ".join(term.description.split())]
    node: dict[str, Any] = {}
    if term.type is TermType.ENUM:
        meanings = term.meanings or {}
        node = {
            "type": "string",
            "enum": list(term.values),
            "enumDescriptions": [meanings.get(v, "") for v in term.values],
        }
    elif term.type is TermType.INTEGER:
        node = {"type": "integer"}
        if term.min is not None:
            node["minimum"] = term.min
        if term.max is not None:
            node["maximum"] = term.max
        if term.unit:
            lines.insert(1, f"Unit: {term.unit}.")
    elif term.type is TermType.BOOLEAN:
        node = {"type": "boolean"}
    else:
        node = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    return {"title": term.title, "description": "\n".join(lines), **node}


def _term_names(catalogue: Catalogue) -> dict[str, Any]:
    names = list(catalogue.terms)
    return {"enum": names, "enumDescriptions": [catalogue.terms[n].title for n in names]}


def _link_terms(node: Any) -> Any:
    # Spec fields holding term mappings carry a mark; point each at the catalogue's definition,
    # keeping the field's own description and null where the field allows it.
    if isinstance(node, dict):
        if node.get("$comment") == TERMS_MARK["$comment"]:
            kept = {key: value for key, value in node.items() if key != "$comment"}
            return {"$ref": "#/$defs/Terms", **kept}
        return {key: _link_terms(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_link_terms(item) for item in node]
    return node


# --- draft-07 -----------------------------------------------------------------------------------


def _draft_07(node: Any) -> Any:
    if isinstance(node, list):
        return [_draft_07(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {
        ("definitions" if key == "$defs" else key): (
            _draft_07(value) if key != "properties" else _properties(value)
        )
        for key, value in node.items()
    }
    ref = converted.get("$ref")
    if isinstance(ref, str):
        converted["$ref"] = ref.replace("#/$defs/", "#/definitions/")
        if len(converted) > 1:  # draft-07 ignores whatever stands beside a $ref
            target = {"$ref": converted.pop("$ref")}
            converted["allOf"] = [target, *converted.get("allOf", [])]
    return converted


def _properties(properties: dict[str, Any]) -> dict[str, Any]:
    return {name: _draft_07(schema) for name, schema in properties.items()}


def undescribed(schema: dict[str, Any]) -> list[str]:
    """Every property in a schema that has no description, as JSON pointers.

    A property that is a reference is described by what it refers to, as an editor shows it.
    """
    definitions = schema.get("definitions", {})

    def described(node: Any) -> bool:
        if not isinstance(node, dict):
            return False
        if node.get("description"):
            return True
        ref = node.get("$ref") or next(
            (part.get("$ref") for part in node.get("allOf", []) if "$ref" in part), None
        )
        target = definitions.get(str(ref).rsplit("/", 1)[-1]) if ref else None
        return bool(target and target.get("description"))

    def walk(node: Any, path: str) -> list[str]:
        found: list[str] = []
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                if not described(sub):
                    found.append(f"{path}/properties/{name}")
            for key, value in node.items():
                found += walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                found += walk(item, f"{path}/{i}")
        return found

    return walk(schema, "#")
