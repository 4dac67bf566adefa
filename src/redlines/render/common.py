"""What the CI-facing formats share: which findings to report, at what level, where, and how said.

SARIF, `github`, Markdown, HTML and the Action must agree on what a "finding" is, or a reviewer
would see one count in the annotations and another in the summary. The rule is:

- a violated rule of any severity (red line: error; priority: warning; preference: note);
- an open red line (note): the draft leaves a term unaddressed that a red line depends on;
- an internal contradiction (error): two clauses, or a clause and an implication, disagree.

Met rules and open priorities are not reported: nothing there needs a reviewer's attention.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..models import Severity, Source
from ..report import (
    ActorVerdict,
    ActorVerdictKind,
    Contradiction,
    Finding,
    Location,
    Report,
    ReportSet,
    Status,
    Verdict,
)
from .options import RenderOptions

CONTRADICTION_RULE = "redlines.contradiction"
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
    def fingerprint(self) -> str:
        """Stable across runs and edits that only move lines: rule, proposal and clauses."""
        if self.contradiction is not None:
            parts = [
                self.rule,
                self.report.proposal.id,
                self.contradiction.term,
                *sorted(c.by for c in self.contradiction.claims),
            ]
        else:
            assert self.finding is not None
            parts = [
                self.rule,
                self.report.proposal.id,
                self.kind.value,
                *sorted(c.id for c in self.finding.clauses),
            ]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def open_message(finding: Finding) -> str:
    terms = unaddressed(finding)
    said = ", ".join(terms) if terms else "the terms this red line depends on"
    return f"The draft leaves {said} unaddressed. If settled the wrong way: {finding.message}"


def unaddressed(finding: Finding) -> list[str]:
    return [t.term for t in finding.terms if t.set_by in ("unaddressed", "contradiction")]


def items(report: Report) -> list[Item]:
    """What to report for one proposal, sorted by place in the file, then rule."""
    found: list[Item] = []
    for f in report.findings:
        if f.status is Status.VIOLATED:
            found.append(
                Item(
                    report,
                    Kind.VIOLATED,
                    SEVERITY_LEVEL[f.severity],
                    f.rule,
                    f.title,
                    f.location,
                    finding=f,
                )
            )
        elif f.status is Status.OPEN and f.severity is Severity.RED_LINE:
            found.append(
                Item(report, Kind.OPEN, Level.NOTE, f.rule, f.title, f.location, finding=f)
            )
    for c in report.contradictions:
        where = next(
            (claim.location for claim in c.claims if claim.location), report.proposal.location
        )
        found.append(
            Item(
                report,
                Kind.CONTRADICTION,
                Level.ERROR,
                CONTRADICTION_RULE,
                CONTRADICTION_TITLE,
                where,
                contradiction=c,
            )
        )
    order = {Level.ERROR: 0, Level.WARNING: 1, Level.NOTE: 2}
    found.sort(
        key=lambda i: (i.location.path, i.location.line, i.location.col, order[i.level], i.rule)
    )
    return found


def all_items(reports: ReportSet) -> list[Item]:
    return [item for report in reports.reports for item in items(report)]


def actors(reports: ReportSet) -> list[tuple[str, str]]:
    """(rule set id, actor) across all reports, in rule set order: the matrix's columns."""
    seen: dict[str, str] = {}
    for report in reports.reports:
        for v in report.verdicts:
            seen.setdefault(v.ruleset, v.actor)
    return sorted(seen.items())


def findings_of(report: Report, status: Status, severities: Iterable[Severity]) -> list[Finding]:
    wanted = set(severities)
    chosen = [f for f in report.findings if f.status is status and f.severity in wanted]
    return sorted(chosen, key=lambda f: (f.location.path, f.location.line, f.rule))


SOFT = (Severity.PRIORITY, Severity.PREFERENCE)


# --- paths and links ----------------------------------------------------------------------------


def repo_relative(path: str, options: RenderOptions) -> str | None:
    """The path relative to the repository root, with '/'; None when it lies outside."""
    given = Path(path)
    if options.repo_root is None:
        return None if given.is_absolute() or path.startswith("..") else given.as_posix()
    try:
        return given.resolve().relative_to(Path(options.repo_root).resolve()).as_posix()
    except ValueError:
        return None


def repo_path(path: str, options: RenderOptions) -> str:
    """The path relative to the repository root, with '/'; as given when outside it."""
    return repo_relative(path, options) or Path(path).as_posix()


def file_link(location: Location, options: RenderOptions, *, line: bool = True) -> str:
    """`path#Lline`, relative to the repository, or under `options.link_base`."""
    target = quote(repo_path(location.path, options), safe="/")
    anchor = f"#L{location.line}" if line else ""
    if options.link_base:
        return f"{options.link_base.rstrip('/')}/{target}{anchor}"
    return f"{target}{anchor}"


def web_url(url: str | None) -> str | None:
    """The URL if it is http(s); anything else (javascript:, file:) is not made a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def source_name(source: Source) -> str:
    """'Outlet, Title' (or whichever is given), for a link's text."""
    who = ", ".join(p for p in (source.outlet or source.authority, source.title) if p)
    return who or source.url or "source"


def verdict_detail(verdict: ActorVerdict) -> str:
    """The red-line count behind an actor's verdict: '2 violated', '3 open' or '11 met'."""
    counts = verdict.red_lines
    return {
        ActorVerdictKind.REJECTS: f"{counts.violated} violated",
        ActorVerdictKind.OPEN: f"{counts.open} open",
        ActorVerdictKind.ACCEPTS: f"{counts.met} met",
    }[verdict.verdict]


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def counts_line(reports: ReportSet) -> str:
    """The closing count line, the same in every format."""
    every = reports.reports
    verdicts = ", ".join(
        f"{sum(1 for r in every if r.overall is v)} {v.value}"
        for v in Verdict
        if any(r.overall is v for r in every)
    )
    red_violated = sum(v.red_lines.violated for r in every for v in r.verdicts)
    red_open = sum(v.red_lines.open for r in every for v in r.verdicts)
    soft = sum(
        1
        for r in every
        for f in r.findings
        if f.status is Status.VIOLATED and f.severity is not Severity.RED_LINE
    )
    contradictions = sum(len(r.contradictions) for r in every)
    return (
        f"{plural(len(every), 'proposal')} checked"
        f"{': ' + verdicts if verdicts else ''}; "
        f"{plural(red_violated, 'red line')} violated, {red_open} open, "
        f"{plural(soft, 'priority', 'priorities')} not met, "
        f"{plural(contradictions, 'contradiction')}"
    )


def clause_label(finding: Finding) -> str:
    """'clause 1 “Crimea”' (+ n more), or 'no clause settles it' for an unaddressed term."""
    if not finding.clauses:
        return "no clause settles it"
    first = finding.clauses[0]
    more = f" (+{len(finding.clauses) - 1} more)" if len(finding.clauses) > 1 else ""
    return f"clause {first.id} “{first.title}”{more}"


def first_url(sources: Sequence[Source]) -> str | None:
    return next((u for u in (web_url(s.url) for s in sources) if u), None)
