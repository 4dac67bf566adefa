"""The analyses of `redlines space`: feasibility, deadlocks, the zone, concessions, pairs.

`analyze_space` builds one encoding of the rule book in force (`encoding.py`) and asks one
incremental SAT solver (`solver.py`) every question under assumptions; every package it reports
is checked again by the engine, and a disagreement is a `SpaceError`, never a verdict.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..brackets import offered_values, restrict_to_options
from ..conditions import evaluate, terms_of
from ..engine import EngineName
from ..models import (
    Clause,
    Origin,
    Proposal,
    Rule,
    RuleBook,
    Setting,
    Severity,
    TermValue,
    TieLevel,
)
from ..report import RuleRef, Trace, Verdict, check, check_and_trace, proposal_values
from .encoding import Encoding, TermCode, as_number
from .models import (
    ActorOutcome,
    Compatibility,
    Concessions,
    Core,
    Deadlocks,
    DraftSetting,
    Interval,
    Package,
    PackageTerm,
    SpaceReport,
    SpaceReportSet,
    SpaceVerdict,
    TermZone,
    Zone,
)
from .solver import Model, Oracle, maxsat, minimal, shrink, smallest_cores

DEFAULT_MAX_CORES = 10
DEFAULT_CORE_BUDGET = 2.0  # seconds for enumerating cores beyond the first


class SpaceError(Exception):
    """The solver and the engine disagree: a bug, never a verdict to show a user."""


# --- dates ----------------------------------------------------------------------------------------


def default_as_of(book: RuleBook) -> dt.date | None:
    """The blank page's date: the first day on which the newest set of positions holds.

    That is the latest `valid_from` among the rules and implications, or the day after the latest
    (inclusive) `valid_until`, whichever is later: a position that ended after the newest one
    began must not come back to life. Deterministic (never today's date). None when nothing is
    dated (every rule applies on every day).
    """
    found = _blank_page_date(book)
    return found[0] if found else None


_LATEST_START = "the latest valid_from among the rules"
_AFTER_LATEST_END = "the day after the latest valid_until among the rules"


def _blank_page_date(book: RuleBook) -> tuple[dt.date, str] | None:
    spans = [(r.valid_from, r.valid_until) for r in book.rules]
    spans += [(i.valid_from, i.valid_until) for i in book.implications]
    latest_start = max((start for start, _ in spans if start), default=None)
    # dt.date.max has no day after it: a position valid until then never ends.
    latest_end = max((end for _, end in spans if end and end < dt.date.max), default=None)
    day_after = latest_end + dt.timedelta(days=1) if latest_end else None
    if day_after is not None and (latest_start is None or day_after > latest_start):
        return day_after, _AFTER_LATEST_END
    if latest_start is not None:
        return latest_start, _LATEST_START
    return None


def _resolve_as_of(
    book: RuleBook, proposal: Proposal | None, as_of: dt.date | None
) -> tuple[dt.date | None, str]:
    if as_of is not None:
        return as_of, "--as-of"
    if proposal is not None:
        return proposal.date, "the proposal's date"
    return _blank_page_date(book) or (None, "no rule is dated")


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
    trace: Trace  # the subject's evaluation: which clause sets each fixed term
    enc: Encoding
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
    written, trace = check_and_trace(subject, book, as_of=check_date, actors=actors, engine=engine)
    values, contradicted = proposal_values(subject, {})
    # A draft's bracketed terms take one of their options, nothing else (brackets.py).
    enc = Encoding(selected, values, offered_values(subject))
    restrict_to_options(enc, subject.brackets)
    base = [*enc.imp_selector.values(), *enc.tie_selector.values(), *enc.fixed_lit.values()]
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
            trace=trace,
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
                "the draft contradicts itself through implications or ties: no package can "
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
    # The draft as written is itself a package (unless --complete asks for more, or it leaves
    # a tie unknown: the engine read it coherently, a package must say what that reading
    # assumes), so the engine accepting it while the solver finds none would be a wrong "no deal".
    as_written = (
        written.overall is Verdict.FEASIBLE
        and not written.contradictions
        and _coherent_as_written(selected, trace)
        and not subject.brackets  # its text leaves the options' terms out; no package may
    )
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
        verdict=space_verdict(written.overall, blank, feasible),
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


def space_verdict(written: Verdict, blank: bool, feasible: bool) -> SpaceVerdict:
    """What `space` says of a draft (or the blank page) from its verdict as written and whether
    any package of it is agreeable."""
    if written is Verdict.INFEASIBLE and not blank:
        return SpaceVerdict.INFEASIBLE  # what the draft says already crosses a red line
    if not feasible:
        return SpaceVerdict.DEADLOCKED
    return SpaceVerdict.FEASIBLE if written is Verdict.FEASIBLE else SpaceVerdict.COMPLETABLE


def _coherent_as_written(book: RuleBook, trace: Trace) -> bool:
    """The draft needed no coherent reading (every tie holds on its values, or it sets none of
    the tie's terms): it is a package as it stands."""
    if trace.narrowed or any(d.via == "tie" for d in trace.derived.values()):
        return False
    facts = trace.facts
    return all(
        evaluate(tie.requires, facts) is True
        for tie in book.ties
        if tie.level is TieLevel.CONTRADICTION and any(t in facts for t in terms_of(tie.requires))
    )


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
                clause=run.trace.state(name).clause if fixed else None,
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
    """Explain a core: the implications, ties and draft settings it runs through, the terms at
    stake."""
    enc = run.enc
    parts = {*enc.imp_selector.values(), *enc.tie_selector.values(), *enc.fixed_lit.values()}
    return explain_core(
        run.oracle,
        enc,
        [run.rules[r] for r in rule_ids],
        selectors,
        fixed=[lit for lit in run.base if lit not in parts],
        implications=list(enc.imp_selector),
        ties=list(enc.tie_selector),
        trace=run.trace,
    )


def explain_core(
    oracle: Oracle,
    enc: Encoding,
    rules: Sequence[Rule],
    selectors: Sequence[int],
    *,
    fixed: Sequence[int],
    implications: Sequence[str],
    ties: Sequence[str],
    trace: Trace | None,
) -> Core:
    """A core of red lines (`rules`, with their `selectors`) as a report shows it: the
    implications and ties it runs through, the draft settings it needs, the terms at stake.

    `fixed` are the assumptions that stay (the rule book's date, `--complete`), `implications`
    and `ties` the ids of those in force. The implications and ties are the first minimal sets
    in id order (`minimal`), so that every encoding of the same rules names the same ones
    (`redlines timeline` reuses one encoding for many dates); the draft settings, any minimal
    set.
    """
    fixed_lits = list(enc.fixed_lit.values())
    tie_sels = [enc.tie_selector[t] for t in ties]
    imps = (
        minimal(
            oracle,
            [*fixed, *selectors, *tie_sels, *fixed_lits],
            [enc.imp_selector[i] for i in implications],
        )
        or []
    )
    kept = minimal(oracle, [*fixed, *selectors, *imps, *fixed_lits], tie_sels) or []
    draft = shrink(oracle, [*fixed, *selectors, *imps, *kept], fixed_lits) or []
    imp_ids = [i for i in implications if enc.imp_selector[i] in imps]
    tie_ids = [t for t in ties if enc.tie_selector[t] in kept]
    draft_terms = [t for t, lit in enc.fixed_lit.items() if lit in draft]
    by_id = {imp.id: imp for imp in enc.implications}
    ties_by_id = {tie.id: tie for tie in enc.ties}
    members: list[list[str]] = [terms_of(r.requires) for r in rules]
    members += [[*terms_of(by_id[i].when), *by_id[i].then] for i in imp_ids]
    members += [terms_of(ties_by_id[t].requires) for t in tie_ids]
    members += [[t] for t in draft_terms]
    counts: dict[str, int] = {}
    for mentioned in members:
        for term in set(mentioned):
            counts[term] = counts.get(term, 0) + 1
    shared = sorted(t for t, n in counts.items() if n > 1) or sorted(counts)
    return Core(
        rules=tuple(RuleRef.of(r) for r in rules),
        actors=tuple(sorted({r.actor for r in rules})),
        terms=tuple(shared),
        implications=tuple(imp_ids),
        draft=tuple(
            _draft_setting(trace, t, enc.fixed[t]) for t in draft_terms if trace is not None
        ),
        ties=tuple(tie_ids),
    )


def _base_conflict(run: _Run) -> Core:
    """The draft and the implications alone, with no red line, admit no package."""
    return _core(run, [], [])


def _draft_setting(trace: Trace, term: str, value: TermValue) -> DraftSetting:
    state = trace.state(term)
    return DraftSetting(term=term, value=value, clause=state.clause, location=state.location)


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
        relaxed=tuple(RuleRef.of(r) for r in relaxed),
        unmet=tuple(RuleRef.of(r) for r in lost if r.severity is not Severity.RED_LINE),
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
        unaddressed = len(candidates[name]) - 1 in possible
        needs = not unaddressed and not oracle.solve([*assumptions, enc.free_lit(name)])
        terms.append(open_term_zone(code, possible, needs))
    return Zone(relaxed=tuple(sorted(relaxed)), terms=tuple(terms))


def open_term_zone(code: TermCode, possible: set[int], needs_value: bool) -> TermZone:
    """The zone of a term the draft leaves open: `possible` are the indices of its candidates
    (`TermCode.candidates`, the last being 'unaddressed') some acceptable package takes."""
    last = len(code.candidates()) - 1
    if code.ordered:
        values: tuple[TermValue, ...] = ()
        intervals = _intervals(code, sorted(i for i in possible if i != last))
    else:
        values = tuple(v for i, v in enumerate(code.values) if i in possible)
        intervals = ()
    return TermZone(
        term=code.term.name,
        type=code.term.type,
        fixed=False,
        values=values,
        intervals=intervals,
        unaddressed=last in possible,
        needs_value=needs_value,
        restricted=len(possible) < last + 1,
    )


def _fixed_zone(code: TermCode, value: TermValue) -> TermZone:
    if code.ordered:
        assert not isinstance(value, bool | str)
        number = as_number(code.term, value)
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


def _intervals(code: TermCode, cells: list[int]) -> tuple[Interval, ...]:
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
