"""The wheel ships the bundled rules and proposals, and works from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{done.stderr}")
    (built,) = out.glob("redlines-*.whl")
    return built


def test_wheel_contains_rules_and_proposals(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for rules_file in sorted((ROOT / "rules").glob("*.yaml")):
        assert f"redlines/_bundled/rules/{rules_file.name}" in names
    assert "redlines/_bundled/proposals/us-28-point-2025-11.yaml" in names


def test_installed_wheel_checks_a_file_from_any_directory(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    draft = site / "redlines" / "_bundled" / "proposals" / "us-28-point-2025-11.yaml"
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = (
        "import redlines, sys; assert redlines.__file__.startswith(sys.argv[1]), "
        "redlines.__file__; from redlines.cli import main; sys.exit(main(sys.argv[2:]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(site), "check", str(draft)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr  # the 28 points cross red lines
    assert "Overall: INFEASIBLE" in done.stdout
