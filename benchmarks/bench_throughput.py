"""Library throughput: checks per second of generated variants of the 28-point draft.

    python benchmarks/bench_throughput.py [--variants N] [--quick] [--before REF]

In one process, against all bundled rules: `check_many(variants, rules, base=draft)` with each
engine side by side, and `engine="fastest"` (which says which engine it took). Baselines in
the same run: a plain recursive evaluator of the same rules (the ~25-line kind that ran ~8,000
checks/s on 100 rules when durable-rules was evaluated) and a loop of full `check()` reports.
And the python engine's `evaluate` alone on the same variants' facts, merged beforehand: the
floor `check_many` stands on (issue 12 compares the two). Then the parallel sweep:
`check_many(..., workers=2)` against `workers=1` on a large batch.

`--before REF` also measures each engine of an earlier commit against this checkout's, on the
same rules, drafts and variants: REF's `src/` is extracted with `git archive`, and the two run in
fresh processes by turns (so that noise on a shared machine hits both alike); the ratio of each
pair and their median are printed. For the python engine: `check_many` on one batch repeated (as
above), on batches of variants it has not seen (a sweep's first pass), and `evaluate` alone.

Targets: python engine >= 50,000 checks/s (issue 12; issue 8 asked for 20,000); durable >= 1,000
checks/s; workers=2 faster than 1 (issue 8 asks to show the speed-up; a sweep with workers
starts the extra process first, ~0.3 s).
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from common import (
    DRAFT,
    ROOT,
    Target,
    draft_variants,
    finish,
    machine,
    median_seconds,
    table,
)

import redlines
from redlines.models import AllOf, AnyOf, IfThen, Leaf, Not
from redlines.report import proposal_values, type_overrides


def plain_evaluator(book: Any, draft: Any) -> Any:
    """A plain recursive Kleene evaluator, no compilation: the baseline of the notes."""
    ops = {
        "eq": lambda v, w: v == w, "ne": lambda v, w: v != w, "lt": lambda v, w: v < w,
        "lte": lambda v, w: v <= w, "gt": lambda v, w: v > w, "gte": lambda v, w: v >= w,
        "in": lambda v, w: v in w, "not_in": lambda v, w: v not in w,
    }  # fmt: skip

    def truth(c: Any, facts: dict[str, Any]) -> bool | None:
        if isinstance(c, Leaf):
            if c.op in ("present", "absent"):
                return (c.term in facts) == (c.op == "present")
            return None if c.term not in facts else ops[c.op](facts[c.term], c.value)
        if isinstance(c, Not):
            inner = truth(c.part, facts)
            return None if inner is None else not inner
        if isinstance(c, IfThen):
            c = AnyOf(parts=(Not(part=c.condition), c.consequence))
        values = [truth(p, facts) for p in c.parts]
        decisive = isinstance(c, AnyOf)
        return decisive if decisive in values else None if None in values else not decisive

    rules = book.in_force(draft.date).rules
    base, _ = proposal_values(draft, {})
    assert all(isinstance(r.requires, Leaf | AllOf | AnyOf | Not | IfThen) for r in rules)

    def check_one(variant: dict[str, Any]) -> dict[str, bool | None]:
        facts = {**base, **type_overrides(book, variant)}
        return {rule.id: truth(rule.requires, facts) for rule in rules}

    return check_one


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=20_000, help="variants per timed batch")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, targets not enforced")
    parser.add_argument(
        "--before", metavar="REF", help="also compare the engines with this git commit's"
    )
    args = parser.parse_args()
    size = 200 if args.quick else args.variants
    repeat = 1 if args.quick else 5
    book = redlines.load_rules()
    draft = redlines.load_proposal(DRAFT, book)
    variants = draft_variants(book, size)
    print(f"{machine()}")
    print(
        f"{len(book.in_force(draft.date).rules)} rules in force on {draft.date}; batches of "
        f"{size:,} variants of {draft.id} (each sets 5 terms); median of {repeat}\n"
    )

    rates: dict[str, float] = {}
    plain = plain_evaluator(book, draft)
    few = variants[: max(1, size // 10)]
    rates["baseline: plain recursive evaluator"] = len(few) / median_seconds(
        lambda: [plain(v) for v in few], repeat
    )
    # What check_many cannot go below: the compiled python engine deciding every rule on facts
    # merged beforehand (the draft's values with the variant's typed overrides laid over them).
    engine = redlines.engine.make_engine(book.in_force(draft.date), "python")
    base, _ = proposal_values(draft, {})
    facts = [{**base, **type_overrides(book, v)} for v in variants]
    rates["baseline: engine.evaluate alone, python"] = len(facts) / median_seconds(
        lambda: [engine.evaluate(f, explain=False) for f in facts], repeat
    )
    reports = variants[: max(1, size // 100)]
    rates["baseline: check() full report, per variant"] = len(reports) / median_seconds(
        lambda: [redlines.check(draft, book, overrides=v, engine="python") for v in reports],
        repeat,
    )
    used = {}
    for engine in ("python", "durable", "fastest"):
        if engine == "durable" and not redlines.engine.durable_available():
            print("durable-rules is not importable here; skipping it")
            continue
        batch = variants if engine != "durable" else variants[: max(1, size // 4)]
        used[engine] = redlines.check_many(batch[:10], book, base=draft, engine=engine).engine
        seconds = median_seconds(
            lambda b=batch, e=engine: redlines.check_many(b, book, base=draft, engine=e), repeat
        )
        rates[f"check_many, engine={engine} (took {used[engine]})"] = len(batch) / seconds
    baseline = rates["baseline: plain recursive evaluator"]
    evaluate = rates["baseline: engine.evaluate alone, python"]
    print(
        table(
            ["what", "checks/s", "µs per check", "x plain evaluator", "x engine.evaluate"],
            [
                [
                    name,
                    f"{rate:,.0f}",
                    f"{1e6 / rate:,.1f}",
                    f"{rate / baseline:.2f}",
                    f"{rate / evaluate:.2f}",
                ]
                for name, rate in rates.items()
            ],
            right=(1, 2, 3, 4),
        )
    )

    # Parallel sweeps: the same large batch on one process and on two, for each engine.
    sweeps = {"python": 100_000, "durable": 20_000} if "durable" in used else {"python": 100_000}
    speedups: dict[str, float] = {}
    rows = []
    for engine, count in sweeps.items():
        big = draft_variants(book, 2_000 if args.quick else count, seed=2)
        timings = {}
        for workers in (1, 2):
            started = time.perf_counter()
            result = redlines.check_many(big, book, base=draft, engine=engine, workers=workers)  # type: ignore[arg-type]
            timings[workers] = time.perf_counter() - started
            assert len(result.outcomes) == len(big)
        speedups[engine] = timings[1] / timings[2]
        rows += [
            [
                engine,
                f"{len(big):,}",
                str(w),
                f"{s:.2f}",
                f"{len(big) / s:,.0f}",
                f"{timings[1] / s:.2f}",
            ]
            for w, s in timings.items()
        ]
    print("\nParallel sweeps (workers=2: this process and one more, spawned):\n")
    print(
        table(
            ["engine", "variants", "workers", "seconds", "checks/s", "speed-up"],
            rows,
            right=(1, 2, 3, 4, 5),
        )
    )

    if args.before:
        pairs = 1 if args.quick else 5
        compare(args.before, "python", 2_000 if args.quick else args.variants, pairs)
        if "durable" in used:
            compare(args.before, "durable", 500 if args.quick else args.variants // 4, pairs)

    python_rate = rates[f"check_many, engine=python (took {used['python']})"]
    targets = [
        Target("python engine >= 50,000 checks/s", python_rate >= 50_000, f"{python_rate:,.0f}"),
        Target("fastest engine is the python engine", used.get("fastest") == "python", str(used)),
        *(
            Target(f"{engine}: workers=2 faster than workers=1", gain > 1.0, f"{gain:.2f}x")
            for engine, gain in speedups.items()
        ),
    ]
    if "durable" in used:
        rate = rates[f"check_many, engine=durable (took {used['durable']})"]
        targets.insert(1, Target("durable engine >= 1,000 checks/s", rate >= 1_000, f"{rate:,.0f}"))
    return finish(targets, enforce=not args.quick)


# One side of `--before`: an engine of the `src/` folder given first, on this checkout's bundled
# rules and draft and on the same variants; prints checks per second, one figure per line (median
# of 3 batches each). The durable engine: `check_many` on one batch. The python engine: that batch
# again and again (the engine remembers what the ties say about each set of facts it has seen, so
# from the second batch on the ties are a look-up), then 3 batches of variants it has not seen (a
# sweep's first pass: a third of them are new to that memory), then `evaluate` alone on the facts.
_ENGINE_RATES = """
import sys, time, statistics
src, benchmarks, rules, draft, size, engine = sys.argv[1:]
sys.path[:0] = [src, benchmarks]
import redlines
from common import draft_variants
from redlines.report import proposal_values, type_overrides
book = redlines.load_rules(rules)
base = redlines.load_proposal(draft, book)
variants = draft_variants(book, int(size))
redlines.check_many(variants[:100], book, base=base, engine=engine)
def rate(batches, run):
    times = []
    for batch in batches:
        started = time.perf_counter()
        run(batch)
        times.append(time.perf_counter() - started)
    print(len(batches[0]) / statistics.median(times))
