"""The blank page on many dates from one encoding: what `redlines timeline` asks the solver.

`redlines space --as-of D` encodes the rules in force on D. A timeline asks the same questions
on every date a position enters or leaves force, so it encodes every rule and implication of
the book once, each behind its selector literal (`encoding.py` already gives each one), and
states a date as assumptions: the selectors of the implications in force are assumed true, those
of the others false (an implication not in force derives nothing), and the red lines in force
are asked for. One incremental solver answers every date; nothing is rebuilt.

- **Deadlocks.** The minimal unsatisfiable sets over *all* selectors (red lines and
  implications) are enumerated once. On a date, the deadlocks are the smallest red-line parts
  of those sets whose members are all in force: a set of red lines cannot hold with the
  implications in force exactly when it contains the red-line part of such a set. If the one
  enumeration cannot finish within its budget, each date falls back to its own (as `space`).
- **The zone.** Each candidate value of each term keeps the last package that took it and the
  last core that ruled it out. On the next date a package still inside the date's assumptions
  proves the value possible, a core still inside them proves it impossible, and only the rest
  is asked again.

The answers equal `analyze_space(book, as_of=D)` on the blank page (`tests/test_timeline.py`
holds them to it): feasibility, every deadlock with the implications it runs through (the first
minimal set in id order, as `space` names them) and the zone when a package exists. When none
exists, `space` shows a zone after its cheapest concessions; the timeline shows no zone then
(the deadlocks are the answer), see docs/timeline.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..conditions import terms_of
from ..models import Rule, RuleBook, Severity
from .analyses import DEFAULT_CORE_BUDGET, DEFAULT_MAX_CORES, SpaceError, explain_core
from .analyses import open_term_zone as _open_term_zone
from .encoding import Encoding
from .models import Core, Deadlocks, Zone
from .solver import Model, Oracle, shrink, smallest_cores

# At most this many minimal sets over all selectors are enumerated once; past it (or past the
# time budget) each date enumerates its own deadlocks.
MAX_GLOBAL_CORES = 5_000


# The probe of 'the drafter need not write this term' (`Encoding.free_lit`), beside the
# candidates' indices.
_FREE = -1


@dataclass(frozen=True)
class DatedSpace:
    """The blank page on one date."""

    on: dt.date
    red_lines: int  # red lines in force
    base_ok: bool  # the implications in force admit some package
    feasible: bool  # a package every actor accepts exists
    deadlocks: Deadlocks | None  # when none exists
    zone: Zone | None  # when one exists


@dataclass
class _Probe:
    """What is known of one candidate (a term's value, cell or 'unaddressed')."""

    witness: int | None = None  # index of a stored package that takes it
    core: frozenset[int] | None = None  # assumptions that ruled it out (its own literals aside)


@dataclass
class _Stored:
    model: Model
    picks: dict[str, int] = field(default_factory=dict)  # term -> candidate index it takes


class BlankPageOverTime:
    """One encoding of every rule and implication of `book` (for `actors`), asked date by date."""

    def __init__(
        self,
        book: RuleBook,
        *,
        actors: Sequence[str] = (),
        max_cores: int = DEFAULT_MAX_CORES,
        core_budget: float = DEFAULT_CORE_BUDGET,
    ) -> None:
        self.book = book.for_actors(list(actors))
        self.max_cores = max_cores
        self.core_budget = core_budget
        self.enc = enc = Encoding(self.book, {})
        self.rules: dict[str, Rule] = {r.id: r for r in enc.rules}
        self.red = [r.id for r in enc.rules if r.severity is Severity.RED_LINE]
        self._red_by_selector = {enc.selector[r]: r for r in self.red}
        self._candidates = {name: code.candidates() for name, code in enc.codes.items()}
        # The terms each red line and implication reads or sets: on a date, a term none of
        # those in force mentions is free of every constraint (any candidate is possible as
        # soon as some package is), and is never probed.
        self._mentions: dict[str, frozenset[str]] = {
            **{r.id: frozenset(terms_of(r.requires)) for r in enc.rules},
            **{i.id: frozenset([*terms_of(i.when), *i.then]) for i in enc.implications},
            **{t.id: frozenset(terms_of(t.requires)) for t in enc.ties},
        }
        self._constrained = sorted(
            {t for r in self.red for t in self._mentions[r]}
            | {t for i in enc.implications for t in self._mentions[i.id]}
            | {t for tie in enc.ties for t in self._mentions[tie.id]}
        )
        # Made now, so that every stored package assigns them (a gate made later would read as
        # false in a package found before it).
        self._free = {name: enc.free_lit(name) for name in enc.codes}
        self.oracle = Oracle(enc.formula)
        self.oracle.prefer([-code.has for code in enc.codes.values()])
        self._stored: list[_Stored] = []
        self._probes: dict[tuple[str, int], _Probe] = {}
        self._implications = {imp.id: imp for imp in enc.implications}
        self._ties = {tie.id: tie for tie in enc.ties}
        self._muses = self._all_cores()

    def close(self) -> None:
        self.oracle.close()

    def __enter__(self) -> BlankPageOverTime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- one date --------------------------------------------------------------------------------

    def at(self, on: dt.date) -> DatedSpace:
        enc, oracle = self.enc, self.oracle
        base = self._base(on)
        red_ids = [r for r in self.red if self.rules[r].in_force(on)]
        red = [enc.selector[r] for r in red_ids]
        if not oracle.solve(base):
            core = self._explain(on, [], [])
            return DatedSpace(on, len(red), False, False, Deadlocks(cores=(core,), complete=True,
                              limit=self.max_cores), None)  # fmt: skip
        if oracle.solve([*base, *red]):
            witness = self._store(oracle.model())
            mentioned = self._mentioned(on, red_ids)
            zone = self._zone(base + red, witness, mentioned)
            return DatedSpace(on, len(red), True, True, None, zone)
        return DatedSpace(on, len(red), True, False, self._deadlocks(on, base, red), None)

    def _base(self, on: dt.date) -> list[int]:
        """The date as assumptions: each implication's and tie's selector, true when it is in
        force."""
        enc = self.enc
        return [
            *(lit if self._imp(i, on) else -lit for i, lit in enc.imp_selector.items()),
            *(lit if self._tie(t, on) else -lit for t, lit in enc.tie_selector.items()),
        ]

    # --- deadlocks -------------------------------------------------------------------------------

    def _all_cores(self) -> list[frozenset[int]] | None:
        """Every minimal unsatisfiable set over all selectors, or None when there are too many
        to list within the budget (each date then enumerates its own)."""
        enc = self.enc
        selectors = [
            *(enc.selector[r] for r in self.red),
            *enc.imp_selector.values(),
            *enc.tie_selector.values(),
        ]
        if self.oracle.solve(selectors):
            return []
        found, complete = smallest_cores(
            enc.formula, [], selectors, limit=MAX_GLOBAL_CORES, budget=self.core_budget
        )
        return [frozenset(core) for core in found] if complete else None

    def _deadlocks(self, on: dt.date, base: list[int], red: list[int]) -> Deadlocks:
        limit = self.max_cores
        if self._muses is not None:
            in_force = {*(lit for lit in base if lit > 0), *red}
            parts = {
                frozenset(lit for lit in muse if lit in self._red_by_selector)
                for muse in self._muses
                if muse <= in_force
            }
            smallest = [p for p in parts if not any(q < p for q in parts)]
            ids = sorted(
                (tuple(sorted(self._red_by_selector[s] for s in p)) for p in smallest),
                key=lambda c: (len(c), c),
            )
            # As `space` says it: complete only below the limit (OptUx stops at it).
            complete = len(ids) < max(limit, 1)
        else:
            found, complete = smallest_cores(
                self.enc.formula, base, red, limit=max(limit, 1), budget=self.core_budget
            )
            shrunk: set[tuple[str, ...]] = set()
            for core in found:
                minimal = shrink(self.oracle, base, core)
                if minimal is None:
                    raise SpaceError("a core from OptUx is satisfiable")
                shrunk.add(tuple(sorted(self._red_by_selector[s] for s in minimal)))
            complete = complete and len(shrunk) == len(found)
            ids = sorted(shrunk, key=lambda c: (len(c), c))
        cores = tuple(
            self._explain(on, list(rule_ids), [self.enc.selector[r] for r in rule_ids])
            for rule_ids in ids[:limit]
        )
        return Deadlocks(cores=cores, complete=complete, limit=limit)

    def _explain(self, on: dt.date, rule_ids: list[str], selectors: list[int]) -> Core:
        enc = self.enc
        return explain_core(
            self.oracle,
            enc,
            [self.rules[r] for r in rule_ids],
            selectors,
            fixed=[
                *(-lit for imp, lit in enc.imp_selector.items() if not self._imp(imp, on)),
                *(-lit for tie, lit in enc.tie_selector.items() if not self._tie(tie, on)),
            ],
            implications=[imp for imp in enc.imp_selector if self._imp(imp, on)],
            ties=[tie for tie in enc.tie_selector if self._tie(tie, on)],
            trace=None,
        )

    def _imp(self, imp_id: str, on: dt.date) -> bool:
        return self._implications[imp_id].in_force(on)

    def _tie(self, tie_id: str, on: dt.date) -> bool:
        return self._ties[tie_id].in_force(on)

    # --- the zone --------------------------------------------------------------------------------

    def _store(self, model: Model) -> int:
        codes = self.enc.codes
        stored = _Stored(model, {name: codes[name].which(model) for name in self._constrained})
        self._stored.append(stored)
        index = len(self._stored) - 1
        for name, pick in stored.picks.items():
            self._probe(name, pick).witness = index
            if model.holds(self._free[name]):
                self._probe(name, _FREE).witness = index
        return index

    def _probe(self, name: str, index: int) -> _Probe:
        return self._probes.setdefault((name, index), _Probe())

    def _mentioned(self, on: dt.date, red_ids: list[str]) -> set[str]:
        """The terms some red line, implication or tie in force reads or sets."""
        found = {t for r in red_ids for t in self._mentions[r]}
        for imp in self.enc.implications:
            if imp.in_force(on):
                found |= self._mentions[imp.id]
        for tie in self.enc.ties:
            if tie.in_force(on):
                found |= self._mentions[tie.id]
        return found

    def _zone(self, assumptions: list[int], witness: int, mentioned: set[str]) -> Zone:
        oracle = self.oracle
        inside = set(assumptions)
        valid: dict[int, bool] = {witness: True}

        def holds(stored: int | None) -> bool:
            if stored is None:
                return False
            if stored not in valid:
                model = self._stored[stored].model
                valid[stored] = all(model.holds(lit) for lit in assumptions)
            return valid[stored]

        def possible(name: str, index: int, lits: list[int]) -> bool:
            probe = self._probe(name, index)
            if holds(probe.witness):
                return True
            if probe.core is not None and probe.core <= inside:
                return False
            if oracle.solve([*assumptions, *lits]):
                found = self._store(oracle.model())
                valid[found] = True
                return True
            probe.core = frozenset(oracle.core()) - set(lits)
            return False

        terms = []
        for name, code in sorted(self.enc.codes.items()):
            if name not in mentioned:
                every = set(range(len(self._candidates[name])))
                terms.append(_open_term_zone(code, every, False))
                continue
            seen = {
                index
                for index, lits in enumerate(self._candidates[name])
                if possible(name, index, lits)
            }
            unaddressed = len(self._candidates[name]) - 1 in seen
            needs = not unaddressed and not possible(name, _FREE, [self._free[name]])
            terms.append(_open_term_zone(code, seen, needs))
        return Zone(relaxed=(), terms=tuple(terms))
