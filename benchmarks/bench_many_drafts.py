"""Memory over many drafts: peak RSS of `redlines check` in every format, and of the Action.

    python benchmarks/bench_many_drafts.py [--sizes 1000 10000] [--quick]

Writes N small drafts (three lines each: one clause setting the army cap, so that verdicts vary)
into a scratch repository, then runs, each in a process of its own and measured by its peak
resident set size (`wait4`'s `ru_maxrss`):

- `redlines check proposals --format F --output report.F` for every format of `check`;
- `python -m redlines.action` on the same folder, writing the job summary and a SARIF file;
- the baselines, in the same run: `python -c "import redlines.cli, redlines.action"` (the
  interpreter and the imports), and each of the runs above on one draft (what a run costs
  before drafts are added).

Reported: peak RSS, its ratio to the imports' baseline, what each draft adds to the same run
on one draft, time, and the output's size.
Target (issue 14): under 500 MB at 10,000 drafts in every format and through the Action.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from common import Target, finish, machine, table

TARGET_MB = 500
FORMATS = ("text", "json", "markdown", "sarif", "github", "junit", "html")


@dataclass(frozen=True)
class Measured:
    peak_mb: float
    seconds: float
    code: int
    output_bytes: int


def write_drafts(folder: Path, count: int) -> None:
    """`count` three-line drafts; the army cap moves across the thresholds the rules test."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        cap = 200_000 + (i * 7_919) % 1_000_000
        (folder / f"draft-{i:05d}.yaml").write_text(
            f"proposal: {{id: draft-{i:05d}, title: Draft {i}, date: 2025-11-20, status: leaked}}\n"
            "clauses:\n"
            f"  - {{id: '1', title: Army, text: A cap., terms: {{ukraine.army_cap: {cap}}}}}\n",
            encoding="utf-8",
        )


def measure(command: list[str], cwd: Path, env: dict[str, str], output: Path | None) -> Measured:
    """Run `command` to its end; its peak RSS (its own, from wait4), wall time and output."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)}: exit {code}\n{errors.read().decode()[-2000:]}")
    size = output.stat().st_size if output is not None and output.exists() else 0
    if output is not None:
        output.unlink(missing_ok=True)
    return Measured(usage.ru_maxrss / 1024, seconds, code, size)  # ru_maxrss: KB on Linux


def scratch_repository(root: Path, drafts: int) -> Path:
    repo = root / f"repo-{drafts}"
    (repo / ".git").mkdir(parents=True)
    write_drafts(repo / "proposals", drafts)
    return repo


def check_command(fmt: str, output: str) -> list[str]:
    return [sys.executable, "-m", "redlines", "check", "proposals", "--format", fmt, "-o", output]


def action_env(repo: Path) -> dict[str, str]:
    (repo / "runner").mkdir(exist_ok=True)
    (repo / "runner" / "summary.md").write_text("")
    (repo / "runner" / "output.txt").write_text("")
    return {
        **os.environ,
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_STEP_SUMMARY": str(repo / "runner" / "summary.md"),
        "GITHUB_OUTPUT": str(repo / "runner" / "output.txt"),
        "INPUT_PROPOSALS": "proposals/**/*.yaml",
        "INPUT_SARIF_FILE": "report.sarif",
        "INPUT_FAIL_ON": "never",
    }


def every_run(repo: Path) -> dict[str, Measured]:
    """Each format of `check`, then the Action, on the drafts in `repo`."""
    env = dict(os.environ)
    runs = {
        f"check --format {fmt}": measure(
            check_command(fmt, f"report.{fmt}"), repo, env, repo / f"report.{fmt}"
        )
        for fmt in FORMATS
    }
    runs["the Action (log, job summary, SARIF)"] = measure(
        [sys.executable, "-m", "redlines.action"], repo, action_env(repo), repo / "report.sarif"
    )
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--quick", action="store_true", help="30 drafts, not enforced")
    args = parser.parse_args()
    sizes = [30] if args.quick else args.sizes
    print(f"{machine()}\n")
    env = dict(os.environ)
    targets = []
    with tempfile.TemporaryDirectory(prefix="redlines-many-") as scratch:
        root = Path(scratch)
        baseline = measure(
            [sys.executable, "-c", "import redlines.cli, redlines.action"], root, env, None
        )
        print(f"Baseline: the interpreter and the imports, {baseline.peak_mb:.0f} MB.\n")
        single = every_run(scratch_repository(root, 1))
        rows = []
        for drafts in sizes:
            for name, run in every_run(scratch_repository(root, drafts)).items():
                per_draft = (run.peak_mb - single[name].peak_mb) * 1024 / (drafts - 1)
                rows.append(
                    [
                        f"{drafts:,}",
                        name,
                        f"{run.peak_mb:.0f}",
                        f"{single[name].peak_mb:.0f}",
                        f"{run.peak_mb / baseline.peak_mb:.2f}",
                        f"{per_draft:+.1f}",
                        f"{run.seconds:.1f}",
                        f"{run.output_bytes / 1e6:,.1f}",
                    ]
                )
                if drafts >= 10_000 or args.quick:
                    targets.append(
                        Target(
                            f"{name}, {drafts:,} drafts: peak RSS under {TARGET_MB} MB",
                            run.peak_mb < TARGET_MB,
                            f"{run.peak_mb:.0f} MB",
                        )
                    )
        header = [
            "drafts",
            "run",
            "peak RSS MB",
            "same, 1 draft",
            "x baseline",
            "KB per draft",
            "seconds",
            "output MB",
        ]
        print(table(header, rows, right=(0, 2, 3, 4, 5, 6, 7)))
    return finish(targets, enforce=not args.quick)


if __name__ == "__main__":
    raise SystemExit(main())
