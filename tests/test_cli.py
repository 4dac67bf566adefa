"""The CLI as a user runs it: a subprocess per exit code, formats, what-ifs, schemas."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import FIXTURES, run_cli
from redlines import checkrun, cli
from redlines.models import InputWarning, Proposal, RuleBook

RULES = str(FIXTURES / "rules")
DRAFT = str(FIXTURES / "proposals" / "draft.yaml")


def test_exit_0_when_no_red_line_is_crossed() -> None:
    run = run_cli("check", DRAFT, "--rules", RULES, "--set", "territory.crimea=ukrainian")
    assert run.code == 0, run.err
    assert "Overall: INCOMPLETE" in run.out
    assert run.out.rstrip().endswith("0 contradictions")


def test_exit_1_when_a_red_line_is_crossed() -> None:
    run = run_cli("check", DRAFT, "--rules", RULES)
    assert run.code == 1
    assert "Overall: INFEASIBLE" in run.out
    assert f"{DRAFT}:9: clause 1 — EU-1 Non-recognition of Crimea's annexation" in run.out
    assert "\033[" not in run.out  # no colour when not on a terminal


def test_fail_on_and_strict_change_what_fails() -> None:
    relaxed = run_cli("check", DRAFT, "--rules", RULES, "--fail-on", "never")
    assert relaxed.code == 0
    open_only = ["--set", "territory.crimea=ukrainian"]
    assert run_cli("check", DRAFT, "--rules", RULES, *open_only, "--strict").code == 1
    assert run_cli("check", DRAFT, "--rules", RULES, *open_only, "--fail-on", "priority").code == 1


def test_exit_2_with_file_line_col_on_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("proposal: {id: p, title: p, date: 2025-13-01, status: draft}\nclauses: []\n")
    run = run_cli("check", str(bad), "--rules", RULES)
    assert run.code == 2
    assert run.err.startswith(f"{bad}:1:")
    assert "Traceback" not in run.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check"], "the following arguments are required: PROPOSAL"),
        (
            ["check", DRAFT, "--rules", RULES, "--actor", "ukrane"],
            "unknown actor 'ukrane' (did you mean 'ukraine'?)",
        ),
        (["check", DRAFT, "--rules", RULES, "--as-of", "someday"], "is not a date"),
        # date.fromisoformat would read these two; the documented form is YYYY-MM-DD only.
        (["check", DRAFT, "--as-of", "20251120"], "'20251120' is not a date (YYYY-MM-DD)"),
        (["space", "--as-of", "2025-W47-4"], "'2025-W47-4' is not a date (YYYY-MM-DD)"),
        (["check", DRAFT, "--set", "ukraine.army_cap=1\n2"], "holds a line break"),
        (["check", DRAFT, "--actor", "ukraine\n"], "holds a line break"),
        (["check", DRAFT, "--rules", RULES, "--set", "territory.crimea"], "is not TERM=VALUE"),
        (["check", DRAFT, "--rules", "/nonexistent"], "no such rules directory"),
        (["check", "/nonexistent.yaml", "--rules", RULES], "file not found"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_exit_2_on_bad_usage(args: list[str], message: str) -> None:
    run = run_cli(*args)
    assert run.code == 2
    assert message in run.err
    assert "Traceback" not in run.err


def test_json_output_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    run = run_cli("check", DRAFT, "--rules", RULES, "--format", "json", "--output", str(out))
    assert run.code == 1 and run.out == ""
    data = json.loads(out.read_text())
    assert data["overall"] == "infeasible"
    (report,) = data["reports"]
    assert report["proposal"]["id"] == "test-draft"
    schema = json.loads(run_cli("schema", "report").out)
    jsonschema.validate(data, schema)


def test_the_report_schema_lists_the_allowed_values() -> None:
    definitions = json.loads(run_cli("schema", "report").out)["definitions"]
    assert definitions["TermState"]["properties"]["set_by"]["enum"] == [
        "clause",
        "implication",
        "override",
        "unaddressed",
        "contradiction",
        "tie",
    ]


def test_terms_says_what_each_value_means_and_filters_by_words() -> None:
    run = run_cli("terms", "territory", "crimea")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0].split() == ["territory.crimea", "Status", "of", "Crimea", "and", "Sevastopol"]
    assert "- ukrainian: The region returns to Ukrainian control." in run.out
    assert lines[-1] == "1 term"
    army = run_cli("terms", "ARMY").out
    assert "ukraine.army_cap" in army and "territory." not in army
    missing = run_cli("terms", "terrtory")
    assert missing.code == 2
    assert "no term matches 'terrtory' (did you mean 'territory'?)" in missing.err
    as_json = json.loads(run_cli("terms", "crimea", "-f", "json").out)
    assert list(as_json) == ["territory.crimea"]
    assert as_json["territory.crimea"]["meanings"]["contested"].startswith("Its status is left")


def test_terms_lists_the_catalogue() -> None:
    run = run_cli("terms", "--rules", RULES)
    assert run.code == 0
    assert "ukraine.army_cap" in run.out and "integer 0..3,000,000 personnel" in run.out
    as_json = json.loads(run_cli("terms", "--rules", RULES, "--format", "json").out)
    assert as_json["territory.crimea"]["values"][0] == "ukrainian"


def test_version() -> None:
    run = run_cli("--version")
    assert run.code == 0 and run.out.startswith("redlines ")


def test_colour_only_when_asked_or_on_a_terminal() -> None:
    coloured = run_cli("check", DRAFT, "--rules", RULES, "--color", "always")
    assert "\033[31mINFEASIBLE\033[0m" in coloured.out
    plain = run_cli("check", DRAFT, "--rules", RULES, "--color", "never")
    assert "\033[" not in plain.out
    assert plain.out.replace("\n", "") == run_cli("check", DRAFT, "--rules", RULES).out.replace(
        "\n", ""
    )


# --- folders given for proposals ----------------------------------------------------------------

NO_PROPOSALS = "no proposal files (*.yaml or *.yml) in this directory"


def folder_of(tmp_path: Path, *names: str) -> Path:
    """A folder holding a copy of the draft under each name (an empty folder for none)."""
    folder = tmp_path / "drafts"
    folder.mkdir()
    for name in names:
        (folder / name).write_bytes(Path(DRAFT).read_bytes())
    return folder


@pytest.mark.parametrize(
    "command",
    [
        ["check", "{dir}"],
        ["check", DRAFT, "{dir}"],
        ["space", DRAFT, "{dir}"],
        ["diff", "{dir}", DRAFT],
        ["diff", DRAFT, "{dir}"],
        ["explain", "EU-1", "{dir}"],
        ["lint", "{dir}"],
    ],
    ids=["check", "check-among-files", "space", "diff-old", "diff-new", "explain", "lint"],
)
def test_an_empty_folder_is_an_error_in_every_command(tmp_path: Path, command: list[str]) -> None:
    folder = folder_of(tmp_path)
    args = [arg.replace("{dir}", str(folder)) for arg in command]
    run = run_cli(*args, "--rules", RULES)
    assert (run.code, run.err) == (2, f"{folder}:1:1: {NO_PROPOSALS}\n")


@pytest.mark.parametrize(
    "command",
    [["diff", "{dir}", DRAFT], ["diff", DRAFT, "{dir}"], ["explain", "EU-1", "{dir}"]],
    ids=["diff-old", "diff-new", "explain"],
)
def test_a_folder_of_several_proposals_is_an_error_where_one_is_expected(
    tmp_path: Path, command: list[str]
) -> None:
    folder = folder_of(tmp_path, "a.yaml", "b.yml")
    args = [arg.replace("{dir}", str(folder)) for arg in command]
    run = run_cli(*args, "--rules", RULES)
    assert (run.code, run.err) == (
        2,
        f"{folder}:1:1: this directory holds 2 proposal files where one proposal is expected; "
        "name one of them (a.yaml, b.yml)\n",
    )


def test_a_folder_of_one_proposal_stands_for_that_file(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "only.yml")
    by_folder = run_cli("explain", "EU-1", str(folder), "--rules", RULES, "--format", "json")
    by_file = run_cli("explain", "EU-1", str(folder / "only.yml"), "--rules", RULES, "-f", "json")
    assert by_folder.code == by_file.code == 0, by_folder.err
    assert by_folder.out == by_file.out


def test_yml_files_in_a_folder_are_proposals_too(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "a.yaml", "b.yml", "notes.txt")
    run = run_cli("check", str(folder), "--rules", RULES, "--format", "json")
    assert run.code == 1, run.err
    paths = [report["proposal"]["path"] for report in json.loads(run.out)["reports"]]
    assert paths == [str(folder / "a.yaml"), str(folder / "b.yml")]


# --- the warnings channel -----------------------------------------------------------------------


def _warned_loads(monkeypatch: pytest.MonkeyPatch, message: str) -> InputWarning:
    """Make every loaded proposal carry one warning at the draft's clause 1 (what a deprecated
    term name there gives), as the loader hands warnings on."""
    warning = InputWarning(file=DRAFT, line=9, col=5, message=message)
    real = checkrun.load_proposal

    def loading(path: str, book: RuleBook) -> Proposal:
        return real(path, book).model_copy(update={"warnings": (warning,)})

    monkeypatch.setattr(checkrun, "load_proposal", loading)  # check
    monkeypatch.setattr(cli, "load_proposal", loading)  # diff, explain
    monkeypatch.setattr(
        cli, "load_proposals", lambda paths, book: [loading(p, book) for p in paths]
    )
    return warning


def test_a_warning_goes_to_stderr_once_and_leaves_the_exit_code_alone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plain = cli.main(["check", DRAFT, "--rules", RULES, "--format", "json"])
    capsys.readouterr()
    _warned_loads(monkeypatch, "term 'old.name' was renamed")
    variant = str(FIXTURES / "proposals" / "variant.yaml")  # its base is the draft: same warning
    out = tmp_path / "report.json"
    code = cli.main(["check", DRAFT, variant, "--rules", RULES, "-f", "json", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == plain == 1
    assert err == f"{DRAFT}:9:5: warning: term 'old.name' was renamed\n"
    reports = json.loads(out.read_text(encoding="utf-8"))["reports"]
    assert [r["warnings"] for r in reports] == [
        [{"file": DRAFT, "line": 9, "col": 5, "message": "term 'old.name' was renamed"}]
    ] * 2


@pytest.mark.parametrize("command", ["lint", "space", "explain"])
def test_every_command_prints_the_warnings_of_what_it_loaded(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    _warned_loads(monkeypatch, "deprecated")
    args = {"lint": [DRAFT], "space": [DRAFT], "explain": ["UA-1", DRAFT]}[command]
    cli.main([command, *args, "--rules", RULES])
    assert capsys.readouterr().err.splitlines() == [f"{DRAFT}:9:5: warning: deprecated"]


def test_a_warning_in_an_argument_is_printed_at_its_option() -> None:
    warning = InputWarning.in_argument("overrides", "term 'old.name' was renamed")
    assert cli._as_printed(warning) == "--set:1:1: warning: term 'old.name' was renamed"
    assert str(warning) == "overrides: warning: term 'old.name' was renamed"
