"""Bracketed alternatives (`brackets.py`): the engine one combination at a time against the solver
restricted to the options, on generated rule books and drafts; and what `check` reports."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from redlines.brackets import analyze_brackets, combinations, solver_exact, with_options
from redlines.models import Clause, ClauseOption, Proposal, RuleBook, Setting, Severity
from redlines.report import ActorVerdictKind, Status, check
from strategies import draft_origin, drafts_with_brackets
from test_space_property import TERMS, rule_books, value_of

DAY = dt.date(2026, 1, 10)


def drafts_with_options() -> st.SearchStrategy[Proposal]:
    """A text setting at most one term, and one to three brackets of one to three options over
    the other terms."""
    return drafts_with_brackets(
        names=sorted(TERMS),
        value_of=value_of,
        brackets=st.integers(1, 3),
        paired=st.booleans(),
        options=st.integers(1, 3),
        day=DAY,
    )


def _unmet(book: RuleBook, draft: Proposal, choice: tuple[int, ...]) -> set[str]:
    report = check(with_options(draft, choice), book, engine="python")
    return {
        f.rule
        for f in report.findings
        if f.severity is Severity.RED_LINE and f.status is not Status.MET
    }


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=rule_books(), draft=drafts_with_options())
def test_the_solver_agrees_with_the_engine_combination_by_combination(
    book: RuleBook, draft: Proposal
) -> None:
    # Where the solver's reading of the implications is not the engine's, `check` never asks it.
    assume(solver_exact(book))
    by_engine = analyze_brackets(draft, book, engine="python", method="engine")
    by_solver = analyze_brackets(draft, book, engine="python", method="solver")
    assert by_engine.method == "engine" and by_solver.method == "solver"
    assert by_solver.actors == by_engine.actors
    assert by_solver.agreeable == by_engine.agreeable
    assert by_solver.agreeable_complete == by_engine.agreeable_complete
    assert len(by_engine.checked) == combinations(draft)
    # The brute force: every combination, each actor's verdict straight from `check`.
    for combination in by_engine.checked:
        report = check(with_options(draft, combination.options), book, engine="python")
        assert combination.verdicts == tuple(v.verdict for v in report.verdicts)
    agreeable = [
        c.options
        for c in by_engine.checked
        if all(v is ActorVerdictKind.ACCEPTS for v in c.verdicts)
    ]
    assert [c.options for c in by_engine.agreeable] == agreeable
    if agreeable:
        assert by_engine.blocking == by_solver.blocking == ()
        return
    # Both blocking sets are as small as each other, and each leaves every combination unmet.
    unmet = [_unmet(book, draft, c.options) for c in by_engine.checked]
    red = {r.id for r in book.rules if r.severity is Severity.RED_LINE}
    assert len(by_solver.blocking) == len(by_engine.blocking)
    for found in (by_engine.blocking, by_solver.blocking):
        ids = {r.id for r in found}
        assert all(ids & u for u in unmet)
    smaller = [
        set(s)
        for k in range(len(by_engine.blocking))
        for s in itertools.combinations(sorted(red), k)
    ]
    assert not any(all(s & u for u in unmet) for s in smaller)


def test_each_actor_on_each_option_over_the_combinations_that_take_it() -> None:
    book = _book()
    draft = _two_brackets()
    found = analyze_brackets(draft, book, engine="python")
    assert found.method == "engine" and found.combinations == 4
    standings: dict[str, dict[tuple[str, int], str]] = {
        a.ruleset: {(o.clause, o.option): o.verdict for o in a.options} for a in found.actors
    }
    # p needs the flag set: option 1 of b0 sets it, option 2 clears it; b1 does not matter.
    assert standings["p"] == {
        ("b0", 1): "accepts",
        ("b0", 2): "rejects",
        ("b1", 1): "depends",
        ("b1", 2): "depends",
    }
    assert [c.options for c in found.agreeable] == [(1, 2)]
    assert found.blocking == ()


def _book() -> RuleBook:
    from redlines.models import Catalogue, Leaf, Rule, RuleSet

    def red(rule_id: str, actor: str, leaf: Leaf) -> Rule:
        return Rule(
            id=rule_id,
            title=rule_id,
            severity=Severity.RED_LINE,
            requires=leaf,
            message="m",
            ruleset=actor,
            actor=actor.upper(),
        )

    return RuleBook(
        catalogue=Catalogue(terms=TERMS),
        rulesets=(
            RuleSet(
                id="p",
                actor="P",
                title="p",
                rules=(red("P1", "p", Leaf(term="a.flag", op="eq", value=True)),),
            ),
            RuleSet(
                id="q",
                actor="Q",
                title="q",
                rules=(red("Q1", "q", Leaf(term="a.int", op="gte", value=5)),),
            ),
        ),
    )


def _two_brackets(**changes: Any) -> Proposal:
    def option(line: int, term: str, value: Any) -> ClauseOption:
        return ClauseOption(
            title=f"{term}={value}",
            settings=(Setting(term=term, value=value, origin=draft_origin(line)),),
            origin=draft_origin(line),
        )

    clauses = (
        Clause(
            id="b0",
            title="flag",
            text="[set | clear]",
            state="bracketed",
            options=(option(2, "a.flag", True), option(3, "a.flag", False)),
            origin=draft_origin(1),
        ),
        Clause(
            id="b1",
            title="int",
            text="[2 | 7]",
            state="bracketed",
            options=(option(5, "a.int", 2), option(6, "a.int", 7)),
            origin=draft_origin(4),
        ),
    )
    return Proposal(id="d", title="d", date=DAY, status="draft", clauses=clauses, path="<d>")


def test_with_no_agreeable_combination_the_smallest_blocking_set_is_named() -> None:
    book = _book()
    draft = _two_brackets()
    only_clear = draft.model_copy(
        update={
            "clauses": (
                draft.clauses[0].model_copy(update={"options": draft.clauses[0].options[1:]}),
                draft.clauses[1],
            )
        }
    )
    for method in ("engine", "solver"):
        found = analyze_brackets(only_clear, book, engine="python", method=method)
        assert found.agreeable == ()
        assert [r.id for r in found.blocking] == ["P1"]


def test_the_report_of_a_draft_with_options_is_its_text_plus_the_brackets() -> None:
    report = check(_two_brackets(), _book(), engine="python")
    # The text alone sets nothing, so both red lines are open: the exit code's verdict.
    assert {f.rule: f.status for f in report.findings} == {"P1": Status.OPEN, "Q1": Status.OPEN}
    assert report.proposal.bracketed == ("b0", "b1")
    assert report.brackets is not None
    assert [b.clause for b in report.brackets.brackets] == ["b0", "b1"]
    plain = check(with_options(_two_brackets(), (1, 2)), _book(), engine="python")
    assert plain.brackets is None
    assert '"brackets"' not in plain.model_dump_json()


def test_space_restricts_the_bracketed_terms_to_their_options() -> None:
    from redlines.space import SpaceVerdict, analyze_space

    book = _book()
    draft = _two_brackets()
    found = analyze_space(book, draft, engine="python")
    assert found.feasible and found.witness is not None
    chosen = {t.term: t.value for t in found.witness.terms}
    assert chosen["a.flag"] is True and chosen["a.int"] == 7  # options b0/1 and b1/2
    # With 2 the only army option left, Q1 (a.int >= 5) cannot hold, though the blank page could.
    low = draft.model_copy(
        update={
            "clauses": (
                draft.clauses[0],
                draft.clauses[1].model_copy(update={"options": draft.clauses[1].options[:1]}),
            )
        }
    )
    assert analyze_space(book, low, engine="python").verdict is SpaceVerdict.DEADLOCKED
    assert analyze_space(book, None, engine="python").feasible


def test_many_combinations_go_to_the_solver_unless_the_rules_forbid(
    monkeypatch: Any,
) -> None:
    import redlines.brackets as brackets
    from redlines.models import Implication, Leaf

    monkeypatch.setattr(brackets, "ENGINE_LIMIT", 2)
    book = _book()
    assert analyze_brackets(_two_brackets(), book).method == "solver"
    tested = Implication(
        id="I1", when=Leaf(term="a.enum", op="absent"), then={"a.day": dt.date(2026, 1, 1)}
    )
    with_absent = book.model_copy(update={"implications": (tested,)})
    assert not solver_exact(with_absent)
    # Then they go group by group through the engine (tests/test_brackets_groups.py).
    assert analyze_brackets(_two_brackets(), with_absent).method == "components"


def test_a_variant_brackets_a_base_clause_with_the_base_wording_first() -> None:
    from redlines.loader import load_proposal, load_rules

    draft = load_proposal("proposals/examples/us-28-point-brackets.yaml", load_rules("rules"))
    six = draft.clause("6")
    assert six is not None and six.state == "bracketed" and six.settings == ()
    assert [o.title for o in six.options] == [
        "as in us-28-point-2025-11",
        "E3 wording: 800,000 in peacetime",
    ]
    assert [s.value for o in six.options for s in o.settings if s.term == "ukraine.army_cap"] == [
        600000,
        800000,
    ]
    assert [c.id for c in draft.brackets] == ["6", "21"]
