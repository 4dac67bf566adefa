"""One test per durable-rules workaround (shared/notes/durable-rules-evaluation.md)."""

from __future__ import annotations

import gc
import json
import random
import subprocess
import sys
import textwrap
import threading

import pytest

from redlines.engine import (
    MARKER,
    RULES_PER_RULESET,
    DurableEngine,
    PythonEngine,
    durable_available,
)
from redlines.models import Catalogue, Leaf, Rule, RuleBook, RuleSet, Severity, Term, TermType

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


def test_every_rule_is_guarded_by_the_marker(fixture_rules: RuleBook) -> None:
    engine = DurableEngine(fixture_rules)
    assert engine.definitions
    for definition in engine.definitions.values():
        for rule in definition.values():
            (pattern,) = rule["all"]
            assert pattern["m"]["$and"][0] == {MARKER[0]: MARKER[1]}


def test_a_bare_absence_test_does_not_spin_forever() -> None:
    # Without the marker guard this rule matches the engine's own state messages and the
    # process spins at 100% CPU; a subprocess with a timeout turns a hang into a failure.
    script = textwrap.dedent("""
        from redlines.engine import DurableEngine
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
    fixture_rules: RuleBook,
) -> None:
    # durable's Host starts two timer threads per instance that never stop and keeps every
    # ruleset for ever; the adapter drives the C core itself and deletes its rulesets.
    threads = threading.active_count()
    engines = [DurableEngine(fixture_rules) for _ in range(5)]
    assert threading.active_count() == threads
    names = [name for engine in engines for name in engine.definitions]
    assert len(names) == len(set(names))
    engine = engines.pop()
    core, handle = engine._core, engine._rule_handles[0]
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
    for handle in engine._rule_handles + engine._when_handles:
        assert json.loads(engine._core.get_facts(handle, "0")) == []
    # an identical fact asserted again is not swallowed as "already observed"
    assert engine.evaluate(facts).truths == first.truths


def test_numbers_never_meet_strings() -> None:
    # The engine compares a number with a string as strings ("6" > "50"); values are typed
    # before they get there, so 6 > 50 stays false.
    book = book_of([red_line("R", Leaf(term="x.cap", op="gt", value=50))], CAP)
    assert DurableEngine(book).evaluate({"x.cap": 6}).truths["R"] is False
    assert DurableEngine(book).evaluate({"x.cap": 60}).truths["R"] is True


def test_no_python_code_runs_inside_the_engine(fixture_rules: RuleBook) -> None:
    # The Host swallowed exceptions raised in rule callbacks; the adapter registers none and
    # reads the names of the actions the network scheduled instead.
    engine = DurableEngine(fixture_rules)
    for definition in engine.definitions.values():
        for rule in definition.values():
            assert set(rule) == {"all"}
