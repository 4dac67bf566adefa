"""CLI cold start: `redlines check` on the 28-point draft, whole process, against a floor.

    python benchmarks/bench_startup.py [--runs N] [--quick] [--before REF]

Runs, in turns so that noise hits all alike, the median wall time of:
- `python -c "import pydantic, yaml"`, the floor issue 8 set;
- the floor issue 12 set, the least any program pays that validates with a pydantic model:
  the same plus one one-field model class, built and validated once (pydantic imports its
  schema machinery, and searches the installed packages for plugins, on the first class);
- that floor with `PYDANTIC_DISABLE_PLUGINS=__all__`, the switch the console script sets (so
  the reader sees what that part of the gain is worth);
- `redlines check proposals/us-28-point-2025-11.yaml` (all bundled rules), with the default
  engine and with `--engine python`, and `redlines --version`;
- with `--before REF`, the same check and `--version` on that commit's code and content
  (`git archive` of its src/, rules/ and proposals/), for a before/after ratio from one run.
Then where the time goes: the in-process phases of one check (median over fresh processes),
and `python -X importtime` summed by top-level package.

Targets: the check at most 1.6x the floor with one model (issue 12), and under 400 ms.

The package's bytecode is compiled first, as `pip install` does: with PYTHONDONTWRITEBYTECODE
set (as on these machines) an edited source tree would otherwise be recompiled on every start.
"""

from __future__ import annotations

import argparse
import compileall
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

from common import DRAFT, ROOT, Target, finish, interleaved_runs, machine, redlines_command, table

FLOOR = "import pydantic, yaml"
MODEL_FLOOR = "import pydantic, yaml\nclass M(pydantic.BaseModel):\n    x: int\nM(x=1)"

PHASES = """
import io, json, time, contextlib
t0 = time.perf_counter()
import redlines, redlines.cli
from redlines.render import render
t1 = time.perf_counter()
book = redlines.load_rules()
t2 = time.perf_counter()
draft = redlines.load_proposal(%r, book)
t3 = time.perf_counter()
engine = redlines.engine.make_engine(book.in_force(draft.date))
t4 = time.perf_counter()
reports = redlines.check_all([draft], book)
t5 = time.perf_counter()
render(reports, "text")
t6 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "load rules": t2 - t1, "load draft": t3 - t2,
                  "compile engine": t4 - t3, "check (and the engine cache's fingerprint)": t5 - t4,
                  "render text": t6 - t5}))
"""


def phases(runs: int) -> dict[str, float]:
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", PHASES % str(DRAFT)],
            capture_output=True, text=True, check=True, cwd=ROOT,
            env={**os.environ, "PYDANTIC_DISABLE_PLUGINS": "__all__"},  # as the console script
        )  # fmt: skip
        for name, seconds in json.loads(done.stdout).items():
            samples[name].append(seconds)
    return {name: statistics.median(values) for name, values in samples.items()}


def import_costs() -> dict[str, float]:
    """Self time of every module `redlines.cli` imports, summed by top-level package (s)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import redlines.cli"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    totals: dict[str, float] = defaultdict(float)
    for line in done.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if found:
            package = found.group(2).split(".")[0].lstrip("_")
            totals[package] += int(found.group(1)) / 1e6
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


# The console script's own lines, for a checkout that is not installed (`--before`).
CONSOLE = "import sys\nfrom redlines.console import main\nsys.exit(main())"


def extract(ref: str, folder: str) -> Path:
    """`ref`'s src/, rules/ and proposals/ under `folder` (the bundled content lies beside src/)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "src", "rules", "proposals"],
        capture_output=True,
        check=True,
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    compileall.compile_dir(Path(folder) / "src", quiet=1)
    return Path(folder)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each command (median)")
    parser.add_argument("--quick", action="store_true", help="3 runs, targets not enforced")
    parser.add_argument("--before", metavar="REF", help="also time this git commit's check")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    import redlines

    compileall.compile_dir(Path(redlines.__file__).parent, quiet=1)
    draft = str(DRAFT.relative_to(ROOT))
    check = [*redlines_command(), "check", draft]
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "floor: import pydantic, yaml": [sys.executable, "-c", FLOOR],
        "floor + one pydantic model": [sys.executable, "-c", MODEL_FLOOR],
        "floor + one model, plugins off": [sys.executable, "-c", MODEL_FLOOR],
        "redlines check (default engine)": check,
        "redlines check --engine python": [*check, "--engine", "python"],
        "redlines --version": [*redlines_command(), "--version"],
    }
    env = {"floor + one model, plugins off": {"PYDANTIC_DISABLE_PLUGINS": "__all__"}}
    with tempfile.TemporaryDirectory() as folder:
        if args.before:
            before = extract(args.before, folder)
            commands[f"before ({args.before}): redlines check"] = [
                sys.executable, "-c", CONSOLE, "check", str(before / draft)
            ]  # fmt: skip
            commands[f"before ({args.before}): redlines --version"] = [
                sys.executable, "-c", CONSOLE, "--version"
            ]  # fmt: skip
            for name in list(commands)[-2:]:
                env[name] = {"PYTHONPATH": str(before / "src")}
        medians = interleaved_runs(commands, runs, env)
    floor = medians["floor: import pydantic, yaml"]
    model_floor = medians["floor + one pydantic model"]
    print(f"{machine()}; median of {runs} runs each, interleaved\n")
    rows = [
        [name, f"{seconds * 1000:.0f}", f"{seconds / floor:.2f}", f"{seconds / model_floor:.2f}"]
        for name, seconds in medians.items()
    ]
    print(table(["command", "ms", "x floor", "x model floor"], rows, right=(1, 2, 3)))
    if args.before:
        after = medians["redlines check (default engine)"]
        was = medians[f"before ({args.before}): redlines check"]
        print(
            f"\nredlines check: {was / model_floor:.2f}x the model floor before, "
            f"{after / model_floor:.2f}x now; now / before {after / was:.2f}"
        )

    print("\nIn one fresh process (median of 5 processes):\n")
    split = phases(1 if args.quick else 5)
    total = sum(split.values())
    print(
        table(
            ["phase", "ms", "share"],
            [[k, f"{v * 1000:.1f}", f"{v / total:.0%}"] for k, v in split.items()],
            right=(1, 2),
        )
    )
    print("\n`python -X importtime -c 'import redlines.cli'`, self time by top-level package:\n")
    costs = import_costs()
    print(
        table(
            ["package", "ms"],
            [[k, f"{v * 1000:.1f}"] for k, v in list(costs.items())[:10]],
            right=(1,),
        )
    )

    seconds = medians["redlines check (default engine)"]
    return finish(
        [
            Target("cold start under 400 ms", seconds < 0.4, f"{seconds * 1000:.0f} ms"),
            Target(
                "cold start at most 1.6x the floor with one pydantic model",
                seconds <= 1.6 * model_floor,
                f"{seconds / model_floor:.2f}x (that floor {model_floor * 1000:.0f} ms; "
                f"{seconds / floor:.2f}x `import pydantic, yaml`)",
            ),
        ],
        enforce=not args.quick,
    )


if __name__ == "__main__":
    raise SystemExit(main())
