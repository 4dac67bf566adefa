"""Decide every rule on a set of term values: two engines behind one interface.

`PythonEngine` evaluates the compiled closures of `conditions.py` (the reference semantics).
`DurableEngine` compiles each rule into durable-rules rulesets and lets its Rete network decide.
Both share the forward chaining of implications in `Engine.evaluate`, and tests hold them to
identical results. No state survives from one `evaluate` to the next.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import sys
import threading
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .conditions import Facts, Truth, deciding_terms, terms_of
from .gcpause import collector_paused
from .models import (
    AllOf,
    AnyOf,
    Condition,
    IfThen,
    Implication,
    Leaf,
    Not,
    Rule,
    RuleBook,
    TermType,
    TermValue,
)

EngineName = Literal["auto", "durable", "python"]


@dataclass(frozen=True)
class Derivation:
    """A term value derived by an implication, and the terms whose values triggered it."""

    term: str
    value: TermValue
    implication: str
    because_of: tuple[str, ...]


@dataclass(frozen=True)
class Clash:
    """One term given different values by the proposal and/or several implications."""

    term: str
    # (value, who): who is "proposal" or an implication id
    claims: tuple[tuple[TermValue, str], ...]


@dataclass
class Evaluation:
    truths: dict[str, Truth]  # rule id -> Kleene truth of its `requires`
    derived: dict[str, Derivation] = field(default_factory=dict)
    clashes: list[Clash] = field(default_factory=list)
    facts: dict[str, TermValue] = field(default_factory=dict)  # proposal + derived values used


class Engine(ABC):
    name: str

    def __init__(self, book: RuleBook) -> None:
        self.book = book
        self.implications = sorted(book.implications, key=lambda i: i.id)
        self._by_id = {imp.id: imp for imp in self.implications}
        self._rule_ids = [rule.id for rule in book.rules]  # the order engines report truths in
        self._imp_ids = [imp.id for imp in self.implications]

    @abstractmethod
    def firing(self, facts: Facts) -> set[str]:
        """The ids of implications whose `when` is definitely true on `facts`."""

    @abstractmethod
    def decide(self, facts: Facts) -> dict[str, Truth]:
        """Each rule's Kleene truth on `facts`."""

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
        values: dict[str, TermValue] = dict(facts)
        derived: dict[str, Derivation] = {}
        clashes: dict[str, list[tuple[TermValue, str]]] = {}
        fired: set[str] = set()
        while self.implications:
            new = sorted(self.firing(values) - fired)
            if not new:
                break
            fired.update(new)
            changed = False
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
                        changed = True
                    elif earlier.value != value:
                        clashes[term] = [(earlier.value, earlier.implication), (value, imp_id)]
                        del derived[term]
                        del values[term]
                        changed = True
            if not changed:
                break
        return Evaluation(
            truths=self.decide(values),
            derived=dict(sorted(derived.items())),
            clashes=[Clash(t, tuple(c)) for t, c in sorted(clashes.items())],
            facts=values,
        )


class PythonEngine(Engine):
    name = "python"

    def __init__(self, book: RuleBook) -> None:
        super().__init__(book)
        self._rules = compile_truths([rule.requires for rule in book.rules])
        self._whens = compile_truths([imp.when for imp in self.implications])

    def firing(self, facts: Facts) -> set[str]:
        return {i for i, truth in zip(self._imp_ids, self._whens(facts), strict=True) if truth}

    def decide(self, facts: Facts) -> dict[str, Truth]:
        return dict(zip(self._rule_ids, self._rules(facts), strict=True))


# --- the python engine's compiled form ----------------------------------------------------------
#
# Closures (`conditions.compile_condition`) cost two or three calls per leaf; a large batch spends
# most of its time there. So the python engine writes the conditions out as one Python function
# of straight-line statements: each term is read from the facts once, each leaf is an inline
# comparison, each combinator one Kleene expression over its parts' variables. Names and
# constants reach the code only as closure variables, never as source text, so nothing from a
# rule file is ever parsed as Python. `conditions.evaluate` stays the reference semantics; a
# property test holds the two identical.

