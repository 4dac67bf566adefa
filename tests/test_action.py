"""The Action's logic (`redlines.action`), in-process and as the subprocess action.yml runs."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from action_workspace import FIXTURES, Workspace, make_workspace
from redlines import action, gate
from redlines.models import InputWarning, Proposal, RuleBook


def run(ws: Workspace, **inputs: str) -> tuple[int, str]:
    out = io.StringIO()
    before = os.getcwd()
    code = action.main(ws.env(**inputs), out)
    assert os.getcwd() == before, "the action must give back the working directory"
    return code, out.getvalue()


def test_passing_proposal(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "passing.yaml")
    code, log = run(ws)
    assert code == 0
    assert ws.outputs() == {"verdict": "feasible", "findings": "1", "failures": "0"}
    assert "::error" not in log
    assert "::notice file=proposals/passing.yaml,line=23,col=5,title=UA-4 " in log
    summary = ws.summary.read_text(encoding="utf-8")
    assert summary.startswith("## redlines: ✅ feasible")
    assert (
        "| [test-passing](https://github.com/policy-team/drafts/blob/feedc0de/"
        "proposals/passing.yaml) — A draft every party can live with |"
    ) in summary


def test_failing_proposal(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "draft.yaml", "passing.yaml")
    code, log = run(ws, sarif_file="reports/redlines.sarif")
    assert code == 1
    assert ws.outputs() == {"verdict": "infeasible", "findings": "6", "failures": "2"}
    assert (
        "::error file=proposals/draft.yaml,line=9,col=5,title=EU-1 Non-recognition of"
        " Crimea's annexation (European Union)::European Union red line violated (EU-1)"
    ) in log
    assert "redlines: failing at fail-on red_line: test-draft: EU-1 violated;" in log
    summary = ws.summary.read_text(encoding="utf-8")
    assert "#### ❌ Violated red lines (2)" in summary
    assert (
        "(https://github.com/policy-team/drafts/blob/feedc0de/proposals/draft.yaml#L9)" in summary
    )
    sarif = json.loads((ws.root / "reports/redlines.sarif").read_text(encoding="utf-8"))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    assert uris == {"proposals/draft.yaml", "proposals/passing.yaml"}


@pytest.mark.parametrize(
    ("inputs", "code", "failures"),
    [
        ({"fail_on": "never"}, 0, "0"),
        ({"fail_on": "priority"}, 1, "3"),
        ({"fail_on": "preference"}, 1, "4"),
    ],
)
def test_fail_on(tmp_path: Path, inputs: dict[str, str], code: int, failures: str) -> None:
    ws = make_workspace(tmp_path, "draft.yaml")
    assert run(ws, **inputs)[0] == code
    assert ws.outputs()["failures"] == failures


def test_strict_fails_on_open_red_lines(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "open.yaml")
    assert run(ws)[0] == 0
    assert ws.outputs()["verdict"] == "incomplete"
    ws.output.write_text("")
    assert run(ws, strict="true")[0] == 1
    assert ws.outputs()["failures"] == "2"


def test_javascript_style_input_names_and_globs(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "draft.yaml", "passing.yaml")
    env = ws.env(proposals="proposals/pass*.yaml\n  proposals/missing-*.yaml")
    env["INPUT_FAIL-ON"] = "never"
    assert action.main(env, io.StringIO()) == 0
    assert ws.outputs()["verdict"] == "feasible"


def test_yml_proposals_are_checked_by_default(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "passing.yaml")
    (ws.root / "proposals/more").mkdir()
    shutil.copy(FIXTURES["draft.yaml"], ws.root / "proposals/more/draft.yml")
    code, log = run(ws)
    assert code == 1
    assert "::error file=proposals/more/draft.yml,line=9,col=5,title=EU-1 " in log


def test_contradiction_fails(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "draft.yaml", "variant.yaml")
    code, log = run(ws, proposals="proposals/variant.yaml")
    assert code == 1
    assert "::error file=proposals/draft.yaml,line=19,col=7,title=The proposal contradicts" in log


def test_bad_yaml_is_annotated_at_its_line(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "passing.yaml")
    (ws.root / "proposals/broken.yaml").write_text(
        "proposal:\n  id: broken\n  title: [unclosed\n", encoding="utf-8"
    )
    code, log = run(ws)
    assert code == 2
    assert log.startswith("::error file=proposals/broken.yaml,line=")
    assert ws.outputs() == {"verdict": "error", "findings": "0", "failures": "0"}
    assert ws.summary.read_text(encoding="utf-8").startswith("## redlines: bad input")


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"proposals": "nothing/**/*.yaml"}, "no proposal files match 'nothing/**/*.yaml'"),
        ({"fail_on": "sometimes"}, "fail-on must be one of red_line, priority, preference, never"),
        ({"as_of": "next week"}, "as-of must be a date (YYYY-MM-DD), not 'next week'"),
        ({"as_of": "20251120"}, "as-of must be a date (YYYY-MM-DD), not '20251120'"),
        ({"as_of": "2025-W47-4"}, "as-of must be a date (YYYY-MM-DD), not '2025-W47-4'"),
        ({"strict": "yes"}, "strict must be true or false, not 'yes'"),
        ({"rules": "no-such-dir"}, "no such rules directory"),
    ],
)
def test_bad_inputs(tmp_path: Path, inputs: dict[str, str], message: str) -> None:
    ws = make_workspace(tmp_path, "passing.yaml")
    code, log = run(ws, **inputs)
    assert code == 2
    assert log.startswith("::error ") and message in log


def test_as_of_selects_rules_in_force(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "passing.yaml")
    run(ws, as_of="2026-06-01", sarif_file="out.sarif")
    rules = json.loads((ws.root / "out.sarif").read_text(encoding="utf-8"))
    # EU-2 comes into force on 2026-01-26; it is met by silence, so it is a rule but no result.
    proposals = rules["runs"][0]["properties"]["proposals"]
    assert proposals[0]["asOf"] == "2026-06-01"


def test_link_base_prefers_the_pull_request_head() -> None:
    env = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_SHA": "merge",
    }
    assert action.link_base(env) == "https://github.com/o/r/blob/merge/"
    assert action.link_base({}) is None


def test_as_a_subprocess(tmp_path: Path) -> None:
    """What action.yml runs: `python -m redlines.action`, inputs in the environment."""
    ws = make_workspace(tmp_path, "draft.yaml")
    env = {**os.environ, **ws.env(fail_on="red_line")}
    done = subprocess.run(
        [sys.executable, "-m", "redlines.action"],
        env=env,
        cwd=ws.root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith("::group::test-draft — A test draft: infeasible")
    assert ws.outputs()["verdict"] == "infeasible"


def test_the_action_is_a_shell_over_the_library_not_over_the_cli() -> None:
    probe = "import sys, redlines.action; print('redlines.cli' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_warnings_are_annotations_that_do_not_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_workspace(tmp_path, "passing.yaml")
    real = gate.load_proposals
    # A message with what a workflow command must not carry raw: a newline and a second command.
    said = "term 'old.name' was renamed 'new.name' (100%)\n::error::forged"

    def loading(paths: list[str], book: RuleBook) -> list[Proposal]:
        return [
            p.model_copy(
                update={"warnings": (InputWarning(file=p.path, line=7, col=5, message=said),)}
            )
            for p in real(paths, book)
        ]

    monkeypatch.setattr(gate, "load_proposals", loading)
    code, log = run(ws)
    assert code == 0 and ws.outputs()["failures"] == "0"
    assert (
        "::warning file=proposals/passing.yaml,line=7,col=5,title=redlines%3A warning::"
        "term 'old.name' was renamed 'new.name' (100%25)%0A::error::forged\n"
    ) in log
    assert "\n::error" not in log
