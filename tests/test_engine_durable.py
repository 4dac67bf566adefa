"""One test per durable-rules workaround (each is described in `redlines/engine/durable.py`)."""

from __future__ import annotations

import gc
import json
import random
import subprocess
import sys
import textwrap
import threading
from typing import Any

import pytest

from redlines import engine as engine_module
from redlines.engine import EngineUnavailable, PythonEngine, durable_available, make_engine
from redlines.engine.durable import MARKER, RULES_PER_RULESET, TERMS_PER_FACT, DurableEngine
from redlines.models import (
    AllOf,
    AnyOf,
    Catalogue,
    Leaf,
    Rule,
    RuleBook,
    RuleSet,
    Severity,
    Term,
    TermType,
)

pytestmark = pytest.mark.skipif(not durable_available(), reason="durable-rules not importable")


def book_of(rules: list[Rule], terms: dict[str, Term]) -> RuleBook:
    ruleset = RuleSet(id="t", actor="T", title="t", rules=tuple(rules))
    return RuleBook(catalogue=Catalogue(terms=terms), rulesets=(ruleset,))


def red_line(rule_id: str, requires: Leaf) -> Rule:
    return Rule(
        id=rule_id,
        title=rule_id,
        severity=Severity.RED_LINE,
        requires=requires,
        message="m",
        ruleset="t",
        actor="T",
    )


CAP = {"x.cap": Term(name="x.cap", title="cap", type=TermType.INTEGER)}


