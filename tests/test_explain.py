"""`redlines explain`: the rule, its tree, and on a proposal each leaf's value and source."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from conftest import FIXTURES, run_cli
from redlines import explain_rule
from redlines.engine import PythonEngine
from redlines.explain import Explanation, Node, UnknownRule, explain
from redlines.models import Proposal, RuleBook
from redlines.report import Status, check
from redlines.space import package_proposal
from test_space_property import drafts, rule_books

RULES = str(FIXTURES / "rules")
DRAFT = "tests/fixtures/proposals/draft.yaml"


def leaves(node: Node) -> list[Node]:
    if node.kind == "leaf":
        return [node]
    return [leaf for child in node.children for leaf in leaves(child)]


def test_rule_alone(fixture_rules: RuleBook) -> None:
    result = explain(fixture_rules, "UA-2")
    assert result.proposal is None and result.status is None
    assert result.condition == (
        "if ukraine.constitution_amended = true then ukraine.martial_law_ended = true"
    )
    assert result.tree.kind == "if"
    assert [c.role for c in result.tree.children] == ["if", "then"]
    assert result.implications == ("IMP-1",)  # it can derive a term UA-2 reads
    assert result.rule.location is not None and result.rule.location.line == 18
    assert result.rule.sources[0].url == "https://example.org/const157"


def test_derived_leaf_and_unaddressed_leaf(fixture_rules: RuleBook, draft: Proposal) -> None:
    result = explain(fixture_rules, "UA-2", draft)
    assert result.status is Status.OPEN and result.truth is None
    first, second = leaves(result.tree)
    assert first.truth is True and first.state is not None
    assert first.state.set_by == "implication" and first.state.implication == "IMP-1"
    assert second.truth is None and second.state is not None
    assert second.state.set_by == "unaddressed"
    (derived,) = result.derived
    assert derived.term == "ukraine.constitution_amended" and derived.implication == "IMP-1"
    assert derived.because_of == ("territory.crimea",)
    assert [(c.id, c.location.line) for c in derived.clauses] == [("1", 9)]


def test_clause_leaf_points_at_its_line(fixture_rules: RuleBook, draft: Proposal) -> None:
    result = explain(fixture_rules, "UA-1", draft)
    assert result.status is Status.VIOLATED and result.tree.truth is False
    crimea, donetsk = leaves(result.tree)
    assert crimea.truth is False and crimea.state is not None
    assert crimea.state.set_by == "clause" and crimea.state.clause == "1"
    assert crimea.state.location is not None
    assert crimea.state.location.path.endswith("tests/fixtures/proposals/draft.yaml")
    assert crimea.state.location.line == 13
    assert donetsk.truth is None and donetsk.state is not None
    assert donetsk.state.set_by == "unaddressed"
    assert result.finding is not None and result.finding.status is Status.VIOLATED


def test_contradicted_term(fixture_rules: RuleBook, variant: Proposal) -> None:
    result = explain(fixture_rules, "UA-3", variant)
    (leaf,) = leaves(result.tree)
    assert leaf.state is not None and leaf.state.set_by == "contradiction"
    assert result.status is Status.OPEN


def test_rule_not_in_force_and_when_silent(fixture_rules: RuleBook, variant: Proposal) -> None:
    early = explain(fixture_rules, "EU-2", variant)
    assert early.in_force is False and early.finding is None
    later = explain(fixture_rules, "EU-2", variant, as_of=dt.date(2026, 2, 1))
    assert later.in_force is True
    assert later.truth is None and later.status is Status.MET and later.silent
    assert later.finding is not None and later.finding.silent


def test_unknown_rule(fixture_rules: RuleBook) -> None:
    with pytest.raises(UnknownRule, match="did you mean 'UA-1'"):
        explain(fixture_rules, "UA-11")


def test_a_rule_id_in_the_wrong_case_suggests_the_id() -> None:
    done = run_cli("explain", "ua-army-1")
    assert done.code == 2
    assert "no rule 'ua-army-1' (did you mean 'UA-ARMY-1'?)" in done.err


def test_set_lays_values_over_the_proposal_as_check_does(
    fixture_rules: RuleBook, draft: Proposal
) -> None:
    overrides = {"ukraine.army_cap": "800000"}
    result = explain_rule(fixture_rules, "UA-3", draft, overrides=overrides)
    finding = next(
        f for f in check(draft, fixture_rules, overrides=overrides).findings if f.rule == "UA-3"
    )
    assert result.status is finding.status is Status.MET
    (leaf,) = leaves(result.tree)
    assert leaf.state is not None and leaf.state == finding.terms[0]
    assert leaf.state.set_by == "override" and leaf.state.value == 800_000
    text = run_cli("explain", "UA-3", DRAFT, "--rules", RULES, "--set", "ukraine.army_cap=800000")
    assert text.code == 0, text.err
    assert "MET" in text.out and "= 800,000, set by --set" in text.out
    bad = run_cli("explain", "UA-3", DRAFT, "--rules", RULES, "--set", "ukraine.army_cap=lots")
    assert bad.code == 2 and bad.err.startswith("--set:1:1: ukraine.army_cap: ")
    alone = run_cli("explain", "UA-3", "--rules", RULES, "--set", "ukraine.army_cap=1")
    assert alone.code == 2 and "--set needs a PROPOSAL" in alone.err


def test_explain_reads_the_evaluation_check_made(
    fixture_rules: RuleBook, draft: Proposal, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    evaluate = PythonEngine.evaluate

    def counted(self: PythonEngine, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return evaluate(self, *args, **kwargs)

    monkeypatch.setattr(PythonEngine, "evaluate", counted)
    explain_rule(fixture_rules, "UA-2", draft, engine="python")
    assert len(calls) == 1


def test_cli() -> None:
    text = run_cli("explain", "UA-2", DRAFT, "--rules", RULES)
    assert text.code == 0, text.err
    assert "OPEN" in text.out and "derived by IMP-1" in text.out
    assert "clause 1 at tests/fixtures/proposals/draft.yaml:9" in text.out
    alone = run_cli("explain", "UA-1", "--rules", RULES)
    assert alone.code == 0 and "Condition tree:" in alone.out and "Rationale:" in alone.out
    data = json.loads(run_cli("explain", "UA-1", DRAFT, "--rules", RULES, "-f", "json").out)
    assert data["status"] == "violated"
    markdown = run_cli("explain", "UA-1", DRAFT, "--rules", RULES, "-f", "markdown").out
    assert markdown.startswith("### `UA-1`")
    unknown = run_cli("explain", "UA-11", "--rules", RULES)
    assert unknown.code == 2 and "did you mean" in unknown.err


def _walk_truths(node: Node) -> list[bool | None]:
    return [node.truth, *(t for c in node.children for t in _walk_truths(c))]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=rule_books(), facts=drafts())
def test_explain_agrees_with_check(book: RuleBook, facts: dict[str, Any]) -> None:
    base = Proposal(
        id="p", title="p", date=dt.date(2026, 1, 1), status="draft", clauses=(), path="p.yaml"
    )
    proposal = package_proposal(base, facts)
    report = check(proposal, book, engine="python")
    for finding in report.findings:
        result: Explanation = explain(book, finding.rule, proposal, engine="python")
        assert result.status is finding.status
        assert result.silent == finding.silent
        assert result.tree.truth is result.truth
        for leaf in leaves(result.tree):
            assert leaf.state is not None
            if leaf.state.set_by == "clause":
                assert facts[leaf.state.term] == leaf.state.value
