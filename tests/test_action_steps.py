"""Run action.yml's steps locally, as the runner would, in a made-up workspace.

The harness reads action.yml and, step by step: evaluates `${{ }}` expressions (inputs with
their defaults, `steps.<id>.outputs`, `github.*`, `runner.*`), runs each `run:` step with
`bash --noprofile --norc -eo pipefail` (GitHub's `shell: bash`) in its working directory with
its `env:`, gives it a fresh `$GITHUB_OUTPUT` and collects the outputs, and finally evaluates
the action's `outputs:`.

Two steps are stood in for, because they fetch from the network: `actions/setup-python` (its
`python-path` output is this interpreter) and the `install` step (its `python` output is this
interpreter, where redlines is installed already). Set REDLINES_ACTION_INSTALL=1 to run the
install step for real too (it builds a virtual environment and pip-installs this checkout: slow,
and it needs the package index).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from action_workspace import FIXTURES, PROJECT, Workspace, make_workspace

ACTION = PROJECT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
REAL_INSTALL = os.environ.get("REDLINES_ACTION_INSTALL") == "1"


@dataclass
class Run:
    code: int
    log: str
    outputs: dict[str, str]
    steps: dict[str, dict[str, str]] = field(default_factory=dict)


def parse_outputs(text: str) -> dict[str, str]:
    """$GITHUB_OUTPUT: name=value lines and name<<DELIMITER blocks."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            outputs[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


class Runner:
    def __init__(self, ws: Workspace, inputs: dict[str, str], temp: Path) -> None:
        self.action: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
        self.ws, self.temp = ws, temp
        declared = self.action["inputs"]
        unknown = set(inputs) - set(declared)
        assert not unknown, f"inputs not declared in action.yml: {unknown}"
        self.inputs = {name: str(spec.get("default", "")) for name, spec in declared.items()}
        self.inputs.update(inputs)
        self.steps: dict[str, dict[str, str]] = {}

    def value(self, expression: str) -> str:
        parts = expression.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            return self.inputs[parts[1]]
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return self.steps.get(parts[1], {}).get(parts[3], "")
        if expression == "github.action_path":
            return str(PROJECT)
        if parts[0] == "github" and parts[1:2] == ["event"]:
            return self.event_value(parts[2:])
        if expression == "github.event_name":
            return self.ws.event_name
        if expression == "github.workspace":
            return str(self.ws.root)
        if expression == "runner.temp":
            return str(self.temp)
        raise AssertionError(f"the harness does not know the expression '{expression}'")

    def event_value(self, path: list[str]) -> str:
        """A `github.event.…` value from the event file, '' where the event has none (as the
        runner gives)."""
        value: Any = json.loads(self.ws.event.read_text(encoding="utf-8"))
        for step in path:
            value = value.get(step) if isinstance(value, dict) else None
        return "" if value is None else str(value)

    def expand(self, text: Any) -> str:
        return EXPRESSION.sub(lambda m: self.value(m.group(1)), str(text))

    def run(self) -> Run:
        assert self.action["runs"]["using"] == "composite"
        log: list[str] = []
        for step in self.action["runs"]["steps"]:
            unsupported = set(step) - {
                "name",
                "id",
                "uses",
                "with",
                "shell",
                "env",
                "run",
                "working-directory",
            }
            assert not unsupported, f"the harness cannot run step keys {unsupported}"
            sid = step.get("id", "")
            if "uses" in step:
                assert step["uses"].startswith("actions/setup-python@"), step["uses"]
                for key in step.get("with", {}).values():
                    self.expand(key)  # every expression must still resolve
                self.steps[sid] = {"python-path": sys.executable}
                continue
            if sid == "install" and not REAL_INSTALL:
                self.steps[sid] = {"python": sys.executable}
                continue
            code, out, outputs = self.run_step(step)
            log.append(out)
            self.steps[sid] = outputs
            if code != 0:  # a failing step fails the action; later steps do not run
                return Run(code, "".join(log), self.action_outputs(), self.steps)
        return Run(0, "".join(log), self.action_outputs(), self.steps)

    def run_step(self, step: dict[str, Any]) -> tuple[int, str, dict[str, str]]:
        assert step.get("shell") == "bash", "every run step must say shell: bash"
        output = self.temp / f"output-{step.get('id', 'step')}.txt"
        output.write_text("", encoding="utf-8")
        script = self.temp / f"{step.get('id', 'step')}.sh"
        script.write_text(self.expand(step["run"]), encoding="utf-8")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.temp),
            "GITHUB_ACTION_PATH": str(PROJECT),
            "RUNNER_TEMP": str(self.temp),
            **{k: v for k, v in self.ws.env().items() if not k.startswith("INPUT_")},
            "GITHUB_OUTPUT": str(output),
            **{k: self.expand(v) for k, v in step.get("env", {}).items()},
        }
        cwd = self.expand(step.get("working-directory", "${{ github.workspace }}"))
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.stderr == "" or REAL_INSTALL, done.stderr
        return done.returncode, done.stdout, parse_outputs(output.read_text(encoding="utf-8"))

    def action_outputs(self) -> dict[str, str]:
        return {name: self.expand(spec["value"]) for name, spec in self.action["outputs"].items()}


