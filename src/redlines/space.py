"""The negotiating space: is any package acceptable to every actor, and if not, why not?

`analyze_space(book)` looks at the blank page, `analyze_space(book, draft)` at a draft with its set
terms fixed and its open terms free. Both answer the same questions (docs/space.md):

1. feasibility, with a witness package the engine checks and must find feasible;
2. deadlocks: minimal sets of red lines that cannot hold together (unsatisfiable cores);
3. the zone of possible agreement: per term, the values still possible;
4. the cheapest concessions: the least weight of rules to give up so a package exists, and the
   best package under the weighted priorities;
5. for a draft, which open terms still need a value, and a sharper verdict than the engine's
   `incomplete`: `completable` or `deadlocked`;

plus a pairwise view of which actors' red lines are compatible on their own.

The semantics are the engine's, exactly. A package is what the engine sees after implications:
each term set to a value or unaddressed, closed under the implications in force. A red line
holds when its condition is definitely true, or unknown and the rule says `when_silent: met`.
The encoding (one literal per enum value, order literals for the constants mentioned, dual-rail
Kleene gates) is exact because rules only compare terms with constants.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from .conditions import evaluate, leaves, terms_of
from .engine import EngineName
from .models import (
    AllOf,
    Clause,
    Condition,
    IfThen,
    Leaf,
    Not,
    Origin,
    Proposal,
    Rule,
    RuleBook,
    Setting,
    Severity,
    Term,
    TermType,
    TermValue,
    WhenSilent,
)
from .report import (
    ActorVerdictKind,
    Location,
    ProposalInfo,
    RuleSetInfo,
    Verdict,
    check,
    proposal_values,
)
from .solver import Formula, Model, Oracle, maxsat, shrink, smallest_cores
from .version import __version__

DEFAULT_MAX_CORES = 10
DEFAULT_CORE_BUDGET = 2.0  # seconds for enumerating cores beyond the first


class SpaceError(Exception):
    """The solver and the engine disagree: a bug, never a verdict to show a user."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SpaceVerdict(StrEnum):
    FEASIBLE = "feasible"  # the draft as written meets every red line
    COMPLETABLE = "completable"  # its open terms can be filled so that every red line holds
    DEADLOCKED = "deadlocked"  # no filling works: some red lines cannot hold together
    INFEASIBLE = "infeasible"  # the draft as written crosses a red line


class RuleRef(_Model):
    id: str
    title: str
    ruleset: str
    actor: str
    severity: Severity
    weight: int | None


class PackageTerm(_Model):
    term: str
    value: TermValue
    source: str  # "draft" (fixed by the draft) | "chosen" (filled in by the solver)
    clause: str | None = None  # the draft clause that sets it
    implied_by: tuple[str, ...] = ()  # implications in force that derive this very value


class ActorOutcome(_Model):
    ruleset: str
    actor: str
    verdict: ActorVerdictKind
    violated: tuple[str, ...]
    open: tuple[str, ...]
    soft_met_weight: int
    soft_total_weight: int
    soft_score: float | None


class Package(_Model):
    """A full set of term values, as the engine judged it. Terms not listed are unaddressed."""

    terms: tuple[PackageTerm, ...]
    verdict: Verdict
    actors: tuple[ActorOutcome, ...]


class DraftSetting(_Model):
    term: str
    value: TermValue
    clause: str | None
    location: Location | None


class Core(_Model):
    """Red lines that cannot all hold, minimal: drop any one and the rest can."""

    rules: tuple[RuleRef, ...]
    actors: tuple[str, ...]
    terms: tuple[str, ...]  # what they fight over
    implications: tuple[str, ...]  # implications the clash runs through (a minimal set)
    draft: tuple[DraftSetting, ...]  # draft settings it needs (a minimal set); none: blank page


class Deadlocks(_Model):
    cores: tuple[Core, ...]
    complete: bool  # every minimal core is listed; false: stopped at the limit or time budget
    limit: int


class Interval(_Model):
    low: int | dt.date | None  # None: unbounded
    high: int | dt.date | None


