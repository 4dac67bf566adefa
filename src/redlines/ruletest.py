"""`redlines test`: drafts with the verdicts they must get, run against a rule book.

What Conftest's `verify`, Vale's `test` and Semgrep's `--test` do for their rules: a rule writer
says "this draft must meet that rule, this one must violate it" and runs it, so that a rule
whose condition says less (or more) than its title is caught before a report relies on it.

Two sources of cases, run the same way:

- test files (`loader/testfiles.py`): a draft (a file, a bundled draft, or terms inline), the
  day to judge it on, and the expected status of named rules, actors' verdicts and red lines,
  and the overall verdict;
- the rules' own `examples:`: each a one-clause draft that must meet, violate or leave open its
  rule, by its terms (an example with terms that only `when_silent` decides fails: it shows
  nothing about the condition; `meets: {}` is the way to show what silence does). Without
  `as_of` an example is judged on the rule's last day in force, or, for a rule still in force,
  on the first day the rule book's newest positions hold (`space`'s blank-page date): a fixed
  day, so that the result never changes with the calendar.

Each case is one `check` (`report.check`), so a case passes exactly when `redlines check` would
say what it expects. A failure says what was expected, what came out, and the terms that decided
it, each with the clause (file:line), implication or override it came from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from .engine import EngineName
from .loader.testfiles import ExpectedActor, TestCase
from .models import Clause, Frozen, Origin, Proposal, Rule, RuleBook, Setting
from .report import Finding, Location, Report, TermState, check
from .version import __version__

CaseKind = Literal["case", "example"]


class Failure(Frozen):
    """One expectation a case did not meet."""

    subject: str
    """What was checked: 'rule UA-ARMY-1', 'ukraine verdict', 'ukraine violated', 'overall'."""
    expected: str
    """What the case expects."""
    actual: str
    """What the rules said."""
    terms: tuple[TermState, ...] = ()
    """The terms that decided a rule's status, each with where its value came from."""
    silent: bool = False
    """The rule's status comes from its when_silent, not from the draft's terms."""
    rules: tuple[str, ...] = ()
    """For a list of red lines: the ids that differ (missing or unexpected)."""


class CaseResult(Frozen):
    """One case (or rule example) and how it came out."""

    name: str
    """The case's name, or 'RULE-ID example N (meets|violates|open)'."""
    kind: CaseKind
    """case (from a test file) or example (a rule's own)."""
    location: Location
    """Where the case or example is written."""
    proposal: str
    """The id of the draft it checked."""
    as_of: dt.date
    """The day whose rules applied."""
    passed: bool
    """Every expectation met."""
    failures: tuple[Failure, ...] = ()
    """The expectations not met."""


class TestRun(Frozen):
    """What `redlines test` found: every case and example, in the order they were run."""

    __test__ = False

    tool: str = "redlines"
    """Always "redlines"."""
    version: str = __version__
    """The redlines version that ran the tests."""
    passed: int
    """Cases and examples that passed."""
    failed: int
    """Cases and examples that failed."""
    results: tuple[CaseResult, ...]
    """Each case and example with its outcome."""


def run_tests(cases: Sequence[TestCase], book: RuleBook, *, engine: EngineName = "auto") -> TestRun:
    """Check each case's draft against the rule book and compare with what it expects."""
    results = tuple(_run(case, book, engine) for case in cases)
    passed = sum(1 for r in results if r.passed)
    return TestRun(passed=passed, failed=len(results) - passed, results=results)


def _run(case: TestCase, book: RuleBook, engine: EngineName) -> CaseResult:
    overrides = {s.term: s.value for s in case.overrides}
    report = check(case.proposal, book, as_of=case.as_of, overrides=overrides, engine=engine)
    failures = [
        *_rule_failures(case, report),
        *(f for expected in case.actors for f in _actor_failures(expected, report)),
    ]
    if case.overall is not None and report.overall.value != case.overall:
        failures.append(
            Failure(subject="overall", expected=case.overall, actual=report.overall.value)
        )
    return CaseResult(
        name=case.name,
        kind="example" if case.example_of else "case",
        location=Location.of(case.origin),
        proposal=case.proposal.id,
        as_of=report.as_of,
        passed=not failures,
        failures=tuple(failures),
    )


