"""What durable-rules' C core can take, a model of the network it builds, and the fitting of
compiled conditions under both, so that the durable engine never hands the core a ruleset past
one of its limits.

durable-rules 2.0.28 compiles a ruleset into an alpha network (one node per test; rules whose
test and parent node are the same share a node; an `$and` is a chain, an `$or` hangs every branch
off its parent and links each branch's end to a fresh "forward" node) and walks it once per
asserted fact. Its tables have fixed sizes, and past each one it hangs, crashes or answers
wrongly instead of refusing. Measured as the durable engine drives it (a marker guard on every
rule; `tests/test_durable_limits.py` pins each at the last value that works and the first that
fails, so a durable-rules release that moves one is noticed):

- tests under one node, all rules of a ruleset together: 511. At 512 the first assert that
  reaches the node spins for ever, at 513 creating the ruleset does (a full 512-slot hash set is
  probed for a free slot with no exit);
- `$nex` tests plus `$or` links on one node: 128. Then error 107, or a write past the list;
- rules ending on one node: 255. At 256 a segfault on the first match, at 257 error 108;
- `$and`/`$or` operators in one rule, the guard's included: 15. At 16 error 113;
- nodes pending at once while one fact is walked: 64. Then error 303, depending on the fact;
- rules in one ruleset: 4,096. Then error 106;
- patterns joined in one rule: 16. Then error 304 (the engine's rules have one pattern each);
- properties of one fact, `id` and `sid` included: 254. Then error 302;
- strings compared: 65,534 bytes. Lengths are cut to 16 bits, so two longer strings that
  differ compare equal.

The walk also has no limit at all on the matching paths it follows: a fact is walked once per
path through the `$or` branches it matches, which grows exponentially with nesting (4^10 paths
took 2 s and 400 MB).

So: values reach the core only as integers (no string compare), `normalise` drops repeated
values and branches (a repeated branch adds a link each time) and merges bounds on one term,
`fit` splits a condition into pieces (each a durable rule; the rule holds when any piece does,
since durable conditions have no negation) until each fits BUDGET alone, and `pack` fills
rulesets up to BUDGET. BUDGET keeps about half of every capacity in reserve: the model agrees
with the C core at every pinned limit, but the overruns sit right at the limits, and a margin
keeps a model error from becoming a hang.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeAlias

# --- the compiled form ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Test:
    """One test of the alpha network: `key op value`, op one of durable's $eq, $neq, $lt, $lte,
    $gt, $gte, $ex, $nex. Every value is an integer (see the module docstring)."""

    op: str
    key: str
    value: int


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Cond, ...]


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Cond, ...]


Cond: TypeAlias = Test | And | Or
ALWAYS = And(())  # holds on every fact
NEVER = Or(())  # holds on none: compiled to no rule at all
MARKER = Test("$eq", "redlines_fact", 1)

# Every capacity of the C core that a ruleset's network can exceed, as one tuple: used both for
# what a network needs (`measure`) and for what a ruleset may hold (BUDGET, C_LIMITS).


class Load(NamedTuple):
    rules: int = 0  # durable rules in the ruleset
    widest_node: int = 0  # tests under one node
    longest_list: int = 0  # $nex tests and $or links on one node
    rules_on_node: int = 0  # rules ending on one node
    stack: int = 0  # nodes pending at once while a fact is walked, for the worst fact
    work: int = 0  # nodes visited plus rules reached by one assert, for the worst fact
    nodes: int = 0  # nodes in all: what the ruleset's memory grows with

    def plus(self, other: Load) -> Load:
        return Load(*(a + b for a, b in zip(self, other, strict=True)))

    def over(self, limit: Load) -> list[str]:
        """The capacities where this load exceeds `limit`, by name."""
        pairs = zip(self._fields, self, limit, strict=True)
        return [name for name, have, most in pairs if have > most]


_UNBOUNDED = 1 << 62
# The C core's limits, as measured (the list above): a load over one of them fails.
C_LIMITS = Load(
    rules=4096, widest_node=511, longest_list=128, rules_on_node=255, stack=64,
    work=_UNBOUNDED, nodes=_UNBOUNDED,
)  # fmt: skip
# What one ruleset may hold. Half of each capacity; the stack at 48 of 64 because its bound is
# already the worst case over every fact. The work bound keeps the worst assert at a few
# milliseconds (~1.5 µs per step): it is the one limit the core does not guard at all. 64 rules
# keep a ruleset's state (built on its first assert, ~12 KB per rule) under 1 MB.
BUDGET = Load(
    rules=64, widest_node=256, longest_list=64, rules_on_node=128, stack=48,
    work=4096, nodes=_UNBOUNDED,
)  # fmt: skip
MAX_OPERATORS = 15  # $and/$or in one durable rule, the guard's included (exact: 16 is error 113)
MAX_PIECES = 64  # durable rules one condition may become before it is called too large
# durable-rules holds at most 254 properties in a fact (error 302 past it): its own id and sid,
# our marker, and at most this many terms. A ruleset is sent only the terms its rules test.
TERMS_PER_FACT = 250


class TooLarge(Exception):
    """A condition that does not fit one ruleset even when split as far as it may be."""


def as_json(cond: Cond) -> dict[str, Any]:
    """The condition in durable-rules' JSON."""
    if isinstance(cond, Test):
        return {cond.key: cond.value} if cond.op == "$eq" else {cond.op: {cond.key: cond.value}}
    return {"$and" if isinstance(cond, And) else "$or": [as_json(part) for part in cond.parts]}


