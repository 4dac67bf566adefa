"""Read one YAML file safely and remember where every key and value was written.

PyYAML (its libyaml parser where installed) does the parsing, but we build the Python values
ourselves from its node tree: that is where duplicate keys, tags, control characters and
YAML 1.1 surprises are caught, and where each node's line and column are kept for error messages
and findings. Before any node is built, one cheap pass over the parser's events enforces the
limits (nesting, number of values, alias expansion), so a hostile file costs milliseconds and
a few megabytes, never seconds or gigabytes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .models import InputError, Origin, Problem

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32
# Keys and values, an alias counted at the size of what it repeats. The biggest real rule file
# has a few thousand; a "billion laughs" file hits this in its event stream, before one node is
# built, and 100,000 nodes cost PyYAML under 0.2 s and 30 MB.
MAX_NODES = 100_000
# Whole numbers travel through durable-rules' C core and JSON reports, where numbers are doubles:
# past 2**53 they silently lose digits (and Python refuses to print more than 4,300 of them).
MAX_INT = 2**53 - 1

Path_ = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_SEQ_TAG = f"{_TAG}seq"
_MAP_TAG = f"{_TAG}map"

# YAML 1.2 core schema: only true/false are booleans (YAML 1.1 also read yes/no/on/off/y/n),
# and 010 is ten, not eight; 1:30 is text, not ninety. `_` between digits is allowed, as PyYAML
# always did, so 3_000_000 stays readable.
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9][0-9_]*|[-+]?0o[0-7_]+|[-+]?0x[0-9a-fA-F_]+)$")
_DATE = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})$")

# What `one_line` escapes in a message: anything that could end a line or disguise one.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
# What YAML allows in a file at all (its "printable" set); the parser's own complaint about the
# rest has no line and column.
_UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Text may hold tabs and newlines, but no other control characters (an escape sequence can
# rewrite a terminal line or a CI annotation), no lone surrogates (they cannot be printed), and
# no bidirectional overrides (they make text display differently from what it says).
_BAD_CHAR = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def _resolvers(
    base: type[yaml.resolver.BaseResolver],
) -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    replaced = {f"{_TAG}bool", f"{_TAG}int"}
    table: dict[Any, list[tuple[str, re.Pattern[str]]]] = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in replaced]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    for tag, regexp, firsts in (
        (f"{_TAG}bool", _BOOL, "tTfF"),
        (f"{_TAG}int", _INT, "-+0123456789"),
    ):
        for first in firsts:
            table.setdefault(first, []).append((tag, regexp))
    return table


class _Loader(yaml.SafeLoader):
    """Pure-Python parser with the YAML 1.2 booleans and integers."""


_Loader.yaml_implicit_resolvers = _resolvers(yaml.SafeLoader)

if yaml.__with_libyaml__:

    class _CLoader(yaml.CSafeLoader):
        """libyaml's parser (ten times faster) with the same resolvers."""

    _CLoader.yaml_implicit_resolvers = _resolvers(yaml.CSafeLoader)
    _PARSER: type[Any] = _CLoader
else:  # pragma: no cover - PyYAML built without libyaml
    _PARSER = _Loader


