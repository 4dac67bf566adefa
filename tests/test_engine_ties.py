"""Ties in the engine (engine/ties.py): broken ties, the coherent reading of a draft that sets only
some tied terms, soft ties, and a property test holding both engines to a plain reading of the
definition on generated rule books."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redlines.conditions import evaluate, terms_of
from redlines.engine import DurableEngine, Engine, PythonEngine, durable_available
from redlines.engine.ties import MAX_READINGS, domain
from redlines.models import (
    AnyOf,
    Catalogue,
    Clause,
    Condition,
    Implication,
    Leaf,
    Origin,
    Proposal,
    Rule,
    RuleBook,
    RuleSet,
    Setting,
    Severity,
    Term,
    TermType,
    TermValue,
    Tie,
    TieLevel,
)
from redlines.report import Status, check, failing
from strategies import DAYS, conditions, leaves, values_of

ENGINES = [
    PythonEngine,
    pytest.param(
        DurableEngine,
        marks=pytest.mark.skipif(not durable_available(), reason="durable-rules not importable"),
    ),
]

TERMS = {
    "army.cap": Term(name="army.cap", title="cap", type=TermType.INTEGER, min=0, max=10**6),
    "army.limits": Term(
        name="army.limits", title="limits", type=TermType.ENUM, values=("none", "head", "all")
    ),
    "army.missiles": Term(
        name="army.missiles", title="missiles", type=TermType.ENUM, values=("free", "limited")
    ),
    "alliance.neutral": Term(name="alliance.neutral", title="neutral", type=TermType.BOOLEAN),
}


def leaf(term: str, op: str, value: Any = None) -> Leaf:
    return Leaf(term=term, op=op, value=value)  # type: ignore[arg-type]


def any_of(*parts: Condition) -> AnyOf:
    return AnyOf(parts=parts)


# A figure is a limit: army.cap set means army.limits is not none.
CAP_IS_LIMIT = Tie(
    id="T-CAP",
    title="A ceiling is a limit",
    requires=any_of(leaf("army.cap", "absent"), leaf("army.limits", "ne", "none")),
)
# No limits means free missiles (both directions narrow).
NO_LIMITS_FREE = Tie(
    id="T-FREE",
    title="No limits, no missile limits",
    requires=any_of(leaf("army.limits", "ne", "none"), leaf("army.missiles", "eq", "free")),
)


def rule(rule_id: str, requires: Condition, severity: Severity = Severity.RED_LINE) -> Rule:
    return Rule(
        id=rule_id,
        title=rule_id,
        severity=severity,
        weight=None if severity is Severity.RED_LINE else 1,
        requires=requires,
        message="m",
        ruleset="u",
        actor="U",
    )


RULES = (
    # The floor, written the simple way the ties allow.
    rule("FLOOR", any_of(leaf("army.cap", "gte", 800_000), leaf("army.limits", "eq", "none"))),
    # Phrasings of "some limit" that the reading must not tell apart.
    rule("LIMITED-IN", leaf("army.limits", "in", ("head", "all"))),
    rule(
        "LIMITED-ANY", any_of(leaf("army.limits", "eq", "head"), leaf("army.limits", "eq", "all"))
    ),
    rule("HEAD-ONLY", leaf("army.limits", "eq", "head")),
    rule("MISSILES-FREE", leaf("army.missiles", "eq", "free")),
)


def book(*ties: Tie, rules: tuple[Rule, ...] = RULES) -> RuleBook:
    return RuleBook(
        catalogue=Catalogue(terms=TERMS),
        rulesets=(RuleSet(id="u", actor="U", title="u", rules=rules),),
        ties=ties,
    )


@pytest.mark.parametrize("make", ENGINES)
def test_a_figure_alone_is_read_as_a_limit(make: type[Engine]) -> None:
    evaluation = make(book(CAP_IS_LIMIT, NO_LIMITS_FREE)).evaluate({"army.cap": 600_000})
    truths = evaluation.truths
    assert truths["FLOOR"] is False  # 600,000 alone crosses the floor
    assert truths["LIMITED-IN"] is True and truths["LIMITED-ANY"] is True  # however it is put
    assert truths["HEAD-ONLY"] is None  # which kind of limit, the draft does not say
    (narrowed,) = evaluation.narrowed.values()
    assert narrowed.term == "army.limits" and narrowed.values == ("head", "all")
    assert narrowed.ties == ("T-CAP",) and narrowed.because_of == ("army.cap",)
    assert not evaluation.broken and evaluation.derived == {}
    # Without the tie the same draft leaves the floor open.
    assert make(book()).evaluate({"army.cap": 600_000}).truths["FLOOR"] is None


@pytest.mark.parametrize("make", ENGINES)
def test_one_coherent_value_is_derived_and_traced_to_the_tie(make: type[Engine]) -> None:
    evaluation = make(book(CAP_IS_LIMIT, NO_LIMITS_FREE)).evaluate({"army.limits": "none"})
    derivation = evaluation.derived["army.missiles"]
    assert (derivation.value, derivation.implication, derivation.via) == ("free", "T-FREE", "tie")
    assert derivation.because_of == ("army.limits",)
    assert evaluation.truths["MISSILES-FREE"] is True
    assert evaluation.facts["army.missiles"] == "free"


@pytest.mark.parametrize("make", ENGINES)
def test_a_broken_tie_is_named_and_the_values_stand(make: type[Engine]) -> None:
    evaluation = make(book(CAP_IS_LIMIT)).evaluate({"army.cap": 100_000, "army.limits": "none"})
    assert evaluation.broken == ("T-CAP",)
    assert evaluation.truths["FLOOR"] is True  # decided on the values as written
    assert evaluation.narrowed == {}


@pytest.mark.parametrize("make", ENGINES)
def test_a_tie_on_terms_the_draft_never_sets_says_nothing(make: type[Engine]) -> None:
    # With nothing set the tie is unknown, but it does not apply: nothing is narrowed.
    evaluation = make(book(NO_LIMITS_FREE)).evaluate({})
    assert evaluation.narrowed == {} and evaluation.derived == {} and not evaluation.broken


@pytest.mark.parametrize("make", ENGINES)
def test_an_absent_test_keeps_the_reading_to_one_direction(make: type[Engine]) -> None:
    # The limits are read from a figure; the figure is an integer and is never narrowed, and
    # "none" alone is coherent with no figure at all.
    evaluation = make(book(CAP_IS_LIMIT)).evaluate({"army.limits": "none"})
    assert evaluation.narrowed == {} and evaluation.derived == {}
    assert evaluation.truths["FLOOR"] is True


@pytest.mark.parametrize("make", ENGINES)
def test_no_coherent_value_is_a_contradiction(make: type[Engine]) -> None:
    wants_head = Tie(
        id="T-HEAD",
        title="A figure is a head-count ceiling",
        requires=any_of(leaf("army.cap", "absent"), leaf("army.limits", "eq", "head")),
    )
    wants_all = Tie(
        id="T-ALL",
        title="A figure is an equipment ceiling",
        requires=any_of(leaf("army.cap", "absent"), leaf("army.limits", "eq", "all")),
    )
    evaluation = make(book(wants_head, wants_all)).evaluate({"army.cap": 5})
    (incoherent,) = evaluation.incoherent
    assert incoherent.term == "army.limits" and incoherent.values == ()
    assert incoherent.ties == ("T-ALL", "T-HEAD")
    assert evaluation.narrowed == {} and evaluation.truths["HEAD-ONLY"] is None


@pytest.mark.parametrize("make", ENGINES)
def test_a_soft_tie_only_strains(make: type[Engine]) -> None:
    soft = CAP_IS_LIMIT.model_copy(update={"level": TieLevel.WARNING})
    engine = make(book(soft))
    evaluation = engine.evaluate({"army.cap": 100_000, "army.limits": "none"})
    assert not evaluation.broken and list(evaluation.strained) == ["T-CAP"]
    assert engine.evaluate({"army.cap": 600_000}).narrowed == {}  # soft ties never narrow
    assert not engine.evaluate({"army.cap": 1, "army.limits": "none"}, explain=False).strained


@pytest.mark.parametrize("make", ENGINES)
def test_derived_values_from_ties_feed_the_implications(make: type[Engine]) -> None:
    implication = Implication(
        id="I-NEUTRAL",
        when=leaf("army.missiles", "eq", "free"),
        then={"alliance.neutral": False},
    )
    rules = (rule("NEUTRAL", leaf("alliance.neutral", "eq", True)),)
    rule_book = book(NO_LIMITS_FREE, rules=rules).model_copy(
        update={"implications": (implication,)}
    )
    evaluation = make(rule_book).evaluate({"army.limits": "none"})
    assert evaluation.derived["army.missiles"].via == "tie"
    assert evaluation.derived["alliance.neutral"].implication == "I-NEUTRAL"
    assert evaluation.truths["NEUTRAL"] is False


def test_names_and_values_in_ties_are_data_never_code() -> None:
    # The ties are compiled to generated code as the python engine's rules are: a name or value
    # that would end a string literal or a line if pasted into the source must stay data.
    hostile = 'a"]; raise SystemExit("injected") #\n'
    kind, size = f"x.{hostile}kind", f"x.{hostile}size"
    terms = {
        kind: Term(name=kind, title="k", type=TermType.ENUM, values=(hostile, "b", "c")),
        size: Term(name=size, title="s", type=TermType.INTEGER, min=0, max=100),
    }
    ties = (  # a size means the kind is not the hostile one; softly, a size over 50 means "c"
        Tie(
            id=hostile, title="t", requires=any_of(leaf(size, "absent"), leaf(kind, "ne", hostile))
        ),
        Tie(
            id="T-SOFT",
            title="t",
            level=TieLevel.WARNING,
            requires=any_of(leaf(size, "lte", 50), leaf(kind, "eq", "c")),
        ),
    )
    rules = (rule("R", leaf(kind, "in", ("b", "c"))),)
    engine = PythonEngine(
        RuleBook(
            catalogue=Catalogue(terms=terms),
            rulesets=(RuleSet(id="u", actor="U", title="u", rules=rules),),
            ties=ties,
        )
    )
    read = engine.evaluate({size: 60})
    assert read.truths["R"] is True and not read.broken
    assert read.narrowed[kind].values == ("b", "c") and read.narrowed[kind].ties == (hostile,)
    broken = engine.evaluate({size: 60, kind: hostile})
    assert broken.broken == (hostile,) and list(broken.strained) == ["T-SOFT"]
    kept = engine.evaluate({size: 10, kind: "b"})
    assert not kept.broken and not kept.strained and kept.narrowed == {}


def test_too_many_readings_leave_a_rule_open() -> None:
    values = tuple(f"v{i}" for i in range(40))
    terms = {
        f"t.{name}": Term(name=f"t.{name}", title=name, type=TermType.ENUM, values=values)
        for name in ("a", "b", "c")
    }
    terms["t.flag"] = Term(name="t.flag", title="flag", type=TermType.BOOLEAN)
    # With the flag set, each of a, b, c loses one value: 39 ** 3 readings for the rule.
    ties = tuple(
        Tie(id=f"T-{n}", title=n, requires=any_of(leaf("t.flag", "ne", True), leaf(n, "ne", "v0")))
        for n in ("t.a", "t.b", "t.c")
    )
    requires = any_of(*(leaf(n, "ne", "v0") for n in ("t.a", "t.b", "t.c")))
    rule_book = RuleBook(
        catalogue=Catalogue(terms=terms),
        rulesets=(RuleSet(id="u", actor="U", title="u", rules=(rule("WIDE", requires),)),),
        ties=ties,
    )
    assert MAX_READINGS < 39**3
    evaluation = PythonEngine(rule_book).evaluate({"t.flag": True})
    assert len(evaluation.narrowed) == 3
    assert evaluation.truths["WIDE"] is None  # true in every reading, but too many to try


# --- the report -------------------------------------------------------------------------------


def draft(**values: TermValue) -> Proposal:
    clauses = tuple(
        Clause(
            id=str(i),
            title=name,
            text=name,
            settings=(
                Setting(term=name, value=value, origin=Origin(file="d.yaml", line=10 * i, col=7)),
            ),
            origin=Origin(file="d.yaml", line=10 * i - 1, col=5),
        )
        for i, (name, value) in enumerate(sorted(values.items()), start=1)
    )
    return Proposal(
        id="d",
        title="d",
        date=dt.date(2026, 1, 1),
        status="draft",
        clauses=clauses,
        path="d.yaml",
        origin=Origin(file="d.yaml", line=1, col=1),
    )


def test_a_broken_tie_is_a_contradiction_naming_both_terms_and_clauses() -> None:
    report = check(draft(**{"army.cap": 100_000, "army.limits": "none"}), book(CAP_IS_LIMIT))
    (contradiction,) = report.contradictions
    assert contradiction.tie == "T-CAP"
    assert contradiction.terms == ("army.cap", "army.limits")
    assert [(c.term, c.by, c.location.line if c.location else 0) for c in contradiction.claims] == [
        ("army.cap", "clause 1", 10),
        ("army.limits", "clause 2", 20),
    ]
    assert "T-CAP A ceiling is a limit" in contradiction.message
    assert failing(report, "never") == []
    assert failing(report, "red_line")[-1] == "T-CAP broken (army.cap, army.limits)"


def test_the_coherent_reading_shows_in_the_findings_and_derived_terms() -> None:
    report = check(draft(**{"army.limits": "none"}), book(CAP_IS_LIMIT, NO_LIMITS_FREE))
    (derived,) = report.derived
    assert (derived.term, derived.value, derived.implication, derived.via) == (
        "army.missiles",
        "free",
        "T-FREE",
        "tie",
    )
    assert [c.id for c in derived.clauses] == ["1"]
    missiles = next(f for f in report.findings if f.rule == "MISSILES-FREE")
    assert missiles.status is Status.MET and [c.id for c in missiles.clauses] == ["1"]
    (state,) = missiles.terms
    assert (state.set_by, state.value, state.tie) == ("tie", "free", "T-FREE")

    capped = check(draft(**{"army.cap": 600_000}), book(CAP_IS_LIMIT))
    head = next(f for f in capped.findings if f.rule == "HEAD-ONLY")
    assert head.status is Status.OPEN
    (state,) = head.terms
    assert (state.set_by, state.value, state.possible, state.tie) == (
        "tie",
        None,
        ("head", "all"),
        "T-CAP",
    )


def test_a_soft_tie_is_a_warning_at_the_first_clause() -> None:
    soft = CAP_IS_LIMIT.model_copy(update={"level": TieLevel.WARNING})
    report = check(draft(**{"army.cap": 100_000, "army.limits": "none"}), book(soft))
    assert report.contradictions == ()
    (warning,) = report.warnings
    assert (warning.file, warning.line, warning.col) == ("d.yaml", 10, 7)
    assert "T-CAP" in warning.message and "soft tie" in warning.message


# --- the property: a plain reading of the definition --------------------------------------------

GENERATED = {
    "a.enum": Term(name="a.enum", title="e", type=TermType.ENUM, values=("w", "x", "y", "z")),
    "a.int": Term(name="a.int", title="i", type=TermType.INTEGER, min=0, max=10),
    "a.flag": Term(name="a.flag", title="b", type=TermType.BOOLEAN),
    "b.enum": Term(name="b.enum", title="e2", type=TermType.ENUM, values=("p", "q", "r")),
    "b.flag": Term(name="b.flag", title="b2", type=TermType.BOOLEAN),
}
GENERATED_CONDITIONS = conditions(GENERATED)
# Most ties read "if this is set so, that is not so": a disjunction of term tests.
TIE_SHAPED = st.lists(leaves(GENERATED), min_size=2, max_size=3).map(
    lambda ps: AnyOf(parts=tuple(ps))
)


@st.composite
def tied_books(draw: st.DrawFn, implications: bool) -> RuleBook:
    rules = tuple(
        rule(f"R{i}", c) for i, c in enumerate(draw(st.lists(GENERATED_CONDITIONS, max_size=6)))
    )
    ties = tuple(
        Tie(id=f"T{i}", title="t", requires=c, level=draw(st.sampled_from(list(TieLevel))))
        for i, c in enumerate(
            draw(st.lists(st.one_of(TIE_SHAPED, GENERATED_CONDITIONS), min_size=1, max_size=4))
        )
    )
    found: list[Implication] = []
    for j in range(draw(st.integers(0, 2)) if implications else 0):
        target = draw(st.sampled_from(["a.flag", "b.enum", "a.enum"]))
        found.append(
            Implication(
                id=f"I{j}",
                when=draw(GENERATED_CONDITIONS),
                then={target: draw(values_of(GENERATED[target]))},
            )
        )
    return RuleBook(
        catalogue=Catalogue(terms=GENERATED),
        rulesets=(RuleSet(id="u", actor="U", title="u", rules=rules),),
        implications=tuple(found),
        ties=ties,
    )


@st.composite
def fact_sets(draw: st.DrawFn) -> dict[str, Any]:
    # Drafts set few terms, as the one-clause drafts the reading is for.
    names = draw(st.lists(st.sampled_from(sorted(GENERATED)), unique=True, max_size=3))
    return {name: draw(values_of(GENERATED[name])) for name in names}


def half_set(rule_book: RuleBook) -> list[dict[str, Any]]:
    """Drafts that set one term of a tie and leave the others unaddressed: what gets read."""
    found = []
    for tie in rule_book.ties:
        for term in terms_of(tie.requires):
            kind = GENERATED[term].type
            values = domain(GENERATED[term]) if kind is not TermType.INTEGER else (0, 5, 10)
            if kind is TermType.DATE:
                values = tuple(DAYS)
            found += [{term: value} for value in values]
    return found


def reference(rule_book: RuleBook, facts: dict[str, Any]) -> dict[str, Any]:
    """The definition in docs/formats.md, read plainly (no implications): narrow every
    unaddressed enum or boolean term of an applying, unknown tie to the values that do not make
    it false; derive single values and narrow again; decide each rule over every combination of
    the narrowed terms it reads."""
    hard = [t for t in rule_book.ties if t.level is TieLevel.CONTRADICTION]
    values = dict(facts)
    derived: dict[str, Any] = {}
    while True:
        kept: dict[str, set[Any]] = {}
        for tie in hard:
            tested = terms_of(tie.requires)
            if not any(t in values for t in tested) or evaluate(tie.requires, values) is not None:
                continue
            for term in tested:
                if term in values or GENERATED[term].type not in (TermType.ENUM, TermType.BOOLEAN):
                    continue
                coherent = {
                    v
                    for v in domain(GENERATED[term])
                    if evaluate(tie.requires, {**values, term: v}) is not False
                }
                if len(coherent) < len(domain(GENERATED[term])):
                    kept[term] = kept.get(term, coherent) & coherent
        singles = {t: next(iter(v)) for t, v in kept.items() if len(v) == 1}
        if not singles:
            break
        values.update(singles)
        derived.update(singles)
    narrowed = {t: v for t, v in kept.items() if len(v) > 1}
    truths = {}
    for r in rule_book.rules:
        read = [t for t in terms_of(r.requires) if t in narrowed]
        seen = {
            evaluate(r.requires, {**values, **dict(zip(read, combo, strict=True))})
            for combo in itertools.product(*(sorted(narrowed[t], key=str) for t in read))
        }
        truths[r.id] = seen.pop() if len(seen) == 1 else None
    broken = [
        t.id
        for t in sorted(hard, key=lambda t: t.id)
        if any(x in values for x in terms_of(t.requires)) and evaluate(t.requires, values) is False
    ]
    return {
        "truths": truths,
        "derived": derived,
        "narrowed": {t: set(v) for t, v in narrowed.items()},
        "incoherent": sorted(t for t, v in kept.items() if not v),
        "broken": broken,
    }


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_book=tied_books(implications=False), facts=st.lists(fact_sets(), max_size=4))
def test_the_reading_matches_the_definition(rule_book: RuleBook, facts: list[Any]) -> None:
    engine = PythonEngine(rule_book)
    for given_facts in [*facts, *half_set(rule_book)]:
        evaluation = engine.evaluate(given_facts)
        expected = reference(rule_book, given_facts)
        assert evaluation.truths == expected["truths"]
        assert {t: d.value for t, d in evaluation.derived.items()} == expected["derived"]
        assert {t: set(n.values) for t, n in evaluation.narrowed.items()} == expected["narrowed"]
        assert [n.term for n in evaluation.incoherent] == expected["incoherent"]
        assert list(evaluation.broken) == expected["broken"]


@pytest.mark.skipif(not durable_available(), reason="durable-rules not importable")
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_book=tied_books(implications=True), facts=st.lists(fact_sets(), max_size=4))
def test_both_engines_read_ties_alike(rule_book: RuleBook, facts: list[Any]) -> None:
    python, durable = PythonEngine(rule_book), DurableEngine(rule_book)
    for given_facts in [*facts, *half_set(rule_book)]:
        expected, actual = python.evaluate(given_facts), durable.evaluate(given_facts)
        assert actual.truths == expected.truths
        assert actual.derived == expected.derived
        assert actual.clashes == expected.clashes
        assert actual.narrowed == expected.narrowed
        assert actual.broken == expected.broken
        assert actual.incoherent == expected.incoherent
        assert actual.strained == expected.strained


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_book=tied_books(implications=True), facts=st.lists(fact_sets(), max_size=4))
def test_a_draft_that_keeps_every_tie_is_read_as_written(
    rule_book: RuleBook, facts: list[Any]
) -> None:
    # What `space` relies on: a package on which every applying tie is true gets no reading.
    with_ties, without = (
        PythonEngine(rule_book),
        PythonEngine(rule_book.model_copy(update={"ties": ()})),
    )
    for given_facts in facts:
        plain = without.evaluate(given_facts)
        kept = all(
            evaluate(t.requires, plain.facts) is True
            for t in rule_book.ties
            if t.level is TieLevel.CONTRADICTION
            and any(x in plain.facts for x in terms_of(t.requires))
        )
        if kept:
            tied = with_ties.evaluate(given_facts)
            assert tied.truths == plain.truths and tied.derived == plain.derived
            assert not (tied.narrowed or tied.broken or tied.incoherent)


def test_explain_shows_the_reading_check_made() -> None:
    from redlines.explain import explain_rule

    rule_book = book(CAP_IS_LIMIT, NO_LIMITS_FREE)
    capped = draft(**{"army.cap": 600_000})
    explanation = explain_rule(rule_book, "LIMITED-ANY", capped, engine="python")
    assert explanation.status is Status.MET  # as `check` says
    assert explanation.truth is True
    # Each leaf alone is unknown: neither phrasing holds in every reading, their `any` does.
    assert [child.truth for child in explanation.tree.children] == [None, None]
    state = explanation.tree.children[0].state
    assert state is not None and state.possible == ("head", "all") and state.tie == "T-CAP"
    assert explanation.ties == ("T-CAP", "T-FREE")

    silent_missiles = explain_rule(
        rule_book, "MISSILES-FREE", draft(**{"army.limits": "none"}), engine="python"
    )
    (derivation,) = silent_missiles.derived
    assert (derivation.implication, derivation.via, derivation.title) == (
        "T-FREE",
        "tie",
        "No limits, no missile limits",
    )
    assert [c.id for c in derivation.clauses] == ["1"]
