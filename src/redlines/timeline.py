"""`redlines timeline`: how the negotiating space and the drafts' verdicts moved over time.

Positions are dated (`valid_from`, `valid_until`), so the rules in force change on known days:
the **change points**, each a day on which a rule, an implication or a tie enters force (its
`valid_from`) or leaves it (the day after its `valid_until`, which is inclusive). Between two
change points nothing moves. For each change point in the range, the timeline gives

- what entered and left force (ids, actors, titles, sources);
- the blank page as `redlines space` analyses it on that day: whether a package every actor
  accepts exists, the deadlocks (minimal sets of red lines that cannot hold together) and,
  when a package exists, the zone of possible agreement per term;
- each given draft's verdict per actor and overall, as `redlines check --as-of` that day;
- what the change moved, in words.

It is incremental. The blank page is one encoding of every rule with a selector literal per
rule, implication and tie, asked date by date under assumptions (`space/timeline.py`); each draft
is evaluated once per set of implications and ties in force (the rules read the same values
whatever else is in force), and a date's verdicts are tallied from the rules in force. So a
timeline of the bundled content costs about as much as two `space` runs, not one per change
point (benchmarks/bench_timeline.py). The answers equal `check` and `space` run with `--as-of` on
each change point (tests/test_timeline.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Literal

from .conditions import Truth, terms_of
from .engine import Engine, EngineName, make_engine
from .models import (
    Frozen,
    Implication,
    Proposal,
    Rule,
    RuleBook,
    Severity,
    Source,
    TermValue,
    Tie,
)
from .report import (
    ActorVerdictKind,
    Status,
    Verdict,
    actor_verdict_kind,
    overall_verdict,
    proposal_values,
    rule_status,
)
from .space.analyses import AGREEABLE, DEFAULT_CORE_BUDGET, DEFAULT_MAX_CORES, space_verdict
from .space.models import Deadlocks, SpaceVerdict, TermZone, Zone
from .version import __version__

# --- what a timeline says -----------------------------------------------------------------------


class TimelineItem(Frozen):
    """A rule, implication or tie that entered or left force on a change point."""

    kind: Literal["rule", "implication", "tie"]
    """What it is."""
    id: str
    """Its id."""
    title: str | None
    """Its title."""
    ruleset: str | None
    """The rule set of a rule (null for an implication)."""
    actor: str | None
    """Whose position a rule is (null for an implication)."""
    severity: Severity | None
    """A rule's severity: red_line, priority or preference."""
    valid_from: dt.date | None
    """The first day it holds."""
    valid_until: dt.date | None
    """The last day it holds (inclusive)."""
    superseded_by: str | None
    """The rule, implication or tie that replaced it, if it says so."""
    sources: tuple[Source, ...]
    """Where it is stated."""


class ActorAt(Frozen):
    """One actor's verdict on a draft under the rules of one change point."""

    ruleset: str
    """The rule set's id."""
    actor: str
    """The actor."""
    verdict: ActorVerdictKind
    """rejects, open or accepts, as `check` gives it."""
    violated: tuple[str, ...]
    """The red lines the draft violates."""
    open: tuple[str, ...]
    """The red lines it leaves open."""


class DraftAt(Frozen):
    """A draft's verdicts under the rules of one change point."""

    proposal: str
    """The draft's id."""
    overall: Verdict
    """infeasible, incomplete or feasible, as `check` gives it."""
    actors: tuple[ActorAt, ...]
    """Each actor's verdict."""
    contradictions: tuple[str, ...]
    """Terms the draft gives different values (its clauses, or a clause and an implication)."""


class BlankPageAt(Frozen):
    """The blank page under the rules of one change point, as `redlines space` sees it."""

    verdict: SpaceVerdict
    """completable (a package every actor accepts exists), deadlocked, or feasible (saying
    nothing already meets every red line)."""
    feasible: bool
    """A package every actor accepts exists."""
    red_lines: int
    """Red lines in force."""
    deadlocks: Deadlocks | None
    """When no package exists: the minimal sets of red lines that cannot hold together."""
    deadlocking: tuple[str, ...]
    """The red lines in those deadlocks (sorted)."""
    zone: Zone | None
    """When a package exists: the values each term may still take (null when deadlocked)."""


class VerdictMove(Frozen):
    """A verdict a change point moved."""

    proposal: str
    """The draft's id."""
    ruleset: str | None
    """The actor's rule set, or null for the overall verdict."""
    actor: str | None
    """The actor, or null for the overall verdict."""
    before: str
    """The verdict the day before."""
    after: str
    """The verdict from the change point on."""


