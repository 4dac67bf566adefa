"""Read one YAML file safely and remember where every key and value was written.

PyYAML (its libyaml parser where installed) does the parsing, but we build the Python values
ourselves from its events, in one pass: that is where duplicate keys, tags, control characters
and YAML 1.1 surprises are caught, and where each value's line and column are kept for error
messages and findings. The same pass enforces the limits (nesting, number of values, alias
expansion) at each event, before anything is built from it, so a hostile file costs
milliseconds and a few megabytes, never seconds or gigabytes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

from .models import InputError, Origin, Problem, fail

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32
# Keys and values, an alias counted at the size of what it repeats. The biggest real rule file
# has a few thousand; a "billion laughs" file hits this at the alias that would cross it, before
# the alias is expanded, and 100,000 values cost under 0.2 s and 30 MB.
MAX_NODES = 100_000
# Whole numbers travel through durable-rules' C core and JSON reports, where numbers are doubles:
# past 2**53 they silently lose digits (and Python refuses to print more than 4,300 of them).
MAX_INT = 2**53 - 1

Path_ = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_STR_TAG = f"{_TAG}str"
_SEQ_TAG = f"{_TAG}seq"
_MAP_TAG = f"{_TAG}map"
_MERGE_TAG = f"{_TAG}merge"

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
    # The length of each line's text (trailing blanks left out): where a region starting on a
    # line ends, for SARIF. Empty for a document not read from text.
    line_lengths: list[int] = field(default_factory=list)

    def at(self, path: Path_) -> Origin:
        """The position of the value at `path`, or of its nearest enclosing value."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return self._origin(*found)
        return self._origin(1, 1)

    def key_at(self, path: Path_) -> Origin:
        """The position of the key that names `path` (falls back to the value)."""
        found = self.keys.get(path)
        if found is None:
            return self.at(path)
        return self._origin(*found)

    def _origin(self, line: int, col: int) -> Origin:
        end = None
        if 0 < line <= len(self.line_lengths):
            end = max(self.line_lengths[line - 1] + 1, col + 1)
        return Origin(file=self.file, line=line, col=col, end_col=end)

    def problem(self, path: Path_, message: str, *, key: bool = False) -> Problem:
        return Problem.at(self.key_at(path) if key else self.at(path), message)


def _fail(file: str, line: int, col: int, message: str) -> NoReturn:
    fail(Origin(file=file, line=line, col=col), message)


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
            _fail(name, 1, 1, "is a directory, not a YAML file")
        if not stat.S_ISREG(info.st_mode):
            # A FIFO would block forever and a device never ends; only plain files are read.
            _fail(name, 1, 1, "is not a regular file; name a YAML file")
        if info.st_size > MAX_FILE_BYTES:
            _fail_too_big(name, info.st_size)
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        _fail(name, 1, 1, "file not found")
    except PermissionError:
        _fail(name, 1, 1, "cannot read this file: permission denied")
    except (OSError, ValueError) as err:  # ValueError: a NUL in the name
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        _fail(name, 1, 1, f"cannot read this file: {reason}")
    return parse_yaml(raw, name)


def _fail_too_big(name: str, size: int) -> NoReturn:
    _fail(
        name,
        1,
        1,
        f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}; "
        "split it into smaller files",
    )


def parse_yaml(raw: bytes, name: str) -> Document:
    """Parse YAML bytes (UTF-8, optional BOM, LF or CRLF) into a Document."""
    if len(raw) > MAX_FILE_BYTES:
        _fail_too_big(name, len(raw))
    text = _decode(raw, name)
    lengths = [len(line.rstrip()) for line in _LINE_BREAK.split(text)]
    doc = Document(file=name, data=None, line_lengths=lengths)
    places = _Places(text)
    try:
        _Reader(doc, places).read(text)
    except yaml.MarkedYAMLError as err:
        _fail_syntax(err, name, text, places)
    except yaml.YAMLError as err:
        _fail_other(err, name, text)
    return doc


def _wide_encoding(raw: bytes) -> str | None:
    """UTF-32 or UTF-16, told by a byte order mark or, without one, by where the first
    character's zero bytes fall (YAML's own rule: a YAML file starts with an ASCII character)."""
    head = raw[:4]
    if head in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00") or (
        len(head) == 4 and (head[:3] == b"\x00\x00\x00" or head[1:] == b"\x00\x00\x00")
    ):
        return "UTF-32"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (
        len(head) >= 2 and (head[0] == 0) != (head[1] == 0)
    ):
        return "UTF-16"
    return None


