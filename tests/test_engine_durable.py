"""One test per durable-rules workaround (each is described in `redlines/engine/durable.py`)."""

from __future__ import annotations

import datetime as dt
import gc
import json
import random
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from redlines import engine as engine_module
from redlines.engine import EngineUnavailable, PythonEngine, durable_available, make_engine
from redlines.engine.durable import MARKER, TERMS_PER_FACT, DurableEngine
from redlines.engine.durable_limits import BUDGET, MAX_OPERATORS, And, Cond, Network, Or, operators
from redlines.engine.durable_limits import Test as Alpha  # pytest would collect `Test`
from redlines.memory import OutOfMemory
from redlines.models import (
    AllOf,
    AnyOf,
    Catalogue,
    Condition,
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


def red_line(rule_id: str, requires: Condition) -> Rule:
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
            assert pattern["m"]["$and"][0] == {MARKER.key: MARKER.value}


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


def from_json(cond: dict[str, Any]) -> Cond:
    """A durable JSON condition back in the compiled form, to measure it with the model."""
    ((name, body),) = cond.items()
    if name in ("$and", "$or"):
        parts = tuple(from_json(part) for part in body)
        return And(parts) if name == "$and" else Or(parts)
    if name.startswith("$"):
        ((key, value),) = body.items()
        return Alpha(name, key, value)
    return Alpha("$eq", name, body)


def test_every_ruleset_stays_within_the_budget_of_durables_limits(
    created: dict[str, dict[str, Any]],
) -> None:
    # Past its limits the C core spins for ever, crashes or fails (error 303 once more than 64
    # tests match at once, 107, 113, …). Rulesets are filled up to a budget of about half of
    # each, measured on a model of the network the core builds; here, on 200 rules of every
    # width, each ruleset the core is given is measured again.
    rng = random.Random(7)
    terms = {f"x.t{i}": Term(name=f"x.t{i}", title="t", type=TermType.INTEGER) for i in range(20)}

    def leaf(
        ops: list[str], term: str | None = None, sizes: tuple[int, ...] = (2, 40, 600)
    ) -> Leaf:
        op, term = rng.choice(ops), term or rng.choice(sorted(terms))
        if op in ("in", "not_in"):
            values = tuple(rng.randrange(0, 700) for _ in range(rng.choice(sizes)))
            return Leaf(term=term, op=op, value=values)
        return Leaf(term=term, op=op, value=rng.randrange(0, 700))

    def condition() -> Condition:
        shape = rng.random()
        if shape < 0.6:
            return leaf(["lt", "gte", "eq", "ne", "in", "not_in"])
        if shape < 0.75:  # wide: every part may hold at once
            return AllOf(parts=tuple(leaf(["lt", "gt", "ne"]) for _ in range(70)))
        if shape < 0.9:
            return AnyOf(parts=tuple(leaf(["gt", "lte", "eq"]) for _ in range(70)))
        # deep: a short `in` list on each of up to 19 terms
        chosen = rng.sample(sorted(terms), rng.randrange(2, 20))
        return AllOf(parts=tuple(leaf(["in"], term, sizes=(2, 3)) for term in chosen))

    book = book_of([red_line(f"R{i}", condition()) for i in range(200)], terms)
    engine = DurableEngine(book)
    assert len(created) == len(engine._rule_handles)
    for definition in created.values():
        rules = [from_json(rule["all"][0]["m"]) for rule in definition.values()]
        assert not Network(rules).load().over(BUDGET)
        assert max(operators(rule) for rule in rules) <= MAX_OPERATORS
    reference = PythonEngine(book)
    for _ in range(20):
        facts = {name: rng.randrange(-1, 701) for name in terms if rng.random() < 0.9}
        assert engine.evaluate(facts).truths == reference.evaluate(facts).truths


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
        core.assert_fact(handle, json.dumps({MARKER.key: MARKER.value}))


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


def test_enum_values_reach_the_core_as_their_position(
    created: dict[str, dict[str, Any]],
) -> None:
    # The core compares strings on lengths cut to 16 bits: two enum values of 65,536 characters
    # that differ compared equal. No string reaches it: an enum value is sent as its position
    # in the catalogue (tests/test_durable_limits.py holds 70,000-character values to python's
    # truths).
    long_a, long_b = "x" * 70_000, "x" * 69_999 + "y"
    kinds = {"x.kind": Term(name="x.kind", title="k", type=TermType.ENUM, values=(long_a, long_b))}
    book = book_of([red_line("R", Leaf(term="x.kind", op="eq", value=long_a))], kinds)
    engine = DurableEngine(book)
    assert engine.evaluate({"x.kind": long_b}).truths == {"R": False}
    assert engine.evaluate({"x.kind": long_a}).truths == {"R": True}
    (definition,) = created.values()
    assert "xxx" not in json.dumps(definition)
    assert definition["r0:met"]["all"][0]["m"] == {"$and": [{MARKER.key: 1}, {"t0": 0}]}


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


def test_a_value_listed_many_times_compiles_to_one_branch(
    created: dict[str, dict[str, Any]],
) -> None:
    # Each repetition of an `$or` branch links its node again: more than 128 links fail with
    # error 107, and 65 matching at once with error 303. Repeated values and branches are
    # dropped before the core sees them.
    kinds = {"x.kind": Term(name="x.kind", title="kind", type=TermType.ENUM, values=("a", "b"))}
    book = book_of([red_line("R", Leaf(term="x.kind", op="in", value=("a",) * 1000))], kinds)
    engine = DurableEngine(book)
    assert engine.evaluate({"x.kind": "a"}).truths == {"R": True}
    assert engine.evaluate({"x.kind": "b"}).truths == {"R": False}
    (definition,) = created.values()
    assert definition["r0:met"]["all"][0]["m"] == {"$and": [{MARKER.key: 1}, {"t0": 0}]}


def test_a_condition_too_wide_for_one_ruleset_is_split_instead_of_hanging() -> None:
    # Creating a ruleset with more than 512 tests under one node never returns (an `in` of 600
    # values); 512 spins at the first assert. Such a condition is split into several durable
    # rules, in several rulesets. A subprocess with a timeout turns a hang into a failure.
    script = textwrap.dedent("""
        from redlines.engine import make_engine
        from redlines.models import *
        term = Term(name="x.cap", title="cap", type=TermType.INTEGER)
        rule = Rule(id="WIDE", title="W", severity="red_line", message="m", ruleset="t",
                    actor="T", requires=Leaf(term="x.cap", op="in", value=tuple(range(600))))
        book = RuleBook(catalogue=Catalogue(terms={"x.cap": term}),
                        rulesets=(RuleSet(id="t", actor="T", title="t", rules=(rule,)),))
        engine = make_engine(book, "durable")
        print(engine.name, len(engine._rule_handles))
        print([engine.evaluate({"x.cap": v}).truths["WIDE"] for v in (-1, 0, 511, 512, 599, 600)])
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    name, rulesets = done.stdout.splitlines()[0].split()
    assert name == "durable" and int(rulesets) >= 3, done.stderr
    assert done.stdout.splitlines()[1] == "[False, True, True, True, True, False]"
    assert done.stderr == ""


TOO_LARGE = AllOf(
    parts=tuple(Leaf(term=f"x.f{i:03}", op="in", value=(1, 2)) for i in range(40))
)  # 2^26 durable rules once split to at most 15 all/any each: more than the 64 allowed


def test_a_rule_too_large_even_split_goes_to_the_python_engine_or_says_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    terms = {f"x.f{i:03}": Term(name=f"x.f{i:03}", title="f", type=TermType.INTEGER)
             for i in range(40)}  # fmt: skip
    book = book_of([red_line("HUGE", TOO_LARGE)], terms)
    with pytest.raises(
        EngineUnavailable,
        match=r"^HUGE is too large for durable-rules: it needs more than 64 durable rules; "
        r"use --engine python$",
    ):
        make_engine(book, "durable")
    monkeypatch.setattr(engine_module, "_notice_given", False)
    assert make_engine(book, "auto").name == "python"
    assert capsys.readouterr().err == (
        "redlines: HUGE is too large for durable-rules: it needs more than 64 durable rules; "
        "using the python engine\n"
    )


def test_a_batch_with_auto_takes_the_python_engine_for_a_rule_too_large(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # check_many(engine="auto") asked make_engine for "durable" by name, so a rule book durable
    # cannot take raised instead of falling back.
    import redlines

    terms = {f"x.f{i:03}": Term(name=f"x.f{i:03}", title="f", type=TermType.INTEGER)
             for i in range(40)}  # fmt: skip
    book = book_of([red_line("HUGE", TOO_LARGE)], terms)
    monkeypatch.setattr(engine_module, "_notice_given", True)  # said once per process
    variants = [{"x.f000": 1}, {"x.f000": 3}]
    result = redlines.check_many(variants, book, as_of=dt.date(2026, 1, 1), engine="auto")
    assert result.engine == "python"
    reference = redlines.check_many(variants, book, as_of=dt.date(2026, 1, 1), engine="python")
    assert result.outcomes == reference.outcomes


def write_rules(folder: Path, requires: object, values: dict[str, int]) -> Path:
    """A rules folder of one red line on integer terms, and a proposal setting `values`."""
    (folder / "rules").mkdir()
    terms = "".join(f"  {name}: {{title: t, type: integer}}\n" for name in values)
    (folder / "rules" / "terms.yaml").write_text(f"terms:\n{terms}")
    (folder / "rules" / "t.yaml").write_text(
        "ruleset: {id: t, actor: T, title: T}\n"
        "rules:\n"
        "  - id: T-1\n    title: t\n    severity: red_line\n"
        f"    requires: {json.dumps(requires)}\n    message: m\n"
        '    sources: [{title: t, url: "https://example.org/t", date: 2025-01-01}]\n'
    )
    (folder / "p.yaml").write_text(
        "proposal:\n  id: p\n  title: p\n  date: 2025-11-20\n  status: draft\n"
        '  sources: [{id: s1, outlet: Example, url: "https://example.org/d", date: 2025-11-20}]\n'
        'clauses:\n  - {id: "1", title: c, text: c, sources: [s1], '
        f"terms: {json.dumps(values)}}}\n"
    )
    return folder


def test_the_cli_checks_an_in_list_of_511_values_without_hanging(tmp_path: Path) -> None:
    # The shape that hung `redlines check` with the default engine for ever: the violated form
    # of `in` put the 512th test under one node.
    folder = write_rules(tmp_path, {"term": "x.n", "in": list(range(511))}, {"x.n": 510})
    args = ["check", "--rules", str(folder / "rules"), str(folder / "p.yaml")]
    durable = run_cli(*args, "--engine", "durable")
    python = run_cli(*args, "--engine", "python")
    assert (durable.code, durable.out, durable.err) == (0, python.out, "")
    assert "1 met" in durable.out


def test_the_cli_refuses_durable_for_a_rule_too_large_and_auto_says_so(tmp_path: Path) -> None:
    requires = {"all": [{"term": f"x.f{i:03}", "in": [1, 2]} for i in range(40)]}
    folder = write_rules(tmp_path, requires, {f"x.f{i:03}": 1 for i in range(40)})
    args = ["check", "--rules", str(folder / "rules"), str(folder / "p.yaml")]
    durable = run_cli(*args, "--engine", "durable")
    assert durable.code == 2 and durable.out == ""
    assert durable.err == (
        "redlines: error: T-1 is too large for durable-rules: it needs more than 64 durable "
        "rules; use --engine python\n"
    )
    auto, python = run_cli(*args), run_cli(*args, "--engine", "python")
    assert (auto.code, auto.out) == (python.code, python.out)
    assert auto.err == (
        "redlines: T-1 is too large for durable-rules: it needs more than 64 durable rules; "
        "using the python engine\n"
    )


class _CoreOutOfMemory:
    """The C core, raising MemoryError from the first assert on, and recording every call."""

    def __init__(self, core: Any) -> None:
        self._core = core
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any) -> Any:
            self.calls.append(name)
            if name == "assert_fact":
                raise MemoryError
            return getattr(self._core, name)(*args)

        return call


def test_after_the_core_runs_out_of_memory_it_is_never_called_again(
    fixture_rules: RuleBook,
) -> None:
    # Some of the core's mallocs are unchecked, and after an assert failed half-way its state
    # is half built: the next call on it (a retract, a new assert, deleting the ruleset)
    # crashed the process. The engine gives up instead: out of memory (exit 4), no more calls.
    engine = DurableEngine(fixture_rules)
    core = engine._core = _CoreOutOfMemory(engine._core)
    with pytest.raises(OutOfMemory, match=r"^not enough memory for a check$"):
        engine.evaluate({"territory.crimea": "ukrainian"})
    assert core.calls == ["assert_fact"]  # no retract
    with pytest.raises(OutOfMemory, match="ran out of memory in an earlier check"):
        engine.evaluate({})
    assert core.calls == ["assert_fact"]
    assert engine._rule_handles == engine._when_handles == []  # the finalizer deletes none
    del engine
    gc.collect()
    assert core.calls == ["assert_fact"]


def test_memory_is_made_sure_of_before_the_core_is_called(tmp_path: Path) -> None:
    # Under an address-space limit the core segfaulted where an unchecked malloc failed. The
    # engine first maps what its rulesets will take: when that fails, no ruleset is created;
    # `auto` takes the python engine, `--engine durable` is out of memory.
    script = textwrap.dedent("""
        import resource
        import durable_rules_engine as core
        from redlines.engine import make_engine
        from redlines.memory import OutOfMemory
        from redlines.models import *
        created = []
        create = core.create_ruleset
        core.create_ruleset = lambda *args: created.append(args) or create(*args)
        terms = {f"x.f{i}": Term(name=f"x.f{i}", title="f", type="integer") for i in range(200)}
        rules = tuple(
            Rule(id=f"R{i}", title="r", severity="red_line", message="m", ruleset="t", actor="T",
                 requires=Leaf(term=f"x.f{i % 200}", op="gt", value=i)) for i in range(1000))
        book = RuleBook(catalogue=Catalogue(terms=terms),
                        rulesets=(RuleSet(id="t", actor="T", title="t", rules=rules),))
        size = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
        # durable-rules would take ~70 MB for these rulesets; the python engine fits in this
        resource.setrlimit(resource.RLIMIT_AS, (size + (24 << 20), resource.RLIM_INFINITY))
        try:
            make_engine(book, "durable")
        except OutOfMemory as why:
            print(why)
        print(make_engine(book, "auto").name, len(created))
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 2, done.stderr
    assert lines[0].startswith("not enough memory for durable-rules' ")
    assert lines[1] == "python 0"
    assert done.stderr.startswith("redlines: not enough memory for durable-rules' ")
