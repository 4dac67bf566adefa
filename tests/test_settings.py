"""Several outputs in one run, and --format auto: every pairing of -f and -o either works or is
an error that says what to write, never a silent loss."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import run_cli
from gate_repo import Repo
from redlines.render import formats
from redlines.settings import OutputTarget, Sourced, plan_outputs


def plan(fs: list[str], os_: list[str], configured: tuple[OutputTarget, ...] = ()) -> list[str]:
    targets, _ = plan_outputs(
        fs, os_, formats("check"), Sourced("text"), Sourced(configured, "config")
    )
    return [str(t) for t in targets]


def test_pairings() -> None:
    assert plan([], []) == ["text:-"]
    assert plan(["json"], ["r.json"]) == ["json:r.json"]
    assert plan(["sarif", "json"], ["a.sarif", "b.json"]) == ["sarif:a.sarif", "json:b.json"]
    assert plan([], ["sarif:a.sarif", "markdown:b.md"]) == [
        "text:-",
        "sarif:a.sarif",
        "markdown:b.md",
    ]
    assert plan(["github"], ["sarif:a.sarif"]) == ["github:-", "sarif:a.sarif"]
    assert plan(["text"], ["-"]) == ["text:-"]
    # Windows paths and paths with a colon are paths, not FORMAT:PATH.
    assert plan(["json"], ["C:\\r.json"]) == ["json:C:\\r.json"]
    # The configuration's outputs hold unless the command line names any output.
    configured = (OutputTarget("sarif", "c.sarif"),)
    assert plan([], [], configured) == ["text:-", "sarif:c.sarif"]
    assert plan([], ["json:x.json"], configured) == ["text:-", "json:x.json"]


@pytest.mark.parametrize(
    ("fs", "os_", "message"),
    [
        (["sarif", "json"], ["a.sarif"], "2 --format and 1 --output FILE: pair each"),
        ([], ["a.txt", "b.txt"], "0 --format and 2 --output FILE"),
        ([], ["json:-"], "2 outputs to stdout (text, json)"),
        ([], ["json:a", "sarif:a"], "two outputs to a (json and sarif)"),
        ([], ["sarif:"], "'sarif:' names no file after 'sarif:'"),
    ],
)
def test_ambiguous_or_clashing_outputs_are_errors(
    fs: list[str], os_: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        plan(fs, os_)


def test_several_outputs_in_one_run(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    run = repo.check(
        "--rules", "rules", "-f", "sarif", "-o", "a.sarif", "-f", "json", "-o", "b.json"
    )
    assert run.code == 1 and run.out == ""
    assert json.loads(repo.read("a.sarif"))["version"] == "2.1.0"
    assert json.loads(repo.read("b.json"))["overall"] == "infeasible"
    (repo.root / "out").mkdir()
    run = repo.check(
        "--rules", "rules", "--output", "sarif:out/r.sarif", "--output", "markdown:out/r.md"
    )
    assert run.code == 1
    assert "Overall: INFEASIBLE" in run.out  # text on the terminal as well
    assert repo.read("out/r.md").startswith("## redlines: ❌ infeasible")
    assert json.loads(repo.read("out/r.sarif"))["runs"][0]["results"]


def test_an_ambiguous_combination_fails_before_anything_is_written(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    run = repo.check("--rules", "rules", "-f", "sarif", "-f", "json", "-o", "a.sarif")
    assert run.code == 2
    assert "redlines: error: 2 --format and 1 --output FILE" in run.err
    assert not (repo.root / "a.sarif").exists()


def test_outputs_from_the_configuration(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    (repo.root / "reports").mkdir()
    repo.write(
        ".redlines.yaml",
        "rules: rules\nformat: markdown\noutputs: [sarif:reports/r.sarif, junit:reports/r.xml]\n",
    )
    run = repo.check()
    assert run.out.startswith("## redlines:")
    assert repo.read("reports/r.xml").startswith("<?xml")
    assert json.loads(repo.read("reports/r.sarif"))["version"] == "2.1.0"


@pytest.mark.parametrize(("actions", "first"), [("true", "::group::"), ("", "test-draft — ")])
def test_format_auto(tmp_path: Path, actions: str, first: str) -> None:
    repo = Repo(tmp_path)
    run = run_cli(
        "check",
        "proposals/draft.yaml",
        "--rules",
        "rules",
        "-f",
        "auto",
        cwd=repo.root,
        env={**os.environ, "GITHUB_ACTIONS": actions},
    )
    assert run.out.startswith(first)
