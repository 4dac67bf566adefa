"""From an engine's evaluation to a `Report`: findings, verdicts, contradictions, derived terms.

`check()` is the library's main entry point. A Report is plain data (pydantic), sorted and free
of timestamps, so the same input always gives the same JSON.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, Literal, NamedTuple, Protocol, Self

from pydantic import Field

from .conditions import Truth, format_value, terms_of
from .engine import EngineName, Evaluation, make_engine
from .engine.ties import Narrowed, Readings
from .loader.values import lookup_term, renamed, type_value
from .models import (
    Clause,
    ClauseState,
    Frozen,
    InputError,
    InputWarning,
    Origin,
    Problem,
    Proposal,
    Rule,
    RuleBook,
    Severity,
    Source,
    TermValue,
    Tie,
    WhenSilent,
    sorted_warnings,
)
from .version import __version__

# The lowest severity whose violation fails a run (`--fail-on`); "never": nothing fails.
FailOn = Literal["red_line", "priority", "preference", "never"]
FAIL_LEVELS: tuple[FailOn, ...] = ("red_line", "priority", "preference", "never")


class Status(StrEnum):
    MET = "met"
    VIOLATED = "violated"
    OPEN = "open"


class ActorVerdictKind(StrEnum):
    REJECTS = "rejects"
    OPEN = "open"
    ACCEPTS = "accepts"


class Verdict(StrEnum):
    INFEASIBLE = "infeasible"
    INCOMPLETE = "incomplete"
    FEASIBLE = "feasible"

    @property
    def gravity(self) -> int:
        return {"infeasible": 2, "incomplete": 1, "feasible": 0}[self.value]


class Location(Frozen):
    """A place in a file a reviewer can open: path as given, 1-based line and column, and the
    column just past the end of that line's text (`end_col`: the region a SARIF result marks,
    from the column to the end of the line)."""

    path: str
    """The file, as given on the command line."""
    line: int
    """1-based line."""
    col: int
    """1-based column."""
    end_col: int | None = None
    """The column just past the end of that line's text: where a region starting here ends."""

    @classmethod
    def of(cls, origin: Origin) -> "Location":
        return cls(path=origin.file, line=origin.line, col=origin.col, end_col=origin.end_col)


class ClauseRef(Frozen):
    """A clause a finding points at."""

    id: str
    """The clause's id."""
    title: str
    """The clause's title."""
    location: Location
    """Where the clause is written."""
    state: ClauseState = Field(default="agreed", exclude_if=lambda state: state == "agreed")
    """bracketed when the clause is still under negotiation (left out when agreed)."""


class RuleRef(Frozen, defer_build=True):
    """A rule as a result names it; `space` and `explain` (which adds details) build it alike."""

    id: str
    """The rule's id."""
    title: str
    """Its title."""
    ruleset: str
    """The id of its rule set."""
    actor: str
    """Whose rule it is."""
    severity: Severity
    """red_line, priority or preference."""
    weight: int | None
    """A priority's or preference's weight; null for a red line."""

    @classmethod
    def of(cls, rule: Rule) -> Self:
        """Every field is the rule's attribute of that name (a subclass adds fields the same
        way), except `location`, where the rule is written."""
        fields: dict[str, Any] = {
            name: getattr(rule, name) for name in cls.model_fields if name != "location"
        }
        if "location" in cls.model_fields:
            fields["location"] = Location.of(rule.origin) if rule.origin else None
        return cls(**fields)


SetBy = Literal["clause", "implication", "override", "unaddressed", "contradiction", "tie"]


# Also the state of each leaf in an explanation. The docstring is the published schema's
# description of it, so it stays as it was.
class TermState(Frozen):
    """What a finding's term stood at: set by a clause, derived, overridden, or unaddressed."""

    term: str
    """The term's name."""
    value: TermValue | None
    """Its value, or null when unaddressed or contradicted."""
    set_by: SetBy
    """What set it: a clause, an implication, an override (--set), or nothing (unaddressed);
    contradiction when clauses disagree."""
    clause: str | None = None
    """The clause that set it."""
    implication: str | None = None
    """The implication that derived it."""
    location: Location | None = None
    """Where the clause sets it."""
    tie: str | None = None
    """With set_by tie: the tie that derived the value, or that narrowed the unaddressed term to
    the values in `possible`."""
    possible: tuple[TermValue, ...] | None = None
    """With set_by tie and no value: the only values coherent with what the draft sets; a rule
    reading the term is decided where it comes out the same for each of them."""


# --- what a gate adds to a report (settings.py, gate.py) ---------------------------------------
# Present only when the run has a gate beyond the rules themselves; the JSON leaves them out
# otherwise (render/json.py), so a plain check's report is what it always was.

# Whether a finding is in the baseline the run was judged against (`--baseline`).
BaselineState = Literal["new", "unchanged"]


class Waived(Frozen):
    """The waiver that accepts a finding: it is reported, and does not fail the gate."""

    rule: str
    """The rule as the waiver names it: a rule id, a tag or a glob of ids."""
    reason: str
    """Why the crossing is accepted."""
    expires: dt.date | None
    """The last day it waives; null: never expires."""
    location: Location
    """Where the waiver is written."""


