"""The durable engine: every rule compiled into durable-rules rulesets, decided by its Rete network.

Each three-valued condition becomes two durable rules, "definitely true" and "definitely false";
the network decides met / violated and the rest are open. durable-rules 2.0.28 (unmaintained since
2020) has defects that were measured before this adapter was written; it works around each, and
`tests/test_engine_durable.py` pins every workaround with a test (`tests/test_durable_limits.py`
pins the C core's limits themselves):

- Facts are asserted, never events posted: an event is consumed by the first rule that matches
  it (of seven rules matching one proposal, `post` fired one, `assert_fact` all seven).
- Every rule is guarded by a positive match on MARKER. A rule that can match a message without
  our keys (a bare `$nex`, or an `$or` whose matching branch is a `$nex`) also matches the
  engine's own state messages: `assert_fact` never returns, at 100% CPU, its memory growing by
  hundreds of MB. A positive equality beside it stopped the spin in every case tried.
- Every ruleset is kept under the C core's limits (`durable_limits`: past them it spins for ever,
  segfaults, fails with an error code or answers wrongly). Each condition is normalised
  (repeated values and branches dropped, bounds on one term merged), split into several durable
  rules where it is too wide or nests too deep, and rulesets are filled up to a budget of about
  half of every capacity, measured on a model of the network durable-rules builds. A rule that
  does not fit even split (see `durable_limits.fit`) makes this engine unavailable for the rule
  book: `auto` takes the python engine with a one-line notice, `--engine durable` says why.
- Values are typed by the catalogue before they get here and reach the core as integers only:
  enum values as their position in the catalogue (its string compare cuts lengths to 16 bits,
  so two 65,536-character values compared equal), booleans as 0/1, dates as ordinals (it
  compares a number with a string as strings: "6" > "50" holds). Terms become keys t0, t1, … so
  no term collides with the reserved keys `id`, `sid` and `$s`.
- No `durable.engine.Host`: each Host starts two timer threads that never stop and keeps its
  rulesets for ever (200 Hosts left 423 threads alive and +269 MB), and its Python layer (a
  Closure, a state update and two JSON round trips per firing) cost most of a check. The adapter
  drives the C core the Host wraps (`durable_rules_engine`, the same Rete network) directly:
  assert, drain the fired actions' names, retract; rulesets are deleted with their engine.
- Fired rules are collected into a set: a rule fires once per matching `$or` branch (20 rules on
  300 proposals made 1,157 duplicate firings), and a split rule once per piece.
- The fact is retracted after every check: an identical fact asserted again is "already
  observed" and fires nothing, so a fact left behind would silently empty the next identical
  check.
- Memory is made sure of before the core needs it: some of its mallocs are unchecked, so under
  an address-space limit it segfaults where Python would raise MemoryError. Where an allocation
  can fail (`memory.limited`), the engine maps what its rulesets will take before creating them,
  builds every ruleset's state at once (a first assert), and maps a little before each check.
  After the core has raised MemoryError it is never called again for this engine (a half-built
  state crashes the next call).
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

from .. import memory
from ..conditions import Facts, Truth, terms_of
from ..models import AllOf, Condition, IfThen, Leaf, Not, Op, RuleBook, TermType, TermValue
from ..operators import OPERATORS, if_then_as_any
from .base import Engine, EngineUnavailable
from .durable_limits import (
    MARKER,
    TERMS_PER_FACT,
    And,
    Cond,
    Or,
    Test,
    TooLarge,
    Unit,
    as_json,
    combine,
    fit,
    guarded,
    keys_of,
    pack,
)


class NotEnoughMemory(EngineUnavailable):
    """durable-rules would not get the memory its rulesets need: `auto` takes the python engine,
    `--engine durable` is out of memory (exit 4)."""


# (ruleset handle, the (term, key) pairs its rules test)
_Ruleset = tuple[int, tuple[tuple[str, str], ...]]

# The C core keeps process-global tables and its calls are not reentrant across one ruleset's
# assert → drain → retract sequence, so checks from several threads take turns. Reentrant, because
# a collected engine's finalizer (which deletes its rulesets) may run in the middle of a check.
_core_lock = threading.RLock()
_ruleset_counter = itertools.count(1)

# Result codes of the core's assert/retract calls (durable/engine.py, Ruleset._handle_result).
_HANDLED, _NOT_HANDLED, _OBSERVED = 0, 1, 2

# What the C core allocates (glibc mallinfo2, measured): ~55 KB to create a ruleset plus 6.6 KB per
# rule and 2.7 KB per node, and on its first assert a state of ~110 KB plus 12.4 KB per rule;
# a quarter more for malloc's own overhead. A check allocates a few small frames per firing.
_RULESET_BYTES, _RULE_BYTES, _NODE_BYTES = 165_000, 19_000, 2_700
_CHECK_BYTES = 1 << 20
_FACT = json.dumps({MARKER.key: MARKER.value})


def durable_available() -> bool:
    """Whether durable-rules' C core imports here (not on Python 3.13+, for one)."""
    try:
        load_core()
    except EngineUnavailable:
        return False
    return True


