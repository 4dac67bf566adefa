"""One walk over many files (`redlines.loader.walk`): the Action's globs and the folders given to
a command find each file once, and never follow a link to a folder out of the tree or back
into it."""

from __future__ import annotations

import glob
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from action_workspace import FIXTURES, make_workspace
from redlines import action
from redlines.loader import expand_proposal_paths
from redlines.loader.fence import yaml_files
from redlines.loader.walk import files_under, glob_files

PATTERNS = [
    "p/**/*.yaml",
    "p/*.yaml",
    "p/**",
    "**/*.yml",
    "p/*/*.yaml",
    "p/.*.yaml",
    "p/.*/*.yaml",
    "p/[ab]/**/*.y*ml",
    "./p/**/*.yaml",
    "p/**/b/*",
    "*/*/z.yaml",
    "p/a**/*.yaml",
    "p/?/z.yaml",
    "nothing/**/*.yaml",
]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in [
        "p/x.yaml",
        "p/.y.yaml",
        "p/a/z.yaml",
        "p/a/b/w.yml",
        "p/.h/q.yaml",
        "p/c/r.yaml",
        "p/a/b/s.txt",
        "p/ab/t.yaml",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x: 1\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("pattern", PATTERNS)
def test_globs_name_the_files_glob_names(tree: Path, pattern: str) -> None:
    """Without links, what `glob.glob(..., recursive=True)` names but folders, spelt alike."""
    expected = sorted(p for p in glob.glob(pattern, recursive=True) if not os.path.isdir(p))
    assert glob_files([pattern]) == expected


def test_an_absolute_glob(tree: Path) -> None:
    pattern = f"{tree}/p/**/*.yaml"
    assert glob_files([pattern]) == sorted(glob.glob(pattern, recursive=True))


def test_one_link_back_into_the_tree_reports_each_draft_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`glob` followed `proposals/loop -> .` forty levels deep: the same draft 41 times."""
    ws = make_workspace(tmp_path, "draft.yaml", "passing.yaml")
    (ws.root / "proposals" / "loop").symlink_to(".", target_is_directory=True)
    with monkeypatch.context() as inside:
        inside.chdir(ws.root)
        found = action.expand("proposals/**/*.yaml")
    assert found == ["proposals/draft.yaml", "proposals/passing.yaml"]
    out = io.StringIO()
    assert action.main(ws.env(), out) == 1
    assert out.getvalue().count("::group::test-draft ") == 1


def test_two_links_back_into_the_tree_do_not_grow_without_end(tmp_path: Path) -> None:
    """With two links to `.`, `glob`'s enumeration doubles at every level and never ends; run
    in a process of its own so that a regression fails by its timeout instead of hanging."""
    ws = make_workspace(tmp_path, "draft.yaml")
    for name in ("one", "two"):
        (ws.root / "proposals" / name).symlink_to(".", target_is_directory=True)
    probe = "from redlines import action; print(action.expand('proposals/**/*.yaml'))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ws.root, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['proposals/draft.yaml']"


def test_a_link_to_a_folder_outside_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(FIXTURES["draft.yaml"], outside / "secret.yaml")
    ws = make_workspace(tmp_path, "passing.yaml")
    (ws.root / "proposals" / "elsewhere").symlink_to(outside, target_is_directory=True)
    monkeypatch.chdir(ws.root)
    assert action.expand("proposals/**/*.yaml") == ["proposals/passing.yaml"]
    assert expand_proposal_paths(["proposals"]) == ["proposals/passing.yaml"]


def test_a_folder_given_to_a_command_is_walked_by_the_same_walker(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/one.yaml", "a/b/two.yml", "a/b/three.txt", "a/.hidden.yaml"):
        (tmp_path / name).write_text("x: 1\n")
    (tmp_path / "a" / "b" / "loop").symlink_to("..", target_is_directory=True)
    assert yaml_files(tmp_path / "a") == [
        tmp_path / "a" / ".hidden.yaml",  # as Path.rglob listed them: hidden files too
        tmp_path / "a" / "b" / "two.yml",
        tmp_path / "a" / "one.yaml",
    ]


def test_a_pipe_named_like_a_draft_is_refused_by_name_not_skipped(tmp_path: Path) -> None:
    """As in a folder given to the CLI: a draft left out in silence would change the verdict."""
    ws = make_workspace(tmp_path, "passing.yaml")
    os.mkfifo(ws.root / "proposals" / "pipe.yaml")
    out = io.StringIO()
    assert action.main(ws.env(), out) == 2
    assert "::error file=proposals/pipe.yaml,line=1,col=1," in out.getvalue()
    assert "is not a regular file" in out.getvalue()


def test_depth_limit(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "top.yaml").write_text("")
    (tmp_path / "a" / "b" / "deep.yaml").write_text("")
    assert list(files_under(tmp_path, max_depth=1)) == [("top.yaml",)]
