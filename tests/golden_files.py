"""The one golden-file check of the whole suite.

A golden file holds the exact output a user sees. After an intended change of output,
regenerate every golden with `REDLINES_REGENERATE=1 pytest` (or one test file's) and review the
diff before committing (see tests/README.md).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

REGENERATE = os.environ.get("REDLINES_REGENERATE") == "1"
ROOT = Path(__file__).resolve().parents[1]
# Enough of a diff to see what moved without flooding the terminal.
DIFF_LINES = 60


def check_golden(actual: str, golden: Path) -> None:
    """Compare output with its golden file; under REDLINES_REGENERATE=1, rewrite the file.

    A missing golden fails without writing anything: a test run never changes the tree unless
    asked to.
    """
    shown = _shown(golden)
    if REGENERATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8", newline="\n")
        return
    if not golden.is_file():
        pytest.fail(f"no golden file {shown}; write it with REDLINES_REGENERATE=1 pytest")
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(),
            actual.splitlines(),
            fromfile=f"{shown} (golden)",
            tofile="actual",
            lineterm="",
        )
        lines = list(diff)
        more = f"\n… {len(lines) - DIFF_LINES} more diff lines" if len(lines) > DIFF_LINES else ""
        pytest.fail(
            f"output differs from {shown}; if the change is intended, regenerate with "
            f"REDLINES_REGENERATE=1 pytest and review the diff:\n"
            + "\n".join(lines[:DIFF_LINES])
            + more,
            pytrace=False,
        )


def _shown(golden: Path) -> str:
    try:
        return golden.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(golden)