class TermZone(_Model):
    term: str
    type: TermType
    fixed: bool  # the draft sets it
    values: tuple[TermValue, ...]  # enum and boolean terms: the values still possible
    intervals: tuple[Interval, ...]  # integer and date terms: the exact ranges still possible
    unaddressed: bool  # a package may leave it unaddressed
    needs_value: bool  # every acceptable package sets it and no implication does so for you
    restricted: bool  # narrower than the catalogue allows


class Zone(_Model):
    relaxed: tuple[str, ...]  # red lines set aside first (the cheapest concessions), if any
    terms: tuple[TermZone, ...]


class Concessions(_Model):
    red_line_weight: int
    cost: int  # total weight given up
    relaxed: tuple[RuleRef, ...]  # red lines given up
    unmet: tuple[RuleRef, ...]  # priorities and preferences the best package misses
    package: Package


class Compatibility(_Model):
    rulesets: tuple[str, ...]  # one actor alone, or a pair
    actors: tuple[str, ...]
    compatible: bool
    core: tuple[str, ...]  # when not: one minimal set of their red lines that clash


class SpaceReport(_Model):
    subject: ProposalInfo
    blank: bool
    as_of: dt.date | None
    as_of_basis: str
    rulesets: tuple[RuleSetInfo, ...]
    red_lines: int
    complete: bool  # packages had to set every open term (--complete)
    check: Verdict  # the engine's verdict on the draft as written
    verdict: SpaceVerdict
    feasible: bool  # a package acceptable to every selected actor exists (extending the draft)
    witness: Package | None
    deadlocks: Deadlocks | None
    zone: Zone | None
    concessions: Concessions | None
    compatibility: tuple[Compatibility, ...]
    contradictions: tuple[str, ...]  # terms the draft's clauses disagree on; treated as open
    notes: tuple[str, ...]


class SpaceReportSet(_Model):
    tool: str = "redlines"
    version: str = __version__
    agreement: bool  # every report is feasible or completable (the exit code's 0)
    reports: tuple[SpaceReport, ...]


# --- dates ----------------------------------------------------------------------------------------


def default_as_of(book: RuleBook) -> dt.date | None:
    """The blank page's date: the latest day any rule or implication starts to apply.

    Deterministic (never today's date), and it selects the current positions when rule files
    mark changes with valid_from. Without any valid_from, the latest valid_until; with no dates
    at all, None (every rule applies on every day).
    """
    spans = [(r.valid_from, r.valid_until) for r in book.rules]
    spans += [(i.valid_from, i.valid_until) for i in book.implications]
    starts = [start for start, _ in spans if start]
    if starts:
        return max(starts)
    ends = [end for _, end in spans if end]
    return max(ends) if ends else None


def _resolve_as_of(
    book: RuleBook, proposal: Proposal | None, as_of: dt.date | None
) -> tuple[dt.date | None, str]:
    if as_of is not None:
        return as_of, "--as-of"
    if proposal is not None:
        return proposal.date, "the proposal's date"
    found = default_as_of(book)
    if found is None:
        return None, "no rule is dated"
    return found, "the latest valid_from among the rules"


# --- the encoding -------------------------------------------------------------------------------

_ORDERED = (TermType.INTEGER, TermType.DATE)
_LeafValue = TermValue | tuple[TermValue, ...] | None


def _number(term: Term, value: TermValue) -> int:
    if term.type is TermType.DATE:
        assert isinstance(value, dt.date)
        return value.toordinal()
    assert isinstance(value, int) and not isinstance(value, bool)
    return value


def _from_number(term: Term, number: int | None) -> int | dt.date | None:
    if number is None or term.type is TermType.INTEGER:
        return number
    return dt.date.fromordinal(number)