@pytest.fixture
def created(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """Every ruleset an engine hands the C core from here on: name -> its durable JSON rules."""
    import durable_rules_engine

    found: dict[str, dict[str, Any]] = {}
    create = durable_rules_engine.create_ruleset

    def recording(name: str, definition: str) -> Any:
        found[name] = json.loads(definition)
        return create(name, definition)

    monkeypatch.setattr(durable_rules_engine, "create_ruleset", recording)
    return found


def test_facts_are_asserted_never_posted_so_every_matching_rule_fires(
    fixture_rules: RuleBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = DurableEngine(fixture_rules)

    def no_events(*args: object, **kwargs: object) -> None:
        raise AssertionError("an event is consumed by the first rule that matches it")

    monkeypatch.setattr(engine._core, "assert_event", no_events)
    monkeypatch.setattr(engine._core, "assert_events", no_events)
    truths = engine.decide(
        {
            "territory.crimea": "ukrainian",
            "territory.donetsk": "ukrainian",
            "ukraine.army_cap": 900_000,
        }
    )
    assert [r for r, t in sorted(truths.items()) if t is True] == ["EU-1", "UA-1", "UA-3"]


def test_every_rule_is_guarded_by_the_marker(
    fixture_rules: RuleBook, created: dict[str, dict[str, Any]]
) -> None:
    DurableEngine(fixture_rules)
    assert created
    for definition in created.values():
        for rule in definition.values():
            (pattern,) = rule["all"]
            assert pattern["m"]["$and"][0] == {MARKER[0]: MARKER[1]}


def test_a_bare_absence_test_does_not_spin_forever() -> None:
    # Without the marker guard this rule matches the engine's own state messages and the
    # process spins at 100% CPU; a subprocess with a timeout turns a hang into a failure.
    script = textwrap.dedent("""
        from redlines.engine.durable import DurableEngine
        from redlines.models import *
        term = Term(name="x.cap", title="cap", type=TermType.INTEGER)
        rule = Rule(id="R", title="R", severity="red_line", message="m", ruleset="t", actor="T",
                    requires=Leaf(term="x.cap", op="absent"))
        book = RuleBook(catalogue=Catalogue(terms={"x.cap": term}),
                        rulesets=(RuleSet(id="t", actor="T", title="t", rules=(rule,)),))
        print(DurableEngine(book).evaluate({}).truths["R"])
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "True", done.stderr


def test_large_rule_books_are_split_below_the_c_stack_limit() -> None:
    # ~70 durable rules in one ruleset overflow a fixed C stack (error 303) on some data.
    rng = random.Random(7)
    rules = [
        red_line(
            f"R{i}",
            Leaf(
                term="x.cap", op=rng.choice(["lt", "gte", "eq", "ne"]), value=rng.randrange(0, 100)
            ),
        )
        for i in range(200)
    ]
    book = book_of(rules, CAP)
    engine = DurableEngine(book)
    assert len(engine._rule_handles) == -(-2 * len(rules) // RULES_PER_RULESET)
    reference = PythonEngine(book)
    for value in (0, 37, 99):
        assert (
            engine.evaluate({"x.cap": value}).truths == reference.evaluate({"x.cap": value}).truths
        )


def test_no_background_threads_and_rulesets_are_freed_with_their_engine(
    fixture_rules: RuleBook, created: dict[str, dict[str, Any]]
) -> None:
    # durable's Host starts two timer threads per instance that never stop and keeps every
    # ruleset for ever; the adapter drives the C core itself and deletes its rulesets.
    threads = threading.active_count()
    engines = [DurableEngine(fixture_rules) for _ in range(5)]
    assert threading.active_count() == threads
    assert len(created) == 5 * len(engines[0]._rule_handles + engines[0]._when_handles)
    engine = engines.pop()
    core, (handle, _) = engine._core, engine._rule_handles[0]
    del engine
    gc.collect()
    with pytest.raises(core.error):  # error 111: no such ruleset
        core.assert_fact(handle, json.dumps({MARKER[0]: MARKER[1]}))


def test_a_rule_firing_on_several_branches_counts_once(fixture_rules: RuleBook) -> None:
    # IMP-1's `any` matches on both branches here: it must derive once, with no clash.
    result = DurableEngine(fixture_rules).evaluate(
        {"territory.crimea": "de_jure_russian", "territory.donetsk": "de_jure_russian"}
    )
    assert result.derived["ukraine.constitution_amended"].value is True
    assert result.clashes == []


def test_facts_are_retracted_after_every_check(fixture_rules: RuleBook) -> None:
    engine = DurableEngine(fixture_rules)
    facts = {"territory.crimea": "de_jure_russian"}
    first = engine.evaluate(facts)
    for handle, _ in engine._rule_handles + engine._when_handles:
        assert json.loads(engine._core.get_facts(handle, "0")) == []
    # an identical fact asserted again is not swallowed as "already observed"
    assert engine.evaluate(facts).truths == first.truths


def test_numbers_never_meet_strings() -> None:
    # The engine compares a number with a string as strings ("6" > "50"); values are typed
    # before they get there, so 6 > 50 stays false.
    book = book_of([red_line("R", Leaf(term="x.cap", op="gt", value=50))], CAP)
    assert DurableEngine(book).evaluate({"x.cap": 6}).truths["R"] is False
    assert DurableEngine(book).evaluate({"x.cap": 60}).truths["R"] is True


def test_no_python_code_runs_inside_the_engine(
    fixture_rules: RuleBook, created: dict[str, dict[str, Any]]
) -> None:
    # The Host swallowed exceptions raised in rule callbacks; the adapter registers none and
    # reads the names of the actions the network scheduled instead.
    DurableEngine(fixture_rules)
    assert created
    for definition in created.values():
        for rule in definition.values():
            assert set(rule) == {"all"}


def _many_flags(count: int) -> dict[str, Term]:
    return {
        f"x.f{i:03}": Term(name=f"x.f{i:03}", title="f", type=TermType.BOOLEAN)
        for i in range(count)
    }


def test_a_fact_never_exceeds_the_property_limit() -> None:
    # durable-rules refuses a fact of more than 255 properties (error 302): each ruleset is sent
    # only the terms its own rules test, and rulesets are cut to test at most TERMS_PER_FACT.
    terms = _many_flags(600)
    rules = [
        red_line(f"R{i}", AllOf(parts=tuple(Leaf(term=f"x.f{j:03}", op="eq", value=True)
                                            for j in range(i * 3, i * 3 + 3))))
        for i in range(200)
    ]  # fmt: skip
    book = book_of(rules, terms)
    engine = DurableEngine(book)
    assert all(len(tested) <= TERMS_PER_FACT for _, tested in engine._rule_handles)
    facts = {name: i % 5 != 0 for i, name in enumerate(sorted(terms))}  # all 600 set
    assert engine.evaluate(facts).truths == PythonEngine(book).evaluate(facts).truths


def test_a_rule_too_wide_for_durable_falls_back_or_says_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    terms = _many_flags(TERMS_PER_FACT + 1)
    wide = AnyOf(parts=tuple(Leaf(term=name, op="eq", value=True) for name in sorted(terms)))
    book = book_of([red_line("WIDE", wide)], terms)
    with pytest.raises(EngineUnavailable, match=r"WIDE tests 251 terms.*use --engine python"):
        make_engine(book, "durable")
    monkeypatch.setattr(engine_module, "_notice_given", False)
    assert make_engine(book, "auto").name == "python"
    assert "WIDE tests 251 terms" in capsys.readouterr().err


def test_a_value_listed_many_times_compiles_to_one_branch() -> None:
    # durable-rules refuses an $or of more than 128 identical branches (error 107): an `in`
    # repeating one value 200 times crashed the default engine.
    kinds = {"x.kind": Term(name="x.kind", title="kind", type=TermType.ENUM, values=("a", "b"))}
    book = book_of([red_line("R", Leaf(term="x.kind", op="in", value=("a",) * 200))], kinds)
    assert DurableEngine(book).evaluate({"x.kind": "a"}).truths == {"R": True}
    assert DurableEngine(book).evaluate({"x.kind": "b"}).truths == {"R": False}


def test_a_condition_too_wide_for_one_rule_falls_back_instead_of_hanging() -> None:
    # Creating a ruleset with an $or of 513 branches or more never returns; such a condition
    # (here an `in` of 600 values) goes to the python engine. A subprocess with a timeout turns
    # a hang into a failure.
    script = textwrap.dedent("""
        from redlines.engine import EngineUnavailable, make_engine
        from redlines.models import *
        term = Term(name="x.cap", title="cap", type=TermType.INTEGER)
        rule = Rule(id="WIDE", title="W", severity="red_line", message="m", ruleset="t",
                    actor="T", requires=Leaf(term="x.cap", op="in", value=tuple(range(600))))
        book = RuleBook(catalogue=Catalogue(terms={"x.cap": term}),
                        rulesets=(RuleSet(id="t", actor="T", title="t", rules=(rule,)),))
        try:
            make_engine(book, "durable")
        except EngineUnavailable as why:
            print(why)
        engine = make_engine(book, "auto")
        print(engine.name, engine.evaluate({"x.cap": 599}).truths["WIDE"])
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.splitlines() == [
        "WIDE compiles to 600 alternatives, more than the 512 durable-rules can take in one rule; "
        "use --engine python",
        "python True",
    ], done.stderr
    assert "WIDE compiles to 600 alternatives" in done.stderr  # the fallback's one-line notice
