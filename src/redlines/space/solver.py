"""The SAT layer: a CNF with cached Tseitin gates, and the pysat algorithms behind small functions.

Everything here speaks literals (non-zero ints, DIMACS style); `encoding.py` maps terms and rules
onto them. The approach was measured against z3, OR-Tools CP-SAT and clingo on rule books of this
shape (3 actors x 40 rules up to 5 x 50): one incremental solver probed under assumptions was
10-280x faster than re-solving, because the zone and the cores are many small questions about
one formula. So: one solver asked under assumptions, deletion shrinking for one core (a raw core
is not always minimal), OptUx for several cores smallest-first (its proof that no further core
exists can take over a second, hence the time budget), RC2 for the weighted concessions.

pysat is imported only when a solver is built, so `import redlines` and `redlines check` never
load it (a test holds this). `pysat.examples.*` is pysat's de-facto API, not a stable one, so
only this module touches it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any

# Glucose 3: incremental, good cores under assumptions, and the default pysat's own MUS and
# MaxSAT tools were measured with.
SOLVER = "g3"


class Formula:
    """A CNF under construction: fresh variables, clauses, and AND/OR gates shared by inputs.

    Variable 1 is the constant TRUE, so folding a gate to a constant still yields a literal.
    Gates are full equivalences (y <-> AND(xs)), which keeps every gate a function of its inputs:
    models of the CNF and packages stay one-to-one, and a gate can be assumed either way.
    """

    def __init__(self) -> None:
        self.nvars = 1
        self.clauses: list[list[int]] = [[1]]
        self._ands: dict[tuple[int, ...], int] = {}

    TRUE = 1
    FALSE = -1

    def var(self) -> int:
        self.nvars += 1
        return self.nvars

    def add(self, clause: Iterable[int]) -> None:
        lits = sorted(set(clause), key=abs)
        if any(-lit in lits for lit in lits) or self.TRUE in lits:
            return  # a tautology
        kept = [lit for lit in lits if lit != self.FALSE]
        self.clauses.append(kept or [self.FALSE])  # all false: keep the formula unsatisfiable

    def and_(self, inputs: Iterable[int]) -> int:
        lits = set(inputs)
        if self.FALSE in lits or any(-lit in lits for lit in lits):
            return self.FALSE
        lits.discard(self.TRUE)
        if not lits:
            return self.TRUE
        if len(lits) == 1:
            return next(iter(lits))
        key = tuple(sorted(lits))
        gate = self._ands.get(key)
        if gate is None:
            gate = self.var()
            for lit in key:
                self.add([-gate, lit])
            self.add([gate, *(-lit for lit in key)])
            self._ands[key] = gate
        return gate

    def or_(self, inputs: Iterable[int]) -> int:
        # De Morgan, so OR and AND gates over the same inputs share one variable.
        return -self.and_(-lit for lit in inputs)

    def exactly_one(self, lits: Sequence[int]) -> None:
        self.add(lits)
        if len(lits) <= 6:
            for i, first in enumerate(lits):
                for second in lits[i + 1 :]:
                    self.add([-first, -second])
            return
        # Sinz's sequential counter: linear instead of quadratic for long value lists.
        carry = [self.var() for _ in lits[:-1]]
        self.add([-lits[0], carry[0]])
        for i in range(1, len(lits) - 1):
            self.add([-lits[i], carry[i]])
            self.add([-carry[i - 1], carry[i]])
            self.add([-lits[i], -carry[i - 1]])
        self.add([-lits[-1], -carry[-1]])


class Model:
    """One satisfying assignment: which literals hold."""

    def __init__(self, assignment: Sequence[int]) -> None:
        self._true = {lit for lit in assignment if lit > 0}

    def holds(self, lit: int) -> bool:
        return (abs(lit) in self._true) == (lit > 0)


class Oracle:
    """One incremental SAT solver over a Formula, asked questions under assumptions."""

    def __init__(self, formula: Formula) -> None:
        from pysat.solvers import Solver

        self._formula = formula
        self._solver: Any = Solver(name=SOLVER, bootstrap_with=formula.clauses)
        self._synced = len(formula.clauses)

    def sync(self) -> None:
        """Take in clauses added to the formula since (new gates for later questions)."""
        for clause in self._formula.clauses[self._synced :]:
            self._solver.add_clause(clause)
        self._synced = len(self._formula.clauses)

    def solve(self, assumptions: Iterable[int] = ()) -> bool:
        self.sync()
        return bool(self._solver.solve(assumptions=list(assumptions)))

    def model(self) -> Model:
        return Model(self._solver.get_model() or ())

    def core(self) -> list[int]:
        return list(self._solver.get_core() or ())

    def prefer(self, lits: Iterable[int]) -> None:
        """Phases the solver tries first (not a constraint): e.g. 'leave terms unaddressed'."""
        self._solver.set_phases(literals=list(lits))

    def close(self) -> None:
        if self._solver is not None:
            self._solver.delete()
            self._solver = None

    def __enter__(self) -> Oracle:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def shrink(oracle: Oracle, fixed: Sequence[int], candidates: Sequence[int]) -> list[int] | None:
    """A minimal subset of `candidates` unsatisfiable together with `fixed`; None if satisfiable.

    Deletion-based (as MUSX does) with clause-set refinement: each failed deletion keeps only the
    candidates in the solver's new core. Minimal means dropping any one member makes the rest
    satisfiable, which the loop checks for every member it keeps.
    """
    if oracle.solve([*fixed, *candidates]):
        return None
    in_core = set(oracle.core())
    kept = [lit for lit in candidates if lit in in_core]
    i = 0
    while i < len(kept):
        trial = kept[:i] + kept[i + 1 :]
        if oracle.solve([*fixed, *trial]):
            i += 1  # needed: without it the rest is satisfiable
        else:
            in_core = set(oracle.core())
            # Members before i stay: each was needed in a superset, so it is needed here too.
            kept = [lit for lit in trial if lit in in_core]
    return kept


def minimal(oracle: Oracle, fixed: Sequence[int], candidates: Sequence[int]) -> list[int] | None:
    """The first minimal subset of `candidates` (in their order) unsatisfiable with `fixed`.

    Plain deletion, in order, without the solver's cores: the answer depends only on which
    subsets are satisfiable, never on the solver's state or on how the formula is numbered, so
    two encodings of the same rules give the same subset (`redlines timeline` holds its cores to
    `redlines space` this way). For the few implications, ties and draft settings a deadlock
    runs through; `shrink` is the faster choice where any minimal subset will do. None if
    `fixed` + `candidates` is satisfiable.
    """
    if oracle.solve([*fixed, *candidates]):
        return None
    kept = list(candidates)
    i = 0
    while i < len(kept):
        trial = kept[:i] + kept[i + 1 :]
        if oracle.solve([*fixed, *trial]):
            i += 1
        else:
            kept = trial
    return kept


def smallest_cores(
    formula: Formula,
    fixed: Sequence[int],
    selectors: Sequence[int],
    *,
    limit: int,
    budget: float,
) -> tuple[list[list[int]], bool]:
    """Minimal unsatisfiable subsets of `selectors`, smallest first, via OptUx.

    Stops after `limit` cores, or once `budget` seconds have passed (checked between cores: the
    call that finds the next core, or proves there is none, cannot be cut short). Returns the
    cores and whether the enumeration ran to the end. The caller must make sure that `fixed` is
    satisfiable and `fixed` + `selectors` is not: OptUx assumes both.
    """
    from pysat.examples.optux import OptUx

    wcnf = _wcnf(formula, fixed)
    for selector in selectors:
        wcnf.append([selector], weight=1)
    cores: list[list[int]] = []
    started = time.perf_counter()
    with OptUx(wcnf, solver=SOLVER) as optux:
        for found in optux.enumerate():
            cores.append([selectors[index - 1] for index in found])
            if len(cores) >= limit or time.perf_counter() - started > budget:
                return cores, False
    return cores, True


def maxsat(
    formula: Formula, fixed: Sequence[int], soft: Sequence[tuple[int, int]]
) -> tuple[Model, int] | None:
    """The model that keeps the most weight of `soft` (literal, weight) true, and the weight lost.

    None when `fixed` is unsatisfiable. RC2 with stratification, since the weights span red lines
    (above the sum of all priorities) and single priorities.
    """
    from pysat.examples.rc2 import RC2Stratified

    with Oracle(formula) as oracle:
        # RC2Stratified fails with a TypeError, rather than returning None, on unsatisfiable
        # hard clauses (python-sat 1.9.dev24), so ask first; and on no soft clause at all
        # (no rule in force on the day asked), so answer that here.
        if not oracle.solve(fixed):
            return None
        if not soft:
            return oracle.model(), 0
    wcnf = _wcnf(formula, fixed)
    for lit, weight in soft:
        wcnf.append([lit], weight=weight)
    with RC2Stratified(wcnf, solver=SOLVER) as rc2:
        assignment = rc2.compute()
        if assignment is None:
            return None
        return Model(assignment), int(rc2.cost)


def _wcnf(formula: Formula, fixed: Sequence[int]) -> Any:
    from pysat.formula import WCNF

    wcnf = WCNF()
    for clause in formula.clauses:
        wcnf.append(clause)
    for lit in fixed:
        wcnf.append([lit])
    # Pin the variable count: a soft literal may name a variable no hard clause mentions.
    wcnf.nv = max(wcnf.nv, formula.nvars)
    return wcnf
