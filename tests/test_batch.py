"""check_many(): the same verdicts as check(), in order, from either engine and from processes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import redlines
from redlines import batch
from redlines.batch import BatchResult, Outcome, check_many, summarize
from redlines.conditions import leaves
from redlines.engine import durable_available
from redlines.models import InputError, Proposal, RuleBook, Term, TermType
from redlines.report import ActorVerdictKind, Verdict

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ["python", "durable"] if durable_available() else ["python"]
BUNDLED = redlines.load_rules(ROOT / "rules")
DRAFT = redlines.load_proposal(ROOT / "proposals" / "us-28-point-2025-11.yaml", BUNDLED)


def _interesting_values(book: RuleBook, term: Term) -> st.SearchStrategy[Any]:
    """Values that land on each side of every threshold the rules test, within the term's range."""
    if term.type is TermType.ENUM:
        return st.sampled_from(term.values)
    if term.type is TermType.BOOLEAN:
        return st.booleans()
    mentioned = {
        leaf.value
        for rule in book.rules
        for leaf in leaves(rule.requires)
        if leaf.term == term.name and leaf.op in ("eq", "ne", "lt", "lte", "gt", "gte")
    }
    if term.type is TermType.DATE:
        days = {d + dt.timedelta(days=shift) for d in mentioned for shift in (-1, 0, 1)}  # type: ignore[operator]
        return st.sampled_from(sorted(days or {dt.date(2026, 1, 1)}))
    low = term.min if term.min is not None else 0
    high = term.max if term.max is not None else 10**9
    numbers = {n + shift for n in mentioned for shift in (-1, 0, 1)} | {low, high}  # type: ignore[operator]
    return st.sampled_from(sorted(n for n in numbers if low <= n <= high))


@st.composite
def variants(draw: st.DrawFn, book: RuleBook = BUNDLED) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(sorted(book.catalogue.terms)), max_size=6, unique=True))
    return {n: draw(_interesting_values(book, book.catalogue.terms[n])) for n in names}


@pytest.mark.parametrize("engine", ENGINES)
def test_every_bundled_proposal_gets_the_verdicts_check_reports(engine: str) -> None:
    proposals = [
        redlines.load_proposal(p, BUNDLED) for p in sorted((ROOT / "proposals").rglob("*.yaml"))
    ]
    result = check_many(proposals, BUNDLED, engine=engine)  # type: ignore[arg-type]
    assert result.engine == engine
    expected = [summarize(redlines.check(p, BUNDLED, engine="python")) for p in proposals]
    assert list(result.outcomes) == expected
    # the bundled content has both kinds of failing verdict, so this comparison means something
    assert {o.overall for o in result.outcomes} >= {Verdict.INFEASIBLE, Verdict.INCOMPLETE}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch_of=st.lists(variants(), min_size=1, max_size=5))
def test_variants_of_a_draft_get_the_verdicts_of_the_same_what_if(
    batch_of: list[dict[str, Any]],
) -> None:
    expected = [
        summarize(redlines.check(DRAFT, BUNDLED, overrides=v, engine="python")) for v in batch_of
    ]
    for engine in ENGINES:
        result = check_many(batch_of, BUNDLED, base=DRAFT, engine=engine)  # type: ignore[arg-type]
        assert list(result.outcomes) == expected


def test_fastest_is_the_python_engine_and_says_so(draft: Proposal, fixture_rules: RuleBook) -> None:
    assert check_many([draft], fixture_rules).engine == "python"
    if durable_available():
        assert check_many([draft], fixture_rules, engine="auto").engine == "durable"


def test_an_outcome_carries_what_a_sweep_needs(draft: Proposal, fixture_rules: RuleBook) -> None:
    (outcome,) = check_many([{"ukraine.army_cap": 600_000}], fixture_rules, base=draft).outcomes
    report = redlines.check(draft, fixture_rules, overrides={"ukraine.army_cap": 600_000})
    assert outcome == summarize(report)
    assert outcome.as_of == draft.date
    assert outcome.verdicts["ukraine"] is ActorVerdictKind.REJECTS
    assert outcome.violated == ("EU-1", "UA-1")  # red lines only: UA-3 is a priority
    assert outcome.soft_scores["ukraine"] == 0.0  # UA-3 (cap at least 800,000) not met
    assert set(outcome.soft_scores) == {v.ruleset for v in report.verdicts}


def test_a_variant_can_settle_a_term_the_base_contradicts(
    variant: Proposal, fixture_rules: RuleBook
) -> None:
    silent, settled = check_many(
        [{}, {"ukraine.army_cap": 900_000}], fixture_rules, base=variant
    ).outcomes
    assert silent.contradictions == ("ukraine.army_cap",)
    assert settled.contradictions == ()
    assert silent == summarize(redlines.check(variant, fixture_rules))
    overridden = redlines.check(variant, fixture_rules, overrides={"ukraine.army_cap": 900_000})
    assert settled == summarize(overridden)


