"""`redlines space` on the test rules: the blank page, a deadlock with a third actor, drafts, CLI.

The generated-model properties (agreement with brute force on the engine) are in
test_space_property.py; the golden outputs of the bundled content in test_space_golden.py.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

import redlines
from conftest import FIXTURES, ROOT, run_cli
from redlines.cli import main
from redlines.models import Proposal, RuleBook, TermValue
from redlines.report import Verdict, check
from redlines.space import (
    SpaceReport,
    SpaceVerdict,
    TermZone,
    analyze_space,
    default_as_of,
    package_proposal,
)

RUSSIA = """\
ruleset:
  id: russia
  actor: Russia
  title: Test rules for Russia
rules:
  - id: RU-1
    title: Crimea recognised as Russian in law
    severity: red_line
    requires: {term: territory.crimea, eq: de_jure_russian}
    message: The draft does not recognise Crimea as Russian.
    sources: [{title: "Test source", url: "https://example.org/ru1"}]
  - id: RU-2
    title: Ukraine's army capped at 600,000
    severity: red_line
    requires: {term: ukraine.army_cap, lte: 600000}
    message: The draft does not cap Ukraine's army.
    sources: [{title: "Test source", url: "https://example.org/ru2"}]
  - id: RU-3
    title: No end of martial law as a precondition
    severity: red_line
    requires: {term: ukraine.martial_law_ended, eq: false}
    message: The draft makes the end of martial law a precondition.
    sources: [{title: "Test source", url: "https://example.org/ru3"}]
  - id: RU-4
    title: Donetsk under Russian control
    severity: priority
    weight: 3
    requires: {term: territory.donetsk, in: [de_facto_russian, de_jure_russian]}
    message: The draft leaves Donetsk to Ukraine.
    sources: [{title: "Test source", url: "https://example.org/ru4"}]