class _TermCode:
    """The literals of one term.

    enum/boolean: one literal per value plus 'unaddressed', exactly one of them true.
    integer/date: a presence literal and order literals `x >= t` for the thresholds t = c and
    c + 1 of every constant c mentioned; between two thresholds all values behave alike, so
    these cells are exact. Dates count in ordinals.
    """

    def __init__(self, term: Term, formula: Formula, constants: Iterable[int]) -> None:
        self.term = term
        self.ordered = term.type in _ORDERED
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


class _Encoding:
    """The catalogue, rules and implications of one rule book as one CNF."""

    def __init__(self, book: RuleBook, fixed: Mapping[str, TermValue]) -> None:
        self.book = book
        self.formula = Formula()
        self.fixed = dict(fixed)
        constants = _constants(book, fixed)
        self.codes = {
            name: _TermCode(term, self.formula, constants.get(name, ()))
            for name, term in sorted(book.catalogue.terms.items())
        }
        self._truths: dict[int, tuple[int, int]] = {}
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
                self.formula.add([-selector, -when, self.holds(term, "eq", value)])
                self._derivers.setdefault(term, []).append(self.formula.and_([selector, when]))
        self.fixed_lit = {
            term: self.holds(term, "eq", value) for term, value in sorted(self.fixed.items())
        }

    # The Kleene semantics, dual-rail: a condition gets two literals, "definitely true" and
    # "definitely false"; neither holding is unknown. They are never both true.

    def truth(self, condition: Condition) -> tuple[int, int]:
        key = id(condition)
        found = self._truths.get(key)
        if found is None:
            found = self._truth(condition)
            self._truths[key] = found
        return found

    def _truth(self, condition: Condition) -> tuple[int, int]:
        f = self.formula
        if isinstance(condition, Leaf):
            code = self.codes[condition.term]
            if condition.op == "present":
                return code.has, -code.has
            if condition.op == "absent":
                return -code.has, code.has
            holds = self.holds(condition.term, condition.op, condition.value)
            return holds, f.and_([code.has, -holds])
        if isinstance(condition, Not):
            true, false = self.truth(condition.part)
            return false, true
        if isinstance(condition, IfThen):
            if_true, if_false = self.truth(condition.condition)
            then_true, then_false = self.truth(condition.consequence)
            return f.or_([if_false, then_true]), f.and_([if_true, then_false])
        parts = [self.truth(p) for p in condition.parts]
        trues, falses = [p[0] for p in parts], [p[1] for p in parts]
        if isinstance(condition, AllOf):
            return f.and_(trues), f.or_(falses)
        return f.or_(trues), f.and_(falses)

    def holds(self, name: str, op: str, value: _LeafValue) -> int:
        """The literal 'term is set and `term op value`' for a value operator."""
        key: tuple[str, str, _LeafValue] = (name, op, value)
        found = self._holds_cache.get(key)
        if found is None:
            found = self._holds(self.codes[name], op, value)
            self._holds_cache[key] = found
        return found

    def _holds(self, code: _TermCode, op: str, value: _LeafValue) -> int:
        f = self.formula
        assert value is not None
        listed = value if isinstance(value, tuple) else (value,)
        numbers = [_number(code.term, v) for v in listed] if code.ordered else []
        if not code.ordered:
            members = f.or_(code.lits[v] for v in listed)
        else:
            members = f.or_(f.and_([code.ge_lit(n, f), -code.ge_lit(n + 1, f)]) for n in numbers)
        if op in ("eq", "in"):
            return members
        if op in ("ne", "not_in"):
            return f.and_([code.has, -members])
        n = numbers[0]
        match op:
            case "lt":
                return f.and_([code.has, -code.ge_lit(n, f)])
            case "lte":
                return f.and_([code.has, -code.ge_lit(n + 1, f)])
            case "gt":
                return code.ge_lit(n + 1, f)
            case "gte":
                return code.ge_lit(n, f)
        raise AssertionError(f"not a value operator: {op}")

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
    ordered = {n: t for n, t in book.catalogue.terms.items() if t.type in _ORDERED}

    def note(name: str, value: _LeafValue) -> None:
        if name in ordered and value is not None:
            for v in value if isinstance(value, tuple) else (value,):
                found.setdefault(name, set()).add(_number(ordered[name], v))

    conditions = [rule.requires for rule in book.rules] + [imp.when for imp in book.implications]
    for leaf in (leaf for condition in conditions for leaf in leaves(condition)):
        if leaf.value is not None:
            note(leaf.term, leaf.value)
    for imp in book.implications:
        for name, value in imp.then.items():
            note(name, value)
    for name, value in fixed.items():
        note(name, value)
    return found


