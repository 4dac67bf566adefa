"""The gate of a check run: which rules it checks, and which findings may fail it.

`prepare(settings)` turns a run's settings into its rule book and its `Gate`:

1. the rule book, composed (`rules: [bundled, policy]`, loader/compose.py) and changed rule by
   rule (`rule-overrides`), then narrowed to the actors and the selection (selection.py);
2. the waivers (waivers.py) and the baseline (baseline.py) the findings are judged against.

`Gate.apply(report)` is then a pure step between `check` and the renderers, one report at a
time: it marks each finding a gate judges `waived` (with the waiver's reason) and, with a
baseline, `new` or `unchanged`, and records on the report how its rule book differs from the
rules as written (`GateInfo`: overrides, selection). None of this changes a verdict: a draft
that crosses a red line still crosses it. It only decides what fails (`report.failing`), and
every format reports the waived and unchanged findings apart.

`Gate.finish()` says what only the whole run knows: expired and stale waivers (warnings, at the
waiver's line), the baseline's findings no longer found, and the entries of a baseline to write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, NamedTuple

from .baseline import Baseline, entry, fingerprint, judged, read_baseline
from .checkrun import CheckRun
from .engine import EngineName, make_engine
from .flags import resolve_actors
from .loader.compose import apply_overrides, compose_rules
from .loader.fence import find_repo_root, relative_to_root
from .models import InputError, InputWarning, Problem, RuleBook, sorted_warnings
from .report import (
    BaselineEntry,
    Contradiction,
    Finding,
    GateInfo,
    Location,
    ModifiedRule,
    Report,
)
from .selection import Selection, select_rules
from .settings import Settings
from .waivers import Waivers


class GateResult(NamedTuple):
    """What a run's gate knows once every report is through."""

    warnings: tuple[InputWarning, ...]  # expired and stale waivers
    absent: tuple[BaselineEntry, ...]  # the baseline's findings this run no longer finds
    recorded: list[BaselineEntry]  # what --write-baseline writes


class Gate:
    def __init__(
        self,
        info: GateInfo | None = None,
        waivers: Waivers | None = None,
        baseline: Baseline | None = None,
        record: bool = False,  # --write-baseline: keep every judged finding's entry
        repo_root: Path | None = None,
    ) -> None:
        self.info = info
        self.waivers = waivers
        self.baseline = baseline
        self.record = record
        self.repo_root = repo_root
        self._recorded: list[BaselineEntry] = []

    def apply(self, report: Report) -> Report:
        """The report with its judged findings marked, and the gate's information."""
        if self.info is None and not self.record:
            return report
        marked: dict[int, Finding | Contradiction] = {}
        if self.waivers is not None:
            self.waivers.saw(report)
        for item in judged(report):
            updates: dict[str, object] = {}
            if self.waivers is not None:
                waived = self.waivers.waive(report, item.found, item.rule, item.clauses)
                if waived is not None:
                    updates["waived"] = waived
            print_ = fingerprint(report.proposal.id, item)
            if self.baseline is not None:
                updates["baseline"] = self.baseline.state(print_)
            if self.record:
                self._recorded.append(entry(report, item, self._relative))
            if updates:
                marked[id(item.found)] = item.found.model_copy(update=updates)
        findings = tuple(marked.get(id(f), f) for f in report.findings)
        contradictions = tuple(marked.get(id(c), c) for c in report.contradictions)
        return report.model_copy(
            update={"findings": findings, "contradictions": contradictions, "gate": self.info}
        )

    def finish(self) -> GateResult:
        return GateResult(
            warnings=tuple(self.waivers.warnings()) if self.waivers is not None else (),
            absent=self.baseline.absent() if self.baseline is not None else (),
            recorded=list(self._recorded),
        )

    def _relative(self, path: str) -> str:
        """A path as a baseline records it: relative to the repository root."""
        inside = None if self.repo_root is None else relative_to_root(path, self.repo_root)
        return inside or Path(path).as_posix()


class Prepared(NamedTuple):
    """A run's rule book as the gate checks it, and the gate."""

    book: RuleBook
    gate: Gate
    selection: Selection | None


