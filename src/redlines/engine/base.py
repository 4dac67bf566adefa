"""What every engine shares: the chaining of implications, the ties, what an evaluation holds.

An engine decides each rule's Kleene truth on a set of term values; `Engine.evaluate` first
derives terms from the implications, in rounds, to a fixpoint, reads the draft coherently under
the ties (`ties.py`), then decides every rule once. Engines differ only in how they test
conditions (`firing` and `truths`), and tests hold them to identical results. No state survives
from one `evaluate` to the next.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Literal, NamedTuple

from ..conditions import Compiled, Facts, Truth, compile_condition, deciding_terms, terms_of
from ..models import RuleBook, TermValue
from .ties import Narrowed, Readings, Refinement, Ties

EngineName = Literal["auto", "durable", "python"]
_NO_TERMS: Mapping[str, Narrowed] = MappingProxyType({})


class EngineUnavailable(RuntimeError):
    """The durable engine was asked for where durable-rules cannot be imported or compile a rule."""


# Named tuples, not frozen dataclasses: a sweep makes some for every variant, and a tuple is
# built in one step where a frozen dataclass sets each field through object.__setattr__.


class Derivation(NamedTuple):
    """A term value derived by an implication (or a tie, `via`), and the terms whose values
    triggered it."""

    term: str
    value: TermValue
    implication: str  # the id of the implication or tie
    because_of: tuple[str, ...]
    via: Literal["implication", "tie"] = "implication"


class Clash(NamedTuple):
    """One term given different values by the proposal and/or several implications."""

    term: str
    # (value, who): who is "proposal" or an implication id
    claims: tuple[tuple[TermValue, str], ...]


@dataclass
class Evaluation:
    rule_ids: tuple[str, ...]  # the rule book's rules, in its order
    truth_list: list[Truth]  # the Kleene truth of each rule's `requires`, in `rule_ids` order
    derived: dict[str, Derivation] = field(default_factory=dict)
    clashes: list[Clash] = field(default_factory=list)
    facts: dict[str, TermValue] = field(default_factory=dict)  # proposal + derived values used
    # The ties: unaddressed terms narrowed to several coherent values, ties the draft breaks
    # (contradictions, by id), terms no value of which is coherent, soft ties broken (warnings;
    # only with `explain`). Shared with the engine's memory of them: read, never change.
    narrowed: Mapping[str, Narrowed] = field(default_factory=lambda: _NO_TERMS)
    broken: Sequence[str] = ()
    incoherent: Sequence[Narrowed] = ()
    strained: Sequence[str] = ()

    @cached_property
    def truths(self) -> dict[str, Truth]:
        """Rule id -> truth. A sweep reads `truth_list` by position and never builds this."""
        return dict(zip(self.rule_ids, self.truth_list, strict=True))


class Engine(ABC):
    name: str

    def __init__(self, book: RuleBook) -> None:
        self.book = book
        self.implications = sorted(book.implications, key=lambda i: i.id)
        self._by_id = {imp.id: imp for imp in self.implications}
        self.rule_ids = tuple(rule.id for rule in book.rules)  # the order truths come in
        # A round that derives none of these terms cannot make another implication fire.
        self._read_by_implications = frozenset(
            term for imp in self.implications for term in terms_of(imp.when)
        )
        self.ties = Ties(book)
        self._rule_terms = [tuple(terms_of(rule.requires)) for rule in book.rules]
        self._readers: dict[str, list[int]] = {}  # term -> positions of the rules that read it
        for position, terms in enumerate(self._rule_terms):
            for term in terms:
                self._readers.setdefault(term, []).append(position)
        self._reference: dict[int, Compiled] = {}  # rule position -> its reference closure

    @abstractmethod
    def firing(self, facts: Facts) -> set[str]:
        """The ids of implications whose `when` is definitely true on `facts`."""

    @abstractmethod
    def truths(self, facts: Facts) -> list[Truth]:
        """Each rule's Kleene truth on `facts`, in `rule_ids` order."""

    def decide(self, facts: Facts) -> dict[str, Truth]:
        """Each rule's Kleene truth on `facts`, by rule id."""
        return dict(zip(self.rule_ids, self.truths(facts), strict=True))

    def working_facts(self, facts: Facts) -> dict[str, TermValue]:
        """The mutable copy of the facts that chaining adds derived values to.

        An engine that keeps the facts in its own form (durable-rules' JSON types) returns a dict
        that converts each value once, as it is set, instead of at every round.
        """
        return dict(facts)

    def evaluate(self, facts: Facts, *, explain: bool = True) -> Evaluation:
        """Forward-chain implications to a fixpoint, read the ties, then decide every rule once.

        Rounds, not single steps: all implications true in a round fire together, in id order,
        so the result does not depend on how an engine orders its matches. Each fires at most
        once. A value the proposal sets wins over a derived one; a disagreement is a clash, and
        a term two implications disagree on is left unaddressed. A term the ties narrow to one
        value is derived like an implication's, and the implications chain on from it; terms
        narrowed to several values decide the rules that read them (`ties.Readings`). Only the
        implications are tested while chaining: the rules see the final values, so they are
        decided once. `explain=False` skips finding the terms behind each derivation
        (`because_of` is empty) and the soft ties, which only a report shows.
        """
        values = self.working_facts(facts)
        chain = _Chaining(self, facts, values, explain)
        chain.run()
        refinement = _NOTHING_TO_READ
        while self.ties.hard:
            refinement = self.ties.refine(values, keep_open=chain.clashes)
            if not refinement.singles:
                break
            for single in refinement.singles:
                chain.derive(single)
            chain.run()
        truths = self.truths(values)
        plain = values if type(values) is dict else dict(values)  # plain, whatever the engine's
        if refinement.narrowed:
            truths = self._read(truths, Readings(plain, refinement.narrowed))
        return Evaluation(
            rule_ids=self.rule_ids,
            truth_list=truths,
            derived=dict(sorted(chain.derived.items())),
            clashes=[Clash(t, tuple(c)) for t, c in sorted(chain.clashes.items())],
            facts=plain,
            narrowed=refinement.narrowed,
            broken=refinement.broken,
            incoherent=refinement.incoherent,
            strained=self.ties.strained(values) if explain and self.ties.soft else (),
        )

    def _read(self, truths: list[Truth], readings: Readings) -> list[Truth]:
        """The truths of the rules that read a narrowed term, over its coherent values."""
        refined = list(truths)
        readers = self._readers
        positions = {p for term in readings.narrowed for p in readers.get(term, ())}
        for position in sorted(positions):
            refined[position] = readings.truth(
                self._reference_of(position), self._rule_terms[position]
            )
        return refined

    def _reference_of(self, position: int) -> Compiled:
        found = self._reference.get(position)
        if found is None:
            found = compile_condition(self.book.rules[position].requires)
            self._reference[position] = found
        return found


