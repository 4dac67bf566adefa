"""A project's gate, written once: `.redlines.yaml`, or `[tool.redlines]` in `pyproject.toml`.

The CLI, the pre-commit hooks and the Action read the same file, so a repository's gate is the
same wherever it runs. This module knows the file: where it is (`find_config`: from the working
directory up to the repository root), its shape (`ConfigFile`, strict about unknown keys like
every other file `redlines` reads) and where each setting was written, for messages and for
`redlines config`. What the settings mean, and how command-line flags override them, is
`settings.py`.

A TOML file is read with the standard library's `tomllib`, which keeps no positions; they are
found again by a scan of the file's lines (`_toml_positions`): every table header and every
`key =` line, which is where a user looks. A value inside an inline table or a multi-line array
is placed at its key.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .loader.fence import repository_of
from .loader.validate import one_line_problems, validate_spec
from .models import Origin, fail
from .yamlfile import MAX_FILE_BYTES, Document, Path_, parse_yaml, read_yaml

if TYPE_CHECKING:
    from .gatespecs import ConfigFile, WaiversFile

CONFIG_NAMES = (".redlines.yaml", ".redlines.yml")
PYPROJECT = "pyproject.toml"
TOOL_TABLE = ("tool", "redlines")


# --- a configuration read from its file ---------------------------------------------------------


class Config(NamedTuple):
    """A configuration file, validated, with the place of each of its settings.

    `folder` is where relative paths in it start from (the file's own folder), as the working
    directory sees it.
    """

    path: str  # as messages name it
    spec: ConfigFile
    doc: Document
    prefix: Path_ = ()  # ("tool", "redlines") in pyproject.toml

    @property
    def folder(self) -> str:
        return os.path.dirname(self.path) or os.curdir

    def at(self, *path: str | int) -> Origin:
        """Where the value of a setting (or a part of one) is written."""
        return self.doc.at((*self.prefix, *path))

    def key_at(self, *path: str | int) -> Origin:
        """Where a setting's key is written."""
        return self.doc.key_at((*self.prefix, *path))

    def resolve(self, given: str) -> str:
        """A path in this file, relative to its folder, as the working directory reaches it."""
        if os.path.isabs(given):
            return given
        return os.path.normpath(os.path.join(self.folder, given))


def find_config(start: Path | None = None) -> Path | None:
    """The configuration that applies in `start` (default: the working directory).

    The nearest folder at or above `start`, up to the repository root, holding `.redlines.yaml`
    (or `.yml`) or a `pyproject.toml` with a `[tool.redlines]` table; outside a repository, only
    `start` itself. Two candidates in one folder are an error: which one counts would be a guess.
    """
    here = (start or Path.cwd()).resolve()
    top = repository_of(here)
    folders = [here, *here.parents] if top is not None else [here]
    for folder in folders:
        found = [folder / name for name in CONFIG_NAMES if (folder / name).is_file()]
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            found.append(pyproject)
        if len(found) > 1:
            shown = [_shown(p) for p in found]
            fail(
                shown[1],
                f"two configurations in one folder ({', '.join(shown)}); keep one of them "
                "(or name the one to use with --config)",
            )
        if found:
            return found[0]
        if top is not None and folder == top:
            break
    return None


def _shown(path: Path) -> str:
    """A found file for a message: relative to the working directory where that is shorter."""
    relative = os.path.relpath(path)
    return relative if not relative.startswith("../../..") else str(path)


def _has_tool_table(path: Path) -> bool:
    # A cheap look before parsing: most pyproject.toml files have no [tool.redlines].
    try:
        with open(path, "rb") as handle:
            head = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return False
    return re.search(rb"(?m)^\s*\[\[?\s*tool\s*\.\s*[\"']?redlines\b", head) is not None


@one_line_problems
def read_config(path: str | Path, display: str | None = None) -> Config:
    """Read and validate one configuration file (`.redlines.yaml` or `pyproject.toml`)."""
    shown = display or os.path.normpath(str(path))
    if Path(path).name == PYPROJECT or str(path).endswith(".toml"):
        doc, prefix = _read_toml(Path(path), shown)
    else:
        doc, prefix = _read_yaml_config(Path(path), shown), ()
    table = doc.data
    for step in prefix:
        table = table.get(step) if isinstance(table, dict) else None
    if table is None:
        fail(shown, "holds no [tool.redlines] table; add one, or name another file with --config")
    from .gatespecs import ConfigFile

    view = Document(
        file=doc.file, data=table, values=_under(doc.values, prefix), keys=_under(doc.keys, prefix)
    )
    return Config(path=shown, spec=validate_spec(view, ConfigFile), doc=doc, prefix=prefix)


def _under(positions: dict[Path_, tuple[int, int]], prefix: Path_) -> dict[Path_, tuple[int, int]]:
    return {p[len(prefix) :]: at for p, at in positions.items() if p[: len(prefix)] == prefix}


@one_line_problems
def read_waivers_file(path: str, display: str) -> tuple[Document, WaiversFile]:
    """A waivers file (`waivers-file:`): a YAML mapping holding `waivers:`."""
    from .gatespecs import WaiversFile

    doc = read_yaml(path, display)
    return doc, validate_spec(doc, WaiversFile)


def _read_yaml_config(path: Path, shown: str) -> Document:
    raw = _read_bytes(path, shown)
    if all(not line.strip() or line.lstrip().startswith(b"#") for line in raw.splitlines()):
        # A configuration of comments only is a template: every setting at its default.
        return Document(file=shown, data={})
    return parse_yaml(raw, shown)


def _read_bytes(path: Path, shown: str) -> bytes:
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            fail(shown, "is not a regular file; name a configuration file")
        if info.st_size > MAX_FILE_BYTES:
            fail(shown, f"file is {info.st_size:,} bytes, over the limit of {MAX_FILE_BYTES:,}")
        with open(path, "rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        fail(shown, "no such configuration file")
    except OSError as err:
        fail(shown, f"cannot read this file: {err.strerror or err}")


# --- TOML, with positions -----------------------------------------------------------------------

_TOML_ERROR_AT = re.compile(r"^(?P<what>.*?) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def _read_toml(path: Path, shown: str) -> tuple[Document, Path_]:
    import tomllib  # only for a pyproject.toml

    raw = _read_bytes(path, shown)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        fail(shown, "the file is not UTF-8 text; save it with UTF-8 encoding")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = _TOML_ERROR_AT.match(str(err))
        if found is None:
            fail(shown, f"not valid TOML: {err}")
        origin = Origin(file=shown, line=int(found["line"]), col=int(found["col"]))
        fail(origin, f"not valid TOML: {found['what']}")
    values, keys = _toml_positions(text)
    return Document(file=shown, data=data, values=values, keys=keys), TOOL_TABLE


_BARE_KEY = r"[A-Za-z0-9_-]+"
_KEY_PART = rf"(?:{_BARE_KEY}|\"(?:[^\"\\]|\\.)*\"|'[^']*')"
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_ASSIGNMENT = re.compile(rf"^(?P<key>{_DOTTED})\s*=\s*")
_TABLE = re.compile(rf"^\[\s*(?P<key>{_DOTTED})\s*\]")
_ARRAY_TABLE = re.compile(rf"^\[\[\s*(?P<key>{_DOTTED})\s*\]\]")


def _key_path(text: str) -> tuple[str, ...]:
    parts = re.findall(_KEY_PART, text)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def _toml_positions(
    text: str,
) -> tuple[dict[Path_, tuple[int, int]], dict[Path_, tuple[int, int]]]:
    """Where each table and each `key =` line is, as (line, column) by the data's path."""
    values: dict[Path_, tuple[int, int]] = {(): (1, 1)}
    keys: dict[Path_, tuple[int, int]] = {}
    table: Path_ = ()
    arrays: dict[Path_, int] = {}
    closing: str | None = None  # the delimiter of a multi-line string being skipped
    for number, line in enumerate(text.splitlines(), start=1):
        if closing is not None:
            if closing in line:
                closing = None
            continue
        body = line.lstrip()
        indent = len(line) - len(body)
        if match := _ARRAY_TABLE.match(body):
            name = _key_path(match["key"])
            index = arrays[name] = arrays.get(name, -1) + 1
            table = (*name, index)
            for end in range(1, len(table) + 1):
                values.setdefault(table[:end], (number, indent + 1))
            keys[table] = keys[name] = (number, indent + 3)
        elif match := _TABLE.match(body):
            table = _key_path(match["key"])
            for end in range(1, len(table) + 1):
                values.setdefault(table[:end], (number, indent + 1))
            keys[table] = (number, indent + 2)
        elif match := _ASSIGNMENT.match(body):
            path = (*table, *_key_path(match["key"]))
            keys[path] = (number, indent + 1)
            values[path] = (number, indent + match.end() + 1)
            rest = body[match.end() :]
            for quote in ('"""', "'''"):
                if rest.startswith(quote) and quote not in rest[3:]:
                    closing = quote
    return values, keys
