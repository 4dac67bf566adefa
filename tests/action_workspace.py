"""A made-up GitHub Actions workspace for the Action's tests: a repository with proposals/ and
rules/, and the files the runner provides (step summary, outputs, event)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = {
    "draft.yaml": PROJECT / "tests/fixtures/proposals/draft.yaml",
    "variant.yaml": PROJECT / "tests/fixtures/proposals/variant.yaml",
    "passing.yaml": PROJECT / "tests/render/fixtures/proposals/passing.yaml",
    "open.yaml": PROJECT / "tests/render/fixtures/proposals/open.yaml",
}


@dataclass
class Workspace:
    root: Path
    summary: Path = field(init=False)
    output: Path = field(init=False)

    def __post_init__(self) -> None:
        runner = self.root.parent / "runner"
        runner.mkdir(exist_ok=True)
        self.summary = runner / "step_summary.md"
        self.output = runner / "output.txt"
        self.summary.touch()
        self.output.touch()

    def env(self, **inputs: str) -> dict[str, str]:
        """The runner's variables plus inputs (fail_on=... becomes INPUT_FAIL_ON)."""
        event = self.root.parent / "runner" / "event.json"
        event.write_text(
            json.dumps({"pull_request": {"head": {"sha": "feedc0de"}}}), encoding="utf-8"
        )
        env = {
            "GITHUB_WORKSPACE": str(self.root),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "policy-team/drafts",
            "GITHUB_SHA": "0123abcd",
            "GITHUB_EVENT_PATH": str(event),
            "INPUT_RULES": "rules",
        }
        env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
        return env

    def outputs(self) -> dict[str, str]:
        lines = self.output.read_text(encoding="utf-8").splitlines()
        return dict(line.split("=", 1) for line in lines if "=" in line)


def make_workspace(tmp_path: Path, *proposals: str) -> Workspace:
    root = tmp_path / "workspace"
    (root / ".git").mkdir(parents=True)
    shutil.copytree(PROJECT / "tests/fixtures/rules", root / "rules")
    (root / "proposals").mkdir()
    for name in proposals:
        shutil.copy(FIXTURES[name], root / "proposals" / name)
    return Workspace(root)
