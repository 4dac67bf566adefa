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
from collections.abc import Collection, Mapping
from typing import NamedTuple

from ..conditions import Compiled, Facts, Truth, compile_condition, deciding_terms, terms_of
from ..models import Condition, RuleBook, Term, TermType, TermValue, TieLevel

# A rule reading narrowed terms is decided over every combination of their coherent values; past
# this many combinations it is left open (unknown) rather than decided slowly.
MAX_READINGS = 1_024
# Refinements remembered per tie and per values of its terms (a sweep repeats a few of them).
_MAX_MEMO = 50_000
_UNSET = object()


class Narrowed(NamedTuple):
    """An unaddressed term the ties narrow: its coherent values, and which ties narrowed it."""

    term: str
    values: tuple[TermValue, ...]  # in catalogue order; empty: no value is coherent
    ties: tuple[str, ...]  # the ties that ruled the other values out, by id
    because_of: tuple[str, ...]  # the terms set in those ties, the reason for the narrowing


# A tie's truth on some facts and, if unknown, per unaddressed term it narrows, the positions
# of the term's values that do not make it false.
_Refinement = tuple[Truth, dict[str, tuple[int, ...]]]


class _CompiledTie(NamedTuple):
    id: str
    test: Compiled
    terms: tuple[str, ...]
    narrowable: tuple[str, ...]  # its enum and boolean terms


def domain(term: Term) -> tuple[TermValue, ...]:
    """Every value of a term that can be narrowed: an enum's values, or true and false."""
    if term.type is TermType.BOOLEAN:
        return (True, False)
    return term.values


class Ties:
    """The ties of one rule book, compiled once per engine."""

    def __init__(self, book: RuleBook) -> None:
        terms = book.catalogue.terms
        self.hard: list[_CompiledTie] = []  # level contradiction, by id
        self.soft: list[_CompiledTie] = []  # level warning
        for tie in sorted(book.ties, key=lambda t: t.id):
            tested = tuple(terms_of(tie.requires))
            compiled = _CompiledTie(
                tie.id,
                compile_condition(tie.requires),
                tested,
                tuple(t for t in tested if terms[t].type in (TermType.ENUM, TermType.BOOLEAN)),
            )
            (self.hard if tie.level is TieLevel.CONTRADICTION else self.soft).append(compiled)
        self._domains = {name: domain(term) for name, term in terms.items()}
        self._memo: dict[tuple[str, tuple[object, ...]], _Refinement] = {}

    def __bool__(self) -> bool:
        return bool(self.hard or self.soft)

    # --- the three outcomes ---------------------------------------------------------------------

    def broken(self, facts: Facts, *, soft: bool = False) -> list[str]:
        """The ids of the applying ties that are false on `facts` (soft ones if asked)."""
        return [
            tie.id
            for tie in (self.soft if soft else self.hard)
            if _applies(tie, facts) and tie.test(facts) is False
        ]

    def narrow(self, facts: Facts, keep_open: Collection[str] = ()) -> dict[str, Narrowed]:
        """Each unaddressed term an applying, unknown tie narrows, with its coherent values.

        `keep_open`: terms never narrowed (those implications disagree on: the draft's reading
        of them is a contradiction already, and a narrowed value would only hide it).
        """
        kept: dict[str, set[int]] = {}
        why: dict[str, list[_CompiledTie]] = {}
        for tie in self.hard:
            if not _applies(tie, facts):
                continue
            truth, keeps = self._refinement(tie, facts)
            if truth is not None:
                continue
            for term, indexes in keeps.items():
                if term in keep_open:
                    continue
                kept[term] = kept[term] & set(indexes) if term in kept else set(indexes)
                why.setdefault(term, []).append(tie)
        found: dict[str, Narrowed] = {}
        for term in sorted(kept):
            values = self._domains[term]
            causes = why[term]
            found[term] = Narrowed(
                term,
                tuple(v for i, v in enumerate(values) if i in kept[term]),
                tuple(t.id for t in causes),
                tuple(dict.fromkeys(t for c in causes for t in c.terms if t in facts)),
            )
        return found

    def _refinement(self, tie: _CompiledTie, facts: Facts) -> _Refinement:
        """The tie's truth on `facts` and, if unknown, for each unaddressed term it narrows, the
        positions of the values that do not make it false. Remembered by the values of its terms.
        """
        key = (tie.id, tuple(facts.get(t, _UNSET) for t in tie.terms))
        found = self._memo.get(key)
        if found is not None:
            return found
        truth = tie.test(facts)
        keeps: dict[str, tuple[int, ...]] = {}
        if truth is None:
            for term in tie.narrowable:
                if term in facts:
                    continue
                values = self._domains[term]
                probe = dict(facts)
                coherent = []
                for index, value in enumerate(values):
                    probe[term] = value
                    if tie.test(probe) is not False:
                        coherent.append(index)
                if len(coherent) < len(values):
                    keeps[term] = tuple(coherent)
        if len(self._memo) > _MAX_MEMO:
            self._memo.clear()
        self._memo[key] = (truth, keeps)
        return truth, keeps


def _applies(tie: _CompiledTie, facts: Facts) -> bool:
    return any(term in facts for term in tie.terms)


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
        self.facts = dict(facts)
        self.narrowed = {t: n for t, n in narrowed.items() if n.values}

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
        choices = [self.narrowed[t].values for t in names]
        count = 1
        for values in choices:
            count *= len(values)
        if count > MAX_READINGS:
            return None
        probe = dict(self.facts)
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
        probe = dict(self.facts)
        for combination in itertools.islice(itertools.product(*choices), MAX_READINGS):
            probe.update(zip(names, combination, strict=True))
            found.update(dict.fromkeys(deciding_terms(condition, probe)[1]))
        return list(found)