class ModifiedRule(Frozen):
    """A rule the configuration changed (`rule-overrides`): as it was, as it is, and why."""

    rule: str
    """The rule's id."""
    title: str
    """The rule's title."""
    actor: str
    """Whose rule it is."""
    was_severity: Severity
    """Its severity as written."""
    was_weight: int | None
    """Its weight as written."""
    severity: Severity | None
    """Its severity now; null: disabled."""
    weight: int | None
    """Its weight now."""
    reason: str
    """Why the configuration changes it."""
    location: Location
    """Where the override is written."""


class BaselineEntry(Frozen):
    """One finding a baseline file holds: its fingerprint, and enough to say what it was."""

    fingerprint: str
    """The finding's fingerprint (baseline.py)."""
    rule: str
    """The rule's id, or redlines.contradiction."""
    kind: str
    """violated, open or contradiction."""
    proposal: str
    """The proposal's id."""
    path: str
    """The file it was found in, relative to the repository root."""
    line: int
    """The line it was found at."""


class GateInfo(Frozen):
    """How the run's gate differs from checking every rule as written."""

    modified_rules: tuple[ModifiedRule, ...] = ()
    """The rules the configuration changed (rule-overrides)."""
    select: tuple[str, ...] = ()
    """The names the selection kept rules by (--select)."""
    ignore: tuple[str, ...] = ()
    """The names the selection left rules out by (--ignore)."""
    rules_selected: int | None = None
    """How many rules the selection kept, when one was made."""
    rules_total: int | None = None
    """How many the rule book holds, when a selection was made."""
    waivers: int = 0
    """How many waivers are configured."""
    baseline: str | None = None
    """The baseline file the findings are compared with."""


class Finding(Frozen):
    """One rule's status on one proposal."""

    rule: str
    """The rule's id."""
    title: str
    """The rule's title."""
    ruleset: str
    """The id of the rule set it belongs to."""
    actor: str
    """Whose rule it is."""
    severity: Severity
    """red_line, priority or preference."""
    weight: int | None
    """The weight of a priority or preference; null for a red line."""
    status: Status
    """met, violated or open."""
    silent: bool
    """The status comes from the rule's when_silent, not from the proposal's terms."""
    message: str
    """What a violation means."""
    rationale: str | None
    """Why the actor holds the position."""
    terms: tuple[TermState, ...]
    """The terms that decided the status, and where each value came from."""
    clauses: tuple[ClauseRef, ...]
    """The clauses that set those terms."""
    location: Location
    """The line a reviewer must change: the first deciding clause, else the proposal's header."""
    sources: tuple[Source, ...]
    """Where the position is stated."""
    waived: Waived | None = None
    """With waivers: the waiver that accepts this finding (it then fails nothing)."""
    baseline: BaselineState | None = None
    """With a baseline: new, or unchanged (in the baseline: it fails nothing)."""


class RedLineCounts(Frozen):
    """How many of an actor's red lines in force are met, violated and open."""

    met: int
    """Red lines met."""
    violated: int
    """Red lines violated."""
    open: int
    """Red lines open (terms they need unaddressed)."""


class ActorVerdict(Frozen):
    """One actor's verdict on one proposal."""

    ruleset: str
    """The rule set's id."""
    actor: str
    """The actor."""
    verdict: ActorVerdictKind
    """rejects (a red line violated), open (none violated, some open) or accepts."""
    red_lines: RedLineCounts
    """The actor's red lines by status."""
    soft_met_weight: int
    """The weight of the priorities and preferences met."""
    soft_total_weight: int
    """The weight of all its priorities and preferences in force."""
    soft_score: float | None
    """Met weight / total weight of priorities and preferences; null when it has none."""
    violated: tuple[str, ...]
    """Ids of the violated red lines."""
    open: tuple[str, ...]
    """Ids of the open red lines."""


class Claim(Frozen):
    """One value a term is given, and by what."""

    value: TermValue
    """The value claimed."""
    by: str
    """What claims it: "clause 7", "implication IMP-1", "tie TIE-1" or "--set"."""
    location: Location | None
    """Where it is claimed."""
    term: str | None = None
    """The term the claim sets."""


class Contradiction(Frozen):
    """A term the proposal gives different values; or values it gives several terms that break
    a tie between them (`tie`; `term` is then the first of `terms`)."""

    term: str
    """The term."""
    claims: tuple[Claim, ...]
    """Each value and what gives it."""
    message: str
    """The contradiction in words."""
    tie: str | None = None
    """The tie the values break (rules/ties.yaml), if that is the contradiction."""
    terms: tuple[str, ...] = ()
    """Every term the contradiction is about."""
    waived: Waived | None = None
    """With waivers: the waiver that accepts this contradiction (it then fails nothing)."""
    baseline: BaselineState | None = None
    """With a baseline: new, or unchanged (in the baseline: it fails nothing)."""