def guarded(cond: Cond) -> And:
    """The rule as registered: MARKER and the condition, in one `$and` (one operator fewer)."""
    return And((MARKER, *cond.parts)) if isinstance(cond, And) else And((MARKER, cond))


def operators(cond: Cond) -> int:
    if isinstance(cond, Test):
        return 0
    return 1 + sum(operators(part) for part in cond.parts)


def keys_of(cond: Cond) -> set[str]:
    if isinstance(cond, Test):
        return {cond.key}
    return set().union(*(keys_of(part) for part in cond.parts))


# --- normalising ----------------------------------------------------------------------------------


def normalise(cond: Cond) -> Cond:
    """The same condition with an `$and` in an `$and` and an `$or` in an `$or` flattened, repeated
    parts dropped (an `in` listing a value twice, a branch written twice), bounds on one key merged
    (`all` of x > 1 and x > 5 is x > 5; `any` of them is x > 1: facts hold integers), ALWAYS and
    NEVER absorbed, and a one-part `$and`/`$or` replaced by its part. Order is kept."""
    if isinstance(cond, Test):
        return cond
    return combine(type(cond), [normalise(part) for part in cond.parts])


def combine(kind: type[And] | type[Or], parts: Iterable[Cond]) -> Cond:
    """`kind(parts)` normalised, for parts that are normalised already."""
    conjunction = kind is And
    flat: dict[Cond, None] = {}
    for part in parts:
        if isinstance(part, kind):
            flat.update(dict.fromkeys(part.parts))
        else:
            flat[part] = None
    if len(flat) == 1:
        return next(iter(flat))
    if (NEVER if conjunction else ALWAYS) in flat:
        return NEVER if conjunction else ALWAYS
    merged = _merge_bounds(list(flat), tighter=conjunction)
    if len(merged) == 1:
        return merged[0]
    return And(tuple(merged)) if conjunction else Or(tuple(merged))


def _merge_bounds(parts: list[Cond], *, tighter: bool) -> list[Cond]:
    """Keep one upper and one lower bound per key: in an `$and` the tightest, in an `$or` the
    loosest. The kept test takes the place of the first of its kind."""
    slots: dict[tuple[str, bool], list[Test]] = {}
    for part in parts:
        if isinstance(part, Test) and part.op in _UPPER:
            slots.setdefault((part.key, _UPPER[part.op]), []).append(part)
    if len(slots) == sum(len(tests) for tests in slots.values()):
        return parts  # nothing to merge
    kept: dict[tuple[str, bool], Test] = {}
    for (key, upper), tests in slots.items():
        # as inclusive bounds: x < c is x <= c - 1, x > c is x >= c + 1
        bound = {test: test.value + _SHIFT[test.op] for test in tests}
        smaller = min if tighter == upper else max  # a tighter upper bound is a smaller one
        kept[key, upper] = smaller(tests, key=bound.__getitem__)
    merged: list[Cond] = []
    for part in parts:
        if isinstance(part, Test) and part.op in _UPPER:
            slot = (part.key, _UPPER[part.op])
            if slot in kept:
                merged.append(kept.pop(slot))
        else:
            merged.append(part)
    return merged


_UPPER = {"$lt": True, "$lte": True, "$gt": False, "$gte": False}
_SHIFT = {"$lt": -1, "$lte": 0, "$gt": 1, "$gte": 0}


# --- the network model ----------------------------------------------------------------------------


class _Node:
    __slots__ = ("children", "need", "next_list", "rules", "test", "work")

    def __init__(self, test: Test | None) -> None:
        self.test = test  # None: the root, or an $or's forward node
        self.children: dict[Test, _Node] = {}  # the node's hash set, shared by equal tests
        self.next_list: list[_Node] = []  # $nex tests, and the forward node of each $or branch
        self.rules = 0  # rules ending here (the beta list)
        self.need = 0  # `Network.load`: the pending stack below this node, for the worst fact
        self.work = 0  # `Network.load`: the steps below this node, for the worst fact


