"""The bundled content: expected verdicts of every bundled proposal, and the shape of the rule sets.

The expected verdicts are data an analyst can read: tests/content/expected_verdicts.yaml. This
test checks them through the public API only (`load_rules`, `load_proposal`, `check`), on both
engines, and that every bundled proposal has exactly one case on its own date. docs/verdicts.md
explains each verdict; change both together.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml

import redlines

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = Path(__file__).resolve().parent / "content" / "expected_verdicts.yaml"
RULESETS = ("ukraine", "eu", "russia")
CASE_KEYS = {"name", "proposal", "as_of", "why", "output"}
ACTOR_KEYS = {"verdict", "violated", "open"}

# Issue 4: each rule set holds at least this many red lines and weighted priorities in force on
# the day its positions were last reviewed (each rule set's `reviewed`: nothing reliable after
# late June 2026). Pinned to a date, not to today, so the test is stable.
REVIEWED_ON = dt.date(2026, 6, 30)
MIN_RED_LINES = 12
MIN_PRIORITIES = 8

EngineName = Literal["auto", "durable", "python"]
ENGINES = [
    "python",
    pytest.param(
        "durable",
        marks=pytest.mark.skipif(
            not redlines.engine.durable_available(), reason="durable-rules is not importable here"
        ),
    ),
]


def _load_cases() -> list[dict[str, Any]]:
    cases = yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))
    assert isinstance(cases, list) and cases, f"{EXPECTED} must be a non-empty list of cases"
    return cases


CASES = _load_cases()


def _case_id(case: dict[str, Any]) -> str:
    stem = Path(case["proposal"]).stem
    return f"{stem}@{case['as_of']}" if case.get("as_of") else stem


def _bundled_proposals() -> list[str]:
    files = sorted((ROOT / "proposals").glob("*.yaml"))
    files += sorted((ROOT / "proposals" / "examples").glob("*.yaml"))
    return sorted(f.relative_to(ROOT).as_posix() for f in files)


@pytest.fixture(scope="module")
def rules() -> redlines.RuleBook:
    return redlines.load_rules(ROOT / "rules")


# --- the data file itself -----------------------------------------------------------------------


def test_cases_are_well_formed() -> None:
    for case in CASES:
        assert set(case) <= CASE_KEYS, f"{case.get('name')}: unknown keys {set(case) - CASE_KEYS}"
        assert {"name", "proposal", "output"} <= set(case), f"{case.get('name')}: missing keys"
        assert (ROOT / case["proposal"]).is_file(), f"{case['name']}: no file {case['proposal']}"
        if "as_of" in case:
            assert isinstance(case["as_of"], dt.date), f"{case['name']}: as_of must be a date"
        output = case["output"]
        assert set(output) == {"overall", *RULESETS}, (
            f"{case['name']}: output needs overall and {RULESETS}"
        )
        for ruleset in RULESETS:
            actor = output[ruleset]
            assert set(actor) <= ACTOR_KEYS and {"verdict", "violated"} <= set(actor), (
                f"{case['name']}/{ruleset}: keys must be verdict, violated[, open]"
            )


def test_every_bundled_proposal_has_exactly_one_case_on_its_own_date() -> None:
    own_date = [c["proposal"] for c in CASES if "as_of" not in c]
    assert sorted(own_date) == _bundled_proposals(), (
        "tests/content/expected_verdicts.yaml needs one case without as_of per bundled proposal"
    )


def test_case_ids_are_unique() -> None:
    ids = [_case_id(c) for c in CASES]
    assert len(ids) == len(set(ids))


# --- the verdicts -------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_expected_verdicts(
    case: dict[str, Any], engine: EngineName, rules: redlines.RuleBook
) -> None:
    proposal = redlines.load_proposal(ROOT / case["proposal"], rules)
    report = redlines.check(proposal, rules, as_of=case.get("as_of"), engine=engine)
    if "as_of" not in case:
        assert report.as_of == proposal.date, "without as_of a draft is judged on its own date"
    expected = case["output"]
    verdicts = {v.ruleset: v for v in report.verdicts}
    got = {
        "overall": report.overall.value,
        **{
            ruleset: {
                "verdict": verdicts[ruleset].verdict.value,
                "violated": sorted(verdicts[ruleset].violated),
                "open": sorted(verdicts[ruleset].open),
            }
            for ruleset in RULESETS
        },
    }
    want = {
        "overall": expected["overall"],
        **{
            ruleset: {
                "verdict": expected[ruleset]["verdict"],
                "violated": sorted(expected[ruleset]["violated"]),
                "open": sorted(expected[ruleset].get("open", verdicts[ruleset].open)),
            }
            for ruleset in RULESETS
        },
    }
    assert got == want, f"{case['name']} ({_case_id(case)}): verdicts moved; see docs/verdicts.md"
    assert not report.contradictions, f"{case['name']}: the bundled draft contradicts itself"


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
