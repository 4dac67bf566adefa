"""durable-rules' limits (`redlines/engine/durable_limits.py`), each pinned twice:

- the C core itself, at the last value that works and the first that fails, so that a
  durable-rules release that moves a limit fails here first. Each probe runs in its own process
  under a CPU-time limit: a spin is a kill by SIGXCPU (after 1 s of CPU; a probe at a limit
  takes ~0.1 s), a segfault a kill by SIGSEGV;
- the network model (`Network`) that the durable engine fits rulesets with, on the same cases:
  within the C limits exactly where the core works;
- redlines past each limit: the shape that broke it through `make_engine(book, "auto")`, in a
  subprocess with a timeout, held to the python engine's truths (`tests/durable_shapes.py`).

Plus the fitting itself on generated conditions: pieces are equivalent to the whole and each
fits the budget; rulesets fit it too.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redlines.engine import durable_available
from redlines.engine.durable_limits import (
    ALWAYS,
    BUDGET,
    C_LIMITS,
    MARKER,
    MAX_OPERATORS,
    NEVER,
    And,
    Cond,
    Load,
    Network,
    Or,
    TooLarge,
    Unit,
    as_json,
    fit,
    guarded,
    keys_of,
    measure,
    normalise,
    operators,
    pack,
)
from redlines.engine.durable_limits import Test as Alpha  # pytest would collect `Test`

TESTS = Path(__file__).resolve().parent
needs_durable = pytest.mark.skipif(not durable_available(), reason="durable-rules not importable")

# --- the C core ---------------------------------------------------------------------------------

# Runs in a fresh interpreter: create one ruleset from the rules on stdin, assert each fact
# (collecting the rules it fires), retract it. Prints "created" once the ruleset exists, so a
# spin is located, then one outcome line.
PROBE = r"""
import json, re, sys
import durable_rules_engine as core
spec = json.load(sys.stdin)
def code(err):
    found = re.search(r"error code: (\d+)", str(err))
    return found.group(1) if found else str(err)
try:
    handle = core.create_ruleset("probe", json.dumps(spec["rules"]))
except core.error as err:
    print(f"error:{code(err)}@create"); sys.exit()
print("created", flush=True)
fired = []
for fact in spec["facts"]:
    payload, names = json.dumps(fact), set()
    try:
        result, state = core.assert_fact(handle, payload)
    except core.error as err:
        print(f"error:{code(err)}@assert"); sys.exit()
    if result == 0:
        message = core.start_action_for_state(handle, state)
        while message:
            text = message[1] if isinstance(message, tuple) else message
            names.add(text[2 : text.index('"', 2)])
            message = core.complete_and_start_action(handle, state)
    result, state = core.retract_fact(handle, payload)
    if result == 0:
        message = core.start_action_for_state(handle, state)
        while message:
            message = core.complete_and_start_action(handle, state)
    fired.append(sorted(names))
print("ok " + json.dumps(fired))
"""


def probe(rules: dict[str, Cond], facts: list[dict[str, Any]], cpu_seconds: int = 1) -> str:
    """What the C core does with one ruleset of these (guarded) rules and these facts:
    "ok", "spin:create", "spin:assert", "error:NNN@create", "error:NNN@assert" or "crash:SIGNAL".
    """
    definitions = {name: {"all": [{"m": as_json(c)}]} for name, c in rules.items()}
    return probe_json(definitions, facts, cpu_seconds)


def probe_json(rules: dict[str, Any], facts: list[dict[str, Any]], cpu_seconds: int = 1) -> str:
    """`probe` for rules already in durable-rules' JSON."""

    def limit_cpu() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))

    spec = {"rules": rules, "facts": facts}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], input=json.dumps(spec), capture_output=True, text=True,
        timeout=120, preexec_fn=limit_cpu,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    if done.returncode == -signal.SIGXCPU:
        return "spin:assert" if lines[-1:] == ["created"] else "spin:create"
    if done.returncode < 0:
        return f"crash:{signal.Signals(-done.returncode).name}"
    assert done.returncode == 0 and lines, done.stderr
    return "ok" if lines[-1].startswith("ok ") else lines[-1]


def fact(**values: int) -> dict[str, int]:
    return {MARKER.key: MARKER.value, **values}


