"""Benchmark: `redlines space` over the bundled content, against `redlines check` on the same.

    python benchmarks/bench_space.py [--repeat N] [--rules DIR] [--proposals DIR]
        [--seed S] [--quick]

Measures, in one run on one machine:

- in process (library calls, rules already loaded): `check_all` of every bundled proposal, the
  full `analyze_space` of the blank page (up to 10 cores, concessions, zone, pairwise view, engine
  checks of the witness and the best package), and `analyze_all` of every bundled proposal;
  the first call (cold: engine compilation) and the median of the next N (warm);
- end to end (the CLI in a subprocess, Python start-up and imports included): `redlines check
  proposals/`, `redlines space`, `redlines space proposals/`, median of N.

Then the same on a synthetic set (benchmarks/synthetic.py, `space_spec`): 5 actors x 200 rules
over 300 terms, deadlocked with cores of 2-4 red lines: `analyze_space` in process with each
engine, and `redlines space --rules <generated dir>` end to end with the default engine and with
`--engine python`; median of min(N, 3).

Each space figure is also given as a ratio to the matching check figure of the bundled proposals
(in process: `check_all`; end to end: `redlines check proposals/`), measured in the same run.
Targets: under 1 s for the bundled blank page end to end, under 10 s for the synthetic set end
to end (the default engine; a crash misses it). Exit 1 when one is missed. `--quick` runs once,
on a small synthetic set (3 actors x 150 rules), and reports the targets without enforcing them
(a smoke test). Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import synthetic  # noqa: E402
from common import timed  # noqa: E402

import redlines  # noqa: E402
from redlines.loader import expand_proposal_paths  # noqa: E402
from redlines.report import check_all  # noqa: E402
from redlines.space import analyze_all, analyze_space  # noqa: E402

TARGET_SECONDS = 1.0
SYNTHETIC_TARGET_SECONDS = 10.0


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


def cli_or_error(args: list[str], repeat: int) -> float | str:
    """Like `cli`, but a failing command gives its last line of stderr instead of stopping."""
    try:
        return cli(args, repeat)
    except SystemExit as failed:
        return str(failed).strip().splitlines()[-1]


def timed_or_error(call: Callable[[], object], repeat: int) -> tuple[float, float] | str:
    try:
        return timed(call, repeat)
    except Exception as err:
        return f"{type(err).__name__}: {err}"


@dataclasses.dataclass
class Synthetic:
    description: str
    rows: list[tuple[str, str, float | str, float]]  # (group, what, seconds or error, base)
    target: float | str  # the default `redlines space` end to end, or its error


def synthetic_case(
    tmp: Path,
    spec: synthetic.Spec,
    repeat: int,
    checks: tuple[float, float, float],  # check_all warm and cold, `redlines check` end to end
) -> Synthetic:
    check_warm, check_cold, cli_check = checks
    made = synthetic.generate(tmp, spec)
    book = redlines.load_rules(made.rules_dir)
    in_process: dict[str, tuple[float, float] | str] = {}
    for engine in ("python", "auto"):
        in_process[engine] = timed_or_error(
            lambda e=engine: analyze_space(book, max_cores=10, engine=e), repeat
        )
    rules = ["--rules", str(made.rules_dir), "--max-cores", "10"]
    cli_default = cli_or_error(["space", *rules], repeat)
    cli_python = cli_or_error(["space", *rules, "--engine", "python"], repeat)
    report = analyze_space(book, max_cores=10, engine="python")
    cores = report.deadlocks.cores if report.deadlocks else ()
    compatible = sum(1 for c in report.compatibility if len(c.rulesets) == 2 and c.compatible)
    pairs = sum(1 for c in report.compatibility if len(c.rulesets) == 2)
    relaxed = len(report.concessions.relaxed) if report.concessions else 0
    package = len(report.concessions.package.terms) if report.concessions else 0
    description = (
        f"synthetic (seed {spec.seed}): {spec.n_actors} actors x {spec.n_rules // spec.n_actors} "
        f"rules, {spec.n_terms} terms, {report.red_lines} red lines; blank page "
        f"{report.verdict.value}, cores of {[len(c.rules) for c in cores]} red lines "
        f"(complete: {report.deadlocks.complete if report.deadlocks else '-'}), cheapest "
        f"concession gives up {relaxed} red lines (its package sets {package} terms), "
        f"{compatible} of {pairs} pairs of actors compatible"
    )
    rows: list[tuple[str, str, float | str, float]] = []
    for engine, label in (("python", "python engine"), ("auto", "default engine")):
        measured = in_process[engine]
        group = "synthetic, in process" if engine == "python" else ""
        if isinstance(measured, str):
            rows.append((group, f"analyze_space, {label}", measured, check_warm))
        else:
            rows.append((group, f"analyze_space, {label}, warm", measured[1], check_warm))
            rows.append(("", f"analyze_space, {label}, cold", measured[0], check_cold))
    rows.append(("synthetic, CLI", "redlines space --rules <synthetic>", cli_default, cli_check))
    rows.append(("", "  ... --engine python", cli_python, cli_check))
    return Synthetic(description=description, rows=rows, target=cli_default)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rules", default=str(ROOT / "rules"))
    parser.add_argument("--proposals", default="proposals")
    parser.add_argument("--seed", type=int, default=synthetic.space_spec().seed)
    parser.add_argument(
        "--quick", action="store_true", help="one run, a small synthetic set, targets not enforced"
    )
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat
    spec = synthetic.space_spec(args.seed)
    if args.quick:
        spec = dataclasses.replace(spec, n_terms=40, n_rules=150, n_actors=3)

    book = redlines.load_rules(args.rules)
    paths = expand_proposal_paths([str(ROOT / args.proposals)])
    proposals = [redlines.load_proposal(p, book) for p in paths]
    check_first, check_warm = timed(lambda: check_all(proposals, book), repeat)
    blank_first, blank_warm = timed(lambda: analyze_space(book, max_cores=10), repeat)
    drafts_first, drafts_warm = timed(lambda: analyze_all(book, proposals, max_cores=10), repeat)
    rules = ["--rules", args.rules]
    cli_check = cli(["check", args.proposals, *rules], repeat)
    cli_blank = cli(["space", *rules, "--max-cores", "10"], repeat)
    cli_drafts = cli(["space", args.proposals, *rules, "--max-cores", "10"], repeat)
    with tempfile.TemporaryDirectory(prefix="redlines-space-") as tmp:
        checks = (check_warm, check_first, cli_check)
        made = synthetic_case(Path(tmp), spec, min(repeat, 3), checks)
    blank = analyze_space(book, max_cores=10)
    red_lines = blank.red_lines
    cores = len(blank.deadlocks.cores) if blank.deadlocks else 0

    print(
        f"content: {len(book.catalogue.terms)} terms, {len(book.rules)} rules "
        f"({red_lines} red lines in force on {blank.as_of}), {len(book.implications)} "
        f"implications, {len(proposals)} proposals; blank page: {blank.verdict.value}, "
        f"{cores} cores (complete: {blank.deadlocks.complete if blank.deadlocks else '-'})"
    )
    print(made.description)
    print(f"python {sys.version.split()[0]}, median of {repeat} (synthetic: of {min(repeat, 3)})\n")
    rows: list[tuple[str, str, float | str, float]] = [
        ("in process, warm", "check_all (all proposals)", check_warm, check_warm),
        ("", "analyze_space (blank page)", blank_warm, check_warm),
        ("", "analyze_all (all proposals)", drafts_warm, check_warm),
        ("in process, cold", "check_all (all proposals)", check_first, check_first),
        ("", "analyze_space (blank page)", blank_first, check_first),
        ("", "analyze_all (all proposals)", drafts_first, check_first),
        ("CLI, end to end", "redlines check proposals/", cli_check, cli_check),
        ("", "redlines space", cli_blank, cli_check),
        ("", "redlines space proposals/", cli_drafts, cli_check),
        *made.rows,
    ]
    print(f"| {'':22} | {'what':42} | {'seconds':>8} | {'x check':>8} |")
    print(f"| {'-' * 22} | {'-' * 42} | {'-' * 7}: | {'-' * 7}: |")
    for group, what, seconds, base in rows:
        if isinstance(seconds, str):
            print(f"| {group:22} | {what:42} | {'error':>8} | {'':>8} |  {seconds}")
        else:
            print(f"| {group:22} | {what:42} | {seconds:8.3f} | {seconds / base:8.2f} |")
    bundled_ok = cli_blank < TARGET_SECONDS
    synthetic_ok = isinstance(made.target, float) and made.target < SYNTHETIC_TARGET_SECONDS
    print(
        f"\ntarget: `redlines space` under {TARGET_SECONDS:.0f} s end to end: "
        f"{'met' if bundled_ok else 'MISSED'}"
    )
    shown = made.target if isinstance(made.target, str) else f"{made.target:.2f} s"
    print(
        f"target: `redlines space --rules <synthetic>` under {SYNTHETIC_TARGET_SECONDS:.0f} s end "
        f"to end: {'met' if synthetic_ok else 'MISSED'} ({shown})"
    )
    if args.quick:
        print("(--quick: targets reported, not enforced)")
        return 0
    return 0 if bundled_ok and synthetic_ok else 1


if __name__ == "__main__":
    sys.exit(main())