def run_action(tmp_path: Path, ws: Workspace, **inputs: str) -> Run:
    temp = tmp_path / "runner-temp"
    temp.mkdir(exist_ok=True)
    return Runner(ws, inputs, temp).run()


def test_passing_proposal(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "passing.yaml", "open.yaml")
    result = run_action(tmp_path, ws, rules="rules", proposals="proposals/*.yaml")
    assert result.code == 0
    comment = Path(result.outputs.pop("comment-file"))
    assert result.outputs == {"verdict": "incomplete", "findings": "3", "failures": "0"}
    assert comment.read_text(encoding="utf-8").startswith("<!-- redlines-summary -->\n")
    assert "::error" not in result.log
    assert result.log.count("::notice ") == 3
    assert result.log.rstrip().endswith(
        "2 proposals checked: 1 incomplete, 1 feasible; 0 red lines violated, 2 open,"
        " 1 priority not met, 0 contradictions"
    )
    summary = ws.summary.read_text(encoding="utf-8")
    assert "| Proposal | European Union | Ukraine | Overall |" in summary
    assert "✅ **feasible**" in summary and "⚠️ **incomplete**" in summary


def test_failing_proposal_with_sarif(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "draft.yaml", "passing.yaml")
    result = run_action(tmp_path, ws, rules="rules", **{"sarif-file": "redlines.sarif"})
    assert result.code == 1
    del result.outputs["comment-file"]
    assert result.outputs == {"verdict": "infeasible", "findings": "6", "failures": "2"}
    errors = [line for line in result.log.splitlines() if line.startswith("::error ")]
    assert [e.split("::")[1] for e in errors] == [
        "error file=proposals/draft.yaml,line=9,col=5,title=EU-1 Non-recognition of Crimea's"
        " annexation (European Union)",
        "error file=proposals/draft.yaml,line=9,col=5,title=UA-1 No legal recognition of"
        " occupied land (Ukraine)",
    ]
    assert (ws.root / "redlines.sarif").is_file()
    assert "❌ **infeasible**" in ws.summary.read_text(encoding="utf-8")


def test_fail_on_never_passes_and_still_reports(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "draft.yaml")
    result = run_action(tmp_path, ws, rules="rules", **{"fail-on": "never"})
    assert result.code == 0
    assert result.outputs["verdict"] == "infeasible"
    assert result.log.count("::error ") == 2