class ZoneMove(Frozen):
    """A term whose zone of possible agreement a change point moved."""

    term: str
    """The term."""
    change: Literal["narrows", "widens", "shifts"]
    """narrows (fewer values possible), widens (more) or shifts (some of each)."""


class Moved(Frozen):
    """What a change point moved, against the day before."""

    agreement: Literal["lost", "gained"] | None
    """Whether a package every actor accepts stopped or started existing (null: neither)."""
    deadlocks_added: tuple[tuple[str, ...], ...]
    """Deadlocks (red line ids) the blank page has from this day on and not the day before."""
    deadlocks_ended: tuple[tuple[str, ...], ...]
    """Deadlocks it had the day before and no longer has."""
    zone: tuple[ZoneMove, ...]
    """Terms whose zone moved (only while a package exists on both days)."""
    verdicts: tuple[VerdictMove, ...]
    """The drafts' verdicts that moved."""


class ChangePoint(Frozen):
    """One day on which the rules in force change (or the first day of the range)."""

    date: dt.date
    """The day the change takes effect."""
    until: dt.date
    """The last day of the range on which this state holds (the day before the next point)."""
    entered: tuple[TimelineItem, ...]
    """What enters force on this day."""
    left: tuple[TimelineItem, ...]
    """What leaves force on this day (its valid_until was the day before)."""
    blank: BlankPageAt
    """The blank page under the rules in force."""
    drafts: tuple[DraftAt, ...]
    """Each draft's verdicts under the rules in force, in the order of `proposals`."""
    moved: Moved | None
    """What this change moved against the day before (null for the first point)."""
    summary: str
    """The change and what it moved, in one sentence."""


class TimelineActor(Frozen):
    """An actor whose red lines the timeline follows."""

    ruleset: str
    """The rule set's id."""
    actor: str
    """The actor."""


class TimelineDraft(Frozen):
    """A draft the timeline follows."""

    id: str
    """Its id."""
    title: str
    """Its title."""
    date: dt.date
    """The day it is dated."""
    path: str
    """Its file, as given."""


class Timeline(Frozen):
    """The change points of a rule book over a range of days: what `--format json` prints."""

    tool: str = "redlines"
    """Always "redlines"."""
    version: str = __version__
    """The redlines version that wrote it."""
    start: dt.date
    """The first day of the range."""
    end: dt.date
    """The last day of the range."""
    actors: tuple[TimelineActor, ...]
    """The actors whose rules were followed."""
    proposals: tuple[TimelineDraft, ...]
    """The drafts followed, sorted by path, then id."""
    points: tuple[ChangePoint, ...]
    """The first day of the range, then every change point in it, in order."""


class TimelineError(ValueError):
    """A range the rule book cannot give (the CLI prints it as a usage error)."""


# --- change points ------------------------------------------------------------------------------

Dated = Rule | Implication | Tie


def change_dates(book: RuleBook) -> list[dt.date]:
    """Every day a rule, implication or tie of the book enters or leaves force, sorted."""
    days: set[dt.date] = set()
    for item in _dated(book):
        if item.valid_from is not None:
            days.add(item.valid_from)
        if item.valid_until is not None and item.valid_until < dt.date.max:
            days.add(item.valid_until + dt.timedelta(days=1))
    return sorted(days)


def _dated(book: RuleBook) -> list[Dated]:
    return [*book.rules, *book.implications, *book.ties]


def _item(item: Dated) -> TimelineItem:
    if isinstance(item, Rule):
        return TimelineItem(
            kind="rule",
            id=item.id,
            title=item.title,
            ruleset=item.ruleset,
            actor=item.actor,
            severity=item.severity,
            valid_from=item.valid_from,
            valid_until=item.valid_until,
            superseded_by=item.superseded_by,
            sources=item.sources,
        )
    return TimelineItem(
        kind="implication" if isinstance(item, Implication) else "tie",
        id=item.id,
        title=item.title,
        ruleset=None,
        actor=None,
        severity=None,
        valid_from=item.valid_from,
        valid_until=item.valid_until,
        superseded_by=item.superseded_by,
        sources=item.sources,
    )


# --- the drafts ---------------------------------------------------------------------------------


# A rule set's id and actor, and its red lines in force, each with its status per truth.
_RuleSetRedLines = tuple[str, str, list[tuple[str, dict[Truth, Status]]]]


