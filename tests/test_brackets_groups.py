"""Bracketed alternatives group by group (`brackets.independent_groups`, `_by_components`): on
generated rule books with implications and ties, the same answer as every combination checked
one by one; on the bundled rules, a draft with many brackets answered, and sampled combinations
checked as drafts agree with it."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import redlines.brackets as brackets
from redlines.brackets import analyze_brackets, combinations, independent_groups, with_options
from redlines.models import (
    AllOf,
    Catalogue,
    Clause,
    ClauseOption,
    Condition,
    IfThen,
    Implication,
    Leaf,
    Proposal,
    Rule,
    RuleBook,
    RuleSet,
    Setting,
    Severity,
    Term,
    TermType,
    Tie,
    TieLevel,
    WhenSilent,
)
from redlines.report import ActorVerdictKind, Status, check
from strategies import conditions, draft_origin, drafts_with_brackets, leaves, values_of

DAY = dt.date(2026, 1, 10)
FAMILIES = ("a", "b", "c")
TERMS = {
    f"{family}.{name}": term
    for family in FAMILIES
    for name, term in {
        "enum": Term(name=f"{family}.enum", title="e", type=TermType.ENUM, values=("x", "y", "z")),
        "int": Term(name=f"{family}.int", title="i", type=TermType.INTEGER, min=0, max=10),
        "flag": Term(name=f"{family}.flag", title="b", type=TermType.BOOLEAN),
    }.items()
}
# Conditions within one family of terms (which keeps groups apart) or over all (which links them).
WITHIN = {
    family: conditions({n: t for n, t in TERMS.items() if n.startswith(family)}, max_leaves=2)
    for family in FAMILIES
}
ACROSS = conditions(TERMS, max_leaves=3)


NARROWABLE = sorted(n for n, t in TERMS.items() if t.type is not TermType.INTEGER)


@st.composite
def _pins(draw: st.DrawFn) -> Leaf:
    """A term that ties narrow (enum, boolean) held to one value or kept from one."""
    name = draw(st.sampled_from(NARROWABLE))
    return Leaf(
        term=name, op=draw(st.sampled_from(["eq", "ne"])), value=draw(values_of(TERMS[name]))
    )


# The shape of most catalogue ties: a test of one term pins another ("a ceiling on the army is a
# limit on it"), here between any two terms; a draft setting the first and silent on the second
# reads the second as the tie says.
LINKS = st.tuples(leaves(TERMS), _pins()).map(
    lambda pair: IfThen(condition=pair[0], consequence=pair[1])
)


def _condition(draw: st.DrawFn, across: int = 1) -> Condition:
    """Within one family of terms, or (`across` times in seven) over all of them."""
    family = draw(st.sampled_from([*FAMILIES, *FAMILIES, *["across"] * across]))
    return draw(ACROSS if family == "across" else WITHIN[family])


@st.composite
def rule_books(draw: st.DrawFn) -> RuleBook:
    """One to three actors of red lines (and a priority now and then), up to three implications
    and up to three ties (mostly at level contradiction), mostly within one family of terms."""
    number = itertools.count()
    rulesets = []
    for actor in ("p", "q", "r")[: draw(st.integers(1, 3))]:
        rules = []
        for _ in range(draw(st.integers(1, 4))):
            severity = draw(st.sampled_from([Severity.RED_LINE] * 4 + [Severity.PRIORITY]))
            rules.append(
                Rule(
                    id=f"R{next(number)}",
                    title="r",
                    severity=severity,
                    weight=None if severity is Severity.RED_LINE else 1,
                    requires=draw(_pins()) if draw(st.booleans()) else _condition(draw),
                    when_silent=draw(st.sampled_from(list(WhenSilent))),
                    message="m",
                    ruleset=actor,
                    actor=actor.upper(),
                )
            )
        rulesets.append(RuleSet(id=actor, actor=actor.upper(), title=actor, rules=tuple(rules)))
    implications = []
    for j in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from(sorted(TERMS)))
        implications.append(
            Implication(
                id=f"I{j}",
                when=draw(leaves(TERMS)) if draw(st.booleans()) else _condition(draw, across=3),
                then={target: draw(values_of(TERMS[target]))},
            )
        )
    ties = [
        Tie(
            id=f"T{k}",
            title="t",
            requires=draw(LINKS) if draw(st.integers(0, 3)) else _condition(draw, across=6),
            level=draw(st.sampled_from([TieLevel.CONTRADICTION] * 3 + [TieLevel.WARNING])),
        )
        for k in range(draw(st.integers(0, 3)))
    ]
    return RuleBook(
        catalogue=Catalogue(terms=TERMS),
        rulesets=tuple(rulesets),
        implications=tuple(implications),
        ties=tuple(ties),
    )


def drafts_with_options() -> st.SearchStrategy[Proposal]:
    """A text setting up to one term, and two to four brackets of one to three options over one
    or two other terms; the terms left over are unaddressed, for the ties to read."""
    return drafts_with_brackets(
        names=sorted(TERMS),
        value_of=lambda name: values_of(TERMS[name]),
        brackets=st.integers(2, 4),
        paired=st.integers(0, 3).map(lambda n: n == 0),
        options=st.sampled_from([1, 2, 2, 2, 3]),
        day=DAY,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=rule_books(), draft=drafts_with_options(), listed=st.sampled_from([2, 20]))
def test_group_by_group_agrees_with_every_combination_checked(
    book: RuleBook, draft: Proposal, listed: int
) -> None:
    # `listed` small: the first agreeable combinations in order, and whether there are more.
    with mock.patch.object(brackets, "MAX_LISTED", listed):
        by_groups = analyze_brackets(draft, book, engine="python", method="components")
        every = analyze_brackets(draft, book, engine="python", method="engine")
    assert by_groups.method == "components" and every.method == "engine"
    assert by_groups.actors == every.actors
    assert by_groups.agreeable == every.agreeable
    assert by_groups.agreeable_complete == every.agreeable_complete
    assert by_groups.blocking == every.blocking
    assert by_groups.groups == every.groups
    # `every` is `check` on each combination as a draft: hold it to that here too.
    assert len(every.checked) == combinations(draft)
    for combination in every.checked:
        report = check(with_options(draft, combination.options), book, engine="python")
        assert combination.verdicts == tuple(v.verdict for v in report.verdicts)


@st.composite
def linked_cases(draw: st.DrawFn) -> tuple[RuleBook, Proposal]:
    """A generated book and draft, plus one link the grouping must see: a tie or an
    implication from a term a bracket offers several values for to a term the draft leaves
    unaddressed, and a red line on that term alone (so the bracket decides how it reads)."""
    book = draw(rule_books())
    draft = draw(drafts_with_options())
    offered = sorted(
        {
            s.term
            for c in draft.brackets
            if len(c.options) > 1
            for o in c.options
            for s in o.settings
        }
    )
    silent = [n for n in NARROWABLE if not any(s.term == n for c in draft.clauses for s in _all(c))]
    assume(offered and silent)
    source = draw(st.sampled_from(offered))
    target = draw(st.sampled_from(silent))
    test = draw(leaves({source: TERMS[source]}))
    pinned = Leaf(term=target, op="eq", value=draw(values_of(TERMS[target])))
    if draw(st.booleans()):
        book = book.model_copy(
            update={
                "ties": (
                    *book.ties,
                    Tie(id="TL", title="t", requires=IfThen(condition=test, consequence=pinned)),
                )
            }
        )
    else:
        link = Implication(id="IL", when=test, then={target: pinned.value})
        book = book.model_copy(update={"implications": (*book.implications, link)})
    first = book.rulesets[0]
    red = Rule(
        id="RL",
        title="r",
        severity=Severity.RED_LINE,
        requires=Leaf(
            term=target,
            op=draw(st.sampled_from(["eq", "ne"])),
            value=draw(values_of(TERMS[target])),
        ),
        when_silent=draw(st.sampled_from(list(WhenSilent))),
        message="m",
        ruleset=first.id,
        actor=first.actor,
    )
    rulesets = (first.model_copy(update={"rules": (*first.rules, red)}), *book.rulesets[1:])
    return book.model_copy(update={"rulesets": rulesets}), draft


def _all(clause: Clause) -> list[Setting]:
    return [*clause.settings, *(s for o in clause.options for s in o.settings)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=linked_cases())
def test_group_by_group_follows_ties_and_implications_to_silent_terms(
    case: tuple[RuleBook, Proposal],
) -> None:
    book, draft = case
    by_groups = analyze_brackets(draft, book, engine="python", method="components")
    every = analyze_brackets(draft, book, engine="python", method="engine")
    assert by_groups.actors == every.actors
    assert by_groups.agreeable == every.agreeable
    assert by_groups.agreeable_complete == every.agreeable_complete
    assert by_groups.blocking == every.blocking


def _flag_book(tie: Condition | None) -> RuleBook:
    red = Rule(
        id="P1",
        title="p",
        severity=Severity.RED_LINE,
        requires=Leaf(term="a.flag", op="eq", value=True),
        message="m",
        ruleset="p",
        actor="P",
    )
    return RuleBook(
        catalogue=Catalogue(terms=TERMS),
        rulesets=(RuleSet(id="p", actor="P", title="p", rules=(red,)),),
        ties=() if tie is None else (Tie(id="T", title="t", requires=tie),),
    )


def _draft(*brackets_: tuple[str, list[Any]]) -> Proposal:
    line = itertools.count(1)
    clauses = tuple(
        Clause(
            id=f"b{i}",
            title="bracket",
            text="[ ... ]",
            state="bracketed",
            options=tuple(
                ClauseOption(
                    title=f"{term}={value}",
                    settings=(Setting(term=term, value=value, origin=draft_origin(next(line))),),
                    origin=draft_origin(next(line)),
                )
                for value in values
            ),
            origin=draft_origin(next(line)),
        )
        for i, (term, values) in enumerate(brackets_)
    )
    return Proposal(id="d", title="d", date=DAY, status="draft", clauses=clauses, path="<d>")


def test_a_tie_links_a_red_line_to_the_bracket_that_decides_its_reading() -> None:
    # P1 needs a.flag, which nothing sets; b0 sets b.flag, c.int is read by nothing.
    draft = _draft(("b.flag", [True, False]), ("c.int", [1, 2]))
    apart = independent_groups(draft, _flag_book(None))
    assert apart.brackets == ((0,), (1,))
    assert apart.red == ((), ()) and [r.id for r in apart.fixed] == ["P1"]
    found = analyze_brackets(draft, _flag_book(None), engine="python", method="components")
    assert found.agreeable == () and [r.id for r in found.blocking] == ["P1"]  # open throughout
    # Tied (a.flag exactly when b.flag), b.flag decides how a silent a.flag reads.
    book = _flag_book(_iff("a.flag", "b.flag"))
    linked = independent_groups(draft, book)
    assert linked.brackets == ((0,), (1,))
    assert [[r.id for r in red] for red in linked.red] == [["P1"], []] and linked.fixed == ()
    found = analyze_brackets(draft, book, engine="python", method="components")
    assert found.groups == (("b0",), ("b1",))
    assert [c.options for c in found.agreeable] == [(1, 1), (1, 2)]
    assert [(o.clause, o.option, o.verdict) for o in found.actors[0].options] == [
        ("b0", 1, "accepts"),
        ("b0", 2, "rejects"),
        ("b1", 1, "depends"),
        ("b1", 2, "depends"),
    ]
    every = analyze_brackets(draft, book, engine="python", method="engine")
    assert (found.actors, found.agreeable) == (every.actors, every.agreeable)


def test_two_brackets_a_tie_reads_together_are_one_group() -> None:
    draft = _draft(("a.flag", [True, False]), ("b.flag", [True, False]), ("c.int", [1, 2]))
    assert independent_groups(draft, _flag_book(None)).brackets == ((0,), (1,), (2,))
    book = _flag_book(_iff("a.flag", "b.flag"))
    assert independent_groups(draft, book).brackets == ((0, 1), (2,))


def _iff(left: str, right: str) -> Condition:
    return AllOf(
        parts=(
            IfThen(
                condition=Leaf(term=left, op="eq", value=True),
                consequence=Leaf(term=right, op="eq", value=True),
            ),
            IfThen(
                condition=Leaf(term=right, op="eq", value=True),
                consequence=Leaf(term=left, op="eq", value=True),
            ),
        )
    )


def test_the_limit_bounds_the_largest_group_and_an_error_names_its_clauses() -> None:
    import pytest

    from redlines.models import InputError

    draft = _draft(("a.flag", [True, False]), ("b.flag", [True, False]), ("c.int", [1, 2, 3]))
    book = _flag_book(_iff("a.flag", "b.flag"))
    with mock.patch.object(brackets, "MAX_COMBINATIONS", 4):
        # 12 combinations in all, but no group has more than 4 of them.
        found = analyze_brackets(draft, book, engine="python", method="components")
        assert found.combinations == 12 and found.groups == (("b0", "b1"), ("b2",))
    with mock.patch.object(brackets, "MAX_COMBINATIONS", 3), pytest.raises(InputError) as raised:
        analyze_brackets(draft, book, engine="python", method="components")
    (problem,) = raised.value.problems
    assert "4 combinations of options in clauses b0, b1, whose terms meet" in problem.message


# --- the bundled rules: a negotiating text with many brackets -----------------------------------

BASE = Path(__file__).parent.parent / "proposals" / "us-28-point-2025-11.yaml"
# For each bracketed clause of the 28 points, the other wording: another draft's where one differs
# (the E3/European counter-proposal, Ukraine's 20 points), else the opposite commitment. Each
# option restates the clause's terms, the other wording changing some of them.
OTHER_WORDING: dict[str, tuple[str, dict[str, Any]]] = {
    "2": ("Ukraine not a party", {"process.ukraine_role": "excluded"}),
    "6": ("as in european-24-point-2025-11", {"ukraine.force_limits": "none"}),
    "7": ("as in european-24-point-2025-11", {"ukraine.nato_path": "alliance_consensus"}),
    "8": ("as in european-24-point-2025-11", {"security.foreign_troops": "unrestricted"}),
    "10": (
        "as in european-24-point-2025-11",
        {"security.guarantors": "us_and_europe", "security.guarantee_trigger": "article5_like"},
    ),
    "11": ("as in ukraine-20-point-2025-12", {"eu.membership_path": "fixed_date"}),
    "12": ("no reconstruction package", {"reconstruction.international_package": False}),
    "14": (
        "as in european-24-point-2025-11",
        {"assets.russian_central_bank": "immobilised_until_reparations"},
    ),
    "15": ("as in european-24-point-2025-11", {"ceasefire.monitoring": "us_led_international"}),
    "16": ("no non-aggression law", {"russia.non_aggression_law": False}),
    "18": ("no non-nuclear commitment", {"ukraine.non_nuclear_status": False}),
    "19": ("as in european-24-point-2025-11", {"energy.zaporizhzhia_npp": "ukrainian_control"}),
    "21": (
        "as in european-24-point-2025-11",
        {
            f"territory.{region}": "contested"
            for region in ("crimea", "luhansk", "donetsk", "kherson", "zaporizhzhia")
        },
    ),
    "24": ("prisoners not all for all", {"humanitarian.pow_all_for_all": False}),
    "26": (
        "as in european-24-point-2025-11",
        {"reparations.war_damage_claims": "russia_compensates"},
    ),
    "27": ("not legally binding", {"deal.legally_binding": False}),
}


def _many_brackets(tmp_path: Path, clauses: Sequence[str]) -> Path:
    """A variant of the 28 points bracketing `clauses` between their wording and the other."""
    import yaml

    from redlines.loader import load_proposal, load_rules

    base = load_proposal(str(BASE), load_rules("rules"))
    options = {}
    for clause_id in clauses:
        clause = base.clause(clause_id)
        assert clause is not None
        title, changed = OTHER_WORDING[clause_id]
        options[clause_id] = [
            {"title": title, "terms": {**{s.term: s.value for s in clause.settings}, **changed}}
        ]
    shutil.copy(BASE, tmp_path / BASE.name)
    variant = {
        "base": BASE.name,
        "proposal": {
            "id": "many-brackets",
            "title": "The 28 points with many clauses bracketed",
            "date": "2025-11-23",
            "status": "draft",
        },
        "options": options,
    }
    path = tmp_path / "many-brackets.yaml"
    path.write_text(yaml.safe_dump(variant, sort_keys=False), encoding="utf-8")
    return path


def test_a_negotiating_text_with_sixteen_brackets_is_answered_on_the_bundled_rules(
    tmp_path: Path,
) -> None:
    from conftest import run_cli
    from redlines.loader import load_proposal, load_rules

    path = _many_brackets(tmp_path, list(OTHER_WORDING))
    run = run_cli("check", str(path), "--rules", "rules", "--format", "json")
    assert run.code in (0, 1), run.err  # answered, not refused (exit 2) as too many
    found = json.loads(run.out)["reports"][0]["brackets"]
    assert found["combinations"] == 2**16 and found["method"] == "components"
    assert len(found["groups"]) > 1 and found["checked"] == []

    # Brute force on a sample: each combination checked as a draft agrees with the answer.
    rules = load_rules("rules")
    draft = load_proposal(str(path), rules)
    report = analyze_brackets(draft, rules)
    assert report.model_dump(mode="json") == found
    standing = {
        a.ruleset: {(o.clause, o.option): o.verdict for o in a.options} for a in report.actors
    }
    every = {a.ruleset: set(a.verdicts) for a in report.actors}
    blocking = {r.id for r in report.blocking}
    agreeable = {c.options for c in report.agreeable}
    sample = random.Random(17).sample(range(2**16), 24)
    for number in sample:
        choice = tuple(1 + (number >> k & 1) for k in range(16))
        checked = check(with_options(draft, choice), rules)
        for verdict in checked.verdicts:
            assert verdict.verdict in every[verdict.ruleset]
            for clause, option in zip(draft.brackets, choice, strict=True):
                assert standing[verdict.ruleset][clause.id, option] in ("depends", verdict.verdict)
        all_accept = all(v.verdict is ActorVerdictKind.ACCEPTS for v in checked.verdicts)
        if report.agreeable_complete:
            assert all_accept == (choice in agreeable)
        unmet = {
            f.rule
            for f in checked.findings
            if f.severity is Severity.RED_LINE and f.status is not Status.MET
        }
        assert not blocking or blocking & unmet
    for combination in report.agreeable:
        checked = check(with_options(draft, combination.options), rules)
        assert all(v.verdict is ActorVerdictKind.ACCEPTS for v in checked.verdicts)


def test_on_the_bundled_rules_group_by_group_is_every_combination_checked(tmp_path: Path) -> None:
    from redlines.loader import load_proposal, load_rules

    # Six brackets: three whose terms the ties and red lines link (7, 8, 21), three apart.
    rules = load_rules("rules")
    draft = load_proposal(str(_many_brackets(tmp_path, ["2", "7", "8", "12", "21", "27"])), rules)
    by_groups = analyze_brackets(draft, rules, method="components")
    every = analyze_brackets(draft, rules, method="engine")
    assert by_groups.groups == (("2",), ("7", "8", "21"), ("12",), ("27",))
    assert by_groups.actors == every.actors
    assert by_groups.agreeable == every.agreeable
    assert by_groups.agreeable_complete == every.agreeable_complete
    assert by_groups.blocking == every.blocking
