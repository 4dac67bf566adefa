"""The one view of a `check` report that every format renders.

Text, Markdown (and the Action's job summary), `github`, SARIF, JUnit and HTML take what they
show from here, so that they cannot disagree on what a finding is, what comes first, or what the
closing line counts. Per proposal, in this order:

- the headline: the overall verdict and what it means. A draft that contradicts itself says so
  first, whatever the verdict: a contradiction fails the check on its own (`Verdict` has no value
  for it, since the JSON field `overall` is public and means the red lines);
- the actors' verdicts, with their soft scores;
- contradictions: two clauses, or a clause and an implication, give one term different values,
  or the values it gives several terms break a tie between them;
- violated red lines; open red lines (a term a red line depends on is unaddressed or
  contradicted); priorities and preferences not met; derived terms.

Then one summary line for the whole run.

The CI formats annotate `items`: a violated rule of any severity (red line: error; priority:
warning; preference: note), an open red line (note) and a contradiction (error). Met rules and
open priorities are not reported: nothing there needs a reviewer's attention.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from ..baseline import Judged, fingerprint
from ..baseline import Kind as JudgedKind
from ..models import Severity
from ..report import (
    CONTRADICTION_RULE,
    ActorVerdict,
    ActorVerdictKind,
    BaselineState,
    Contradiction,
    DerivedTerm,
    Finding,
    GateInfo,
    Location,
    ModifiedRule,
    Report,
    ReportSet,
    Status,
    Verdict,
    Waived,
    gates,
    worst,
)

CONTRADICTION_TITLE = "The proposal contradicts itself"

VERDICT_MEANING = {
    Verdict.INFEASIBLE: "at least one party's red line is crossed",
    Verdict.INCOMPLETE: "no red line crossed, but some are left open",
    Verdict.FEASIBLE: "every party's red lines are met",
}

ACTOR_VERDICT_MEANING = {
    ActorVerdictKind.REJECTS: "a red line is crossed",
    ActorVerdictKind.OPEN: "no red line crossed, some left open",
    ActorVerdictKind.ACCEPTS: "every red line met",
}

SEVERITY_NAME = {
    Severity.RED_LINE: "red line",
    Severity.PRIORITY: "priority",
    Severity.PREFERENCE: "preference",
}

SOFT = (Severity.PRIORITY, Severity.PREFERENCE)


class Level(StrEnum):
    """SARIF's levels; `github` maps note to ::notice."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


SEVERITY_LEVEL = {
    Severity.RED_LINE: Level.ERROR,
    Severity.PRIORITY: Level.WARNING,
    Severity.PREFERENCE: Level.NOTE,
}


class Kind(StrEnum):
    VIOLATED = "violated"
    OPEN = "open"
    CONTRADICTION = "contradiction"


@dataclass(frozen=True)
class Item:
    """One thing a reviewer should look at, in any CI format."""

    report: Report
    kind: Kind
    level: Level
    rule: str
    title: str
    location: Location
    finding: Finding | None = None
    contradiction: Contradiction | None = None

    @property
    def headline(self) -> str:
        """One line saying whose rule, how grave, what happened."""
        if self.finding is None:
            return "Internal contradiction"
        f = self.finding
        weight = f", weight {f.weight}" if f.weight is not None else ""
        what = {
            Kind.VIOLATED: "violated" if f.severity is Severity.RED_LINE else "not met",
            Kind.OPEN: "left open",
        }[self.kind]
        return f"{f.actor} {SEVERITY_NAME[f.severity]} {what} ({f.rule}{weight})"

    @property
    def message(self) -> str:
        """What the reader should know: the rule's own message, or what is left unsettled."""
        if self.contradiction is not None:
            return sentence(self.contradiction.message)
        assert self.finding is not None
        if self.kind is Kind.OPEN:
            return open_message(self.finding)
        return self.finding.message

    @property
    def found(self) -> Finding | Contradiction:
        found = self.finding if self.finding is not None else self.contradiction
        assert found is not None
        return found

    @property
    def waived(self) -> Waived | None:
        """The waiver that accepts this item: it is reported apart and fails nothing."""
        return self.found.waived

    @property
    def baseline(self) -> BaselineState | None:
        """new or unchanged, when the run compares with a baseline."""
        return self.found.baseline

    @property
    def gates(self) -> bool:
        """Whether this item can fail the run: neither waived nor in the baseline."""
        return gates(self.found)

    @property
    def fingerprint(self) -> str:
        """Stable across runs and edits that only move lines: rule, proposal and clauses
        (baseline.py, which compares runs by it)."""
        kind: JudgedKind = (
            "contradiction"
            if self.kind is Kind.CONTRADICTION
            else "violated"
            if self.kind is Kind.VIOLATED
            else "open"
        )
        clauses = () if self.finding is None else tuple(c.id for c in self.finding.clauses)
        return fingerprint(self.report.proposal.id, Judged(self.found, kind, self.rule, clauses))