def test_as_of_selects_the_rules_in_force(draft: Proposal, fixture_rules: RuleBook) -> None:
    later = dt.date(2026, 2, 1)  # EU-2 comes into force
    (outcome,) = check_many([draft], fixture_rules, as_of=later).outcomes
    assert outcome.as_of == later
    assert outcome == summarize(redlines.check(draft, fixture_rules, as_of=later))


def test_mappings_without_a_base_need_a_date(fixture_rules: RuleBook) -> None:
    with pytest.raises(ValueError, match="need `base` or `as_of`"):
        check_many([{"ukraine.army_cap": 1}], fixture_rules)
    day = dt.date(2026, 3, 1)
    (outcome,) = check_many([{"ukraine.army_cap": 1}], fixture_rules, as_of=day).outcomes
    empty = Proposal(id="empty", title="empty", date=day, status="draft", clauses=(), path="-")
    assert outcome == summarize(
        redlines.check(empty, fixture_rules, overrides={"ukraine.army_cap": 1})
    )


def test_a_bad_variant_is_named_by_its_place(draft: Proposal, fixture_rules: RuleBook) -> None:
    with pytest.raises(InputError) as caught:
        check_many([{}, {}, {"ukraine.army_cap": "lots"}], fixture_rules, base=draft)
    (problem,) = caught.value.problems
    assert str(problem).startswith("variants[2]: ukraine.army_cap:")  # an argument, not a file
    with pytest.raises(InputError, match="variants\\[0\\]"):
        check_many([{"no.such_term": True}], fixture_rules, base=draft)


def test_a_value_typed_once_is_not_taken_for_an_equal_value_of_another_type(
    draft: Proposal, fixture_rules: RuleBook
) -> None:
    # Typed values are remembered per (term, type, raw value) across a sweep: True == 1 in
    # Python, yet a boolean is no value of a boolean term's neighbour type and vice versa.
    swept = check_many(
        [{"ukraine.martial_law_ended": True}, {"ukraine.martial_law_ended": "true"}],
        fixture_rules,
        base=draft,
    )
    assert swept.outcomes[0] == swept.outcomes[1]
    with pytest.raises(InputError, match=r"variants\[1\]: ukraine\.martial_law_ended: .*boolean"):
        check_many(
            [{"ukraine.martial_law_ended": True}, {"ukraine.martial_law_ended": 1}],
            fixture_rules,
            base=draft,
        )
    with pytest.raises(InputError, match=r"variants\[1\]: ukraine\.army_cap: .*whole number"):
        check_many([{"ukraine.army_cap": 1}, {"ukraine.army_cap": True}], fixture_rules, base=draft)


def test_workers_must_be_positive(draft: Proposal, fixture_rules: RuleBook) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        check_many([draft], fixture_rules, workers=0)


def test_a_small_batch_stays_in_this_process(
    draft: Proposal, fixture_rules: RuleBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_processes(*args: object) -> None:
        raise AssertionError("a small batch must not start processes")

    monkeypatch.setattr(batch, "_run_in_processes", no_processes)
    result = check_many([draft] * 10, fixture_rules, workers=2)
    assert len(result.outcomes) == 10


@pytest.mark.parametrize("engine", ENGINES)
def test_a_large_batch_spreads_over_processes_and_keeps_its_order(
    engine: str, draft: Proposal, fixture_rules: RuleBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "MIN_VARIANTS_PER_WORKER", {"python": 10, "durable": 10})
    started: list[int] = []
    real = batch._run_in_processes

    def spy(job: Any, items: list[Any], workers: int) -> Any:
        started.append(workers)
        return real(job, items, workers)

    here: list[int] = []  # chunks this process checked itself (spawned workers are not patched)
    run_here = batch._Job.run

    def counting(job: Any, items: list[Any], first: int) -> Any:
        here.append(first)
        return run_here(job, items, first)

    monkeypatch.setattr(batch, "_run_in_processes", spy)
    sweep: list[Any] = [{"ukraine.army_cap": cap} for cap in range(0, 1_000_000, 600)]
    sweep.insert(7, draft)  # proposals and mappings mix
    serial = check_many(sweep, fixture_rules, base=draft, engine=engine)  # type: ignore[arg-type]
    monkeypatch.setattr(batch._Job, "run", counting)
    parallel = check_many(sweep, fixture_rules, base=draft, engine=engine, workers=2)  # type: ignore[arg-type]
    assert started == [2]
    chunks = -(-len(sweep) // 500)
    assert 1 <= len(here) < chunks  # this process and the spawned one both took chunks
    assert parallel == serial
    assert parallel.engine == engine


def test_the_batch_verdict_is_the_worst(draft: Proposal, fixture_rules: RuleBook) -> None:
    result = check_many(
        [{"ukraine.army_cap": 900_000}, {"ukraine.army_cap": 1}], fixture_rules, base=draft
    )
    assert isinstance(result, BatchResult) and all(isinstance(o, Outcome) for o in result.outcomes)
    assert result.overall is max((o.overall for o in result.outcomes), key=lambda v: v.gravity)
    empty = check_many([], fixture_rules)
    assert (empty.overall, empty.outcomes, empty.engine) == (Verdict.FEASIBLE, (), "python")
