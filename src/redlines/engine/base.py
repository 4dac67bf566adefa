"""What every engine shares: the forward chaining of implications, and what an evaluation holds.

An engine decides each rule's Kleene truth on a set of term values; `Engine.evaluate` first
derives terms from the implications, in rounds, to a fixpoint, then decides every rule once.
Engines differ only in how they test conditions (`firing` and `truths`), and tests hold them to
identical results. No state survives from one `evaluate` to the next.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, NamedTuple

from ..conditions import Facts, Truth, deciding_terms, terms_of
from ..models import RuleBook, TermValue

EngineName = Literal["auto", "durable", "python"]


class EngineUnavailable(RuntimeError):
    """The durable engine was asked for where durable-rules cannot be imported or compile a rule."""


# Named tuples, not frozen dataclasses: a sweep makes some for every variant, and a tuple is
# built in one step where a frozen dataclass sets each field through object.__setattr__.


class Derivation(NamedTuple):
    """A term value derived by an implication, and the terms whose values triggered it."""

    term: str
    value: TermValue
    implication: str
    because_of: tuple[str, ...]


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
        """Forward-chain implications to a fixpoint, then decide every rule once.

        Rounds, not single steps: all implications true in a round fire together, in id order,
        so the result does not depend on how an engine orders its matches. Each fires at most
        once. A value the proposal sets wins over a derived one; a disagreement is a clash, and
        a term two implications disagree on is left unaddressed. Only the implications are
        tested while chaining: the rules see the final values, so they are decided once.
        `explain=False` skips finding the terms behind each derivation (`because_of` is empty),
        which only a report shows.
        """
        values = self.working_facts(facts)
        derived: dict[str, Derivation] = {}
        clashes: dict[str, list[tuple[TermValue, str]]] = {}
        fired: set[str] = set()
        while self.implications:
            new = sorted(self.firing(values) - fired)
            if not new:
                break
            fired.update(new)
            changed: set[str] = set()  # terms derived or dropped in this round
            for imp_id in new:
                implication = self._by_id[imp_id]
                because = deciding_terms(implication.when, values)[1] if explain else []
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
            if changed.isdisjoint(self._read_by_implications):
                break
        return Evaluation(
            rule_ids=self.rule_ids,
            truth_list=self.truths(values),
            derived=dict(sorted(derived.items())),
            clashes=[Clash(t, tuple(c)) for t, c in sorted(clashes.items())],
            facts=values if type(values) is dict else dict(values),  # plain, whatever the engine's
        )
