"""The benchmarks' synthetic content and their smoke runs (benchmarks/synthetic.py,
bench_scaling.py --quick, bench_space.py --quick): fast, and matplotlib is optional."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import redlines
from conftest import ROOT
from redlines.lint import lint

BENCHMARKS = ROOT / "benchmarks"


def _synthetic() -> ModuleType:
    spec = importlib.util.spec_from_file_location("synthetic", BENCHMARKS / "synthetic.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synthetic", module)
    spec.loader.exec_module(module)
    return module


synthetic = _synthetic()

SMALL = synthetic.Spec(
    n_terms=60, n_rules=90, n_actors=3, seed=5, depth=3, n_implications=6, n_proposals=2
)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.yaml"))
    }


@pytest.mark.parametrize(
    "spec",
    [SMALL, synthetic.space_spec(), dataclasses.replace(SMALL, mix=(1, 0, 0, 0), depth=0)],
    ids=["small", "space-preset", "booleans-only"],
)
def test_generated_set_loads_and_lints_clean(tmp_path: Path, spec: object) -> None:
    made = synthetic.generate(tmp_path, spec)
    book = redlines.load_rules(made.rules_dir)
    proposals = [
        redlines.load_proposal(path, book)
        for path in sorted(made.proposals_dir.glob("*.yaml") if made.proposals_dir else [])
    ]
    assert len(book.rules) == made.spec.n_rules
    assert len(book.catalogue.terms) == made.spec.n_terms
    assert len(book.rulesets) == made.spec.n_actors
    assert len(book.implications) == made.spec.n_implications
    assert len(proposals) == made.spec.n_proposals + (1 if made.spec.n_proposals else 0)
    assert sum(r.severity.value == "red_line" for r in book.rules) == made.red_lines
    assert lint(book, proposals, today=dt.date(2030, 1, 1)) == []  # no errors, no warnings


def test_same_seed_same_bytes_other_seed_other_content(tmp_path: Path) -> None:
    first = synthetic.generate(tmp_path / "a", SMALL)
    again = synthetic.generate(tmp_path / "b", SMALL)
    synthetic.generate(tmp_path / "c", dataclasses.replace(SMALL, seed=6))
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert set(_files(tmp_path / "a")) == set(_files(tmp_path / "c"))
    assert _files(tmp_path / "a") != _files(tmp_path / "c")
    assert first.leaves == again.leaves


def test_variants_are_typed_and_deterministic(tmp_path: Path) -> None:
    book = redlines.load_rules(synthetic.generate(tmp_path, SMALL).rules_dir)
    drawn = synthetic.variants(book, 5, seed=3, share=0.5, most=20)
    assert drawn == synthetic.variants(book, 5, seed=3, share=0.5, most=20)
    assert all(len(v) == 20 for v in drawn)
    engine = redlines.engine.make_engine(book, "python")
    for values in drawn:  # values the engine takes as they are: typed by the catalogue
        assert len(engine.evaluate(values).truths) == len(book.rules)


def test_generator_command_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "synthetic.py"), str(tmp_path), "--rules", "20",
         "--terms", "15", "--proposals", "1"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "20 rules" in done.stdout
    redlines.load_rules(tmp_path / "rules")


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_bench_scaling_quick(tmp_path: Path) -> None:
    png = tmp_path / "scaling.png"
    has_matplotlib = importlib.util.find_spec("matplotlib") is not None
    done = _run("bench_scaling.py", *(["--png", str(png)] if has_matplotlib else []))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "## Rules" in done.stdout and "time per check ~ rules^" in done.stdout
    if has_matplotlib:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bench_space_quick() -> None:
    done = _run("bench_space.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "synthetic, CLI" in done.stdout
    assert "target: `redlines space --rules <synthetic>`" in done.stdout
