"""One view of a check report in every format: the same headline, the same sections in the same
order, the same closing line; and the registry every output is looked up in."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from redlines.render import FORMATS, REGISTRY, RenderOptions, formats, render, renderer
from redlines.report import ReportSet, Verdict

from .render_helpers import PROJECT, build

CONTRADICTING = "tests/render/fixtures/contradiction/self-contradicting.yaml"
HEADLINE = "the draft contradicts itself on 1 term; at least one party's red line is crossed"


@pytest.fixture
def contradicting(in_project: Path) -> ReportSet:
    """Crosses UA-1 at clause 1, contradicts itself on Crimea at clauses 2 and 3."""
    return build((CONTRADICTING,))


# --- one summary line --------------------------------------------------------------------------


def test_every_format_closes_with_the_same_summary(
    reports: ReportSet, options: RenderOptions
) -> None:
    summary = (
        "4 proposals checked: 1 infeasible, 2 incomplete, 1 feasible; 2 red lines violated,"
        " 4 open, 3 priorities not met, 1 contradiction"
    )
    text = render(reports, "text", options)
    assert text.splitlines()[-1] == summary
    assert render(reports, "github", options).splitlines()[-1] == summary
    assert render(reports, "markdown", options).splitlines()[2] == summary + "."
    assert f'<p class="summary">{summary}. ' in render(reports, "html", options)


def test_text_summary_counts_in_the_singular(contradicting: ReportSet) -> None:
    last = render(contradicting, "text").splitlines()[-1]
    assert last == (
        "1 proposal checked: 1 infeasible; 1 red line violated, 2 open, 0 priorities not met,"
        " 1 contradiction"
    )


# --- contradicted terms --------------------------------------------------------------------


def test_text_names_the_contradicted_term_that_leaves_a_red_line_open(
    contradicting: ReportSet,
) -> None:
    text = render(contradicting, "text")
    (eu1,) = [line for line in text.splitlines() if "— EU-1" in line]
    assert f"{CONTRADICTING}:3: (unaddressed: territory.crimea) — EU-1" in eu1
    markdown = render(contradicting, "markdown", RenderOptions(repo_root=str(PROJECT)))
    (row,) = [line for line in markdown.splitlines() if line.startswith("| **EU-1**")]
    assert "`territory.crimea`" in row


# --- a contradiction heads every format ------------------------------------------------------


def test_text_heads_with_the_contradiction(contradicting: ReportSet) -> None:
    text = render(contradicting, "text")
    assert f"  Overall: INFEASIBLE — {HEADLINE}\n" in text
    assert text.index("  Contradictions\n") < text.index("  Violated red lines\n")
    assert text.index("  Contradictions\n") < text.index("  Open red lines\n")


def test_markdown_heads_with_the_contradiction(
    contradicting: ReportSet, options: RenderOptions
) -> None:
    markdown = render(contradicting, "markdown", options)
    assert f"❌ **infeasible**: {HEADLINE}. " in markdown
    assert "| ❌ **infeasible**, contradicts itself |" in markdown
    assert markdown.index("#### ❌ Contradictions (1)") < markdown.index(
        "#### ❌ Violated red lines (1)"
    )


def test_github_heads_with_the_contradiction(
    contradicting: ReportSet, options: RenderOptions
) -> None:
    lines = render(contradicting, "github", options).splitlines()
    assert lines[1] == f"test-contradicting: infeasible — {HEADLINE}"
    assert lines[2].startswith("::error file=")
    assert "title=The proposal contradicts itself%3A territory.crimea::" in lines[2]
    # ahead of the findings at earlier lines (the open EU-1 at the header, UA-1 at clause 1)
    assert [line.split(",")[1] for line in lines[3:6]] == ["line=3", "line=3", "line=11"]


def test_sarif_lists_the_contradiction_first(
    contradicting: ReportSet, options: RenderOptions
) -> None:
    results = json.loads(render(contradicting, "sarif", options))["runs"][0]["results"]
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results]
    assert [r["ruleId"] for r in results] == ["redlines.contradiction", "EU-1", "UA-2", "UA-1"]
    assert lines == [21, 3, 3, 11]


def test_junit_checks_consistency_first(contradicting: ReportSet, options: RenderOptions) -> None:
    suites = ET.fromstring(render(contradicting, "junit", options)).findall("testsuite")
    assert suites[0].get("name") == "test-contradicting / consistency"
    assert suites[0].get("failures") == "1"


def test_html_heads_with_the_contradiction(
    contradicting: ReportSet, options: RenderOptions
) -> None:
    html = render(contradicting, "html", options)
    assert '<p class="headline">The draft contradicts itself on 1 term; at least one' in html
    assert '<span class="word">infeasible</span><span class="n">contradicts itself</span>' in html
    assert html.index("<h3>Contradictions (1)</h3>") < html.index("<h3>Violated red lines (1)")


def test_the_public_verdict_stays_the_red_lines_verdict(contradicting: ReportSet) -> None:
    # `overall` in the JSON is public: a contradiction changes the words, not the value.
    dumped = json.loads(render(contradicting, "json"))
    assert dumped["overall"] == dumped["reports"][0]["overall"] == "infeasible"


def test_a_consistent_draft_keeps_its_headline(reports: ReportSet) -> None:
    text = render(reports, "text")
    assert "  Overall: INFEASIBLE — at least one party's red line is crossed\n" in text
    assert "  Overall: FEASIBLE — every party's red lines are met\n" in text


def test_an_empty_run_has_a_summary_in_text() -> None:
    text = render(ReportSet(overall=Verdict.FEASIBLE, reports=()), "text")
    assert (
        text == "0 proposals checked; 0 red lines violated, 0 open, 0 priorities not met,"
        " 0 contradictions\n"
    )


# --- the registry ------------------------------------------------------------------------------


def test_every_registered_output_resolves() -> None:
    for command, fmt in REGISTRY:
        assert callable(renderer(command, fmt)), (command, fmt)
    assert formats("check") == FORMATS
    assert formats("space") == formats("diff") == formats("explain") == ("text", "json", "markdown")
    assert formats("terms") == formats("lint") == ("text", "json")


def test_unknown_output_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        renderer("check", "pdf")
    with pytest.raises(KeyError):
        renderer("terms", "markdown")


@pytest.mark.parametrize("command", sorted({c for c, _ in REGISTRY} - {"schema", "coverage"}))
def test_cli_offers_exactly_the_registered_formats(command: str) -> None:
    from redlines.cli import build_parser

    parser = build_parser()
    sub = next(
        a
        for a in parser._subparsers._group_actions  # type: ignore[union-attr]
    ).choices[command]
    if command == "rules":  # `redlines rules list` is the one action that renders
        sub = sub._subparsers._group_actions[0].choices["list"]  # type: ignore[union-attr]
    offered = [a for a in sub._actions if "--format" in a.option_strings]
    if command == "docs":  # pages are Markdown; there is nothing to choose
        assert offered == [] and formats(command) == ("markdown",)
        return
    (fmt,) = offered
    # `check` also takes `auto` (github inside GitHub Actions, else text); `terms --coverage`
    # renders the coverage matrix, so `terms` offers its formats too.
    expected = {*formats(command), *(formats("coverage") if command == "terms" else ())}
    extra = {"auto"} if command == "check" else set()
    assert sorted(fmt.choices) == sorted(expected | extra)


def test_check_text_imports_no_other_writer() -> None:
    """`redlines check` in text pays for no XML, HTML, SARIF or Markdown writer."""
    code = (
        "import sys, io, contextlib\n"
        "from redlines.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['check', {CONTRADICTING!r}, '--rules', 'tests/fixtures/rules'])\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('redlines.render.'))\n"
        "print(' '.join(loaded))\n"
        "print('xml.etree' in sys.modules, 'html' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    loaded, others = done.stdout.splitlines()
    assert set(loaded.split()) <= {
        "redlines.render.brackets",  # the words on bracketed options every format shares
        "redlines.render.logsafe",
        "redlines.render.options",
        "redlines.render.stream",  # what every format's writer is built on
        "redlines.render.text",
        "redlines.render.view",
    }, loaded
    assert others == "False False"
    assert not re.search(r"render\.(json|markdown|sarif|junit|html|github|gfm)", loaded)


# --- how current the verdicts are, and why an actor is open ------------------------------------


@pytest.fixture(scope="module")
def twenty_points() -> ReportSet:
    """Kyiv's own 20-point text: Ukraine and the EU open on Crimea (and Ukraine on the plant)."""
    import redlines

    rules = redlines.load_rules(PROJECT / "rules")
    draft = redlines.load_proposal(PROJECT / "proposals/ukraine-20-point-2025-12.yaml", rules)
    return redlines.check_all([draft], rules, engine="python")