class Network:
    """The alpha network durable-rules builds for a set of rules (rete.c: createAlpha, findAlpha,
    linkAlpha), and bounds of the walk each assert makes over it (events.c: handleAlpha)."""

    def __init__(self, conds: Iterable[Cond] = ()) -> None:
        self.root = _Node(None)
        self.nodes = [self.root]  # in the order made: every node after each node above it
        self.rules = 0
        for cond in conds:
            self.add(cond)

    def add(self, cond: Cond) -> None:
        """Add one rule, `cond` as registered (guarded)."""
        self._build(cond, self.root).rules += 1
        self.rules += 1

    def _node(self, test: Test | None) -> _Node:
        node = _Node(test)
        self.nodes.append(node)
        return node

    def _build(self, cond: Cond, parent: _Node) -> _Node:
        if isinstance(cond, And):
            node = parent
            for part in cond.parts:
                node = self._build(part, node)
            return node
        if isinstance(cond, Or):
            ends = [self._build(part, parent) for part in cond.parts]
            forward = self._node(None)
            for end in ends:  # linked once per branch, never deduplicated
                end.next_list.append(forward)
            return forward
        if cond.op == "$nex":  # kept in the next list, shared by key alone
            for node in parent.next_list:
                if node.test is not None and node.test.op == "$nex" and node.test.key == cond.key:
                    return node
            node = self._node(cond)
            parent.next_list.append(node)
            return node
        found = parent.children.get(cond)
        if found is None:
            found = parent.children[cond] = self._node(cond)
        return found

    def load(self) -> Load:
        """What this network needs of each capacity; `stack` and `work` for the worst fact.

        A node pushes, for one fact, every forward node in its next list and, per key, either
        the $nex tests (the key is absent) or the tests the key's one integer value meets; the
        stack then holds those less one plus what the last pushed needs, and the work counts a
        child once per path that reaches it. Both are maxima over every fact, key by key (keys
        take their values independently). So a sum of loads bounds the load of the union of
        their rules: a node shared by several rules is pushed once where each sum counts it.
        """
        widest = longest = most_rules = 0
        for node in reversed(self.nodes):  # each after every node below it
            most_rules = max(most_rules, node.rules)
            node.need, node.work = 0, node.rules
            if not node.next_list:
                if not node.children:
                    continue
                if len(node.children) == 1:  # a link of an $and's chain: one test, one value
                    (child,) = node.children.values()
                    node.need, node.work = max(1, child.need), node.work + 1 + child.work
                    widest = max(widest, 1)
                    continue
            widest = max(widest, len(node.children))
            longest = max(longest, len(node.next_list))
            by_key: dict[str, tuple[list[_Node], list[_Node]]] = {}
            forwards = []
            for child in node.next_list:
                if child.test is None:  # a forward node: its key is never in a fact
                    forwards.append(child)
                else:
                    by_key.setdefault(child.test.key, ([], []))[0].append(child)
            for test, child in node.children.items():
                by_key.setdefault(test.key, ([], []))[1].append(child)
            count = len(forwards)  # pushed at once, for the fact that pushes the most
            node.work += sum(1 + child.work for child in forwards)
            # how much more than `count` the stack holds, for each child that may be last
            deeper = [max((child.need for child in forwards), default=0)]
            for absent, present in by_key.values():
                pushed, steps, deepest = _present(present)
                if absent:
                    need = max(child.need for child in absent)
                    steps = max(steps, sum(1 + child.work for child in absent))
                    deepest = max(deepest, len(absent) + need)
                    pushed = max(pushed, len(absent))
                count += pushed
                node.work += steps
                deeper.append(deepest - pushed)
            if count:
                node.need = max(count, count - 1 + max(deeper))
        return Load(
            rules=self.rules,
            widest_node=widest,
            longest_list=longest,
            rules_on_node=most_rules,
            stack=self.root.need,
            work=self.root.work,
            nodes=len(self.nodes) - 1,
        )


_INF = float("inf")


def _matching(test: Test) -> list[tuple[float, float]]:
    """The integers a test holds for, as closed intervals."""
    c, op = test.value, test.op
    if op == "$eq":
        return [(c, c)]
    if op == "$neq":
        return [(-_INF, c - 1), (c + 1, _INF)]
    if op in ("$lt", "$lte"):
        return [(-_INF, c - 1 if op == "$lt" else c)]
    if op in ("$gt", "$gte"):
        return [(c + 1 if op == "$gt" else c, _INF)]
    return [(-_INF, _INF)]  # $ex


