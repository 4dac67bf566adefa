"""A made-up GitHub Actions workspace for the Action's tests: a repository with proposals/ and
rules/, and the files the runner provides (step summary, outputs, event)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    event: Path = field(init=False)
    # The event the run is for: a pull request by default (tests may change both).
    event_name: str = "pull_request"
    event_data: dict[str, Any] = field(
        default_factory=lambda: {"pull_request": {"head": {"sha": "feedc0de"}}}
    )

    def __post_init__(self) -> None:
        runner = self.root.parent / "runner"
        runner.mkdir(exist_ok=True)
        self.summary = runner / "step_summary.md"
        self.output = runner / "output.txt"
        self.event = runner / "event.json"
        self.summary.touch()
        self.output.touch()
        self.write_event()

    def write_event(self) -> None:
        self.event.write_text(json.dumps(self.event_data), encoding="utf-8")

    def env(self, **inputs: str) -> dict[str, str]:
        """The runner's variables plus inputs (fail_on=... becomes INPUT_FAIL_ON)."""
        self.write_event()
        event = self.event
        env = {
            "GITHUB_WORKSPACE": str(self.root),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "policy-team/drafts",
            "GITHUB_SHA": "0123abcd",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_EVENT_NAME": self.event_name,
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