_CHUNK = 500  # conditions per generated function, so no function grows without bound

_COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=",
            "in": "in", "not_in": "not in"}  # fmt: skip


def compile_truths(conditions: list[Condition]) -> Callable[[Facts], list[Truth]]:
    """One function giving the Kleene truth of each condition on a set of facts, in order."""
    parts = [
        _generate(conditions[start : start + _CHUNK]) for start in range(0, len(conditions), _CHUNK)
    ]
    if len(parts) == 1:
        return parts[0]

    def all_chunks(facts: Facts) -> list[Truth]:
        return [truth for part in parts for truth in part(facts)]

    return all_chunks


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: list[Any] = []
        self.terms: dict[str, str] = {}  # term -> variable holding its value (or UNSET)

    def constant(self, value: Any) -> str:
        self.constants.append(value)
        return f"k{len(self.constants) - 1}"

    def term(self, name: str) -> str:
        if name not in self.terms:
            self.terms[name] = f"v{len(self.terms)}"
        return self.terms[name]

    def truth(self, condition: Condition) -> str:
        """Emit statements computing the condition; return the variable that holds its truth."""
        if isinstance(condition, Leaf):
            out = f"x{len(self.lines)}"
            value = self.term(condition.term)
            if condition.op == "present":
                self.lines.append(f"{out} = {value} is not UNSET")
            elif condition.op == "absent":
                self.lines.append(f"{out} = {value} is UNSET")
            else:
                want: Any = condition.value
                if isinstance(want, tuple):  # in / not_in
                    want = frozenset(want)
                test = f"{value} {_COMPARE[condition.op]} {self.constant(want)}"
                self.lines.append(f"{out} = None if {value} is UNSET else bool({test})")
            return out
        if isinstance(condition, Not):
            inner = self.truth(condition.part)
            out = f"x{len(self.lines)}"
            self.lines.append(f"{out} = None if {inner} is None else not {inner}")
            return out
        if isinstance(condition, IfThen):
            return self.truth(AnyOf(parts=(Not(part=condition.condition), condition.consequence)))
        names = [self.truth(part) for part in condition.parts]
        out = f"x{len(self.lines)}"
        decisive = "False" if isinstance(condition, AllOf) else "True"
        ruling = " or ".join(f"{n} is {decisive}" for n in names)
        unknown = " or ".join(f"{n} is None" for n in names)
        self.lines.append(
            f"{out} = {decisive} if {ruling} else None if {unknown} else not {decisive}"
        )
        return out


def _generate(conditions: list[Condition]) -> Callable[[Facts], list[Truth]]:
    writer = _Writer()
    results = [writer.truth(condition) for condition in conditions]
    body = [f"{var} = get({writer.constant(name)}, UNSET)" for name, var in writer.terms.items()]
    source = "\n".join(
        [
            "def make(UNSET, " + ", ".join(f"k{i}" for i in range(len(writer.constants))) + "):",
            "    def truths(facts):",
            "        get = facts.get",
            *(f"        {line}" for line in body + writer.lines),
            "        return [" + ", ".join(results) + "]",
            "    return truths",
        ]
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, "<redlines python engine>", "exec"), namespace)
    made: Callable[[Facts], list[Truth]] = namespace["make"](_UNSET, *writer.constants)
    return made


_UNSET: Any = object()