def eq(key: str, value: int) -> Alpha:
    return Alpha("$eq", key, value)


def one_rule(cond: Cond) -> dict[str, Cond]:
    return {"r": guarded(cond)}


# A case: the rules (guarded) and the facts asserted.
Case = tuple[dict[str, Cond], list[dict[str, int]]]


def or_width(n: int) -> Case:  # an `in` of n values: n tests under the marker
    return one_rule(Or(tuple(eq("t0", i) for i in range(n)))), [fact(t0=1)]


def or_width_two_rules(n: int) -> Case:  # the same, spread over two rules
    rules: dict[str, Cond] = {
        f"r{j}": guarded(Or(tuple(eq("t0", j * n + i) for i in range(n)))) for j in (0, 1)
    }
    return rules, [fact(t0=1)]


def nested_or_width(n: int) -> Case:  # under another test, not the marker
    cond = And((eq("k", 1), Or(tuple(eq("t0", i) for i in range(n)))))
    return one_rule(cond), [fact(k=1, t0=1)]


def repeated_branch(n: int, value: int = 1) -> Case:  # an `in` repeating one value n times
    # built as the C core would get it without normalising: the same branch n times
    rule = And((MARKER, Or((eq("t0", 0),) * n)))
    return {"r": rule}, [fact(t0=value)]


def absent_branches(n: int) -> Case:  # an `any` of n `absent`: n $nex in one next list
    cond = Or(tuple(Alpha("$nex", f"t{i}", 1) for i in range(n)))
    return one_rule(cond), [fact(**{f"t{i}": 1 for i in range(n)})]


def same_rules(n: int) -> Case:  # n rules with one condition: all end on one node
    return {f"r{j}": guarded(eq("t0", 1)) for j in range(n)}, [fact(t0=1)]


def operator_count(k: int) -> Case:  # k $and/$or in one rule, the guard's $and included
    ors = tuple(Or((eq(f"a{j}", 1), eq(f"a{j}", 2))) for j in range(k - 1))
    return {"r": And((MARKER, *ors))}, [fact(a0=1)]


def matching_branches(n: int) -> Case:  # an `any` of n tests all true for the fact
    return one_rule(Or(tuple(Alpha("$lt", "t0", i) for i in range(n)))), [fact(t0=-1)]


def matching_rules(n: int) -> Case:  # n rules all true for the fact
    rules: dict[str, Cond] = {f"r{j}": guarded(Alpha("$gt", "t0", -j - 1)) for j in range(n)}
    return rules, [fact(t0=0)]


