"""`--format summary`: the compact Markdown a pull-request comment holds (GitHub: 65,536
characters at most), with what fails, the verdicts and a link to the rest."""

from __future__ import annotations

from pathlib import Path

import cmarkgfm

import redlines
from redlines.loader import load_proposals
from redlines.render import RenderOptions, render
from redlines.render.summary import BUDGET, MARKER, summary
from redlines.report import ReportSet

GITHUB_COMMENT_LIMIT = 65_536


def bundled() -> ReportSet:
    book = redlines.load_rules()
    return redlines.check_all(load_proposals(["proposals"], book), book, engine="python")


def test_the_bundled_report_fits_a_comment_where_the_full_one_does_not(in_project: Path) -> None:
    reports = bundled()
    options = RenderOptions(
        repo_root=str(in_project), report_url="https://github.com/o/r/actions/runs/1"
    )
    full = render(reports, "markdown", options)
    compact = render(reports, "summary", options)
    assert len(full) > GITHUB_COMMENT_LIMIT
    assert len(compact) < GITHUB_COMMENT_LIMIT // 4
    assert compact.startswith(MARKER + "\n## redlines: ❌ infeasible\n")
    assert "### Crossed red lines (47)" in compact  # with the bracketed example
    assert "[the full report](https://github.com/o/r/actions/runs/1)" in compact
    html = cmarkgfm.github_flavored_markdown_to_html(compact)
    assert html.count("<tr>") == 1 + len(reports.reports)  # the head and one row per draft


def test_a_huge_run_is_cut_to_the_budget_and_says_so(in_project: Path) -> None:
    one = bundled()
    many = one.model_copy(update={"reports": one.reports * 40})  # 720 drafts, 1,800 crossings
    compact = summary(many, RenderOptions(repo_root=str(in_project)))
    assert len(compact) <= BUDGET
    assert "… and " in compact and "more lines of findings: see the full report." in compact
    assert compact.rstrip().endswith("*Checked with redlines " + one.version + ".*")


def test_fail_on_never_is_said(reports: ReportSet, options: RenderOptions) -> None:
    never = RenderOptions(repo_root=options.repo_root, fail_on="never")
    assert "(they do not fail: fail-on never)" in summary(reports, never)


def test_the_gate_is_said_in_the_comment(tmp_path: Path) -> None:
    from gate_repo import Repo

    repo = Repo(tmp_path)
    repo.write(
        ".redlines.yaml",
        "rules: rules\nrule-overrides:\n  UA-4: {disabled: true, reason: Not ours.}\n"
        "select: [red_line]\n",
    )
    out = repo.check("-f", "summary").out
    assert (
        "**Gate**: rule changed: UA-4 preference, weight 2 → disabled (Not ours.); "
        "4 of 5 rules checked (--select red\\_line)."
    ) in out
