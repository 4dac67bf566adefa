"""Benchmark: `redlines timeline` of the bundled content, against one `redlines space` run.

    python benchmarks/bench_timeline.py [--repeat N] [--quick]

The timeline of the bundled content: every change point of the bundled rules (the first day any
position holds to the newest), with every bundled draft. Measured in one run on one machine:

- in process (rules and drafts already loaded): `timeline(book, drafts)`, first call (cold:
  the engine compiles) and the median of the next N; and the baseline, one
  `analyze_space(book)` of the blank page (warm, the same median);
- the naive way, for scale: `analyze_space(book, as_of=D)` and `check(draft, as_of=D)` for
  each change point D and each draft, which is what the timeline answers (its answers are held
  equal to those by tests/test_timeline.py) without reusing anything;
- end to end (the CLI in a subprocess, start-up and loading included): `redlines timeline
  proposals/` against `redlines space`, median of N, run in turns.

The timeline's figures are given as ratios to the one `space` run of the same kind. Target
(issue 17): the bundled timeline under 2 s end to end. Exit 1 when it is missed. `--quick`
runs each once, skips the naive way, and enforces nothing (a smoke test).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import (  # noqa: E402
    Target,
    finish,
    interleaved_runs,
    machine,
    redlines_command,
    table,
    timed,
)

import redlines  # noqa: E402
from redlines.loader import load_proposals  # noqa: E402
from redlines.report import check  # noqa: E402
from redlines.space import analyze_space  # noqa: E402
from redlines.timeline import change_dates, timeline  # noqa: E402

TARGET_SECONDS = 2.0


def naive(book: redlines.RuleBook, drafts: list[redlines.Proposal]) -> float:
    """Every change point answered from scratch: one `space` and one `check` per draft each."""
    started = time.perf_counter()
    for day in change_dates(book):
        analyze_space(book, as_of=day, engine="python")
        for draft in drafts:
            check(draft, book, as_of=day, engine="python")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="one run each, nothing enforced")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat

    book = redlines.load_rules()
    drafts = load_proposals([ROOT / "proposals"], book)
    made = timeline(book, drafts)
    cold, warm = timed(lambda: timeline(book, drafts), repeat)
    _, space_warm = timed(lambda: analyze_space(book, engine="python"), repeat)
    from_scratch = None if args.quick else naive(book, drafts)
    command = redlines_command()
    ends = interleaved_runs(
        {
            "timeline": [*command, "timeline", "proposals"],
            "space": [*command, "space"],
        },
        repeat,
    )

    deadlocked = sum(1 for p in made.points if not p.blank.feasible)
    print(machine())
    print(
        f"bundled content: {len(book.rules)} rules, {len(book.implications)} implications, "
        f"{len(drafts)} drafts; {len(made.points)} change points from {made.start} to "
        f"{made.end} ({deadlocked} deadlocked); median of {repeat}\n"
    )
    rows = [
        ["in process", "analyze_space (blank page), warm", f"{space_warm:.3f}", "1.00"],
        ["", "timeline (every point, every draft), warm", f"{warm:.3f}",
         f"{warm / space_warm:.2f}"],
        ["", "timeline, cold (engine compiled)", f"{cold:.3f}", f"{cold / space_warm:.2f}"],
    ]  # fmt: skip
    if from_scratch is not None:
        rows.append(
            [
                "",
                "space + check per point and draft, from scratch",
                f"{from_scratch:.3f}",
                f"{from_scratch / space_warm:.2f}",
            ]
        )
    rows += [
        ["CLI, end to end", "redlines space", f"{ends['space']:.3f}", "1.00"],
        ["", "redlines timeline proposals", f"{ends['timeline']:.3f}",
         f"{ends['timeline'] / ends['space']:.2f}"],
    ]  # fmt: skip
    print(table(["", "what", "seconds", "x space"], rows, right=[2, 3]))
    return finish(
        [
            Target(
                f"the bundled timeline under {TARGET_SECONDS:.0f} s end to end",
                ends["timeline"] < TARGET_SECONDS,
                f"{ends['timeline']:.2f} s, {ends['timeline'] / ends['space']:.2f}x one "
                f"`redlines space` ({ends['space']:.2f} s)",
            )
        ],
        enforce=not args.quick,
    )


if __name__ == "__main__":
    sys.exit(main())
