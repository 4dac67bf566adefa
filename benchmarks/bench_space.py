"""Benchmark: `redlines space` over the bundled content, against `redlines check` on the same.

    /work/venv/bin/python benchmarks/bench_space.py [--repeat N] [--rules DIR] [--proposals DIR]

Measures, in one run on one machine:

- in process (library calls, rules already loaded): `check_all` of every bundled proposal, the
  full `analyze_space` of the blank page (up to 10 cores, concessions, zone, pairwise view, engine
  checks of the witness and the best package), and `analyze_all` of every bundled proposal;
  the first call (cold: engine compilation) and the median of the next N (warm);
- end to end (the CLI in a subprocess, Python start-up and imports included): `redlines check
  proposals/`, `redlines space`, `redlines space proposals/`, median of N.

Each space figure is also given as a ratio to the matching check figure. The target is under
1 s for the blank-page analysis end to end. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import redlines  # noqa: E402
from redlines.cli import expand_proposal_paths  # noqa: E402
from redlines.report import check_all  # noqa: E402
from redlines.space import analyze_all, analyze_space  # noqa: E402

TARGET_SECONDS = 1.0


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(first call, median of the next `repeat` calls), in seconds."""
    started = time.perf_counter()
    call()
    first = time.perf_counter() - started
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        runs.append(time.perf_counter() - started)
    return first, statistics.median(runs)


def cli(args: list[str], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "redlines.cli", *args], cwd=ROOT, capture_output=True, text=True
        )
        runs.append(time.perf_counter() - started)
        if done.returncode not in (0, 1):
            raise SystemExit(f"redlines {' '.join(args)} failed:\n{done.stderr}")
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rules", default=str(ROOT / "rules"))
    parser.add_argument("--proposals", default="proposals")
    args = parser.parse_args()

    book = redlines.load_rules(args.rules)
    paths = expand_proposal_paths([str(ROOT / args.proposals)])
    proposals = [redlines.load_proposal(p, book) for p in paths]
    check_first, check_warm = timed(lambda: check_all(proposals, book), args.repeat)
    blank_first, blank_warm = timed(lambda: analyze_space(book, max_cores=10), args.repeat)
    drafts_first, drafts_warm = timed(
        lambda: analyze_all(book, proposals, max_cores=10), args.repeat
    )
    rules = ["--rules", args.rules]
    cli_check = cli(["check", args.proposals, *rules], args.repeat)
    cli_blank = cli(["space", *rules, "--max-cores", "10"], args.repeat)
    cli_drafts = cli(["space", args.proposals, *rules, "--max-cores", "10"], args.repeat)
    blank = analyze_space(book, max_cores=10)
    red_lines = blank.red_lines
    cores = len(blank.deadlocks.cores) if blank.deadlocks else 0

    print(
        f"content: {len(book.catalogue.terms)} terms, {len(book.rules)} rules "
        f"({red_lines} red lines in force on {blank.as_of}), {len(book.implications)} "
        f"implications, {len(proposals)} proposals; blank page: {blank.verdict.value}, "
        f"{cores} cores (complete: {blank.deadlocks.complete if blank.deadlocks else '-'})"
    )
    print(f"python {sys.version.split()[0]}, median of {args.repeat}\n")
    rows = [
        ("in process, warm", "check_all (all proposals)", check_warm, check_warm),
        ("", "analyze_space (blank page)", blank_warm, check_warm),
        ("", "analyze_all (all proposals)", drafts_warm, check_warm),
        ("in process, cold", "check_all (all proposals)", check_first, check_first),
        ("", "analyze_space (blank page)", blank_first, check_first),
        ("", "analyze_all (all proposals)", drafts_first, check_first),
        ("CLI, end to end", "redlines check proposals/", cli_check, cli_check),
        ("", "redlines space", cli_blank, cli_check),
        ("", "redlines space proposals/", cli_drafts, cli_check),
    ]
    print(f"{'':18} {'what':32} {'seconds':>8} {'x check':>8}")
    for group, what, seconds, base in rows:
        print(f"{group:18} {what:32} {seconds:8.3f} {seconds / base:8.2f}")
    verdict = "met" if cli_blank < TARGET_SECONDS else "MISSED"
    print(f"\ntarget: `redlines space` under {TARGET_SECONDS:.0f} s end to end: {verdict}")
    return 0 if cli_blank < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