def _rule_failures(case: TestCase, report: Report) -> list[Failure]:
    found = {f.rule: f for f in report.findings}
    failures: list[Failure] = []
    for rule_id, expected in case.rules.items():
        finding = found.get(rule_id)
        if finding is None:
            failures.append(
                Failure(
                    subject=f"rule {rule_id}",
                    expected=expected,
                    actual=f"not in force on {report.as_of.isoformat()}",
                )
            )
        elif finding.status.value != expected:
            failures.append(_rule_failure(finding, expected))
        elif finding.silent and case.example_of and _sets_terms(case.proposal):
            # An example with terms shows what the terms do; silence proves nothing about them.
            failures.append(
                _rule_failure(finding, f"{expected} by the example's terms").model_copy(
                    update={"actual": f"{finding.status.value} by the rule's when_silent"}
                )
            )
    return failures


def _sets_terms(proposal: Proposal) -> bool:
    return any(clause.settings for clause in proposal.clauses)


def _rule_failure(finding: Finding, expected: str) -> Failure:
    return Failure(
        subject=f"rule {finding.rule}",
        expected=expected,
        actual=finding.status.value,
        terms=finding.terms,
        silent=finding.silent,
    )


def _actor_failures(expected: ExpectedActor, report: Report) -> list[Failure]:
    verdict = next((v for v in report.verdicts if v.ruleset == expected.ruleset), None)
    if verdict is None:  # the loader only accepts rule sets of the book
        return [Failure(subject=expected.ruleset, expected="a verdict", actual="none")]
    failures: list[Failure] = []
    if expected.verdict is not None and verdict.verdict.value != expected.verdict:
        failures.append(
            Failure(
                subject=f"{expected.ruleset} verdict",
                expected=expected.verdict,
                actual=verdict.verdict.value,
            )
        )
    for kind, want, got in (
        ("violated", expected.violated, verdict.violated),
        ("open", expected.open, verdict.open),
    ):
        if want is not None and tuple(sorted(got)) != want:
            differing = tuple(sorted(set(want) ^ set(got)))
            failures.append(
                Failure(
                    subject=f"{expected.ruleset} {kind} red lines",
                    expected=", ".join(want) or "none",
                    actual=", ".join(sorted(got)) or "none",
                    rules=differing,
                    terms=_terms_of(report, differing),
                )
            )
    return failures


def _terms_of(report: Report, rule_ids: Sequence[str]) -> tuple[TermState, ...]:
    """The deciding terms of the red lines a list got wrong, each once."""
    seen: dict[str, TermState] = {}
    for finding in report.findings:
        if finding.rule in rule_ids:
            for state in finding.terms:
                seen.setdefault(state.term, state)
    return tuple(seen.values())


# --- the rules' own examples ---------------------------------------------------------------------

_EXAMPLE_WORD = {"met": "meets", "violated": "violates", "open": "open"}


def example_cases(book: RuleBook) -> list[TestCase]:
    """Every example of every rule, as a case expecting its rule's status."""
    from .space import default_as_of  # the blank page's date; no solver is started

    newest = default_as_of(book)
    cases: list[TestCase] = []
    for rule in book.rules:
        for n, example in enumerate(rule.examples, start=1):
            day = example.as_of or judging_day(rule, newest)
            origin = example.origin or rule.origin or Origin(file="<rules>", line=1, col=1)
            cases.append(
                TestCase(
                    name=f"{rule.id} example {n} ({_EXAMPLE_WORD[example.expect]})",
                    origin=origin,
                    proposal=_example_draft(rule, n, example.settings, day, origin),
                    as_of=day,
                    rules={rule.id: example.expect},
                    example_of=rule.id,
                )
            )
    return cases


def judging_day(rule: Rule, newest: dt.date | None) -> dt.date:
    """The day an example without `as_of` is judged on: a fixed day the rule is in force."""
    if rule.valid_until is not None and (newest is None or rule.valid_until < newest):
        return rule.valid_until
    if newest is not None:
        return max(newest, rule.valid_from or newest)
    # A rule book with no date in it applies the same on every day.
    return rule.valid_from or dt.date(2000, 1, 1)


def _example_draft(
    rule: Rule, n: int, settings: tuple[Setting, ...], day: dt.date, origin: Origin
) -> Proposal:
    clause = Clause(
        id="1",
        title=f"Example {n} of {rule.id}",
        text=rule.title,
        settings=settings,
        deliberately_empty=not settings,
        origin=origin,
    )
    return Proposal(
        id=f"{rule.id.lower()}-example-{n}",
        title=f"Example {n} of {rule.id}",
        date=day,
        status="draft",
        clauses=(clause,),
        path=origin.file,
        lineage=(origin.file,),
        origin=origin,
    )
