"""Both engines: rule truths, forward chaining of implications, clashes, no state between checks."""

from __future__ import annotations

import gc

import pytest

import redlines
from conftest import FIXTURES
from redlines import engine as engine_module
from redlines.conditions import evaluate
from redlines.engine import DurableEngine, Engine, PythonEngine, durable_available, make_engine
from redlines.models import (
    Catalogue,
    Condition,
    Leaf,
    Not,
    Rule,
    RuleBook,
    RuleSet,
    Severity,
    Term,
    TermType,
)

ENGINES = [PythonEngine, DurableEngine] if durable_available() else [PythonEngine]


@pytest.fixture(params=ENGINES, ids=lambda cls: cls.name)
def engine(request: pytest.FixtureRequest, fixture_rules: RuleBook) -> Engine:
    cls: type[Engine] = request.param
    return cls(fixture_rules)


def test_rules_are_met_violated_or_open(engine: Engine) -> None:
    result = engine.evaluate({"territory.crimea": "frozen_line", "ukraine.army_cap": 600_000})
    assert result.truths == {
        "EU-1": True,  # Crimea not recognised
        "EU-2": None,  # LNG date unaddressed
        "UA-1": None,  # Donetsk unaddressed
        "UA-2": None,  # amendment unaddressed
        "UA-3": False,  # cap below 800k
        "UA-4": False,  # a cap exists
    }


def test_implications_derive_terms_and_trace_them(engine: Engine) -> None:
    result = engine.evaluate(
        {"territory.donetsk": "de_jure_russian", "ukraine.martial_law_ended": False}
    )
    derivation = result.derived["ukraine.constitution_amended"]
    assert (derivation.value, derivation.implication) == (True, "IMP-1")
    assert derivation.because_of == ("territory.donetsk",)
    # the derived amendment under martial law crosses UA-2
    assert result.truths["UA-2"] is False
    assert result.clashes == []


def test_a_value_the_proposal_sets_wins_over_a_derived_one_and_clashes(engine: Engine) -> None:
    result = engine.evaluate(
        {"territory.crimea": "de_jure_russian", "ukraine.constitution_amended": False}
    )
    assert "ukraine.constitution_amended" not in result.derived
    (clash,) = result.clashes
    assert clash.term == "ukraine.constitution_amended"
    assert clash.claims == ((False, "proposal"), (True, "IMP-1"))
    assert result.facts["ukraine.constitution_amended"] is False


def test_no_state_survives_between_checks(engine: Engine) -> None:
    a = {"territory.crimea": "de_jure_russian"}
    b = {"territory.crimea": "ukrainian", "territory.donetsk": "ukrainian"}
    first = engine.evaluate(a)
    engine.evaluate(b)
    again = engine.evaluate(a)
    assert first.truths == again.truths and first.derived == again.derived
    assert engine.evaluate(b).truths["UA-1"] is True


def test_nothing_matching_is_all_open_not_an_error(engine: Engine) -> None:
    result = engine.evaluate({})
    assert result.truths["UA-1"] is None and result.truths["EU-1"] is None
    assert result.truths["UA-4"] is True  # `absent` knows even on an empty draft


def test_make_engine_compiles_once_per_rule_book(fixture_rules: RuleBook) -> None:
    assert make_engine(fixture_rules, "python") is make_engine(fixture_rules, "python")
    # the same rules loaded again are new objects with the same content: the same engine
    again = redlines.load_rules(FIXTURES / "rules")
    assert make_engine(again, "python") is make_engine(fixture_rules, "python")


def test_a_rule_book_with_other_logic_gets_its_own_engine(fixture_rules: RuleBook) -> None:
    ruleset = fixture_rules.rulesets[0]
    rule = ruleset.rules[0]
    changed = rule.model_copy(update={"requires": Not(part=rule.requires)})
    edited = fixture_rules.model_copy(
        update={"rulesets": (ruleset.model_copy(update={"rules": (changed, *ruleset.rules[1:])}),
                             *fixture_rules.rulesets[1:])}
    )  # fmt: skip
    assert make_engine(edited, "python") is not make_engine(fixture_rules, "python")
    facts: dict[str, object] = {}
    truth = make_engine(fixture_rules, "python").decide(facts)[rule.id]
    flipped = make_engine(edited, "python").decide(facts)[rule.id]
    assert flipped == (None if truth is None else not truth)


