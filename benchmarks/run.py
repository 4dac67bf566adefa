"""Every benchmark, one after the other: the one command behind benchmarks/RESULTS.md.

    pip install -e ".[bench]"          # matplotlib, for scaling.png
    python benchmarks/run.py [--quick]

Runs bench_startup, bench_throughput, bench_memory, bench_many_drafts, bench_scaling,
bench_space, bench_timeline and bench_brackets, each in its own process (so none inherits
another's warm caches), prints their reports and exits 1 if any target was missed. Takes about
20 minutes; `--quick` runs each at tiny sizes as a smoke test.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "bench_startup",
    "bench_throughput",
    "bench_memory",
    "bench_many_drafts",
    "bench_scaling",
    "bench_space",
    "bench_timeline",
    "bench_brackets",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, targets not enforced")
    parser.add_argument("only", nargs="*", help=f"run only these, of: {', '.join(BENCHMARKS)}")
    args = parser.parse_args()
    unknown = set(args.only) - set(BENCHMARKS)
    if unknown:
        parser.error(f"no benchmark named {', '.join(sorted(unknown))}")
    missed = []
    for name in args.only or BENCHMARKS:
        print(f"\n## {name}\n", flush=True)
        started = time.perf_counter()
        command = [sys.executable, str(HERE / f"{name}.py"), *(["--quick"] if args.quick else [])]
        code = subprocess.run(command, cwd=HERE.parent, check=False).returncode
        print(f"\n({name}: exit {code}, {time.perf_counter() - started:.0f} s)", flush=True)
        if code != 0:
            missed.append(name)
    if missed:
        print(f"\nTargets missed in: {', '.join(missed)}")
    else:
        print("\nSmoke run done (targets not enforced)." if args.quick else "\nAll targets met.")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
