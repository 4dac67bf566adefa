"""`redlines diff`: clause and term changes, verdict changes per actor, the PR-gate exit code."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, run_cli
from redlines.diff import diff
from redlines.models import Proposal, RuleBook
from redlines.report import Status, check
from redlines.space import package_proposal

RULES = str(FIXTURES / "rules")
DRAFT = "tests/fixtures/proposals/draft.yaml"
VARIANT = "tests/fixtures/proposals/variant.yaml"


def test_clause_changes(fixture_rules: RuleBook, draft: Proposal, variant: Proposal) -> None:
    on = variant.date
    result = diff(
        check(draft, fixture_rules, as_of=on),
        check(variant, fixture_rules, as_of=on),
        draft,
        variant,
    )
    changes = {c.id: c for c in result.clauses}
    assert {i: c.change for i, c in changes.items()} == {
        "1": "changed",
        "3": "removed",
        "4": "added",
    }
    one = changes["1"]
    assert one.old_title == "Crimea" and one.title == "Crimea frozen" and one.text_changed
    assert [(t.term, t.old, t.new) for t in one.terms] == [
        ("territory.crimea", "de_jure_russian", "frozen_line"),
        ("territory.donetsk", None, "frozen_line"),
    ]
    assert one.location is not None and one.location.path.endswith("variant.yaml")
    assert changes["3"].location is not None and changes["3"].location.path.endswith("draft.yaml")
    assert [(t.term, t.old, t.new) for t in changes["4"].terms] == [
        ("ukraine.army_cap", None, 800_000)
    ]


def test_effective_terms_include_derived_ones(
    fixture_rules: RuleBook, draft: Proposal, variant: Proposal
) -> None:
    on = variant.date
    result = diff(
        check(draft, fixture_rules, as_of=on),
        check(variant, fixture_rules, as_of=on),
        draft,
        variant,
    )
    terms = {t.term: t for t in result.terms}
    amended = terms["ukraine.constitution_amended"]
    assert (amended.old, amended.new, amended.old_by) == (True, None, "implication IMP-1")
    # The variant's two clauses disagree on the army cap, so it is unaddressed there.
    assert (terms["ukraine.army_cap"].old, terms["ukraine.army_cap"].new) == (600_000, None)


def test_verdict_changes_per_actor(
    fixture_rules: RuleBook, draft: Proposal, variant: Proposal
) -> None:
    on = variant.date
    better = diff(
        check(draft, fixture_rules, as_of=on),
        check(variant, fixture_rules, as_of=on),
        draft,
        variant,
    )
    assert better.crossed == ()
    actors = {a.ruleset: a for a in better.actors}
    assert actors["eu"].newly_met == ("EU-1",)
    assert actors["ukraine"].newly_met == ("UA-1", "UA-4")
    assert actors["ukraine"].newly_open == ("UA-3",)
    worse = diff(
        check(variant, fixture_rules, as_of=on),
        check(draft, fixture_rules, as_of=on),
        variant,
        draft,
    )
    assert worse.crossed == ("EU-1", "UA-1")
    assert {r.rule: r.change for r in worse.rules}["UA-3"] == "newly_violated"
    assert "UA-3" not in worse.crossed  # a priority does not fail the gate


def test_no_change(fixture_rules: RuleBook, draft: Proposal) -> None:
    report = check(draft, fixture_rules)
    same = diff(report, report, draft, draft)
    assert not (same.clauses or same.terms or same.rules or same.crossed)


def test_cli_gate() -> None:
    better = run_cli("diff", DRAFT, VARIANT, "--rules", RULES)
    assert better.code == 0, better.err
    assert "no red line newly crossed" in better.out
    assert "clause 1 changed" in better.out
    worse = run_cli("diff", VARIANT, DRAFT, "--rules", RULES)
    assert worse.code == 1
    assert "2 red lines newly crossed: EU-1, UA-1" in worse.out
    data = json.loads(run_cli("diff", VARIANT, DRAFT, "--rules", RULES, "-f", "json").out)
    assert data["crossed"] == ["EU-1", "UA-1"]
    markdown = run_cli("diff", VARIANT, DRAFT, "--rules", RULES, "-f", "markdown").out
    assert "newly crossed" in markdown and "| clause | change | terms |" in markdown
    assert run_cli("diff", DRAFT, "missing.yaml", "--rules", RULES).code == 2


def test_cli_judges_both_on_the_same_date() -> None:
    data = json.loads(run_cli("diff", DRAFT, VARIANT, "--rules", RULES, "-f", "json").out)
    assert data["old_as_of"] == data["new_as_of"] == "2025-11-23"
    fixed = json.loads(
        run_cli("diff", DRAFT, VARIANT, "--rules", RULES, "-f", "json", "--as-of", "2026-02-01").out
    )
    assert fixed["new_as_of"] == "2026-02-01"


VALUES: dict[str, Any] = {
    "territory.crimea": st.sampled_from(["ukrainian", "frozen_line", "de_jure_russian"]),
    "territory.donetsk": st.sampled_from(["ukrainian", "de_jure_russian"]),
    "ukraine.army_cap": st.sampled_from([600_000, 800_000]),
    "ukraine.martial_law_ended": st.booleans(),
    "eu.lng_ban_from": st.sampled_from([dt.date(2026, 1, 1), dt.date(2028, 1, 1)]),
}


@st.composite
def packages(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(sorted(VALUES)), unique=True))
    return {name: draw(VALUES[name]) for name in names}


@settings(max_examples=60, deadline=None)
@given(old=packages(), new=packages())
def test_diff_reports_every_status_change(
    fixture_rules: RuleBook, old: dict[str, Any], new: dict[str, Any]
) -> None:
    base = Proposal(
        id="p", title="p", date=dt.date(2026, 2, 1), status="draft", clauses=(), path="p.yaml"
    )
    before, after = package_proposal(base, old), package_proposal(base, new)
    old_report = check(before, fixture_rules, engine="python")
    new_report = check(after, fixture_rules, engine="python")
    result = diff(old_report, new_report, before, after)
    was = {f.rule: f.status for f in old_report.findings}
    now = {f.rule: f.status for f in new_report.findings}
    assert {r.rule: (r.old, r.new) for r in result.rules} == {
        rule: (was[rule], now[rule]) for rule in now if was[rule] is not now[rule]
    }
    assert set(result.crossed) == {
        f.rule
        for f in new_report.findings
        if f.status is Status.VIOLATED
        and was[f.rule] is not Status.VIOLATED
        and f.severity.value == "red_line"
    }
    assert {c.id for c in result.clauses} == set(old) ^ set(new) | {
        t for t in set(old) & set(new) if old[t] != new[t]
    }