@dataclass(frozen=True)
class OpenActor:
    """An actor whose verdict is open: each open red line, with the terms that keep it open."""

    actor: str
    red_lines: tuple[tuple[str, tuple[str, ...]], ...]  # (rule id, unaddressed terms)

    def sentence(self) -> str:
        """'UA-TERR-1 needs territory.crimea; UA-ZNPP-1 needs energy.zaporizhzhia_npp'."""
        return "; ".join(
            f"{rule} needs {', '.join(terms) if terms else 'its terms settled'}"
            for rule, terms in self.red_lines
        )


@dataclass(frozen=True)
class ReportView:
    """One proposal's report, cut into the sections every format shows, each in its order."""

    report: Report
    headline: str  # what the overall verdict means, a contradiction first
    contradictions: tuple[Contradiction, ...]
    violated: tuple[Finding, ...]  # red lines, by place in the file
    open: tuple[Finding, ...]  # red lines left open, by place
    soft: tuple[Finding, ...]  # priorities and preferences not met, by place
    derived: tuple[DerivedTerm, ...]
    items: tuple[Item, ...] = field(repr=False)  # what the CI formats annotate
    # What a waiver accepts: reported apart from the sections above, in item order.
    waived: tuple[Item, ...] = ()
    reviewed: str | None = None  # "positions reviewed up to 2026-06-30", if the rule sets say
    why_open: tuple[OpenActor, ...] = ()  # each actor left open, and what keeps it open

    @property
    def all_met(self) -> bool:
        """Nothing to show: every rule met and the draft consistent."""
        return not (self.contradictions or self.violated or self.open or self.soft or self.waived)


@dataclass(frozen=True)
class CheckView:
    """A whole run: each proposal's view, the actors across them, one summary line."""

    reports: ReportSet
    proposals: tuple[ReportView, ...]
    actors: tuple[tuple[str, str], ...]  # (rule set id, actor): the verdict matrix's columns
    headline: str  # what the run's overall verdict means
    summary: str  # the closing count line
    gate: GateView | None = None  # how the run's gate differs from every rule as written

    @property
    def items(self) -> list[Item]:
        """Every proposal's items, in report order: what the Action counts as `findings`."""
        return [item for view in self.proposals for item in view.items]


def check_view(reports: ReportSet) -> CheckView:
    proposals = tuple(report_view(report) for report in reports.reports)
    tally = RunTally.of(reports)
    return CheckView(
        reports=reports,
        proposals=proposals,
        actors=tally.actors,
        headline=tally.headline,
        summary=tally.summary,
        gate=gate_view(tally),
    )


def report_view(report: Report) -> ReportView:
    every = tuple(items(report))
    return ReportView(
        report=report,
        headline=headline(report),
        contradictions=tuple(c for c in report.contradictions if c.waived is None),
        violated=findings_of(report, Status.VIOLATED, [Severity.RED_LINE]),
        open=findings_of(report, Status.OPEN, [Severity.RED_LINE]),
        soft=findings_of(report, Status.VIOLATED, SOFT),
        derived=report.derived,
        items=every,
        waived=tuple(item for item in every if item.waived is not None),
        reviewed=reviewed(report),
        why_open=why_open(report),
    )