# --- the analysis -------------------------------------------------------------------------------


@dataclass
class _Run:
    """What one analysis shares between its steps."""

    book: RuleBook  # selected actors, in force on as_of
    full: RuleBook  # as given: `check` selects from it the same way
    subject: Proposal
    check_date: dt.date
    actors: tuple[str, ...]
    engine: EngineName
    enc: _Encoding
    oracle: Oracle
    base: list[int]
    rules: dict[str, Rule]
    red: list[str]  # red line ids, sorted


def analyze_space(
    book: RuleBook,
    proposal: Proposal | None = None,
    *,
    actors: Sequence[str] = (),
    max_cores: int = DEFAULT_MAX_CORES,
    as_of: dt.date | None = None,
    red_line_weight: int | None = None,
    complete: bool = False,
    core_budget: float = DEFAULT_CORE_BUDGET,
    engine: EngineName = "auto",
) -> SpaceReport:
    """Analyse the negotiating space of the blank page (proposal None) or of a draft.

    `actors` limits it to those rule set ids. `as_of` selects the rules in force (default: the
    draft's date; for the blank page, `default_as_of`). `red_line_weight` is what giving up one
    red line costs in the concessions (default: one more than all priorities weigh together, so
    red lines come first). `complete` demands that packages set every open term.
    """
    as_of, basis = _resolve_as_of(book, proposal, as_of)
    # Rules without dates apply on every day, so any date selects them when none is given.
    check_date = as_of or dt.date(2000, 1, 1)
    blank = proposal is None
    subject = proposal if proposal is not None else _blank_page(check_date)
    selected = book.for_actors(list(actors)).in_force(as_of)
    written = check(subject, book, as_of=check_date, actors=actors, engine=engine)
    values, contradicted = proposal_values(subject, {})
    enc = _Encoding(selected, values)
    base = [*enc.imp_selector.values(), *enc.fixed_lit.values()]
    if complete:
        base += [code.has for name, code in enc.codes.items() if name not in values]
    rules = {r.id: r for r in enc.rules}
    red = [r.id for r in enc.rules if r.severity is Severity.RED_LINE]
    notes: list[str] = []
    with Oracle(enc.formula) as oracle:
        run = _Run(
            book=selected,
            full=book,
            subject=subject,
            check_date=check_date,
            actors=tuple(actors),
            engine=engine,
            enc=enc,
            oracle=oracle,
            base=base,
            rules=rules,
            red=red,
        )
        # Prefer leaving terms unaddressed, so a witness shows what must be set.
        oracle.prefer([-code.has for code in enc.codes.values()] + [enc.selector[r] for r in red])
        base_ok = oracle.solve(base)
        witness = deadlocks = zone = concessions = None
        compatibility: tuple[Compatibility, ...] = ()
        if not base_ok:
            feasible = False
            deadlocks = Deadlocks(cores=(_base_conflict(run),), complete=True, limit=max_cores)
            notes.append(
                "the draft contradicts itself through implications: no package can "
                "keep its settings, whatever the red lines"
            )
        else:
            feasible = oracle.solve([*base, *(enc.selector[r] for r in red)])
            model = None
            if feasible:
                model = _simplify(run, oracle.model(), [enc.selector[r] for r in red])
                witness = _package(run, enc.decode(model))
                if witness.verdict is not Verdict.FEASIBLE:
                    raise SpaceError(
                        f"the engine rejects the solver's witness for "
                        f"{subject.id}: {witness.verdict.value}"
                    )
            else:
                deadlocks = _deadlocks(run, max_cores, core_budget)
            concessions = _concessions(run, red_line_weight)
            zone = _zone(run, concessions, model)
            compatibility = _compatibility(run)
    # The draft as written is itself a package (unless --complete asks for more), so the
    # engine accepting it while the solver finds none would be a wrong "no deal".
    as_written = written.overall is Verdict.FEASIBLE and not written.contradictions
    if as_written and base_ok and not feasible and not complete:
        raise SpaceError(
            f"the engine finds {subject.id} feasible as written, the solver finds no package"
        )
    if deadlocks is not None and not deadlocks.complete:
        notes.append(
            f"{len(deadlocks.cores)} deadlock(s) shown, smallest first; there may be "
            "more (raise --max-cores to see them)"
        )
    if contradicted:
        notes.append(
            "the draft's clauses disagree on "
            + ", ".join(sorted(contradicted))
            + "; those terms are treated as open"
        )
    return SpaceReport(
        subject=written.proposal,
        blank=blank,
        as_of=as_of,
        as_of_basis=basis,
        rulesets=written.rulesets,
        red_lines=len(red),
        complete=complete,
        check=written.overall,
        verdict=_verdict(written.overall, blank, feasible),
        feasible=feasible,
        witness=witness,
        deadlocks=deadlocks,
        zone=zone,
        concessions=concessions,
        compatibility=compatibility,
        contradictions=tuple(sorted(contradicted)),
        notes=tuple(notes),
    )