def test_every_format_says_how_current_the_positions_are(twenty_points: ReportSet) -> None:
    said = "positions reviewed up to 2026-06-30"
    for fmt in ("text", "markdown", "html"):
        assert said in render(twenty_points, fmt), fmt
    (report,) = json.loads(render(twenty_points, "json"))["reports"]
    assert {rs["id"]: rs["reviewed"] for rs in report["rulesets"]} == dict.fromkeys(
        ("eu", "russia", "ukraine"), "2026-06-30"
    )
    run = json.loads(render(twenty_points, "sarif"))["runs"][0]
    assert run["properties"]["positionsReviewedUpTo"] == dict.fromkeys(
        ("eu", "russia", "ukraine"), "2026-06-30"
    )


def test_rule_sets_reviewed_on_different_days_are_named() -> None:
    from redlines.render.view import reviewed

    report = build(("tests/render/fixtures/proposals/open.yaml",)).reports[0]
    assert reviewed(report) is None  # the test rules do not say
    import datetime as dt

    (first, *rest) = report.rulesets
    dated = report.model_copy(
        update={"rulesets": (first.model_copy(update={"reviewed": dt.date(2026, 5, 31)}), *rest)}
    )
    others = ", ".join(rs.actor for rs in rest)
    assert reviewed(dated) == (
        f"positions reviewed up to 2026-05-31 ({first.actor}), not stated ({others})"
    )


def test_every_format_says_in_place_why_an_actor_is_open(twenty_points: ReportSet) -> None:
    from redlines.render.view import report_view

    view = report_view(twenty_points.reports[0])
    why = {o.actor: o.red_lines for o in view.why_open}
    assert why == {
        "European Union": (("EU-TERR-1", ("territory.crimea",)),),
        "Ukraine": (
            ("UA-TERR-1", ("territory.crimea",)),
            ("UA-ZNPP-1", ("energy.zaporizhzhia_npp",)),
        ),
    }
    text = render(twenty_points, "text")
    ukraine_line = next(i for i, line in enumerate(text.splitlines()) if "  Ukraine  " in line)
    assert text.splitlines()[ukraine_line + 1].strip() == (
        "open because UA-TERR-1 needs territory.crimea; UA-ZNPP-1 needs energy.zaporizhzhia_npp"
    )
    assert (
        "**Ukraine** is open: UA-TERR-1 needs `territory.crimea`; "
        "UA-ZNPP-1 needs `energy.zaporizhzhia_npp`."
    ) in render(twenty_points, "markdown")
    html = render(twenty_points, "html")
    assert '<p class="why-open"><strong>Ukraine</strong> is open: ' in html
    assert "<code>energy.zaporizhzhia_npp</code>" in html