# --- durable-rules ------------------------------------------------------------------------------
#
# Workarounds for durable-rules 2.0.28, each measured in shared/notes/durable-rules-evaluation.md
# and pinned by a test in tests/test_engine_durable.py:
# - facts are asserted, never events posted: an event fires only the first matching rule;
# - every rule is guarded by a positive match on MARKER: a rule that can match a message without
#   our keys also matches the engine's own state messages and spins forever (e.g. a bare $nex);
# - at most RULES_PER_RULESET durable rules per ruleset: ~70 overflow a fixed C stack (error 303);
# - no `durable.engine.Host`: each Host starts two timer threads that never stop and keeps its
#   rulesets for ever, and its Python layer (a Closure, a state update and two JSON round trips
#   per firing) cost most of a check. The adapter drives the C core that Host wraps
#   (`durable_rules_engine`, the same Rete network) directly: assert, drain the fired actions'
#   names, retract; rulesets are deleted when their engine is collected;
# - fired rules are collected into a set: a rule fires once per matching $or branch;
# - the fact is retracted in `finally`; "not handled" means nothing fired;
# - values are typed by the catalogue before they get here, and terms become keys t0, t1, … so no
#   term collides with the reserved keys id/sid; booleans and dates become integers, since the
#   engine compares a number with a string as strings;
# - no Python callback runs inside the engine (the Host swallowed exceptions raised in them):
#   the adapter only reads the names of the actions the network scheduled.