def _decode(raw: bytes, name: str) -> str:
    wide = _wide_encoding(raw)
    if wide is not None:
        _fail(name, 1, 1, f"the file is {wide}; save it as UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        start = raw.rfind(b"\n", 0, err.start) + 1
        line = raw.count(b"\n", 0, err.start) + 1
        col = len(raw[start : err.start].decode("utf-8", errors="replace")) + 1
        _fail(
            name,
            line,
            col,
            f"the file is not UTF-8 text (byte 0x{raw[err.start]:02x} here); "
            "save it with UTF-8 encoding",
        )
    bad = _UNPRINTABLE.search(text)
    if bad is not None:
        at = bad.start()
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        if bad.group() == "\x00":
            _fail(name, line, col, "the file contains a NUL byte; is it a binary file?")
        _fail(
            name,
            line,
            col,
            f"the file contains the character U+{ord(bad.group()):04X}, "
            "which YAML does not allow; remove it",
        )
    return text.replace("\r\n", "\n")


# --- one pass over the parser's events: limits, then values -------------------------------------

# A node as the builder takes it, and as an anchor keeps it for its aliases to replay:
# (what, tag, text, line, col), 1-based; text is a scalar's value or an alias's anchor.
_Item = tuple[int, str, str, int, int]
_SCALAR, _MAPPING, _SEQUENCE, _END, _ALIAS = range(5)
_NO_KEY = object()  # a mapping waiting for its next key, not for a value


@dataclass
class _Open:
    """A mapping or sequence whose end event has not come yet."""

    anchor: str | None
    start_total: int
    start_depth: int
    deepest: int
    replay_from: int  # where its items start on the tape, when it has an anchor


@dataclass
class _Tape:
    """The items of anchored nodes, kept for their aliases: (items, start, end) per anchor."""

    items: list[_Item] = field(default_factory=list)
    recording: int = 0  # anchored collections open now
    anchors: dict[str, tuple[list[_Item], int, int]] = field(default_factory=dict)


class _Reader:
    """Walks the parser's events once: each is checked against the limits, then built.

    Aliases are counted at their expanded size (an anchor's size includes aliases inside it), so
    nine nested levels of nine aliases count as the billion values they would become and are
    refused at the alias that crosses the limit. A list or mapping that an alias repeats is
    filled in only once the whole file is within the limits (`_Builder.finish`), so a refused
    file never costs what it would expand to.

    A problem in the content (a duplicate key, a tag) is kept and raised after the walk, and the
    building stops there: a limit or syntax error anywhere in the file is reported instead, as
    is a duplicate anchor. (A file is refused for its first problem.)
    """

    def __init__(self, doc: Document, places: _Places) -> None:
        self.doc = doc
        self.places = places
        self.exact = places.starts is None  # the parser's own line numbers are right
        self.total = 0  # values so far, aliases expanded
        self.depth = 0
        self.documents = 0
        self.sizes: dict[str, tuple[int, int]] = {}  # anchor -> (values, nesting levels below it)
        self.named: dict[str, Any] = {}  # anchor -> the mark of its node
        self.stack: list[_Open] = []
        self.tape = _Tape()
        self.builder: _Builder | None = _Builder(doc, self.tape)
        self.plain_tags: dict[str, str] = {}  # the same words recur: resolve each once
        self.content_error: InputError | None = None
        self.duplicate_anchor: yaml.MarkedYAMLError | None = None

    def read(self, text: str) -> None:
        parser = _PARSER(text)
        try:
            self.walk(parser.get_event)
        finally:
            parser.dispose()

    def walk(self, next_event: Callable[[], Any]) -> None:
        # `next_event` gives None after the stream's end (both parsers); calling it directly
        # rather than through `yaml.parse` halves the calls into the parser per event.
        scalar_event, mapping_start, sequence_start = (
            yaml.ScalarEvent,
            yaml.MappingStartEvent,
            yaml.SequenceStartEvent,
        )
        mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        plain_tags = self.plain_tags
        while (event := next_event()) is not None:
            kind = type(event)
            if kind is scalar_event:
                self.total += 1
                if self.total > MAX_NODES:
                    self.too_many(event)
                tag, value, mark = event.tag, event.value, event.start_mark
                if tag is None or tag == "!":
                    if not event.implicit[0]:
                        tag = _STR_TAG
                    elif (tag := plain_tags.get(value)) is None:
                        tag = plain_tags[value] = _plain_tag(value)
                if self.exact:
                    item = (_SCALAR, tag, value, mark.line + 1, mark.column + 1)
                else:
                    item = (_SCALAR, tag, value, *self.places.of(mark))
                if event.anchor is not None:
                    self.name(event)
                    self.sizes[event.anchor] = (1, 0)
                    self.tape.anchors[event.anchor] = ([item], 0, 1)
                self.take(item)
            elif kind is mapping_start or kind is sequence_start:
                self.open(event, _MAPPING if kind is mapping_start else _SEQUENCE)
            elif kind is mapping_end or kind is sequence_end:
                self.close()
            elif kind is yaml.AliasEvent:
                self.alias(event)
            elif kind is yaml.DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    self.fail(
                        event.start_mark,
                        "a second YAML document starts here; a file holds one document, "
                        "so remove this '---' and what follows, or move it to its own file",
                    )
        if self.duplicate_anchor is not None:
            raise self.duplicate_anchor
        if self.content_error is not None:
            raise self.content_error
        if not self.documents:
            _fail(
                self.doc.file,
                1,
                1,
                "file is empty (it holds no YAML content, only blanks or comments)",
            )
        assert self.builder is not None
        self.doc.data = self.builder.finish()

    def fail(self, mark: Any, message: str) -> NoReturn:
        _fail(self.doc.file, *self.places.of(mark), message)

    def take(self, item: _Item) -> None:
        """Build the item (unless building has stopped), and record it for an anchor."""
        if self.tape.recording:
            self.tape.items.append(item)
        if self.builder is None:
            return
        try:
            self.builder.take(item)
        except InputError as err:
            self.content_error, self.builder = err, None

    def count(self, event: Any) -> None:
        self.total += 1
        if self.total > MAX_NODES:
            self.too_many(event)

    def too_many(self, event: Any) -> NoReturn:
        self.fail(
            event.start_mark,
            f"the file holds more than {MAX_NODES:,} keys and values, the limit; "
            "split it into smaller files",
        )

    def name(self, event: Any) -> None:
        """Note an anchor; naming two nodes alike is an error (PyYAML's composer words it)."""
        anchor = event.anchor
        if anchor in self.named and self.duplicate_anchor is None:
            # Building stops: an alias would now replay what its size was not counted for.
            self.duplicate_anchor = yaml.composer.ComposerError(
                "found duplicate anchor; first occurrence",
                self.named[anchor],
                "second occurrence",
                event.start_mark,
            )
            self.builder = None
        self.named.setdefault(anchor, event.start_mark)

    def open(self, event: Any, what: int) -> None:
        self.count(event)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(
                event.start_mark,
                f"nesting deeper than the limit of {MAX_DEPTH} levels; flatten the structure",
            )
        tag = event.tag
        if tag is None or tag == "!":
            tag = _MAP_TAG if what == _MAPPING else _SEQ_TAG
        anchor = event.anchor
        if anchor is not None:
            self.name(event)
            if not self.tape.recording:
                self.tape.items = []  # earlier anchors keep the tape they were recorded on
            self.tape.recording += 1
        opened = _Open(anchor, self.total - 1, self.depth - 1, self.depth, len(self.tape.items))
        self.stack.append(opened)
        self.take((what, tag, "", *self.places.of(event.start_mark)))

    def close(self) -> None:
        done = self.stack.pop()
        self.depth -= 1
        self.take((_END, "", "", 0, 0))
        if done.anchor is not None:
            self.sizes[done.anchor] = (
                self.total - done.start_total,
                done.deepest - done.start_depth,
            )
            self.tape.anchors[done.anchor] = (
                self.tape.items,
                done.replay_from,
                len(self.tape.items),
            )
            self.tape.recording -= 1
        if self.stack:
            self.stack[-1].deepest = max(self.stack[-1].deepest, done.deepest)

    def alias(self, event: Any) -> None:
        anchor = str(event.anchor)
        if anchor not in self.sizes:
            if any(o.anchor == anchor for o in self.stack):
                self.fail(
                    event.start_mark,
                    f"alias '*{clip(anchor)}' refers to a collection that contains it; "
                    "a value cannot include itself",
                )
            self.fail(
                event.start_mark,
                f"alias '*{clip(anchor)}' names no anchor '&{clip(anchor)}' defined before it",
            )
        size, below = self.sizes[anchor]
        self.total += size
        if self.total > MAX_NODES:
            self.fail(
                event.start_mark,
                f"alias '*{clip(anchor)}' expands the document past {MAX_NODES:,} keys and values, "
                "the limit; "
                "write the content out once instead of multiplying it with aliases",
            )
        if self.depth + below > MAX_DEPTH:
            self.fail(
                event.start_mark,
                f"alias '*{clip(anchor)}' nests values deeper than the limit of {MAX_DEPTH} levels",
            )
        if self.stack:
            self.stack[-1].deepest = max(self.stack[-1].deepest, self.depth + below)
        self.take((_ALIAS, "", anchor, *self.places.of(event.start_mark)))


# Line breaks to YAML 1.1, and so to PyYAML and libyaml, that editors, GitHub and YAML 1.2 do not
# break lines at: NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR.
_YAML_ONLY_BREAK = re.compile("[\x85\u2028\u2029]")
_LINE_BREAK = re.compile("\n|\r")  # CRLF is LF by now; a lone CR ends a line for both


class _Places:
    """A parser mark's line and column (1-based) as an editor shows them.

    The parsers count NEL, LS and PS as line breaks, so after one (inside a quoted text, say)
    every later line number would be one too far. Where the text holds none, nearly always,
    the parser's numbers stand; otherwise they come from the mark's character offset.
    """

    def __init__(self, text: str) -> None:
        self.starts: list[int] | None = None  # where each line starts, when the parser miscounts
        if _YAML_ONLY_BREAK.search(text):
            self.starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]

    def of(self, mark: Any) -> tuple[int, int]:
        if self.starts is None:
            return mark.line + 1, mark.column + 1
        line = bisect.bisect_right(self.starts, mark.index)
        return line, mark.index - self.starts[line - 1] + 1