def test_default_proposals_glob_reaches_subfolders(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    (ws.root / "proposals/2025/11").mkdir(parents=True)
    (ws.root / "proposals/2025/11/passing.yaml").write_text(
        (PROJECT / "tests/render/fixtures/proposals/passing.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    result = run_action(tmp_path, ws, rules="rules")
    assert result.code == 0
    assert "proposals/2025/11/passing.yaml" in result.log


def test_bad_input(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "passing.yaml")
    result = run_action(tmp_path, ws, rules="rules", **{"as-of": "soon"})
    assert result.code == 2
    assert result.outputs["verdict"] == "error"
    assert result.log.startswith("::error title=redlines%3A bad input::as-of must be a date")


@pytest.mark.skipif(
    not REAL_INSTALL,
    reason="set REDLINES_ACTION_INSTALL=1 to pip-install "
    "this checkout into a fresh venv (slow, needs PyPI)",
)
def test_real_install_step(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "passing.yaml")
    result = run_action(tmp_path, ws, rules="rules")
    assert result.code == 0, result.log
    assert result.steps["install"]["python"].startswith(str(tmp_path))


# --- each input the gate added, through the Action's own steps ----------------------------------


def test_config_input_names_the_configuration(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "draft.yaml")
    (ws.root / "ci").mkdir()
    (ws.root / "ci/gate.yaml").write_text("rules: ../rules\nfail-on: never\n", encoding="utf-8")
    result = run_action(tmp_path, ws, config="ci/gate.yaml")
    assert result.code == 0, result.log
    assert result.outputs["verdict"] == "infeasible"
    assert result.outputs["failures"] == "0"


def test_a_configuration_in_the_repository_root_is_read_without_an_input(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "draft.yaml")
    (ws.root / ".redlines.yaml").write_text("rules: rules\nfail-on: never\n", encoding="utf-8")
    result = run_action(tmp_path, ws)
    assert result.code == 0, result.log
    # An input still wins over the file.
    assert run_action(tmp_path, ws, **{"fail-on": "red_line"}).code == 1


def test_actors_input_checks_only_those_rule_sets(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "draft.yaml")
    result = run_action(tmp_path, ws, rules="rules", actors="eu")
    assert result.code == 1
    assert "title=EU-1 " in result.log and "title=UA-1 " not in result.log
    assert "| Proposal | European Union | Overall |" in ws.summary.read_text(encoding="utf-8")


def test_select_and_ignore_inputs(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "draft.yaml")
    only = run_action(tmp_path, ws, rules="rules", select="UA-3, UA-4")
    assert only.code == 0  # neither is a red line
    assert "title=UA-3 " in only.log and "title=UA-1 " not in only.log
    ignored = run_action(tmp_path, ws, rules="rules", ignore="red_line")
    assert ignored.code == 0 and "::error " not in ignored.log
    nothing = run_action(tmp_path, ws, rules="rules", select="red_line", ignore="eu ukraine")
    assert nothing.code == 2 and nothing.outputs["verdict"] == "error"
    assert "keeps no rule" in nothing.log


def test_baseline_input_fails_only_on_new_findings(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "draft.yaml")
    written = run_action(tmp_path, ws, rules="rules", args="--write-baseline redlines.baseline")
    assert written.code == 0  # what a baseline records is accepted from then on
    assert (ws.root / "redlines.baseline").is_file()
    judged = run_action(tmp_path, ws, rules="rules", baseline="redlines.baseline")
    assert judged.code == 0 and judged.outputs["failures"] == "0"
    assert "Unchanged since the baseline (does not fail)." in judged.log
    shutil.copy(FIXTURES["variant.yaml"], ws.root / "proposals/variant.yaml")
    newer = run_action(tmp_path, ws, rules="rules", baseline="redlines.baseline")
    assert newer.code == 1  # the variant contradicts itself: new
    assert "contradiction on ukraine.army_cap" in newer.log


def test_args_input_is_split_in_python_never_by_a_shell(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "draft.yaml")
    marker = tmp_path / "pwned"
    result = run_action(
        tmp_path,
        ws,
        rules="rules",
        args=f"--output 'junit:reports/a b.xml' --set ukraine.army_cap=800000 ; touch {marker}",
    )
    # `;`, `touch` and the path are not a command but arguments, here extra proposal paths.
    assert not marker.exists()
    assert result.code == 2 and "touch" in result.log
    clean = run_action(
        tmp_path, ws, rules="rules", args="--output 'junit:reports/a b.xml' --engine python"
    )
    assert clean.code == 1, clean.log
    assert (ws.root / "reports/a b.xml").read_text(encoding="utf-8").startswith("<?xml")


def test_args_cannot_redirect_the_log(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "draft.yaml")
    result = run_action(tmp_path, ws, rules="rules", args="--format text")
    assert result.code == 2
    assert "give --output FORMAT:PATH in args" in result.log


# --- changed-only: a real repository, a base and a head commit, a pull-request event -------------

GIT_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, env=GIT_ENV, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def pull_request(tmp_path: Path) -> Workspace:
    """A repository whose base commit holds a draft that crosses nothing and an untouched one;
    the head commit changes the first to cross EU-1 and UA-1 and adds a third."""
    ws = make_workspace(tmp_path, "draft.yaml", "passing.yaml")
    shutil.rmtree(ws.root / ".git")
    git(ws.root, "init", "-q", "-b", "main")
    draft = ws.root / "proposals/draft.yaml"
    crossing = draft.read_text(encoding="utf-8")
    draft.write_text(crossing.replace("de_jure_russian", "frozen_line"), encoding="utf-8")
    git(ws.root, "add", "-A")
    git(ws.root, "commit", "-qm", "base")
    base = git(ws.root, "rev-parse", "HEAD")
    draft.write_text(crossing, encoding="utf-8")
    shutil.copy(FIXTURES["open.yaml"], ws.root / "proposals/added.yaml")
    git(ws.root, "add", "-A")
    git(ws.root, "commit", "-qm", "head")
    head = git(ws.root, "rev-parse", "HEAD")
    ws.event_data = {"pull_request": {"base": {"sha": base}, "head": {"sha": head}}}
    return ws


def test_changed_only_checks_what_the_pull_request_adds_or_changes(tmp_path: Path) -> None:
    ws = pull_request(tmp_path)
    result = run_action(tmp_path, ws, rules="rules", **{"changed-only": "true"})
    assert result.code == 1, result.log
    assert (
        "redlines: changed-only: 2 of 3 proposals changed in this pull request "
        "(proposals/added.yaml, proposals/draft.yaml)"
    ) in result.log
    assert "proposals/passing.yaml" not in result.log  # untouched: not checked
    assert "proposals/draft.yaml: this change newly crosses EU-1 " in result.log
    assert "proposals/draft.yaml: this change newly crosses UA-1 " in result.log
    assert "proposals/added.yaml: this change" not in result.log  # new: nothing to compare
    comment = Path(result.outputs["comment-file"]).read_text(encoding="utf-8")
    assert "### What this pull request changes" in comment
    assert "❌ newly crosses **UA-1** No legal recognition of occupied land" in comment
    summary = ws.summary.read_text(encoding="utf-8")
    assert "### What this pull request changes" in summary


def test_changed_only_checks_everything_when_the_rules_change(tmp_path: Path) -> None:
    ws = pull_request(tmp_path)
    rules = ws.root / "rules/eu.yaml"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    git(ws.root, "commit", "-qam", "touch the rules")
    head = git(ws.root, "rev-parse", "HEAD")
    ws.event_data["pull_request"]["head"]["sha"] = head
    result = run_action(tmp_path, ws, rules="rules", **{"changed-only": "true"})
    assert "the rules or the configuration changed (rules/eu.yaml); every proposal is checked" in (
        result.log
    )
    assert "proposals/passing.yaml" in result.log


def test_changed_only_outside_a_pull_request_checks_everything(tmp_path: Path) -> None:
    ws = pull_request(tmp_path)
    ws.event_name, ws.event_data = "push", {}
    result = run_action(tmp_path, ws, rules="rules", **{"changed-only": "true"})
    assert "changed-only applies to pull requests; every proposal is checked" in result.log
    assert "proposals/passing.yaml" in result.log
