"""Ties: what every coherent draft satisfies, and the reading they give a draft that is silent.

A tie (`rules/ties.yaml`) is a condition over terms that cannot contradict each other: a ceiling
on the army is a limit on it (`ukraine.army_cap` set means `ukraine.force_limits` is not `none`).
A tie *applies* to a draft that sets at least one of its terms (after implications); a tie on
terms the draft never mentions says nothing about it. An applying tie is then

- **false**: the draft contradicts itself (`broken`, a contradiction in the report);
- **unknown**: the draft sets some tied terms and leaves others unaddressed. The coherent reading
  of the draft narrows each unaddressed enum or boolean term the tie tests to the values that do
  not make it false (`narrow`): one value left is derived, as an implication would derive it;
  several decide each rule that reads the term where the rule comes out the same for every one
  of them (`read`); none is a contradiction of its own (`incoherent`);
- **true**: nothing to do.

Integer and date terms are not narrowed: their values are not a short list to try, and the ties
the catalogue needs on them only ask whether they are set. Ties at level `warning` (soft ties,
whose sources disagree) are only reported, never narrow.

This is common code: both engines decide the rules, and then this module refines their truths
the same way, so they cannot drift apart; a property test holds it to a plain reading of the
definition above (tests/test_engine_ties.py).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Collection, Mapping
from typing import NamedTuple

from ..conditions import Compiled, Facts, Truth, deciding_terms, leaves, terms_of
from ..models import Condition, RuleBook, Term, TermType, TermValue, Tie, TieLevel
from ..operators import OPERATORS
from .codegen import Writer

# A rule reading narrowed terms is decided over every combination of their coherent values; past
# this many combinations it is left open (unknown) rather than decided slowly.
MAX_READINGS = 1_024
# Refinements remembered (a sweep repeats a few of them); past this many, the memory starts over.
_MAX_MEMO = 50_000


class Narrowed(NamedTuple):
    """An unaddressed term the ties narrow: its coherent values, and which ties narrowed it."""

    term: str
    values: tuple[TermValue, ...]  # in catalogue order; empty: no value is coherent
    ties: tuple[str, ...]  # the ties that ruled the other values out, by id
    because_of: tuple[str, ...]  # the terms set in those ties, the reason for the narrowing


class _CompiledTie(NamedTuple):
    id: str
    # The tie's truth from the values of its terms, in `terms` order, None for an unset one
    # (generated code, as the python engine's; `_compile`).
    test: Callable[..., Truth]
    terms: tuple[str, ...]
    unset: tuple[None, ...]  # `terms` all unset: the tie does not apply
    narrowable: tuple[tuple[int, str], ...]  # its enum and boolean terms, by position in `terms`


def _compile(tie: Tie, terms: Mapping[str, Term]) -> _CompiledTie:
    """A tie's condition as straight-line code of its terms' values (`codegen.py`).

    The values come as arguments, not in a mapping: reading the ties looks up each tie's terms
    once, and trying each value of an unaddressed term replaces one argument, not a copy of the
    facts. None marks an unset term: no term has None for a value.
    """
    tested = tuple(terms_of(tie.requires))
    writer = Writer()
    parameters = [writer.term(term) for term in tested]
    result = writer.truth(tie.requires)
    test: Callable[..., Truth] = writer.function(parameters, [], result, None, f"tie {tie.id}")
    return _CompiledTie(
        tie.id,
        test,
        tested,
        (None,) * len(tested),
        tuple(
            (position, term)
            for position, term in enumerate(tested)
            if terms[term].type in (TermType.ENUM, TermType.BOOLEAN)
        ),
    )


def _compile_truths(ties: list[Tie]) -> Callable[[Facts], tuple[Truth, ...]]:
    """The function giving each tie's truth on a set of facts, in one pass of generated code:
    True also for a tie that does not apply (none of its terms set), as neither asks for more.

    Most ties on a draft apply and hold; this tells the few that do not without a call per tie.
    """
    writer = Writer()
    results = []
    for tie in ties:
        truth = writer.truth(tie.requires)
        unset = " and ".join(f"{writer.term(term)} is UNSET" for term in terms_of(tie.requires))
        results.append(f"True if {unset} else {truth}")
    reads = [f"{var} = get({writer.constant(name)})" for name, var in writer.terms.items()]
    truths: Callable[[Facts], tuple[Truth, ...]] = writer.function(
        ["facts"],
        ["get = facts.get", *reads],
        "(" + "".join(f"{result}, " for result in results) + ")",
        None,
        "ties",
    )
    return truths


def _memo_key(hard: list[Tie], terms: Mapping[str, Term]) -> Callable[[Facts], tuple[object, ...]]:
    """The function giving what a refinement depends on (see `Ties`), as generated code.

    For each term a hard tie tests, in name order: an enum's or boolean's value, or for an
    integer or date each of the ties' comparisons on it (None when it is unset; `is None` for
    one the ties only ask whether it is set).
    """
    writer = Writer()
    ordered: dict[str, list[str]] = {}
    for tie in hard:
        for leaf in leaves(tie.requires):
            if terms[leaf.term].type not in (TermType.ENUM, TermType.BOOLEAN):
                tests = ordered.setdefault(leaf.term, [])
                if OPERATORS[leaf.op].symbol is not None:
                    tests.append(writer.test(leaf))
    parts = []
    for term in sorted({t for tie in hard for t in terms_of(tie.requires)}):
        value = writer.term(term)
        if term not in ordered:
            parts.append(value)
        elif not ordered[term]:
            parts.append(f"{value} is None")
        else:
            parts += [f"None if {value} is None else {test}" for test in ordered[term]]
    reads = [f"{var} = get({writer.constant(name)})" for name, var in writer.terms.items()]
    key: Callable[[Facts], tuple[object, ...]] = writer.function(
        ["facts"],
        ["get = facts.get", *reads],
        "(" + "".join(f"{p}, " for p in parts) + ")",
        None,
        "ties' memo key",
    )
    return key


def domain(term: Term) -> tuple[TermValue, ...]:
    """Every value of a term that can be narrowed: an enum's values, or true and false."""
    if term.type is TermType.BOOLEAN:
        return (True, False)
    return term.values


