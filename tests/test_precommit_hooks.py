"""`.pre-commit-hooks.yaml`: each hook's entry run the way pre-commit runs it.

pre-commit selects the staged files matching the hook's `files` (and `types`), then runs
`entry + args + filenames` in the repository root. The tests do the same with the installed
console script, in a made-up repository holding proposals/ and rules/.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from action_workspace import PROJECT, make_workspace

HOOKS: dict[str, dict[str, Any]] = {
    hook["id"]: hook
    for hook in yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
}
SCRIPTS = Path(sys.executable).parent  # the venv's bin/, where `redlines` is installed


def selected(hook: dict[str, Any], files: list[str]) -> list[str]:
    include = re.compile(hook.get("files", ""))
    exclude = re.compile(hook["exclude"]) if hook.get("exclude") else None
    return [f for f in files if include.search(f) and not (exclude and exclude.search(f))]


def run_hook(
    hook_id: str, root: Path, files: list[str], args: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    hook = HOOKS[hook_id]
    entry = shlex.split(hook["entry"])
    program = SCRIPTS / entry[0]
    assert program.exists(), f"console script {entry[0]} not installed next to {sys.executable}"
    names = selected(hook, files) if hook.get("pass_filenames", True) else []
    command = [str(program), *entry[1:], *hook.get("args", []), *(args or []), *names]
    return subprocess.run(
        command, cwd=root, capture_output=True, text=True, timeout=120, check=False
    )


def test_hooks_are_declared() -> None:
    assert set(HOOKS) == {"redlines-check", "redlines-lint", "redlines-test"}
    for hook in HOOKS.values():
        assert hook["language"] == "python"
        assert hook["entry"].startswith("redlines ")
    assert selected(
        HOOKS["redlines-check"],
        ["proposals/a.yaml", "proposals/sub/b.yml", "rules/ukraine.yaml", "README.md"],
    ) == ["proposals/a.yaml", "proposals/sub/b.yml"]
    assert selected(
        HOOKS["redlines-lint"], ["proposals/a.yaml", "rules/ukraine.yaml", "docs/x.yaml"]
    ) == ["proposals/a.yaml", "rules/ukraine.yaml"]


def test_check_hook_passes_a_good_draft(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "passing.yaml")
    done = run_hook(
        "redlines-check", ws.root, ["proposals/passing.yaml", "README.md"], ["--rules", "rules"]
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "test-passing" in done.stdout


def test_check_hook_fails_a_draft_that_crosses_a_red_line(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "passing.yaml", "draft.yaml")
    done = run_hook(
        "redlines-check",
        ws.root,
        ["proposals/draft.yaml", "proposals/passing.yaml"],
        ["--rules", "rules"],
    )
    assert done.returncode == 1
    assert "proposals/draft.yaml:9: clause 1 — EU-1" in done.stdout


def test_check_hook_reports_bad_yaml_at_its_line(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    (ws.root / "proposals/broken.yaml").write_text("proposal: [\n", encoding="utf-8")
    done = run_hook("redlines-check", ws.root, ["proposals/broken.yaml"], ["--rules", "rules"])
    assert done.returncode == 2
    assert done.stderr.startswith("proposals/broken.yaml:")


def test_lint_hook(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "passing.yaml")
    done = run_hook("redlines-lint", ws.root, ["rules/ukraine.yaml"], ["--rules", "rules"])
    assert done.returncode == 0, done.stdout + done.stderr
    (ws.root / "proposals/broken.yaml").write_text("proposal: [\n", encoding="utf-8")
    done = run_hook("redlines-lint", ws.root, ["rules/ukraine.yaml"], ["--rules", "rules"])
    assert done.returncode != 0
    assert "proposals/broken.yaml:" in done.stdout + done.stderr


CASE = """\
tests:
  - name: the passing draft passes
    proposal: ../proposals/passing.yaml
    overall: {overall}
"""


def test_test_hook_runs_the_test_files_and_the_rules_examples(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "passing.yaml")
    (ws.root / "tests").mkdir()
    (ws.root / "tests/verdicts.yaml").write_text(CASE.format(overall="feasible"), encoding="utf-8")
    args = ["tests", "--rules", "rules"]
    assert selected(HOOKS["redlines-test"], ["rules/eu.yaml", "tests/verdicts.yaml", "a.md"]) == [
        "rules/eu.yaml",
        "tests/verdicts.yaml",
    ]
    done = run_hook("redlines-test", ws.root, ["tests/verdicts.yaml"], args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "1 case: all passed\n"
    (ws.root / "tests/verdicts.yaml").write_text(CASE.format(overall="infeasible"))
    done = run_hook("redlines-test", ws.root, ["tests/verdicts.yaml"], args)
    assert done.returncode == 1
    assert "overall: expected infeasible, got feasible" in done.stdout
    # The rules' own examples run too, so a rule change that breaks one fails the commit.
    eu = ws.root / "rules/eu.yaml"
    eu.write_text(
        eu.read_text(encoding="utf-8")
        + "    examples:\n      - violates: {eu.lng_ban_from: 2026-01-01}\n",
        encoding="utf-8",
    )
    (ws.root / "tests/verdicts.yaml").write_text(CASE.format(overall="feasible"))
    done = run_hook("redlines-test", ws.root, ["rules/eu.yaml"], args)
    assert done.returncode == 1
    assert "EU-2 example 1 (violates)" in done.stdout
