"""No forged workflow commands: hostile text through every output a CI log can show.

A pull request controls the YAML files, and so every title, message, actor and source a report
quotes; code using the library controls ids and paths too. Here such text (a newline, LS, PS or
CR followed by `::error …`, `::add-mask::`, `::stop-commands::`, a leading `::`, the old
`##[error]`) goes through every format of every command, the CLI's messages and the Action, and
each output is read the way the runner reads a log (`workflow_commands`): only `--format github`
and the Action write commands, and only theirs.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from action_workspace import make_workspace
from conftest import FIXTURES
from redlines import action, cli, load_rules
from redlines.checkrun import CheckRun
from redlines.render import REGISTRY, RenderOptions, render
from redlines.render.stream import CheckWriter
from redlines.render.view import Level, check_view
from redlines.report import Report, ReportSet, worst
from redlines.ruledocs import RulePage
from workflow_commands import assert_no_command, assert_only_our_commands, log_lines, poisoned

# What a YAML file can hold (it refuses CR, NEL and other control characters).
HOSTILE = [
    "Innocent\n::error title=Forged,file=x.yaml::FORGED by a newline",
    "Innocent\u2028::add-mask::FORGED by a line separator",
    "Innocent\u2029::stop-commands::FORGED by a paragraph separator",
    "::warning::FORGED at the start",
    "   ::notice::FORGED after spaces",
    "text ##[error]FORGED in the old syntax",
    "two\n\n::error::FORGED after a blank line\n##[group]FORGED",
]
# What code using the library can put in a model besides: every other line break.
HOSTILE_IN_CODE = [
    *HOSTILE,
    "Innocent\r::error::FORGED by a carriage return",
    "Innocent\r\n::error::FORGED by CRLF",
    "Innocent\x0b::error::FORGED by a vertical tab",
    "Innocent\x0c::error::FORGED by a form feed",
    "Innocent\x85::error::FORGED by a next line",
    "Innocent\x1e::error::FORGED by a record separator",
]
ENUM_VALUE = "::error::FORGED enum value"  # printable, so `--set` can name it too


# --- a repository whose files say hostile things -------------------------------------------------

TEXT_FIELDS = {
    "title", "text", "note", "message", "rationale", "description", "actor", "outlet",
    "authority", "unit", "name", "why",
}  # fmt: skip


def _spiked(data: Any, counter: Iterator[int]) -> Any:
    """`data` with every free-text field replaced by the next hostile text."""
    if isinstance(data, dict):
        return {
            key: (
                HOSTILE[next(counter) % len(HOSTILE)]
                if key in TEXT_FIELDS and isinstance(value, str)
                else _spiked(value, counter)
            )
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_spiked(item, counter) for item in data]
    return data


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("hostile") / "repo"
    (repo / ".git").mkdir(parents=True)
    counter = iter(range(10_000))
    for source in sorted(FIXTURES.rglob("*.yaml")):
        data = _spiked(yaml.safe_load(source.read_text(encoding="utf-8")), counter)
        if source == FIXTURES / "rules" / "terms.yaml":
            data["terms"]["territory.donetsk"]["values"].append(ENUM_VALUE)
        target = repo / source.relative_to(FIXTURES)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(data, allow_unicode=False, sort_keys=False), "utf-8")
    # A file name that would start a line of the text report's header.
    shutil.copy(repo / "proposals" / "draft.yaml", repo / "::warning::FORGED name.yaml")
    return repo


def run(repo: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(repo), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


DRAFTS = ("proposals/draft.yaml", "proposals/variant.yaml", "::warning::FORGED name.yaml")
# Each command on the hostile files, with every format it has.
RUNS = {
    "check": ["check", *DRAFTS, "--rules", "rules", "--set", f"territory.donetsk={ENUM_VALUE}"],
    "space": ["space", "proposals/draft.yaml", "--rules", "rules"],
    "timeline": ["timeline", *DRAFTS, "--rules", "rules"],
    "diff": ["diff", "proposals/draft.yaml", "proposals/variant.yaml", "--rules", "rules"],
    "explain": ["explain", "UA-1", "proposals/draft.yaml", "--rules", "rules"],
    "terms": ["terms", "--rules", "rules"],
    "coverage": ["terms", "--coverage", "--rules", "rules"],  # the matrix `terms` renders
    "lint": ["lint", "--rules", "rules", "proposals"],
    "schema": ["schema", "proposal"],
    "rules": ["rules", "list", "--rules", "rules"],
    "test": ["test", "tests", "--rules", "rules"],
    "docs": ["docs", "--rules", "rules", "--output", "pages"],  # files, read below
}
# Commands with one output and no --format: a schema, the pages of `docs`.
NO_FORMAT = ("schema", "docs")
EVERY_OUTPUT = sorted(REGISTRY)
RENDERED = [(c, f) for c, f in EVERY_OUTPUT if c not in NO_FORMAT]  # schema quotes no input


def test_every_command_and_format_is_covered() -> None:
    assert {command for command, _ in EVERY_OUTPUT} == set(RUNS)


def expected_commands(reports: ReportSet) -> dict[str, int]:
    """What `--format github` writes for these reports: a group per proposal, and one
    annotation per item at its level."""
    items = check_view(reports).items
    level = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}
    counts = {name: sum(1 for i in items if level[i.level] == name) for name in level.values()}
    return {"group": len(reports.reports), "endgroup": len(reports.reports), **counts}


@pytest.mark.parametrize(
    ("command", "fmt"), EVERY_OUTPUT, ids=[f"{c}-{f}" for c, f in EVERY_OUTPUT]
)
def test_hostile_files_forge_no_command(hostile_repo: Path, command: str, fmt: str) -> None:
    args = [*RUNS[command], "--format", fmt] if command not in NO_FORMAT else RUNS[command]
    code, out, err = run(hostile_repo, *args)
    assert code in (0, 1), err
    assert out.strip() and not err
    if command == "docs":
        pages = sorted((hostile_repo / "pages").iterdir())
        assert pages
        for page in pages:
            assert_no_command(page.read_text(encoding="utf-8"), f"docs page {page.name}")
        return
    if (command, fmt) == ("check", "github"):
        _, json_out, _ = run(hostile_repo, *RUNS["check"], "--format", "json")
        reports = ReportSet.model_validate_json(json_out)
        found = assert_only_our_commands(out, expected_commands(reports))
        assert any("FORGED by a newline" in c.data for c in found)  # the text is all there
    else:
        assert_no_command(out, f"{command} --format {fmt}")
    if fmt == "text" and command != "schema":
        # The texts are all there, each on its line, its line breaks shown escaped.
        assert "\\n::" in out or "\\u2028::" in out or "\\u2029::" in out


def test_hostile_files_through_the_action(hostile_repo: Path, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    shutil.rmtree(ws.root / "rules")
    shutil.copytree(hostile_repo / "rules", ws.root / "rules")
    shutil.copytree(hostile_repo / "proposals", ws.root / "proposals", dirs_exist_ok=True)
    out = io.StringIO()
    code = action.main(ws.env(sarif_file="out/redlines.sarif"), out)
    assert code == 1
    _, json_out, _ = run(ws.root, "check", "proposals", "--rules", "rules", "-f", "json")
    assert_only_our_commands(
        out.getvalue(), expected_commands(ReportSet.model_validate_json(json_out))
    )
    assert_no_command(ws.summary.read_text(encoding="utf-8"), "the job summary")
    assert_no_command((ws.root / "out/redlines.sarif").read_text(encoding="utf-8"), "SARIF")
    assert_no_command(ws.output.read_text(encoding="utf-8"), "GITHUB_OUTPUT")


# --- hostile ids, paths and values: reports built in code ----------------------------------------


@pytest.fixture(scope="module")
def results(monkeypatch_module: pytest.MonkeyPatch) -> dict[str, Any]:
    """Each command's result on the test fixtures, as the CLI hands it to a renderer."""
    found: dict[str, Any] = {}

    def keep(
        result: object, args: Any, options: RenderOptions | None = None, command: str | None = None
    ) -> None:
        found[command or args.command] = result

    kept: list[Report] = []

    class KeepReports(CheckWriter):
        """`check` streams its reports to a writer instead of handing a ReportSet to `emit`."""

        def add(self, report: Report) -> None:
            super().add(report)
            kept.append(report)

        def finish(self) -> None:
            found["check"] = ReportSet(overall=self.tally.overall, reports=tuple(kept))

    monkeypatch_module.setattr(cli, "emit", keep)
    monkeypatch_module.setattr(cli, "check_writer", lambda fmt: KeepReports)
    for command, args in RUNS.items():
        if command in NO_FORMAT:
            continue
        plain = [
            arg.replace(f"territory.donetsk={ENUM_VALUE}", "territory.donetsk=contested")
            for arg in args
        ]
        plain = [a for a in plain if a != "::warning::FORGED name.yaml"]
        code, _, err = run(FIXTURES, *plain)
        assert code in (0, 1), err
    return found


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.mark.parametrize("text", HOSTILE_IN_CODE, ids=range(len(HOSTILE_IN_CODE)))
@pytest.mark.parametrize(("command", "fmt"), RENDERED, ids=[f"{c}-{f}" for c, f in RENDERED])
def test_hostile_ids_and_paths_forge_no_command(
    results: dict[str, Any], command: str, fmt: str, text: str
) -> None:
    result = poisoned(results[command], text)
    output = render(result, fmt, RenderOptions(), command=command)
    if (command, fmt) == ("check", "github"):
        assert_only_our_commands(output, expected_commands(results[command]))
    else:
        assert_no_command(output, f"{command} --format {fmt}")
    if fmt == "text":
        # Every line holds the whole text it quotes: none starts inside one.
        assert not [line for line in log_lines(output) if line.lstrip().startswith("::")]