class DerivedTerm(Frozen):
    """A term an implication derived from the proposal's terms."""

    term: str
    """The derived term."""
    value: TermValue
    """Its derived value."""
    implication: str
    """The implication, or the tie (`via`), that derived it."""
    because_of: tuple[str, ...]
    """The terms it was derived from."""
    clauses: tuple[ClauseRef, ...]
    """The proposal clauses at the root of the chain."""
    via: Literal["implication", "tie"] = "implication"
    """implication, or tie: the only value of the term coherent with what the draft sets."""
    implication_location: Location | None = None
    """Where the implication (or the tie) is written."""


class ProposalInfo(Frozen):
    """The proposal a report is about."""

    id: str
    """The proposal's id."""
    title: str
    """Its title."""
    date: dt.date
    """The day it is dated."""
    status: str
    """draft, leaked, reported, tabled, agreed or rejected."""
    path: str
    """Its file, as given."""
    lineage: tuple[str, ...]
    """For a variant, the chain of files it was built from, itself first."""
    base: str | None
    """For a variant, the id of its base."""
    clauses: int
    """How many clauses it has."""
    sources: tuple[Source, ...]
    """Where its text comes from."""
    location: Location
    """Where its header is written."""
    bracketed: tuple[str, ...] = Field(default=(), exclude_if=lambda ids: not ids)
    """Ids of the clauses still under negotiation (left out when every clause is agreed)."""


class RuleSetInfo(Frozen):
    """A rule set the proposal was checked against."""

    id: str
    """The rule set's id."""
    actor: str
    """Whose rule set it is."""
    title: str
    """Its title."""
    version: str | None
    """Its version, if it gives one."""
    rules: int
    """How many of its rules were in force."""
    location: Location | None
    """Where its header is written."""
    reviewed: dt.date | None = None
    """The day its positions were last checked against the sources."""


class Override(Frozen):
    """A term set for a what-if check (--set)."""

    term: str
    """The term."""
    value: TermValue
    """The value it was set to."""


# --- bracketed alternatives ---------------------------------------------------------------------

# What an actor says of an option over every combination that takes it: the same verdict in
# all of them, or `depends` (on the other brackets' choices).
OptionStanding = Literal["accepts", "open", "rejects", "depends"]


class OptionInfo(Frozen):
    """One alternative of a bracketed clause."""

    number: int
    """Its place among the clause's options, from 1."""
    title: str
    """What it says, in a few words."""
    proposed_by: str | None
    """Who put it on the table, if the draft says."""
    terms: tuple[Override, ...]
    """The terms it sets."""
    location: Location
    """Where it is written."""


class BracketInfo(Frozen):
    """A bracketed clause with options."""

    clause: str
    """The clause's id."""
    title: str
    """The clause's title."""
    proposed_by: str | None
    """Whose wording the clause is, if the draft says."""
    location: Location
    """Where the clause is written."""
    options: tuple[OptionInfo, ...]
    """Its alternatives, in the order written."""


class OptionVerdict(Frozen):
    """One actor on one option, over every combination that takes it."""

    clause: str
    """The bracketed clause's id."""
    option: int
    """The option's number."""
    verdict: OptionStanding
    """accepts, open or rejects when every combination with it gets that verdict from the
    actor; depends when it turns on the other brackets."""


class ActorOptions(Frozen):
    """One actor on a draft's bracketed alternatives."""

    ruleset: str
    """The rule set's id."""
    actor: str
    """The actor."""
    verdicts: tuple[ActorVerdictKind, ...]
    """The verdicts the actor gives some combination (accepts, open, rejects, as present)."""
    options: tuple[OptionVerdict, ...]
    """Its verdict on each option, in bracket order."""


class Combination(Frozen):
    """One choice of an option for every bracketed clause."""

    options: tuple[int, ...]
    """The option number chosen for each bracketed clause, in bracket order."""
    verdicts: tuple[ActorVerdictKind, ...] = ()
    """Each actor's verdict, in rule set order (listed when every combination was checked)."""


class BracketReport(Frozen):
    """Which combinations of a draft's bracketed alternatives each actor can accept."""

    brackets: tuple[BracketInfo, ...]
    """The bracketed clauses with options, in clause order."""
    combinations: int
    """How many combinations the options make (one option per bracketed clause)."""
    method: Literal["engine", "solver", "components"]
    """engine: every combination checked one by one; solver: too many for that, answered by the
    SAT solver restricted to the options (each combination named is checked by the engine);
    components: too many for that, answered group by group (`groups`), each group's
    combinations checked one by one."""
    actors: tuple[ActorOptions, ...]
    """Each actor's verdicts on the options, in rule set order."""
    agreeable: tuple[Combination, ...]
    """Combinations every actor accepts (at most `limit`)."""
    agreeable_complete: bool
    """Whether `agreeable` lists all of them."""
    limit: int
    """The most agreeable combinations listed."""
    blocking: tuple[RuleRef, ...]
    """When no combination is agreeable: a smallest set of red lines that no combination
    meets together (each combination leaves one of them violated or open)."""
    checked: tuple[Combination, ...]
    """method engine: every combination with each actor's verdict; empty otherwise."""
    groups: tuple[tuple[str, ...], ...] = ()
    """The bracketed clauses (ids) in independent groups, in clause order: clauses of different
    groups never meet in one red line, implication or tie, so each group's choice decides its
    own red lines whatever the others take."""


