"""Test files (`redlines test`): drafts, and what the rules must say of them.

A test file holds cases. Each names a draft — a proposal file relative to the test file (inside
the repository, as a variant's `base:`), a bundled draft (`bundled:ID`), or terms written inline,
which make a one-clause draft — and what must come out: the status of named rules, an actor's
verdict and exactly which of its red lines are violated or open, the overall verdict.

Everything a case names is checked when the file loads, against the rule book it will run on:
a misspelt rule id, an actor no rule set has, a red line of another actor, a value the term
does not take. A case that could never pass is an input error at its line, not a failure.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field

from ..models import (
    Clause,
    Frozen,
    InputError,
    Origin,
    Problem,
    Proposal,
    RuleBook,
    RuleStatusName,
    Setting,
    Severity,
    fail,
)
from ..specs import ExpectedActorSpec, TestCaseSpec, TestFile, suggest
from ..yamlfile import Document, Path_, clip
from .fence import BUNDLED_PREFIX, check_name, repository_root, resolved, yaml_files
from .proposals import load_proposal
from .validate import capped, one_line_problems, read_spec
from .values import typed_settings

VerdictName = Literal["accepts", "open", "rejects"]
OverallName = Literal["feasible", "incomplete", "infeasible"]


class ExpectedActor(Frozen):
    """What one actor's verdict must be: its verdict, and exactly which red lines."""

    ruleset: str
    verdict: VerdictName | None = None
    violated: tuple[str, ...] | None = None
    open: tuple[str, ...] | None = None
    origin: Origin | None = None


class TestCase(Frozen):
    """A draft, the day to judge it on, and what the rules must say of it."""

    __test__ = False  # not a pytest class, whatever its name

    name: str
    origin: Origin  # where the case (or the rule's example) is written
    proposal: Proposal
    overrides: tuple[Setting, ...] = ()  # terms laid over the proposal, as --set would
    as_of: dt.date | None = None  # None: the proposal's own date
    rules: dict[str, RuleStatusName] = Field(default_factory=dict)
    actors: tuple[ExpectedActor, ...] = ()
    overall: OverallName | None = None
    example_of: str | None = None  # the rule whose example this is


@one_line_problems
def load_test_files(paths: Sequence[str | Path], book: RuleBook) -> list[TestCase]:
    """Every case of the test files the paths name (a folder: its YAML files), in order."""
    cases: list[TestCase] = []
    problems: list[Problem] = []
    for path in _expand(paths):
        try:
            cases.extend(_load_file(path, book))
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(capped(problems))
    return cases


def _expand(paths: Sequence[str | Path]) -> list[str]:
    found: list[str] = []
    for given in map(str, paths):
        check_name(given)
        folder = Path(given)
        if folder.is_dir():
            files = [
                os.path.join(given, p.relative_to(folder).as_posix()) for p in yaml_files(folder)
            ]
            if not files:
                fail(os.path.normpath(given), "no test files (*.yaml or *.yml) in this directory")
            found.extend(files)
        elif not folder.exists():
            fail(os.path.normpath(given), "no such test file or directory")
        else:
            found.append(given)
    return list(dict.fromkeys(os.path.normpath(f) for f in found))


def _load_file(display: str, book: RuleBook) -> list[TestCase]:
    doc, spec = read_spec(display, display, TestFile)
    problems: list[Problem] = []
    cases = [_case(doc, ("tests", i), case, book, problems) for i, case in enumerate(spec.tests)]
    if problems:
        raise InputError(capped(problems))
    return [case for case in cases if case is not None]


def _case(
    doc: Document, at: Path_, spec: TestCaseSpec, book: RuleBook, problems: list[Problem]
) -> TestCase | None:
    """One case, or None when its draft does not load (the problems say why)."""
    terms = typed_settings(doc, (*at, "terms"), spec.terms or {}, book.catalogue, problems)
    proposal: Proposal | None
    if spec.proposal is not None:
        try:
            proposal = _named_proposal(doc, (*at, "proposal"), spec.proposal, book)
        except InputError as err:
            problems.extend(err.problems)
            proposal = None
        overrides = terms
    else:
        assert spec.as_of is not None  # the spec requires it for an inline draft
        proposal = _inline_proposal(doc, at, spec, terms)
        overrides = ()
    _check_rules(doc, (*at, "rules"), spec, book, problems)
    actors = tuple(
        _actor(doc, (*at, "actors", key), key, expected, book, problems)
        for key, expected in (spec.actors or {}).items()
    )
    if proposal is None:
        return None
    return TestCase(
        name=spec.name,
        origin=doc.at(at),
        proposal=proposal,
        overrides=overrides,
        as_of=spec.as_of,
        rules=dict(spec.rules or {}),
        actors=actors,
        overall=spec.overall,
    )


