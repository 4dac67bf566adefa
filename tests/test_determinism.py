"""Determinism: the same inputs give byte-identical output in every format, run after run, under
any PYTHONHASHSEED, and whatever order the proposal files are named in.

Every format in `redlines.render.RENDERERS` at the time the test runs is covered, so a format
added later is held to this without touching the test. Each seed gets its own interpreter (the
seed is fixed at start-up), which runs the CLI entry point for every format twice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from redlines.render import RENDERERS

SEEDS = ("0", "1", "123")
# (proposals in one order, the same in another, rules): the fixtures, with a variant and a
# contradiction, and the bundled drafts, which exercise every kind of finding.
INPUTS = {
    "fixtures": (
        ["tests/fixtures/proposals/draft.yaml", "tests/fixtures/proposals/variant.yaml"],
        ["tests/fixtures/proposals/variant.yaml", "tests/fixtures/proposals/draft.yaml"],
        "tests/fixtures/rules",
    ),
    "bundled": (
        sorted(str(p.relative_to(ROOT)) for p in (ROOT / "proposals").glob("*.yaml")),
        sorted(
            (str(p.relative_to(ROOT)) for p in (ROOT / "proposals").glob("*.yaml")), reverse=True
        ),
        "rules",
    ),
}

# Runs each argument list through redlines.cli.main, answering with each run's stdout, stderr and
# exit code as JSON.
_DRIVER = """
import contextlib, io, json, sys
from redlines.cli import main
results = []
for args in json.loads(sys.stdin.read()):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    results.append({"code": code, "out": out.getvalue(), "err": err.getvalue()})
print(json.dumps(results))
"""


def run_with_seed(seed: str, commands: list[list[str]]) -> list[dict[str, object]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
    env.update(PYTHONHASHSEED=seed, NO_COLOR="1", TERM="dumb")
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER],
        input=json.dumps(commands),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
        check=True,
    )
    results: list[dict[str, object]] = json.loads(done.stdout)
    return results


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_output_is_byte_identical_across_runs_seeds_and_file_orders(name: str) -> None:
    forward, backward, rules = INPUTS[name]
    checks = {
        fmt: ["check", *forward, "--rules", rules, "--format", fmt] for fmt in sorted(RENDERERS)
    }
    # The first seed runs each check twice in one process (no state may carry over) and once
    # more with the files named in reverse; the other seeds run each check once.
    first = run_with_seed(
        SEEDS[0],
        [
            args
            for fmt, args in checks.items()
            for args in (args, args, ["check", *backward, "--rules", rules, "--format", fmt])
        ],
    )
    for fmt, (once, again, reversed_order) in zip(
        checks, zip(first[0::3], first[1::3], first[2::3], strict=True), strict=True
    ):
        assert once["code"] in (0, 1), once["err"]
        assert once["out"], f"no {fmt} output"
        assert again == once, f"a second run in the same process changes the {fmt} output"
        assert reversed_order == once, f"naming the files in another order changes {fmt}"
    for seed in SEEDS[1:]:
        for fmt, ours, reference in zip(
            checks, run_with_seed(seed, list(checks.values())), first[0::3], strict=True
        ):
            assert ours == reference, f"PYTHONHASHSEED={seed} changes the {fmt} output"


def test_every_format_is_covered() -> None:
    # The list is read when the test runs; this guards against an empty registry hiding a bug.
    assert {"text", "json"} <= set(RENDERERS)