class Report(Frozen):
    """The check of one proposal against one rule book."""

    proposal: ProposalInfo
    """The proposal checked."""
    as_of: dt.date
    """The day whose rules were applied."""
    rulesets: tuple[RuleSetInfo, ...]
    """The rule sets applied."""
    overall: Verdict
    """infeasible (someone rejects), incomplete (no one rejects, red lines open) or feasible."""
    verdicts: tuple[ActorVerdict, ...]
    """Each actor's verdict."""
    findings: tuple[Finding, ...]
    """Each rule in force, with its status."""
    contradictions: tuple[Contradiction, ...]
    """Terms the proposal gives different values."""
    derived: tuple[DerivedTerm, ...]
    """Terms the implications derived."""
    overrides: tuple[Override, ...]
    """Terms set with --set."""
    warnings: tuple[InputWarning, ...] = ()
    """Non-fatal problems with the inputs of this check (the draft's, the rules'), by place."""
    gate: GateInfo | None = None
    """How the run's gate differs from every rule as written; present only with a gate."""
    brackets: BracketReport | None = Field(default=None, exclude_if=lambda b: b is None)
    """For a draft with bracketed options: which combinations each actor can accept. The
    rest of the report is the draft's text alone (options' terms unaddressed). Left out
    otherwise."""


class ReportSet(Frozen, defer_build=True):
    """Several proposals checked in one run: what `--format json` prints."""

    tool: str = "redlines"
    """Always "redlines"."""
    version: str = __version__
    """The redlines version that wrote the report."""
    overall: Verdict
    """The gravest overall verdict of all reports."""
    reports: tuple[Report, ...]
    """One report per proposal, sorted by path."""
    absent: tuple[BaselineEntry, ...] = ()
    """With --baseline: the baseline's findings this run no longer finds (fixed, or gone)."""
    warnings: tuple[InputWarning, ...] = ()
    """Warnings about the run's gate rather than one report: a waiver that expired, or that
    matches nothing (at the waiver's line)."""


# --- checking -----------------------------------------------------------------------------------


def check(
    proposal: Proposal,
    rules: RuleBook,
    *,
    as_of: dt.date | None = None,
    overrides: Mapping[str, Any] | None = None,
    actors: Sequence[str] = (),
    engine: EngineName = "auto",
) -> Report:
    """Check one proposal against a rule book.

    `as_of` selects the rules in force on that date (default: the proposal's own date).
    `overrides` sets terms for a what-if check, typed by the catalogue ("800000" or 800000).
    `actors` limits the check to those rule set ids.
    """
    return check_and_trace(
        proposal, rules, as_of=as_of, overrides=overrides, actors=actors, engine=engine
    ).report


class Checked(NamedTuple):
    report: Report
    trace: "Trace"  # where each term's value came from, for whoever explains the report further


def check_and_trace(
    proposal: Proposal,
    rules: RuleBook,
    *,
    as_of: dt.date | None = None,
    overrides: Mapping[str, Any] | None = None,
    actors: Sequence[str] = (),
    engine: EngineName = "auto",
) -> Checked:
    """`check`, and the trace of the one evaluation it made (what `explain` and `space` read)."""
    as_of = as_of or proposal.date
    book = rules.for_actors(list(actors)).in_force(as_of)
    typed_overrides = type_overrides(rules, overrides or {})
    values, contradictions = proposal_values(proposal, typed_overrides)
    evaluation = make_engine(book, engine).evaluate(values)
    trace = Trace(
        proposal,
        facts=evaluation.facts,
        derived=evaluation.derived,
        overrides=typed_overrides,
        contradicted=[
            *contradictions,
            *(clash.term for clash in evaluation.clashes),
            *(n.term for n in evaluation.incoherent),
        ],
        narrowed=evaluation.narrowed,
    )
    report = build_report(proposal, book, as_of, evaluation, contradictions, trace)
    renames = override_warnings(rules, overrides or {})
    if renames:
        report = report.model_copy(
            update={"warnings": sorted_warnings((*report.warnings, *renames))}
        )
    if proposal.brackets:
        from .brackets import analyze_brackets

        analysis = analyze_brackets(
            proposal, rules, as_of=as_of, overrides=typed_overrides, actors=actors, engine=engine
        )
        report = report.model_copy(update={"brackets": analysis})
    return Checked(report, trace)


def run_warnings(reports: Iterable[Report]) -> tuple[InputWarning, ...]:
    """The warnings of several reports, each once: what a run prints."""
    return sorted_warnings(w for report in reports for w in report.warnings)


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    return max(verdicts, key=lambda v: v.gravity, default=Verdict.FEASIBLE)


