"""Every party's position on every term: the coverage matrix (`redlines terms --coverage`), the
rule sets' `no_position:` reasons behind its empty cells, and `docs/coverage.md`, generated."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

import redlines
from conftest import FIXTURES, ROOT, run_cli
from redlines.coverage import coverage
from redlines.lint import lint
from redlines.models import NoPositionReason
from redlines.render import render

DOC = ROOT / "docs" / "coverage.md"
REFRESH = "redlines terms --coverage --format markdown --output docs/coverage.md"


@pytest.fixture(scope="module")
def bundled() -> redlines.RuleBook:
    return redlines.load_rules(ROOT / "rules")


def test_docs_coverage_is_the_command_output(bundled: redlines.RuleBook) -> None:
    fresh = render(coverage(bundled), "markdown", command="coverage")
    assert DOC.read_text(encoding="utf-8") == fresh, f"docs/coverage.md is stale; run: {REFRESH}"


def test_every_empty_cell_of_the_bundled_matrix_says_why(bundled: redlines.RuleBook) -> None:
    matrix = coverage(bundled)
    assert [a.ruleset for a in matrix.actors] == ["eu", "russia", "ukraine"]
    assert len(matrix.terms) == len(bundled.catalogue.terms)
    assert matrix.gaps == [], "terms an actor has neither a rule nor a no_position reason for"
    # A reason is only ever given where there is no rule (lint RL110 finds the others).
    assert not [p for p in lint(bundled, [], today=dt.date(2026, 6, 30)) if p.code == "RL110"]


def test_the_bundled_demands_answered_in_public_have_counter_positions(
    bundled: redlines.RuleBook,
) -> None:
    # The list: a demand one party makes that the others have answered in public.
    matrix = {t.term: {c.ruleset: c for c in t.cells} for t in coverage(bundled).terms}
    for term in (
        "security.foreign_military_aid",
        "security.foreign_troops",
        "sanctions.relief",
        "assets.russian_central_bank",
        "ukraine.elections_within_days",
        "ukraine.russian_language_status",
        "ukraine.uoc_mp_restrictions",
        "energy.zaporizhzhia_npp",
    ):
        for ruleset, cell in matrix[term].items():
            assert cell.rules or cell.reason is not None, (term, ruleset)
        assert matrix[term]["ukraine"].rules and matrix[term]["russia"].rules, term


def rules_with(tmp_path: Path, header: str) -> Path:
    """The test rules with `header` added to the Ukrainian rule set's header."""
    folder = tmp_path / "rules"
    shutil.copytree(FIXTURES / "rules", folder)
    ukraine = folder / "ukraine.yaml"
    text = ukraine.read_text(encoding="utf-8")
    ukraine.write_text(text.replace('  version: "test"\n', f'  version: "test"\n{header}'))
    return folder


def test_a_reason_shows_in_its_cell_and_a_missing_one_is_a_gap(tmp_path: Path) -> None:
    folder = rules_with(
        tmp_path,
        "  reviewed: 2026-06-30\n"
        "  no_position:\n"
        "    eu.lng_ban_from: {reason: not_theirs_to_decide, note: EU import law.}\n",
    )
    book = redlines.load_rules(folder)
    cells = {(t.term, c.ruleset): c for t in coverage(book).terms for c in t.cells}
    cell = cells["eu.lng_ban_from", "ukraine"]
    assert (cell.rules, cell.reason, cell.note) == (
        (),
        NoPositionReason.NOT_THEIRS_TO_DECIDE,
        "EU import law.",
    )
    assert [r.id for r in cells["ukraine.army_cap", "ukraine"].rules] == ["UA-3", "UA-4"]
    assert ("territory.crimea", "eu") not in coverage(book).gaps
    assert ("ukraine.martial_law_ended", "eu") in coverage(book).gaps
    text = run_cli("terms", "--coverage", "--rules", str(folder)).out
    assert "  Ukraine         no rule: not theirs to decide — EU import law." in text
    as_json = json.loads(run_cli("terms", "--coverage", "-f", "json", "--rules", str(folder)).out)
    assert as_json["actors"][1] == {
        "ruleset": "ukraine",
        "actor": "Ukraine",
        "reviewed": "2026-06-30",
    }
    markdown = run_cli("terms", "--coverage", "-f", "markdown", "--rules", str(folder)).out
    assert (
        "| `eu.lng_ban_from` | **EU-2** | — [not theirs to decide](#eu-lng-ban-from-ukraine) |"
    ) in markdown
    assert "| `territory.crimea` | **EU-1** | **UA-1** |" in markdown
    assert "| `ukraine.martial_law_ended` | — *no reason given* | **UA-2** |" in markdown


def test_a_reason_beside_a_rule_is_a_lint_error(tmp_path: Path) -> None:
    folder = rules_with(tmp_path, "  no_position:\n    ukraine.army_cap: {reason: not_stated}\n")
    book = redlines.load_rules(folder)
    (problem,) = [p for p in lint(book, [], today=dt.date(2026, 6, 30)) if p.code == "RL110"]
    assert "UA-3 tests it" in problem.message and problem.line == 7


def test_no_position_is_checked_against_the_catalogue(tmp_path: Path) -> None:
    folder = rules_with(tmp_path, "  no_position:\n    ukraine.army_cp: {reason: not_stated}\n")
    with pytest.raises(redlines.InputError) as err:
        redlines.load_rules(folder)
    (problem,) = err.value.problems
    assert problem.line == 7 and "unknown term 'ukraine.army_cp'" in problem.message
    assert "did you mean 'ukraine.army_cap'" in problem.message


def test_terms_offers_markdown_only_with_coverage() -> None:
    run = run_cli("terms", "--format", "markdown")
    assert run.code == 2 and "--format markdown is for --coverage" in run.err


def test_explain_shows_every_actor_on_the_terms_a_rule_reads(bundled: redlines.RuleBook) -> None:
    explanation = redlines.explain_rule(bundled, "RU-AID-1")
    (term,) = explanation.positions
    assert term.term == "security.foreign_military_aid"
    assert {c.ruleset: [r.id for r in c.rules] for c in term.cells}["ukraine"] == ["UA-AID-1"]
