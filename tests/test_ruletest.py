"""`redlines test`: test files and the rules' own examples, run as a rule writer runs them.

Every test works in a made-up repository holding a copy of the test rules (with examples added
where a test needs them) and a test file, and runs the CLI in a subprocess.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from golden_files import check_golden

GOLDEN = Path(__file__).resolve().parent / "golden" / "authoring"

# UA-1's examples: the first meets it, the second is wrong on purpose (de facto is not in law).
UA1_EXAMPLES = """\
    examples:
      - meets: {territory.crimea: contested, territory.donetsk: frozen_line}
      - violates: {territory.crimea: de_facto_russian}
        note: Wrong on purpose - de facto recognition is not what this rule tests.
"""
# EU-2 is met when the draft is silent; an example that sets another term proves nothing.
EU2_EXAMPLES = """\
    examples:
      - meets: {eu.lng_ban_from: 2026-12-31}
      - violates: {eu.lng_ban_from: 2027-06-01}
      - meets: {territory.crimea: ukrainian}
        note: Met only by when_silent, which says nothing of the condition.
"""

CASES = """\
tests:
  - name: The test draft crosses both red lines on Crimea
    proposal: ../proposals/draft.yaml
    rules: {UA-1: violated, EU-1: violated, UA-3: violated}
    actors:
      ukraine: {verdict: rejects, violated: [UA-1], open: [UA-2]}
      European Union: {verdict: rejects, violated: [EU-1]}
    overall: infeasible

  - name: The variant with martial law ended
    proposal: ../proposals/variant.yaml
    terms: {ukraine.martial_law_ended: true}
    overall: feasible

  - name: A 600,000 cap alone
    terms: {ukraine.army_cap: 600000}
    as_of: 2026-02-01
    why: Written wrong on purpose, to show a failure.
    rules: {UA-3: met, UA-4: violated, UA-2: met}
    actors:
      ukraine: {verdict: accepts, open: []}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    shutil.copytree(FIXTURES / "rules", root / "rules")
    shutil.copytree(FIXTURES / "proposals", root / "proposals")
    (root / "tests").mkdir()
    (root / "tests" / "cases.yaml").write_text(CASES, encoding="utf-8")
    return root


def add_examples(repo: Path) -> None:
    ukraine = repo / "rules" / "ukraine.yaml"
    text = ukraine.read_text(encoding="utf-8")
    anchor = (
        '      - {title: "Constitution of Ukraine, Art. 73", url: "https://example.org/const", '
        "date: 1996-06-28}\n"
    )
    assert anchor in text
    ukraine.write_text(text.replace(anchor, anchor + UA1_EXAMPLES, 1), encoding="utf-8")
    eu = repo / "rules" / "eu.yaml"
    eu.write_text(eu.read_text(encoding="utf-8") + EU2_EXAMPLES, encoding="utf-8")


def test_text_output_names_each_failure_with_what_decided_it(repo: Path) -> None:
    add_examples(repo)
    run = run_cli("test", "tests", "--rules", "rules", cwd=repo)
    assert run.code == 1, run.err
    check_golden(run.out, GOLDEN / "test-failures.txt")
    verbose = run_cli("test", "tests", "--rules", "rules", "-v", cwd=repo)
    check_golden(verbose.out, GOLDEN / "test-verbose.txt")


def test_json_and_junit_outputs(repo: Path) -> None:
    add_examples(repo)
    as_json = run_cli("test", "tests", "--rules", "rules", "-f", "json", cwd=repo)
    assert as_json.code == 1
    check_golden(as_json.out, GOLDEN / "test-failures.json")
    data = json.loads(as_json.out)
    assert (data["passed"], data["failed"]) == (5, 3)
    junit = run_cli("test", "tests", "--rules", "rules", "-f", "junit", cwd=repo)
    check_golden(junit.out, GOLDEN / "test-failures.junit.xml")
    root = ET.fromstring(junit.out)
    assert (root.get("tests"), root.get("failures")) == ("8", "3")
    assert [s.get("name") for s in root] == [
        "tests/cases.yaml",
        "rules/eu.yaml",
        "rules/ukraine.yaml",
    ]


def test_exit_0_when_every_case_passes(repo: Path) -> None:
    text = (repo / "tests" / "cases.yaml").read_text(encoding="utf-8")
    (repo / "tests" / "cases.yaml").write_text(text[: text.index("  - name: A 600,000")])
    run = run_cli("test", "tests/cases.yaml", "--rules", "rules", cwd=repo)
    assert (run.code, run.out) == (0, "2 cases: all passed\n")
    assert run.err == ""