def check_all(proposals: Sequence[Proposal], rules: RuleBook, **options: Any) -> ReportSet:
    """Check several proposals; reports come sorted by proposal path, then id."""
    reports = sorted(
        (check(p, rules, **options) for p in proposals),
        key=lambda r: (r.proposal.path, r.proposal.id),
    )
    return ReportSet(overall=worst(r.overall for r in reports), reports=tuple(reports))


def type_overrides(
    rules: RuleBook, overrides: Mapping[str, Any], where: str = "overrides"
) -> dict[str, TermValue]:
    """Type override values by the catalogue; text is parsed ("true", "800000", "2026-01-01").

    `where` names the argument in error messages (`overrides`, or a variant's place in a batch);
    the CLI prints a problem in `overrides` as one in its `--set` option.
    """
    typed: dict[str, TermValue] = {}
    problems: list[Problem] = []
    for name, raw in sorted(overrides.items()):
        try:
            term = lookup_term(rules.catalogue, name)
            value = type_value(term, _parse_text(raw, term.type.value))
        except ValueError as err:
            problems.append(Problem.in_argument(where, f"{name}: {err}"))
            continue
        if term.name in typed:
            problems.append(
                Problem.in_argument(where, f"{term.name} is set twice (once under its old name)")
            )
        typed[term.name] = value
    if problems:
        raise InputError(problems)
    return typed


def override_warnings(
    rules: RuleBook, overrides: Mapping[str, Any], where: str = "overrides"
) -> list[InputWarning]:
    """A deprecation warning for each override that names a term by its old name."""
    found = []
    for name in sorted(overrides):
        term = rules.catalogue.resolve(name)
        deprecated = renamed(name, term) if term is not None else None
        if deprecated:
            found.append(InputWarning.in_argument(where, deprecated))
    return found


def _parse_text(raw: Any, kind: str) -> Any:
    if not isinstance(raw, str):
        return raw
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    if kind == "integer":
        try:
            return int(raw.replace("_", ""))
        except ValueError:
            return raw
    return raw


_Claims = dict[str, list[tuple[TermValue, Clause]]]


def proposal_values(
    proposal: Proposal, overrides: Mapping[str, TermValue]
) -> tuple[dict[str, TermValue], _Claims]:
    """The terms the proposal sets; a term clauses disagree on is left out and returned apart."""
    claims: _Claims = {}
    for clause in proposal.clauses:
        for setting in clause.settings:
            claims.setdefault(setting.term, []).append((setting.value, clause))
    values: dict[str, TermValue] = {}
    contradictions: _Claims = {}
    for term, said in claims.items():
        if term in overrides:
            continue
        distinct = {_key(v) for v, _ in said}
        if len(distinct) == 1:
            values[term] = said[0][0]
        else:
            contradictions[term] = said
    for term, value in overrides.items():
        values[term] = value
    return values, contradictions


def _key(value: TermValue) -> tuple[str, str]:
    return (type(value).__name__, str(value))


# --- building the report ------------------------------------------------------------------------


def build_report(
    proposal: Proposal,
    book: RuleBook,
    as_of: dt.date,
    evaluation: Evaluation,
    clause_contradictions: _Claims,
    trace: "Trace",
) -> Report:
    header = (
        Location.of(proposal.origin)
        if proposal.origin
        else Location(path=proposal.path, line=1, col=1)
    )
    readings = Readings(evaluation.facts, evaluation.narrowed)
    derivers = {i.id: i.origin for i in book.implications} | {t.id: t.origin for t in book.ties}
    findings = tuple(
        _finding(rule, evaluation, trace, header, readings)
        for rule in sorted(book.rules, key=lambda r: (r.ruleset, -r.severity.rank, r.id))
    )
    verdicts = tuple(
        _actor_verdict(rs.id, rs.actor, findings)
        for rs in sorted(book.rulesets, key=lambda rs: rs.id)
    )
    overall = overall_verdict(v.verdict for v in verdicts)
    ties = {tie.id: tie for tie in book.ties}
    contradictions = (
        tuple(
            _clause_contradiction(term, said)
            for term, said in sorted(clause_contradictions.items())
        )
        + tuple(
            _derived_contradiction(clash.term, clash.claims, trace, ties)
            for clash in evaluation.clashes
        )
        + tuple(_broken_tie(ties[tie_id], trace) for tie_id in evaluation.broken)
        + tuple(_incoherent_term(n, trace, ties) for n in evaluation.incoherent)
    )
    strained = [_strained_tie(ties[tie_id], trace, header) for tie_id in evaluation.strained]
    return Report(
        proposal=ProposalInfo(
            id=proposal.id,
            title=proposal.title,
            date=proposal.date,
            status=proposal.status,
            path=proposal.path,
            lineage=proposal.lineage,
            base=proposal.base_id,
            clauses=len(proposal.clauses),
            sources=proposal.sources,
            location=header,
            bracketed=tuple(c.id for c in proposal.bracketed),
        ),
        as_of=as_of,
        rulesets=tuple(
            RuleSetInfo(
                id=rs.id,
                actor=rs.actor,
                title=rs.title,
                version=rs.version,
                rules=len(rs.rules),
                location=Location.of(rs.origin) if rs.origin else None,
                reviewed=rs.reviewed,
            )
            for rs in sorted(book.rulesets, key=lambda rs: rs.id)
        ),
        overall=overall,
        verdicts=verdicts,
        findings=findings,
        contradictions=contradictions,
        derived=tuple(_placed(trace.derived_term(term), derivers) for term in trace.derived),
        overrides=tuple(Override(term=t, value=v) for t, v in sorted(trace.overrides.items())),
        warnings=sorted_warnings((*book.warnings, *proposal.warnings, *strained)),
    )


