"""What changed between two drafts, and what those changes do to each actor's red lines.

`diff_reports(old_report, new_report, old_proposal, new_proposal)` is pure: clauses added,
removed and changed (matched by id, with their term changes), the effective term values that
moved (including derived ones), and every rule whose status changed, grouped per actor.
`crossed` lists the red lines NEW violates that OLD did not; the CLI exits 1 on any, for
pull-request gates.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from .models import Clause, Frozen, Proposal, Severity, TermValue
from .report import (
    ActorVerdictKind,
    Finding,
    Location,
    ProposalInfo,
    Report,
    Status,
    TermState,
    Trace,
    Verdict,
)

RuleChangeKind = Literal["newly_violated", "newly_met", "newly_open", "dropped"]


class TermChange(Frozen):
    term: str
    old: TermValue | None  # None: not set
    new: TermValue | None
    old_by: str | None = None  # "clause 7", "implication IMP-1"; effective values only
    new_by: str | None = None


class ClauseChange(Frozen):
    id: str
    change: Literal["added", "removed", "changed"]
    title: str  # the new title (the old one for removed clauses)
    old_title: str | None = None  # set when the title changed
    text_changed: bool = False
    sources_changed: bool = False
    terms: tuple[TermChange, ...] = ()
    location: Location | None = None  # in NEW (in OLD for removed clauses)


class RuleChange(Frozen):
    rule: str
    title: str
    ruleset: str
    actor: str
    severity: Severity
    old: Status | None  # None: not checked in that report (not in force, other actors)
    new: Status | None
    change: RuleChangeKind
    location: Location | None  # where NEW decides it
    message: str


class ActorChange(Frozen):
    ruleset: str
    actor: str
    old: ActorVerdictKind | None
    new: ActorVerdictKind | None
    newly_violated: tuple[str, ...]
    newly_met: tuple[str, ...]
    newly_open: tuple[str, ...]
    old_soft_score: float | None
    new_soft_score: float | None


class ProposalDiff(Frozen):
    old: ProposalInfo
    new: ProposalInfo
    old_as_of: dt.date
    new_as_of: dt.date
    old_overall: Verdict
    new_overall: Verdict
    clauses: tuple[ClauseChange, ...]
    terms: tuple[TermChange, ...]  # effective values, derived ones included
    rules: tuple[RuleChange, ...]
    actors: tuple[ActorChange, ...]
    crossed: tuple[str, ...]  # red lines NEW violates and OLD did not


def diff_reports(
    old_report: Report, new_report: Report, old_proposal: Proposal, new_proposal: Proposal
) -> ProposalDiff:
    """Compare two checked drafts: each report with the proposal it was made from."""
    rules = _rule_changes(old_report, new_report)
    return ProposalDiff(
        old=old_report.proposal,
        new=new_report.proposal,
        old_as_of=old_report.as_of,
        new_as_of=new_report.as_of,
        old_overall=old_report.overall,
        new_overall=new_report.overall,
        clauses=tuple(_clause_changes(old_proposal, new_proposal)),
        terms=tuple(_term_changes(old_report, new_report, old_proposal, new_proposal)),
        rules=tuple(rules),
        actors=tuple(_actor_changes(old_report, new_report, rules)),
        crossed=tuple(
            r.rule
            for r in rules
            if r.change == "newly_violated" and r.severity is Severity.RED_LINE
        ),
    )


# The name it had before `redlines.diff_reports`; `from redlines.diff import diff` works on.
diff = diff_reports


def _clause_changes(old: Proposal, new: Proposal) -> list[ClauseChange]:
    before = {c.id: c for c in old.clauses}
    after = {c.id: c for c in new.clauses}
    changes: list[ClauseChange] = []
    for clause in new.clauses:
        earlier = before.get(clause.id)
        if earlier is None:
            changes.append(
                ClauseChange(
                    id=clause.id,
                    change="added",
                    title=clause.title,
                    terms=tuple(_setting_changes(None, clause)),
                    location=_where(clause),
                )
            )
            continue
        terms = _setting_changes(earlier, clause)
        title_changed = earlier.title != clause.title
        text_changed = earlier.text != clause.text
        sources_changed = earlier.sources != clause.sources
        if terms or title_changed or text_changed or sources_changed:
            changes.append(
                ClauseChange(
                    id=clause.id,
                    change="changed",
                    title=clause.title,
                    old_title=earlier.title if title_changed else None,
                    text_changed=text_changed,
                    sources_changed=sources_changed,
                    terms=tuple(terms),
                    location=_where(clause),
                )
            )
    for clause in old.clauses:
        if clause.id not in after:
            changes.append(
                ClauseChange(
                    id=clause.id,
                    change="removed",
                    title=clause.title,
                    terms=tuple(_setting_changes(clause, None)),
                    location=_where(clause),
                )
            )
    return changes


def _where(clause: Clause) -> Location | None:
    return Location.of(clause.origin) if clause.origin else None


def _setting_changes(old: Clause | None, new: Clause | None) -> list[TermChange]:
    before = {s.term: s.value for s in old.settings} if old else {}
    after = {s.term: s.value for s in new.settings} if new else {}
    return [
        TermChange(term=t, old=before.get(t), new=after.get(t))
        for t in sorted(set(before) | set(after))
        if _key(before.get(t)) != _key(after.get(t))
    ]


def _key(value: TermValue | None) -> tuple[str, str]:
    # True == 1 in Python; a boolean and an integer must still differ.
    return (type(value).__name__, str(value))


def _effective(report: Report, proposal: Proposal) -> dict[str, tuple[TermValue, str]]:
    """Every term the rules saw a value for, and who set it ("clause 7", "implication IMP-1")."""
    trace = Trace.of_report(report, proposal)
    return {term: (value, _set_by(trace.state(term))) for term, value in trace.facts.items()}


def _set_by(state: TermState) -> str:
    if state.set_by == "clause":
        return f"clause {state.clause}"
    if state.set_by == "implication":
        return f"implication {state.implication}"
    return "--set" if state.set_by == "override" else state.set_by


def _term_changes(
    old_report: Report, new_report: Report, old: Proposal, new: Proposal
) -> list[TermChange]:
    before, after = _effective(old_report, old), _effective(new_report, new)
    changes = []
    for term in sorted(set(before) | set(after)):
        was, now = before.get(term), after.get(term)
        if _key(was[0] if was else None) != _key(now[0] if now else None):
            changes.append(
                TermChange(
                    term=term,
                    old=was[0] if was else None,
                    new=now[0] if now else None,
                    old_by=was[1] if was else None,
                    new_by=now[1] if now else None,
                )
            )
    return changes


_CHANGE_FOR: dict[Status, RuleChangeKind] = {
    Status.VIOLATED: "newly_violated",
    Status.MET: "newly_met",
    Status.OPEN: "newly_open",
}


def _rule_changes(old: Report, new: Report) -> list[RuleChange]:
    before = {f.rule: f for f in old.findings}
    after = {f.rule: f for f in new.findings}
    changes = []
    for rule_id in sorted(set(before) | set(after)):
        was, now = before.get(rule_id), after.get(rule_id)
        if was is not None and now is not None and was.status is now.status:
            continue
        shown: Finding = now or was  # type: ignore[assignment]  # one of them is set
        changes.append(
            RuleChange(
                rule=rule_id,
                title=shown.title,
                ruleset=shown.ruleset,
                actor=shown.actor,
                severity=shown.severity,
                old=was.status if was else None,
                new=now.status if now else None,
                change=_CHANGE_FOR[now.status] if now else "dropped",
                location=now.location if now else None,
                message=shown.message,
            )
        )
    changes.sort(key=lambda c: (c.ruleset, -c.severity.rank, c.rule))
    return changes


def _actor_changes(old: Report, new: Report, rules: list[RuleChange]) -> list[ActorChange]:
    before = {v.ruleset: v for v in old.verdicts}
    after = {v.ruleset: v for v in new.verdicts}
    changes = []
    for ruleset in sorted(set(before) | set(after)):
        was, now = before.get(ruleset), after.get(ruleset)
        own = [r for r in rules if r.ruleset == ruleset]

        def ids(change: RuleChangeKind, own: list[RuleChange] = own) -> tuple[str, ...]:
            return tuple(r.rule for r in own if r.change == change)

        changes.append(
            ActorChange(
                ruleset=ruleset,
                actor=(now or was).actor,  # type: ignore[union-attr]
                old=was.verdict if was else None,
                new=now.verdict if now else None,
                newly_violated=ids("newly_violated"),
                newly_met=ids("newly_met"),
                newly_open=ids("newly_open"),
                old_soft_score=was.soft_score if was else None,
                new_soft_score=now.soft_score if now else None,
            )
        )
    return changes
