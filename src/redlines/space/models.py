"""What `redlines space` reports: verdicts, packages, deadlocks, the zone, concessions."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from ..models import Frozen, TermType, TermValue
from ..report import ActorVerdictKind, Location, ProposalInfo, RuleRef, RuleSetInfo, Verdict
from ..version import __version__


class SpaceVerdict(StrEnum):
    FEASIBLE = "feasible"  # the draft as written meets every red line
    COMPLETABLE = "completable"  # its open terms can be filled so that every red line holds
    DEADLOCKED = "deadlocked"  # no filling works: some red lines cannot hold together
    INFEASIBLE = "infeasible"  # the draft as written crosses a red line


class PackageTerm(Frozen):
    term: str
    value: TermValue
    source: Literal["draft", "chosen"]  # fixed by the draft, or filled in by the solver
    clause: str | None = None  # the draft clause that sets it
    implied_by: tuple[str, ...] = ()  # implications in force that derive this very value


class ActorOutcome(Frozen):
    ruleset: str
    actor: str
    verdict: ActorVerdictKind
    violated: tuple[str, ...]
    open: tuple[str, ...]
    soft_met_weight: int
    soft_total_weight: int
    soft_score: float | None


class Package(Frozen):
    """A full set of term values, as the engine judged it. Terms not listed are unaddressed."""

    terms: tuple[PackageTerm, ...]
    verdict: Verdict
    actors: tuple[ActorOutcome, ...]


class DraftSetting(Frozen):
    term: str
    value: TermValue
    clause: str | None
    location: Location | None


class Core(Frozen):
    """Red lines that cannot all hold, minimal: drop any one and the rest can."""

    rules: tuple[RuleRef, ...]
    actors: tuple[str, ...]
    terms: tuple[str, ...]  # what they fight over
    implications: tuple[str, ...]  # implications the clash runs through (a minimal set)
    draft: tuple[DraftSetting, ...]  # draft settings it needs (a minimal set); none: blank page
    ties: tuple[str, ...] = ()  # ties the clash runs through (a minimal set)


class Deadlocks(Frozen):
    cores: tuple[Core, ...]
    complete: bool  # every minimal core is listed; false: stopped at the limit or time budget
    limit: int


class Interval(Frozen):
    low: int | dt.date | None  # None: unbounded
    high: int | dt.date | None


class TermZone(Frozen):
    term: str
    type: TermType
    fixed: bool  # the draft sets it
    values: tuple[TermValue, ...]  # enum and boolean terms: the values still possible
    intervals: tuple[Interval, ...]  # integer and date terms: the exact ranges still possible
    unaddressed: bool  # a package may leave it unaddressed
    needs_value: bool  # every acceptable package sets it and no implication does so for you
    restricted: bool  # narrower than the catalogue allows


class Zone(Frozen):
    relaxed: tuple[str, ...]  # red lines set aside first (the cheapest concessions), if any
    terms: tuple[TermZone, ...]


class Concessions(Frozen):
    red_line_weight: int
    cost: int  # total weight given up
    relaxed: tuple[RuleRef, ...]  # red lines given up
    unmet: tuple[RuleRef, ...]  # priorities and preferences the best package misses
    package: Package


class Compatibility(Frozen):
    rulesets: tuple[str, ...]  # one actor alone, or a pair
    actors: tuple[str, ...]
    compatible: bool
    core: tuple[str, ...]  # when not: one minimal set of their red lines that clash


class SpaceReport(Frozen):
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


class SpaceReportSet(Frozen):
    tool: str = "redlines"
    version: str = __version__
    agreement: bool  # every report is feasible or completable (the exit code's 0)
    reports: tuple[SpaceReport, ...]