@dataclass
class Document:
    """A parsed file: its data as plain Python, and the position of each value and key."""

    file: str
    data: Any
    # (line, col), 1-based; Origin objects are made only for the few positions asked for.
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def at(self, path: Path_) -> Origin:
        """The position of the value at `path`, or of its nearest enclosing value."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return Origin(file=self.file, line=found[0], col=found[1])
        return Origin(file=self.file, line=1, col=1)

    def key_at(self, path: Path_) -> Origin:
        """The position of the key that names `path` (falls back to the value)."""
        found = self.keys.get(path)
        if found is None:
            return self.at(path)
        return Origin(file=self.file, line=found[0], col=found[1])

    def problem(self, path: Path_, message: str, *, key: bool = False) -> Problem:
        return Problem.at(self.key_at(path) if key else self.at(path), message)


def _fail(file: str, line: int, col: int, message: str) -> InputError:
    return InputError([Problem(file=file, line=line, col=col, message=message)])


def clip(text: str, limit: int = 60) -> str:
    """A user's text for a message: on one line, and short, so a 1 MB key is no 1 MB message."""
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str) -> str:
    """Control characters escaped, so no text can break a message into lines (or fake one)."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def read_yaml(path: str | Path, display: str | None = None) -> Document:
    """Parse one file. Raises InputError with a file:line:col problem on any failure."""
    name = display or str(path)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise _fail(name, 1, 1, "is a directory, not a YAML file")
        if not stat.S_ISREG(info.st_mode):
            # A FIFO would block forever and a device never ends; only plain files are read.
            raise _fail(name, 1, 1, "is not a regular file; name a YAML file")
        if info.st_size > MAX_FILE_BYTES:
            raise _too_big(name, info.st_size)
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        raise _fail(name, 1, 1, "file not found") from None
    except PermissionError:
        raise _fail(name, 1, 1, "cannot read this file: permission denied") from None
    except (OSError, ValueError) as err:  # ValueError: a NUL in the name
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise _fail(name, 1, 1, f"cannot read this file: {reason}") from None
    return parse_yaml(raw, name)


def _too_big(name: str, size: int) -> InputError:
    return _fail(
        name,
        1,
        1,
        (
            f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}; "
            "split it into smaller files"
        ),
    )


def parse_yaml(raw: bytes, name: str) -> Document:
    """Parse YAML bytes (UTF-8, optional BOM, LF or CRLF) into a Document."""
    if len(raw) > MAX_FILE_BYTES:
        raise _too_big(name, len(raw))
    text = _decode(raw, name)
    _check_events(text, name)
    try:
        node = yaml.compose(text, Loader=_PARSER)
    except yaml.MarkedYAMLError as err:  # the event pass saw the same text; kept as a backstop
        raise _syntax_error(err, name, text) from None
    except yaml.YAMLError as err:
        raise _other_error(err, name, text) from None
    if node is None:
        raise _fail(name, 1, 1, "file is empty (it holds no YAML content, only blanks or comments)")
    doc = Document(file=name, data=None)
    doc.data = _Builder(doc).build(node, (), 0)
    return doc


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(name, 1, 1, "the file is UTF-16; save it as UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        start = raw.rfind(b"\n", 0, err.start) + 1
        line = raw.count(b"\n", 0, err.start) + 1
        col = len(raw[start : err.start].decode("utf-8", errors="replace")) + 1
        raise _fail(
            name,
            line,
            col,
            (
                f"the file is not UTF-8 text (byte 0x{raw[err.start]:02x} here); "
                "save it with UTF-8 encoding"
            ),
        ) from None
    bad = _UNPRINTABLE.search(text)
    if bad is not None:
        at = bad.start()
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        if bad.group() == "\x00":
            raise _fail(name, line, col, "the file contains a NUL byte; is it a binary file?")
        raise _fail(
            name,
            line,
            col,
            (
                f"the file contains the character U+{ord(bad.group()):04X}, which YAML does not "
                "allow; remove it"
            ),
        )
    return text.replace("\r\n", "\n")


# --- the event pass: limits before any node is built ------------------------------------------


@dataclass
class _Open:
    """A mapping or sequence whose end event has not come yet."""

    anchor: str | None
    start_total: int
    start_depth: int
    deepest: int


def _check_events(text: str, name: str) -> None:
    """Walk the parser's events once, enforcing nesting, size and alias expansion.

    Aliases are counted at their expanded size (an anchor's size includes aliases inside it), so
    nine nested levels of nine aliases count as the billion values they would become.
    """
    total = 0  # values so far, aliases expanded
    depth = 0
    documents = 0
    sizes: dict[str, tuple[int, int]] = {}  # anchor -> (values, nesting levels below it)
    stack: list[_Open] = []

    def fail(mark: Any, message: str) -> InputError:
        return _fail(name, mark.line + 1, mark.column + 1, message)

    try:
        for event in yaml.parse(text, Loader=_PARSER):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise fail(
                        event.start_mark,
                        (
                            "a second YAML document starts here; a file holds one document, so "
                            "remove this '---' and what follows, or move it to its own file"
                        ),
                    )
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                done = stack.pop()
                depth -= 1
                if done.anchor is not None:
                    sizes[done.anchor] = (total - done.start_total, done.deepest - done.start_depth)
                if stack:
                    stack[-1].deepest = max(stack[-1].deepest, done.deepest)
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            if isinstance(event, yaml.AliasEvent):
                anchor = str(event.anchor)
                if anchor not in sizes:
                    if any(o.anchor == anchor for o in stack):
                        raise fail(
                            event.start_mark,
                            (
                                f"alias '*{clip(anchor)}' refers to a collection that contains it; "
                                "a value cannot include itself"
                            ),
                        )
                    raise fail(
                        event.start_mark,
                        (
                            f"alias '*{clip(anchor)}' names no anchor '&{clip(anchor)}' "
                            "defined before it"
                        ),
                    )
                size, below = sizes[anchor]
                total += size
                if total > MAX_NODES:
                    raise fail(
                        event.start_mark,
                        (
                            f"alias '*{clip(anchor)}' expands the document past "
                            f"{MAX_NODES:,} keys and values, the limit; write the content out once "
                            "instead of multiplying it with aliases"
                        ),
                    )
                if depth + below > MAX_DEPTH:
                    raise fail(
                        event.start_mark,
                        (
                            f"alias '*{clip(anchor)}' nests values deeper than the limit of "
                            f"{MAX_DEPTH} levels"
                        ),
                    )
                if stack:
                    stack[-1].deepest = max(stack[-1].deepest, depth + below)
                continue
            total += 1
            if total > MAX_NODES:
                raise fail(
                    event.start_mark,
                    (
                        f"the file holds more than {MAX_NODES:,} keys and values, the limit; "
                        "split it into smaller files"
                    ),
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise fail(
                        event.start_mark,
                        (
                            f"nesting deeper than the limit of {MAX_DEPTH} levels; "
                            "flatten the structure"
                        ),
                    )
                stack.append(_Open(event.anchor, total - 1, depth - 1, depth))
            elif event.anchor is not None:  # an anchored scalar
                sizes[event.anchor] = (1, 0)
    except yaml.MarkedYAMLError as err:
        raise _syntax_error(err, name, text) from None
    except yaml.YAMLError as err:
        raise _other_error(err, name, text) from None


def _other_error(err: yaml.YAMLError, name: str, text: str) -> InputError:
    if isinstance(err, yaml.reader.ReaderError):  # a character YAML does not allow
        at = min(max(int(err.position), 0), len(text))
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        return _fail(name, line, col, f"not valid YAML: {err.reason}; remove the character")
    first = str(err).strip().splitlines()[0] if str(err).strip() else "invalid YAML"
    return _fail(name, 1, 1, f"not valid YAML: {first}")


# Plain words for the parser's most common complaints: (phrase in its message, what to do).
_HINTS = (
    ("exceeded maximum nesting depth", f"nesting is limited to {MAX_DEPTH} levels"),
    (
        "mapping values are not allowed",
        ("a text containing ': ' must be in quotes, and each key must start a new line"),
    ),
    ("could not find expected ':'", "a key needs ': ' after it, or quote a text containing ':'"),
    (
        "block sequence entries are not allowed",
        ("a '- ' list item must start its own line, indented under its key"),
    ),
    ("unknown escape", "inside double quotes write a backslash as \\\\, or use single quotes"),
    ("end of stream", "close the quote or bracket opened there"),
    ("did not find expected node content", "a value is missing here"),
    ("expected ',' or ']'", "separate items with ',' and close the list with ']'"),
    ("expected ',' or '}'", "separate entries with ',' and close the mapping with '}'"),
    ("expected <block end>", "check this line's indentation against the lines above"),
    ("did not find expected key", "check this line's indentation against the lines above"),
    ("did not find expected", "check this line's indentation against the lines above"),
    ("tab", "YAML indents with spaces, not tabs"),
    ("special characters are not allowed", "remove the control character"),
    ("unacceptable character", "remove the control character"),
)


def _syntax_error(err: yaml.MarkedYAMLError, name: str, text: str) -> InputError:
    mark = err.problem_mark or err.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = (err.problem or "invalid YAML").strip()
    if "exceeded maximum nesting depth" in problem:  # libyaml's own limit, far above ours
        return _fail(
            name,
            line,
            col,
            (f"nesting deeper than the limit of {MAX_DEPTH} levels; flatten the structure"),
        )
    message = f"not valid YAML: {problem}"
    opened = _open_quote(text, mark.line) if mark is not None else None
    if opened is not None:
        return _fail(
            name,
            line,
            col,
            (
                f"{message}; the quoted text opened at line {opened[0]}, column {opened[1]} "
                "runs on to here: is its closing quote missing?"
            ),
        )
    context, where = err.context, err.context_mark
    if context and where is not None and (where.line, where.column) != (line - 1, col - 1):
        message += f" ({context} starting at line {where.line + 1}, column {where.column + 1})"
    if "cannot start any token" in problem and mark is not None:
        found = _char_at(text, mark.line, mark.column)
        if found == "\t":
            return _fail(name, line, col, f"{message}; YAML indents with spaces, not tabs")
        shown = repr(found) if found else "this character"
        return _fail(name, line, col, f"{message}; a value starting with {shown} must be in quotes")
    hint = next((hint for phrase, hint in _HINTS if phrase in problem), None)
    return _fail(name, line, col, f"{message}; {hint}" if hint else message)


def _open_quote(text: str, line: int) -> tuple[int, int] | None:
    """Where a quoted text starts that spans lines and ends on `line` (0-based), if one does.

    An unclosed quote swallows the lines after it, so the parser complains only where the text
    happens to end; the start is what the author must fix.
    """
    try:
        for token in yaml.scan(text, Loader=_PARSER):
            start, end = token.start_mark, token.end_mark
            if start.line > line:
                break
            if (
                isinstance(token, yaml.ScalarToken)
                and token.style in ('"', "'")
                and end.line == line
                and start.line < line
            ):
                return start.line + 1, start.column + 1
    except yaml.YAMLError:
        pass
    return None


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line + 1)
    if line < len(lines) and column < len(lines[line]):
        return lines[line][column]
    return ""


# --- building values with positions ------------------------------------------------------------


def _tag_shown(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.nodes = 0

    def fail(self, node: yaml.Node, message: str) -> InputError:
        mark = node.start_mark
        return _fail(self.doc.file, mark.line + 1, mark.column + 1, message)

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        # The event pass enforces both limits with better positions; these are backstops.
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(node, f"the document expands to more than {MAX_NODES:,} values")
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nesting deeper than the limit of {MAX_DEPTH} levels")
        mark = node.start_mark
        self.doc.values.setdefault(path, (mark.line + 1, mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            self.expect_tag(node, _MAP_TAG, "a mapping")
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            self.expect_tag(node, _SEQ_TAG, "a list")
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self.scalar(node)

    def expect_tag(self, node: yaml.Node, tag: str, what: str) -> None:
        if node.tag == tag:
            return
        if node.tag in _SCALAR_TAGS or node.tag in (_SEQ_TAG, _MAP_TAG):
            raise self.fail(node, f"the tag '{_tag_shown(node.tag)}' does not fit {what}")
        raise self.untrusted_tag(node)

    def untrusted_tag(self, node: yaml.Node) -> InputError:
        return self.fail(
            node,
            (
                f"the YAML tag '{clip(_tag_shown(node.tag))}' is not allowed: redlines reads plain "
                "data only; remove the tag"
            ),
        )

    def mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == f"{_TAG}merge":
                raise self.fail(
                    key_node, ("YAML merge keys ('<<') are not supported; write the keys out")
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "a key must be a plain word, not a list or mapping")
            if key_node.tag not in _SCALAR_TAGS:
                raise self.untrusted_tag(key_node)
            key = str(key_node.value)
            self.check_text(key_node, key)
            key_mark = key_node.start_mark
            if key in first_seen:
                raise self.fail(
                    key_node,
                    (
                        f"duplicate key '{clip(key)}': it is already set at line "
                        f"{first_seen[key]}; keep one of the two"
                    ),
                )
            first_seen[key] = key_mark.line + 1
            self.doc.keys[(*path, key)] = (key_mark.line + 1, key_mark.column + 1)
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def check_text(self, node: yaml.Node, text: str) -> None:
        bad = _BAD_CHAR.search(text)
        if bad is None:
            return
        char = ord(bad.group())
        if 0xD800 <= char <= 0xDFFF:
            what = f"an unpaired surrogate \\u{char:04x}, which is not a character"
        elif char >= 0x2000:
            what = (
                f"the bidirectional control U+{char:04X}, which makes text display "
                "differently from what it says"
            )
        else:
            what = f"the control character U+{char:04X}"
        raise self.fail(node, f"text contains {what}; remove it")

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag, text = node.tag, node.value
        if tag not in _SCALAR_TAGS:
            if tag in (_SEQ_TAG, _MAP_TAG):
                raise self.fail(node, f"the tag '{_tag_shown(tag)}' does not fit a plain value")
            raise self.untrusted_tag(node)
        kind = tag[len(_TAG) :]
        if kind == "str":
            self.check_text(node, text)
            return text
        if kind == "null":
            return None
        if kind == "bool":
            if not _BOOL.match(text):
                raise self.fail(node, f"'{clip(text)}' is not a boolean: write true or false")
            return text.lower() == "true"
        if kind == "int":
            return self.integer(node, text)
        if kind == "float":
            return self.floating(node, text)
        return self.date(node, text)

    def integer(self, node: yaml.ScalarNode, text: str) -> int:
        digits = text.replace("_", "")
        sign = -1 if digits.startswith("-") else 1
        digits = digits.lstrip("+-")
        base = {"0x": 16, "0o": 8}.get(digits[:2], 10)
        if base != 10:
            digits = digits[2:]
        if len(digits) > 20 and base == 10:  # past MAX_INT; spare int() a 4,300-digit string
            raise self.out_of_range(node, text)
        try:
            value = sign * int(digits, base)
        except ValueError:
            raise self.fail(node, f"'{clip(text)}' is not a whole number") from None
        if abs(value) > MAX_INT:
            raise self.out_of_range(node, text)
        return value

    def out_of_range(self, node: yaml.ScalarNode, text: str) -> InputError:
        return self.fail(
            node,
            (
                f"the number {clip(text, 30)} is too large; whole numbers must lie within "
                f"±{MAX_INT:,}"
            ),
        )

    def floating(self, node: yaml.ScalarNode, text: str) -> float:
        try:
            value: float = yaml.SafeLoader.construct_yaml_float(yaml.SafeLoader(""), node)
        except (ValueError, OverflowError):
            raise self.fail(node, f"'{clip(text)}' is not a number") from None
        if value != value:  # NaN never equals itself
            raise self.fail(node, "NaN is not a value; write a number")
        return value

    def date(self, node: yaml.ScalarNode, text: str) -> dt.date:
        match = _DATE.match(text.strip())
        if match is None:
            if re.match(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[Tt ]", text.strip()):
                raise self.fail(
                    node, (f"'{clip(text)}' is a date and time; write a date only (YYYY-MM-DD)")
                )
            raise self.fail(node, f"'{clip(text)}' is not a date; write YYYY-MM-DD")
        try:
            return dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError as err:
            raise self.fail(node, f"'{text.strip()}' is not a valid date: {err}") from None