def analyze_all(
    book: RuleBook,
    proposals: Sequence[Proposal] = (),
    *,
    actors: Sequence[str] = (),
    max_cores: int = DEFAULT_MAX_CORES,
    as_of: dt.date | None = None,
    red_line_weight: int | None = None,
    complete: bool = False,
    engine: EngineName = "auto",
) -> SpaceReportSet:
    """The blank page when `proposals` is empty, else each draft; sorted by path, then id."""
    subjects: Sequence[Proposal | None] = proposals or [None]
    reports = sorted(
        (
            analyze_space(
                book,
                p,
                actors=actors,
                max_cores=max_cores,
                as_of=as_of,
                red_line_weight=red_line_weight,
                complete=complete,
                engine=engine,
            )
            for p in subjects
        ),
        key=lambda r: (r.subject.path, r.subject.id),
    )
    return SpaceReportSet(
        agreement=all(r.verdict in AGREEABLE for r in reports), reports=tuple(reports)
    )


# The verdicts under which `redlines space` exits 0: a package acceptable to all exists.
AGREEABLE = (SpaceVerdict.FEASIBLE, SpaceVerdict.COMPLETABLE)


def _verdict(written: Verdict, blank: bool, feasible: bool) -> SpaceVerdict:
    if written is Verdict.INFEASIBLE and not blank:
        return SpaceVerdict.INFEASIBLE  # what the draft says already crosses a red line
    if not feasible:
        return SpaceVerdict.DEADLOCKED
    return SpaceVerdict.FEASIBLE if written is Verdict.FEASIBLE else SpaceVerdict.COMPLETABLE


def _blank_page(on: dt.date) -> Proposal:
    return Proposal(
        id="blank-page",
        title="The blank page (no clause yet)",
        date=on,
        status="draft",
        clauses=(),
        path="<blank page>",
    )


# --- packages: from solver values to a proposal the engine checks ---------------------------------


def _package(run: _Run, values: Mapping[str, TermValue]) -> Package:
    """Check a package with the engine and describe it."""
    report = check(
        package_proposal(run.subject, values),
        run.full,
        as_of=run.check_date,
        actors=run.actors,
        engine=run.engine,
    )
    setters = {s.term: c.id for c in run.subject.clauses for s in c.settings}
    terms = []
    for name, value in sorted(values.items()):
        implied = tuple(
            imp.id
            for imp in run.enc.implications
            if imp.then.get(name, _NOTHING) == value and evaluate(imp.when, values) is True
        )
        fixed = name in run.enc.fixed
        terms.append(
            PackageTerm(
                term=name,
                value=value,
                source="draft" if fixed else "chosen",
                clause=setters.get(name) if fixed else None,
                implied_by=implied,
            )
        )
    return Package(
        terms=tuple(terms),
        verdict=report.overall,
        actors=tuple(
            ActorOutcome(
                ruleset=v.ruleset,
                actor=v.actor,
                verdict=v.verdict,
                violated=v.violated,
                open=v.open,
                soft_met_weight=v.soft_met_weight,
                soft_total_weight=v.soft_total_weight,
                soft_score=v.soft_score,
            )
            for v in report.verdicts
        ),
    )