def many_rules(n: int) -> Case:
    rules: dict[str, Cond] = {
        f"r{k}": guarded(And((eq("a", k // 64), eq("b", k % 64)))) for k in range(n)
    }
    return rules, [fact(a=3, b=7)]


def fact_properties(n: int) -> Case:  # a fact of n terms besides the marker (and id, sid)
    return one_rule(eq("t0", 1)), [fact(**{f"t{i}": 1 for i in range(n)})]


# (id, case, what the C core does, the capacities the model finds over the C limits). The model
# bounds the stack over every fact, so where a case's fact does not meet the tests it is over
# the stack limit while the core, on that fact, is not (the "_met" case meets them).
PINS: list[tuple[str, Callable[[], Case], str, tuple[str, ...]]] = [
    # tests under one node (a 512-slot hash set, probed with no exit once full)
    ("or_width-511", lambda: or_width(511), "ok", ()),
    ("or_width-512", lambda: or_width(512), "spin:assert", ("widest_node",)),
    ("or_width-513", lambda: or_width(513), "spin:create", ("widest_node",)),
    ("or_width_two_rules-255", lambda: or_width_two_rules(255), "ok", ()),
    ("or_width_two_rules-256", lambda: or_width_two_rules(256), "spin:assert", ("widest_node",)),
    ("nested_or_width-511", lambda: nested_or_width(511), "ok", ()),
    ("nested_or_width-512", lambda: nested_or_width(512), "spin:assert", ("widest_node",)),
    # links on one node (a next list of 128)
    ("repeated_branch-128", lambda: repeated_branch(128), "ok", ("stack",)),
    ("repeated_branch-130", lambda: repeated_branch(130), "error:107@create",
     ("longest_list", "stack")),
    ("absent_branches-128", lambda: absent_branches(128), "ok", ("stack",)),
    ("absent_branches-129", lambda: absent_branches(129), "error:107@create",
     ("longest_list", "stack")),
    # rules ending on one node (a beta list of 256)
    ("same_rules-255", lambda: same_rules(255), "ok", ()),
    ("same_rules-256", lambda: same_rules(256), "crash:SIGSEGV", ("rules_on_node",)),
    ("same_rules-257", lambda: same_rules(257), "error:108@create", ("rules_on_node",)),
    # operators in one rule (32 expression slots, two per operator)
    ("operator_count-15", lambda: operator_count(15), "ok", ()),
    ("operator_count-16", lambda: operator_count(16), "error:113@create", ("operators",)),
    # nodes pending at once while a fact is walked (a stack of 64)
    ("matching_branches-64", lambda: matching_branches(64), "ok", ()),
    ("matching_branches-65", lambda: matching_branches(65), "error:303@assert", ("stack",)),
    ("matching_rules-64", lambda: matching_rules(64), "ok", ()),
    ("matching_rules-65", lambda: matching_rules(65), "error:303@assert", ("stack",)),
    ("repeated_branch_met-64", lambda: repeated_branch(64, value=0), "ok", ()),
    ("repeated_branch_met-65", lambda: repeated_branch(65, value=0), "error:303@assert",
     ("stack",)),
    # rules in one ruleset
    ("many_rules-4096", lambda: many_rules(4096), "ok", ()),
    ("many_rules-4097", lambda: many_rules(4097), "error:106@create", ("rules",)),
    # properties of one fact: the marker, id and sid, and at most 251 terms (not modelled:
    # the engine sends each ruleset at most TERMS_PER_FACT terms)
    ("fact_properties-251", lambda: fact_properties(251), "ok", ()),
    ("fact_properties-252", lambda: fact_properties(252), "error:302@assert", ()),
]  # fmt: skip


@needs_durable
@pytest.mark.parametrize(
    ("make", "expected"), [(p[1], p[2]) for p in PINS], ids=[p[0] for p in PINS]
)
def test_the_c_core_fails_just_past_each_limit(make: Callable[[], Case], expected: str) -> None:
    rules, facts = make()
    slow = len(rules) > 1000  # creating 4,096 rules takes ~1 s of CPU
    assert probe(rules, facts, cpu_seconds=8 if slow else 1) == expected


@pytest.mark.parametrize(("make", "over"), [p[1::2] for p in PINS], ids=[p[0] for p in PINS])
def test_the_network_model_exceeds_a_c_limit_where_the_core_fails(
    make: Callable[[], Case], over: tuple[str, ...]
) -> None:
    rules, _ = make()
    exceeded = Network(rules.values()).load().over(C_LIMITS)
    if any(operators(rule) > MAX_OPERATORS for rule in rules.values()):
        exceeded.append("operators")
    assert tuple(exceeded) == over


@needs_durable
@pytest.mark.parametrize(("patterns", "expected"), [(16, "ok"), (17, "error:304@assert")])
def test_the_c_core_joins_at_most_16_patterns_in_one_rule(patterns: int, expected: str) -> None:
    # Each rule the engine registers has one pattern (test_engine_durable checks the JSON); a
    # rule of several, each matching the same fact ("dist": 0), fails at its 17th.
    guard = {MARKER.key: MARKER.value}
    rule = {"all": [{f"p{i}": {"$and": [guard, {f"k{i}": 1}]}} for i in range(patterns)], "dist": 0}
    assert probe_json({"r": rule}, [fact(**{f"k{i}": 1 for i in range(patterns)})]) == expected


@needs_durable
@pytest.mark.parametrize("length", [65_534, 65_536])
def test_the_c_core_compares_strings_on_16_bit_lengths(length: int) -> None:
    # Strings reach the core never: this pin says why. Two different strings of 65,536 bytes
    # compare equal (the rule fires); redlines sends enum values as their position instead.
    long_x, long_y = "x" * length, "y" * length
    spec = {"rules": {"r": {"all": [{"m": {"$and": [{MARKER.key: 1}, {"t0": long_x}]}}]}},
            "facts": [{MARKER.key: 1, "t0": long_y}]}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", PROBE], input=json.dumps(spec), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    fired = json.loads(done.stdout.splitlines()[-1].removeprefix("ok "))
    assert fired == ([["r"]] if length >= 65_535 else [[]])


def test_term_keys_never_share_durables_property_hash() -> None:
    # The core tells a fact's properties apart by a 32-bit FNV-1a hash of their names alone
    # (state.c). Terms are keys t0, t1, … up to the loader's 2,000 terms; none may collide with
    # another or with the marker and the core's own id, sid and $s.
    def fnv1a(text: str) -> int:
        hashed = 0x811C9DC5
        for byte in text.encode():
            hashed = ((hashed ^ (byte - 256 if byte > 127 else byte)) * 0x01000193) & 0xFFFFFFFF
        return hashed

    assert fnv1a("id") == 926444256 and fnv1a("sid") == 3593476751  # the core's HASH_ID, HASH_SID
    names = [MARKER.key, "id", "sid", "$s", *(f"t{i}" for i in range(2000))]
    assert len({fnv1a(name) for name in names}) == len(names)


# --- redlines past each limit -------------------------------------------------------------------

# The shape, and the engine `auto` must take: durable wherever it fits when split.
PAST_LIMITS = [
    ("in_2000_integers", "durable"),  # tests under one node
    ("in_600_dates", "durable"),
    ("any_600_equalities", "durable"),
    ("all_1000_greater", "durable"),  # and tests matching at once
    ("one_value_1000_times", "durable"),  # links on one node, and matching at once
    ("any_129_absent", "durable"),  # links on one node
    ("same_rule_300_times", "durable"),  # rules ending on one node
    ("all_20_in_lists", "durable"),  # operators in one rule
    ("any_65_true", "durable"),  # tests matching at once
    ("rules_65_true", "durable"),
    ("enum_70000_characters", "durable"),  # strings
    ("paths_4_to_the_10th", "python"),  # matching paths: refused, with a notice
    ("all_40_in_lists", "python"),  # more pieces than allowed
]


@needs_durable
@pytest.mark.parametrize(("shape", "engine"), PAST_LIMITS, ids=[s for s, _ in PAST_LIMITS])
def test_redlines_stays_correct_past_each_limit(shape: str, engine: str) -> None:
    def limit_cpu() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (20, 21))

    done = subprocess.run(
        [sys.executable, str(TESTS / "durable_shapes.py"), shape],
        capture_output=True, text=True, timeout=120, preexec_fn=limit_cpu,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), *sys.path])},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["differ"] == []
    assert result["engine"] == engine
    if engine == "python":
        assert result["notice"].startswith("redlines: R0 is too large for durable-rules: ")
        assert result["notice"].endswith("; using the python engine\n")
    else:
        assert result["notice"] == ""