def _placed(derived: DerivedTerm, derivers: Mapping[str, Origin | None]) -> DerivedTerm:
    origin = derivers.get(derived.implication)
    if origin is None:
        return derived
    return derived.model_copy(update={"implication_location": Location.of(origin)})


def clause_ref(clause: Clause) -> ClauseRef:
    assert clause.origin is not None
    return ClauseRef(
        id=clause.id, title=clause.title, location=Location.of(clause.origin), state=clause.state
    )


# --- where a term's value came from -------------------------------------------------------------


class _Derived(Protocol):
    """A derivation as an engine's evaluation and a report's `derived` both record it."""

    @property
    def value(self) -> TermValue: ...
    @property
    def implication(self) -> str: ...
    @property
    def because_of(self) -> tuple[str, ...]: ...
    @property
    def via(self) -> Literal["implication", "tie"]: ...


class Trace:
    """Where each term's value came from in one checked proposal, and which clauses put it there.

    The one answer to that question: `check` reads it for its findings and derived terms,
    `explain` for its tree's leaves and derivation chains, `diff` for the effective values it
    compares, `space` for the draft clauses behind a package.
    """

    def __init__(
        self,
        proposal: Proposal,
        *,
        facts: Mapping[str, TermValue],
        derived: Mapping[str, _Derived],
        overrides: Mapping[str, TermValue],
        contradicted: Iterable[str],
        narrowed: Mapping[str, Narrowed] | None = None,
    ) -> None:
        self.facts = facts  # every value the rules saw: the proposal's, overrides, derived ones
        self.derived = derived  # term -> its derivation, sorted by term
        self.overrides = overrides
        self.contradicted = frozenset(contradicted)  # by clauses, implications or ties
        # Unaddressed terms the ties narrow to several values (one value: in `derived`).
        self.narrowed: Mapping[str, Narrowed] = narrowed or {}
        # The first clause that sets each term, and where; clauses disagreeing is a contradiction.
        self._setters: dict[str, tuple[Clause, Origin | None]] = {}
        for clause in proposal.clauses:
            for setting in clause.settings:
                origin = setting.origin or clause.origin
                self._setters.setdefault(setting.term, (clause, origin))

    @classmethod
    def of_report(cls, report: Report, proposal: Proposal) -> "Trace":
        """The trace of the evaluation behind a report, rebuilt from what the report records."""
        overrides = {o.term: o.value for o in report.overrides}
        values, _ = proposal_values(proposal, overrides)
        derived = {d.term: d for d in report.derived}
        return cls(
            proposal,
            facts={**values, **{term: d.value for term, d in derived.items()}},
            derived=derived,
            overrides=overrides,
            contradicted=[c.term for c in report.contradictions],
        )

    def setter(self, term: str) -> tuple[Clause, Origin | None] | None:
        """The first clause that sets `term`, and where it does."""
        return self._setters.get(term)

    def state(self, term: str) -> TermState:
        if term in self.overrides:
            return TermState(term=term, value=self.overrides[term], set_by="override")
        derivation = self.derived.get(term)
        if derivation is not None and derivation.via == "tie":
            return TermState(
                term=term, value=derivation.value, set_by="tie", tie=derivation.implication
            )
        if derivation is not None:
            return TermState(
                term=term,
                value=derivation.value,
                set_by="implication",
                implication=derivation.implication,
            )
        narrowed = self.narrowed.get(term)
        if narrowed is not None and term not in self.facts:
            return TermState(
                term=term, value=None, set_by="tie", tie=narrowed.ties[0], possible=narrowed.values
            )
        if term in self.contradicted and term not in self.facts:
            return TermState(term=term, value=None, set_by="contradiction")
        if term in self._setters and term in self.facts:
            clause, origin = self._setters[term]
            return TermState(
                term=term,
                value=self.facts[term],
                set_by="clause",
                clause=clause.id,
                location=Location.of(origin) if origin else None,
            )
        return TermState(term=term, value=None, set_by="unaddressed")

    def clauses(self, term: str, seen: frozenset[str] = frozenset()) -> list[Clause]:
        """The clauses behind a term's value, following derivations back to their causes."""
        if term in self.overrides or term in seen:
            return []
        derivation = self.derived.get(term)
        if derivation is not None:
            found: list[Clause] = []
            for cause in derivation.because_of:
                found.extend(self.clauses(cause, seen | {term}))
            return found
        if term in self._setters and term in self.facts:
            return [self._setters[term][0]]
        narrowed = self.narrowed.get(term)
        if narrowed is not None:
            return [c for cause in narrowed.because_of for c in self.clauses(cause, seen | {term})]
        return []

    def derived_term(self, term: str) -> DerivedTerm:
        """A derived term with the clauses at the root of its chain."""
        derivation = self.derived[term]
        return DerivedTerm(
            term=term,
            value=derivation.value,
            implication=derivation.implication,
            because_of=derivation.because_of,
            clauses=tuple(clause_ref(c) for c in _unique(self.clauses(term))),
            via=derivation.via,
        )

    def chain(self, terms: Iterable[str]) -> list[str]:
        """The derived terms behind these terms, each once, nearest first: the terms' own
        derivations, then those of the terms they were derived from, and so on."""
        found: dict[str, None] = {}
        queue = list(terms)
        while queue:
            term = queue.pop(0)
            derivation = self.derived.get(term)
            if derivation is None or term in found:
                continue
            found[term] = None
            queue.extend(derivation.because_of)
        return list(found)


