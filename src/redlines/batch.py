"""Check many variants at once: verdicts only, the fastest engine, optionally several processes.

`check()` builds a full `Report` (findings with clauses, terms and sources) for a reader. A
sweep over thousands of generated variants needs only each one's verdicts, so `check_many`
compiles the rule book once per as-of date and, per variant, evaluates the rules and tallies
the actors' verdicts with the same `rule_status`, `actor_verdict_kind` and `soft_score` that
`check()` uses, so an `Outcome` is exactly what `summarize(check(...))` gives (tested).

A variant is a `Proposal`, or a mapping of term values laid over `base` the way `--set` lays
them over a draft: `check_many([{"ukraine.army_cap": 800000}], rules, base=draft)` is the
what-if `check(draft, rules, overrides={"ukraine.army_cap": 800000})`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Literal

from .conditions import Truth
from .engine import Engine, EngineName, durable_available, make_engine
from .gcpause import collector_paused
from .models import Proposal, Rule, RuleBook, Severity, TermValue
from .report import (
    ActorVerdictKind,
    Report,
    Status,
    Verdict,
    actor_verdict_kind,
    overall_verdict,
    proposal_values,
    rule_status,
    soft_score,
    type_overrides,
    worst,
)

BatchEngine = Literal["fastest", "auto", "durable", "python"]
Variant = Proposal | Mapping[str, Any]

# Below this many variants per worker, starting a process (it imports redlines and compiles the
# rules, ~0.3 s) costs more than it saves: the break-even measured on 2 cores, per engine, in
# benchmarks/RESULTS.md.
MIN_VARIANTS_PER_WORKER = {"python": 10_000, "durable": 1_000}


@dataclass(frozen=True, slots=True)
class Outcome:
    """One variant's verdicts: what `check()` would report, without the findings' details."""

    as_of: dt.date
    overall: Verdict
    verdicts: dict[str, ActorVerdictKind]  # rule set id -> verdict, sorted by id
    soft_scores: dict[str, float | None]  # rule set id -> met weight / total weight
    violated: tuple[str, ...]  # red lines violated, by rule set id, then rule id
    open: tuple[str, ...]  # red lines left open, in the same order
    contradictions: tuple[str, ...]  # terms given different values, then the ties broken (ids)


@dataclass(frozen=True, slots=True)
class BatchResult:
    engine: str  # the engine that decided: "python" or "durable"
    outcomes: tuple[Outcome, ...]  # one per variant, in the order given

    @property
    def overall(self) -> Verdict:
        return worst(o.overall for o in self.outcomes)


def summarize(report: Report) -> Outcome:
    """The `Outcome` of a full report: what `check_many` gives for the same input."""
    return Outcome(
        as_of=report.as_of,
        overall=report.overall,
        verdicts={v.ruleset: v.verdict for v in report.verdicts},
        soft_scores={v.ruleset: v.soft_score for v in report.verdicts},
        violated=tuple(rule for v in report.verdicts for rule in v.violated),
        open=tuple(rule for v in report.verdicts for rule in v.open),
        contradictions=tuple(c.tie or c.term for c in report.contradictions),
    )


def check_many(
    variants: Iterable[Variant],
    rules: RuleBook,
    *,
    base: Proposal | None = None,
    as_of: dt.date | None = None,
    actors: Sequence[str] = (),
    engine: BatchEngine = "fastest",
    workers: int | None = 1,
) -> BatchResult:
    """Check every variant; outcomes come in the order given.

    `as_of` defaults to each proposal's own date, and to `base`'s date for mappings (with
    neither, it is required). `engine="fastest"` takes the python engine: it is held to results
    identical to durable-rules' by the property tests, and is several times faster (see
    `BatchResult.engine`). `workers` > 1 (None: one per CPU) spreads a large batch over this
    process and `workers - 1` others, started with "spawn" (so a script calling this with
    workers needs the usual `if __name__ == "__main__":` guard); a batch smaller than
    `MIN_VARIANTS_PER_WORKER[engine]` per worker runs here alone.
    Raises `InputError` for a mapping that names an unknown term or mistypes a value.
    """
    items = list(variants)
    if as_of is None and base is None and any(not isinstance(v, Proposal) for v in items):
        raise ValueError("check_many: term mappings need `base` or `as_of` to date them")
    name: EngineName = "python" if engine == "fastest" else engine
    # "auto" stays "auto" for make_engine, which may still take the python engine for this book
    likely = "durable" if name == "durable" or (name == "auto" and durable_available()) else ""
    count = _worker_count(workers, len(items), MIN_VARIANTS_PER_WORKER[likely or "python"])
    job = _Job(rules=rules, base=base, as_of=as_of, actors=tuple(actors), engine=name)
    if count <= 1:
        outcomes = job.run(items, first=0)
        used = job.engine_used
    else:
        outcomes, used = _run_in_processes(job, items, count)
    if used == "auto":  # nothing was compiled (no variants)
        used = likely or "python"
    return BatchResult(engine=used, outcomes=tuple(outcomes))


def _worker_count(workers: int | None, size: int, least: int) -> int:
    wanted = (os.cpu_count() or 1) if workers is None else workers
    if wanted < 1:
        raise ValueError(f"check_many: workers must be at least 1, not {wanted}")
    return max(1, min(wanted, size // least))


class _RuleSetPlan:
    """One rule set's rules in report order, as positions in the engine's list of truths."""

    def __init__(self, ruleset_id: str, rules: Sequence[Rule], position: Mapping[str, int]):
        ordered = sorted(rules, key=lambda r: (-r.severity.rank, r.id))
        red = [r for r in ordered if r.severity is Severity.RED_LINE]
        soft = [r for r in ordered if r.severity is not Severity.RED_LINE]
        self.id = ruleset_id
        # (position, rule id, the rule's status for each truth of its condition)
        self._red_lines = [
            (position[r.id], r.id, {t: rule_status(r, t)[0] for t in (True, False, None)})
            for r in red
        ]
        # (position, weight, the truths under which the rule is met)
        self._soft = [
            (
                position[r.id],
                r.weight or 0,
                frozenset(t for t in (True, False, None) if rule_status(r, t)[0] is Status.MET),
            )
            for r in soft
        ]
        self.soft_total = sum(r.weight or 0 for r in soft)

    def tally(self, truths: Sequence[Truth]) -> tuple[list[str], list[str], int]:
        """The red lines violated, those left open, and the weight of soft rules met.

        This runs for every rule set of every variant: a plain loop over positions and looked-up
        statuses, measured faster here than `itemgetter`/`map`/`compress` on rule sets this size.
        """
        violated_status, open_status = Status.VIOLATED, Status.OPEN
        broken: list[str] = []
        still_open: list[str] = []
        for position, rule, status_of in self._red_lines:
            status = status_of[truths[position]]
            if status is violated_status:
                broken.append(rule)
            elif status is open_status:
                still_open.append(rule)
        met = 0
        for position, weight, meeting in self._soft:
            if truths[position] in meeting:
                met += weight
        return broken, still_open, met


@dataclass
class _Plan:
    """The rule book in force on one date, compiled, with each rule set's rules in report order."""

    engine: Engine
    rulesets: list[_RuleSetPlan]