# --- fitting -------------------------------------------------------------------------------------

KEYS = ["t0", "t1", "t2"]
OPS = ["$eq", "$neq", "$lt", "$lte", "$gt", "$gte", "$ex", "$nex"]


def holds(cond: Cond, facts: dict[str, int]) -> bool:
    """What durable-rules decides: a test of an absent key fails, except $nex."""
    if isinstance(cond, And):
        return all(holds(part, facts) for part in cond.parts)
    if isinstance(cond, Or):
        return any(holds(part, facts) for part in cond.parts)
    if cond.op == "$nex":
        return cond.key not in facts
    if cond.key not in facts:
        return False
    value, c = facts[cond.key], cond.value
    return {"$eq": value == c, "$neq": value != c, "$lt": value < c, "$lte": value <= c,
            "$gt": value > c, "$gte": value >= c, "$ex": True}[cond.op]  # fmt: skip


tests = st.builds(
    lambda op, key, value: Alpha(op, key, 1 if op in ("$ex", "$nex") else value),
    st.sampled_from(OPS), st.sampled_from(KEYS), st.integers(-2, 6),
)  # fmt: skip
# Wide ones too: an `$or` of up to 600 tests, a value repeated, nesting to depth 3.
conds: st.SearchStrategy[Cond] = st.recursive(
    tests,
    lambda inner: st.one_of(
        st.lists(inner, min_size=0, max_size=4).map(lambda parts: And(tuple(parts))),
        st.lists(inner, min_size=0, max_size=4).map(lambda parts: Or(tuple(parts))),
        st.builds(lambda n, k: Or(tuple(Alpha("$eq", k, i % 300) for i in range(n))),
                  st.integers(1, 600), st.sampled_from(KEYS)),
        st.builds(lambda n, t: Or((t,) * n), st.integers(1, 200), tests),
        st.builds(lambda n, k: Or(tuple(Alpha("$gt", f"w{i}", k) for i in range(n))),
                  st.integers(1, 100), st.integers(-1, 1)),
    ),
    max_leaves=12,
)  # fmt: skip
fact_sets = st.dictionaries(
    st.sampled_from([*KEYS, *(f"w{i}" for i in range(100))]), st.integers(-3, 301)
)