_NOTHING_TO_READ = Refinement({}, (), (), ())


class _Chaining:
    """One evaluation's forward chaining: the implications fired, the terms derived, the clashes."""

    def __init__(
        self, engine: Engine, facts: Facts, values: dict[str, TermValue], explain: bool
    ) -> None:
        self.engine = engine
        self.facts = facts
        self.values = values
        self.explain = explain
        self.derived: dict[str, Derivation] = {}
        self.clashes: dict[str, list[tuple[TermValue, str]]] = {}
        self.fired: set[str] = set()

    def derive(self, narrowed: Narrowed) -> None:
        """A term the ties narrow to a single value: derived, traced to the first such tie."""
        (value,) = narrowed.values
        because = narrowed.because_of if self.explain else ()
        self.derived[narrowed.term] = Derivation(
            narrowed.term, value, narrowed.ties[0], because, "tie"
        )
        self.values[narrowed.term] = value

    def run(self) -> None:
        engine, facts, values = self.engine, self.facts, self.values
        derived, clashes, fired = self.derived, self.clashes, self.fired
        while engine.implications:
            new = sorted(engine.firing(values) - fired)
            if not new:
                break
            fired.update(new)
            changed: set[str] = set()  # terms derived or dropped in this round
            for imp_id in new:
                implication = engine._by_id[imp_id]
                because = deciding_terms(implication.when, values)[1] if self.explain else []
                for term, value in implication.then.items():
                    if term in facts:
                        if facts[term] != value:
                            claims = clashes.setdefault(term, [(facts[term], "proposal")])
                            claims.append((value, imp_id))
                        continue
                    if term in clashes:
                        clashes[term].append((value, imp_id))
                        continue
                    earlier = derived.get(term)
                    if earlier is None:
                        derived[term] = Derivation(term, value, imp_id, tuple(because))
                        values[term] = value
                        changed.add(term)
                    elif earlier.value != value:
                        clashes[term] = [(earlier.value, earlier.implication), (value, imp_id)]
                        del derived[term]
                        del values[term]
                        changed.add(term)
            if changed.isdisjoint(engine._read_by_implications):
                break
