"""The bundled ties (rules/ties.yaml) on the drafts users write: the examples of issue 13.

- A one-clause draft `ukraine.army_cap: 600000` crosses UA-ARMY-1: a ceiling is a limit.
- `--set ukraine.army_cap=100000 --set ukraine.force_limits=none` contradicts itself (exit 1),
  naming both terms.
- `redlines space` never answers with a package that sets a cap together with "no limits", nor
  with any package that breaks a tie.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import redlines
from conftest import ROOT, run_cli
from redlines.conditions import evaluate, terms_of
from redlines.models import TieLevel
from redlines.space import analyze_space

REVIEWED = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def rules() -> redlines.RuleBook:
    return redlines.load_rules(ROOT / "rules")


def one_clause(folder: Path, terms: dict[str, object]) -> Path:
    lines = [
        "proposal:",
        "  id: user-draft",
        "  title: A draft a user writes",
        f"  date: {REVIEWED.isoformat()}",
        "  status: draft",
        "  sources: [{id: s, title: Example, url: 'https://example.invalid/draft'}]",
        "clauses:",
        '  - id: "1"',
        "    title: The terms under test",
        "    text: Sets the terms under test.",
        "    terms:",
        *(f"      {term}: {value}" for term, value in terms.items()),
        "    sources: [s]",
    ]
    path = folder / "draft.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ["python", "durable"])
def test_a_ceiling_alone_crosses_the_800000_floor(
    rules: redlines.RuleBook, tmp_path: Path, engine: str
) -> None:
    if engine == "durable" and not redlines.engine.durable_available():
        pytest.skip("durable-rules is not importable here")
    draft = redlines.load_proposal(one_clause(tmp_path, {"ukraine.army_cap": 600000}), rules)
    report = redlines.check(draft, rules, engine=engine)  # type: ignore[arg-type]
    findings = {f.rule: f for f in report.findings}
    assert findings["UA-ARMY-1"].status is redlines.Status.VIOLATED
    assert findings["EU-DEF-1"].status is redlines.Status.VIOLATED
    assert [c.id for c in findings["UA-ARMY-1"].clauses] == ["1"]
    # The same figure counts as a limit for Russia's demand and, before the floor, for Kyiv's
    # priority of no limits at all.
    assert findings["RU-ARMY-1"].status is redlines.Status.MET
    earlier = redlines.check(draft, rules, as_of=dt.date(2025, 11, 1), engine=engine)  # type: ignore[arg-type]
    assert {f.rule: f.status for f in earlier.findings}["UA-ARMY-2"] is redlines.Status.VIOLATED
    state = next(t for t in findings["RU-ARMY-1"].terms if t.term == "ukraine.force_limits")
    assert (state.set_by, state.tie) == ("tie", "TIE-ARMY-1")
    assert state.possible == ("personnel_ceiling", "personnel_and_equipment_ceilings")
    assert not report.contradictions


def test_a_ceiling_with_no_limits_contradicts_itself(tmp_path: Path) -> None:
    draft = one_clause(tmp_path, {"ukraine.army_cap": 600000})
    sets = ["--set", "ukraine.army_cap=100000", "--set", "ukraine.force_limits=none"]
    run = run_cli("check", str(draft), *sets, "--format", "json")
    assert run.code == 1, run.err
    (report,) = json.loads(run.out)["reports"]
    (contradiction,) = report["contradictions"]
    assert contradiction["tie"] == "TIE-ARMY-1"
    assert contradiction["terms"] == ["ukraine.army_cap", "ukraine.force_limits"]
    assert [c["by"] for c in contradiction["claims"]] == ["--set", "--set"]
    text = run_cli("check", str(draft), *sets)
    assert text.code == 1
    assert "contradicts itself on 2 terms" in text.out
    assert "'ukraine.army_cap' and 'ukraine.force_limits' contradict each other" in text.out


def test_the_clauses_that_break_a_tie_are_named_with_their_lines(tmp_path: Path) -> None:
    draft = tmp_path / "draft.yaml"
    one_clause(tmp_path, {"ukraine.army_cap": 100000})
    text = draft.read_text(encoding="utf-8")
    draft.write_text(
        text
        + '  - id: "2"\n    title: No limits\n    text: No limits at all.\n'
        + "    terms: {ukraine.force_limits: none}\n    sources: [s]\n",
        encoding="utf-8",
    )
    run = run_cli("check", str(draft), "--format", "json", "--actor", "ukraine")
    assert run.code == 1
    (contradiction,) = json.loads(run.out)["reports"][0]["contradictions"]
    assert [(c["term"], c["by"], c["location"]["line"]) for c in contradiction["claims"]] == [
        ("ukraine.army_cap", "clause 1", 12),
        ("ukraine.force_limits", "clause 2", 17),
    ]


def _keeps_every_tie(rules: redlines.RuleBook, values: dict[str, object]) -> bool:
    return all(
        evaluate(tie.requires, values) is True  # type: ignore[arg-type]
        for tie in rules.in_force(REVIEWED).ties
        if tie.level is TieLevel.CONTRADICTION and any(t in values for t in terms_of(tie.requires))
    )


def test_space_never_pairs_a_ceiling_with_no_limits(rules: redlines.RuleBook) -> None:
    report = analyze_space(rules, as_of=REVIEWED, engine="python")
    packages = [report.witness, report.concessions.package if report.concessions else None]
    assert any(packages)
    for package in filter(None, packages):
        values = {t.term: t.value for t in package.terms}
        assert _keeps_every_tie(rules, values), values
        if "ukraine.army_cap" in values:
            assert values.get("ukraine.force_limits") not in (None, "none")
    assert report.zone is not None
    zone = {z.term: z for z in report.zone.terms}
    # A ceiling is part of every acceptable package, and so is a kind of limit that is not "none".
    assert zone["ukraine.army_cap"].needs_value
    assert "none" not in zone["ukraine.force_limits"].values


def test_space_on_a_draft_with_no_limits_offers_no_ceiling(
    rules: redlines.RuleBook, tmp_path: Path
) -> None:
    draft = redlines.load_proposal(one_clause(tmp_path, {"ukraine.force_limits": "none"}), rules)
    report = analyze_space(rules, draft, engine="python")
    assert report.zone is not None
    cap = next(z for z in report.zone.terms if z.term == "ukraine.army_cap")
    assert cap.intervals == () and cap.unaddressed