MARKER = ("redlines_fact", 1)
RULES_PER_RULESET = 24
# durable-rules holds at most 255 properties in one fact (MAX_OBJECT_PROPERTIES; error 302 past
# it) and adds its own id and sid; the marker is ours. A ruleset is sent only its rules' terms.
TERMS_PER_FACT = 250

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
        rules: list[_Compiled] = []
        for i, rule in enumerate(book.rules):
            terms = frozenset(terms_of(rule.requires))
            rules.append((f"r{i}:met", self._definitely(rule.requires, True), terms))
            rules.append((f"r{i}:violated", self._definitely(rule.requires, False), terms))
        whens = [
            (f"i{j}", self._definitely(imp.when, True), frozenset(terms_of(imp.when)))
            for j, imp in enumerate(self.implications)
        ]
        self.definitions: dict[str, dict[str, Any]] = {}  # ruleset name -> durable JSON rules
        self._rule_handles: list[tuple[int, tuple[str, ...]]] = []
        self._when_handles: list[tuple[int, tuple[str, ...]]] = []
        self._release = weakref.finalize(self, _delete_rulesets, self._core, self._handles())
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
            self.definitions[name] = definition
            with _core_lock:
                handle = self._core.create_ruleset(name, json.dumps(definition))
            tested = sorted(set().union(*(item[2] for item in chunk)))
            handles.append((handle, tuple(tested)))
        return handles

    def firing(self, facts: Facts) -> set[str]:
        fired = self._fire(self._when_handles, facts)
        return {imp_id for j, imp_id in enumerate(self._imp_ids) if f"i{j}" in fired}

    def decide(self, facts: Facts) -> dict[str, Truth]:
        fired = self._fire(self._rule_handles, facts)
        truths: dict[str, Truth] = {}
        for i, rule_id in enumerate(self._rule_ids):
            met, violated = f"r{i}:met" in fired, f"r{i}:violated" in fired
            truths[rule_id] = True if met else False if violated else None
        return truths

    def _fire(self, rulesets: list[tuple[int, tuple[str, ...]]], facts: Facts) -> set[str]:
        """Assert the facts each ruleset tests, collect the names that fire, retract them."""
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

        Negation is pushed to the leaves (durable-rules has no boolean NOT), `in`/`not_in` become
        $or/$and of equalities, and every value test also demands that the term is present,
        which durable's comparisons do by themselves (a missing key never matches).
        """
        if isinstance(condition, Leaf):
            return self._leaf(condition, truth)
        if isinstance(condition, Not):
            return self._definitely(condition.part, not truth)
        if isinstance(condition, IfThen):
            rewritten = AnyOf(parts=(Not(part=condition.condition), condition.consequence))
            return self._definitely(rewritten, truth)
        parts = [self._definitely(p, truth) for p in condition.parts]
        conjunctive = isinstance(condition, AllOf) == truth
        return _join("$and" if conjunctive else "$or", parts)

    def _leaf(self, leaf: Leaf, truth: bool) -> dict[str, Any]:
        key = self._keys[leaf.term]
        op = leaf.op if truth else _NEGATED[leaf.op]
        if op == "present":
            return {"$ex": {key: 1}}
        if op == "absent":
            return {"$nex": {key: 1}}
        if op in ("in", "not_in"):
            assert isinstance(leaf.value, tuple)
            values = [self._encode(leaf.term, v) for v in leaf.value]
            if op == "in":
                return _join("$or", [{key: v} for v in values])
            return _join("$and", [{"$neq": {key: v}} for v in values])
        value = self._encode(leaf.term, leaf.value)
        if op == "eq":
            return {key: value}
        return {_DURABLE_OP[op]: {key: value}}


_NEGATED = {
    "eq": "ne", "ne": "eq", "lt": "gte", "gte": "lt", "gt": "lte", "lte": "gt",
    "in": "not_in", "not_in": "in", "present": "absent", "absent": "present",
}  # fmt: skip
_DURABLE_OP = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}


def _join(operator: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
    return parts[0] if len(parts) == 1 else {operator: parts}


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


# --- choosing an engine -------------------------------------------------------------------------


class EngineUnavailable(RuntimeError):
    """The durable engine was asked for where durable-rules cannot be imported."""


_cache: dict[tuple[str, str], Engine] = {}
_cache_lock = threading.Lock()
_notice_given = False


def make_engine(book: RuleBook, name: EngineName = "auto") -> Engine:
    """An engine for this rule book, compiled once and reused for equal rule books.

    "auto" is durable-rules where it imports, else the python engine with a one-line notice on
    stderr (e.g. Python 3.13, where durable-rules does not build).
    """
    auto = name == "auto"
    if auto:
        if durable_available():
            name = "durable"
        else:
            _notice("durable-rules is not available here")
            name = "python"
    elif name == "durable" and not durable_available():
        raise EngineUnavailable(
            "the durable engine needs durable-rules, which is not installed or does not build on "
            f"Python {sys.version_info.major}.{sys.version_info.minor}; use --engine python"
        )
    with _cache_lock, collector_paused():
        key = (name, _fingerprint(book))
        engine = _cache.get(key)
        if engine is None:
            try:
                engine = DurableEngine(book) if name == "durable" else PythonEngine(book)
            except EngineUnavailable as why:
                if not auto:
                    raise EngineUnavailable(f"{why}; use --engine python") from None
                _notice(str(why))
                engine = PythonEngine(book)
            _cache[key] = engine
    return engine


def _notice(why: str) -> None:
    global _notice_given
    if not _notice_given:
        print(f"redlines: {why}; using the python engine", file=sys.stderr)
        _notice_given = True


def _fingerprint(book: RuleBook) -> str:
    """A digest of what an engine compiles: the term names, the rules' and implications' logic."""
    digest = hashlib.sha256()
    for part in (
        json.dumps(sorted(book.catalogue.terms)),
        *(_content_key(rule, {"id", "requires"}) for rule in book.rules),
        *(_content_key(imp, {"id", "when", "then"}) for imp in book.implications),
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


# Each rule's part of the key, remembered by object: `in_force` and `for_actors` build new books
# around the same frozen Rule objects, so a check does not dump every rule again (at 10,000 rules
# that was ~0.35 s per call). An entry goes when its object is collected.
_content_keys: dict[int, tuple[weakref.ref[Any], str]] = {}


def _content_key(item: Rule | Implication, fields: set[str]) -> str:
    ident = id(item)
    found = _content_keys.get(ident)
    if found is not None and found[0]() is item:
        return found[1]
    key = json.dumps(item.model_dump(mode="json", include=fields), sort_keys=True, default=str)

    def forget(ref: weakref.ref[Any]) -> None:
        if _content_keys.get(ident, (None, ""))[0] is ref:
            del _content_keys[ident]

    _content_keys[ident] = (weakref.ref(item, forget), key)
    return key


def engine_names() -> Mapping[str, str]:
    return {
        "auto": "durable-rules where available, else python",
        "durable": "durable-rules",
        "python": "pure-Python evaluator",
    }