def meta(view: ReportView) -> list[str]:
    """The proposal's line under its title, in every format: status, date, clauses, the date
    its rules apply on and how current they are."""
    report = view.report
    p = report.proposal
    found = [
        p.status,
        f"dated {p.date.isoformat()}",
        plural(p.clauses, "clause"),
        f"rules as of {report.as_of.isoformat()}",
    ]
    if p.bracketed:  # what is not settled yet
        found.insert(3, f"bracketed: {', '.join(p.bracketed)}")
    return [*found, view.reviewed] if view.reviewed else found


def reviewed(report: Report) -> str | None:
    """'positions reviewed up to 2026-06-30': how current the verdicts are, per the rule sets
    (per actor where they differ); None where no rule set says."""
    dates: dict[str, list[str]] = {}
    for ruleset in report.rulesets:
        if ruleset.reviewed is not None:
            dates.setdefault(ruleset.reviewed.isoformat(), []).append(ruleset.actor)
    if not dates:
        return None
    unstated = [rs.actor for rs in report.rulesets if rs.reviewed is None]
    if len(dates) == 1 and not unstated:
        return f"positions reviewed up to {next(iter(dates))}"
    parts = [f"{day} ({', '.join(actors)})" for day, actors in sorted(dates.items())]
    if unstated:
        parts.append(f"not stated ({', '.join(unstated)})")
    return "positions reviewed up to " + ", ".join(parts)


def why_open(report: Report) -> tuple[OpenActor, ...]:
    """For each actor whose verdict is open, the unaddressed terms keeping each red line open:
    what a draft would have to settle (the same in every format)."""
    by_rule = {f.rule: f for f in report.findings}
    return tuple(
        OpenActor(
            actor=v.actor,
            red_lines=tuple((rule, tuple(unaddressed(by_rule[rule]))) for rule in v.open),
        )
        for v in report.verdicts
        if v.verdict is ActorVerdictKind.OPEN
    )


# --- the gate -----------------------------------------------------------------------------------


class GateView(NamedTuple):
    """What the run's gate changed, in words every format shows (once per run)."""

    info: GateInfo
    modified: tuple[str, ...]  # one sentence per rule override
    selection: str | None  # which rules the selection kept
    baseline: str | None  # what the comparison with the baseline means


def gate_view(tally: RunTally) -> GateView | None:
    info = tally.gate
    if info is None:
        return None
    selection = None
    if info.rules_selected is not None:
        asked = ", ".join(
            [*(f"--select {n}" for n in info.select), *(f"--ignore {n}" for n in info.ignore)]
        )
        selection = f"{info.rules_selected} of {info.rules_total} rules checked ({asked})"
    baseline = None
    if info.baseline is not None:
        baseline = (
            f"compared with the baseline {info.baseline}: findings in it are unchanged and "
            "do not fail; only new ones do"
        )
    return GateView(
        info=info,
        modified=tuple(modified_sentence(m) for m in info.modified_rules),
        selection=selection,
        baseline=baseline,
    )


def gate_lines(gate: GateView | None) -> list[str]:
    """The gate in plain lines (text, the GitHub log): what changed, what is selected."""
    if gate is None:
        return []
    lines = []
    if gate.modified:
        lines.append("  Rules changed by the configuration:")
        for sentence, m in zip(gate.modified, gate.info.modified_rules, strict=True):
            at = m.location
            lines.append(f"    {sentence}: {m.reason} [{at.path}:{at.line}:{at.col}]")
    if gate.selection:
        lines.append(f"  {gate.selection}")
    if gate.info.waivers:
        lines.append(f"  {plural(gate.info.waivers, 'waiver')} configured")
    if gate.baseline:
        lines.append(f"  {sentence_case(gate.baseline)}")
    return ["Gate", *lines] if lines else []


def modified_sentence(m: ModifiedRule) -> str:
    """'UA-ARMY-1 An army of at least 800,000 (Ukraine): red line → priority, weight 3'."""
    was = _severity_and_weight(m.was_severity, m.was_weight)
    now = "disabled" if m.severity is None else _severity_and_weight(m.severity, m.weight)
    return f"{m.rule} {m.title} ({m.actor}): {was} → {now}"


def _severity_and_weight(severity: Severity, weight: int | None) -> str:
    return SEVERITY_NAME[severity] + (f", weight {weight}" if weight is not None else "")


