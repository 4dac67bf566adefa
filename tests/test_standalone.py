"""The repository stands on its own: nothing in it points at files outside a clone."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Built from parts so that this file does not match itself.
OUTSIDE = re.compile(
    "|".join(
        re.escape(p)
        for p in (
            "../" + "shared",
            "shared/" + "notes",
            "shared/" + "domain",
            "shared/" + "schemas",
            "DESIGN" + ".md",
            "/" + "work/",
            "/" + "root/",
            "/" + "home/",
        )
    )
)
SKIPPED_SUFFIXES = {".png", ".pyc"}


def tracked_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown here")
    return [ROOT / name for name in listed.decode("utf-8").split("\0") if name]


def test_no_file_refers_outside_the_repository() -> None:
    found = []
    for path in tracked_files():
        if path.suffix in SKIPPED_SUFFIXES or not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            match = OUTSIDE.search(line)
            if match:
                found.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}")
    assert not found, "references to files outside the repository:\n" + "\n".join(found[:40])
