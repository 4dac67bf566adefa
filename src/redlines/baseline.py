"""Fail on what is new: a baseline records a run's findings; a later run fails only on others.

`redlines check --write-baseline FILE` records every finding a gate judges (violated rules of
any severity, red lines left open, contradictions) by its fingerprint; `--baseline FILE` then
marks each finding `new` or `unchanged`, only new ones can fail, and the baseline's findings no
longer found are `absent` (SARIF's `baselineState`).

A fingerprint hashes what a finding is, never where it is: the rule, the proposal's id, what
happened (violated, open) and the ids of the clauses behind it; for a contradiction, the term and
who disagrees on it. A clause moved to another line, or a draft reformatted, keeps every
fingerprint; a clause renumbered, or a finding that moves from open to violated, is new. The
SARIF output carries the same hash in `partialFingerprints` (docs/github-action.md says how it
works with GitHub's own line hash).

The file is YAML, one finding a line, sorted, so that its diff in a pull request reads as the
list of findings accepted or fixed: regenerate it rather than edit it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Literal, NamedTuple

from .loader.validate import one_line_problems, validate_spec
from .models import InputError, Problem, Severity
from .report import CONTRADICTION_RULE, BaselineEntry, Contradiction, Finding, Report, Status
from .yamlfile import read_yaml

BASELINE_VERSION = 1

Kind = Literal["violated", "open", "contradiction"]


# --- what a gate judges, and its fingerprint ----------------------------------------------------


class Judged(NamedTuple):
    """A finding or contradiction a gate can fail on, with what identifies it."""

    found: Finding | Contradiction
    kind: Kind
    rule: str
    clauses: tuple[str, ...]  # the clause ids it points at (a contradiction: the claims' ids)


def judged(report: Report) -> Iterator[Judged]:
    """What a gate judges in one report: contradictions, violated rules of any severity, and
    red lines left open (met rules and open priorities need no one's attention)."""
    for c in report.contradictions:
        ids = tuple(claim.by.removeprefix("clause ") for claim in c.claims)
        yield Judged(c, "contradiction", CONTRADICTION_RULE, ids)
    for f in report.findings:
        if f.status is Status.VIOLATED or (
            f.status is Status.OPEN and f.severity is Severity.RED_LINE
        ):
            kind: Kind = "violated" if f.status is Status.VIOLATED else "open"
            yield Judged(f, kind, f.rule, tuple(c.id for c in f.clauses))


def fingerprint(proposal: str, item: Judged) -> str:
    """Stable across runs and across edits that only move lines (see the module's docstring)."""
    if isinstance(item.found, Contradiction):
        parts = [
            item.rule,
            proposal,
            item.found.tie or item.found.term,
            *sorted(claim.by for claim in item.found.claims),
        ]
    else:
        parts = [item.rule, proposal, item.kind, *sorted(item.clauses)]

    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


# --- the file -----------------------------------------------------------------------------------


class Baseline:
    """A baseline's findings by fingerprint, and which of them this run has seen."""

    def __init__(self, path: str, entries: dict[str, BaselineEntry]) -> None:
        self.path = path
        self.entries = entries
        self.seen: set[str] = set()

    def state(self, print_: str) -> Literal["new", "unchanged"]:
        if print_ in self.entries:
            self.seen.add(print_)
            return "unchanged"
        return "new"

    def absent(self) -> tuple[BaselineEntry, ...]:
        """The baseline's findings this run did not find, in the file's order."""
        return tuple(e for fp, e in self.entries.items() if fp not in self.seen)


@one_line_problems
def read_baseline(path: str) -> Baseline:
    if not Path(path).exists():
        raise InputError(
            [
                Problem(
                    file=path,
                    line=1,
                    col=1,
                    message="no such baseline file; write one with --write-baseline FILE",
                )
            ]
        )
    from .gatespecs import BaselineFile  # only when a baseline is read

    doc = read_yaml(path, path)
    spec = validate_spec(doc, BaselineFile)
    entries: dict[str, BaselineEntry] = {}
    problems: list[Problem] = []
    for i, e in enumerate(spec.findings):
        if e.fingerprint in entries:
            problems.append(
                doc.problem(
                    ("findings", i, "fingerprint"),
                    f"fingerprint {e.fingerprint} is listed twice; write the baseline again",
                )
            )
            continue
        entries[e.fingerprint] = BaselineEntry(**e.model_dump())
    if problems:
        raise InputError(problems)
    return Baseline(path=path, entries=entries)


def entry(report: Report, item: Judged, relative: Callable[[str], str]) -> BaselineEntry:
    """A finding as a baseline records it; `relative` gives a path relative to the repository
    root."""
    location = (
        item.found.location
        if isinstance(item.found, Finding)
        else next((c.location for c in item.found.claims if c.location), None)
    ) or report.proposal.location
    return BaselineEntry(
        fingerprint=fingerprint(report.proposal.id, item),
        rule=item.rule,
        kind=item.kind,
        proposal=report.proposal.id,
        path=relative(location.path),
        line=location.line,
    )


def baseline_text(entries: Iterable[BaselineEntry]) -> str:
    """The baseline file: sorted, one finding per line, the same bytes for the same findings."""
    unique = {e.fingerprint: e for e in entries}
    ordered = sorted(
        unique.values(), key=lambda e: (e.path, e.proposal, e.line, e.rule, e.kind, e.fingerprint)
    )
    lines = [
        "# The findings this repository accepts as they stand: `redlines check --baseline` fails",
        "# only on findings not listed here. Written by `redlines check --write-baseline`;",
        "# write it again rather than edit it.",
        f"redlines-baseline: {BASELINE_VERSION}",
        "findings:" + (" []" if not ordered else ""),
    ]
    lines += [
        "  - {"
        + ", ".join(
            [
                f"fingerprint: {e.fingerprint}",
                f"rule: {_scalar(e.rule)}",
                f"kind: {e.kind}",
                f"proposal: {_scalar(e.proposal)}",
                f"path: {_scalar(e.path)}",
                f"line: {e.line}",
            ]
        )
        + "}"
        for e in ordered
    ]
    return "\n".join(lines) + "\n"


def _scalar(text: str) -> str:
    """A YAML double-quoted text (JSON's escapes are YAML's)."""

    return json.dumps(text, ensure_ascii=False)
