"""Waivers: known crossings a team accepts, each with a reason and an end date.

A waiver (`settings.Waiver`, written in the configuration or a file it names) covers a finding
when all of these hold:

- its `rule` is the finding's rule id, a glob of rule ids (`UA-*`), or one of the rule's tags;
  `redlines.contradiction` names a draft contradicting itself;
- one of its `proposals` is the proposal's id, or its path (relative to the repository root or
  as given), or a glob of either;
- its `clause`, if it names one, is among the clauses the finding points at;
- it has not expired: it waives up to and including its `expires` date.

Only what a gate could fail on is waived: violated rules of any severity, red lines left open,
contradictions. A waived finding is still reported, apart, with the waiver's reason.

Two things are said as warnings at the waiver's own line, never as failures: a waiver that has
expired (it stops waiving, and its findings fail again), and a stale waiver, one that covers no
finding although its proposals were checked and its rule evaluated on them (the draft was fixed,
or the waiver is mistyped: remove or correct it). A waiver naming a rule the rule book does not
know is an error, as a misspelt rule id anywhere else is.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Sequence
from pathlib import Path

from .loader.fence import relative_to_root
from .models import InputError, InputWarning, Origin, Problem, RuleBook
from .report import CONTRADICTION_RULE, Contradiction, Finding, Location, Report, Waived
from .selection import rule_tags
from .settings import Waiver
from .specs import suggest


class _Use:
    """What one waiver did in this run."""

    def __init__(self, waiver: Waiver) -> None:
        self.waiver = waiver
        self.covered = 0  # findings it waives
        self.would_cover = 0  # findings an expired waiver would have waived
        self.applicable = False  # its proposals were checked and its rule evaluated on them


class Waivers:
    """The waivers of a run, matched against its reports one at a time."""

    def __init__(
        self,
        waivers: Sequence[Waiver],
        book: RuleBook,
        today: dt.date,
        repo_root: Path | None = None,
    ) -> None:
        self.waivers = waivers
        self.book = book
        self.today = today
        self.repo_root = repo_root
        self._tags = {rule.id: rule_tags(rule) for rule in self.book.rules}
        problems: list[Problem] = []
        known = {*self._tags, *(t for tags in self._tags.values() for t in tags)}
        for waiver in self.waivers:
            if not self._names_something(waiver.rule):
                problems.append(
                    Problem.at(
                        waiver.origin,
                        f"the waiver names '{waiver.rule}', which is no rule id, tag or glob "
                        f"of rule ids of the rule book{suggest(waiver.rule, known)}",
                    )
                )
        if problems:
            raise InputError(problems)
        self._uses = [_Use(w) for w in self.waivers]

    def _names_something(self, name: str) -> bool:
        if name == CONTRADICTION_RULE or name in self._tags:
            return True
        if any(name in tags for tags in self._tags.values()):
            return True
        return any(fnmatch.fnmatchcase(rule, name) for rule in self._tags)

    def expired(self, waiver: Waiver) -> bool:
        return waiver.expires is not None and waiver.expires < self.today

    def _rule_matches(self, waiver: Waiver, rule: str) -> bool:
        return (
            waiver.rule == rule
            or fnmatch.fnmatchcase(rule, waiver.rule)
            or waiver.rule in self._tags.get(rule, ())
        )

    def _proposal_matches(self, waiver: Waiver, report: Report) -> bool:
        names = {report.proposal.id, Path(report.proposal.path).as_posix()}
        relative = self._relative(report.proposal.path)
        if relative is not None:
            names.add(relative)
        return any(
            fnmatch.fnmatchcase(name, pattern) for pattern in waiver.proposals for name in names
        )

    def _relative(self, path: str) -> str | None:
        return None if self.repo_root is None else relative_to_root(path, self.repo_root)

    def waive(
        self, report: Report, found: Finding | Contradiction, rule: str, clauses: Sequence[str]
    ) -> Waived | None:
        """The waiver that covers this finding of this report, if one does (the first written)."""
        for use in self._uses:
            waiver = use.waiver
            if not (
                self._rule_matches(waiver, rule)
                and self._proposal_matches(waiver, report)
                and (waiver.clause is None or waiver.clause in clauses)
            ):
                continue
            if self.expired(waiver):
                use.would_cover += 1
                continue
            use.covered += 1
            return Waived(
                rule=waiver.rule,
                reason=waiver.reason,
                expires=waiver.expires,
                location=Location.of(waiver.origin),
            )
        return None

    def saw(self, report: Report) -> None:
        """Note which waivers apply to this report: its proposal, and a rule they name that
        was evaluated on it (any status)."""
        evaluated = [f.rule for f in report.findings] + [CONTRADICTION_RULE]
        for use in self._uses:
            if use.applicable or not self._proposal_matches(use.waiver, report):
                continue
            use.applicable = any(self._rule_matches(use.waiver, rule) for rule in evaluated)

    def warnings(self) -> list[InputWarning]:
        """Expired waivers, and stale ones: at each waiver's own place."""
        found: list[InputWarning] = []
        for use in self._uses:
            waiver = use.waiver
            if self.expired(waiver):
                assert waiver.expires is not None
                n = use.would_cover
                covers = f"; {_findings(n)} of this run {'fails' if n == 1 else 'fail'} again"
                covers = covers if n else ""
                found.append(
                    _warning(
                        waiver.origin,
                        f"the waiver for {waiver.rule} expired on {waiver.expires.isoformat()} "
                        f"and no longer waives{covers}: renew it with a later date, or remove it",
                    )
                )
            elif use.applicable and not use.covered:
                found.append(
                    _warning(
                        waiver.origin,
                        f"stale waiver: {waiver.rule} on {', '.join(waiver.proposals)}"
                        f"{' clause ' + waiver.clause if waiver.clause else ''} matches no "
                        "finding of this run; remove it, or correct what it names",
                    )
                )
        return found

    @property
    def count(self) -> int:
        return len(self._uses)


def _warning(origin: Origin, message: str) -> InputWarning:
    return InputWarning(file=origin.file, line=origin.line, col=origin.col, message=message)


def _findings(n: int) -> str:
    return f"{n} finding{'s' if n != 1 else ''}"
