"""Fail on what is new: --write-baseline records the findings by fingerprint, --baseline fails
only on others, SARIF says new, unchanged or absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate_repo import Repo
from golden_files import check_golden
from redlines.baseline import read_baseline

GOLDEN = Path(__file__).parent / "golden" / "gate"


def test_write_a_baseline_then_fail_only_on_what_is_new(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    written = repo.check("--rules", "rules", "--write-baseline", "redlines.baseline")
    assert written.code == 0, written.err  # what it records is, from now on, accepted
    check_golden(repo.read("redlines.baseline"), GOLDEN / "draft.baseline")
    again = repo.check("--rules", "rules", "--baseline", "redlines.baseline")
    assert again.code == 0
    assert "[unchanged since the baseline]" in again.out
    assert again.out.rstrip().endswith("; 0 new, 5 unchanged, 0 no longer found")
    # The draft changes: clause 2 no longer caps the army; a new clause recognises Donetsk.
    draft = repo.read("proposals/draft.yaml")
    repo.write(
        "proposals/draft.yaml",
        draft.replace("ukraine.army_cap: 600000", "ukraine.army_cap: 900000")
        + "  - id: '4'\n    title: Donetsk\n    text: Donetsk is Russian.\n"
        "    terms: {territory.donetsk: de_jure_russian}\n",
    )
    changed = repo.check("--rules", "rules", "--baseline", "redlines.baseline")
    # UA-1 now rests on clauses 1 and 4: a new finding, and the old one is gone, as is UA-3
    # (the army is no longer capped below 800,000).
    assert changed.code == 1
    assert "UA-1 No legal recognition of occupied land [Ukraine] [new]" in changed.out
    assert changed.out.rstrip().endswith("; 1 new, 3 unchanged, 2 no longer found")


def test_sarif_baseline_states(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.check("--rules", "rules", "--write-baseline", "b.yaml", "--select", "red_line")
    run = repo.check("--rules", "rules", "--baseline", "b.yaml", "-f", "sarif")
    results = json.loads(run.out)["runs"][0]["results"]
    states = sorted((r["ruleId"], r["baselineState"]) for r in results)
    assert states == [
        ("EU-1", "unchanged"),
        ("UA-1", "unchanged"),
        ("UA-2", "unchanged"),
        ("UA-3", "new"),
        ("UA-4", "new"),
    ]
    repo.write(
        "proposals/draft.yaml",
        repo.read("proposals/draft.yaml").replace("de_jure_russian", "frozen_line"),
    )
    fixed = json.loads(repo.check("--rules", "rules", "--baseline", "b.yaml", "-f", "sarif").out)
    absent = [r for r in fixed["runs"][0]["results"] if r["baselineState"] == "absent"]
    assert sorted(r["ruleId"] for r in absent) == ["EU-1", "UA-1"]
    assert all(r["kind"] == "pass" and r["level"] == "none" for r in absent)
    assert absent[0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 9}


def test_fingerprints_survive_moved_lines(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.check("--rules", "rules", "--write-baseline", "b.yaml")
    repo.write(
        "proposals/draft.yaml", "# a comment\n# and another\n" + repo.read("proposals/draft.yaml")
    )
    run = repo.check("--rules", "rules", "--baseline", "b.yaml")
    assert run.code == 0
    assert run.out.rstrip().endswith("; 0 new, 5 unchanged, 0 no longer found")


def test_writing_the_same_baseline_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.run("check", "proposals", "--rules", "rules", "--write-baseline", "a.yaml")
    repo.run(
        "check",
        "proposals/variant.yaml",
        "proposals/draft.yaml",
        "--rules",
        "rules",
        "--write-baseline",
        "b.yaml",
    )
    assert repo.read("a.yaml") == repo.read("b.yaml")
    # 5 of the draft, 2 of the variant (its contradiction, UA-2 open).
    assert len(read_baseline(str(repo.root / "a.yaml")).entries) == 7


def test_a_baseline_in_the_configuration(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.write("gate/.redlines.yaml", "rules: ../rules\nbaseline: baseline.yaml\n")
    repo.check("--no-config", "--rules", "rules", "--write-baseline", "gate/baseline.yaml")
    run = repo.check("--config", "gate/.redlines.yaml")
    assert run.code == 0, run.err
    assert "Compared with the baseline gate/baseline.yaml" in run.out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("findings: []\n", "b.yaml:1:1: missing required key 'redlines-baseline'"),
        (
            "redlines-baseline: 2\nfindings: []\n",
            "b.yaml:1:1: this baseline is in version 2 of the format",
        ),
        (
            "redlines-baseline: 1\nfindings:\n  - {fingerprint: xyz, rule: UA-1, kind: open, "
            "proposal: p, path: p.yaml, line: 1}\n",
            "b.yaml:3:19: 'xyz' is not a fingerprint (32 hexadecimal digits",
        ),
    ],
)
def test_bad_baselines_are_errors_at_their_line(tmp_path: Path, text: str, message: str) -> None:
    repo = Repo(tmp_path)
    repo.write("b.yaml", text)
    run = repo.check("--rules", "rules", "--baseline", "b.yaml")
    assert run.code == 2
    assert run.err.startswith(message), run.err


def test_a_missing_baseline_says_how_to_make_one(tmp_path: Path) -> None:
    run = Repo(tmp_path).check("--rules", "rules", "--baseline", "nothing.yaml")
    assert run.code == 2
    assert run.err == (
        "nothing.yaml:1:1: no such baseline file; write one with --write-baseline FILE\n"
    )