class Refinement(NamedTuple):
    """What the ties say about one set of facts: the unaddressed terms an applying, unknown tie
    narrows (to several values, to one, to none), and the applying ties that are false."""

    narrowed: dict[str, Narrowed]  # to several values
    singles: tuple[Narrowed, ...]  # to one: derived
    incoherent: tuple[Narrowed, ...]  # to none: a contradiction
    broken: tuple[str, ...]  # by id


class Ties:
    """The ties of one rule book, compiled once per engine.

    A sweep checks thousands of variants that differ in a term or two, so a refinement is
    remembered by what it depends on: for each term a tie tests, its value (enum, boolean) or,
    for an integer or date, which of the ties' tests on it hold (any figure below 800,000 reads
    alike), or that it is unset.
    """

    def __init__(self, book: RuleBook) -> None:
        terms = book.catalogue.terms
        ties = sorted(book.ties, key=lambda t: t.id)
        hard = [tie for tie in ties if tie.level is TieLevel.CONTRADICTION]
        self.hard = [_compile(tie, terms) for tie in hard]  # level contradiction, by id
        soft = [tie for tie in ties if tie.level is not TieLevel.CONTRADICTION]
        self.soft = [_compile(tie, terms) for tie in soft]  # level warning
        self._truths = _compile_truths(hard)
        self._key = _memo_key(hard, terms)
        self._tested = frozenset(t for tie in self.hard for t in tie.terms)
        self._domains = {name: domain(term) for name, term in terms.items()}
        self._memo: dict[tuple[object, ...], Refinement] = {}

    def __bool__(self) -> bool:
        return bool(self.hard or self.soft)

    def strained(self, facts: Facts) -> list[str]:
        """The ids of the applying soft ties that are false on `facts`."""
        get = facts.get
        found = []
        for tie in self.soft:
            values = tuple(map(get, tie.terms))
            if values != tie.unset and tie.test(*values) is False:
                found.append(tie.id)
        return found

    def refine(self, facts: Facts, keep_open: Collection[str] = ()) -> Refinement:
        """The ties (at level contradiction) on `facts`: what they narrow, which are broken.

        `keep_open`: terms never narrowed (those implications disagree on: the draft's reading
        of them is a contradiction already, and a narrowed value would only hide it).
        """
        key = self._key(facts)
        if keep_open:
            key += (frozenset(t for t in keep_open if t in self._tested),)
        found = self._memo.get(key)
        if found is None:
            found = self._refine(facts, keep_open)
            if len(self._memo) > _MAX_MEMO:
                self._memo.clear()
            self._memo[key] = found
        return found

    def _refine(self, facts: Facts, keep_open: Collection[str]) -> Refinement:
        kept: dict[str, set[int]] = {}
        why: dict[str, list[_CompiledTie]] = {}
        broken: list[str] = []
        get = facts.get  # None is no term's value: it marks an unset term
        for tie, truth in zip(self.hard, self._truths(facts), strict=True):
            if truth is True:
                continue  # holds, or does not apply
            if truth is False:
                broken.append(tie.id)
                continue
            values = tuple(map(get, tie.terms))
            for position, term in tie.narrowable:
                if values[position] is not None or term in keep_open:
                    continue
                coherent = self._coherent(tie, values, position, term)
                if coherent is not None:
                    kept[term] = kept[term] & coherent if term in kept else coherent
                    why.setdefault(term, []).append(tie)
        narrowed: dict[str, Narrowed] = {}
        for term in sorted(kept):
            causes = why[term]
            narrowed[term] = Narrowed(
                term,
                tuple(v for i, v in enumerate(self._domains[term]) if i in kept[term]),
                tuple(t.id for t in causes),
                tuple(dict.fromkeys(t for c in causes for t in c.terms if t in facts)),
            )
        return Refinement(
            {t: n for t, n in narrowed.items() if len(n.values) > 1},
            tuple(n for n in narrowed.values() if len(n.values) == 1),
            tuple(n for n in narrowed.values() if not n.values),
            tuple(broken),
        )

    def _coherent(
        self, tie: _CompiledTie, values: tuple[TermValue | None, ...], position: int, term: str
    ) -> set[int] | None:
        """The positions of the term's values that do not make the tie false; None: all do.

        `values`: the tie's terms' values, the term's (at `position`) unset."""
        domain = self._domains[term]
        probe = list(values)
        coherent = set()
        for index, value in enumerate(domain):
            probe[position] = value
            if tie.test(*probe) is not False:
                coherent.add(index)
        return coherent if len(coherent) < len(domain) else None


