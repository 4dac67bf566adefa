"""`redlines lint`: clean content passes; each missing source, unused term, stale rule fails."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, run_cli


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "rules", tmp_path / "rules")
    shutil.copytree(FIXTURES / "proposals", tmp_path / "proposals")
    (tmp_path / ".git").mkdir()
    return tmp_path


def lint(workspace: Path, *extra: str) -> tuple[int, str]:
    run = run_cli(
        "lint", "proposals", "--rules", "rules", "--as-of", "2026-11-26", *extra, cwd=workspace
    )
    assert "Traceback" not in run.err
    return run.code, run.out + run.err


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_clean_fixtures_pass_with_warnings_only(workspace: Path) -> None:
    code, out = lint(workspace)
    assert code == 0
    assert "0 errors" in out


def test_bundled_content_passes() -> None:
    run = run_cli("lint", "proposals", "--rules", "rules", cwd=ROOT)
    assert run.code == 0, run.out + run.err


def test_rule_without_sources_fails_at_its_line(workspace: Path) -> None:
    edit(
        workspace / "rules" / "eu.yaml",
        '    sources: [{title: "EUCO conclusions", url: "https://example.org/euco", '
        "date: 2025-03-06}]\n",
        "",
    )
    code, out = lint(workspace)
    assert code == 1
    assert "rules/eu.yaml:6:5: error RL101 rule EU-1 cites no source" in out


def test_clause_without_a_source_fails(workspace: Path) -> None:
    edit(
        workspace / "proposals" / "draft.yaml",
        "    text: Sovereignty is reaffirmed.\n    sources: [s1]\n",
        "    text: Sovereignty is reaffirmed.\n",
    )
    code, out = lint(workspace)
    assert code == 1
    assert "proposals/draft.yaml:21:5: error RL103 clause 3 cites no source" in out


def test_unused_term_fails(workspace: Path) -> None:
    edit(
        workspace / "rules" / "terms.yaml",
        "terms:\n",
        "terms:\n  ukraine.unused_thing:\n    title: Nothing uses me\n    type: boolean\n",
    )
    code, out = lint(workspace)
    assert code == 1
    assert "rules/terms.yaml:3:3: error RL105 term 'ukraine.unused_thing' is used by no rule" in out


def test_expired_rule_needs_a_successor(workspace: Path) -> None:
    edit(
        workspace / "rules" / "eu.yaml",
        "    valid_from: 2014-03-18\n",
        "    valid_from: 2014-03-18\n    valid_until: 2025-12-31\n",
    )
    code, out = lint(workspace)
    assert code == 1
    assert "error RL106 EU-1 stopped being valid on 2025-12-31" in out
    edit(
        workspace / "rules" / "eu.yaml",
        "    valid_until: 2025-12-31\n",
        "    valid_until: 2025-12-31\n    superseded_by: EU-2\n",
    )
    assert lint(workspace)[0] == 0


def test_a_lint_problem_is_a_problem_and_its_json_keeps_its_order(workspace: Path) -> None:
    import datetime as dt

    import redlines
    from redlines.lint import lint as run_lint
    from redlines.models import Problem

    book = redlines.load_rules(workspace / "rules")
    problems = run_lint(book, [], today=dt.date(2026, 11, 26))
    assert problems and all(isinstance(p, Problem) for p in problems)
    run = run_cli(
        "lint", "proposals", "--rules", "rules", "--as-of", "2026-11-26", "-f", "json",
        cwd=workspace,
    )  # fmt: skip
    first = json.loads(run.out)[0]
    assert list(first) == ["file", "line", "col", "level", "code", "message"]
