"""The durable engine: every rule compiled into durable-rules rulesets, decided by its Rete network.

Each three-valued condition becomes two durable rules, "definitely true" and "definitely false";
the network decides met / violated and the rest are open. durable-rules 2.0.28 (unmaintained since
2020) has defects that were measured before this adapter was written; it works around each, and
`tests/test_engine_durable.py` pins every workaround with a test:

- Facts are asserted, never events posted: an event is consumed by the first rule that matches
  it (of seven rules matching one proposal, `post` fired one, `assert_fact` all seven).
- Every rule is guarded by a positive match on MARKER. A rule that can match a message without
  our keys (a bare `$nex`, or an `$or` whose matching branch is a `$nex`) also matches the
  engine's own state messages: `assert_fact` never returns, at 100% CPU, its memory growing by
  hundreds of MB. A positive equality beside it stopped the spin in every case tried.
- At most RULES_PER_RULESET durable rules per ruleset: the alpha-network walk uses a fixed stack
  of 64 entries (`MAX_STACK_SIZE`, events.c), and an assert fails with error 303 once more match.
  With all rules of a random 100-rule book in one ruleset, 0 of 300 checks failed at 70 rules,
  18 at 80, 260 at 90 and 299 at 100; the limit depends on rule shapes and data, so the adapter
  stays far below it.
- No `durable.engine.Host`: each Host starts two timer threads that never stop and keeps its
  rulesets for ever (200 Hosts left 423 threads alive and +269 MB), and its Python layer (a
  Closure, a state update and two JSON round trips per firing) cost most of a check. The adapter
  drives the C core the Host wraps (`durable_rules_engine`, the same Rete network) directly:
  assert, drain the fired actions' names, retract; rulesets are deleted with their engine.
- No `$or` wider than OR_BRANCHES: creating a ruleset with an `$or` of 513 branches or more never
  returns. A wider condition makes this engine unavailable for the rule book (`auto` falls back
  to the python engine, with a notice). Repeated values are compiled once: an `$or` of more than
  128 identical branches is refused (error 107).
- Fired rules are collected into a set: a rule fires once per matching `$or` branch (20 rules on
  300 proposals made 1,157 duplicate firings).
- The fact is retracted in `finally`: an identical fact asserted again is "already observed" and
  fires nothing, so a fact left behind would silently empty the next identical check.
- Values are typed by the catalogue before they get here, and terms become keys t0, t1, … so no
  term collides with the reserved keys `id`, `sid` and `$s`. Booleans and dates become integers:
  the engine compares a number with a string as strings ("6" > "50" holds).
- No Python callback runs inside the engine (the Host swallowed exceptions raised in them): the
  adapter only reads the names of the actions the network scheduled.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from ..conditions import Facts, Truth, terms_of
from ..models import AllOf, Condition, IfThen, Leaf, Not, Op, RuleBook, TermType, TermValue
from ..operators import OPERATORS, if_then_as_any
from .base import Engine, EngineUnavailable

MARKER = ("redlines_fact", 1)
RULES_PER_RULESET = 24
# durable-rules holds at most 255 properties in one fact (MAX_OBJECT_PROPERTIES; error 302 past
# it) and adds its own id and sid; the marker is ours. A ruleset is sent only its rules' terms.
TERMS_PER_FACT = 250
# Creating a ruleset with an `$or` of more than 512 branches never returns (it spins in C, past
# any signal handler); up to 512 compiled in 1-8 ms. A condition wider than that (an `in` of 600
# values, an `any` of 600 tests) is left to the python engine.
OR_BRANCHES = 512

# (durable rule name, its durable condition, the terms it tests)
_Compiled = tuple[str, dict[str, Any], frozenset[str]]

# The C core keeps process-global tables and its calls are not reentrant across one ruleset's
# assert → drain → retract sequence, so checks from several threads take turns. Reentrant, because
# a collected engine's finalizer (which deletes its rulesets) may run in the middle of a check.
_core_lock = threading.RLock()
_ruleset_counter = itertools.count(1)

# Result codes of the core's assert/retract calls (durable/engine.py, Ruleset._handle_result).
_HANDLED, _NOT_HANDLED, _OBSERVED = 0, 1, 2


def durable_available() -> bool:
    try:
        import durable_rules_engine  # noqa: F401
    except Exception:  # an ImportError, or the 3.13 build's undefined-symbol error
        return False
    return True


class DurableEngine(Engine):
    name = "durable"

    def __init__(self, book: RuleBook) -> None:
        super().__init__(book)
        import durable_rules_engine

        self._core: Any = durable_rules_engine
        self._keys = {name: f"t{i}" for i, name in enumerate(sorted(book.catalogue.terms))}
        self._types = {name: term.type for name, term in book.catalogue.terms.items()}
        for name, condition in [(r.id, r.requires) for r in book.rules] + [
            (i.id, i.when) for i in self.implications
        ]:
            tested = len(terms_of(condition))
            if tested > TERMS_PER_FACT:  # a ruleset could not be sent all the terms it tests
                raise EngineUnavailable(
                    f"{name} tests {tested} terms, more than the {TERMS_PER_FACT} "
                    "durable-rules can match in one fact"
                )
        # Durable rule names: "r<i>:met" and "r<i>:violated" for rule i, "i<j>" for implication j.
        self._rule_names = [(f"r{i}:met", f"r{i}:violated") for i in range(len(book.rules))]
        self._when_names = [(f"i{j}", imp.id) for j, imp in enumerate(self.implications)]
        rules: list[_Compiled] = []
        for (met, violated), rule in zip(self._rule_names, book.rules, strict=True):
            terms = frozenset(terms_of(rule.requires))
            rules.append((met, self._definitely(rule.requires, True), terms))
            rules.append((violated, self._definitely(rule.requires, False), terms))
        whens = [
            (name, self._definitely(imp.when, True), frozenset(terms_of(imp.when)))
            for (name, _), imp in zip(self._when_names, self.implications, strict=True)
        ]
        ids = [rule.id for rule in book.rules for _ in ("met", "violated")]
        ids += [imp.id for imp in self.implications]
        for item_id, (_, compiled, _) in zip(ids, rules + whens, strict=True):
            widest = _widest_or(compiled)
            if widest > OR_BRANCHES:  # creating the ruleset would never return
                raise EngineUnavailable(
                    f"{item_id} compiles to {widest} alternatives, more than the {OR_BRANCHES} "
                    "durable-rules can take in one rule"
                )
        self._rule_handles: list[tuple[int, tuple[str, ...]]] = []
        self._when_handles: list[tuple[int, tuple[str, ...]]] = []
        weakref.finalize(self, _delete_rulesets, self._core, self._handles())
        self._rule_handles += self._register(rules)
        self._when_handles += self._register(whens)

    def _handles(self) -> Callable[[], list[int]]:
        # The finalizer must not hold the engine; it reads the handle lists through a closure.
        rules, whens = self._rule_handles, self._when_handles
        return lambda: [handle for handle, _ in rules + whens]

    def _register(self, compiled: list[_Compiled]) -> list[tuple[int, tuple[str, ...]]]:
        """Create rulesets of at most RULES_PER_RULESET rules testing at most TERMS_PER_FACT terms.

        Each ruleset is later sent only the terms its rules test: durable-rules refuses a fact of
        more than 255 properties (error 302), and smaller facts are faster to match.
        """
        chunks: list[list[_Compiled]] = []
        terms: set[str] = set()
        for item in compiled:
            if (
                not chunks
                or len(chunks[-1]) == RULES_PER_RULESET
                or len(terms | item[2]) > TERMS_PER_FACT
            ):
                chunks.append([])
                terms = set()
            chunks[-1].append(item)
            terms |= item[2]
        handles = []
        for chunk in chunks:
            name = f"redlines_{next(_ruleset_counter)}"
            definition = {
                rule_name: {"all": [{"m": {"$and": [{MARKER[0]: MARKER[1]}, condition]}}]}
                for rule_name, condition, _ in chunk
            }
            with _core_lock:
                handle = self._core.create_ruleset(name, json.dumps(definition))
            tested = sorted(set().union(*(item[2] for item in chunk)))
            handles.append((handle, tuple(tested)))
        return handles

    def working_facts(self, facts: Facts) -> dict[str, TermValue]:
        return _EncodedFacts(self._encode, facts)

    def firing(self, facts: Facts) -> set[str]:
        fired = self._fire(self._when_handles, facts)
        return {imp_id for name, imp_id in self._when_names if name in fired}

    def truths(self, facts: Facts) -> list[Truth]:
        fired = self._fire(self._rule_handles, facts)
        return [
            True if met in fired else False if violated in fired else None
            for met, violated in self._rule_names
        ]

    def _fire(self, rulesets: list[tuple[int, tuple[str, ...]]], facts: Facts) -> set[str]:
        """Assert the facts each ruleset tests, collect the names that fire, retract them."""
        if isinstance(facts, _EncodedFacts):
            encoded = facts.encoded
        else:
            encoded = {term: self._encode(term, value) for term, value in facts.items()}
        keys = self._keys
        fired: set[str] = set()
        core = self._core
        with _core_lock:
            for handle, terms in rulesets:
                fact = {MARKER[0]: MARKER[1]}
                for term in terms:
                    if term in encoded:
                        fact[keys[term]] = encoded[term]
                payload = json.dumps(fact)
                try:
                    code, state = core.assert_fact(handle, payload)
                    if code == _OBSERVED:
                        raise RuntimeError("durable-rules: a fact from an earlier check is left")
                    if code == _HANDLED:
                        _drain(core, handle, state, fired)
                finally:
                    code, state = core.retract_fact(handle, payload)
                    if code == _HANDLED:
                        _drain(core, handle, state, set())
        return fired

    def _encode(self, term: str, value: Any) -> Any:
        kind = self._types[term]
        if kind is TermType.BOOLEAN:
            return 1 if value else 0
        if kind is TermType.DATE:
            assert isinstance(value, dt.date)
            return value.toordinal()
        return value

    def _definitely(self, condition: Condition, truth: bool) -> dict[str, Any]:
        """The durable condition that matches exactly when `condition` is definitely `truth`.

        Negation is pushed to the leaves (durable-rules has no boolean NOT): a leaf that must be
        definitely false is its operator's `negation`, definitely true.
        """
        if isinstance(condition, Leaf):
            return self._leaf(
                condition, condition.op if truth else OPERATORS[condition.op].negation
            )
        if isinstance(condition, Not):
            return self._definitely(condition.part, not truth)
        if isinstance(condition, IfThen):
            return self._definitely(if_then_as_any(condition), truth)
        parts = [self._definitely(p, truth) for p in condition.parts]
        conjunctive = isinstance(condition, AllOf) == truth
        return _join("$and" if conjunctive else "$or", parts)

    def _leaf(self, leaf: Leaf, op: Op) -> dict[str, Any]:
        """The durable test that `leaf.term op leaf.value` is definitely true, from the operator's
        primitive (durable-rules has `$ex`/`$nex`, equality, `$neq` and the four comparisons).

        Every value test also demands that the term is set, which durable's comparisons do by
        themselves: a missing key never matches, `$neq` included.
        """
        key = self._keys[leaf.term]
        operator = OPERATORS[op]
        if operator.primitive == "set":
            return {"$nex" if operator.negated else "$ex": {key: 1}}
        listed = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
        # One branch per distinct value: durable-rules refuses an `$or` of more than 128
        # identical branches (error 107).
        values = list(dict.fromkeys(self._encode(leaf.term, v) for v in listed))
        if operator.primitive == "equals":  # any of the values; negated: none of them
            if operator.negated:
                return _join("$and", [{"$neq": {key: v}} for v in values])
            return _join("$or", [{key: v} for v in values])
        # at_least: the value is at least the constant, or with `successor` above it (integers
        # and dates as ordinals, so "at least the next one" is "greater than").
        (value,) = values
        comparison = _AT_LEAST[operator.negated, operator.successor]
        return {comparison: {key: value}}


class _EncodedFacts(dict[str, TermValue]):
    """Facts that keep each value's durable form beside it, converted once, as it is set.

    `Engine.evaluate` sets derived values and deletes clashing ones between rounds; each round
    then sends the rulesets values converted when they arrived, not converted again.
    """

    def __init__(self, encode: Callable[[str, Any], Any], facts: Mapping[str, TermValue]) -> None:
        super().__init__(facts)
        self._encode = encode
        self.encoded = {term: encode(term, value) for term, value in facts.items()}

    def __setitem__(self, term: str, value: TermValue) -> None:
        super().__setitem__(term, value)
        self.encoded[term] = self._encode(term, value)

    def __delitem__(self, term: str) -> None:
        super().__delitem__(term)
        del self.encoded[term]


# The `at_least` primitive as durable's comparison, by (negated, successor): gte, gt, lt, lte.
_AT_LEAST = {
    (False, False): "$gte", (False, True): "$gt", (True, False): "$lt", (True, True): "$lte",
}  # fmt: skip


def _join(operator: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
    return parts[0] if len(parts) == 1 else {operator: parts}


def _widest_or(condition: Any) -> int:
    """The most branches of any `$or` in a compiled condition."""
    if isinstance(condition, dict):
        own = len(condition["$or"]) if "$or" in condition else 0
        return max([own, *(_widest_or(part) for part in condition.values())])
    if isinstance(condition, list):
        return max((_widest_or(part) for part in condition), default=0)
    return 0


def _drain(core: Any, handle: int, state: int, into: set[str]) -> None:
    """Take every action the network scheduled for this state, adding the rules' names.

    An action arrives as JSON, `{"<rule name>": {"m": <the fact>}}`; only the name is needed, and
    our names ("r12:met", "i3") are plain ASCII, so it is read without parsing the fact.
    """
    message = core.start_action_for_state(handle, state)
    while message:
        text = message[1] if isinstance(message, tuple) else message
        into.add(text[2 : text.index('"', 2)])
        message = core.complete_and_start_action(handle, state)


def _delete_rulesets(core: Any, handles: Callable[[], list[int]]) -> None:
    with _core_lock:
        for handle in handles():
            core.delete_ruleset(handle)
