"""The bundled content: expected verdicts of every bundled proposal, the rules' own examples, and
the shape of the rule sets.

The expected verdicts are a `redlines test` file an analyst can read,
tests/content/expected_verdicts.yaml, and every bundled rule carries `examples:` (a draft that
meets it, one that violates it). Both run through `redlines test` itself, as a user runs it, on
both engines: this file adds no checking code of its own, only what the data must cover (every
bundled proposal has its case, every rule its two examples). docs/verdicts.md explains each
verdict; change both together.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import redlines
from conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = Path(__file__).resolve().parent / "content" / "expected_verdicts.yaml"
RULESETS = ("ukraine", "eu", "russia")

# Issue 4: each rule set holds at least this many red lines and weighted priorities in force on
# the day its positions were last reviewed (each rule set's `reviewed`: nothing reliable after
# late June 2026). Pinned to a date, not to today, so the test is stable.
REVIEWED_ON = dt.date(2026, 6, 30)
MIN_RED_LINES = 12
MIN_PRIORITIES = 8

ENGINES = [
    "python",
    pytest.param(
        "durable",
        marks=pytest.mark.skipif(
            not redlines.engine.durable_available(), reason="durable-rules is not importable here"
        ),
    ),
]


def _cases() -> list[dict[str, Any]]:
    data = yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data.get("tests"), f"{EXPECTED} holds no tests"
    cases: list[dict[str, Any]] = data["tests"]
    return cases


def _bundled_proposals() -> list[str]:
    files = sorted((ROOT / "proposals").glob("*.yaml"))
    files += sorted((ROOT / "proposals" / "examples").glob("*.yaml"))
    return sorted(f.relative_to(ROOT).as_posix() for f in files)


@pytest.fixture(scope="module")
def rules() -> redlines.RuleBook:
    return redlines.load_rules(ROOT / "rules")


# --- through `redlines test` --------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_expected_verdicts_of_the_bundled_proposals(engine: str) -> None:
    run = run_cli(
        "test", str(EXPECTED.relative_to(ROOT)), "--rules", "rules", "--no-examples",
        "--engine", engine,
    )  # fmt: skip
    assert run.code == 0, f"verdicts moved; see docs/verdicts.md\n{run.out}{run.err}"
    assert run.out == f"{len(_cases())} cases: all passed\n"


@pytest.mark.parametrize("engine", ENGINES)
def test_every_bundled_rule_example(engine: str, rules: redlines.RuleBook) -> None:
    run = run_cli("test", "--rules", "rules", "--engine", engine, "-f", "json")
    results = json.loads(run.out)["results"]
    failed = [r for r in results if not r["passed"]]
    if failed:
        text = run_cli("test", "--rules", "rules", "--engine", engine).out
        pytest.fail(f"rule examples fail; a rule may not say what it tests:\n{text}")
    assert run.code == 0
    assert len(results) == sum(len(rule.examples) for rule in rules.rules)


# --- what the data must cover -------------------------------------------------------------------


def test_every_bundled_proposal_has_exactly_one_case_on_its_own_date() -> None:
    own_date = [
        (EXPECTED.parent / c["proposal"]).resolve().relative_to(ROOT).as_posix()
        for c in _cases()
        if "as_of" not in c
    ]
    assert sorted(own_date) == _bundled_proposals(), (
        "tests/content/expected_verdicts.yaml needs one case without as_of per bundled proposal"
    )


def test_every_case_states_every_rule_set_in_full() -> None:
    for case in _cases():
        assert "overall" in case, case["name"]
        assert set(case["actors"]) == set(RULESETS), case["name"]
        for ruleset, expected in case["actors"].items():
            assert {"verdict", "violated", "open"} <= set(expected), f"{case['name']}/{ruleset}"


def test_cases_are_unique_by_proposal_and_day() -> None:
    keys = [(c["proposal"], c.get("as_of")) for c in _cases()]
    assert len(keys) == len(set(keys))


def test_no_bundled_proposal_contradicts_itself() -> None:
    run = run_cli("check", "proposals", "--rules", "rules", "--fail-on", "never", "-f", "json")
    assert run.code == 0, run.err
    reports = json.loads(run.out)["reports"]
    assert len(reports) == len(_bundled_proposals())
    assert [r["proposal"]["id"] for r in reports if r["contradictions"]] == []


def test_every_bundled_rule_has_a_meeting_and_a_violating_example(
    rules: redlines.RuleBook,
) -> None:
    for rule in rules.rules:
        kinds = {example.expect for example in rule.examples}
        assert {"met", "violated"} <= kinds, f"{rule.id} needs examples that meet and violate it"


# --- the rule sets ------------------------------------------------------------------------------


def test_each_rule_set_has_enough_red_lines_and_priorities_in_force(
    rules: redlines.RuleBook,
) -> None:
    book = rules.in_force(REVIEWED_ON)
    assert sorted(rs.id for rs in book.rulesets) == sorted(RULESETS)
    for ruleset in book.rulesets:
        red = [r.id for r in ruleset.rules if r.severity == redlines.Severity.RED_LINE]
        prio = [r.id for r in ruleset.rules if r.severity == redlines.Severity.PRIORITY]
        assert len(red) >= MIN_RED_LINES, f"{ruleset.id}: {len(red)} red lines in force {red}"
        assert len(prio) >= MIN_PRIORITIES, f"{ruleset.id}: {len(prio)} priorities in force {prio}"


def test_every_rule_and_implication_is_reasoned_and_sourced(rules: redlines.RuleBook) -> None:
    items: list[tuple[str, str | None, tuple[redlines.models.Source, ...]]] = [
        (r.id, r.rationale, r.sources) for r in rules.rules
    ]
    items += [(i.id, i.rationale, i.sources) for i in rules.implications]
    for item_id, rationale, sources in items:
        assert rationale and rationale.strip(), f"{item_id} gives no rationale"
        assert sources, f"{item_id} cites no source"
        for source in sources:
            assert source.url, f"{item_id}: a source has no url"
            assert source.title or source.outlet or source.authority, (
                f"{item_id}: {source.url} names no title, outlet or authority"
            )


def test_superseded_rules_point_at_a_rule_that_exists(rules: redlines.RuleBook) -> None:
    ids = {r.id for r in rules.rules}
    for rule in rules.rules:
        if rule.superseded_by:
            assert rule.superseded_by in ids, f"{rule.id} -> {rule.superseded_by}"
            assert rule.valid_until, f"{rule.id} is superseded but has no valid_until"


def test_each_rule_set_states_when_its_positions_were_last_reviewed(
    rules: redlines.RuleBook,
) -> None:
    # The `reviewed` field, which every report shows; the content tests pin the same date.
    for ruleset in rules.rulesets:
        assert ruleset.reviewed == REVIEWED_ON, f"{ruleset.id}: reviewed must be {REVIEWED_ON}"
        assert "reviewed up to" not in (ruleset.description or ""), (
            f"{ruleset.id}: the date belongs in `reviewed`, not in the description"
        )
