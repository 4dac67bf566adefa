"""Benchmark: how a check scales with the rule book, both engines, on synthetic content.

    python benchmarks/bench_scaling.py [--quick] [--png PATH | --no-png]
        [--engines python,durable] [--budget SECONDS] [--json PATH]

Three one-factor sweeps over sets made by benchmarks/synthetic.py (seeded, so every run checks
the same content):

- rules: 10, 100, 1,000, 10,000 rules over clamp(rules / 2, 10, 5000) terms;
- terms: 10, 100, 1,000, 5,000 terms at 1,000 rules (rules keep their size);
- terms a variant sets: 10, 30, 100, 200 at 1,000 rules over 500 terms.

A check is `redlines.check_many(variants, book, as_of=..., engine=...)` on term-value mappings
(each variant sets 40% of the terms, at most 30, like the bundled drafts, except in the third
sweep), its time per variant the median over batches of a few tenths of a second. Each rule
book is loaded and checked in a fresh subprocess, one per engine, so the memory figures (RSS
from /proc/self/status) are that engine's alone. Every time is also given as a ratio to the
smallest size's in the same run, and the growth in rules is fitted on a log-log scale (least
squares; 1.0 is linear).

Targets (rules sweep, each engine): fitted exponent <= 1.15, and no super-linear step: the
growth between consecutive sizes, as an exponent of their size ratio, <= 1.15 too (a step of
x10 rules may cost up to x14). Exit 1 when one is missed. `--quick` runs tiny
sizes in a few seconds as a smoke test: it reports the targets but does not enforce them (tiny
sizes on a shared machine are noise), and draws the PNG only with an explicit --png.

The loader refuses more than 1,000 rules or 2,000 terms in one directory (MAX_RULES in
loader/rules.py and MAX_TERMS in loader/terms.py, limits for untrusted pull requests); the
measuring subprocess lifts both so the larger sets load. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

import synthetic  # noqa: E402

# Linear within the noise of a shared machine: the fitted growth, and the growth of each step
# between consecutive sizes (log of its time ratio over log of its size ratio), at most 1.15.
MAX_EXPONENT = 1.15
VARIANT_SHARE, VARIANT_MOST = 0.4, 30


@dataclass(frozen=True)
class Plan:
    rules: tuple[int, ...]
    terms: tuple[int, ...]
    terms_at: int  # rules in the terms sweep
    sets: tuple[int, ...]  # terms a variant sets, in the third sweep
    budget: float  # seconds of timed batches per measurement
    batch_seconds: float  # a timed batch lasts at least this long
    pool: int  # distinct variants per set; batches cycle through them
    min_samples: int
    separate: bool  # one subprocess per engine (clean memory) or one for all engines


FULL = Plan(
    rules=(10, 100, 1000, 10000),
    terms=(10, 100, 1000, 5000),
    terms_at=1000,
    sets=(10, 30, 100, 200, 300),
    budget=1.5,
    batch_seconds=0.25,
    pool=50,
    min_samples=3,
    separate=True,
)
QUICK = Plan(
    rules=(10, 30, 100),
    terms=(10, 50),
    terms_at=30,
    sets=(5, 15),
    budget=0.02,
    batch_seconds=0.01,
    pool=10,
    min_samples=2,
    separate=False,
)


# --- the measuring subprocess ---------------------------------------------------------------------


def _memory() -> dict[str, int]:
    """VmRSS and VmHWM (peak) of this process, in kB."""
    found = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0])
    return found


def _checker(book: Any, engine: str, as_of: Any) -> Callable[[list[Any]], str]:
    """A function checking a batch of variants with `redlines.check_many`; it returns the name of
    the engine that decided."""
    from redlines import check_many

    def run(batch: list[Any]) -> str:
        return check_many(batch, book, as_of=as_of, engine=engine).engine  # type: ignore[arg-type]

    return run


def _timed(run: Callable[[list[Any]], str], batch: list[Any]) -> float:
    started = time.perf_counter()
    run(batch)
    return time.perf_counter() - started


def _time_per_check(
    run: Callable[[list[Any]], str],
    pool: list[Any],
    budget: float,
    min_samples: int,
    batch_seconds: float,
) -> dict[str, float]:
    """What a check costs in a batch, apart from what a `check_many` call costs once.

    A call of one variant (median of 5) is the call's fixed cost plus one check. Batches then run
    long enough (`batch_seconds`, and four times that fixed cost) that its noise hardly matters;
    per check = (batch - one) / (batch size - 1), median over the batches.
    """
    one = statistics.median(_timed(run, pool[:1]) for _ in range(5))
    each = max((_timed(run, pool) - one) / (len(pool) - 1), 1e-7)
    size = max(len(pool), min(50_000, round(max(batch_seconds, 4 * one) / each)))
    batch = [pool[i % len(pool)] for i in range(size)]
    samples: list[float] = []
    spent = time.perf_counter()
    while len(samples) < min_samples or (
        time.perf_counter() - spent < budget and len(samples) < 15
    ):
        samples.append(_timed(run, batch))
    per_check = max(statistics.median(samples) - one, 0.0) / (size - 1)
    return {
        "per_check_s": per_check,
        "call_s": max(one - per_check, 0.0),
        "batch": size,
        "samples": len(samples),
    }


def worker(task: dict[str, Any]) -> dict[str, Any]:
    """Load one generated set and time its checks with each engine asked for."""
    import datetime as dt

    import redlines
    from redlines.loader import rules, terms

    rules.MAX_RULES = max(rules.MAX_RULES, 10**6)
    terms.MAX_TERMS = max(terms.MAX_TERMS, 10**6)
    base = _memory()
    started = time.perf_counter()
    book = redlines.load_rules(task["rules_dir"])
    load_s = time.perf_counter() - started
    loaded = _memory()
    as_of = dt.date.fromisoformat(task["as_of"])
    result: dict[str, Any] = {
        "load_s": load_s,
        "rss_base_kb": base["VmRSS"],
        "rss_loaded_kb": loaded["VmRSS"],
        "engines": {},
    }
    for engine in task["engines"]:
        if engine == "durable" and not redlines.engine.durable_available():
            result["engines"][engine] = {"error": "durable-rules is not importable here"}
            continue
        before = _memory()
        run = _checker(book, engine, as_of)
        measured: dict[str, Any] = {"api": "check_many"}
        timings = []
        for share, most in task["sets"]:
            pool = synthetic.variants(book, task["pool"], seed=task["seed"], share=share, most=most)
            timing: dict[str, Any] = {"set": len(pool[0])}
            try:
                started = time.perf_counter()
                measured["used"] = run(pool[:1])  # the first call compiles the rule book
                timing["first_s"] = time.perf_counter() - started
                timing.update(
                    _time_per_check(
                        run, pool, task["budget"], task["min_samples"], task["batch_seconds"]
                    )
                )
            except Exception as err:  # e.g. durable-rules' own limits: reported, not fatal
                timing["error"] = f"{type(err).__name__}: {err}"
            timings.append(timing)
        after = _memory()
        measured.update(
            timings=timings,
            rss_before_kb=before["VmRSS"],
            rss_after_kb=after["VmRSS"],
            peak_kb=after["VmHWM"],
        )
        result["engines"][engine] = measured
    return result


# --- the driver -----------------------------------------------------------------------------------


@dataclass
class Point:
    sweep: str  # "rules" | "terms" | "set"
    rules: int
    terms: int
    leaves: float  # leaf tests per rule
    engine: str
    set: int = 0  # terms a variant sets
    per_check: float = math.nan
    call: float = math.nan  # fixed cost of one check_many call, apart from its checks
    first: float = math.nan
    load: float = math.nan
    peak_mb: float = math.nan
    engine_mb: float = math.nan  # RSS the engine added (compiled rules, working memory)
    loaded_mb: float = math.nan  # RSS after loading, before any engine
    api: str = ""
    error: str = ""


def _measure(
    made: synthetic.Generated,
    engines: Sequence[str],
    plan: Plan,
    sets: Sequence[tuple[float, int]],
) -> list[dict[str, Any]]:
    """Run the worker in fresh subprocesses; one result per engine."""
    groups = [[e] for e in engines] if plan.separate else [list(engines)]
    results: list[dict[str, Any]] = []
    for group in groups:
        task = {
            "rules_dir": str(made.rules_dir),
            "as_of": made.spec.as_of.isoformat(),
            "seed": made.spec.seed,
            "engines": group,
            "sets": list(sets),
            "budget": plan.budget,
            "min_samples": plan.min_samples,
            "batch_seconds": plan.batch_seconds,
            "pool": plan.pool,
        }
        done = subprocess.run(
            [sys.executable, __file__, "--worker", json.dumps(task)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        if done.returncode != 0:
            raise SystemExit(f"measuring {made.rules_dir} failed:\n{done.stderr}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        for engine in group:
            results.append({**result, "engine": engine, **result["engines"][engine]})
    return results


def _points(
    sweep: str, made: synthetic.Generated, engines: Sequence[str], plan: Plan, sets: Sequence[int]
) -> list[Point]:
    """The rules or terms sweep's point per engine, then one per entry of `sets` (terms a
    variant sets, all of them drawn: the third sweep)."""
    spec = made.spec
    wanted = [(VARIANT_SHARE, VARIANT_MOST), *((1.0, n) for n in sets)]
    points = []
    for result in _measure(made, engines, plan, wanted):
        timings = result.get("timings", [])
        for k in range(len(wanted)):
            timing = timings[k] if k < len(timings) else {}
            point = Point(
                sweep=sweep,
                rules=spec.n_rules,
                terms=spec.n_terms,
                leaves=made.leaves_per_rule,
                engine=result["engine"],
                set=timing.get("set", 0),
                per_check=timing.get("per_check_s", math.nan),
                call=timing.get("call_s", math.nan),
                first=timing.get("first_s", math.nan),
                load=result["load_s"],
                loaded_mb=result["rss_loaded_kb"] / 1024,
                api=result.get("api", ""),
                error=timing.get("error", result.get("error", "")),
            )
            if "peak_kb" in result:
                point.peak_mb = result["peak_kb"] / 1024
                point.engine_mb = (result["rss_after_kb"] - result["rss_before_kb"]) / 1024
            points.append(point)
    return points


def fit_exponent(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Slope of log y on log x, least squares."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum(
        (a - mx) ** 2 for a in lx
    )


def _series(points: list[Point], sweep: str, engine: str, key: str) -> list[Point]:
    found = [p for p in points if p.sweep == sweep and p.engine == engine]
    found = [p for p in found if not math.isnan(p.per_check)]
    return sorted(found, key=lambda p: getattr(p, key))


def _ms(seconds: float) -> str:
    if math.isnan(seconds):
        return "-"
    return f"{seconds * 1e3:,.3f}" if seconds < 0.01 else f"{seconds * 1e3:,.1f}"


def _mb(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.0f}"


def _table(points: list[Point], sweep: str, key: str, engines: Sequence[str]) -> list[str]:
    lines = [
        f"| engine | rules | terms | leaves/rule | set/variant | ms/check | x smallest {key} "
        "| call ms | first call s | load s | RSS loaded MB | engine +MB | peak MB |",
        "| --- " + "| ---: " * 12 + "|",
    ]
    for engine in engines:
        rows = sorted(
            (p for p in points if p.sweep == sweep and p.engine == engine),
            key=lambda p: getattr(p, key),
        )
        smallest = next((p.per_check for p in rows if not math.isnan(p.per_check)), math.nan)
        for p in rows:
            ratio = p.per_check / smallest if smallest else math.nan
            shown = "-" if math.isnan(ratio) else f"{ratio:,.2f}"
            first = "-" if math.isnan(p.first) else f"{p.first:.3f}"
            lines.append(
                f"| {engine} | {p.rules:,} | {p.terms:,} | {p.leaves:.1f} | {p.set or '-'} "
                f"| {_ms(p.per_check)} | {shown} | {_ms(p.call)} | {first} | {p.load:.2f} "
                f"| {_mb(p.loaded_mb)} | {_mb(p.engine_mb)} | {_mb(p.peak_mb)} |"
            )
            if p.error:
                lines.append(f"| | | | | | error: {p.error[:100]} | | | | | | | |")
    return lines


def _verdicts(
    points: list[Point], engines: Sequence[str]
) -> tuple[list[str], bool, dict[str, float]]:
    """The targets on the rules sweep: (lines to print, all met, exponents)."""
    lines, ok, exponents = [], True, {}
    for engine in engines:
        series = _series(points, "rules", engine, "rules")
        if len(series) < 2:
            lines.append(f"- {engine}: not enough sizes measured")
            ok = False
            continue
        errors = [p for p in points if p.sweep == "rules" and p.engine == engine and p.error]
        exponent = fit_exponent([p.rules for p in series], [p.per_check for p in series])
        exponents[engine] = exponent
        steps = []
        for low, high in itertools.pairwise(series):
            grows, size = high.per_check / low.per_check, high.rules / low.rules
            local = math.log(grows) / math.log(size)
            steep = local > MAX_EXPONENT
            steps.append(
                f"{low.rules:,}->{high.rules:,}: x{grows:.2f} for x{size:g} (^{local:.2f})"
            )
            if steep:
                steps[-1] += " (SUPER-LINEAR)"
                ok = False
        met = exponent <= MAX_EXPONENT
        ok = ok and met and not errors
        lines.append(
            f"- {engine}: time per check ~ rules^{exponent:.2f} "
            f"({'met' if met else 'MISSED'}: <= {MAX_EXPONENT}); steps " + "; ".join(steps)
        )
        for p in errors:
            lines.append(f"  - {engine} failed at {p.rules:,} rules: {p.error}")
        calls = [p for p in series if not math.isnan(p.call)]
        if len(calls) >= 2:
            lines.append(
                f"  - fixed cost of a check_many call: {_ms(calls[0].call)} ms at "
                f"{calls[0].rules:,} rules, {_ms(calls[-1].call)} ms at {calls[-1].rules:,}"
            )
    return lines, ok, exponents


def _plot(
    points: list[Point], engines: Sequence[str], exponents: dict[str, float], path: Path
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator

    colours = {"python": "tab:blue", "durable": "tab:red"}
    fig, axes = plt.subplots(2, 2, figsize=(13, 9.5))
    ax_time, ax_mem, ax_terms, ax_call = axes[0][0], axes[0][1], axes[1][0], axes[1][1]

    def linear_from(axis: Any, x0: float, y0: float, x1: float) -> None:
        axis.plot([x0, x1], [y0, y0 * x1 / x0], ":", color="gray", lw=1)

    for engine in engines:
        colour = colours.get(engine, "tab:gray")
        series = _series(points, "rules", engine, "rules")
        if len(series) >= 2:
            xs = [p.rules for p in series]
            ys = [p.per_check * 1e3 for p in series]
            k = exponents[engine]
            c = statistics.fmean(math.log(y) for y in ys) - k * statistics.fmean(
                math.log(x) for x in xs
            )
            ax_time.plot(xs, ys, "o", color=colour, label=f"{engine}: measured")
            ax_time.plot(
                xs,
                [math.exp(c) * x**k for x in xs],
                "--",
                color=colour,
                label=f"{engine}: fit ∝ rules^{k:.2f}",
            )
            calls = [p for p in series if not math.isnan(p.call) and p.call > 0]
            ax_call.plot(
                [p.rules for p in calls],
                [p.call * 1e3 for p in calls],
                "o-",
                color=colour,
                label=f"{engine}: fixed cost of a call",
            )
        mem = [
            p
            for p in sorted(points, key=lambda p: p.rules)
            if p.sweep == "rules" and p.engine == engine and not math.isnan(p.peak_mb)
        ]
        if mem:
            ax_mem.plot(
                [p.rules for p in mem],
                [p.peak_mb for p in mem],
                "o-",
                color=colour,
                label=f"{engine}: peak RSS of the process",
            )
            ax_mem.plot(
                [p.rules for p in mem],
                [max(p.engine_mb, 0.5) for p in mem],
                "s:",
                color=colour,
                label=f"{engine}: RSS the engine adds",
            )
        for sweep, style, what in (
            ("terms", "o-", "terms in the catalogue"),
            ("set", "s--", "terms a variant sets"),
        ):
            found = _series(points, sweep, engine, sweep if sweep == "terms" else "set")
            if found:
                ax_terms.plot(
                    [p.terms if sweep == "terms" else p.set for p in found],
                    [p.per_check * 1e3 for p in found],
                    style,
                    color=colour,
                    label=f"{engine}: vs {what}",
                )
    loaded = sorted(
        {
            p.rules: p.loaded_mb
            for p in points
            if p.sweep == "rules" and not math.isnan(p.loaded_mb)
        }.items()
    )
    if loaded:
        ax_mem.plot(
            [r for r, _ in loaded],
            [m for _, m in loaded],
            "^-",
            color="tab:gray",
            label="after loading the rules, no engine yet",
        )
    first = _series(points, "rules", engines[0], "rules") if engines else []
    if len(first) >= 2:
        linear_from(ax_time, first[0].rules, first[0].per_check * 1e3 / 3, first[-1].rules)
        ax_time.plot([], [], ":", color="gray", label="linear, for reference")
        calls = [p for p in first if not math.isnan(p.call) and p.call > 0]
        if calls:
            linear_from(ax_call, calls[0].rules, calls[0].call * 1e3 / 3, calls[-1].rules)
            ax_call.plot([], [], ":", color="gray", label="linear, for reference")
    at = next((p.rules for p in points if p.sweep == "terms"), 0)
    failed = [p for p in points if p.sweep == "set" and p.error]
    for p in failed:
        ax_terms.annotate(
            f"{p.engine} fails at {p.set or '?'} terms set (see the table)",
            xy=(0.02, 0.97),
            xycoords="axes fraction",
            verticalalignment="top",
            fontsize=8,
            color=colours.get(p.engine, "tab:gray"),
        )
    titles = (
        (ax_time, "Time per check vs rules", "rules", "ms per check (marginal, in a batch)"),
        (ax_mem, "Memory vs rules (a fresh process per engine)", "rules", "MB"),
        (ax_terms, f"Time per check vs terms, at {at:,} rules", "terms", "ms per check"),
        (ax_call, "Fixed cost of one check_many call", "rules", "ms per call"),
    )
    for axis, title, xlabel, ylabel in titles:
        axis.set_title(title)
        axis.set_xlabel(xlabel)
        axis.set_ylabel(ylabel)
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
        axis.yaxis.set_minor_formatter(FuncFormatter(lambda y, _: ""))
        axis.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    fig.suptitle(
        "redlines check_many on synthetic rule books (benchmarks/bench_scaling.py)\n"
        "log-log; dashed: least-squares fit (exponent 1.0 = linear)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--png", help="where to draw the plot (default: benchmarks/scaling.png)")
    parser.add_argument("--no-png", action="store_true")
    parser.add_argument("--engines", default="python,durable")
    parser.add_argument("--budget", type=float, help="seconds of timed batches per measurement")
    parser.add_argument("--json", help="also write every measurement here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0

    plan = QUICK if args.quick else FULL
    if args.budget is not None:
        plan = replace(plan, budget=args.budget)
    engines = [e for e in args.engines.split(",") if e]
    started = time.perf_counter()
    points: list[Point] = []
    with tempfile.TemporaryDirectory(prefix="redlines-scaling-") as tmp:
        for n_rules in plan.rules:
            spec = synthetic.scaling_spec(n_rules)
            made = synthetic.generate(Path(tmp) / f"rules-{n_rules}", spec)
            sets = list(plan.sets) if n_rules == plan.terms_at else []
            measured = _points("rules", made, engines, plan, sets)
            points += _split_sets(measured, bool(sets))
        for n_terms in plan.terms:
            spec = replace(synthetic.scaling_spec(plan.terms_at, n_terms), cover=False)
            made = synthetic.generate(Path(tmp) / f"terms-{n_terms}", spec)
            points += _points("terms", made, engines, plan, [])
    elapsed = time.perf_counter() - started

    api = sorted({p.api for p in points if p.api})
    print(
        f"# Scaling of a check (benchmarks/bench_scaling.py{' --quick' if args.quick else ''})\n\n"
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, API: {', '.join(api)}; "
        f"variants set {VARIANT_SHARE:.0%} of the terms, at most {VARIANT_MOST} "
        f"(third table: as given); median of batches of >= {plan.batch_seconds} s, "
        f"{plan.budget} s per measurement; whole run {elapsed:.0f} s\n"
    )
    print("## Rules (terms = clamp(rules / 2, 10, 5000))\n")
    print("\n".join(_table(points, "rules", "rules", engines)))
    print(f"\n## Terms, at {plan.terms_at:,} rules (rules keep their size)\n")
    print("\n".join(_table(points, "terms", "terms", engines)))
    print(f"\n## Terms a variant sets, at {plan.terms_at:,} rules\n")
    print("\n".join(_table(points, "set", "set", engines)))
    lines, ok, exponents = _verdicts(points, engines)
    for engine in engines:
        series = _series(points, "terms", engine, "terms")
        if len(series) >= 2:
            k = fit_exponent([p.terms for p in series], [p.per_check for p in series])
            lines.append(f"- {engine}: time per check ~ terms^{k:.2f} at {plan.terms_at:,} rules")
        series = _series(points, "set", engine, "set")
        if len(series) >= 2:
            k = fit_exponent([p.set for p in series], [p.per_check for p in series])
            lines.append(
                f"- {engine}: time per check ~ (terms set)^{k:.2f} at {plan.terms_at:,} rules"
            )
    print("\n## Growth\n")
    print("\n".join(lines))
    png = (
        None
        if args.no_png or (args.quick and not args.png)
        else Path(args.png or HERE / "scaling.png")
    )
    if png is not None:
        try:
            _plot(points, engines, exponents, png)
            print(f"\nplot: {png}")
        except ImportError:
            print("\nplot: skipped, matplotlib is not installed (pip install -e '.[bench]')")
    if args.json:
        Path(args.json).write_text(
            json.dumps([p.__dict__ for p in points], indent=1, default=str) + "\n", encoding="utf-8"
        )
    verdict = "met" if ok else "MISSED"
    print(
        f"\ntarget: linear or better in rules (fitted exponent and every step's <= "
        f"{MAX_EXPONENT}): {verdict}"
        + (" (not enforced with --quick)" if args.quick and not ok else "")
    )
    return 0 if ok or args.quick else 1


def _split_sets(points: list[Point], has_sets: bool) -> list[Point]:
    """The worker's first timing per engine is the rules sweep's; the others, the set sweep's."""
    found = []
    seen: set[str] = set()
    for p in points:
        if p.engine not in seen:
            seen.add(p.engine)
            found.append(p)
        elif has_sets:
            found.append(replace(p, sweep="set"))
    return found


if __name__ == "__main__":
    sys.exit(main())
