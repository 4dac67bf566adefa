"""What the benchmarks share: timing, memory, the machine, variants of a draft, and targets.

Every benchmark reports its figures as ratios to a baseline measured in the same run (these
machines are shared and noisy), checks them against the issue's targets, and exits 1 when one is
missed. `--quick` runs tiny sizes as a smoke test and enforces nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DRAFT = ROOT / "proposals" / "us-28-point-2025-11.yaml"


def machine() -> str:
    """One line naming what the figures were measured on."""
    import redlines

    cpus = os.cpu_count()
    durable = redlines.engine.durable_available()
    engine = "durable-rules available" if durable else "no durable-rules"
    return (
        f"{platform.machine()}, {cpus} CPUs, {platform.system()} {platform.release()}, "
        f"CPython {platform.python_version()}, redlines {redlines.__version__}, {engine}, "
        f"{dt.date.today().isoformat()}"
    )


def rss_mb() -> float:
    """This process's resident set size now (Linux: /proc/self/status), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS not found: these memory figures need Linux's /proc")


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(first call, median of the next `repeat` calls), in seconds of wall time."""
    started = time.perf_counter()
    call()
    first = time.perf_counter() - started
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return first, statistics.median(samples)


def median_seconds(call: Callable[[], object], repeat: int) -> float:
    """Median wall time of `repeat` calls, after one unmeasured warm-up call."""
    return timed(call, repeat)[1]


def interleaved_runs(
    commands: dict[str, list[str]],
    runs: int,
    env: dict[str, dict[str, str]] | None = None,
) -> dict[str, float]:
    """Median wall time of each command, run in turns so that machine noise hits all alike.

    `env`: variables to add to the environment of some commands, by name."""
    environ = {name: {**os.environ, **(env or {}).get(name, {})} for name in commands}
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for name, command in commands.items():  # warm the file cache once
        subprocess.run(command, capture_output=True, cwd=ROOT, check=False, env=environ[name])
    for _ in range(runs):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, capture_output=True, cwd=ROOT, check=False, env=environ[name])
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(times) for name, times in samples.items()}


def redlines_command() -> list[str]:
    """The `redlines` console script of this interpreter's environment (else `python -m`)."""
    script = Path(sys.executable).with_name("redlines")
    return [str(script)] if script.exists() else [sys.executable, "-m", "redlines"]


def draft_variants(book: Any, count: int, *, seed: int = 1, terms: int = 5) -> list[dict[str, Any]]:
    """`count` what-ifs on a draft: each sets `terms` random terms to values that fall on either
    side of the thresholds the rules test (so verdicts vary), within each term's range."""
    rng = random.Random(seed)
    catalogue = book.catalogue.terms
    choices = {name: _values_worth_trying(book, term) for name, term in catalogue.items()}
    names = sorted(catalogue)
    return [
        {name: rng.choice(choices[name]) for name in sorted(rng.sample(names, terms))}
        for _ in range(count)
    ]


def _values_worth_trying(book: Any, term: Any) -> list[Any]:
    from redlines.conditions import leaves

    kind = term.type.value
    if kind == "enum":
        return list(term.values)
    if kind == "boolean":
        return [True, False]
    mentioned = {
        leaf.value
        for rule in book.rules
        for leaf in leaves(rule.requires)
        if leaf.term == term.name and not isinstance(leaf.value, tuple | type(None))
    }
    if kind == "date":
        days = {d + dt.timedelta(days=s) for d in mentioned for s in (-1, 0, 1)}
        return sorted(days) or [dt.date(2026, 1, 1)]
    low = term.min if term.min is not None else 0
    high = term.max if term.max is not None else max(mentioned, default=0) * 2 + 1
    numbers = {n + s for n in mentioned for s in (-1, 0, 1)} | {low, high}
    return sorted(n for n in numbers if low <= n <= high)


@dataclass(frozen=True)
class Target:
    what: str
    met: bool
    detail: str

    def line(self) -> str:
        return f"{'MET   ' if self.met else 'MISSED'} {self.what}: {self.detail}"


def finish(targets: Sequence[Target], enforce: bool) -> int:
    """Print the targets; the exit code is 1 when one is missed and targets are enforced."""
    print()
    for target in targets:
        print(target.line())
    if not enforce:
        print("(--quick: targets reported, not enforced)")
        return 0
    return 0 if all(t.met for t in targets) else 1


def table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """A Markdown table; columns listed in `right` are right-aligned."""
    rule = ["---:" if i in right else "---" for i in range(len(header))]
    lines = [header, rule, *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