# --- reading the rules under the narrowed terms ---------------------------------------------------


class Readings:
    """Decide conditions on facts where some unaddressed terms are narrowed to several values.

    A condition is true (false) when it is true (false) for every combination of the coherent
    values of the narrowed terms it reads, and unknown otherwise: the verdict every coherent
    reading of the draft gives, whatever words the condition uses for it (`fl in [a, b]` and
    `any: [fl eq a, fl eq b]` come out alike). Each narrowed term ranges over its own values; the
    combinations are not held to the ties again.
    """

    def __init__(self, facts: Mapping[str, TermValue], narrowed: Mapping[str, Narrowed]) -> None:
        self.facts = facts
        self.narrowed = {t: n for t, n in narrowed.items() if n.values}
        # The facts with one reading laid over them; a condition reads only its own terms, so a
        # narrowed term another condition set here earlier does not matter to it.
        self._probe = dict(facts)

    def __bool__(self) -> bool:
        return bool(self.narrowed)

    def reads(self, terms: Collection[str]) -> list[str]:
        """The narrowed terms among `terms`."""
        return [t for t in terms if t in self.narrowed]

    def truth(self, test: Compiled, terms: Collection[str]) -> Truth:
        """The truth of a compiled condition reading `terms`, over every coherent reading."""
        names = self.reads(terms)
        if not names:
            return test(self.facts)
        probe = self._probe
        if len(names) == 1:  # the common case, without the combinations
            (name,) = names
            first, *rest = self.narrowed[name].values
            probe[name] = first
            truth = test(probe)
            for value in rest:
                probe[name] = value
                if test(probe) is not truth:
                    return None
            return truth
        choices = [self.narrowed[t].values for t in names]
        if math.prod(len(values) for values in choices) > MAX_READINGS:
            return None
        seen: set[Truth] = set()
        for combination in itertools.product(*choices):
            probe.update(zip(names, combination, strict=True))
            seen.add(test(probe))
            if len(seen) > 1:
                return None
        (only,) = seen
        return only

    def deciding(self, condition: Condition) -> list[str]:
        """The terms that decide a condition (`conditions.deciding_terms`), in every reading."""
        names = self.reads(terms_of(condition))
        if not names:
            return deciding_terms(condition, self.facts)[1]
        choices = [self.narrowed[t].values for t in names]
        found: dict[str, None] = {}
        probe = self._probe
        for combination in itertools.islice(itertools.product(*choices), MAX_READINGS):
            probe.update(zip(names, combination, strict=True))
            found.update(dict.fromkeys(deciding_terms(condition, probe)[1]))
        return list(found)