class _DraftsOverTime:
    """Each draft evaluated once per set of implications in force; verdicts tallied per date."""

    def __init__(self, book: RuleBook, drafts: Sequence[Proposal], engine: EngineName) -> None:
        self.book = book
        self.engine = engine
        self.rulesets = sorted(book.rulesets, key=lambda rs: rs.id)
        self.drafts = [(d.id, *proposal_values(d, {})) for d in drafts]
        self._engines: dict[tuple[str, ...], Engine] = {}
        self._red = {
            rs.id: sorted(
                (r for r in rs.rules if r.severity is Severity.RED_LINE), key=lambda r: r.id
            )
            for rs in self.rulesets
        }
        self._status = {
            r.id: {t: rule_status(r, t)[0] for t in (True, False, None)}
            for rules in self._red.values()
            for r in rules
        }
        self._evaluated: dict[tuple[tuple[str, ...], str], tuple[dict[str, Truth], list[str]]] = {}
        self._ties = {tie.id: tie for tie in book.ties}

    def _engine(self, on: dt.date) -> tuple[tuple[str, ...], Engine]:
        implications = tuple(i for i in self.book.implications if i.in_force(on))
        ties = tuple(t for t in self.book.ties if t.in_force(on))
        key = (*(i.id for i in implications), *(t.id for t in ties))
        found = self._engines.get(key)
        if found is None:
            found = make_engine(
                self.book.model_copy(update={"implications": implications, "ties": ties}),
                self.engine,
            )
            self._engines[key] = found
        return key, found

    def truths(
        self, on: dt.date, draft: str, values: dict[str, TermValue], clauses: Iterable[str]
    ) -> tuple[dict[str, Truth], list[str]]:
        key, engine = self._engine(on)
        found = self._evaluated.get((key, draft))
        if found is None:
            evaluation = engine.evaluate(values, explain=False)
            found = (
                dict(evaluation.truths),
                [
                    *sorted(clauses),
                    *(clash.term for clash in evaluation.clashes),
                    # As `check` names a broken tie: by the first of its terms that has a value.
                    *(
                        next(t for t in terms_of(self._ties[tie].requires) if t in evaluation.facts)
                        for tie in evaluation.broken
                    ),
                    *(n.term for n in evaluation.incoherent),
                ],
            )
            self._evaluated[key, draft] = found
        return found

    def verdicts(
        self, on: dt.date, draft: str, values: dict[str, TermValue], clauses: Iterable[str]
    ) -> DraftAt:
        return self._verdicts(on, self._red_lines(on), draft, values, clauses)

    def _red_lines(
        self, on: dt.date
    ) -> list[tuple[str, str, list[tuple[str, dict[Truth, Status]]]]]:
        """Per rule set (id, actor): its red lines in force, by id, each with its status for each
        truth of its condition."""
        return [
            (
                ruleset.id,
                ruleset.actor,
                [(r.id, self._status[r.id]) for r in self._red[ruleset.id] if r.in_force(on)],
            )
            for ruleset in self.rulesets
        ]

    def _verdicts(
        self,
        on: dt.date,
        red_lines: list[_RuleSetRedLines],
        draft: str,
        values: dict[str, TermValue],
        clauses: Iterable[str],
    ) -> DraftAt:
        truths, contradictions = self.truths(on, draft, values, clauses)
        actors = []
        for ruleset, actor, red in red_lines:
            statuses = [(rule, status[truths[rule]]) for rule, status in red]
            violated = tuple(r for r, s in statuses if s is Status.VIOLATED)
            still_open = tuple(r for r, s in statuses if s is Status.OPEN)
            actors.append(
                ActorAt(
                    ruleset=ruleset,
                    actor=actor,
                    verdict=actor_verdict_kind(violated, still_open),
                    violated=violated,
                    open=still_open,
                )
            )
        return DraftAt(
            proposal=draft,
            overall=overall_verdict(a.verdict for a in actors),
            actors=tuple(actors),
            contradictions=tuple(contradictions),
        )

    def all_at(self, on: dt.date) -> tuple[DraftAt, ...]:
        red_lines = self._red_lines(on)
        return tuple(
            self._verdicts(on, red_lines, draft, values, clauses)
            for draft, values, clauses in self.drafts
        )


# --- the timeline -------------------------------------------------------------------------------