def test_examples_run_with_your_own_rules_and_not_for_the_bundled_ones(repo: Path) -> None:
    add_examples(repo)
    only_examples = run_cli("test", "--rules", "rules", "-f", "json", cwd=repo)
    kinds = {r["kind"] for r in json.loads(only_examples.out)["results"]}
    assert kinds == {"example"}
    skipped = run_cli("test", "tests", "--rules", "rules", "--no-examples", "-f", "json", cwd=repo)
    assert {r["kind"] for r in json.loads(skipped.out)["results"]} == {"case"}
    # Against the bundled rules, a user's test file runs alone, unless asked otherwise.
    (repo / "mine.yaml").write_text(
        "tests:\n  - name: the 28 points\n    proposal: bundled:us-28-point-2025-11\n"
        "    overall: infeasible\n    rules: {UA-NATO-1: violated}\n",
        encoding="utf-8",
    )
    mine = run_cli("test", "mine.yaml", cwd=repo)
    assert (mine.code, mine.out) == (0, "1 case: all passed\n")
    both = run_cli("test", "mine.yaml", "--examples", "-f", "json", cwd=repo)
    results = json.loads(both.out)["results"]
    assert len(results) > 200 and all(r["passed"] for r in results)


def test_nothing_to_test_is_an_error(repo: Path) -> None:
    run = run_cli("test", "--rules", "rules", cwd=repo)
    assert run.code == 2
    assert "nothing to test" in run.err
    (repo / "empty").mkdir()
    run = run_cli("test", "empty", "--rules", "rules", cwd=repo)
    assert run.code == 2
    assert run.err.startswith("empty:1:1: no test files (*.yaml or *.yml) in this directory")


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            "  - {name: x, proposal: ../proposals/draft.yaml, rules: {UA-11: met}}",
            "tests/bad.yaml:2:58: no rule 'UA-11' in the rules under test (did you mean 'UA-1'?)",
        ),
        (
            "  - {name: x, proposal: ../proposals/draft.yaml, actors: {ukrane: {verdict: open}}}",
            "tests/bad.yaml:2:59: no rule set or actor 'ukrane' (did you mean 'ukraine'?); "
            "rule sets: eu, ukraine",
        ),
        (
            "  - {name: x, proposal: ../proposals/draft.yaml, actors: {eu: {violated: [UA-1]}}}",
            "tests/bad.yaml:2:75: UA-1 is not one of eu's red lines",
        ),
        (
            "  - {name: x, proposal: ../proposals/draft.yaml, actors: {ukraine: {open: [UA-3]}}}",
            "tests/bad.yaml:2:76: UA-3 is a priority, not a red line",
        ),
        (
            "  - {name: x, proposal: ../../outside.yaml, overall: feasible}",
            "tests/bad.yaml:2:25: '../../outside.yaml' lies outside the repository",
        ),
        (
            "  - {name: x, terms: {ukraine.army_cap: 600000}, overall: feasible}",
            "tests/bad.yaml:2:5: a case with only 'terms' needs 'as_of'",
        ),
        (
            "  - {name: x, proposal: ../proposals/draft.yaml}",
            "tests/bad.yaml:2:5: a test case expects something: add 'rules', 'actors' or 'overall'",
        ),
        (
            "  - {name: x, terms: {ukraine.army_cap: lots}, as_of: 2026-01-01, overall: feasible}",
            "tests/bad.yaml:2:41: 'ukraine.army_cap' is an integer: expected a whole number, "
            "got the text 'lots'",
        ),
        (
            "  - {name: x, proposal: bundled:us-28-point, overall: feasible}",
            "no bundled draft 'us-28-point' (did you mean 'us-28-point-2025-11'?)",
        ),
    ],
)
def test_a_case_that_could_never_pass_is_bad_input_at_its_line(
    repo: Path, case: str, message: str
) -> None:
    (repo / "tests" / "bad.yaml").write_text(f"tests:\n{case}\n", encoding="utf-8")
    run = run_cli("test", "tests/bad.yaml", "--rules", "rules", cwd=repo)
    assert run.code == 2, run.out
    assert message in run.err
    assert "Traceback" not in run.err


def test_an_example_with_an_unknown_term_is_a_load_error_at_its_line(repo: Path) -> None:
    eu = repo / "rules" / "eu.yaml"
    eu.write_text(
        eu.read_text(encoding="utf-8") + "    examples:\n      - meets: {eu.lng_ban: 2026-12-31}\n",
        encoding="utf-8",
    )
    run = run_cli("test", "--rules", "rules", cwd=repo)
    assert run.code == 2
    assert (
        "rules/eu.yaml:22:17: unknown term 'eu.lng_ban' (did you mean 'eu.lng_ban_from'?)"
        in run.err
    )


def test_the_failure_output_in_the_docs_is_the_real_one() -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "testing.md").read_text(encoding="utf-8")
    assert (GOLDEN / "test-failures.txt").read_text(encoding="utf-8") in docs, (
        "docs/testing.md shows an output redlines test no longer gives; paste the golden "
        "tests/golden/authoring/test-failures.txt into it"
    )
