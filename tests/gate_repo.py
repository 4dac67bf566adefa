"""A repository for the gate's tests: the test rules and drafts, a `.git` folder (so it is a
repository root), and a way to write a file into it and run `redlines` there."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES, Run, run_cli


class Repo:
    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path / "repo"
        (self.root / ".git").mkdir(parents=True)
        shutil.copytree(FIXTURES / "rules", self.root / "rules")
        shutil.copytree(FIXTURES / "proposals", self.root / "proposals")

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def read(self, name: str) -> str:
        return (self.root / name).read_text(encoding="utf-8")

    def run(self, *args: str, cwd: str = "") -> Run:
        return run_cli(*args, cwd=self.root / cwd, env={"NO_COLOR": "1", "GITHUB_ACTIONS": ""})

    def check(self, *args: str) -> Run:
        """`redlines check proposals/draft.yaml`, the fixture draft (it crosses EU-1 and UA-1,
        leaves UA-2 open, misses the priority UA-3 and the preference UA-4)."""
        return self.run("check", "proposals/draft.yaml", *args)
