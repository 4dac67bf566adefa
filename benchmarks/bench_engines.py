"""The two engines on the bundled content: durable-rules against the pure-Python evaluator.

Not a test: it prints checks per second for each engine and their ratio, measured in the same
run (these machines are shared and noisy, so absolute figures mean little).

    python benchmarks/bench_engines.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import redlines
from redlines.engine import make_engine
from redlines.report import proposal_values

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200, help="evaluations per proposal")
    args = parser.parse_args()
    book = redlines.load_rules(ROOT / "rules")
    paths = sorted((ROOT / "proposals").rglob("*.yaml"))
    drafts = [proposal_values(redlines.load_proposal(p, book), {})[0] for p in paths]
    rates: dict[str, float] = {}
    for name in ("python", "durable"):
        if name == "durable" and not redlines.durable_available():
            print("durable-rules is not importable here; skipping it")
            continue
        engine = make_engine(book, name)  # type: ignore[arg-type]
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(args.repeat // 5):
                for facts in drafts:
                    engine.evaluate(facts)
            samples.append(time.perf_counter() - started)
        per_check = statistics.median(samples) / (len(drafts) * (args.repeat // 5))
        rates[name] = 1 / per_check
        print(f"{name:8} {rates[name]:10,.0f} checks/s  ({per_check * 1e6:,.0f} µs per check)")
    if len(rates) == 2:
        print(
            f"durable is {rates['python'] / rates['durable']:.1f}x slower than python "
            f"({len(book.rules)} rules, {len(drafts)} proposals)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