def waiver_note(waived: Waived) -> str:
    """'waived until 2027-01-01 by .redlines.yaml:12:5: <reason>'."""
    until = f"until {waived.expires.isoformat()}" if waived.expires else "with no end date"
    at = waived.location
    return f"waived {until} by {at.path}:{at.line}:{at.col}: {waived.reason}"


BASELINE_MARK = {"new": "new", "unchanged": "unchanged since the baseline"}


# --- headlines and the summary line -------------------------------------------------------------


def headline(report: Report) -> str:
    """'the draft contradicts itself on 1 term; no red line crossed, but some are left open'."""
    meaning = VERDICT_MEANING[report.overall]
    if not report.contradictions:
        return meaning
    terms = plural(len(contradicted_terms(report)), "term")
    return f"the draft contradicts itself on {terms}; {meaning}"


def contradicted_terms(report: Report) -> list[str]:
    """Every term a contradiction is about, once: a broken tie is about all the terms it sets."""
    return list(dict.fromkeys(t for c in report.contradictions for t in (c.terms or (c.term,))))


class RunTally:
    """What a run's view needs beyond each report's own: the overall verdict, the run's
    headline, the closing count line and the verdict matrix's columns, added up one report at a
    time. A run over many drafts keeps this, never the reports (render/stream.py).

    With a gate it also counts what the gate set apart (waived, new, unchanged findings) and
    keeps the gate's description; `absent`, the baseline's findings the run no longer finds, is
    known only once every report is through, and is set then."""

    def __init__(self) -> None:
        self.proposals = 0
        self.verdicts = dict.fromkeys(Verdict, 0)  # proposals per overall verdict
        self.red_violated = 0
        self.red_open = 0
        self.soft = 0  # priorities and preferences not met
        self.contradictions = 0
        self.contradicting = 0  # proposals with a contradiction
        self._actors: dict[str, str] = {}  # rule set id -> actor, as first met
        self.gate: GateInfo | None = None  # the run's gate, as its reports carry it
        self.waived = 0
        self.new = 0
        self.unchanged = 0
        self.absent = 0

    @classmethod
    def of(cls, reports: ReportSet) -> RunTally:
        tally = cls()
        for report in reports.reports:
            tally.add(report)
        tally.absent = len(reports.absent)
        return tally

    def add(self, report: Report) -> None:
        self.proposals += 1
        self.verdicts[report.overall] += 1
        for v in report.verdicts:
            self.red_violated += v.red_lines.violated
            self.red_open += v.red_lines.open
            self._actors.setdefault(v.ruleset, v.actor)
        self.soft += sum(
            1
            for f in report.findings
            if f.status is Status.VIOLATED and f.severity is not Severity.RED_LINE
        )
        self.contradictions += len(report.contradictions)
        self.contradicting += bool(report.contradictions)
        if report.gate is not None:
            self.gate = self.gate or report.gate
            marked: list[Finding | Contradiction] = [*report.findings, *report.contradictions]
            for found in marked:
                self.waived += found.waived is not None
                self.new += found.baseline == "new"
                self.unchanged += found.baseline == "unchanged"

    @property
    def overall(self) -> Verdict:
        """The worst verdict of the run (feasible for none), as `ReportSet.overall`."""
        return worst(v for v, n in self.verdicts.items() if n)

    @property
    def headline(self) -> str:
        """What the run's overall verdict means; drafts that contradict themselves come first."""
        meaning = VERDICT_MEANING[self.overall]
        if not self.contradicting:
            return meaning
        verb = "contradicts itself" if self.contradicting == 1 else "contradict themselves"
        return f"{plural(self.contradicting, 'proposal')} {verb}; {meaning}"

    @property
    def summary(self) -> str:
        """The closing count line, the same in every format; with a gate, what it set apart
        ('; 2 waived; 1 new, 40 unchanged, 3 no longer found')."""
        verdicts = ", ".join(f"{n} {v.value}" for v, n in self.verdicts.items() if n)
        line = (
            f"{plural(self.proposals, 'proposal')} checked"
            f"{': ' + verdicts if verdicts else ''}; "
            f"{plural(self.red_violated, 'red line')} violated, {self.red_open} open, "
            f"{plural(self.soft, 'priority', 'priorities')} not met, "
            f"{plural(self.contradictions, 'contradiction')}"
        )
        if self.gate is not None and self.gate.waivers:
            line += f"; {self.waived} waived"
        if self.gate is not None and self.gate.baseline:
            line += f"; {self.new} new, {self.unchanged} unchanged, {self.absent} no longer found"
        return line

    @property
    def actors(self) -> tuple[tuple[str, str], ...]:
        """(rule set id, actor) across the run, in rule set order: the matrix's columns."""
        return tuple(sorted(self._actors.items()))


