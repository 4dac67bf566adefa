"""The configuration: `.redlines.yaml` or `[tool.redlines]`, found from the working directory up
to the repository root, overridden by flags, shown by `redlines config` with its sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate_repo import Repo
from golden_files import check_golden
from redlines.config import _toml_positions, find_config

GOLDEN = Path(__file__).parent / "golden" / "gate"


def test_a_configuration_is_read_from_the_repository_root_in_a_subfolder(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.write(".redlines.yaml", "rules: rules\nfail-on: never\n")
    run = repo.run("check", "draft.yaml", cwd="proposals")
    assert run.code == 0, run.err  # fail-on never, from the repository root's file
    assert "Overall: INFEASIBLE" in run.out


def test_the_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".redlines.yaml").write_text("fail-on: never\n", encoding="utf-8")
    repo = Repo(tmp_path)
    assert find_config(repo.root / "proposals") is None
    assert repo.check("--rules", "rules").code == 1


def test_outside_a_repository_only_the_working_directory_counts(tmp_path: Path) -> None:
    (tmp_path / ".redlines.yaml").write_text("fail-on: never\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    assert find_config(tmp_path) == tmp_path / ".redlines.yaml"
    assert find_config(tmp_path / "sub") is None


def test_flags_override_the_file_and_no_config_ignores_it(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.write(".redlines.yaml", "rules: rules\nfail-on: never\n")
    assert repo.check().code == 0
    assert repo.check("--fail-on", "red_line").code == 1
    assert repo.check("--no-config", "--rules", "rules").code == 1
    repo.write("other.yaml", "rules: rules\nfail-on: priority\nstrict: true\n")
    assert repo.check("--config", "other.yaml", "--no-strict", "--fail-on", "never").code == 0


def test_pyproject_tool_table(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.write(
        "pyproject.toml",
        '[project]\nname = "drafts"\n\n[tool.redlines]\nrules = "rules"\nfail-on = "never"\n'
        'select = ["UA-1", "EU-1"]\n',
    )
    run = repo.check()
    assert run.code == 0, run.err
    assert "2 of 6 rules checked (--select UA-1, --select EU-1)" in run.out


def test_a_pyproject_without_the_table_is_no_configuration(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.write("pyproject.toml", '[project]\nname = "drafts"\n')
    assert find_config(repo.root) is None


def test_two_configurations_in_one_folder_is_an_error(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.write(".redlines.yaml", "fail-on: never\n")
    repo.write("pyproject.toml", "[tool.redlines]\nfail-on = 'never'\n")
    run = repo.check()
    assert run.code == 2
    assert run.err.startswith("pyproject.toml:1:1: two configurations in one folder")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fail_on: never\n", ".redlines.yaml:1:1: unknown key 'fail_on' (did you mean 'fail-on'?)"),
        ("fail-on: sometimes\n", ".redlines.yaml:1:10: 'fail-on' must be one of red_line,"),
        (
            "strict: yes\n",
            ".redlines.yaml:1:9: 'strict': expected true or false, got the text 'yes'",
        ),
        ("format: pdf\n", ".redlines.yaml:1:9: 'format' must be one of text, json,"),
        ("outputs: [report.sarif]\n", ".redlines.yaml:1:11: an output is FORMAT:PATH"),
        ("rule-overrides: {UA-1: {severity: priority}}\n", "missing required key 'reason'"),
    ],
)
def test_bad_values_are_errors_at_their_line(tmp_path: Path, text: str, message: str) -> None:
    repo = Repo(tmp_path)
    repo.write(".redlines.yaml", "rules: rules\n" + text)
    run = repo.check()
    assert run.code == 2
    assert message in run.err.replace(".redlines.yaml:2:", ".redlines.yaml:1:"), run.err


def test_a_bad_pyproject_value_is_placed_at_its_line(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.write("pyproject.toml", '[project]\nname = "x"\n\n[tool.redlines]\nfail-on = "often"\n')
    run = repo.check()
    assert run.code == 2
    assert run.err.startswith("pyproject.toml:5:11: 'fail-on' must be one of red_line"), run.err
    repo.write("pyproject.toml", "[tool.redlines\n")
    assert repo.check().err.startswith("pyproject.toml:1:15: not valid TOML: ")


def test_toml_positions_follow_tables_arrays_and_keys() -> None:
    text = (
        '[tool.redlines]\nfail-on = "never"\nsummary = """\nfake = 1\n"""\n'
        "[[tool.redlines.waivers]]\nrule = 'UA-1'\n[[tool.redlines.waivers]]\n  rule = 'EU-1'\n"
        '[tool.redlines.rule-overrides."UA-3"]\nweight = 2\n'
    )
    values, keys = _toml_positions(text)
    assert keys[("tool", "redlines", "fail-on")] == (2, 1)
    assert ("tool", "redlines", "fake") not in keys  # inside a multi-line string
    assert values[("tool", "redlines", "waivers", 1, "rule")] == (9, 10)
    assert keys[("tool", "redlines", "rule-overrides", "UA-3", "weight")] == (11, 1)


def test_redlines_config_says_where_each_setting_came_from(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.write(
        ".redlines.yaml",
        "# the gate of this repository\n"
        "rules: [bundled]\n"
        "fail-on: priority\n"
        "rule-overrides:\n"
        "  UA-ARMY-1: {severity: priority, weight: 4, reason: Negotiable for us.}\n"
        "select: [territory, army]\n"
        "outputs: [sarif:reports/redlines.sarif]\n"
        "waivers:\n"
        "  - {rule: UA-NATO-1, proposals: 'us-*', reason: Documented as leaked., "
        "expires: 2999-12-31}\n",
    )
    run = repo.run("config", "--strict", "--ignore", "preference")
    assert run.code == 0, run.err
    check_golden(run.out, GOLDEN / "config.txt")


def test_redlines_config_checks_the_settings_against_the_rule_book(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.write(
        ".redlines.yaml",
        "rules: rules\nrule-overrides:\n  UA-9: {disabled: true, reason: gone}\n",
    )
    run = repo.run("config")
    assert run.code == 2
    assert run.err == (
        ".redlines.yaml:3:3: no rule 'UA-9' in the rule book to override (did you mean 'UA-4'?)\n"
    )