sweep = lambda batch: redlines.check_many(batch, book, base=base, engine=engine)
rate([variants] * 3, sweep)
if engine == "python":
    rate([draft_variants(book, int(size), seed=100 + i) for i in range(3)], sweep)
    compiled = redlines.engine.make_engine(book.in_force(base.date), "python")
    values, _ = proposal_values(base, {})
    facts = [{**values, **type_overrides(book, v)} for v in variants]
    rate([facts] * 3, lambda batch: [compiled.evaluate(f, explain=False) for f in batch])
"""
_MEASURES = {
    "durable": ["check_many"],
    "python": ["check_many, same variants", "check_many, fresh variants", "evaluate alone"],
}


def compare(before: str, engine: str, size: int, pairs: int) -> None:
    """An engine of commit `before` against this checkout's, in alternating fresh processes."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", before, "src"], capture_output=True, check=True
        )
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(folder, filter="data")
        sides = {"before": Path(folder) / "src", "after": ROOT / "src"}
        rates: dict[tuple[str, str], list[float]] = {}
        for _ in range(pairs):
            for side, src in sides.items():
                done = subprocess.run(
                    [sys.executable, "-c", _ENGINE_RATES, str(src), str(ROOT / "benchmarks"),
                     str(ROOT / "rules"), str(DRAFT), str(size), engine],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                for measure, figure in zip(_MEASURES[engine], done.stdout.split(), strict=True):
                    rates.setdefault((measure, side), []).append(float(figure))
    print(f"\n{engine.capitalize()} engine, {before} against this checkout ({pairs} pairs of fresh "
          f"processes, {size:,} variants, median of 3 batches each):\n")  # fmt: skip
    rows = []
    for measure in _MEASURES[engine]:
        before_rates, after_rates = rates[measure, "before"], rates[measure, "after"]
        ratios = [a / b for a, b in zip(after_rates, before_rates, strict=True)]
        rows += [
            [measure, f"before ({before})", " ".join(f"{r:,.0f}" for r in before_rates),
             f"{statistics.median(before_rates):,.0f}"],
            [measure, "after (this checkout)", " ".join(f"{r:,.0f}" for r in after_rates),
             f"{statistics.median(after_rates):,.0f}"],
            [measure, "after / before", " ".join(f"{r:.2f}" for r in ratios),
             f"**{statistics.median(ratios):.2f}x**"],
        ]  # fmt: skip
    print(table(["what", "code", "checks/s, each pair", "median"], rows, right=(3,)))


if __name__ == "__main__":
    raise SystemExit(main())
