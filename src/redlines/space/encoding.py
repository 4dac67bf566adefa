"""The catalogue, rules, implications and ties of one rule book as one CNF, with the engine's
semantics.

A package is what the engine sees after implications: each term set to a value or unaddressed,
closed under the implications in force. A red line holds when its condition is definitely true,
or unknown and the rule says `when_silent: met`. Every tie (at level contradiction) is a hard
constraint: a package makes it definitely true, or sets none of its terms. So no package the
solver proposes is incoherent, and the engine never has to read one coherently (a tie it reads
is true or does not apply, engine/ties.py): its verdict on a package is the solver's.

The encoding (one literal per enum value, order literals for the constants mentioned, dual-rail
Kleene gates) is exact because rules and ties only compare terms with constants.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from ..conditions import leaves, terms_of
from ..models import (
    AllOf,
    Condition,
    IfThen,
    Leaf,
    Not,
    Op,
    RuleBook,
    Term,
    TermType,
    TermValue,
    TieLevel,
    WhenSilent,
)
from ..operators import OPERATORS, Operator, if_then_as_any
from .models import Interval
from .solver import Formula, Model

ORDERED = (TermType.INTEGER, TermType.DATE)
_LeafValue = TermValue | tuple[TermValue, ...] | None


def as_number(term: Term, value: TermValue) -> int:
    if term.type is TermType.DATE:
        assert isinstance(value, dt.date)
        return value.toordinal()
    assert isinstance(value, int) and not isinstance(value, bool)
    return value


def _from_number(term: Term, number: int | None) -> int | dt.date | None:
    if number is None or term.type is TermType.INTEGER:
        return number
    return dt.date.fromordinal(number)


class TermCode:
    """The literals of one term.

    enum/boolean: one literal per value plus 'unaddressed', exactly one of them true.
    integer/date: a presence literal and order literals `x >= t` for the thresholds t = c and
    c + 1 of every constant c mentioned; between two thresholds all values behave alike, so
    these cells are exact. Dates count in ordinals.
    """

    def __init__(self, term: Term, formula: Formula, constants: Iterable[int]) -> None:
        self.term = term
        self.ordered = term.type in ORDERED
        self.values: tuple[TermValue, ...] = ()
        self.lits: dict[TermValue, int] = {}
        self.ge: dict[int, int] = {}
        self.thresholds: list[int] = []
        self.low: int | None = None
        self.high: int | None = None
        if not self.ordered:
            self.values = (True, False) if term.type is TermType.BOOLEAN else term.values
            self.lits = {value: formula.var() for value in self.values}
            unaddressed = formula.var()
            formula.exactly_one([*self.lits.values(), unaddressed])
            self.has = -unaddressed
            return
        if term.type is TermType.DATE:
            self.low, self.high = dt.date.min.toordinal(), dt.date.max.toordinal()
        else:
            self.low, self.high = term.min, term.max
        self.has = formula.var()
        points = {t for c in constants for t in (c, c + 1)}
        self.thresholds = sorted(
            t
            for t in points
            if (self.low is None or t > self.low) and (self.high is None or t <= self.high)
        )
        previous = self.has
        for t in self.thresholds:
            self.ge[t] = formula.var()
            formula.add([-self.ge[t], previous])  # x >= t2 implies x >= t1 for t1 < t2
            previous = self.ge[t]

    def ge_lit(self, t: int, formula: Formula) -> int:
        if self.low is not None and t <= self.low:
            return self.has
        if self.high is not None and t > self.high:
            return formula.FALSE
        return self.ge[t]

    # Candidates are what the zone probes: each value (or cell), then 'unaddressed'.

    def cells(self) -> list[tuple[int | None, int | None]]:
        bounds = [self.low, *self.thresholds, None]
        cells = []
        for i in range(len(bounds) - 1):
            start = bounds[i]
            end = bounds[i + 1]
            cells.append((start, self.high if end is None else end - 1))
        return cells

    def candidates(self) -> list[list[int]]:
        """For each candidate, the literals that say the term takes it."""
        if not self.ordered:
            found = [[lit] for lit in self.lits.values()]
        else:
            ge = [self.ge[t] for t in self.thresholds]
            found = []
            for i in range(len(ge) + 1):
                lits = [ge[i - 1]] if i else [self.has]
                if i < len(ge):
                    lits.append(-ge[i])
                found.append(lits)
        return [*found, [-self.has]]

    def which(self, model: Model) -> int:
        """The index of the candidate a model picks."""
        if not model.holds(self.has):
            return len(self.values) if not self.ordered else len(self.thresholds) + 1
        if not self.ordered:
            return next(i for i, lit in enumerate(self.lits.values()) if model.holds(lit))
        return sum(1 for t in self.thresholds if model.holds(self.ge[t]))

    def value(self, model: Model) -> TermValue | None:
        index = self.which(model)
        if not model.holds(self.has):
            return None
        if not self.ordered:
            return self.values[index]
        return self.representative(index)

    def representative(self, index: int) -> TermValue:
        """A value inside cell `index`, next to the constant that bounds it; for integers the
        roundest such number, so a package reads like a proposal (1,000,000, not 800,001)."""
        start, end = self.cells()[index]
        if not self.thresholds:
            near = start if start is not None else (end if end is not None else 0)
        elif index == 0:
            assert end is not None
            near = end
        else:
            assert start is not None
            near = start
        if self.term.type is TermType.INTEGER and self.thresholds:
            near = _roundest(start, end, near)
        value = _from_number(self.term, near)
        assert value is not None
        return value

    def interval(self, start: int | None, end: int | None) -> Interval:
        """An interval for output; a date range open at the calendar's ends shows as unbounded."""
        if self.term.type is TermType.DATE:
            start = None if start == self.low else start
            end = None if end == self.high else end
        return Interval(low=_from_number(self.term, start), high=_from_number(self.term, end))