@settings(max_examples=300, deadline=None)
@given(cond=conds, facts=st.lists(fact_sets, min_size=1, max_size=5))
def test_normalising_keeps_the_meaning(cond: Cond, facts: list[dict[str, int]]) -> None:
    normal = normalise(cond)
    assert normalise(normal) == normal
    for one in facts:
        assert holds(normal, one) == holds(cond, one)


@settings(max_examples=300, deadline=None)
@given(cond=conds, facts=st.lists(fact_sets, min_size=1, max_size=5))
def test_pieces_hold_exactly_when_the_whole_does_and_each_fits(
    cond: Cond, facts: list[dict[str, int]]
) -> None:
    try:
        pieces = fit(cond)
    except TooLarge:
        return  # refused: the python engine decides it
    for piece, load in pieces:
        assert load == measure([piece])
        assert not load.over(BUDGET)
        assert operators(guarded(piece)) <= MAX_OPERATORS
    for one in facts:
        assert any(holds(piece, one) for piece, _ in pieces) == holds(cond, one)


@settings(max_examples=100, deadline=None)
@given(rules=st.lists(conds, min_size=1, max_size=40))
def test_every_packed_ruleset_fits_the_budget(rules: list[Cond]) -> None:
    units = []
    for i, cond in enumerate(rules):
        try:
            pieces = fit(cond)
        except TooLarge:
            continue
        units += [
            Unit(f"r{i}#{k}", p, frozenset(keys_of(p)), load) for k, (p, load) in enumerate(pieces)
        ]
    rulesets = pack(units)
    assert [unit for ruleset in rulesets for unit in ruleset] == units  # all, in order
    for ruleset in rulesets:
        assert not measure(unit.cond for unit in ruleset).over(BUDGET)


@settings(max_examples=200, deadline=None)
@given(rules=st.lists(conds, min_size=2, max_size=20))
def test_a_ruleset_never_needs_more_than_its_rules_add_up_to(rules: list[Cond]) -> None:
    # what lets `pack` decide by sums: a node shared by several rules is pushed once
    total = Load()
    for cond in rules:
        total = total.plus(measure([cond]))
    union = measure(rules)
    assert all(together <= apart for together, apart in zip(union, total, strict=True))


def test_the_budget_keeps_half_of_each_c_limit_in_reserve() -> None:
    for name in ("rules", "widest_node", "longest_list", "rules_on_node"):
        assert getattr(BUDGET, name) * 2 <= getattr(C_LIMITS, name) + 1, name
    assert BUDGET.stack == 48 and C_LIMITS.stack == 64  # already a bound over every fact
    assert BUDGET.work <= 4096  # the core has no limit: a few milliseconds per check at most


def test_what_normalising_does() -> None:
    x = [Alpha("$eq", "t0", i) for i in range(3)]
    assert normalise(Or((x[0], x[1], x[0], Or((x[1], x[2]))))) == Or((x[0], x[1], x[2]))
    assert normalise(Or((x[0],) * 200)) == x[0]  # one value repeated
    bounds = [Alpha("$gt", "t1", 1), Alpha("$gte", "t1", 5), Alpha("$lt", "t1", 9)]
    assert normalise(And(tuple(bounds))) == And((bounds[1], bounds[2]))  # x >= 5 and x < 9
    assert normalise(Or(tuple(bounds))) == Or((bounds[0], bounds[2]))  # x > 1 or x < 9
    assert normalise(And((x[0], Or(())))) == NEVER
    assert normalise(Or((x[0], And(())))) == ALWAYS