# Typed override values remembered per job; past this many, the memory starts over.
_MAX_TYPED = 100_000


class _Job:
    """Everything a worker needs to check variants; picklable, so a process can rebuild it."""

    def __init__(
        self,
        *,
        rules: RuleBook,
        base: Proposal | None,
        as_of: dt.date | None,
        actors: tuple[str, ...],
        engine: EngineName,
    ) -> None:
        self.rules = rules
        self.base = base
        self.as_of = as_of
        self.actors = actors
        self.engine = engine
        self.engine_used: str = engine  # until a rule book is compiled (auto may fall back)
        self._plans: dict[dt.date, _Plan] = {}
        # (term as given, type, raw value) -> (term, typed value): a sweep sets the same few values
        # again and again.
        self._typed: dict[tuple[str, type, Any], tuple[str, TermValue]] = {}
        self._base_values: dict[str, TermValue] = {}
        self._base_contradictions: list[str] = []
        if base is not None:
            values, contradictions = proposal_values(base, {})
            self._base_values = values
            self._base_contradictions = sorted(contradictions)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_plans"] = {}  # engines hold compiled rules; each process compiles its own
        state["_typed"] = {}
        return state

    def run(self, items: Sequence[Variant], first: int) -> list[Outcome]:
        return [self.one(item, first + i) for i, item in enumerate(items)]

    def one(self, item: Variant, index: int) -> Outcome:
        if isinstance(item, Proposal):
            values, contradictions = proposal_values(item, {})
            date = self.as_of or item.date
            clause_terms = sorted(contradictions)
        else:
            overrides = self._type(item, index)
            values = dict(self._base_values)
            values.update(overrides)
            date = self.as_of or self._base_date()
            # A term the base's clauses disagree on stays unaddressed unless the variant sets it.
            clause_terms = [t for t in self._base_contradictions if t not in overrides]
        plan = self._plan(date)
        evaluation = plan.engine.evaluate(values, explain=False)
        truths = evaluation.truth_list
        verdicts: dict[str, ActorVerdictKind] = {}
        scores: dict[str, float | None] = {}
        violated: list[str] = []
        still_open: list[str] = []
        for ruleset in plan.rulesets:
            broken, undecided, met = ruleset.tally(truths)
            verdicts[ruleset.id] = actor_verdict_kind(broken, undecided)
            scores[ruleset.id] = soft_score(met, ruleset.soft_total)
            violated += broken
            still_open += undecided
        return Outcome(
            as_of=date,
            overall=overall_verdict(verdicts.values()),
            verdicts=verdicts,
            soft_scores=scores,
            violated=tuple(violated),
            open=tuple(still_open),
            contradictions=(
                *clause_terms,
                *(c.term for c in evaluation.clashes),
                *evaluation.broken,
                *(n.ties[0] for n in evaluation.incoherent),
            ),
        )

    def _type(self, item: Mapping[str, Any], index: int) -> dict[str, TermValue]:
        """The variant's values typed by the catalogue, each (term, raw value) typed once."""
        typed = self._typed
        try:
            return dict([typed[name, type(raw), raw] for name, raw in item.items()])
        except (KeyError, TypeError):  # not typed yet, or a raw value that cannot be a key
            pass
        overrides = type_overrides(self.rules, item, where=f"variants[{index}]")
        if len(typed) > _MAX_TYPED:
            typed.clear()
        for name, raw in item.items():
            term = self.rules.catalogue.resolve(name)
            assert term is not None  # type_overrides accepted it
            with suppress(TypeError):  # a raw value that cannot be a key is typed every time
                typed[name, type(raw), raw] = (term.name, overrides[term.name])
        return overrides

    def _base_date(self) -> dt.date:
        assert self.base is not None  # check_many demands a base or an as-of for mappings
        return self.base.date

    def _plan(self, date: dt.date) -> _Plan:
        plan = self._plans.get(date)
        if plan is None:
            with collector_paused():
                plan = self._plans[date] = self._new_plan(date)
        return plan

    def _new_plan(self, date: dt.date) -> _Plan:
        book = self.rules.for_actors(list(self.actors)).in_force(date)
        engine = make_engine(book, self.engine)
        self.engine_used = engine.name
        position = {rule_id: i for i, rule_id in enumerate(engine.rule_ids)}
        rulesets = [
            _RuleSetPlan(rs.id, rs.rules, position)
            for rs in sorted(book.rulesets, key=lambda rs: rs.id)
        ]
        return _Plan(engine, rulesets)