def _present(nodes: list[_Node]) -> tuple[int, int, int]:
    """For tests on one key, over every integer value: the most of them it meets, the most
    steps those take (each: itself and its work), and the most of (how many it meets plus the
    largest need among them). The maxima lie where a test's interval begins."""
    if len(nodes) <= 1:
        return (1, 1 + nodes[0].work, 1 + nodes[0].need) if nodes else (0, 0, 0)
    if all(node.test is not None and node.test.op == "$eq" for node in nodes):
        # distinct values: one is met at most
        return 1, max(1 + node.work for node in nodes), 1 + max(node.need for node in nodes)
    intervals = sorted(  # (low, high, which test): a $neq holds on two
        (low, high, index)
        for index, node in enumerate(nodes)
        for low, high in _matching(node.test)  # type: ignore[arg-type]
    )
    ends: list[tuple[float, int]] = []  # (high, serial) of the intervals begun, a heap
    needs: list[tuple[int, int]] = []  # (-need, serial) of the same, a heap; ended ones lazily
    ended: set[int] = set()
    met = steps = 0
    best = (0, 0, 0)
    serial = 0
    while serial < len(intervals):
        here = intervals[serial][0]
        while serial < len(intervals) and intervals[serial][0] == here:
            node = nodes[intervals[serial][2]]
            heapq.heappush(ends, (intervals[serial][1], serial))
            heapq.heappush(needs, (-node.need, serial))
            met, steps = met + 1, steps + 1 + node.work
            serial += 1
        while ends and ends[0][0] < here:
            _, gone = heapq.heappop(ends)
            ended.add(gone)
            node = nodes[intervals[gone][2]]
            met, steps = met - 1, steps - 1 - node.work
        while needs[0][1] in ended:
            heapq.heappop(needs)
        best = (max(best[0], met), max(best[1], steps), max(best[2], met - needs[0][0]))
    return best


def measure(conds: Iterable[Cond]) -> Load:
    """What a ruleset of these conditions (each guarded here) needs of each capacity."""
    return Network(guarded(cond) for cond in conds).load()


# --- fitting and packing --------------------------------------------------------------------------

# The load of a rule of one test: the same for every test but $nex (kept in the next list).
_ONE_TEST = {nex: measure([Test("$nex" if nex else "$eq", "t0", 1)]) for nex in (False, True)}


