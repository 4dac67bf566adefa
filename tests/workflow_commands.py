"""Read output the way a GitHub Actions runner reads a step's log, and find its workflow commands.

The runner (actions/runner, `ActionCommand.TryParseV2` and `TryParse`) takes a line as a command
when, after leading whitespace, it starts with `::` and holds a second `::` (`::name k=v::data`),
or, the older syntax, when it holds `##[` anywhere with a `]` after it (`##[name k=v;]data`).
Either counts only for a command the runner knows. Here every line is split the strictest way
(Python's `splitlines`: CR, LF, VT, FF, the file/group/record separators, NEL, LS and PS, so that
a log viewer that breaks at any of them is covered too), and any `::` at a line's start or any
`##[` counts, known command or not: output that only escapes the known ones is one runner
release away from a forged command.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

# The commands a runner knows today (its ActionCommandExtension list), for readable messages.
KNOWN = {
    "add-mask", "add-matcher", "add-path", "debug", "echo", "endgroup", "error", "group",
    "internal-set-repo-path", "notice", "remove-matcher", "save-state", "set-env",
    "set-output", "stop-commands", "warning",
}  # fmt: skip

# The commands `--format github` and the Action write on purpose.
OURS = {"group", "endgroup", "error", "warning", "notice"}

_V2 = re.compile(r"^::(?P<name>[^ :]*)(?: (?P<props>.*?))?::(?P<data>.*)$", re.DOTALL)


@dataclass(frozen=True)
class Command:
    name: str
    properties: dict[str, str]
    data: str
    line: str


def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    return unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def log_lines(output: str) -> list[str]:
    return output.splitlines()


def command_lines(output: str) -> list[str]:
    """Every line a runner might take for a command, in order."""
    return [line for line in log_lines(output) if line.lstrip().startswith("::") or "##[" in line]


def commands(output: str) -> list[Command]:
    """The `::name props::data` commands of `output`, unescaped as the runner does."""
    found = []
    for line in log_lines(output):
        match = _V2.match(line.lstrip())
        if match is None:
            continue
        properties = {}
        for pair in filter(None, (match["props"] or "").split(",")):
            key, _, value = pair.partition("=")
            properties[key] = unescape_property(value)
        found.append(Command(match["name"], properties, unescape_data(match["data"]), line))
    return found


def assert_no_command(output: str, what: str = "output") -> None:
    """Not one line of `output` is, or might become, a workflow command."""
    forged = command_lines(output)
    assert not forged, f"{what} holds workflow commands: {forged[:3]!r}"


def assert_only_our_commands(output: str, expected: dict[str, int]) -> list[Command]:
    """`--format github` output: the commands we write, as many as `expected` says, each a whole
    line of its own, and no other line a command."""
    found = commands(output)
    stray = [line for line in command_lines(output) if line not in {c.line for c in found}]
    assert not stray, f"lines a runner might read as commands: {stray[:3]!r}"
    names = {name: sum(1 for c in found if c.name == name) for name in {c.name for c in found}}
    assert names == {name: n for name, n in expected.items() if n}, names
    return found


def assert_commands_are_ours(output: str) -> None:
    """`--format github` output of unknown content: every command one we write, each annotation
    with the four properties ours carry, the groups closed, and no other line a command."""
    found = commands(output)
    stray = [line for line in command_lines(output) if line not in {c.line for c in found}]
    assert not stray, f"lines a runner might read as commands: {stray[:3]!r}"
    assert {c.name for c in found} <= OURS, {c.name for c in found}
    for c in found:
        if c.name in ("error", "warning", "notice"):
            assert set(c.properties) == {"file", "line", "col", "title"}, c.line
            assert c.properties["line"].isdigit() and c.properties["col"].isdigit(), c.line
    names = [c.name for c in found]
    assert names.count("group") == names.count("endgroup")


# --- hostile models: what code using the library may hand a renderer ----------------------------

# Plain `str` fields that hold one of a few fixed words all the same.
WORD_FIELDS = {"change"}


def _vocabulary(annotation: Any) -> bool:
    """A field of fixed words (`Literal`), which no input sets freely."""
    return get_origin(annotation) is Literal or any(_vocabulary(a) for a in get_args(annotation))


def poisoned(value: Any, text: str) -> Any:
    """`value` with `text` appended to every string in it (ids, titles, paths, values, sources),
    fixed words and mapping keys aside."""
    if type(value) is str:
        return value + text
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return value.model_copy(
            update={
                name: poisoned(getattr(value, name), text)
                for name, field in fields.items()
                if not (_vocabulary(field.annotation) or name in WORD_FIELDS)
            }
        )
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {
            f.name: poisoned(getattr(value, f.name), text)
            for f in dataclasses.fields(value)
            if f.init
        }
        return dataclasses.replace(value, **changed)
    if isinstance(value, tuple):
        return tuple(poisoned(item, text) for item in value)
    if isinstance(value, list):
        return [poisoned(item, text) for item in value]
    if isinstance(value, dict):
        return {key: poisoned(item, text) for key, item in value.items()}
    return value