# Implicit tags by a plain scalar's first character, as PyYAML's resolver finds them (both
# parsers have the same table).
_ANY_FIRST = _Loader.yaml_implicit_resolvers.get(None, [])
_IMPLICIT = {
    first: [*resolvers, *_ANY_FIRST]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
    if first is not None
}


def _plain_tag(text: str) -> str:
    """The tag PyYAML's composer gives an untagged plain scalar (str unless a resolver matches)."""
    for tag, pattern in _IMPLICIT.get(text[:1], _ANY_FIRST):
        if pattern.match(text):
            return tag
    return _STR_TAG


def _fail_other(err: yaml.YAMLError, name: str, text: str) -> NoReturn:
    if isinstance(err, yaml.reader.ReaderError):  # a character YAML does not allow
        at = min(max(int(err.position), 0), len(text))
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        _fail(name, line, col, f"not valid YAML: {err.reason}; remove the character")
    first = str(err).strip().splitlines()[0] if str(err).strip() else "invalid YAML"
    _fail(name, 1, 1, f"not valid YAML: {first}")


# Plain words for the parser's most common complaints: (phrase in its message, what to do).
_HINTS = (
    ("exceeded maximum nesting depth", f"nesting is limited to {MAX_DEPTH} levels"),
    (
        "mapping values are not allowed",
        "a text containing ': ' must be in quotes, and each key must start a new line",
    ),
    ("could not find expected ':'", "a key needs ': ' after it, or quote a text containing ':'"),
    (
        "block sequence entries are not allowed",
        "a '- ' list item must start its own line, indented under its key",
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


def _fail_syntax(err: yaml.MarkedYAMLError, name: str, text: str, places: _Places) -> NoReturn:
    mark = err.problem_mark or err.context_mark
    line, col = places.of(mark) if mark else (1, 1)
    problem = (err.problem or "invalid YAML").strip()
    if "exceeded maximum nesting depth" in problem:  # libyaml's own limit, far above ours
        _fail(
            name,
            line,
            col,
            f"nesting deeper than the limit of {MAX_DEPTH} levels; flatten the structure",
        )
    message = f"not valid YAML: {problem}"
    opened = _open_quote(text, mark.line, places) if mark is not None else None
    if opened is not None:
        _fail(
            name,
            line,
            col,
            (
                f"{message}; "
                f"the quoted text opened at line {opened[0]}, column {opened[1]} runs on to here: "
                "is its closing quote missing?"
            ),
        )
    context, where = err.context, err.context_mark
    if context and where is not None and places.of(where) != (line, col):
        at_line, at_col = places.of(where)
        message += f" ({context} starting at line {at_line}, column {at_col})"
    if "cannot start any token" in problem and mark is not None:
        found = text[mark.index] if 0 <= mark.index < len(text) else ""
        if found == "\t":
            _fail(name, line, col, f"{message}; YAML indents with spaces, not tabs")
        shown = repr(found) if found else "this character"
        _fail(name, line, col, f"{message}; a value starting with {shown} must be in quotes")
    hint = next((hint for phrase, hint in _HINTS if phrase in problem), None)
    _fail(name, line, col, f"{message}; {hint}" if hint else message)


def _open_quote(text: str, line: int, places: _Places) -> tuple[int, int] | None:
    """Where a quoted text starts that spans lines and ends on `line` (0-based, as the parser
    counts), if one does.

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
                return places.of(start)
    except yaml.YAMLError:
        pass
    return None


# --- building values with positions ------------------------------------------------------------


def _tag_shown(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


@dataclass(slots=True)
class _Frame:
    """A mapping or list being filled."""

    value: dict[str, Any] | list[Any]
    path: Path_
    key: Any = _NO_KEY  # a mapping's key whose value comes next
    seen: dict[str, int] = field(default_factory=dict)  # a mapping's keys: line first set


class _Builder:
    """Plain values from the items of one document, in document order, with their positions."""

    def __init__(self, doc: Document, tape: _Tape) -> None:
        self.doc = doc
        self.tape = tape
        self.frames: list[_Frame] = []
        self.root: Any = None
        # Lists and mappings an alias repeats, to fill in once the file is known to be within
        # the limits: (the empty one, the anchor's items from its first child to its end).
        self.later: list[tuple[_Frame, list[_Item], int, int]] = []

    def fail(self, line: int, col: int, message: str) -> NoReturn:
        _fail(self.doc.file, line, col, message)

    def take(self, item: _Item) -> None:
        what, tag, text, line, col = item
        if what == _END:
            self.frames.pop()
            return
        if what == _ALIAS:
            self.alias(text, line, col)
            return
        parent = self.frames[-1] if self.frames else None
        if parent is None:
            path: Path_ = ()
        elif isinstance(parent.value, list):
            path = (*parent.path, len(parent.value))
        elif parent.key is _NO_KEY:
            self.key(parent, item)
            return
        else:
            path = (*parent.path, parent.key)
        self.doc.values.setdefault(path, (line, col))
        value: Any
        if what == _SCALAR:
            value = self.scalar(tag, text, line, col)
        elif what == _MAPPING:
            self.expect_tag(tag, _MAP_TAG, "a mapping", line, col)
            value = {}
        else:
            self.expect_tag(tag, _SEQ_TAG, "a list", line, col)
            value = []
        if parent is None:
            self.root = value
        elif isinstance(parent.value, list):
            parent.value.append(value)
        else:
            parent.value[parent.key] = value
            parent.key = _NO_KEY
        if what != _SCALAR:
            self.frames.append(_Frame(value, path))

    def alias(self, anchor: str, line: int, col: int) -> None:
        """The anchored node again, here, with its own positions.

        A list or mapping is left empty until `finish`: only once the whole file is within the
        limits may an alias cost what it expands to. A plain value is built now. A key is built
        now and placed at the alias (at `line`, `col`): that is where the mapping holds it, and
        where a duplicate key or a list used as a key is to be fixed.
        """
        items, start, end = self.tape.anchors[anchor]
        parent = self.frames[-1] if self.frames else None
        if parent is not None and isinstance(parent.value, dict) and parent.key is _NO_KEY:
            what, tag, text, _, _ = items[start]
            self.take((what, tag, text, line, col))  # a key is one scalar, or refused
            return
        if items[start][0] == _SCALAR:
            self.take(items[start])
            return
        self.take(items[start])  # the empty list or mapping, in its place
        self.later.append((self.frames.pop(), items, start + 1, end - 1))

    def finish(self) -> Any:
        """Fill the lists and mappings that aliases left empty; the document's value."""
        for frame, items, start, end in self.later:  # grows while aliases inside are filled
            self.frames = [frame]
            for index in range(start, end):
                self.take(items[index])
        return self.root

    def key(self, mapping: _Frame, item: _Item) -> None:
        what, tag, text, line, col = item
        if tag == _MERGE_TAG:
            self.fail(line, col, "YAML merge keys ('<<') are not supported; write the keys out")
        if what != _SCALAR:
            self.fail(line, col, "a key must be a plain word, not a list or mapping")
        if tag not in _SCALAR_TAGS:
            self.untrusted_tag(tag, line, col)
        self.check_text(text, line, col)
        if text in mapping.seen:
            self.fail(
                line,
                col,
                f"duplicate key '{clip(text)}': it is already set at line {mapping.seen[text]}; "
                "keep one of the two",
            )
        mapping.seen[text] = line
        self.doc.keys[(*mapping.path, text)] = (line, col)
        mapping.key = text

    def expect_tag(self, tag: str, expected: str, what: str, line: int, col: int) -> None:
        if tag == expected:
            return
        if tag in _SCALAR_TAGS or tag in (_SEQ_TAG, _MAP_TAG):
            self.fail(line, col, f"the tag '{_tag_shown(tag)}' does not fit {what}")
        self.untrusted_tag(tag, line, col)

    def untrusted_tag(self, tag: str, line: int, col: int) -> NoReturn:
        self.fail(
            line,
            col,
            f"the YAML tag '{clip(_tag_shown(tag))}' is not allowed: "
            "redlines reads plain data only; remove the tag",
        )

    def check_text(self, text: str, line: int, col: int) -> None:
        bad = _BAD_CHAR.search(text)
        if bad is None:
            return
        char = ord(bad.group())
        if 0xD800 <= char <= 0xDFFF:
            what = f"an unpaired surrogate \\u{char:04x}, which is not a character"
        elif char >= 0x2000:
            what = (
                f"the bidirectional control U+{char:04X}, "
                "which makes text display differently from what it says"
            )
        else:
            what = f"the control character U+{char:04X}"
        self.fail(line, col, f"text contains {what}; remove it")

    def scalar(self, tag: str, text: str, line: int, col: int) -> Any:
        if tag == _STR_TAG:  # most values, so decided first
            self.check_text(text, line, col)
            return text
        if tag not in _SCALAR_TAGS:
            if tag in (_SEQ_TAG, _MAP_TAG):
                self.fail(line, col, f"the tag '{_tag_shown(tag)}' does not fit a plain value")
            self.untrusted_tag(tag, line, col)
        kind = tag[len(_TAG) :]
        if kind == "str":
            self.check_text(text, line, col)
            return text
        if kind == "null":
            return None
        if kind == "bool":
            if not _BOOL.match(text):
                self.fail(line, col, f"'{clip(text)}' is not a boolean: write true or false")
            return text.lower() == "true"
        if kind == "int":
            return self.integer(text, line, col)
        if kind == "float":
            return self.floating(tag, text, line, col)
        return self.date(text, line, col)

    def integer(self, text: str, line: int, col: int) -> int:
        if len(text) < 16 and text.isascii() and text.isdigit():  # the usual case, as written
            return int(text)
        digits = text.replace("_", "")
        sign = -1 if digits.startswith("-") else 1
        digits = digits.lstrip("+-")
        base = {"0x": 16, "0o": 8}.get(digits[:2], 10)
        if base != 10:
            digits = digits[2:]
        # Leading zeros are allowed and mean nothing (YAML 1.2: 010 is ten), however many.
        digits = digits.lstrip("0") or digits[-1:]
        if len(digits) > 20 and base == 10:  # past MAX_INT; spare int() a 4,300-digit string
            self.out_of_range(text, line, col)
        try:
            value = sign * int(digits, base)
        except ValueError:
            self.fail(line, col, f"'{clip(text)}' is not a whole number")
        if abs(value) > MAX_INT:
            self.out_of_range(text, line, col)
        return value

    def out_of_range(self, text: str, line: int, col: int) -> NoReturn:
        self.fail(
            line,
            col,
            f"the number {clip(text, 30)} is too large; whole numbers must lie within ±{MAX_INT:,}",
        )

    def floating(self, tag: str, text: str, line: int, col: int) -> float:
        try:
            node = yaml.ScalarNode(tag, text)
            value: float = yaml.SafeLoader.construct_yaml_float(yaml.SafeLoader(""), node)
        except (ValueError, OverflowError, IndexError):  # IndexError: `!!float` on empty text
            self.fail(line, col, f"'{clip(text)}' is not a number")
        if value != value:  # NaN never equals itself
            self.fail(line, col, "NaN is not a value; write a number")
        return value

    def date(self, text: str, line: int, col: int) -> dt.date:
        match = _DATE.match(text.strip())
        if match is None:
            if re.match(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[Tt ]", text.strip()):
                self.fail(
                    line, col, f"'{clip(text)}' is a date and time; write a date only (YYYY-MM-DD)"
                )
            self.fail(line, col, f"'{clip(text)}' is not a date; write YYYY-MM-DD")
        try:
            return dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError as err:
            self.fail(line, col, f"'{text.strip()}' is not a valid date: {err}")