def test_remembered_rule_keys_go_with_their_rules() -> None:
    keeper = redlines.load_rules(FIXTURES / "rules")
    compiled = make_engine(keeper, "python")  # cached with whichever equal book came first
    book = redlines.load_rules(FIXTURES / "rules")
    assert make_engine(book, "python") is compiled  # so nothing holds on to `book`
    ids = {id(rule) for rule in book.rules}
    assert ids <= set(engine_module._content_keys)
    del book
    gc.collect()
    assert not ids & set(engine_module._content_keys)


def test_without_durable_rules_auto_falls_back_with_one_notice(
    fixture_rules: RuleBook, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Python 3.13+ installs no durable-rules (its build is broken there); "auto" must still work.
    import redlines.engine as engine_module

    monkeypatch.setattr(engine_module, "durable_available", lambda: False)
    monkeypatch.setattr(engine_module, "_notice_given", False)
    first = make_engine(fixture_rules, "auto")
    second = make_engine(fixture_rules, "auto")
    assert isinstance(first, PythonEngine) and second is first
    err = capsys.readouterr().err
    assert err.count("durable-rules is not available here; using the python engine") == 1


def test_asking_for_durable_where_it_is_missing_is_a_clear_error(
    fixture_rules: RuleBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redlines.engine as engine_module

    monkeypatch.setattr(engine_module, "durable_available", lambda: False)
    with pytest.raises(engine_module.EngineUnavailable, match="use --engine python"):
        make_engine(fixture_rules, "durable")


def test_explain_false_skips_only_the_reasons_of_derivations(engine: Engine) -> None:
    facts = {"territory.donetsk": "de_jure_russian", "ukraine.martial_law_ended": False}
    full, lean = engine.evaluate(facts), engine.evaluate(facts, explain=False)
    assert lean.truths == full.truths and lean.clashes == full.clashes
    assert lean.derived["ukraine.constitution_amended"].value is True
    assert lean.derived["ukraine.constitution_amended"].because_of == ()


# --- the python engine's generated code -----------------------------------------------------


def _one_term_book(values: tuple[str, ...], conditions: list[Condition]) -> RuleBook:
    term = Term(name="x.kind", title="k", type=TermType.ENUM, values=values)
    rules = tuple(
        Rule(id=f"R{i}", title="r", severity=Severity.RED_LINE, requires=c, message="m",
             ruleset="t", actor="T")
        for i, c in enumerate(conditions)
    )  # fmt: skip
    ruleset = RuleSet(id="t", actor="T", title="t", rules=rules)
    return RuleBook(catalogue=Catalogue(terms={"x.kind": term}), rulesets=(ruleset,))


def test_values_from_rule_files_are_data_never_code() -> None:
    # A value that would break out of a string literal if it were pasted into the source.
    hostile = 'a"]; raise SystemExit("injected") #\n'
    book = _one_term_book(
        (hostile, "b"),
        [Leaf(term="x.kind", op="eq", value=hostile), Leaf(term="x.kind", op="in", value=("b",))],
    )
    engine = PythonEngine(book)
    assert engine.decide({"x.kind": hostile}) == {"R0": True, "R1": False}
    assert engine.decide({}) == {"R0": None, "R1": None}


def test_large_rule_books_compile_in_bounded_functions() -> None:
    # Over _CHUNK conditions the code is split into several functions; the order still holds.
    conditions: list[Condition] = []
    for i in range(1_203):
        leaf = Leaf(term="x.kind", op="eq", value="a" if i % 3 else "b")
        conditions.append(Not(part=leaf) if i % 2 else leaf)
    book = _one_term_book(("a", "b"), conditions)
    for facts in ({"x.kind": "a"}, {"x.kind": "b"}, {}):
        expected = {f"R{i}": evaluate(c, facts) for i, c in enumerate(conditions)}
        assert PythonEngine(book).decide(facts) == expected
