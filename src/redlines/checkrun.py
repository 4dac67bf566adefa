"""A check run over many proposals: one at a time, into any number of outputs.

`check_all` returns every report at once, which is what a library caller wants for a few drafts.
The CLI and the Action may be handed thousands (a folder, a `**` glob over a pull request), and
a report takes hundreds of kilobytes in memory (10,000 small drafts once took 2.7 GB, 12 GB in
JSON). A `CheckRun` holds one draft and one report at a time:

1. the paths are expanded, and more than `MAX_PROPOSALS` files are refused before any is read;
2. each file is loaded once to find every problem in any of them (bad input fails the run
   before any output is written) and its place in the reports' order, then dropped;
3. `reports()` loads each again in that order and checks it: the reports `check_all` gives,
   in the same order, one at a time, for the writers of render/stream.py. The first in that
   order is kept from step 2 rather than read twice (a check of one draft read it twice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .engine import EngineName
from .loader import expand_proposal_paths, load_proposal
from .models import InputError, Problem, Proposal, RuleBook
from .report import Report, check

# Proposal files in one run of `redlines check` or the Action. Memory stays small per draft
# (benchmarks/bench_many_drafts.py: at most 100 MB at this limit, in every format); time and
# the size of the output do not (7 to 20 ms and, in JSON, 240 KB per small draft).
MAX_PROPOSALS = 10_000


class TooManyProposals(Exception):
    """More proposal files than one run checks: the CLI and the Action say so, exit 2."""


@dataclass(frozen=True)
class CheckRun:
    """The proposal files of one run, every one of them valid, in the order of their reports."""

    book: RuleBook
    files: tuple[str, ...]
    # The proposal of files[0], as loaded while validating (one draft, whatever the run's size).
    first: Proposal | None = field(default=None, compare=False, repr=False)

    @classmethod
    def load(cls, paths: Sequence[str], book: RuleBook) -> CheckRun:
        """Expand and validate the proposals (InputError with the problems of all of them)."""
        files = expand_proposal_paths(paths)
        if len(files) > MAX_PROPOSALS:
            raise TooManyProposals(
                f"{len(files):,} proposal files, over the limit of {MAX_PROPOSALS:,} in one run; "
                "check them in several runs"
            )
        order: list[tuple[tuple[str, str], str]] = []
        problems: list[Problem] = []
        first: tuple[tuple[str, str], Proposal] | None = None
        for path in files:
            try:
                proposal = load_proposal(path, book)
            except InputError as err:
                problems.extend(err.problems)
                continue
            key = (proposal.path, proposal.id)
            order.append((key, path))
            if first is None or key < first[0]:  # strictly: the earliest file of equal keys
                first = (key, proposal)
        if problems:
            raise InputError(problems)
        # check_all's order (by path, then id); a stable sort, as its sort of the reports is.
        ordered = tuple(path for _, path in sorted(order, key=lambda entry: entry[0]))
        return cls(book, ordered, first[1] if first is not None else None)

    def reports(
        self,
        *,
        as_of: dt.date | None = None,
        overrides: Mapping[str, Any] | None = None,
        actors: Sequence[str] = (),
        engine: EngineName = "auto",
    ) -> Iterator[Report]:
        """Each proposal's report, as `check_all` gives them, one at a time."""
        for index, path in enumerate(self.files):
            kept = self.first if index == 0 else None
            proposal = kept if kept is not None else load_proposal(path, self.book)
            yield check(
                proposal, self.book, as_of=as_of, overrides=overrides, actors=actors, engine=engine
            )
