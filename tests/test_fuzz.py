"""Never a traceback: arbitrary text, arbitrary YAML and valid files with one thing broken, fed
as proposal, rules and catalogue through the CLI entry point, always end in exit 0, 1 or 2
with something said, never in an exception or the "internal error" exit 3.

Generation is structure-aware as well as random: most examples start from the valid fixtures
and delete, retype, rename or duplicate one key, or put a tricky token (`yes`, `010`, `*alias`,
`!!python/object`, ...) where a value was, because random bytes rarely get past the parser.

Text that a CI log reacts to (line breaks of every kind, `::error …`, `##[…]`) goes into values,
keys and tokens, and into the ids, titles and paths of reports built in code; no output of any
command may then hold a workflow command it did not mean to write (`workflow_commands`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from redlines import check_all, load_rules
from redlines.cli import main
from redlines.loader import load_proposals
from redlines.render import RENDERERS, RenderOptions
from redlines.report import ReportSet
from workflow_commands import assert_commands_are_ours, assert_no_command, poisoned

# A problem line, or a usage error; nothing else may reach stderr on exit 2.
PROBLEM = re.compile(r"^(?:[^\n]+:\d+:\d+: \S.*|redlines: error: .+)$")
FUZZ = settings(
    max_examples=int(os.environ.get("REDLINES_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Each kind of file the CLI reads, as (path in the work repository, fixture it starts from).
TARGETS = {
    "proposal": ("proposals/draft.yaml", FIXTURES / "proposals" / "draft.yaml"),
    "variant": ("proposals/variant.yaml", FIXTURES / "proposals" / "variant.yaml"),
    "rules": ("rules/ukraine.yaml", FIXTURES / "rules" / "ukraine.yaml"),
    "implications": ("rules/implications.yaml", FIXTURES / "rules" / "implications.yaml"),
    "terms": ("rules/terms.yaml", FIXTURES / "rules" / "terms.yaml"),
}
TRICKY = [
    "yes", "no", "on", "off", "y", "~", "null", "''", '""', "010", "0o10", "0x1F", "1_000",
    "1e400", ".inf", "-.inf", ".nan", "1:30", "2025-13-01", "2025-02-30", "2025-11-20T10:00:00",
    "99999999999999999999999999", "-1", "0", "3.5", "true", "[]", "{}", "[a, b]", "{a: 1}",
    "*nowhere", "&anchor x", "!!python/object:os.system x", "!!binary aGk=", "!custom x",
    "!!int x", "!!bool yes", "!!timestamp x", "!!map x", "!!str [1]", '"\\e[31m"', '"\\u202e"',
    '"\\0"', '"\\ud800"', "|\n  block", ">-\n  folded", "'unterminated", "[unclosed", "- item",
    "a: b: c", "@at", "`tick", "%percent", "? key", "<<: {a: 1}", "../../../etc/passwd",
    "/etc/passwd", "draft.yaml", "variant.yaml", ".", "de_jure_russian", "territory.crimea",
    "red_line", "UA-1", "s1", "\t", "\u00e9\u00e8", "\U0001f600",
    # What a CI log reacts to, and the line breaks YAML knows but an editor does not.
    '"a\\n::error::forged"', "'::error title=x::forged'", "'##[error]forged'",
    '"a\\u2028::add-mask::b"', '"a\\u2029b"', '"a\\x85b"', '"a\\rb"', '"U\\u0410-1"',
    '"UA\\u200b-1"', "ua-1", "2A", "0000000000000000000000600000", "0_0_0_0_0_0_0_0_0_0_0_0",
    "a\u2028b", "'a\u2029b'", '"a\u0085b"',
]  # fmt: skip
# Pieces of text that a log reader, an editor or a YAML parser takes for a line break or a
# command, put together at random.
LOG_PIECES = [
    "::", "##[", "error", "add-mask", "stop-commands", " ", "\n", "\r", "\x0b", "\x0c", "\x1e",
    "\x85", "\u2028", "\u2029", "\u200b", "\u200e", "\u0410", "%", ",", "a", "1",
]  # fmt: skip
log_text = st.lists(st.sampled_from(LOG_PIECES), min_size=1, max_size=10).map("".join)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    (root / ".git").mkdir()
    return root


@contextlib.contextmanager
def fresh(repo: Path) -> Iterator[Path]:
    """The fixtures laid out anew in the repository, so one example cannot leak into the next."""
    for folder in ("rules", "proposals"):
        shutil.rmtree(repo / folder, ignore_errors=True)
        shutil.copytree(FIXTURES / folder, repo / folder)
    yield repo


def run(repo: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(repo), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


# Besides `check`, each example runs one other command on the same files: every command reads
# them through the same loader, and each must fail as cleanly.
OTHER_COMMANDS = [
    ["check", "proposals", "--rules", "rules", "--format", "json"],
    *(["check", "{p}", "--rules", "rules", "--format", fmt] for fmt in sorted(RENDERERS)),
    ["check", "{p}", "--rules", "rules", "--engine", "python", "--strict"],
    ["lint", "--rules", "rules", "proposals"],
    ["terms", "--rules", "rules"],
    ["space", "{p}", "--rules", "rules"],
    ["diff", "proposals/draft.yaml", "{p}", "--rules", "rules"],
    ["explain", "UA-1", "{p}", "--rules", "rules"],
    ["explain", "UA-1", "{p}", "--rules", "rules", "--format", "markdown"],
    ["space", "{p}", "--rules", "rules", "--format", "markdown"],
    ["diff", "proposals/draft.yaml", "{p}", "--rules", "rules", "--format", "markdown"],
    ["terms", "--rules", "rules", "--format", "json"],
    ["lint", "--rules", "rules", "proposals", "--format", "json"],
]
other_commands = st.sampled_from(OTHER_COMMANDS)


def check_sanely(repo: Path, target: str, other: list[str]) -> None:
    """Run the CLI on the fixtures with `target` changed; the outcome must be a sane one."""
    proposal = target if target.startswith("proposals/") else "proposals/draft.yaml"
    for args in (
        ["check", proposal, "--rules", "rules"],
        [proposal if arg == "{p}" else arg for arg in other],
    ):
        code, out, err = run(repo, *args)
        assert code in (0, 1, 2), f"exit {code}: {err}"
        assert "internal error" not in err and "Traceback" not in err, err
        assert_no_command(err, "stderr")
        if "github" in args:
            assert_commands_are_ours(out)
        else:
            assert_no_command(out, " ".join(args))
        if code == 2:
            assert err.strip(), "exit 2 must say why"
            for line in err.splitlines():
                assert PROBLEM.match(line), f"not 'file:line:col: message': {line!r}"
        else:
            assert out.strip(), "a check must report something"


def write(repo: Path, target: str, content: str | bytes) -> None:
    path = repo / target
    if isinstance(content, str):
        content = content.encode("utf-8", errors="surrogatepass")
    path.write_bytes(content)


# --- random input ---------------------------------------------------------------------------


@FUZZ
@given(target=st.sampled_from(sorted(TARGETS)), text=st.text(max_size=300), other=other_commands)
def test_arbitrary_text(repo: Path, target: str, text: str, other: list[str]) -> None:
    with fresh(repo):
        write(repo, TARGETS[target][0], text)
        check_sanely(repo, TARGETS[target][0], other)


@FUZZ
@given(target=st.sampled_from(sorted(TARGETS)), data=st.binary(max_size=300), other=other_commands)
def test_arbitrary_bytes(repo: Path, target: str, data: bytes, other: list[str]) -> None:
    with fresh(repo):
        write(repo, TARGETS[target][0], data)
        check_sanely(repo, TARGETS[target][0], other)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    log_text,
    st.sampled_from(["ukrainian", "red_line", "draft", "UA-1", "1"]),
    st.dates(min_value=dt.date(1, 1, 1)),
)
keys = st.one_of(
    st.text(max_size=15),
    log_text,
    st.sampled_from(
        [
            "proposal",
            "clauses",
            "base",
            "replace",
            "drop",
            "add",
            "id",
            "title",
            "text",
            "terms",
            "sources",
            "ruleset",
            "rules",
            "requires",
            "severity",
            "weight",
            "all",
            "any",
            "not",
            "if",
            "then",
            "term",
            "eq",
            "in",
            "lt",
            "present",
            "implications",
            "when",
            "type",
            "values",
            "min",
            "max",
            "territory.crimea",
            "ukraine.army_cap",
        ]
    ),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=25,
)


@FUZZ
@given(target=st.sampled_from(sorted(TARGETS)), document=documents, other=other_commands)
def test_arbitrary_yaml_structures(
    repo: Path, target: str, document: Any, other: list[str]
) -> None:
    with fresh(repo):
        write(repo, TARGETS[target][0], yaml.safe_dump(document, allow_unicode=True))
        check_sanely(repo, TARGETS[target][0], other)


# --- valid documents with one thing broken ------------------------------------------------------


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside `data` (mapping keys and list indexes)."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths(value, (*prefix, index))
    return found


def parent_of(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        data = data[step]
    return data


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    """A fixture file, parsed, with one value deleted, retyped or renamed, dumped again."""
    target = draw(st.sampled_from(sorted(TARGETS)))
    data = yaml.safe_load(TARGETS[target][1].read_text(encoding="utf-8"))
    path = draw(st.sampled_from(paths(data)))
    parent, last = parent_of(data, path), path[-1]
    action = draw(st.sampled_from(["delete", "retype", "rename", "empty"]))
    if action == "delete":
        del parent[last]
    elif action == "retype":
        parent[last] = draw(documents)
    elif action == "empty":
        parent[last] = draw(st.sampled_from([None, "", [], {}]))
    elif isinstance(parent, dict):
        new = draw(keys)
        parent[new] = parent.pop(last)
    else:
        parent.insert(0, parent[last])  # a list item twice: duplicate ids and the like
    return TARGETS[target][0], yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@FUZZ
@given(change=mutated(), other=other_commands)
def test_valid_files_with_one_value_mutated(
    repo: Path, change: tuple[str, str], other: list[str]
) -> None:
    target, text = change
    with fresh(repo):
        write(repo, target, text)
        check_sanely(repo, target, other)


@st.composite
def edited(draw: st.DrawFn) -> tuple[str, str]:
    """A fixture file edited as text: a line duplicated, a value swapped for a tricky token,
    a line's indentation changed, or the file cut short."""
    target = draw(st.sampled_from(sorted(TARGETS)))
    lines = TARGETS[target][1].read_text(encoding="utf-8").splitlines(keepends=True)
    index = draw(st.integers(0, len(lines) - 1))
    action = draw(st.sampled_from(["duplicate", "token", "indent", "cut", "insert"]))
    line = lines[index]
    if action == "duplicate":  # duplicate keys at any depth
        lines.insert(index, line)
    elif action == "token" and ":" in line:
        head = line.split(":", 1)[0]
        lines[index] = f"{head}: {draw(st.sampled_from(TRICKY))}\n"
    elif action == "indent":
        lines[index] = " " * draw(st.integers(0, 8)) + line.lstrip(" ")
    elif action == "cut":
        cut = draw(st.integers(0, len(line)))
        lines = [*lines[:index], line[:cut]]
    else:
        lines.insert(index, draw(st.sampled_from(TRICKY)) + "\n")
    return TARGETS[target][0], "".join(lines)


@FUZZ
@given(change=edited(), other=other_commands)
def test_valid_files_edited_as_text(repo: Path, change: tuple[str, str], other: list[str]) -> None:
    target, text = change
    with fresh(repo):
        write(repo, target, text)
        check_sanely(repo, target, other)


# --- hostile ids, paths and values in reports built in code --------------------------------------


@pytest.fixture(scope="module")
def fixture_reports() -> ReportSet:
    with contextlib.chdir(FIXTURES.parent):
        book = load_rules("fixtures/rules")
        proposals = load_proposals(["fixtures/proposals"], book)
        return check_all(proposals, book, engine="python")


@FUZZ
@given(text=st.one_of(log_text, st.text(max_size=30)), fmt=st.sampled_from(sorted(RENDERERS)))
def test_hostile_ids_titles_and_paths_through_every_renderer(
    fixture_reports: ReportSet, text: str, fmt: str
) -> None:
    # Ids from a file are refused unless plain ASCII; a library user's models are not checked,
    # so every renderer must cope with any text in any field.
    output = RENDERERS[fmt](poisoned(fixture_reports, text), RenderOptions())
    if fmt == "github":
        assert_commands_are_ours(output)
    else:
        assert_no_command(output, fmt)
