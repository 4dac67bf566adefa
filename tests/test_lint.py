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


def test_bundled_content_is_lint_clean() -> None:
    run = run_cli("lint", "proposals", "--rules", "rules", cwd=ROOT)
    assert run.code == 0, run.out + run.err
    assert run.out.endswith(": 0 errors, 0 warnings\n"), run.out


def test_bundled_content_is_lint_clean_as_a_pip_user_lints_it(tmp_path: Path) -> None:
    # Outside any proposals/ folder, `redlines lint` lints the bundled rules and drafts.
    run = run_cli("lint", cwd=tmp_path)
    assert run.code == 0, run.out + run.err
    assert run.out.endswith(": 0 errors, 0 warnings\n"), run.out


def test_own_drafts_against_the_bundled_rules_report_only_their_own_problems(
    tmp_path: Path,
) -> None:
    (tmp_path / ".git").mkdir()
    mine = tmp_path / "drafts" / "mine.yaml"
    mine.parent.mkdir()
    mine.write_text(
        "proposal:\n  id: mine\n  title: Mine\n  date: 2026-01-10\n  status: draft\n"
        "  sources: [{id: s, title: Notes, url: 'https://example.org/n', date: 2026-01-10}]\n"
        "clauses:\n  - {id: '1', title: Army, text: Capped., terms: {ukraine.army_cap: 600000}, "
        "sources: [s]}\n  - {id: '2', title: Talk, text: More talks., sources: [s]}\n",
        encoding="utf-8",
    )
    run = run_cli("lint", "drafts", cwd=tmp_path)
    assert run.code == 0, run.out + run.err
    lines = run.out.splitlines()
    assert lines[:-1] == [
        "drafts/mine.yaml:9:5: warning RL204 clause 2 sets no term, so the checker cannot see "
        "what it says; set the terms it decides, or write `terms: {}` if it decides none"
    ]
    assert lines[-1] == "1 proposals linted against the bundled rules: 0 errors, 1 warnings"


def test_a_variant_of_a_bundled_draft_lints_only_its_own_lines(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "v.yaml").write_text(
        "base: bundled:us-28-point-2025-11\n"
        "proposal:\n  id: v\n  title: V\n  date: 2026-01-10\n  status: draft\n"
        "  sources: [{id: s, title: Notes, url: 'https://example.org/n', date: 2026-01-10}]\n"
        "add:\n  - {id: x, title: X, text: X., sources: [s]}\n",
        encoding="utf-8",
    )
    run = run_cli("lint", "v.yaml", cwd=tmp_path)
    assert [line.split(" ")[0] for line in run.out.splitlines()[:-1]] == ["v.yaml:9:5:"]


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


def write_draft(workspace: Path, name: str, text: str) -> None:
    (workspace / "proposals" / name).write_text(text, encoding="utf-8")


DRAFT_HEAD = (
    "proposal:\n  id: {id}\n  title: T\n  date: 2025-11-20\n  status: draft\n"
    "  sources: [{{id: s, title: Notes, url: '{url}', date: 2025-11-20}}]\n"
)


def test_an_empty_clause_list_is_an_error(workspace: Path) -> None:
    write_draft(
        workspace,
        "empty.yaml",
        DRAFT_HEAD.format(id="empty", url="https://e.org") + "clauses: []\n",
    )
    code, out = lint(workspace)
    assert code == 1
    assert (
        "proposals/empty.yaml:1:1: error RL107 proposal empty has no clauses: there is nothing "
        "to check; add the clauses the draft makes"
    ) in out


def test_a_source_url_that_is_not_http_is_an_error(workspace: Path) -> None:
    write_draft(
        workspace,
        "ftp.yaml",
        DRAFT_HEAD.format(id="ftp", url="javascript:alert(1)")
        + "clauses:\n  - {id: '1', title: A, text: A., terms: {}, sources: [s]}\n",
    )
    code, out = lint(workspace)
    assert code == 1
    assert (
        "proposals/ftp.yaml:1:1: error RL108 proposal ftp: 'javascript:alert(1)' is not an "
        "http(s) address; reports will not link it"
    ) in out


def test_a_clause_that_sets_no_term_is_a_warning_unless_it_says_so(workspace: Path) -> None:
    _, out = lint(workspace)
    assert "proposals/draft.yaml:21:5: warning RL204 clause 3 sets no term" in out
    edit(
        workspace / "proposals" / "draft.yaml",
        "    text: Sovereignty is reaffirmed.\n",
        "    text: Sovereignty is reaffirmed.\n    terms: {}\n",
    )
    assert "RL204" not in lint(workspace)[1]


def test_a_bracketed_clause_with_options_sets_its_terms_through_them(workspace: Path) -> None:
    edit(
        workspace / "proposals" / "draft.yaml",
        "    text: Sovereignty is reaffirmed.\n",
        "    text: Martial law ends [before | after] the vote.\n"
        "    options:\n"
        "      - {title: Before, terms: {ukraine.martial_law_ended: true}}\n"
        "      - {title: After, terms: {ukraine.martial_law_ended: false}}\n",
    )
    _, out = lint(workspace)
    assert "RL204" not in out  # the options are what the clause decides
    assert "ukraine.martial_law_ended' is used by no" not in out


def test_proposal_ids_are_lower_kebab_and_their_file_names(workspace: Path) -> None:
    code, out = lint(workspace)
    assert code == 0
    assert (
        "proposals/draft.yaml:1:1: warning RL206 proposal test-draft: the id differs from the "
        "file name 'draft'; name the file test-draft.yaml or the proposal draft"
    ) in out
    edit(workspace / "proposals" / "draft.yaml", "id: test-draft", "id: Test_Draft")
    out = lint(workspace)[1]
    assert "warning RL205 proposal Test_Draft: the id is not lower-kebab case" in out


def test_an_undated_source_says_so_with_a_note(workspace: Path) -> None:
    rules = workspace / "rules" / "ukraine.yaml"
    text = rules.read_text()
    assert "'Constitution of Ukraine, Art. 157' has no date" in lint(workspace)[1]
    line = next(line for line in text.splitlines() if "Art. 157" in line)
    assert line.rstrip().endswith("}")
    dated = line.rstrip()[:-1] + ", date: unknown, note: the page shows none}"
    rules.write_text(text.replace(line, dated), encoding="utf-8")
    assert "Art. 157' has no date" not in lint(workspace)[1]
    rules.write_text(text.replace(line, line.rstrip()[:-1] + ", date: unknown}"), encoding="utf-8")
    code, out = lint(workspace)
    assert code == 2
    assert "'date: unknown' needs a 'note' saying why the date is unknown" in out
