"""A check run over many proposals (`redlines.checkrun`): a stated limit on their number, every
problem found before any output is written, the reports in `check_all`'s order."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from action_workspace import make_workspace
from conftest import FIXTURES, ROOT
from redlines import action, check_all, checkrun, load_proposal, load_rules
from redlines.checkrun import MAX_PROPOSALS, CheckRun
from redlines.cli import main
from redlines.models import Proposal, RuleBook

RULES = str(FIXTURES / "rules")
DRAFT = FIXTURES / "proposals" / "draft.yaml"


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def drafts(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        shutil.copy(DRAFT, folder / f"draft-{i}.yaml")
    return folder


def test_the_limit_is_ten_thousand_and_the_readme_says_so() -> None:
    assert MAX_PROPOSALS == 10_000
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "| Proposal files in one run of `check` or the Action | 10,000 |" in readme


def test_past_the_limit_the_cli_names_it_before_reading_any_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkrun, "MAX_PROPOSALS", 3)
    folder = drafts(tmp_path / "drafts", 4)
    (folder / "broken.yaml").write_text("not: [closed\n")  # never read: the count comes first
    code, out, err = cli("check", str(folder), "--rules", RULES)
    assert (code, out) == (2, "")
    assert err == (
        "redlines: error: 5 proposal files, over the limit of 3 in one run; "
        "check them in several runs\n"
    )


def test_past_the_limit_the_action_fails_with_an_annotation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkrun, "MAX_PROPOSALS", 1)
    ws = make_workspace(tmp_path, "draft.yaml", "passing.yaml")
    out = io.StringIO()
    assert action.main(ws.env(), out) == 2
    assert out.getvalue().startswith(
        "::error title=redlines%3A bad input::2 proposal files, over the limit of 1 in one run"
    )
    assert ws.outputs()["verdict"] == "error"


def test_bad_input_anywhere_writes_no_output(tmp_path: Path) -> None:
    folder = drafts(tmp_path / "drafts", 3)
    (folder / "z-broken.yaml").write_text("proposal: [closed\n")
    target = tmp_path / "report.json"
    target.write_text("old\n")
    code, out, err = cli("check", str(folder), "--rules", RULES, "-f", "json", "-o", str(target))
    assert code == 2 and out == ""
    assert err.startswith(f"{folder / 'z-broken.yaml'}:")
    assert target.read_text() == "old\n"


def test_reports_come_in_check_alls_order(tmp_path: Path) -> None:
    """By path, then by id; files given in any order."""
    book = load_rules(RULES)
    paths = [
        str(FIXTURES / "proposals" / "variant.yaml"),
        str(ROOT / "tests/render/fixtures/proposals/passing.yaml"),
        str(DRAFT),
    ]
    run = CheckRun.load(paths, book)
    streamed = [r.proposal.path for r in run.reports(engine="python")]
    whole = check_all([load_proposal(p, book) for p in paths], book, engine="python")
    assert streamed == [r.proposal.path for r in whole.reports]
    assert streamed == sorted(streamed)


def test_the_first_draft_is_read_once_and_reported_as_if_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first report's draft is the one validated, not a second read: same reports."""
    book = load_rules(RULES)
    paths = [str(FIXTURES / "proposals" / "variant.yaml"), str(DRAFT)]
    run = CheckRun.load(paths, book)
    reads: list[str] = []
    real = checkrun.load_proposal

    def counted(path: str, rules: RuleBook) -> Proposal:
        reads.append(path)
        return real(path, rules)

    monkeypatch.setattr(checkrun, "load_proposal", counted)
    streamed = list(run.reports(engine="python"))
    whole = check_all([load_proposal(p, book) for p in paths], book, engine="python")
    assert streamed == list(whole.reports)
    assert reads == [run.files[1]]