_NOTHING = object()


def package_proposal(subject: Proposal, values: Mapping[str, TermValue]) -> Proposal:
    """A synthetic proposal that sets exactly these values, one clause per term."""
    clauses = tuple(
        Clause(
            id=name,
            title=name,
            text="set by redlines space",
            settings=(
                Setting(term=name, value=value, origin=Origin(file="<package>", line=i, col=1)),
            ),
            origin=Origin(file="<package>", line=i, col=1),
        )
        for i, (name, value) in enumerate(sorted(values.items()), start=1)
    )
    return Proposal(
        id=f"{subject.id}+package",
        title=f"A package for {subject.title}",
        date=subject.date,
        status="draft",
        clauses=clauses,
        path="<package>",
    )


def _simplify(run: _Run, model: Model, keep: Sequence[int]) -> Model:
    """The same package with every term left unaddressed that can be, `keep` still holding.

    A solver's model sets terms nobody asked for; a reader should see what a deal must settle.
    Greedy, one term at a time in name order, so the result is deterministic.
    """
    enc, oracle = run.enc, run.oracle
    codes = [(n, c) for n, c in enc.codes.items() if n not in enc.fixed]
    chosen = {n: c.candidates()[c.which(model)] for n, c in codes}
    for name, code in codes:
        if chosen[name] == [-code.has]:
            continue
        trial = {**chosen, name: [-code.has]}
        if oracle.solve([*run.base, *keep, *itertools.chain(*trial.values())]):
            chosen = trial
    if not oracle.solve([*run.base, *keep, *itertools.chain(*chosen.values())]):
        raise SpaceError("a package stopped satisfying the rules it was chosen for")
    return oracle.model()


# --- deadlocks ----------------------------------------------------------------------------------


def _deadlocks(run: _Run, limit: int, budget: float) -> Deadlocks:
    enc, oracle = run.enc, run.oracle
    selectors = [enc.selector[r] for r in run.red]
    by_selector = {enc.selector[r]: r for r in run.red}
    found, complete = smallest_cores(
        enc.formula, run.base, selectors, limit=max(limit, 1), budget=budget
    )
    cores: dict[tuple[str, ...], list[int]] = {}
    for core in found:
        # OptUx's cores are minimal by construction; shrinking again is cheap and makes the
        # claim independent of its internals.
        minimal = shrink(oracle, run.base, core)
        if minimal is None:
            raise SpaceError("a core from OptUx is satisfiable")
        ids = tuple(sorted(by_selector[s] for s in minimal))
        cores.setdefault(ids, minimal)
    ordered = sorted(cores.items(), key=lambda item: (len(item[0]), item[0]))[:limit]
    return Deadlocks(
        cores=tuple(_core(run, list(ids), lits) for ids, lits in ordered),
        complete=complete and len(cores) == len(found),
        limit=limit,
    )