"""


@pytest.fixture(scope="module")
def three_rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rules")
    for file in (FIXTURES / "rules").glob("*.yaml"):
        shutil.copy(file, folder / file.name)
    (folder / "russia.yaml").write_text(RUSSIA, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def three(three_rules: Path) -> RuleBook:
    return redlines.load_rules(three_rules)


@pytest.fixture(scope="module")
def deadlock(three: RuleBook) -> SpaceReport:
    return analyze_space(three, engine="python")


def zone_of(report: SpaceReport, term: str) -> TermZone:
    assert report.zone is not None
    return next(t for t in report.zone.terms if t.term == term)


def engine_verdict(book: RuleBook, values: Mapping[str, TermValue], on: dt.date) -> Verdict:
    subject = Proposal(id="p", title="p", date=on, status="draft", clauses=(), path="p.yaml")
    return check(package_proposal(subject, values), book, engine="python").overall


# --- the blank page, two actors -------------------------------------------------------------------


def test_blank_page_is_completable(fixture_rules: RuleBook) -> None:
    report = analyze_space(fixture_rules, engine="python")
    assert report.blank and report.verdict is SpaceVerdict.COMPLETABLE and report.feasible
    assert report.as_of == dt.date(2026, 1, 26)  # EU-2's valid_from, the latest
    assert report.deadlocks is None
    assert report.witness is not None and report.witness.verdict is Verdict.FEASIBLE
    values = {t.term: t.value for t in report.witness.terms}
    assert engine_verdict(fixture_rules, values, dt.date(2026, 1, 26)) is Verdict.FEASIBLE
    crimea = zone_of(report, "territory.crimea")
    assert crimea.values == ("ukrainian", "contested", "frozen_line")
    assert not crimea.unaddressed and crimea.needs_value and crimea.restricted
    lng = zone_of(report, "eu.lng_ban_from")  # when_silent: met, so silence is allowed
    assert lng.unaddressed and [(i.low, i.high) for i in lng.intervals] == [
        (None, dt.date(2027, 1, 1))
    ]
    assert not zone_of(report, "ukraine.army_cap").restricted
    assert report.concessions is not None and not report.concessions.relaxed
    assert all(c.compatible for c in report.compatibility)


def test_witness_leaves_unasked_terms_unaddressed(fixture_rules: RuleBook) -> None:
    report = analyze_space(fixture_rules, engine="python")
    assert report.witness is not None
    assert "ukraine.army_cap" not in {t.term for t in report.witness.terms}


def test_complete_packages_set_every_term(fixture_rules: RuleBook) -> None:
    report = analyze_space(fixture_rules, engine="python", complete=True)
    assert report.witness is not None and report.witness.verdict is Verdict.FEASIBLE
    assert {t.term for t in report.witness.terms} == set(fixture_rules.catalogue.terms)
    assert report.zone is not None and not any(t.unaddressed for t in report.zone.terms)


def test_default_as_of_is_the_latest_valid_from(fixture_rules: RuleBook) -> None:
    assert default_as_of(fixture_rules) == dt.date(2026, 1, 26)
    undated = fixture_rules.model_copy(update={"rulesets": (), "implications": ()})
    assert default_as_of(undated) is None


def test_a_position_that_ended_is_not_revived_on_the_blank_page(fixture_rules: RuleBook) -> None:
    # UA-1 held from 2010 to 2020 and nothing else is dated: the newest set of positions, the
    # one that holds now, begins the day after UA-1 ended, not on the day UA-1 began.
    def dated(rule: redlines.Rule) -> redlines.Rule:
        span = (dt.date(2010, 1, 1), dt.date(2020, 12, 31)) if rule.id == "UA-1" else (None, None)
        return rule.model_copy(update={"valid_from": span[0], "valid_until": span[1]})

    book = fixture_rules.model_copy(
        update={
            "rulesets": tuple(
                rs.model_copy(update={"rules": tuple(map(dated, rs.rules))})
                for rs in fixture_rules.rulesets
            )
        }
    )
    assert default_as_of(book) == dt.date(2021, 1, 1)
    report = analyze_space(book, engine="python")
    assert report.as_of == dt.date(2021, 1, 1)
    assert report.as_of_basis == "the day after the latest valid_until among the rules"
    assert report.red_lines == analyze_space(fixture_rules, engine="python").red_lines - 1
    # A position starting on or after that day sets the date again, by its valid_from.
    later = book.model_copy(
        update={"implications": (book.implications[0].model_copy(
            update={"valid_from": dt.date(2021, 1, 1)}),)}
    )  # fmt: skip
    assert analyze_space(later, engine="python").as_of_basis == (
        "the latest valid_from among the rules"
    )


def test_as_of_selects_rules(fixture_rules: RuleBook) -> None:
    before = analyze_space(fixture_rules, as_of=dt.date(2020, 1, 1), engine="python")
    assert before.as_of_basis == "--as-of"
    assert before.red_lines == 3  # EU-2 applies from 2026-01-26
    assert not zone_of(before, "eu.lng_ban_from").restricted


# --- a deadlock with a third actor ----------------------------------------------------------------


def test_deadlock_cores(deadlock: SpaceReport) -> None:
    assert deadlock.verdict is SpaceVerdict.DEADLOCKED and not deadlock.feasible
    assert deadlock.witness is None and deadlock.deadlocks is not None
    cores = {tuple(r.id for r in core.rules): core for core in deadlock.deadlocks.cores}
    assert set(cores) == {("EU-1", "RU-1"), ("RU-1", "UA-1"), ("RU-1", "RU-3", "UA-2")}
    assert deadlock.deadlocks.complete
    sizes = [len(core.rules) for core in deadlock.deadlocks.cores]
    assert sizes == sorted(sizes)  # smallest first
    chain = cores[("RU-1", "RU-3", "UA-2")]
    assert chain.implications == ("IMP-1",)
    assert chain.actors == ("Russia", "Ukraine")
    assert set(chain.terms) == {
        "territory.crimea",
        "ukraine.constitution_amended",
        "ukraine.martial_law_ended",
    }
    assert cores[("EU-1", "RU-1")].terms == ("territory.crimea",)
    assert cores[("EU-1", "RU-1")].implications == ()


def test_every_core_is_minimal(three: RuleBook, deadlock: SpaceReport) -> None:
    """Each core alone has no package; without any one of its rules, the rest have one."""
    assert deadlock.deadlocks is not None
    for core in deadlock.deadlocks.cores:
        ids = {r.id for r in core.rules}
        assert not analyze_space(_only(three, ids), engine="python").feasible
        for dropped in ids:
            rest = analyze_space(_only(three, ids - {dropped}), engine="python")
            assert rest.feasible and rest.witness is not None
            assert rest.witness.verdict is Verdict.FEASIBLE


def _only(book: RuleBook, ids: set[str]) -> RuleBook:
    rulesets = tuple(
        rs.model_copy(update={"rules": tuple(r for r in rs.rules if r.id in ids)})
        for rs in book.rulesets
    )
    return book.model_copy(update={"rulesets": rulesets})


def test_cheapest_concession_and_best_package(deadlock: SpaceReport) -> None:
    concessions = deadlock.concessions
    assert concessions is not None
    assert [r.id for r in concessions.relaxed] == ["RU-1"]
    # one red line, plus the priorities the best package still misses
    soft = 5 + 2 + 3
    assert concessions.red_line_weight == soft + 1
    missed = sum(r.weight or 0 for r in concessions.unmet)
    assert concessions.cost == concessions.red_line_weight + missed
    outcome = {o.ruleset: o for o in concessions.package.actors}
    assert outcome["russia"].violated + outcome["russia"].open == ("RU-1",)
    assert outcome["eu"].verdict.value == "accepts"
    assert outcome["ukraine"].verdict.value == "accepts"


def test_zone_after_the_concessions_is_tight(three: RuleBook, deadlock: SpaceReport) -> None:
    assert deadlock.zone is not None and deadlock.zone.relaxed == ("RU-1",)
    cap = zone_of(deadlock, "ukraine.army_cap")
    assert [(i.low, i.high) for i in cap.intervals] == [(0, 600_000)]
    assert not cap.unaddressed and cap.needs_value
    kept = _only(three, {r.id for r in three.rules} - {"RU-1"})
    on = dt.date(2026, 1, 26)
    base: dict[str, TermValue] = {
        "territory.crimea": "frozen_line",
        "territory.donetsk": "frozen_line",
        "ukraine.martial_law_ended": False,
        "ukraine.constitution_amended": False,
        "eu.lng_ban_from": dt.date(2026, 6, 1),
    }
    assert engine_verdict(kept, {**base, "ukraine.army_cap": 600_000}, on) is Verdict.FEASIBLE
    assert engine_verdict(kept, {**base, "ukraine.army_cap": 600_001}, on) is Verdict.INFEASIBLE
    martial = zone_of(deadlock, "ukraine.martial_law_ended")
    assert martial.values == (False,)


def test_pairwise_compatibility(deadlock: SpaceReport) -> None:
    pairs = {c.rulesets: c for c in deadlock.compatibility}
    assert all(pairs[(actor,)].compatible for actor in ("eu", "russia", "ukraine"))
    assert pairs[("eu", "ukraine")].compatible
    assert pairs[("eu", "russia")].core == ("EU-1", "RU-1")
    assert not pairs[("russia", "ukraine")].compatible
    assert len(pairs[("russia", "ukraine")].core) in (2, 3)


def test_max_cores_limits_and_says_so(three: RuleBook) -> None:
    report = analyze_space(three, max_cores=1, engine="python")
    assert report.deadlocks is not None and len(report.deadlocks.cores) == 1
    assert len(report.deadlocks.cores[0].rules) == 2
    assert not report.deadlocks.complete
    assert any("may be more" in note for note in report.notes)


def test_actors_limit_the_analysis(three: RuleBook) -> None:
    report = analyze_space(three, actors=["eu", "ukraine"], engine="python")
    assert report.feasible and {rs.id for rs in report.rulesets} == {"eu", "ukraine"}


def test_red_line_weight_is_configurable(three: RuleBook) -> None:
    cheap = analyze_space(three, red_line_weight=1, engine="python")
    assert cheap.concessions is not None and cheap.concessions.red_line_weight == 1
    # Giving up red lines now costs less than Ukraine's 5-point army priority.
    assert {r.id for r in cheap.concessions.relaxed} >= {"RU-1", "RU-2"}


# --- drafts ---------------------------------------------------------------------------------------


def test_infeasible_draft_stays_infeasible(fixture_rules: RuleBook, draft: Proposal) -> None:
    report = analyze_space(fixture_rules, draft, engine="python")
    assert report.check is Verdict.INFEASIBLE and report.verdict is SpaceVerdict.INFEASIBLE
    assert report.as_of == draft.date and report.as_of_basis == "the proposal's date"
    assert report.deadlocks is not None
    for core in report.deadlocks.cores:
        assert [s.term for s in core.draft] == ["territory.crimea"]
        assert core.draft[0].clause == "1" and core.draft[0].location is not None
        assert core.draft[0].location.line == 13


def test_variant_is_completable(fixture_rules: RuleBook, variant: Proposal) -> None:
    report = analyze_space(fixture_rules, variant, engine="python")
    assert report.check is Verdict.INCOMPLETE and report.verdict is SpaceVerdict.COMPLETABLE
    assert report.contradictions == ("ukraine.army_cap",)
    assert report.witness is not None and report.witness.verdict is Verdict.FEASIBLE
    fixed = {t.term: t for t in report.witness.terms if t.source == "draft"}
    crimea = fixed["territory.crimea"]
    assert crimea.value == "frozen_line" and crimea.clause == "1"
    assert report.zone is not None
    assert not any(t.needs_value for t in report.zone.terms)


def test_draft_deadlocked_by_its_open_terms(three: RuleBook, tmp_path: Path) -> None:
    """A draft that crosses nothing yet, but whose fixed terms leave no acceptable completion."""
    path = tmp_path / "open.yaml"
    path.write_text(
        "proposal: {id: open-draft, title: Open, date: 2026-02-01, status: draft,"
        " sources: [{url: 'https://example.org'}]}\n"
        "clauses:\n"
        "  - id: '1'\n    title: Donetsk\n    text: Frozen.\n"
        "    terms: {territory.donetsk: frozen_line}\n",
        encoding="utf-8",
    )
    draft = redlines.load_proposal(path, three)
    report = analyze_space(three, draft, engine="python")
    assert report.check is Verdict.INCOMPLETE
    assert report.verdict is SpaceVerdict.DEADLOCKED
    assert report.concessions is not None and [r.id for r in report.concessions.relaxed] == ["RU-1"]


def test_engine_check_of_every_witness_on_fixture_drafts(
    fixture_rules: RuleBook, draft: Proposal, variant: Proposal
) -> None:
    for subject in (None, draft, variant):
        report = analyze_space(fixture_rules, subject, engine="python")
        best = report.concessions.package if report.concessions else None
        for package in (report.witness, best):
            if package is None:
                continue
            values = {t.term: t.value for t in package.terms}
            on = subject.date if subject else dt.date(2026, 1, 26)
            verdict = engine_verdict(fixture_rules, values, on)
            assert verdict is package.verdict


# --- the command ----------------------------------------------------------------------------------


def test_cli_exit_codes(three_rules: Path) -> None:
    fixtures = str(FIXTURES / "rules")
    assert run_cli("space", "--rules", fixtures).code == 0
    assert run_cli("space", "--rules", str(three_rules)).code == 1
    assert (
        run_cli("space", "--rules", str(three_rules), "--actor", "eu", "--actor", "ukraine").code
        == 0
    )
    assert run_cli("space", "tests/fixtures/proposals/variant.yaml", "--rules", fixtures).code == 0
    assert run_cli("space", "tests/fixtures/proposals", "--rules", fixtures).code == 1
    bad = run_cli("space", "--rules", fixtures, "--actor", "nato")
    assert bad.code == 2 and "unknown actor" in bad.err
    assert run_cli("space", "--rules", fixtures, "--max-cores", "-1").code == 2
    missing = run_cli("space", "nowhere.yaml", "--rules", fixtures)
    assert missing.code == 2 and "nowhere.yaml" in missing.err


def test_cli_bad_input_points_at_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "proposal: {id: x, title: x, date: 2026-01-01, status: draft}\n"
        "clauses:\n  - id: '1'\n    title: t\n    text: t\n"
        "    terms: {territory.crimea: russian}\n",
        encoding="utf-8",
    )
    run = run_cli("space", str(broken), "--rules", str(FIXTURES / "rules"))
    assert run.code == 2
    assert f"{broken}:6:" in run.err and "Traceback" not in run.err


def test_cli_formats(three_rules: Path) -> None:
    rules = str(three_rules)
    data = json.loads(run_cli("space", "--rules", rules, "--format", "json").out)
    assert data["agreement"] is False
    (report,) = data["reports"]
    assert report["verdict"] == "deadlocked"
    assert {tuple(r["id"] for r in c["rules"]) for c in report["deadlocks"]["cores"]} == {
        ("EU-1", "RU-1"),
        ("RU-1", "UA-1"),
        ("RU-1", "RU-3", "UA-2"),
    }
    text = run_cli("space", "--rules", rules).out
    assert "Verdict: DEADLOCKED" in text and "Cheapest concessions: give up 1 red line" in text
    assert "ukraine.army_cap" in text and "0 to 600,000" in text
    markdown = run_cli("space", "--rules", rules, "--format", "markdown").out
    assert "### Negotiating space: the blank page" in markdown
    assert "| # | red lines | actors | over | through |" in markdown


def test_json_is_stable(three_rules: Path) -> None:
    args = ("space", "tests/fixtures/proposals", "--rules", str(three_rules), "--format", "json")
    assert run_cli(*args).out == run_cli(*args).out


def test_a_day_on_which_no_rule_holds(capsys: pytest.CaptureFixture[str]) -> None:
    """Before the first position of the only actor asked for, nothing is in force: every package
    is acceptable (RC2 fails on a problem with no soft clause; the concessions answer it)."""
    rules = str(ROOT / "tests" / "fixtures" / "timeline" / "rules")
    assert main(["space", "--rules", rules, "--as-of", "2019-01-01", "--actor", "beta"]) == 0
    out = capsys.readouterr().out
    assert "Verdict: FEASIBLE" in out and "Cheapest concessions: none needed" in out
