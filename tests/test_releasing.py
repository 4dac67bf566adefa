"""The version scheme and the examples people copy: the README's and the docs' workflows and the
pre-commit example are held to this repository's own files (docs/releasing.md)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from redlines.config import read_config
from redlines.flags import check_parser
from redlines.gatespecs import ConfigFile
from test_action_lint import actionlint, shown

PROJECT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]
HOMEPAGE = PYPROJECT["project"]["urls"]["Homepage"]
ACTION = yaml.safe_load((PROJECT / "action.yml").read_text(encoding="utf-8"))
HOOKS = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
DOCS = [PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md"))]


def blocks(path: Path, language: str) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def workflows() -> list[tuple[Path, dict[str, Any], str]]:
    found = []
    for path in DOCS:
        for text in blocks(path, "yaml"):
            if "redlines-project/redlines@" in text and "jobs:" in text:
                found.append((path, yaml.safe_load(text), text))
    return found


def test_the_version_is_semantic_and_in_the_changelog() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    changelog = (PROJECT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog or f"## [{VERSION}]" in changelog


def test_every_reference_to_a_release_names_this_version_or_its_major_tag() -> None:
    major = f"v{VERSION.split('.')[0]}"
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for ref in re.findall(r"redlines-project/redlines@([\w.]+)", text):
            assert ref in (major, f"v{VERSION}"), f"{path.name}: @{ref}"
        for ref in re.findall(r"\brev: (v[0-9][0-9A-Za-z.]*)", text):
            assert ref.rstrip(".") == f"v{VERSION}", f"{path.name}: rev {ref}"


@pytest.mark.parametrize("index", range(2))
def test_example_workflows_use_what_the_action_declares(index: int) -> None:
    found = workflows()
    assert len(found) >= 2, "the README and docs/github-action.md each show a workflow"
    path, workflow, _ = found[index]
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    (ours,) = [s for s in steps if str(s.get("uses", "")).startswith("redlines-project/")]
    assert set(ours.get("with", {})) <= set(ACTION["inputs"]), path.name
    text = yaml.safe_dump(workflow)
    for output in re.findall(r"steps\.redlines\.outputs\.([\w-]+)", text):
        assert output in ACTION["outputs"], f"{path.name}: {output}"
    assert f"steps.{ours['id']}." in text or ours["id"] == "redlines"


def test_example_workflows_pass_actionlint(tmp_path: Path) -> None:
    files = []
    for i, (_, _, text) in enumerate(workflows()):
        files.append(tmp_path / f"example-{i}.yml")
        files[-1].write_text(text, encoding="utf-8")
    problems = actionlint(files)
    assert not problems, shown(problems)


def test_the_comment_example_guards_forks_and_asks_for_its_permission() -> None:
    workflow = next(w for _, w, text in workflows() if "github-script" in text)
    job = next(iter(workflow["jobs"].values()))
    assert job["permissions"]["pull-requests"] == "write"
    comment = next(s for s in job["steps"] if "github-script" in str(s.get("uses", "")))
    assert "head.repo.full_name == github.repository" in comment["if"]
    from redlines.render.summary import MARKER

    assert MARKER in comment["with"]["script"]


def test_the_pre_commit_example_names_this_repository_its_hooks_and_valid_args() -> None:
    examples = [
        yaml.safe_load(text)
        for path in DOCS
        for text in blocks(path, "yaml")
        if "pre-commit" in text or "rev:" in text
    ]
    assert examples
    ids = {hook["id"]: hook for hook in HOOKS}
    for example in examples:
        for repo in example["repos"]:
            assert repo["repo"] == HOMEPAGE
            assert repo["rev"] == f"v{VERSION}"
            for hook in repo["hooks"]:
                assert hook["id"] in ids
                if hook["id"] == "redlines-check":
                    check_parser().parse_args([*hook.get("args", []), "proposals/x.yaml"])


@pytest.mark.parametrize("language", ["yaml", "toml"])
def test_the_configuration_examples_are_valid(tmp_path: Path, language: str) -> None:
    doc = PROJECT / "docs" / "configuration.md"
    found = [
        text
        for text in blocks(doc, language)
        if "rules" in text and ("waivers" in text or "tool.redlines" in text)
    ]
    assert found
    for i, text in enumerate(found):
        name = f"example-{i}." + ("toml" if language == "toml" else "yaml")
        path = tmp_path / ("pyproject.toml" if language == "toml" else name)
        path.write_text(text, encoding="utf-8")
        assert isinstance(read_config(path).spec, ConfigFile)