def _core(run: _Run, rule_ids: list[str], selectors: list[int]) -> Core:
    """Explain a core: the implications and draft settings it runs through, the terms at stake."""
    enc, oracle = run.enc, run.oracle
    fixed = [
        lit
        for lit in run.base
        if lit not in enc.imp_selector.values() and lit not in enc.fixed_lit.values()
    ]
    imps = (
        shrink(
            oracle, [*fixed, *selectors, *enc.fixed_lit.values()], list(enc.imp_selector.values())
        )
        or []
    )
    draft = shrink(oracle, [*fixed, *selectors, *imps], list(enc.fixed_lit.values())) or []
    imp_ids = [i for i, lit in enc.imp_selector.items() if lit in imps]
    draft_terms = [t for t, lit in enc.fixed_lit.items() if lit in draft]
    rules = [run.rules[r] for r in rule_ids]
    by_id = {imp.id: imp for imp in enc.implications}
    members: list[list[str]] = [terms_of(r.requires) for r in rules]
    members += [[*terms_of(by_id[i].when), *by_id[i].then] for i in imp_ids]
    members += [[t] for t in draft_terms]
    counts: dict[str, int] = {}
    for mentioned in members:
        for term in set(mentioned):
            counts[term] = counts.get(term, 0) + 1
    shared = sorted(t for t, n in counts.items() if n > 1) or sorted(counts)
    return Core(
        rules=tuple(_rule_ref(r) for r in rules),
        actors=tuple(sorted({r.actor for r in rules})),
        terms=tuple(shared),
        implications=tuple(imp_ids),
        draft=tuple(_draft_setting(run.subject, t, enc.fixed[t]) for t in draft_terms),
    )


def _base_conflict(run: _Run) -> Core:
    """The draft and the implications alone, with no red line, admit no package."""
    return _core(run, [], [])


def _draft_setting(subject: Proposal, term: str, value: TermValue) -> DraftSetting:
    for clause in subject.clauses:
        for setting in clause.settings:
            if setting.term == term and setting.value == value:
                where = setting.origin or clause.origin
                return DraftSetting(
                    term=term,
                    value=value,
                    clause=clause.id,
                    location=Location.of(where) if where else None,
                )
    return DraftSetting(term=term, value=value, clause=None, location=None)


def _rule_ref(rule: Rule) -> RuleRef:
    return RuleRef(
        id=rule.id,
        title=rule.title,
        ruleset=rule.ruleset,
        actor=rule.actor,
        severity=rule.severity,
        weight=rule.weight,
    )


# --- concessions --------------------------------------------------------------------------------


def _concessions(run: _Run, red_line_weight: int | None) -> Concessions | None:
    enc = run.enc
    soft_rules = [r for r in enc.rules if r.severity is not Severity.RED_LINE]
    weight = red_line_weight or sum(r.weight or 0 for r in soft_rules) + 1
    soft = [
        (enc.selector[r.id], weight if r.severity is Severity.RED_LINE else (r.weight or 0))
        for r in enc.rules
    ]
    solved = maxsat(enc.formula, run.base, [(lit, w) for lit, w in soft if w > 0])
    if solved is None:
        return None
    model, cost = solved
    model = _simplify(
        run, model, [enc.selector[r.id] for r in enc.rules if model.holds(enc.sat[r.id])]
    )
    lost = [r for r in enc.rules if not model.holds(enc.sat[r.id])]
    relaxed = [r for r in lost if r.severity is Severity.RED_LINE]
    package = _package(run, enc.decode(model))
    judged = {rule for outcome in package.actors for rule in (*outcome.violated, *outcome.open)}
    if judged != {r.id for r in relaxed}:
        raise SpaceError(
            f"the engine and the solver disagree on the best package for "
            f"{run.subject.id}: {sorted(judged)} vs {sorted(r.id for r in relaxed)}"
        )
    return Concessions(
        red_line_weight=weight,
        cost=cost,
        relaxed=tuple(_rule_ref(r) for r in relaxed),
        unmet=tuple(_rule_ref(r) for r in lost if r.severity is not Severity.RED_LINE),
        package=package,
    )


# --- the zone of possible agreement ---------------------------------------------------------------


