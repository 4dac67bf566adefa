"""Benchmark: `check` of a draft with many bracketed clauses, against one `check` of the draft.

    python benchmarks/bench_brackets.py [--repeat N] [--quick]

Variants of the 28-point draft bracketing 4, 8, 12 and 16 of its clauses, each between its own
wording and another (the E3/European draft's where it differs, else the opposite commitment):
16 to 65,536 combinations of options on the bundled rules, whose ties send every combination
through the engine. Measured in one run on one machine:

- in process (rules and drafts loaded): `check` of each variant, options analysed group by
  group (`method` components above 32 combinations), median of N; baseline, one `check` of the
  28-point draft itself (no options), the same median;
- the old way, for scale: every combination of the 12-bracket variant (4,096, the most it
  allowed) checked one by one (`method="engine"`), once;
- end to end (the CLI in a subprocess, start-up and loading included): `redlines check` of the
  16-bracket variant against `redlines check` of the 28 points, median of N, run in turns.

Figures are ratios to the one `check` of the same kind. Target: the 16-bracket variant answered
(exit 0 or 1, not 2) in under 3x one `redlines check` end to end. Exit 1 when missed. `--quick`
runs each once, skips the old way, and enforces nothing (a smoke test).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import (  # noqa: E402
    DRAFT,
    Target,
    finish,
    interleaved_runs,
    machine,
    median_seconds,
    redlines_command,
    table,
)

import redlines  # noqa: E402
from redlines.brackets import analyze_brackets  # noqa: E402
from redlines.loader import load_proposal  # noqa: E402
from redlines.models import TermType  # noqa: E402
from redlines.report import check  # noqa: E402

TARGET_RATIO = 3.0
# Clauses that set terms no other clause sets, in the draft's order; the first N are bracketed.
CLAUSES = ["2", "6", "7", "8", "10", "11", "12", "14", "15", "16", "18", "19", "21", "24", "26"]
CLAUSES += ["27"]
OTHER_DRAFTS = ["european-24-point-2025-11", "ukraine-20-point-2025-12"]


def write_variant(book: redlines.RuleBook, directory: Path, count: int) -> Path:
    """The 28 points with the first `count` of CLAUSES bracketed, written into `directory`."""
    import yaml

    base = load_proposal(str(DRAFT), book)
    others = [
        {s.term: s.value for c in load_proposal(str(DRAFT.with_name(f"{name}.yaml")), book).clauses
         for s in c.settings}
        for name in OTHER_DRAFTS
    ]  # fmt: skip
    options = {}
    for clause_id in CLAUSES[:count]:
        clause = base.clause(clause_id)
        assert clause is not None
        own = {s.term: s.value for s in clause.settings}
        changed = next(
            ({t: o[t] for t in own if t in o and o[t] != own[t]} for o in others
             if any(t in o and o[t] != own[t] for t in own)),
            None,
        )  # fmt: skip
        if changed is None:  # no other draft differs: the opposite commitment
            term, value = next(iter(own.items()))
            kind = book.catalogue.terms[term]
            flipped = (
                (not value)
                if kind.type is TermType.BOOLEAN
                else next(v for v in kind.values if v != value)
            )
            changed = {term: flipped}
        options[clause_id] = [{"title": "other wording", "terms": {**own, **changed}}]
    shutil.copy(DRAFT, directory / DRAFT.name)
    path = directory / f"brackets-{count}.yaml"
    variant = {
        "base": DRAFT.name,
        "proposal": {
            "id": f"brackets-{count}",
            "title": f"The 28 points with {count} clauses bracketed",
            "date": "2025-11-23",
            "status": "draft",
        },
        "options": options,
    }
    path.write_text(yaml.safe_dump(variant, sort_keys=False), encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="one run each, nothing enforced")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat

    book = redlines.load_rules()
    base = load_proposal(str(DRAFT), book)
    one = median_seconds(lambda: check(base, book), repeat)
    rows = [["28 points, no options", "1", "", f"{one:.4f}", "1.00"]]
    with tempfile.TemporaryDirectory() as tmp:
        paths = {n: write_variant(book, Path(tmp), n) for n in (4, 8, 12, 16)}
        for count, path in paths.items():
            draft = load_proposal(str(path), book)
            found = analyze_brackets(draft, book)
            seconds = median_seconds(lambda d=draft: check(d, book), repeat)
            largest = max((len(g) for g in found.groups), default=0)
            rows.append(
                [
                    f"{count} brackets ({found.method}, {len(found.groups)} groups, "
                    f"largest {largest} brackets)",
                    f"{found.combinations:,}",
                    "",
                    f"{seconds:.4f}",
                    f"{seconds / one:.2f}",
                ]
            )
        if not args.quick:
            draft = load_proposal(str(paths[12]), book)
            started = time.perf_counter()
            analyze_brackets(draft, book, method="engine")
            old = time.perf_counter() - started
            rows.append(
                ["12 brackets, every combination one by one (before)", "4,096", "",
                 f"{old:.4f}", f"{old / one:.2f}"]
            )  # fmt: skip
        command = redlines_command()
        answer = subprocess.run(
            [*command, "check", str(paths[16])], capture_output=True, cwd=ROOT, check=False
        )
        ends = interleaved_runs(
            {"one": [*command, "check", str(DRAFT)], "many": [*command, "check", str(paths[16])]},
            repeat,
        )
    print(machine())
    print(f"bundled rules: {len(book.rules)} rules, {len(book.ties)} ties; median of {repeat}\n")
    rows += [
        ["CLI: redlines check us-28-point-2025-11.yaml", "1", "", f"{ends['one']:.3f}", "1.00"],
        ["CLI: redlines check of the 16-bracket variant", f"{2**16:,}", f"exit {answer.returncode}",
         f"{ends['many']:.3f}", f"{ends['many'] / ends['one']:.2f}"],
    ]  # fmt: skip
    print(table(["draft", "combinations", "", "seconds", "x one check"], rows, right=[1, 3, 4]))
    ratio = ends["many"] / ends["one"]
    return finish(
        [
            Target(
                f"16 brackets answered end to end in under {TARGET_RATIO:.0f}x one check",
                answer.returncode in (0, 1) and ratio < TARGET_RATIO,
                f"exit {answer.returncode}, {ends['many']:.2f} s, {ratio:.2f}x one "
                f"`redlines check` ({ends['one']:.2f} s)",
            )
        ],
        enforce=not args.quick,
    )


if __name__ == "__main__":
    sys.exit(main())