@pytest.mark.parametrize("text", HOSTILE_IN_CODE, ids=range(len(HOSTILE_IN_CODE)))
def test_hostile_ids_forge_no_command_in_the_rule_pages(text: str) -> None:
    book = poisoned(load_rules(FIXTURES / "rules"), text)
    for ruleset in (None, *(rs.id for rs in book.rulesets)):
        page = render(RulePage(book=book, ruleset=ruleset), "markdown", command="docs")
        assert_no_command(page, f"docs page {ruleset}")


@pytest.mark.parametrize("text", HOSTILE_IN_CODE, ids=range(len(HOSTILE_IN_CODE)))
def test_the_action_log_with_hostile_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    ws = make_workspace(tmp_path, "draft.yaml", "variant.yaml")
    real = CheckRun.reports
    seen: list[Report] = []

    def hostile(self: CheckRun, **options: Any) -> Iterator[Report]:
        for report in real(self, **options):
            seen.append(poisoned(report, text))
            yield seen[-1]

    monkeypatch.setattr(CheckRun, "reports", hostile)
    out = io.StringIO()
    assert action.main(ws.env(sarif_file="x.sarif"), out) == 1
    log = out.getvalue()
    checked = ReportSet(overall=worst(r.overall for r in seen), reports=tuple(seen))
    assert_only_our_commands(log, expected_commands(checked))
    assert "redlines: failing at fail-on red_line: test-draft" in log
    assert json.loads((ws.root / "x.sarif").read_text(encoding="utf-8"))["runs"]