def load_core() -> Any:
    """The `durable_rules_engine` module, or EngineUnavailable saying why it cannot be had
    (NotEnoughMemory when loading it ran out of memory)."""
    try:
        import durable_rules_engine
    except Exception as err:  # an ImportError, or the 3.13 build's undefined-symbol error
        if memory.is_out_of_memory(err):
            raise NotEnoughMemory("not enough memory to load durable-rules") from None
        raise EngineUnavailable("durable-rules is not available here") from None
    return durable_rules_engine


class DurableEngine(Engine):
    name = "durable"

    def __init__(self, book: RuleBook) -> None:
        super().__init__(book)
        self._core: Any = load_core()
        self._keys = {name: f"t{i}" for i, name in enumerate(sorted(book.catalogue.terms))}
        self._types = {name: term.type for name, term in book.catalogue.terms.items()}
        # Enum values by position; a value the catalogue does not list (only a hand-built rule
        # book has one) gets its own negative code, and a fact's unlisted value -1, which no
        # rule tests.
        self._codes = {
            name: {value: i for i, value in enumerate(term.values)}
            for name, term in book.catalogue.terms.items()
            if term.type is TermType.ENUM
        }
        for name, condition in [(r.id, r.requires) for r in book.rules] + [
            (i.id, i.when) for i in self.implications
        ]:
            tested = len(terms_of(condition))
            if tested > TERMS_PER_FACT:  # a ruleset could not be sent all the terms it tests
                raise EngineUnavailable(
                    f"{name} tests {tested} terms, more than the {TERMS_PER_FACT} "
                    "durable-rules can match in one fact"
                )
        # Durable rule names: "r<i>:met" and "r<i>:violated" for rule i, "i<j>" for implication j;
        # a condition split in pieces is rules "<name>#0", "<name>#1", …
        self._rule_names = [(f"r{i}:met", f"r{i}:violated") for i in range(len(book.rules))]
        self._when_names = [(f"i{j}", imp.id) for j, imp in enumerate(self.implications)]
        rules: list[tuple[str, str, Cond]] = []
        for (met, violated), rule in zip(self._rule_names, book.rules, strict=True):
            rules.append((rule.id, met, self._definitely(rule.requires, True)))
            rules.append((rule.id, violated, self._definitely(rule.requires, False)))
        whens = [
            (imp.id, name, self._definitely(imp.when, True))
            for (name, _), imp in zip(self._when_names, self.implications, strict=True)
        ]
        rule_sets, when_sets = pack(self._units(rules)), pack(self._units(whens))
        self._split = any("#" in unit.name for units in rule_sets + when_sets for unit in units)
        self._ensure_memory(rule_sets + when_sets)
        self._broken = False
        self._rule_handles: list[_Ruleset] = []
        self._when_handles: list[_Ruleset] = []
        weakref.finalize(self, _delete_rulesets, self._core, self._handles())
        self._rule_handles += self._create(rule_sets)
        self._when_handles += self._create(when_sets)
        self._warm_up()

    def _handles(self) -> Callable[[], list[int]]:
        # The finalizer must not hold the engine; it reads the handle lists through a closure.
        rules, whens = self._rule_handles, self._when_handles
        return lambda: [handle for handle, _ in rules + whens]

    def _units(self, compiled: list[tuple[str, str, Cond]]) -> list[Unit]:
        """Each condition as the durable rules it fits in (`durable_limits.fit`)."""
        units = []
        for item_id, name, cond in compiled:
            try:
                pieces = fit(cond)
            except TooLarge as why:
                reason = f"{item_id} is too large for durable-rules: {why}"
                raise EngineUnavailable(reason) from None
            for k, (piece, load) in enumerate(pieces):
                piece_name = name if len(pieces) == 1 else f"{name}#{k}"
                units.append(Unit(piece_name, piece, frozenset(keys_of(piece)), load))
        return units

    def _ensure_memory(self, rulesets: list[list[Unit]]) -> None:
        """Make sure the core will get the memory these rulesets take (see the module docstring)."""
        rules = sum(len(units) for units in rulesets)
        nodes = sum(unit.load.nodes for units in rulesets for unit in units)
        need = _RULESET_BYTES * len(rulesets) + _RULE_BYTES * rules + _NODE_BYTES * nodes
        try:
            memory.ensure_headroom(need * 5 // 4, f"durable-rules' {len(rulesets)} rulesets")
        except memory.OutOfMemory as why:
            raise NotEnoughMemory(str(why)) from None

    def _create(self, rulesets: list[list[Unit]]) -> list[_Ruleset]:
        """Hand each ruleset to the C core; each is later sent only the terms its rules test."""
        term_of = {key: term for term, key in self._keys.items()}
        handles = []
        for units in rulesets:
            name = f"redlines_{next(_ruleset_counter)}"
            definition = {
                unit.name: {"all": [{"m": as_json(guarded(unit.cond))}]} for unit in units
            }
            with _core_lock:
                handle = self._core.create_ruleset(name, json.dumps(definition))
            keys = sorted(set().union(*(unit.keys for unit in units)))
            handles.append((handle, tuple((term_of[key], key) for key in keys)))
        return handles

    def _warm_up(self) -> None:
        """Assert and retract the bare marker in every ruleset: each builds its state now, while
        the engine is being made, so a check allocates little."""
        with _core_lock:
            try:
                for handle, _ in self._rule_handles + self._when_handles:
                    _check_one(self._core, handle, _FACT, set())
            except MemoryError:
                self._give_up()
                raise memory.OutOfMemory("not enough memory for durable-rules' rulesets") from None

    def _give_up(self) -> None:
        """After the core raised MemoryError: never call it again for this engine, not even to
        delete its rulesets (a half-built state crashes the call); their memory is lost."""
        self._broken = True
        self._rule_handles.clear()
        self._when_handles.clear()

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

    def _fire(self, rulesets: list[_Ruleset], facts: Facts) -> set[str]:
        """Assert the facts each ruleset tests, collect the names that fire, retract them."""
        if isinstance(facts, _EncodedFacts):
            encoded = facts.encoded
        else:
            encoded = {term: self._encode(term, value) for term, value in facts.items()}
        fired: set[str] = set()
        core = self._core
        with _core_lock:
            if self._broken:
                raise memory.OutOfMemory("durable-rules ran out of memory in an earlier check")
            memory.ensure_headroom(_CHECK_BYTES, "a check")
            try:
                for handle, tested in rulesets:
                    fact = {MARKER.key: MARKER.value}
                    for term, key in tested:
                        if term in encoded:
                            fact[key] = encoded[term]
                    _check_one(core, handle, json.dumps(fact), fired)
            except MemoryError:
                self._give_up()
                raise memory.OutOfMemory("not enough memory for a check") from None
        if self._split:
            return {name.partition("#")[0] for name in fired}
        return fired

    def _encode(self, term: str, value: Any) -> Any:
        kind = self._types[term]
        if kind is TermType.ENUM:
            return self._codes[term].get(value, -1)
        if kind is TermType.BOOLEAN:
            return 1 if value else 0
        if kind is TermType.DATE:
            assert isinstance(value, dt.date)
            return value.toordinal()
        return value

    def _constant(self, term: str, value: Any) -> int:
        """A rule's value as the core sees it: like a fact's, but an enum value the catalogue
        does not list gets a code of its own (facts holding it then get the same)."""
        codes = self._codes.get(term)
        if codes is not None and value not in codes:
            codes[value] = -2 - sum(1 for code in codes.values() if code < 0)
        encoded: int = self._encode(term, value)
        return encoded

    def _definitely(self, condition: Condition, truth: bool) -> Cond:
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
        return combine(And if isinstance(condition, AllOf) == truth else Or, parts)

    def _leaf(self, leaf: Leaf, op: Op) -> Cond:
        """The durable test that `leaf.term op leaf.value` is definitely true, from the operator's
        primitive (durable-rules has `$ex`/`$nex`, equality, `$neq` and the four comparisons).

        Every value test also demands that the term is set, which durable's comparisons do by
        themselves: a missing key never matches, `$neq` included.
        """
        key = self._keys[leaf.term]
        operator = OPERATORS[op]
        if operator.primitive == "set":
            return Test("$nex" if operator.negated else "$ex", key, 1)
        listed = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
        values = [self._constant(leaf.term, value) for value in listed]
        if operator.primitive == "equals":  # any of the values; negated: none of them
            if operator.negated:
                return combine(And, [Test("$neq", key, v) for v in values])
            return combine(Or, [Test("$eq", key, v) for v in values])
        # at_least: the value is at least the constant, or with `successor` above it (integers
        # and dates as ordinals, so "at least the next one" is "greater than").
        (value,) = values
        return Test(_AT_LEAST[operator.negated, operator.successor], key, value)


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


def _check_one(core: Any, handle: int, payload: str, fired: set[str]) -> None:
    """Assert one fact into one ruleset, add the names of the rules it fires, retract it.

    No retract after a MemoryError: the state may be half built, and the next call would crash.
    """
    code, state = core.assert_fact(handle, payload)
    try:
        if code == _OBSERVED:
            raise RuntimeError("durable-rules: a fact from an earlier check is left")
        if code == _HANDLED:
            _drain(core, handle, state, fired)
    except MemoryError:
        raise
    except BaseException:
        _retract(core, handle, payload)
        raise
    _retract(core, handle, payload)


def _retract(core: Any, handle: int, payload: str) -> None:
    code, state = core.retract_fact(handle, payload)
    if code == _HANDLED:
        _drain(core, handle, state, set())


def _drain(core: Any, handle: int, state: int, into: set[str]) -> None:
    """Take every action the network scheduled for this state, adding the rules' names.

    An action arrives as JSON, `{"<rule name>": {"m": <the fact>}}`; only the name is needed, and
    our names ("r12:met", "i3", "r12:met#2") are plain ASCII, so it is read without parsing.
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