def fit(cond: Cond, budget: Load = BUDGET) -> list[tuple[Cond, Load]]:
    """Pieces whose OR is `cond`, each within MAX_OPERATORS and `budget` alone, with its load.

    A piece replaces one `$or` by part of its branches: durable conditions have no negation, so
    the condition holds exactly when one of the pieces does. Over MAX_OPERATORS, an `$or` is cut
    into as few groups of branches as bring each piece within it; over a capacity, the widest
    `$or` (for the stack, the widest whose branches can hold together) is cut in slices. An
    empty list: `cond` never holds. Raises TooLarge past MAX_PIECES, or when no cut helps.
    """
    cond = normalise(cond)
    if isinstance(cond, Test):  # half the conditions of a typical book: measured once for all
        return [(cond, _ONE_TEST[cond.op == "$nex"])]
    if cond == NEVER:
        return []
    whole = measure([cond])
    if whole.work > budget.work:  # cutting spreads the paths over pieces; it never removes one
        raise TooLarge(_describe(["work"], whole, budget))
    if operators(guarded(cond)) <= MAX_OPERATORS and not whole.over(budget):
        return [(cond, whole)]  # the common case
    pieces: list[tuple[Cond, Load]] = []
    todo: list[Cond] = [cond]
    while todo:
        if len(pieces) + len(todo) > MAX_PIECES:
            raise TooLarge(f"it needs more than {MAX_PIECES} durable rules")
        current = todo.pop()
        ors = _ors(current)
        if operators(guarded(current)) > MAX_OPERATORS:
            if not ors:
                raise TooLarge(f"it nests more than {MAX_OPERATORS} all/any")
            path, groups = _fewest_operators(current, ors)
            parts = [group[0] if len(group) == 1 else Or(group) for group in groups]
            todo.extend(reversed([_replace(current, path, part) for part in parts]))
            continue
        load = measure([current])
        over = load.over(budget)
        if not over:
            pieces.append((current, load))
            continue
        candidates = [found for found in ors if len(found[1]) > 1]
        if over == ["stack"]:
            candidates = [found for found in candidates if not _exclusive(found[1])] or candidates
        if not candidates:
            raise TooLarge(_describe(over, load, budget))
        path, branches = max(candidates, key=lambda found: len(found[1]))
        # as many slices as the most exceeded capacity suggests (measured again, and cut again
        # if that was too few)
        times = max(-(-getattr(load, name) // getattr(budget, name)) for name in over)
        size = -(-len(branches) // min(len(branches), max(2, times)))
        slices = [Or(branches[start : start + size]) for start in range(0, len(branches), size)]
        todo.extend(reversed([_replace(current, path, part) for part in slices]))
    return pieces


def _fewest_operators(
    cond: Cond, ors: list[tuple[_Path, tuple[Cond, ...]]]
) -> tuple[_Path, list[tuple[Cond, ...]]]:
    """Where to cut `cond` for fewer $and/$or: the `$or` whose branches, grouped so that each
    piece is within MAX_OPERATORS, make the fewest pieces; failing that (no one cut is enough),
    the narrowest `$or`, one branch per piece (each piece has one operator fewer)."""
    total = operators(guarded(cond))
    best: tuple[_Path, list[tuple[Cond, ...]]] | None = None
    for path, branches in ors:
        costs = [operators(branch) for branch in branches]
        room = MAX_OPERATORS - (total - 1 - sum(costs))  # for what replaces this $or
        if room < max(costs):
            continue
        groups: list[tuple[Cond, ...]] = []
        group: list[Cond] = []
        used = 0
        for branch, cost in zip(branches, costs, strict=True):
            if group and used + cost + 1 > room:  # +1: the group's own $or
                groups.append(tuple(group))
                group, used = [], 0
            group.append(branch)
            used += cost
        groups.append(tuple(group))
        if best is None or len(groups) < len(best[1]):
            best = (path, groups)
    if best is not None:
        return best
    path, branches = min(ors, key=lambda found: len(found[1]))
    return path, [(branch,) for branch in branches]


def _describe(over: list[str], load: Load, budget: Load) -> str:
    name = over[0]
    have, most = getattr(load, name), getattr(budget, name)
    what = {
        "widest_node": "it puts {have:,} tests side by side, more than the {most:,} allowed",
        "longest_list": "it links one test {have:,} times, more than the {most:,} allowed",
        "stack": "{have:,} of its tests can match at once, more than the {most:,} allowed",
        "work": "one check could take {have:,} matching steps, more than the {most:,} allowed",
    }.get(name, "it needs {have:,} of " + name + ", more than the {most:,} allowed")
    return what.format(have=have, most=most)


_Path = tuple[int, ...]


def _ors(cond: Cond, path: _Path = ()) -> list[tuple[_Path, tuple[Cond, ...]]]:
    """Every `$or` in the condition: where it is (part indexes from the top) and its branches."""
    if isinstance(cond, Test):
        return []
    found = [(path, cond.parts)] if isinstance(cond, Or) else []
    for index, part in enumerate(cond.parts):
        found += _ors(part, (*path, index))
    return found


def _replace(cond: Cond, path: _Path, new: Cond) -> Cond:
    """`cond` with the part at `path` replaced by `new`, normalised."""
    if not path:
        return normalise(new)  # a slice of an $or's branches, or one of them
    assert not isinstance(cond, Test)
    parts = list(cond.parts)
    parts[path[0]] = _replace(parts[path[0]], path[1:], new)
    return combine(type(cond), parts)


def _exclusive(branches: tuple[Cond, ...]) -> bool:
    """Equalities on one key: one integer meets at most one of them."""
    return all(isinstance(b, Test) and b.op == "$eq" for b in branches) and (
        len({b.key for b in branches if isinstance(b, Test)}) == 1
    )


class Unit(NamedTuple):
    """One durable rule to place in a ruleset."""

    name: str
    cond: Cond
    keys: frozenset[str]
    load: Load


def pack(units: list[Unit], budget: Load = BUDGET) -> list[list[Unit]]:
    """Rulesets of consecutive units, each within `budget` and TERMS_PER_FACT keys.

    A ruleset's load is at most the sum of its rules' loads (`Network.load`), so the sum
    decides where a ruleset ends. Every unit must fit alone (`fit` sees to it).
    """
    rulesets: list[list[Unit]] = []
    load = Load()
    keys: set[str] = set()
    for unit in units:
        if rulesets and not load.plus(unit.load).over(budget):
            joined = keys | unit.keys
            if len(joined) <= TERMS_PER_FACT:
                rulesets[-1].append(unit)
                load, keys = load.plus(unit.load), joined
                continue
        rulesets.append([unit])
        load, keys = unit.load, set(unit.keys)
    return rulesets