def load_book(settings: Settings) -> tuple[RuleBook, list[ModifiedRule]]:
    """The rule book the settings name, composed and overridden (every command uses this),
    and each rule an override changed, as it was and as it is."""
    book = compose_rules(settings.rules.value)
    book, applied = apply_overrides(book, settings.rule_overrides.value)
    modified = []
    for override, was in applied:
        now = book.rule(was.id)  # None: disabled
        modified.append(
            ModifiedRule(
                rule=was.id,
                title=was.title,
                actor=was.actor,
                was_severity=was.severity,
                was_weight=was.weight,
                severity=now.severity if now else None,
                weight=now.weight if now else None,
                reason=override.reason,
                location=Location.of(override.origin),
            )
        )
    return book, modified


def prepare(
    settings: Settings,
    actor_ids: Sequence[str],
    *,
    book: RuleBook,
    modified: Sequence[ModifiedRule],
    today: dt.date,
    repo_root: Path | None,
) -> Prepared:
    """The run's rule book (actors, then selection) and its gate."""
    full = book
    book = book.for_actors(list(actor_ids))
    book, selection = select_rules(book, settings.select, settings.ignore)
    waivers = (
        Waivers(settings.waivers.value, full, today, repo_root) if settings.waivers.value else None
    )
    write_path = settings.write_baseline.value
    # A run that writes a baseline is judged against what it writes (none of its findings is
    # new), unless the command line names another to compare with: a configured baseline is
    # the one being written again.
    named = settings.baseline.value if settings.baseline.origin is None else None
    baseline_path = settings.baseline.value if write_path is None else named
    baseline: Baseline | None = None
    if baseline_path is not None:
        if settings.baseline.origin is not None and not Path(baseline_path).exists():
            raise InputError(
                [
                    Problem.at(
                        settings.baseline.origin,
                        f"'baseline' names {baseline_path}, and there is no such file; write "
                        f"it with redlines check --write-baseline {baseline_path}",
                    )
                ]
            )
        baseline = read_baseline(baseline_path)
    elif write_path is not None:
        baseline = _everything_known(write_path)
    gated = bool(modified or selection or waivers or baseline)
    info = (
        GateInfo(
            modified_rules=tuple(modified),
            select=selection.select if selection else (),
            ignore=selection.ignore if selection else (),
            rules_selected=selection.kept if selection else None,
            rules_total=selection.total if selection else None,
            waivers=waivers.count if waivers else 0,
            baseline=baseline.path if baseline else None,
        )
        if gated
        else None
    )
    gate = Gate(
        info=info,
        waivers=waivers,
        baseline=baseline,
        record=write_path is not None,
        repo_root=repo_root,
    )
    return Prepared(book=book, gate=gate, selection=selection)


class _Recording(Baseline):
    """The baseline a run is writing: every finding it judges is in it."""

    def state(self, print_: str) -> Literal["new", "unchanged"]:
        self.seen.add(print_)
        return "unchanged"


def _everything_known(path: str) -> Baseline:
    return _Recording(path=path, entries={})


class GateRun:
    """A check run as the CLI and the Action make it: the settings' rule book, actors,
    selection, waivers and baseline, then each proposal checked and gated one at a time
    (checkrun.py: a run over thousands of drafts holds one report at a time).

    Loading it reads the rules and the gate's files and validates every proposal, so that bad
    input fails the run before any report is written; `reports()` then yields the gated
    reports in report order; `finish()` gives what only the whole run knows.
    """

    def __init__(
        self,
        settings: Settings,
        paths: Sequence[str],
        *,
        overrides: Mapping[str, Any] | None = None,
        engine: EngineName = "auto",
        today: dt.date,
    ) -> None:
        full, modified = load_book(settings)
        actors = resolve_actors(full, settings.actors)
        prepared = prepare(
            settings,
            actors,
            book=full,
            modified=modified,
            today=today,
            repo_root=find_repo_root(),
        )
        self.book = prepared.book  # as checked: actors and selection applied
        self.gate = prepared.gate
        self.checks = CheckRun.load(paths, prepared.book)
        if engine != "auto":
            make_engine(self.book, engine)  # fail early and plainly if that engine is unavailable
        self._options: dict[str, Any] = {
            "as_of": settings.as_of.value,
            "overrides": overrides or {},
            "engine": engine,
        }
        self._warnings: set[InputWarning] = set(full.warnings)

    def reports(self) -> Iterator[Report]:
        for report in self.checks.reports(**self._options):
            self._warnings.update(report.warnings)
            yield self.gate.apply(report)

    def finish(self) -> GateResult:
        return self.gate.finish()

    @property
    def warnings(self) -> tuple[InputWarning, ...]:
        """The warnings of the rules and of the reports so far, each once, by place."""
        return sorted_warnings(self._warnings)
