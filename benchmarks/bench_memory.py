"""Memory: RSS after 100,000 checks in one process against RSS after 1,000, for each engine.

    python benchmarks/bench_memory.py [--checks N] [--quick]

Each engine runs in a fresh process: variants of the 28-point draft are generated and checked
in batches of 1,000 (`check_many`, results dropped), and the resident set size is read after
1,000 checks and at intervals up to N. For durable-rules, which keeps facts and rulesets in C,
two more things are verified: no fact is left in any ruleset after the run, and compiling and
dropping 200 engines does not grow memory (each engine deletes its rulesets when collected).

Target: RSS after 100,000 checks within 10% of RSS after 1,000, for each engine.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys

from common import DRAFT, Target, draft_variants, finish, machine, rss_mb, table

BATCH = 1_000


def measure(engine: str, checks: int) -> dict[str, object]:
    """Runs inside the child process: the RSS curve of one engine."""
    import redlines
    from redlines.engine import DurableEngine, make_engine

    book = redlines.load_rules()
    draft = redlines.load_proposal(DRAFT, book)
    marks = sorted({BATCH, checks // 100, checks // 10, checks // 2, checks} - {0})
    curve: dict[int, float] = {}
    done = 0
    seed = 0
    while done < checks:
        seed += 1
        redlines.check_many(draft_variants(book, BATCH, seed=seed), book, base=draft, engine=engine)  # type: ignore[arg-type]
        done += BATCH
        if done in marks:
            gc.collect()
            curve[done] = rss_mb()
    result: dict[str, object] = {"curve": curve}
    if engine == "durable":
        compiled = make_engine(book.in_force(draft.date), "durable")
        assert isinstance(compiled, DurableEngine)
        handles = [h for h, _ in compiled._rule_handles + compiled._when_handles]
        left = [json.loads(compiled._core.get_facts(h, "0")) for h in handles]
        result["facts left"] = sum(len(facts) for facts in left)
        in_force = book.in_force(draft.date)
        before = rss_mb()
        for _ in range(200):
            DurableEngine(in_force)  # dropped at once; its finalizer deletes the rulesets
        gc.collect()
        result["200 engines: RSS before, after (MB)"] = [round(before, 1), round(rss_mb(), 1)]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=100_000, help="checks per engine")
    parser.add_argument("--quick", action="store_true", help="3,000 checks, not enforced")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    checks = 3_000 if args.quick else args.checks
    if args.child:
        print(json.dumps(measure(args.child, checks)))
        return 0

    import redlines

    engines = ["python", "durable"] if redlines.engine.durable_available() else ["python"]
    print(f"{machine()}\n")
    targets = []
    for engine in engines:
        command = [sys.executable, __file__, "--child", engine, "--checks", str(checks)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        result = json.loads(done.stdout)
        curve = {int(k): v for k, v in result.pop("curve").items()}
        first, last = curve[min(curve)], curve[max(curve)]
        print(f"engine {engine}:\n")
        print(
            table(
                ["checks", "RSS MB", f"x RSS after {min(curve):,}"],
                [[f"{n:,}", f"{mb:.1f}", f"{mb / first:.3f}"] for n, mb in sorted(curve.items())],
                right=(0, 1, 2),
            )
        )
        for key, value in result.items():
            print(f"- {key}: {value}")
        print()
        growth = last / first - 1
        targets.append(
            Target(
                f"{engine}: RSS after {max(curve):,} checks within 10% of after {min(curve):,}",
                growth <= 0.10,
                f"{first:.1f} MB -> {last:.1f} MB ({growth:+.1%})",
            )
        )
        if engine == "durable":
            targets.append(
                Target(
                    "durable: no fact left in C after the run",
                    result["facts left"] == 0,
                    str(result["facts left"]),
                )
            )
            before, after = result["200 engines: RSS before, after (MB)"]
            targets.append(
                Target(
                    "durable: 200 engines compiled and dropped free their rulesets",
                    after <= before * 1.10,
                    f"{before} MB -> {after} MB",
                )
            )
    return finish(targets, enforce=not args.quick)


if __name__ == "__main__":
    raise SystemExit(main())
