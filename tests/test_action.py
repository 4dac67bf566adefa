"""The Action's logic (`redlines.action`), in-process and as the subprocess action.yml runs."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from action_workspace import FIXTURES, Workspace, make_workspace
from redlines import action, checkrun
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
    real = checkrun.load_proposal  # a run loads each draft through checkrun
    # A message with what a workflow command must not carry raw: a newline and a second command.
    said = "term 'old.name' was renamed 'new.name' (100%)\n::error::forged"

    def loading(path: str, book: RuleBook) -> Proposal:
        p = real(path, book)
        return p.model_copy(
            update={"warnings": (InputWarning(file=p.path, line=7, col=5, message=said),)}
        )

    monkeypatch.setattr(checkrun, "load_proposal", loading)
    code, log = run(ws)
    assert code == 0 and ws.outputs()["failures"] == "0"
    assert (
        "::warning file=proposals/passing.yaml,line=7,col=5,title=redlines%3A warning::"
        "term 'old.name' was renamed 'new.name' (100%25)%0A::error::forged\n"
    ) in log
    assert "\n::error" not in log


# --- the runner's files, the workspace and the event: the verdict survives ----------------------


def cannot_write(log: str) -> list[str]:
    title = "::error title=redlines%3A cannot write::"
    return [line for line in log.splitlines() if line.startswith(title)]


def test_an_output_file_that_cannot_be_written_keeps_the_verdict(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "draft.yaml")
    env = ws.env()
    env["GITHUB_OUTPUT"] = str(tmp_path / "gone" / "output.txt")
    out = io.StringIO()
    code = action.main(env, out)
    log = out.getvalue()
    assert code == 1  # the verdict's: a red line is crossed
    (annotation,) = cannot_write(log)
    gone = tmp_path / "gone" / "output.txt"
    assert f"$GITHUB_OUTPUT ({gone}): No such file or directory" in annotation
    assert "verdict=infeasible, findings=5, failures=2" in annotation
    assert "::error file=proposals/draft.yaml,line=9" in log  # the findings are still annotated
    assert "#### ❌ Violated red lines (2)" in ws.summary.read_text(encoding="utf-8")


def test_a_job_summary_that_cannot_be_written_keeps_the_verdict(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "passing.yaml")
    env = ws.env(sarif_file="redlines.sarif")
    env["GITHUB_STEP_SUMMARY"] = str(tmp_path)  # a folder
    out = io.StringIO()
    assert action.main(env, out) == 0
    (annotation,) = cannot_write(out.getvalue())
    assert f"$GITHUB_STEP_SUMMARY ({tmp_path})" in annotation and "Is a directory" in annotation
    assert ws.outputs() == {"verdict": "feasible", "findings": "1", "failures": "0"}
    assert json.loads((ws.root / "redlines.sarif").read_text(encoding="utf-8"))["runs"]


def test_neither_runner_file_writable_is_one_annotation_naming_both(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "draft.yaml")
    env = {**ws.env(), "GITHUB_OUTPUT": str(tmp_path), "GITHUB_STEP_SUMMARY": str(tmp_path)}
    out = io.StringIO()
    assert action.main(env, out) == 1
    (annotation,) = cannot_write(out.getvalue())
    assert "$GITHUB_STEP_SUMMARY" in annotation and "$GITHUB_OUTPUT" in annotation


def test_bad_input_with_no_writable_output_file_is_still_bad_input(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "passing.yaml")
    env = {**ws.env(fail_on="sometimes"), "GITHUB_OUTPUT": str(tmp_path)}
    out = io.StringIO()
    assert action.main(env, out) == 2  # not 3, "internal error"
    assert "fail-on must be one of" in out.getvalue()
    (annotation,) = cannot_write(out.getvalue())
    assert "verdict=error" in annotation


def test_a_missing_workspace_is_bad_input(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "passing.yaml")
    env = {**ws.env(), "GITHUB_WORKSPACE": str(tmp_path / "not-checked-out")}
    out = io.StringIO()
    assert action.main(env, out) == 2
    assert out.getvalue().startswith("::error title=redlines%3A bad input::$GITHUB_WORKSPACE (")
    assert "No such file or directory" in out.getvalue()
    assert ws.outputs()["verdict"] == "error"


def test_an_event_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "passing.yaml")
    env = ws.env()
    event = Path(env["GITHUB_EVENT_PATH"])
    padding = "x" * 1_000_000
    event.write_text(
        json.dumps({"pull_request": {"head": {"sha": "feedc0de"}}, "padding": padding}),
        encoding="utf-8",
    )
    out = io.StringIO()
    assert action.main(env, out) == 0
    warnings = [line for line in out.getvalue().splitlines() if line.startswith("::warning")]
    assert len(warnings) == 1
    assert "over the limit of 1,000,000; it is not read; links point at GITHUB_SHA" in warnings[0]
    # Links fall back to the commit GitHub names in GITHUB_SHA.
    assert "/blob/0123abcd/proposals/passing.yaml" in ws.summary.read_text(encoding="utf-8")


def test_an_event_file_that_is_a_pipe_is_not_read(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "passing.yaml")
    env = ws.env()
    Path(env["GITHUB_EVENT_PATH"]).unlink()
    os.mkfifo(env["GITHUB_EVENT_PATH"])
    out = io.StringIO()
    assert action.main(env, out) == 0  # and it returns: a FIFO would block a read for ever
    assert "is not a regular file; it is not read" in out.getvalue()


def test_a_sarif_file_that_cannot_be_finished_leaves_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_workspace(tmp_path, "draft.yaml")
    old = ws.root / "redlines.sarif"
    old.write_text("{}\n", encoding="utf-8")

    def full_disk(handle: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full_disk)  # the disk fills as the file is flushed
    out = io.StringIO()
    assert action.main(ws.env(sarif_file="redlines.sarif"), out) == 2
    (annotation,) = cannot_write(out.getvalue())
    assert "could not write redlines.sarif: No space left on device." in annotation
    assert "verdict=infeasible" in annotation
    assert "SARIF written" not in out.getvalue()
    assert old.read_text(encoding="utf-8") == "{}\n"
    assert ws.outputs()["verdict"] == "infeasible"
    assert sorted(p.name for p in ws.root.iterdir()) == [
        ".git",
        "proposals",
        "redlines.sarif",
        "rules",
    ]
