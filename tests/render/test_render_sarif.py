"""`--format sarif`: valid SARIF 2.1.0 (against the OASIS schema), with what code scanning needs."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from redlines.render import RenderOptions, render_sarif
from redlines.render.sarif import FINGERPRINT_KEY
from redlines.report import ReportSet, Verdict

from .render_helpers import PROJECT, SARIF_SCHEMA, build


@pytest.fixture(scope="module")
def validator() -> Any:
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def valid(validator: Any, text: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(text)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    return document


def test_combined_report_is_valid(
    validator: Any, reports: ReportSet, options: RenderOptions
) -> None:
    valid(validator, render_sarif(reports, options))


def test_nasty_and_empty_reports_are_valid(
    validator: Any, nasty_reports: ReportSet, options: RenderOptions
) -> None:
    valid(validator, render_sarif(nasty_reports, options))
    valid(validator, render_sarif(ReportSet(overall=Verdict.FEASIBLE, reports=()), options))


def test_driver_rules(validator: Any, reports: ReportSet, options: RenderOptions) -> None:
    run = valid(validator, render_sarif(reports, options))["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("redlines", "0.0.0-test")
    assert driver["informationUri"].startswith("https://")
    rules = {r["id"]: r for r in driver["rules"]}
    assert list(rules) == ["EU-1", "UA-1", "UA-2", "UA-3", "UA-4", "redlines.contradiction"]
    ua1 = rules["UA-1"]
    assert ua1["name"] == "NoLegalRecognitionOfOccupiedLand"
    assert ua1["shortDescription"]["text"] == "No legal recognition of occupied land"
    assert "Russian in law" in ua1["fullDescription"]["text"]
    assert "https://example.org/const" in ua1["help"]["text"]
    assert (
        "[Constitution of Ukraine, Art. 73](https://example.org/const)" in ua1["help"]["markdown"]
    )
    # The rule's page, not a news source; without pages (a user's rules, no --rule-docs), none.
    assert ua1["helpUri"] == "https://rules.example.org/pages/ukraine.md#ua-1"
    bare = json.loads(render_sarif(reports, replace(options, rule_pages={})))
    assert all("helpUri" not in r for r in bare["runs"][0]["tool"]["driver"]["rules"])
    assert ua1["properties"]["tags"] == ["Ukraine", "red_line"]
    assert ua1["defaultConfiguration"]["level"] == "error"
    assert rules["UA-3"]["defaultConfiguration"]["level"] == "warning"
    assert rules["UA-4"]["defaultConfiguration"]["level"] == "note"


def test_results(validator: Any, reports: ReportSet, options: RenderOptions) -> None:
    run = valid(validator, render_sarif(reports, options))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert not artifact["uri"].startswith(("/", "file:"))
    by_key = {(r["properties"]["proposal"], r["ruleId"]): r for r in results}
    eu1 = by_key[("test-draft", "EU-1")]
    assert eu1["level"] == "error"
    assert eu1["locations"][0]["physicalLocation"] == {
        "artifactLocation": {
            "uri": "tests/fixtures/proposals/draft.yaml",
            "uriBaseId": "%SRCROOT%",
        },
        # The region: from the clause's start to the end of its first line (`id: "1"`).
        "region": {"startLine": 9, "startColumn": 5, "endLine": 9, "endColumn": 12},
    }
    assert by_key[("test-draft", "UA-3")]["level"] == "warning"
    assert by_key[("test-draft", "UA-4")]["level"] == "note"
    # Open red lines are notes, marked as open.
    ua2 = by_key[("test-open", "UA-2")]
    assert (ua2["level"], ua2["properties"]["status"]) == ("note", "open")
    contradiction = by_key[("test-variant", "redlines.contradiction")]
    assert contradiction["level"] == "error"
    assert len(contradiction["relatedLocations"]) == 2
    # Met rules are not results; the passing draft has only its unmet preference.
    assert [r["ruleId"] for r in results if r["properties"]["proposal"] == "test-passing"] == [
        "UA-4"
    ]
    assert len(results) == 10


def test_fingerprints_survive_moved_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, validator: Any
) -> None:
    """Lines moved by an edit (here: a comment block on top) keep every fingerprint."""

    def fingerprints(root: Path) -> dict[str, tuple[str, int]]:
        monkeypatch.chdir(root)
        document = valid(validator, render_sarif(build(), RenderOptions(repo_root=str(root))))
        return {
            r["partialFingerprints"][FINGERPRINT_KEY]: (
                r["ruleId"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in document["runs"][0]["results"]
        }

    before = fingerprints(PROJECT)
    moved = tmp_path / "repo"
    for folder in ("tests/fixtures", "tests/render/fixtures"):
        shutil.copytree(PROJECT / folder, moved / folder)
    for path in (moved / "tests").rglob("*.yaml"):
        path.write_text("# moved\n# down\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    after = fingerprints(moved)
    assert len(before) == 10, "fingerprints must be unique per result"
    assert set(before) == set(after)
    assert all(after[k][1] == before[k][1] + 2 for k in before)


def test_paths_outside_the_repository_are_absolute_file_uris(
    validator: Any, reports: ReportSet, in_project: Path, tmp_path: Path
) -> None:
    options = RenderOptions(repo_root=str(tmp_path))  # a root that holds none of the files
    document = valid(validator, render_sarif(reports, options))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in document["runs"][0]["results"]
    }
    assert uris and all(u.startswith("file:///") for u in uris)


def test_every_result_has_an_end_line_and_column(
    validator: Any, reports: ReportSet, options: RenderOptions
) -> None:
    run = valid(validator, render_sarif(reports, options))["runs"][0]
    for result in run["results"]:
        for where in (*result["locations"], *result.get("relatedLocations", [])):
            region = where["physicalLocation"]["region"]
            assert region["endLine"] == region["startLine"]
            assert region["endColumn"] > region["startColumn"]


def test_related_locations_of_a_derived_term_and_a_contradiction(
    validator: Any, in_project: Path, options: RenderOptions
) -> None:
    # Martial law goes on and clause 1 cedes Crimea in law, which IMP-1 turns into a
    # constitutional amendment: UA-2 is violated through a derived term.
    derived = build(
        ("tests/fixtures/proposals/draft.yaml", "tests/fixtures/proposals/variant.yaml"),
        overrides={"ukraine.martial_law_ended": "false"},
    )
    run = valid(validator, render_sarif(derived, options))["runs"][0]
    ua2 = next(
        r
        for r in run["results"]
        if r["ruleId"] == "UA-2" and r["properties"]["proposal"] == "test-draft"
    )
    assert [
        (
            loc["physicalLocation"]["artifactLocation"]["uri"],
            loc["physicalLocation"]["region"]["startLine"],
            loc["message"]["text"],
        )
        for loc in ua2["relatedLocations"]
    ] == [
        (
            "tests/fixtures/rules/implications.yaml",
            2,
            "implication IMP-1 derives ukraine.constitution_amended = true",
        ),
        (
            "tests/fixtures/proposals/draft.yaml",
            9,
            "clause 1: Crimea (what IMP-1 derives ukraine.constitution_amended from)",
        ),
    ]
    contradiction = next(r for r in run["results"] if r["ruleId"] == "redlines.contradiction")
    assert [loc["message"]["text"] for loc in contradiction["relatedLocations"]] == [
        "clause 2 sets ukraine.army_cap to 600,000",
        "clause 4 sets ukraine.army_cap to 800,000",
    ]


def test_waivers_and_baseline_states_are_valid_sarif(
    validator: Any, reports: ReportSet, options: RenderOptions
) -> None:

    from redlines.report import BaselineEntry, Location, Waived

    report = reports.reports[0]
    waived = Waived(
        rule="UA-1",
        reason="Kept as leaked.",
        expires=None,
        location=Location(path=".redlines.yaml", line=3, col=5, end_col=15),
    )
    findings = tuple(
        f.model_copy(update={"waived": waived, "baseline": "unchanged"})
        if f.rule == "UA-1"
        else f.model_copy(update={"baseline": "new"})
        for f in report.findings
    )
    gone = BaselineEntry(
        fingerprint="0" * 32,
        rule="EU-1",
        kind="violated",
        proposal="test-draft",
        path="tests/fixtures/proposals/draft.yaml",
        line=9,
    )
    gated = reports.model_copy(
        update={
            "reports": (report.model_copy(update={"findings": findings}),),
            "absent": (gone,),
        }
    )
    run = valid(validator, render_sarif(gated, options))["runs"][0]
    ua1 = next(r for r in run["results"] if r["ruleId"] == "UA-1")
    assert ua1["baselineState"] == "unchanged"
    assert ua1["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Kept as leaked.",
            "location": {
                "physicalLocation": {
                    "artifactLocation": {"uri": ".redlines.yaml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 15},
                }
            },
            "properties": {"expires": "never"},
        }
    ]
    absent = run["results"][-1]
    assert (absent["baselineState"], absent["kind"], absent["level"]) == ("absent", "pass", "none")