def timeline(
    book: RuleBook,
    proposals: Sequence[Proposal] = (),
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    actors: Sequence[str] = (),
    max_cores: int = DEFAULT_MAX_CORES,
    core_budget: float = DEFAULT_CORE_BUDGET,
    engine: EngineName = "python",
) -> Timeline:
    """The change points of `book` from `start` to `end` (default: its first and last change
    point), with the blank page and each of `proposals` at each; `actors` limits it to those rule
    set ids. Raises `TimelineError` for an empty range, or when no rule is dated and no `start`
    is given."""
    from .space.timeline import BlankPageOverTime  # the solver, only when a timeline is made

    selected = book.for_actors(list(actors))
    days = change_dates(selected)
    start = start or (days[0] if days else None)
    if start is None:
        raise TimelineError(
            "no rule, implication or tie is dated, so nothing moves over time; "
            "give --from, or use redlines space"
        )
    end = end or (days[-1] if days and days[-1] >= start else start)
    if end < start:
        raise TimelineError(f"the range ends ({end}) before it starts ({start})")
    points = [start, *(d for d in days if start < d <= end)]
    drafts = sorted(proposals, key=lambda p: (p.path, p.id))
    judged = _DraftsOverTime(selected, drafts, engine)
    blank_page = _DraftsOverTime(selected, [], engine)
    built: list[ChangePoint] = []
    ordered = _sorted(_dated(selected))
    with BlankPageOverTime(selected, max_cores=max_cores, core_budget=core_budget) as space:
        for i, day in enumerate(points):
            until = points[i + 1] - dt.timedelta(days=1) if i + 1 < len(points) else end
            dated = space.at(day)
            written = blank_page.verdicts(day, "blank-page", {}, []).overall
            blank = _blank(dated.feasible, written, dated.red_lines, dated.deadlocks, dated.zone)
            entered = tuple(_item(x) for x in ordered if i and x.valid_from == day)
            left = tuple(
                _item(x)
                for x in ordered
                if i and x.valid_until is not None and x.valid_until + _DAY == day
            )
            at = judged.all_at(day)
            moved = _moved(built[-1], blank, at) if built else None
            point = ChangePoint(
                date=day,
                until=until,
                entered=entered,
                left=left,
                blank=blank,
                drafts=at,
                moved=moved,
                summary="",
            )
            built.append(point.model_copy(update={"summary": summary(point, first=not i)}))
    return Timeline(
        start=start,
        end=end,
        actors=tuple(TimelineActor(ruleset=rs.id, actor=rs.actor) for rs in judged.rulesets),
        proposals=tuple(
            TimelineDraft(id=p.id, title=p.title, date=p.date, path=p.path) for p in drafts
        ),
        points=tuple(built),
    )


_DAY = dt.timedelta(days=1)


def _sorted(items: Iterable[Dated]) -> list[Dated]:
    return sorted(items, key=lambda x: (isinstance(x, Implication), isinstance(x, Tie), x.id))


def _blank(
    feasible: bool,
    written: Verdict,
    red_lines: int,
    deadlocks: Deadlocks | None,
    zone: Zone | None,
) -> BlankPageAt:
    verdict = space_verdict(written, True, feasible)
    assert (verdict in AGREEABLE) == feasible
    deadlocking = sorted(
        {r.id for core in (deadlocks.cores if deadlocks else ()) for r in core.rules}
    )
    return BlankPageAt(
        verdict=verdict,
        feasible=feasible,
        red_lines=red_lines,
        deadlocks=deadlocks,
        deadlocking=tuple(deadlocking),
        zone=zone,
    )


def _core_ids(blank: BlankPageAt) -> list[tuple[str, ...]]:
    if blank.deadlocks is None:
        return []
    return [tuple(r.id for r in core.rules) for core in blank.deadlocks.cores]


def _moved(before: ChangePoint, blank: BlankPageAt, drafts: tuple[DraftAt, ...]) -> Moved:
    agreement: Literal["lost", "gained"] | None = None
    if before.blank.feasible != blank.feasible:
        agreement = "gained" if blank.feasible else "lost"
    old, new = _core_ids(before.blank), _core_ids(blank)
    zone: list[ZoneMove] = []
    if before.blank.zone is not None and blank.zone is not None:
        earlier = {t.term: t for t in before.blank.zone.terms}
        for term in blank.zone.terms:
            change = _zone_change(earlier[term.term], term)
            if change is not None:
                zone.append(ZoneMove(term=term.term, change=change))
    verdicts: list[VerdictMove] = []
    for was, now in zip(before.drafts, drafts, strict=True):
        was_actor = {a.ruleset: a for a in was.actors}
        for actor in now.actors:
            previous = was_actor[actor.ruleset].verdict
            if previous is not actor.verdict:
                verdicts.append(
                    VerdictMove(
                        proposal=now.proposal,
                        ruleset=actor.ruleset,
                        actor=actor.actor,
                        before=previous.value,
                        after=actor.verdict.value,
                    )
                )
        if was.overall is not now.overall:
            verdicts.append(
                VerdictMove(
                    proposal=now.proposal,
                    ruleset=None,
                    actor=None,
                    before=was.overall.value,
                    after=now.overall.value,
                )
            )
    return Moved(
        agreement=agreement,
        deadlocks_added=tuple(c for c in new if c not in old),
        deadlocks_ended=tuple(c for c in old if c not in new),
        zone=tuple(zone),
        verdicts=tuple(verdicts),
    )


