"""Extending the bundled rules instead of copying them: `rules: [bundled, DIR]`, local terms,
and per-rule overrides that every report shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import redlines
from gate_repo import Repo
from golden_files import check_golden
from redlines.loader.compose import compose_rules
from redlines.models import InputError

GOLDEN = Path(__file__).parent / "golden" / "gate"

LOCAL_TERMS = """\
terms:
  policy.observer_mission:
    title: An observer mission of our organisation
    type: boolean
"""

LOCAL_RULES = """\
ruleset:
  id: ngo
  actor: Our NGO
  title: What our organisation will not sign up to
rules:
  - id: NGO-1
    title: Room for our observers
    severity: red_line
    tags: [monitoring]
    requires: {term: policy.observer_mission, eq: true}
    message: The draft leaves no room for our observer mission.
    sources: [{title: Board decision, url: "https://example.org/board", date: 2025-10-01}]
"""


def test_bundled_plus_a_local_rule_set_with_its_own_terms(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.write("policy/terms.yaml", LOCAL_TERMS)
    repo.write("policy/ngo.yaml", LOCAL_RULES)
    repo.write(".redlines.yaml", "rules: [bundled, policy]\nselect: [NGO-1, UA-NATO-1]\n")
    repo.write(
        "proposals/ngo.yaml",
        "proposal: {id: ngo-draft, title: A draft, date: 2025-11-20, status: draft}\n"
        "clauses:\n  - id: '1'\n    title: Observers\n    text: No observers.\n"
        "    terms: {policy.observer_mission: false, ukraine.nato_path: renounced}\n",
    )
    run = repo.run("check", "proposals/ngo.yaml")
    assert run.code == 1, run.err
    assert "NGO-1 Room for our observers [Our NGO]" in run.out
    assert "UA-NATO-1 No renunciation of Ukraine's NATO course [Ukraine]" in run.out
    book = compose_rules(["bundled", str(repo.root / "policy")])
    assert len(book.rules) == len(redlines.load_rules().rules) + 1
    assert "policy.observer_mission" in book.catalogue.terms


def test_a_local_term_that_clashes_names_both_places(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.write(
        "policy/terms.yaml",
        "terms:\n  ukraine.army_cap:\n    title: Our own cap\n    type: integer\n",
    )
    repo.write(".redlines.yaml", "rules: [rules, policy]\n")
    run = repo.check()
    assert run.code == 2
    assert run.err == (
        "policy/terms.yaml:2:3: term 'ukraine.army_cap' is already defined at "
        "rules/terms.yaml:11:3; a local term needs a name of its own\n"
    )


def test_a_local_alias_that_clashes_with_a_term_is_an_error(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.write(
        "policy/terms.yaml",
        "terms:\n  policy.cap:\n    title: Our own cap\n    type: integer\n"
        "    aliases: [ukraine.army_cap]\n",
    )
    repo.write(".redlines.yaml", "rules: [rules, policy]\n")
    run = repo.check()
    assert run.code == 2
    assert run.err == (
        "policy/terms.yaml:2:3: alias 'ukraine.army_cap' is already a term or an alias in the "
        "rule book; a local alias needs a name of its own\n"
    )


def test_a_local_term_that_takes_an_older_name_of_a_term_is_an_error(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    terms = repo.read("rules/terms.yaml")
    repo.write(
        "rules/terms.yaml",
        terms.replace(
            "    unit: personnel\n", "    unit: personnel\n    aliases: [ukraine.cap]\n", 1
        ),
    )
    repo.write("policy/terms.yaml", "terms:\n  ukraine.cap:\n    title: Ours\n    type: integer\n")
    repo.write(".redlines.yaml", "rules: [rules, policy]\n")
    run = repo.check()
    assert run.code == 2
    assert run.err == (
        "policy/terms.yaml:2:3: term 'ukraine.cap' is an older name of 'ukraine.army_cap' in the "
        "rule book; a local term needs a name of its own\n"
    )


def test_a_local_rule_id_that_clashes_names_both_places(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.write(
        "policy/x.yaml",
        LOCAL_RULES.replace("NGO-1", "UA-1").replace(
            "policy.observer_mission, eq: true", "territory.crimea, ne: de_jure_russian"
        ),
    )
    repo.write(".redlines.yaml", "rules: [rules, policy]\n")
    run = repo.check()
    assert run.code == 2
    assert "policy/x.yaml:6:5: duplicate rule id 'UA-1' (first at rules/ukraine.yaml:" in run.err


def test_bundled_only_first() -> None:
    with pytest.raises(InputError, match="'bundled' can only come first"):
        compose_rules(["bundled", "bundled"])


def test_overrides_change_the_book_and_every_report_shows_them(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.write(
        ".redlines.yaml",
        "rules: rules\n"
        "rule-overrides:\n"
        "  EU-1: {severity: priority, weight: 3, reason: Our board treats it as negotiable.}\n"
        "  UA-4: {disabled: true, reason: Not a concern of ours.}\n",
    )
    run = repo.check()
    assert run.code == 1  # UA-1 still crosses
    check_golden(run.out, GOLDEN / "overrides.txt")
    data = json.loads(repo.check("-f", "json").out)
    (report,) = data["reports"]
    assert [f["rule"] for f in report["findings"]] == ["EU-1", "UA-1", "UA-2", "UA-3"]
    changes = report["gate"]["modified_rules"]
    assert [(c["rule"], c["was_severity"], c["severity"], c["weight"]) for c in changes] == [
        ("EU-1", "red_line", "priority", 3),
        ("UA-4", "preference", None, None),
    ]
    assert changes[0]["location"] == {"path": ".redlines.yaml", "line": 3, "col": 3, "end_col": 84}
    sarif = json.loads(repo.check("-f", "sarif").out)
    modified = sarif["runs"][0]["properties"]["gate"]["modifiedRules"]
    assert modified[1] == {
        "rule": "UA-4",
        "was": {"severity": "preference", "weight": 2},
        "now": "disabled",
        "reason": "Not a concern of ours.",
        "where": ".redlines.yaml:4:3",
    }
    for fmt, shown in (
        ("markdown", "Rule changed: EU-1 Non-recognition of Crimea's annexation (European Union)"),
        ("github", "Rules changed by the configuration"),
        ("junit", "(European Union): red line → priority, weight 3: Our board"),
        ("html", "Rule changed: EU-1 Non-recognition of Crimea&#x27;s annexation"),
    ):
        assert shown in repo.check("-f", fmt).out, fmt


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("UA-9: {disabled: true, reason: x}", "no rule 'UA-9' in the rule book to override"),
        ("UA-3: {severity: red_line, weight: 2, reason: x}", "UA-3: a red line carries no"),
        ("EU-1: {severity: priority, reason: x}", "EU-1: a priority needs a 'weight'"),
        ("EU-1: {disabled: true, severity: priority, reason: x}", "takes no 'severity'"),
        ("EU-1: {reason: x}", "an override changes 'severity' or 'weight'"),
        ("EU-1: {disabled: true, reason: '  '}", "'reason' must say why"),
    ],
)
def test_bad_overrides_are_errors_at_their_line(
    tmp_path: Path, override: str, message: str
) -> None:
    repo = Repo(tmp_path)
    repo.write(".redlines.yaml", f"rules: rules\nrule-overrides:\n  {override}\n")
    run = repo.check()
    assert run.code == 2
    assert run.err.startswith(".redlines.yaml:3:"), run.err
    assert message in run.err


def test_rules_flag_keeps_its_meaning(tmp_path: Path) -> None:
    """--rules DIR is a complete rule book: it replaces the configuration's composition."""
    repo = Repo(tmp_path)
    repo.write("policy/ngo.yaml", LOCAL_RULES)
    repo.write(".redlines.yaml", "rules: [bundled, policy]\n")
    run = repo.check("--rules", "rules")
    assert run.code == 1, run.err
    assert "Our NGO" not in run.out