def soft_score(verdict: ActorVerdict) -> str | None:
    """'16/53 (30%)': the weight of an actor's priorities and preferences met; None without any."""
    if verdict.soft_score is None:
        return None
    return f"{verdict.soft_met_weight}/{verdict.soft_total_weight} ({verdict.soft_score:.0%})"


def verdict_detail(verdict: ActorVerdict) -> str:
    """The red-line count behind an actor's verdict: '2 violated', '3 open' or '11 met'."""
    counts = verdict.red_lines
    return {
        ActorVerdictKind.REJECTS: f"{counts.violated} violated",
        ActorVerdictKind.OPEN: f"{counts.open} open",
        ActorVerdictKind.ACCEPTS: f"{counts.met} met",
    }[verdict.verdict]


# --- sections -----------------------------------------------------------------------------------


def findings_of(
    report: Report, status: Status, severities: list[Severity] | tuple[Severity, ...]
) -> tuple[Finding, ...]:
    wanted = set(severities)
    chosen = [
        f
        for f in report.findings
        if f.status is status and f.severity in wanted and f.waived is None
    ]
    return tuple(sorted(chosen, key=lambda f: (f.location.path, f.location.line, f.rule)))


def claim_location(contradiction: Contradiction) -> Location | None:
    """The first place a claim was made: where a reviewer starts to untangle it."""
    return next((claim.location for claim in contradiction.claims if claim.location), None)


def unaddressed(finding: Finding) -> list[str]:
    """The terms that leave a rule open: unaddressed by the draft (narrowed by a tie to several
    values, or not at all), or contradicted by it."""
    return [
        t.term
        for t in finding.terms
        if t.set_by in ("unaddressed", "contradiction") or (t.set_by == "tie" and t.value is None)
    ]


def open_message(finding: Finding) -> str:
    terms = unaddressed(finding)
    said = ", ".join(terms) if terms else "the terms this red line depends on"
    return f"The draft leaves {said} unaddressed. If settled the wrong way: {finding.message}"


def clause_label(finding: Finding) -> str:
    """'clause 1 “Crimea”' (+ n more), or 'no clause settles it' for an unaddressed term."""
    if not finding.clauses:
        return "no clause settles it"
    first = finding.clauses[0]
    more = f" (+{len(finding.clauses) - 1} more)" if len(finding.clauses) > 1 else ""
    return f"clause {first.id} “{first.title}”{more}"


def items(report: Report) -> list[Item]:
    """What to annotate for one proposal: contradictions first, then by place in the file."""
    contradictions = [
        Item(
            report,
            Kind.CONTRADICTION,
            Level.ERROR,
            CONTRADICTION_RULE,
            CONTRADICTION_TITLE,
            claim_location(c) or report.proposal.location,
            contradiction=c,
        )
        for c in report.contradictions
    ]
    found: list[Item] = []
    for f in report.findings:
        if f.status is Status.VIOLATED:
            level = SEVERITY_LEVEL[f.severity]
            found.append(Item(report, Kind.VIOLATED, level, f.rule, f.title, f.location, f))
        elif f.status is Status.OPEN and f.severity is Severity.RED_LINE:
            found.append(Item(report, Kind.OPEN, Level.NOTE, f.rule, f.title, f.location, f))
    order = {Level.ERROR: 0, Level.WARNING: 1, Level.NOTE: 2}
    found.sort(
        key=lambda i: (i.location.path, i.location.line, i.location.col, order[i.level], i.rule)
    )
    return contradictions + found


# --- words --------------------------------------------------------------------------------------


def sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def sentence_case(text: str) -> str:
    """The first letter upper case, the rest as written."""
    return text[:1].upper() + text[1:]


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"
