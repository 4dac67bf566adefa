"""check(): findings, verdicts per actor and overall, contradictions, what-ifs, dates."""

from __future__ import annotations

import datetime as dt

import pytest

import redlines
from conftest import FIXTURES, run_cli
from redlines.models import InputError, Proposal, RuleBook
from redlines.report import ActorVerdictKind, Report, Status, Verdict, failing

RULES = str(FIXTURES / "rules")
DRAFT = FIXTURES / "proposals" / "draft.yaml"


def finding(report: Report, rule: str) -> redlines.Finding:
    return next(f for f in report.findings if f.rule == rule)


def verdict_of(report: Report, ruleset: str) -> redlines.ActorVerdict:
    return next(v for v in report.verdicts if v.ruleset == ruleset)


@pytest.mark.parametrize("engine", ["python", "durable"])
def test_a_crossed_red_line_makes_the_draft_infeasible(
    draft: Proposal, fixture_rules: RuleBook, engine: str
) -> None:
    report = redlines.check(draft, fixture_rules, engine=engine)  # type: ignore[arg-type]
    assert report.overall is Verdict.INFEASIBLE
    assert verdict_of(report, "ukraine").verdict is ActorVerdictKind.REJECTS
    assert verdict_of(report, "ukraine").violated == ("UA-1",)
    assert verdict_of(report, "ukraine").open == ("UA-2",)
    ua1 = finding(report, "UA-1")
    assert ua1.status is Status.VIOLATED
    assert [c.id for c in ua1.clauses] == ["1"]
    assert ua1.location.path.endswith("draft.yaml") and ua1.location.line == 9
    assert ua1.sources[0].url == "https://example.org/const"


def test_soft_score_is_met_weight_over_total(draft: Proposal, fixture_rules: RuleBook) -> None:
    report = redlines.check(draft, fixture_rules, overrides={"ukraine.army_cap": "900000"})
    ukraine = verdict_of(report, "ukraine")
    # UA-3 (weight 5) met at 900,000; UA-4 (weight 2, "no cap at all") not
    assert (ukraine.soft_met_weight, ukraine.soft_total_weight) == (5, 7)
    assert ukraine.soft_score == pytest.approx(5 / 7, abs=1e-4)
    assert [(o.term, o.value) for o in report.overrides] == [("ukraine.army_cap", 900_000)]
    assert finding(report, "UA-3").terms[0].set_by == "override"


def test_as_of_selects_rules_in_force(draft: Proposal, fixture_rules: RuleBook) -> None:
    # EU-2 is valid from 2026-01-26; the draft is dated 2025-11-20
    before = redlines.check(draft, fixture_rules)
    assert all(f.rule != "EU-2" for f in before.findings)
    after = redlines.check(draft, fixture_rules, as_of=dt.date(2026, 2, 1))
    eu2 = finding(after, "EU-2")
    assert eu2.status is Status.MET and eu2.silent  # when_silent: met
    assert after.as_of == dt.date(2026, 2, 1)


def test_clauses_that_disagree_are_a_contradiction_not_a_crash(
    variant: Proposal, fixture_rules: RuleBook
) -> None:
    report = redlines.check(variant, fixture_rules)
    (contradiction,) = report.contradictions
    assert contradiction.term == "ukraine.army_cap"
    assert [c.by for c in contradiction.claims] == ["clause 2", "clause 4"]
    assert finding(report, "UA-3").status is Status.OPEN  # the term counts as unaddressed
    assert failing(report, "red_line") == ["contradiction on ukraine.army_cap"]
    assert failing(report, "never") == []


def test_derived_terms_point_back_to_their_clause(draft: Proposal, fixture_rules: RuleBook) -> None:
    report = redlines.check(draft, fixture_rules, overrides={"ukraine.martial_law_ended": "false"})
    (derived,) = report.derived
    assert (derived.term, derived.implication) == ("ukraine.constitution_amended", "IMP-1")
    assert [c.id for c in derived.clauses] == ["1"]
    ua2 = finding(report, "UA-2")
    assert ua2.status is Status.VIOLATED
    assert [c.id for c in ua2.clauses] == ["1"]  # the derivation is traced to clause 1