def _zone_change(
    before: TermZone, after: TermZone
) -> Literal["narrows", "widens", "shifts"] | None:
    if before == after:
        return None
    old, new = _extent(before), _extent(after)
    if new < old:
        return "narrows"
    if new > old:
        return "widens"
    return "shifts"


class _Extent:
    """The values a term's zone holds, comparable by inclusion (intervals as closed ranges)."""

    def __init__(self, zone: TermZone) -> None:
        self.values = set(map(str, zone.values)) | (
            {"<unaddressed>"} if zone.unaddressed else set()
        )
        self.intervals = [(_low(i.low), _high(i.high)) for i in zone.intervals]

    def _within(self, other: _Extent) -> bool:
        return self.values <= other.values and all(
            any(lo >= olo and hi <= ohi for olo, ohi in other.intervals)
            for lo, hi in self.intervals
        )

    def __le__(self, other: _Extent) -> bool:
        return self._within(other)

    def __lt__(self, other: _Extent) -> bool:
        return self._within(other) and not other._within(self)

    def __gt__(self, other: _Extent) -> bool:
        return other < self


def _extent(zone: TermZone) -> _Extent:
    return _Extent(zone)


def _low(value: int | dt.date | None) -> float:
    if value is None:
        return float("-inf")
    return float(value.toordinal() if isinstance(value, dt.date) else value)


def _high(value: int | dt.date | None) -> float:
    if value is None:
        return float("inf")
    return float(value.toordinal() if isinstance(value, dt.date) else value)


# --- in words -----------------------------------------------------------------------------------

_NAMED = 3  # items a sentence names before "and N more"


def summary(point: ChangePoint, *, first: bool = False) -> str:
    """The change point in one sentence: what changed, and what it moved."""
    day = point.date.isoformat()
    if first:
        lines = point.blank.red_lines
        count = f"{lines} red line{' is' if lines == 1 else 's are'}"
        return f"on {day} {count} in force: {_state(point.blank)}"
    changes = []
    if point.entered:
        changes.append(f"{_listed(point.entered)} in force")
    if point.left:
        changes.append(f"{_listed(point.left)} out of force")
    moved = moves(point)
    return f"from {day} {' and '.join(changes)}: {'; '.join(moved) if moved else 'nothing moved'}"


def _listed(items: Sequence[TimelineItem]) -> str:
    named = [f"{i.id} ({i.title})" if i.title else i.id for i in items[:_NAMED]]
    more = len(items) - _NAMED
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")


def _state(blank: BlankPageAt) -> str:
    if blank.feasible:
        return "a package every actor accepts exists"
    if blank.deadlocks is None:
        return "no package exists"
    return "the blank page deadlocks on " + _cores(
        [tuple(r.id for r in c.rules) for c in blank.deadlocks.cores]
    )


def _cores(cores: Sequence[tuple[str, ...]]) -> str:
    return ", ".join(" + ".join(core) or "the implications alone" for core in cores)


def moves(point: ChangePoint) -> list[str]:
    """What a change point moved, one phrase each."""
    moved = point.moved
    if moved is None:
        return []
    said: list[str] = []
    if moved.agreement == "gained":
        said.append("agreement on the blank page becomes possible")
    elif moved.agreement == "lost":
        said.append(_state(point.blank))
    elif moved.deadlocks_added:
        said.append("the blank page deadlocks on " + _cores(moved.deadlocks_added))
    if moved.deadlocks_ended and moved.agreement is None:
        ended = _cores(moved.deadlocks_ended)
        plural = "s" if len(moved.deadlocks_ended) > 1 else ""
        said.append(f"the deadlock{plural} {ended} {'end' if plural else 'ends'}")
    for change in ("narrows", "widens", "shifts"):
        terms = [z.term for z in moved.zone if z.change == change]
        if terms:
            said.append(f"the zone {change} on {', '.join(terms)}")
    by_draft: dict[str, list[VerdictMove]] = {}
    for move in moved.verdicts:
        by_draft.setdefault(move.proposal, []).append(move)
    for draft, found in by_draft.items():
        parts = [
            f"from {m.before} to {m.after} for {m.actor}" for m in found if m.actor is not None
        ]
        overall = [m for m in found if m.actor is None]
        if overall:
            parts.append(f"overall from {overall[0].before} to {overall[0].after}")
        said.append(f"{draft} goes " + ", ".join(parts))
    return said