# --- the CLI's own messages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["check", "proposals/a\n::error::FORGED.yaml", "--rules", "rules"],
        ["check", "proposals/draft.yaml", "--rules", "rules", "--actor", "x\n::add-mask::FORGED"],
        ["check", "proposals/draft.yaml", "--rules", "rules", "--set", "a\n::error::FORGED=1"],
        ["check", "proposals/draft.yaml", "--rules", "rules", "--set", "a.b=1\u2028::error::F"],
        ["check", "proposals/draft.yaml", "--rules", "rules", "--as-of", "2025\n::error::F"],
        ["check", "proposals/draft.yaml", "--rules", "rules", "--format", "x\n::error::F"],
        ["explain", "UA-1\n::error::FORGED", "--rules", "rules"],
        ["check", "proposals/draft.yaml", "--rules", "rules\u2029::error::FORGED"],
    ],
    ids=["file", "actor", "set-term", "set-value", "as-of", "format", "rule", "rules-dir"],
)
def test_cli_messages_stay_on_one_line(args: list[str]) -> None:
    code, out, err = run(FIXTURES, *args)
    assert code == 2 and not out
    assert_no_command(err, "stderr")
    quoting = [line for line in log_lines(err) if "FORGED" in line or "::" in line]
    assert len(quoting) == 1, err  # the hostile text, whole, on the message's one line


def test_a_bad_file_s_problems_stay_on_their_lines(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES, repo)
    draft = repo / "proposals" / "draft.yaml"
    draft.write_text(
        draft.read_text(encoding="utf-8").replace(
            "ukraine.army_cap: 600000",
            'ukraine.army_cap: "::error::FORGED\\n::add-mask::x"\n'
            '      "::warning::FORGED\\u2028term": 1',
        ),
        encoding="utf-8",
    )
    code, out, err = run(repo, "check", "proposals/draft.yaml", "--rules", "rules")
    assert code == 2 and not out
    assert_no_command(err, "stderr")
    assert len(log_lines(err)) == 2