def _unique(clauses: Iterable[Clause]) -> list[Clause]:
    return list({c.id: c for c in clauses}.values())


def _clause_contradiction(term: str, said: list[tuple[TermValue, Clause]]) -> Contradiction:
    claims = []
    for value, clause in said:
        setting = next(s for s in clause.settings if s.term == term)
        location = Location.of(setting.origin) if setting.origin else None
        claims.append(Claim(value=value, by=f"clause {clause.id}", location=location, term=term))
    listed = ", ".join(f"{c.by}: {format_value(c.value)}" for c in claims)
    return Contradiction(
        term=term,
        claims=tuple(claims),
        message=f"clauses set '{term}' to different values ({listed})",
        terms=(term,),
    )


def _derived_contradiction(
    term: str, said: tuple[tuple[TermValue, str], ...], trace: Trace, ties: Mapping[str, Tie]
) -> Contradiction:
    """Implications that disagree with each other or with the proposal (who: "proposal" or an
    implication id; a tie id when the value an implication derives differs from a tie's)."""
    claims = []
    for value, who in said:
        if who in ties:
            claims.append(Claim(value=value, by=f"tie {who}", location=None, term=term))
        elif who != "proposal":
            claims.append(Claim(value=value, by=f"implication {who}", location=None, term=term))
        else:
            claims.append(_claim(term, value, trace))
    listed = ", ".join(f"{c.by}: {format_value(c.value)}" for c in claims)
    return Contradiction(
        term=term,
        claims=tuple(claims),
        message=f"'{term}' is given different values ({listed})",
        terms=(term,),
    )


def _claim(term: str, value: TermValue, trace: Trace) -> Claim:
    """Who gives a term the value the rules saw: --set, a clause (where), or a derivation."""
    if term in trace.overrides:
        return Claim(value=value, by="--set", location=None, term=term)
    derivation = trace.derived.get(term)
    if derivation is not None:
        by = f"{derivation.via} {derivation.implication}"
        return Claim(value=value, by=by, location=None, term=term)
    setter = trace.setter(term)
    assert setter is not None  # the proposal set it
    clause, origin = setter
    location = Location.of(origin) if origin else None
    return Claim(value=value, by=f"clause {clause.id}", location=location, term=term)


def _tie_claims(tie: Tie, trace: Trace) -> tuple[Claim, ...]:
    """A claim for each term of the tie that has a value, in the order the tie names them."""
    return tuple(
        _claim(term, trace.facts[term], trace)
        for term in terms_of(tie.requires)
        if term in trace.facts
    )


def _said(claims: Iterable[Claim]) -> str:
    return "; ".join(f"{c.by}: {c.term} = {format_value(c.value)}" for c in claims)


def _broken_tie(tie: Tie, trace: Trace) -> Contradiction:
    claims = _tie_claims(tie, trace)
    terms = tuple(c.term for c in claims if c.term)
    named = " and ".join(f"'{t}'" for t in terms)
    return Contradiction(
        term=terms[0],
        claims=claims,
        message=f"{named} contradict each other ({_said(claims)}): {tie.id} {tie.title}",
        tie=tie.id,
        terms=terms,
    )


def _incoherent_term(narrowed: Narrowed, trace: Trace, ties: Mapping[str, Tie]) -> Contradiction:
    """No value of an unaddressed term fits the ties with what the draft sets."""
    claims = tuple(
        dict.fromkeys(c for tie_id in narrowed.ties for c in _tie_claims(ties[tie_id], trace))
    )
    terms = (narrowed.term, *dict.fromkeys(c.term for c in claims if c.term))
    return Contradiction(
        term=narrowed.term,
        claims=claims,
        message=f"no value of '{narrowed.term}' fits both {' and '.join(narrowed.ties)} "
        f"({_said(claims)})",
        tie=narrowed.ties[0],
        terms=terms,
    )