# --- several processes --------------------------------------------------------------------------

_worker_job: _Job | None = None


def _start_worker(job: _Job) -> None:
    global _worker_job
    _worker_job = job


def _run_chunk(items: list[Variant], first: int) -> tuple[list[Outcome], str]:
    assert _worker_job is not None
    outcomes = _worker_job.run(items, first)
    return outcomes, _worker_job.engine_used


def _run_in_processes(job: _Job, items: list[Variant], workers: int) -> tuple[list[Outcome], str]:
    """Check `items` here and in `workers - 1` other processes, sharing chunks as they free up.

    This process works too rather than wait: it starts at once (the others first import redlines
    and compile the rules, ~0.3 s) and its own results need no pickling. It takes chunks from
    the end of the queue while the pool takes them from the front, keeping two chunks in flight
    per process so none idles between chunks.
    """
    # "spawn", not fork: a forked child would inherit the parent's locks mid-use (and any
    # threads' state); a spawned one starts clean, on every platform.
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor, wait

    size = max(500, -(-len(items) // (workers * 8)))
    waiting = deque(range(0, len(items), size))
    done: dict[int, list[Outcome]] = {}
    used = ""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers - 1, context, initializer=_start_worker, initargs=(job,)
    ) as pool:
        running: dict[Future[tuple[list[Outcome], str]], int] = {}

        def collect_and_refill() -> None:
            nonlocal used
            for future in [f for f in running if f.done()]:
                done[running.pop(future)], used = future.result()
            while waiting and len(running) < 2 * (workers - 1):
                start = waiting.popleft()
                running[pool.submit(_run_chunk, items[start : start + size], start)] = start

        collect_and_refill()
        while waiting:
            start = waiting.pop()
            done[start] = job.run(items[start : start + size], start)
            collect_and_refill()
        while running:
            wait(running)
            collect_and_refill()
    outcomes = [outcome for start in sorted(done) for outcome in done[start]]
    return outcomes, used or job.engine_used
