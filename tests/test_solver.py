"""The SAT layer: gates, cores, OptUx and RC2 wrappers, and that `check` never loads pysat."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from redlines.space.solver import Formula, Oracle, maxsat, shrink, smallest_cores


def models(formula: Formula, names: list[int]) -> set[tuple[bool, ...]]:
    """Every assignment of `names` that extends to a model (projected enumeration)."""
    found = set()
    with Oracle(formula) as oracle:
        for values in itertools.product([True, False], repeat=len(names)):
            lits = [n if v else -n for n, v in zip(names, values, strict=True)]
            if oracle.solve(lits):
                found.add(values)
    return found


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-4, 4).filter(bool), min_size=0, max_size=4))
def test_and_or_gates_are_equivalences(inputs: list[int]) -> None:
    f = Formula()
    xs = [f.var() for _ in range(4)]  # variables 2..5
    lits = [xs[abs(i) - 1] * (1 if i > 0 else -1) for i in inputs]
    conj, disj = f.and_(lits), f.or_(lits)
    with Oracle(f) as oracle:
        for values in itertools.product([True, False], repeat=4):
            assume = [x if v else -x for x, v in zip(xs, values, strict=True)]
            truth = {x: v for x, v in zip(xs, values, strict=True)}

            def holds(lit: int, truth: dict[int, bool] = truth) -> bool:
                return truth[abs(lit)] == (lit > 0)

            want_and = all(holds(lit) for lit in lits)
            want_or = any(holds(lit) for lit in lits)
            assert oracle.solve([*assume, conj if want_and else -conj])
            assert not oracle.solve([*assume, -conj if want_and else conj])
            assert oracle.solve([*assume, disj if want_or else -disj])
            assert not oracle.solve([*assume, -disj if want_or else disj])


def test_constants_fold() -> None:
    f = Formula()
    x = f.var()
    assert f.and_([]) == f.TRUE and f.or_([]) == f.FALSE
    assert f.and_([x, -x]) == f.FALSE and f.or_([x, -x]) == f.TRUE
    assert f.and_([x, f.TRUE]) == x and f.or_([x, f.FALSE]) == x
    assert f.and_([x, x]) == x
    # an OR and the AND of the negations share one gate
    y = f.var()
    assert f.or_([x, y]) == -f.and_([-x, -y])


@pytest.mark.parametrize("size", [1, 2, 6, 7, 12])
def test_exactly_one(size: int) -> None:
    f = Formula()
    xs = [f.var() for _ in range(size)]
    f.exactly_one(xs)
    found = models(f, xs)
    assert found == {tuple(i == j for j in range(size)) for i in range(size)}


def test_an_all_false_clause_keeps_the_formula_unsatisfiable() -> None:
    f = Formula()
    f.add([f.FALSE])
    with Oracle(f) as oracle:
        assert not oracle.solve()


def _pigeons() -> tuple[Formula, list[int]]:
    """a, b, c with a clashing with b and with c: MUSes {a, b} and {a, c}, and {b, c, d}."""
    f = Formula()
    a, b, c, d = (f.var() for _ in range(4))
    x = f.var()
    f.add([-a, x])
    f.add([-b, -x])
    f.add([-c, -x])
    y = f.var()
    f.add([-b, y])
    f.add([-c, -y, -d])
    return f, [a, b, c, d]


def test_shrink_returns_a_minimal_core() -> None:
    f, (a, b, c, d) = _pigeons()
    with Oracle(f) as oracle:
        core = shrink(oracle, [], [a, b, c, d])
        assert core is not None
        assert not oracle.solve(core)
        for lit in core:
            assert oracle.solve([x for x in core if x != lit])
        assert shrink(oracle, [], [b, d]) is None  # satisfiable
        assert shrink(oracle, [a], [b, d]) == [b]  # `fixed` stays out of the core


def test_smallest_cores_enumerates_every_mus_smallest_first() -> None:
    f, (a, b, c, d) = _pigeons()
    cores, complete = smallest_cores(f, [], [a, b, c, d], limit=10, budget=10.0)
    assert complete
    assert sorted(map(sorted, cores)) == sorted(map(sorted, ([a, b], [a, c], [b, c, d])))
    assert [len(core) for core in cores] == [2, 2, 3]  # smallest first
    limited, complete = smallest_cores(f, [], [a, b, c, d], limit=1, budget=10.0)
    assert len(limited) == 1 and not complete


def test_maxsat_finds_the_optimum() -> None:
    f, (a, b, c, d) = _pigeons()
    # Keeping a costs b and c (2 + 2); giving up a costs 5, plus d (1) to break {b, c, d}.
    weights = {a: 5, b: 2, c: 2, d: 1}
    solved = maxsat(f, [], list(weights.items()))
    assert solved is not None
    model, cost = solved
    assert cost == 4
    assert [lit for lit in (a, b, c, d) if model.holds(lit)] == [a, d]
    assert maxsat(f, [a, b], []) is None  # the fixed literals alone are unsatisfiable


def test_check_does_not_load_the_solver() -> None:
    code = (
        "import sys, redlines\n"
        "from redlines.cli import main\n"
        "book = redlines.load_rules('tests/fixtures/rules')\n"
        "draft = redlines.load_proposal('tests/fixtures/proposals/draft.yaml', book)\n"
        "redlines.check(draft, book)\n"
        "main(['check', 'tests/fixtures/proposals', '--rules', 'tests/fixtures/rules',"
        " '--format', 'json'])\n"
        "assert 'pysat' not in sys.modules, 'check loaded pysat'\n"
        "assert 'redlines.space' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