def _roundest(low: int | None, high: int | None, near: int) -> int:
    """The integer in [low, high] with the most trailing zeros, nearest to `near`.

    Zero does not count as round (an army cap of 0 is not a neutral example), and the search stays
    within one order of magnitude above `near`, so an unbounded range does not yield 10**18.
    """
    step = int(10 ** len(str(max(abs(near), 1))))
    while step > 1:
        first = -(-(near - step) // step) * step  # multiples of step around near
        options = [
            m
            for m in (first, first + step, first + 2 * step)
            if m != 0 and (low is None or m >= low) and (high is None or m <= high)
        ]
        if options:
            return min(options, key=lambda m: (abs(m - near), m))
        step //= 10
    return near


class Encoding:
    """The catalogue, rules and implications of one rule book as one CNF."""

    def __init__(
        self,
        book: RuleBook,
        fixed: Mapping[str, TermValue],
        optional: Mapping[str, Iterable[TermValue]] | None = None,
    ) -> None:
        """`fixed`: the terms the draft's text sets. `optional`: the terms a bracketed
        clause's options set, with the values they offer; `drafted[term]` is then a free
        literal the caller ties to the options chosen, and while it holds the draft's value
        wins over a derived one, as for a fixed term."""
        self.book = book
        self.formula = Formula()
        self.fixed = dict(fixed)
        optional = {name: tuple(values) for name, values in (optional or {}).items()}
        constants = _constants(book, fixed)
        for name, offered in optional.items():
            catalogued = book.catalogue.terms[name]
            if catalogued.type in ORDERED:
                constants.setdefault(name, set()).update(as_number(catalogued, v) for v in offered)
        self.codes = {
            name: TermCode(term, self.formula, constants.get(name, ()))
            for name, term in sorted(book.catalogue.terms.items())
        }
        self.drafted = {name: self.formula.var() for name in sorted(optional)}
        self._truths: dict[int, tuple[Condition, tuple[int, int]]] = {}
        self._holds_cache: dict[tuple[str, str, _LeafValue], int] = {}
        self.rules = sorted(book.rules, key=lambda r: r.id)
        self.sat: dict[str, int] = {}  # rule id -> the rule is met (or silent and met when silent)
        self.selector: dict[str, int] = {}  # rule id -> assumption literal: sat must hold
        for rule in self.rules:
            true, false = self.truth(rule.requires)
            self.sat[rule.id] = -false if rule.when_silent is WhenSilent.MET else true
            self.selector[rule.id] = self.formula.var()
            self.formula.add([-self.selector[rule.id], self.sat[rule.id]])
        self.implications = sorted(book.implications, key=lambda i: i.id)
        self.imp_selector: dict[str, int] = {}
        self._derivers: dict[str, list[int]] = {}
        for imp in self.implications:
            selector = self.formula.var()
            self.imp_selector[imp.id] = selector
            when, _ = self.truth(imp.when)
            for term, value in sorted(imp.then.items()):
                # A value the draft sets wins over a derived one, as in the engine; a clash
                # there is the draft's own contradiction, reported by `check`.
                if term in self.fixed:
                    continue
                drafted = self.drafted.get(term, self.formula.FALSE)
                self.formula.add([-selector, -when, drafted, self.holds(term, "eq", value)])
                self._derivers.setdefault(term, []).append(
                    self.formula.and_([selector, when, -drafted])
                )
        self.ties = sorted(
            (t for t in book.ties if t.level is TieLevel.CONTRADICTION), key=lambda t: t.id
        )
        self.tie_selector: dict[str, int] = {}  # tie id -> assumption literal: the tie holds
        for tie in self.ties:
            selector = self.formula.var()
            self.tie_selector[tie.id] = selector
            true, _ = self.truth(tie.requires)
            silent = self.formula.and_([-self.codes[t].has for t in terms_of(tie.requires)])
            self.formula.add([-selector, true, silent])
        self.fixed_lit = {
            term: self.holds(term, "eq", value) for term, value in sorted(self.fixed.items())
        }

    # The Kleene semantics, dual-rail: a condition gets two literals, "definitely true" and
    # "definitely false"; neither holding is unknown. They are never both true.

    def truth(self, condition: Condition) -> tuple[int, int]:
        found = self._truths.get(id(condition))
        if found is not None:
            return found[1]
        literals = self._truth(condition)
        # The condition stays with its literals: an id is unique only while its object lives,
        # and the if/then rewrite makes objects nothing else holds.
        self._truths[id(condition)] = (condition, literals)
        return literals

    def _truth(self, condition: Condition) -> tuple[int, int]:
        f = self.formula
        if isinstance(condition, Leaf):
            code = self.codes[condition.term]
            operator = OPERATORS[condition.op]
            if operator.primitive == "set":  # decided either way: the term is set or it is not
                return (-code.has, code.has) if operator.negated else (code.has, -code.has)
            holds = self.holds(condition.term, condition.op, condition.value)
            return holds, f.and_([code.has, -holds])
        if isinstance(condition, Not):
            true, false = self.truth(condition.part)
            return false, true
        if isinstance(condition, IfThen):
            return self.truth(if_then_as_any(condition))
        parts = [self.truth(p) for p in condition.parts]
        trues, falses = [p[0] for p in parts], [p[1] for p in parts]
        if isinstance(condition, AllOf):
            return f.and_(trues), f.or_(falses)
        return f.or_(trues), f.and_(falses)

    def holds(self, name: str, op: Op, value: _LeafValue) -> int:
        """The literal 'term is set and `term op value`' for a value operator."""
        key: tuple[str, str, _LeafValue] = (name, op, value)
        found = self._holds_cache.get(key)
        if found is None:
            found = self._holds(self.codes[name], OPERATORS[op], value)
            self._holds_cache[key] = found
        return found

    def _holds(self, code: TermCode, operator: Operator, value: _LeafValue) -> int:
        """The operator's primitive on this term's literals (see `operators.py`), negated with
        the term still set: a value test on an unaddressed term is unknown either way."""
        f = self.formula
        assert value is not None
        listed = value if isinstance(value, tuple) else (value,)
        if operator.primitive == "equals":
            if not code.ordered:
                positive = f.or_(code.lits[v] for v in listed)
            else:
                numbers = [as_number(code.term, v) for v in listed]
                positive = f.or_(
                    f.and_([code.ge_lit(n, f), -code.ge_lit(n + 1, f)]) for n in numbers
                )
        else:  # at_least: x >= n, or with `successor` x >= n + 1
            (constant,) = listed
            n = as_number(code.term, constant) + (1 if operator.successor else 0)
            positive = code.ge_lit(n, f)
        return f.and_([code.has, -positive]) if operator.negated else positive

    def free_lit(self, name: str) -> int:
        """'The drafter need not write this term': unaddressed, or an implication sets it."""
        return self.formula.or_([-self.codes[name].has, *self._derivers.get(name, ())])

    def decode(self, model: Model) -> dict[str, TermValue]:
        values: dict[str, TermValue] = {}
        for name, code in self.codes.items():
            value = code.value(model)
            if value is not None:
                values[name] = value
        return values


def _constants(book: RuleBook, fixed: Mapping[str, TermValue]) -> dict[str, set[int]]:
    """Every constant an integer or date term is compared with or set to, as a number."""
    found: dict[str, set[int]] = {}
    ordered = {n: t for n, t in book.catalogue.terms.items() if t.type in ORDERED}

    def note(name: str, value: _LeafValue) -> None:
        if name in ordered and value is not None:
            for v in value if isinstance(value, tuple) else (value,):
                found.setdefault(name, set()).add(as_number(ordered[name], v))

    conditions = [rule.requires for rule in book.rules] + [imp.when for imp in book.implications]
    conditions += [tie.requires for tie in book.ties]
    for leaf in (leaf for condition in conditions for leaf in leaves(condition)):
        if leaf.value is not None:
            note(leaf.term, leaf.value)
    for imp in book.implications:
        for name, value in imp.then.items():
            note(name, value)
    for name, value in fixed.items():
        note(name, value)
    return found