def test_actor_filter_and_fail_levels(draft: Proposal, fixture_rules: RuleBook) -> None:
    report = redlines.check(draft, fixture_rules, actors=["eu"])
    assert [v.ruleset for v in report.verdicts] == ["eu"]
    assert failing(report, "red_line") == ["EU-1 violated"]
    ukraine = redlines.check(
        draft, fixture_rules, actors=["ukraine"], overrides={"territory.crimea": "frozen_line"}
    )
    assert failing(ukraine, "red_line") == []
    assert failing(ukraine, "priority") == ["UA-3 violated"]
    assert failing(ukraine, "preference") == ["UA-3 violated", "UA-4 violated"]
    assert failing(ukraine, "red_line", strict=True) == ["UA-1 open", "UA-2 open"]


def test_overrides_are_typed_by_the_catalogue(draft: Proposal, fixture_rules: RuleBook) -> None:
    with pytest.raises(InputError, match="'yes' is not a boolean here"):
        redlines.check(draft, fixture_rules, overrides={"ukraine.martial_law_ended": "yes"})
    with pytest.raises(InputError, match=r"unknown term 'ukraine\.army_cpa'"):
        redlines.check(draft, fixture_rules, overrides={"ukraine.army_cpa": "1"})


def test_an_override_error_names_the_argument_the_cli_names_its_option(
    draft: Proposal, fixture_rules: RuleBook
) -> None:
    with pytest.raises(InputError) as caught:
        redlines.check(draft, fixture_rules, overrides={"ukraine.army_cap": "lots"})
    assert str(caught.value).startswith("overrides: ukraine.army_cap: ")
    run = run_cli("check", str(DRAFT), "--rules", RULES, "--set", "ukraine.army_cap=lots")
    assert run.code == 2 and run.err.startswith("--set:1:1: ukraine.army_cap: ")


def test_feasible_when_every_red_line_is_met(draft: Proposal, fixture_rules: RuleBook) -> None:
    report = redlines.check(
        draft,
        fixture_rules,
        overrides={
            "territory.crimea": "ukrainian",
            "territory.donetsk": "ukrainian",
            "ukraine.constitution_amended": "false",
        },
    )
    assert report.overall is Verdict.FEASIBLE
    assert {v.verdict for v in report.verdicts} == {ActorVerdictKind.ACCEPTS}


def test_reports_are_identical_across_engines_and_repeat_runs(
    draft: Proposal, variant: Proposal, fixture_rules: RuleBook
) -> None:
    dumps = {
        engine: redlines.check_all([variant, draft], fixture_rules, engine=engine).model_dump_json()
        for engine in ("python", "durable", "python")
    }
    assert len(set(dumps.values())) == 1


def test_a_report_carries_the_warnings_of_its_draft_and_rules_once_each(
    draft: Proposal, fixture_rules: RuleBook
) -> None:
    from redlines.models import InputWarning
    from redlines.report import run_warnings

    in_rules = InputWarning(file="rules/x.yaml", line=3, col=7, message="old name")
    in_draft = InputWarning(file="draft.yaml", line=9, col=5, message="old name")
    book = fixture_rules.model_copy(update={"warnings": (in_rules,)})
    warned = draft.model_copy(update={"warnings": (in_draft, in_draft)})
    report = redlines.check(warned, book)
    assert report.warnings == (in_draft, in_rules)
    assert redlines.check(warned, book).overall is redlines.check(draft, fixture_rules).overall
    assert run_warnings([report, redlines.check(warned, book)]) == (in_draft, in_rules)
    assert redlines.check(draft, fixture_rules).warnings == ()