def _zone(run: _Run, concessions: Concessions | None, witness: Model | None) -> Zone | None:
    enc, oracle = run.enc, run.oracle
    if witness is not None:
        relaxed: set[str] = set()
    elif concessions is not None:
        relaxed = {r.id for r in concessions.relaxed}
    else:
        return None
    assumptions = [*run.base, *(enc.selector[r] for r in run.red if r not in relaxed)]
    open_codes = {n: c for n, c in enc.codes.items() if n not in enc.fixed}
    candidates = {n: c.candidates() for n, c in open_codes.items()}
    seen: dict[str, set[int]] = {n: set() for n in open_codes}

    def mark(model: Model) -> None:
        for name, code in open_codes.items():
            seen[name].add(code.which(model))

    if witness is not None:
        mark(witness)
    elif oracle.solve(assumptions):
        mark(oracle.model())
    for name in sorted(open_codes):
        for index, lits in enumerate(candidates[name]):
            if index not in seen[name] and oracle.solve([*assumptions, *lits]):
                mark(oracle.model())
    terms = []
    for name, code in sorted(enc.codes.items()):
        if name in enc.fixed:
            terms.append(_fixed_zone(code, enc.fixed[name]))
            continue
        possible = seen[name]
        last = len(candidates[name]) - 1
        unaddressed = last in possible
        needs = not unaddressed and not oracle.solve([*assumptions, enc.free_lit(name)])
        if code.ordered:
            values: tuple[TermValue, ...] = ()
            intervals = _intervals(code, sorted(i for i in possible if i != last))
        else:
            values = tuple(v for i, v in enumerate(code.values) if i in possible)
            intervals = ()
        terms.append(
            TermZone(
                term=name,
                type=code.term.type,
                fixed=False,
                values=values,
                intervals=intervals,
                unaddressed=unaddressed,
                needs_value=needs,
                restricted=len(possible) < len(candidates[name]),
            )
        )
    return Zone(relaxed=tuple(sorted(relaxed)), terms=tuple(terms))


def _fixed_zone(code: _TermCode, value: TermValue) -> TermZone:
    if code.ordered:
        assert not isinstance(value, bool | str)
        number = _number(code.term, value)
        return TermZone(
            term=code.term.name,
            type=code.term.type,
            fixed=True,
            values=(),
            intervals=(code.interval(number, number),),
            unaddressed=False,
            needs_value=False,
            restricted=True,
        )
    return TermZone(
        term=code.term.name,
        type=code.term.type,
        fixed=True,
        values=(value,),
        intervals=(),
        unaddressed=False,
        needs_value=False,
        restricted=True,
    )


def _intervals(code: _TermCode, cells: list[int]) -> tuple[Interval, ...]:
    """Adjacent possible cells merged into exact intervals."""
    bounds = code.cells()
    merged: list[list[int | None]] = []
    previous = -2
    for index in cells:
        start, end = bounds[index]
        if merged and index == previous + 1:
            merged[-1][1] = end
        else:
            merged.append([start, end])
        previous = index
    return tuple(code.interval(low, high) for low, high in merged)


# --- who can live with whom ---------------------------------------------------------------------


def _compatibility(run: _Run) -> tuple[Compatibility, ...]:
    enc = run.enc
    groups = sorted({rs.id: rs.actor for rs in run.book.rulesets}.items())
    result = []
    for size in (1, 2):
        for combo in itertools.combinations(groups, size):
            ids = {rs for rs, _ in combo}
            sels = [enc.selector[r] for r in run.red if run.rules[r].ruleset in ids]
            core = shrink(run.oracle, run.base, sels)
            by_selector = {enc.selector[r]: r for r in run.red}
            result.append(
                Compatibility(
                    rulesets=tuple(rs for rs, _ in combo),
                    actors=tuple(a for _, a in combo),
                    compatible=core is None,
                    core=tuple(sorted(by_selector[s] for s in core or ())),
                )
            )
    return tuple(result)


__all__ = [
    "Compatibility",
    "Concessions",
    "Core",
    "Deadlocks",
    "Interval",
    "Package",
    "PackageTerm",
    "RuleRef",
    "SpaceError",
    "SpaceReport",
    "SpaceReportSet",
    "SpaceVerdict",
    "TermZone",
    "Zone",
    "analyze_all",
    "analyze_space",
    "default_as_of",
    "package_proposal",
]
