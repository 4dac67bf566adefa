"""Read one YAML file safely and remember where every key and value was written.

PyYAML's SafeLoader is the parser, but we build the Python values ourselves from its node tree:
that is where duplicate keys, tags, alias bombs, nesting and YAML 1.1 booleans are caught, and
where each node's line and column are kept for error messages and findings.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .models import InputError, Origin, Problem

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32
# Nodes after expanding aliases; a "billion laughs" file hits this long before it costs memory.
MAX_NODES = 200_000

Path_ = tuple[str | int, ...]

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}


class _Loader(yaml.SafeLoader):
    """SafeLoader whose only booleans are true/false (YAML 1.2), so `yes`/`on` stay strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@dataclass
class Document:
    """A parsed file: its data as plain Python, and the position of each value and key."""

    file: str
    data: Any
    values: dict[Path_, Origin] = field(default_factory=dict)
    keys: dict[Path_, Origin] = field(default_factory=dict)

    def at(self, path: Path_) -> Origin:
        """The position of the value at `path`, or of its nearest enclosing value."""
        return _nearest(self.values, path) or Origin(file=self.file, line=1, col=1)

    def key_at(self, path: Path_) -> Origin:
        """The position of the key that names `path` (falls back to the value)."""
        return self.keys.get(path) or self.at(path)

    def problem(self, path: Path_, message: str, *, key: bool = False) -> Problem:
        return Problem.at(self.key_at(path) if key else self.at(path), message)


def _nearest(table: dict[Path_, Origin], path: Path_) -> Origin | None:
    for end in range(len(path), -1, -1):
        found = table.get(path[:end])
        if found is not None:
            return found
    return None


def read_yaml(path: str | Path, display: str | None = None) -> Document:
    """Parse one file. Raises InputError with a file:line:col problem on any failure."""
    name = display or str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError([Problem(file=name, line=1, col=1, message="file not found")]) from None
    except IsADirectoryError:
        raise InputError([Problem(file=name, line=1, col=1, message="is a directory")]) from None
    except OSError as err:
        raise InputError([Problem(file=name, line=1, col=1, message=err.strerror or str(err))]) from None
    return parse_yaml(raw, name)


def parse_yaml(raw: bytes, name: str) -> Document:
    if len(raw) > MAX_FILE_BYTES:
        raise InputError([Problem(file=name, line=1, col=1, message=(
            f"file is {len(raw):,} bytes, over the limit of {MAX_FILE_BYTES:,}"))])
    text = _decode(raw, name)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = err.problem or err.context or "invalid YAML"
        raise InputError([Problem(file=name, line=line, col=col, message=f"not valid YAML: {what}")]) from None
    except yaml.YAMLError as err:
        raise InputError([Problem(file=name, line=1, col=1, message=f"not valid YAML: {err}")]) from None
    except RecursionError:
        raise InputError([Problem(file=name, line=1, col=1, message=(
            f"nesting deeper than the limit of {MAX_DEPTH} levels"))]) from None
    if node is None:
        raise InputError([Problem(file=name, line=1, col=1, message="file is empty")])
    doc = Document(file=name, data=None)
    builder = _Builder(doc)
    doc.data = builder.build(node, (), 0)
    return doc


def _decode(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        col = err.start - (before.rfind(b"\n") + 1) + 1
        raise InputError([Problem(file=name, line=line, col=col, message=(
            f"not UTF-8: byte 0x{raw[err.start]:02x} cannot be decoded"))]) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError([Problem(file=name, line=line, col=1, message="file contains a NUL byte")])
    return text.replace("\r\n", "\n")


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.nodes = 0
        self.constructor = _Loader("")

    def origin(self, node: yaml.Node) -> Origin:
        mark = node.start_mark
        return Origin(file=self.doc.file, line=mark.line + 1, col=mark.column + 1)

    def fail(self, node: yaml.Node, message: str) -> InputError:
        return InputError([Problem.at(self.origin(node), message)])

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(node, (
                f"document expands to more than {MAX_NODES:,} values "
                "(are anchors and aliases used to multiply it?)"))
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nesting deeper than the limit of {MAX_DEPTH} levels")
        if node.tag not in _STANDARD_TAGS:
            raise self.fail(node, f"YAML tag '{node.tag}' is not allowed; write plain values")
        self.doc.values.setdefault(path, self.origin(node))
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Origin] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(key_node, "YAML merge keys ('<<') are not supported")
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "a key must be a plain word, not a list or mapping")
            key = str(key_node.value)
            key_origin = self.origin(key_node)
            if key in first_seen:
                first = first_seen[key]
                raise self.fail(key_node, f"duplicate key '{key}' (first at line {first.line})")
            first_seen[key] = key_origin
            self.doc.keys[(*path, key)] = key_origin
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as err:
            raise self.fail(node, f"cannot read value '{node.value}': {err}") from None
        if isinstance(value, float) and value != value:  # NaN never equals itself
            raise self.fail(node, "NaN is not a value")
        if isinstance(value, dt.datetime):
            raise self.fail(node, "write a date (YYYY-MM-DD), not a date and time")
        return value