def _named_proposal(doc: Document, at: Path_, ref: str, book: RuleBook) -> Proposal:
    """The proposal a case names: bundled, or a file beside the test file inside its fence."""
    where = doc.at(at)
    if ref.startswith(BUNDLED_PREFIX):
        return _at(where, lambda: load_proposal(ref, book))
    here = resolved(Path(doc.file))
    target = resolved(Path(os.path.dirname(doc.file)) / ref)
    if here is None or target is None:
        fail(where, f"cannot resolve '{clip(ref)}' (a loop of symbolic links?)")
    root = repository_root(here)
    if not target.is_relative_to(root):
        fail(
            where,
            f"'{clip(ref)}' lies outside the repository; a test names proposals inside it "
            "(relative to the test file), or bundled drafts as bundled:ID",
        )
    if not target.is_file():
        fail(where, f"no proposal file '{clip(ref)}' (paths are relative to the test file)")
    display = os.path.normpath(os.path.join(os.path.dirname(doc.file), ref))
    return _at(where, lambda: load_proposal(display, book))


def _at(where: Origin, load: Callable[[], Proposal]) -> Proposal:
    """Load a proposal; its own problems stand, and one at the case says which case it was."""
    try:
        return load()
    except InputError as err:
        raise InputError(
            [*err.problems, Problem.at(where, "the proposal this case names does not load")]
        ) from None


def _inline_proposal(
    doc: Document, at: Path_, spec: TestCaseSpec, terms: tuple[Setting, ...]
) -> Proposal:
    """A one-clause draft setting the case's terms, dated the case's day, at the case's lines."""
    assert spec.as_of is not None
    number = int(at[-1]) + 1
    clause = Clause(
        id="1",
        title="The terms of the case",
        text=spec.name,
        settings=terms,
        deliberately_empty=not terms,
        origin=doc.at((*at, "terms")),
    )
    return Proposal(
        id=f"case-{number}",
        title=spec.name,
        date=spec.as_of,
        status="draft",
        clauses=(clause,),
        path=doc.file,
        lineage=(doc.file,),
        origin=doc.at(at),
    )


def _check_rules(
    doc: Document, at: Path_, spec: TestCaseSpec, book: RuleBook, problems: list[Problem]
) -> None:
    known = [rule.id for rule in book.rules]
    for rule_id in spec.rules or {}:
        if book.rule(rule_id) is None:
            problems.append(
                doc.problem(
                    (*at, rule_id),
                    f"no rule '{clip(rule_id)}' in the rules under test{suggest(rule_id, known)}",
                    key=True,
                )
            )


def _actor(
    doc: Document,
    at: Path_,
    key: str,
    spec: ExpectedActorSpec,
    book: RuleBook,
    problems: list[Problem],
) -> ExpectedActor:
    by_name = {rs.actor.lower(): rs for rs in book.rulesets}
    ruleset = next((rs for rs in book.rulesets if rs.id == key), by_name.get(key.lower()))
    if ruleset is None:
        known = [rs.id for rs in book.rulesets]
        problems.append(
            doc.problem(
                at,
                f"no rule set or actor '{clip(key)}'{suggest(key, known)}; "
                f"rule sets: {', '.join(known)}",
                key=True,
            )
        )
        return ExpectedActor(ruleset=key, origin=doc.key_at(at))
    red_lines = {r.id for r in ruleset.rules if r.severity is Severity.RED_LINE}
    for field in ("violated", "open"):
        for j, rule_id in enumerate(getattr(spec, field) or []):
            if rule_id not in red_lines:
                rule = book.rule(rule_id)
                why = (
                    f"{rule_id} is not one of {ruleset.id}'s red lines"
                    if rule is None or rule.ruleset != ruleset.id
                    else f"{rule_id} is a {rule.severity.value.replace('_', ' ')}, not a red line"
                )
                hint = suggest(rule_id, red_lines) if rule is None else ""
                problems.append(doc.problem((*at, field, j), f"{why}{hint}"))
    return ExpectedActor(
        ruleset=ruleset.id,
        verdict=spec.verdict,
        violated=None if spec.violated is None else tuple(sorted(spec.violated)),
        open=None if spec.open is None else tuple(sorted(spec.open)),
        origin=doc.key_at(at),
    )
