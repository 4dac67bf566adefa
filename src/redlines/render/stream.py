"""`check`'s outputs written as the reports come, so that a run over many drafts holds one report
at a time (and a small tally), never all of them.

Each format of `check` is a `CheckWriter`: `add` every report in report order, then `finish`.
What a format shows before its reports but can know only after the last one (the JSON's overall
verdict, the Markdown and HTML verdict matrix and summary, JUnit's totals, SARIF's rule list) is
written at `finish`; the reports' own parts wait in a spool until then (a temporary file when
the CLI or the Action writes; memory when rendering to a string). `render_text(reports)` and its
siblings run their writer into a string, so a string and a streamed output cannot differ.

Per report a writer keeps only what its closing parts need: the tally's counts, a row of the
verdict matrix (Markdown, HTML), a line of SARIF's proposal list.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Protocol

from ..models import InputWarning
from ..report import BaselineEntry, Report, ReportSet
from ..version import __version__
from .options import RenderOptions
from .view import RunTally


class Sink(Protocol):
    """Where a writer's text goes: stdout, an output file, a string."""

    def write(self, text: str, /) -> object: ...


class Spool(Protocol):
    """Text kept for later: written first, then read back from the start."""

    def write(self, text: str, /) -> object: ...
    def chunks(self) -> Iterator[str]: ...
    def lines(self) -> Iterator[str]: ...
    def close(self) -> None: ...


class MemorySpool:
    """A spool in memory, for rendering to a string (which is in memory anyway)."""

    def __init__(self) -> None:
        self._text = io.StringIO(newline="")

    def write(self, text: str) -> None:
        self._text.write(text)

    def chunks(self) -> Iterator[str]:
        yield self._text.getvalue()

    def lines(self) -> Iterator[str]:
        return iter(io.StringIO(self._text.getvalue(), newline=""))

    def close(self) -> None:
        self._text.close()


class CheckWriter:
    """One output of a `check` run. Use as a context manager (it releases its spools):

    with TextWriter(out, options) as writer:
        for report in reports:
            writer.add(report)
        writer.finish()
    """

    def __init__(
        self,
        out: Sink,
        options: RenderOptions,
        *,
        spool: Callable[[], Spool] = MemorySpool,
        version: str = __version__,
    ) -> None:
        self.out = out
        self.options = options
        self.version = version  # the redlines version the output names
        self.tally = RunTally()
        self._new_spool = spool
        self._spools: list[Spool] = []
        # What only the whole run knows (the gate's `end_run`), for `finish`.
        self.absent: tuple[BaselineEntry, ...] = ()
        self.warnings: tuple[InputWarning, ...] = ()

    def spool(self) -> Spool:
        made = self._new_spool()
        self._spools.append(made)
        return made

    def add(self, report: Report) -> None:
        """Write, or keep for later, one report's part (reports come in report order)."""
        self.tally.add(report)

    def end_run(
        self, absent: tuple[BaselineEntry, ...] = (), warnings: tuple[InputWarning, ...] = ()
    ) -> None:
        """What the gate knows once every report is through: the baseline's findings no longer
        found, and warnings about the gate itself (an expired or stale waiver)."""
        self.absent, self.warnings = absent, warnings
        self.tally.absent = len(absent)

    def finish(self) -> None:
        """Write everything that could only be written once every report was added."""

    def close(self) -> None:
        for spool in self._spools:
            spool.close()
        self._spools.clear()

    def __enter__(self) -> CheckWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def copy(spool: Spool, out: Sink) -> None:
    for chunk in spool.chunks():
        out.write(chunk)


def render_with(kind: type[CheckWriter], reports: ReportSet, options: RenderOptions) -> str:
    """A whole run rendered into a string by its format's writer."""
    out = io.StringIO(newline="")
    with kind(out, options, version=reports.version) as writer:
        for report in reports.reports:
            writer.add(report)
        writer.end_run(reports.absent, reports.warnings)
        writer.finish()
    return out.getvalue()
