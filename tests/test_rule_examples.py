"""Every bundled rule says what it tests: one minimal draft meets it, another violates it.

The examples are data an analyst can read and extend: tests/content/rule_examples.yaml, shaped
`{RULE-ID: {meets: {term: value}, violates: {term: value}, as_of: YYYY-MM-DD}}`. Each example is
written out as a one-clause proposal in a temporary folder, loaded and checked through the public
API (`load_proposal`, `check`) against the bundled rules, and the rule's status must be the one
the example names. A rule that no draft can meet, or none can violate, fails here: that is a
finding about the rule, to be fixed in rules/.

Without `as_of`, an example is judged on the last day the rule is in force, or on the day the
content was last reviewed (POSITIONS_REVIEWED_UP_TO) for a rule still in force then.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

import redlines

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = Path(__file__).resolve().parent / "content" / "rule_examples.yaml"
POSITIONS_REVIEWED_UP_TO = dt.date(2026, 6, 30)
EXAMPLE_KEYS = {"meets", "violates", "as_of"}


def _load_examples() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(EXAMPLES.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data, f"{EXAMPLES} must be a non-empty mapping"
    return data


EXAMPLES_BY_RULE = _load_examples()
CASES = [
    pytest.param(rule_id, want, id=f"{rule_id}-{want}")
    for rule_id in sorted(EXAMPLES_BY_RULE)
    for want in ("meets", "violates")
]


@pytest.fixture(scope="module")
def rules() -> redlines.RuleBook:
    return redlines.load_rules(ROOT / "rules")


def _judging_day(rule: redlines.Rule, example: dict[str, Any]) -> dt.date:
    if "as_of" in example:
        day = example["as_of"]
        assert isinstance(day, dt.date), f"{rule.id}: as_of must be a date"
        return day
    if rule.valid_until is not None and rule.valid_until < POSITIONS_REVIEWED_UP_TO:
        return rule.valid_until
    return POSITIONS_REVIEWED_UP_TO


def _yaml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return f'"{value}"'


def _one_clause_proposal(folder: Path, terms: dict[str, Any], day: dt.date) -> Path:
    """A minimal draft in the proposal format: one clause setting exactly these terms."""
    lines = [
        "proposal:",
        "  id: rule-example",
        "  title: One-clause draft for a rule example",
        f"  date: {day.isoformat()}",
        "  status: draft",
        "  sources:",
        "    - {id: ex, title: Rule example, url: 'https://example.invalid/rule-example'}",
        "clauses:",
        '  - id: "1"',
        "    title: The terms under test",
        "    text: Sets the terms the rule example names.",
    ]
    if terms:
        lines.append("    terms:")
        lines += [f"      {term}: {_yaml_value(value)}" for term, value in sorted(terms.items())]
    lines.append("    sources: [ex]")
    path = folder / "rule-example.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_every_bundled_rule_has_both_examples(rules: redlines.RuleBook) -> None:
    bundled = {rule.id for rule in rules.rules}
    missing = sorted(bundled - set(EXAMPLES_BY_RULE))
    unknown = sorted(set(EXAMPLES_BY_RULE) - bundled)
    assert not missing, f"rules without examples in {EXAMPLES.name}: {missing}"
    assert not unknown, f"examples for rules that do not exist: {unknown}"
    for rule_id, example in EXAMPLES_BY_RULE.items():
        assert set(example) <= EXAMPLE_KEYS, (
            f"{rule_id}: unknown keys {set(example) - EXAMPLE_KEYS}"
        )
        assert {"meets", "violates"} <= set(example), f"{rule_id}: needs meets and violates"


@pytest.mark.parametrize(("rule_id", "want"), CASES)
def test_rule_example(rule_id: str, want: str, rules: redlines.RuleBook, tmp_path: Path) -> None:
    rule = next((r for r in rules.rules if r.id == rule_id), None)
    assert rule is not None, f"{rule_id} is not a bundled rule"
    example = EXAMPLES_BY_RULE[rule_id]
    terms = example[want] or {}
    day = _judging_day(rule, example)
    draft = redlines.load_proposal(_one_clause_proposal(tmp_path, terms, day), rules)
    report = redlines.check(draft, rules, as_of=day, engine="python")
    finding = next((f for f in report.findings if f.rule == rule_id), None)
    assert finding is not None, f"{rule_id} is not in force on {day}"
    expected = redlines.Status.MET if want == "meets" else redlines.Status.VIOLATED
    assert finding.status == expected, (
        f"{rule_id} on {day} with {terms}: {finding.status.value}, expected {expected.value}"
    )
    assert not finding.silent, f"{rule_id}: the {want} example must decide the rule by its terms"