def _strained_tie(tie: Tie, trace: Trace, header: Location) -> InputWarning:
    """A soft tie the draft breaks: a warning at the first clause that sets one of its terms."""
    claims = _tie_claims(tie, trace)
    at = next((c.location for c in claims if c.location), header)
    named = " and ".join(f"'{c.term}'" for c in claims)
    return InputWarning(
        file=at.path,
        line=at.line,
        col=at.col,
        message=f"{named} rarely go together ({_said(claims)}): {tie.id} {tie.title}; "
        "a soft tie, so the check does not fail",
    )


def rule_status(rule: Rule, truth: Truth) -> tuple[Status, bool]:
    """A rule's status for a condition's truth, and whether `when_silent` decided it."""
    if truth is True:
        return Status.MET, False
    if truth is False:
        return Status.VIOLATED, False
    if rule.when_silent is WhenSilent.OPEN:
        return Status.OPEN, False
    return Status(rule.when_silent.value), True


def _finding(
    rule: Rule, evaluation: Evaluation, trace: Trace, header: Location, readings: Readings
) -> Finding:
    status, silent = rule_status(rule, evaluation.truths.get(rule.id))
    terms = readings.deciding(rule.requires)
    clauses = _unique(c for term in terms for c in trace.clauses(term))
    clauses.sort(key=lambda c: (c.origin.file, c.origin.line) if c.origin else ("", 0))
    location = Location.of(clauses[0].origin) if clauses and clauses[0].origin else header
    return Finding(
        rule=rule.id,
        title=rule.title,
        ruleset=rule.ruleset,
        actor=rule.actor,
        severity=rule.severity,
        weight=rule.weight,
        status=status,
        silent=silent,
        message=rule.message,
        rationale=rule.rationale,
        terms=tuple(trace.state(t) for t in terms),
        clauses=tuple(clause_ref(c) for c in clauses),
        location=location,
        sources=rule.sources,
    )


def _actor_verdict(ruleset: str, actor: str, findings: Sequence[Finding]) -> ActorVerdict:
    own = [f for f in findings if f.ruleset == ruleset]
    red = [f for f in own if f.severity is Severity.RED_LINE]
    soft = [f for f in own if f.severity is not Severity.RED_LINE]
    violated = tuple(f.rule for f in red if f.status is Status.VIOLATED)
    still_open = tuple(f.rule for f in red if f.status is Status.OPEN)
    total = sum(f.weight or 0 for f in soft)
    met = sum(f.weight or 0 for f in soft if f.status is Status.MET)
    return ActorVerdict(
        ruleset=ruleset,
        actor=actor,
        verdict=actor_verdict_kind(violated, still_open),
        red_lines=RedLineCounts(
            met=len(red) - len(violated) - len(still_open),
            violated=len(violated),
            open=len(still_open),
        ),
        soft_met_weight=met,
        soft_total_weight=total,
        soft_score=soft_score(met, total),
        violated=violated,
        open=still_open,
    )


# The verdict rules, shared by `check` and `check_many` (batch.py).


def actor_verdict_kind(violated: Sequence[str], still_open: Sequence[str]) -> ActorVerdictKind:
    if violated:
        return ActorVerdictKind.REJECTS
    if still_open:
        return ActorVerdictKind.OPEN
    return ActorVerdictKind.ACCEPTS


def soft_score(met: int, total: int) -> float | None:
    """Met weight over total weight of an actor's priorities and preferences."""
    return round(met / total, 4) if total else None


def overall_verdict(kinds: Iterable[ActorVerdictKind]) -> Verdict:
    found = set(kinds)
    if ActorVerdictKind.REJECTS in found:
        return Verdict.INFEASIBLE
    if ActorVerdictKind.OPEN in found:
        return Verdict.INCOMPLETE
    return Verdict.FEASIBLE


def failing(report: Report, fail_on: FailOn, strict: bool = False) -> list[str]:
    """Why this report should fail a CI run at the given level (empty: it passes).

    A waived finding, or one the baseline already holds (`unchanged`), never fails: the gate
    reports it apart.
    """
    if fail_on == "never":
        return []
    threshold = Severity(fail_on).rank
    counted = [f for f in report.findings if gates(f)]
    reasons = [
        f"{f.rule} violated"
        for f in counted
        if f.status is Status.VIOLATED and f.severity.rank >= threshold
    ]
    if strict:
        reasons += [
            f"{f.rule} open"
            for f in counted
            if f.status is Status.OPEN and f.severity is Severity.RED_LINE
        ]
    reasons += [
        f"{c.tie} broken ({', '.join(c.terms)})" if c.tie else f"contradiction on {c.term}"
        for c in report.contradictions
        if gates(c)
    ]
    return reasons


# The id a contradiction goes by wherever findings are named by rule: waivers, baselines,
# SARIF, annotations.
CONTRADICTION_RULE = "redlines.contradiction"


def gates(found: Finding | Contradiction) -> bool:
    """Whether a finding or contradiction can fail the gate: neither waived nor in the
    baseline."""
    return found.waived is None and found.baseline != "unchanged"
