"""--select and --ignore by rule id, glob, tag, actor or severity; every bundled rule tagged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import redlines
from gate_repo import Repo

# Every bundled rule carries at least one of these themes (and may carry narrower tags).
THEMES = {
    "territory", "army", "alliances", "guarantees", "foreign-forces", "military-aid",
    "sanctions", "assets", "reparations", "energy", "humanitarian", "accountability",
    "process", "ceasefire", "elections", "referendum", "constitution", "language", "religion",
    "society", "navigation", "reconstruction", "eu-accession", "treaty",
}  # fmt: skip


def test_every_bundled_rule_is_tagged_by_theme() -> None:
    for rule in redlines.load_rules().rules:
        assert set(rule.tags) & THEMES, f"{rule.id} has no theme tag: {rule.tags}"


def test_the_tags_line_follows_severity_in_every_bundled_rule() -> None:
    rules = Path(redlines.__file__).resolve().parents[2] / "rules"
    for path in rules.glob("*.yaml"):
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if re.match(r"^    tags: ", line):
                assert lines[i - 1].startswith("    severity: "), f"{path.name}:{i + 1}"


def checked(run_out: str) -> list[str]:
    return sorted(set(re.findall(r"\b(?:EU|UA)-\d\b", run_out)))


@pytest.mark.parametrize(
    ("args", "rules"),
    [
        (["--select", "UA-1"], ["UA-1"]),
        (["--select", "UA-*"], ["UA-1", "UA-2", "UA-3", "UA-4"]),
        (["--select", "eu"], ["EU-1"]),
        (["--select", "European Union"], ["EU-1"]),
        (["--select", "red_line"], ["EU-1", "UA-1", "UA-2"]),
        (["--select", "red_line,priority", "--ignore", "UA-2"], ["EU-1", "UA-1", "UA-3"]),
        (["--ignore", "ukraine"], ["EU-1"]),
    ],
)
def test_selectors(tmp_path: Path, args: list[str], rules: list[str]) -> None:
    repo = Repo(tmp_path)
    run = repo.check("--rules", "rules", "--fail-on", "never", "-f", "json", *args)
    assert run.code == 0, run.err
    import json

    (report,) = json.loads(run.out)["reports"]
    assert sorted(f["rule"] for f in report["findings"]) == rules


def test_select_by_tag_on_the_bundled_rules(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    run = repo.run(
        "check",
        str(Path(redlines.__file__).resolve().parents[2] / "proposals/us-28-point-2025-11.yaml"),
        "--select",
        "army",
        "-f",
        "json",
        "--fail-on",
        "never",
    )
    assert run.code == 0, run.err
    import json

    (report,) = json.loads(run.out)["reports"]
    book = redlines.load_rules()
    army = {r.id for r in book.rules if "army" in r.tags}
    assert {f["rule"] for f in report["findings"]} <= army
    assert report["gate"]["select"] == ["army"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--select", "territroy"], "--select: 'territroy' is no rule id, tag, actor or severity"),
        (["--select", "XX-*"], "'XX-*' matches no rule id of the rule book"),
        (["--select", "priority", "--ignore", "UA-3"], "keeps no rule: nothing would be checked"),
    ],
)
def test_selecting_nothing_is_an_error(tmp_path: Path, args: list[str], message: str) -> None:
    repo = Repo(tmp_path)
    run = repo.check("--rules", "rules", *args)
    assert run.code == 2
    assert message in run.err
    assert "Traceback" not in run.err


def test_a_bad_selector_in_the_configuration_points_at_its_line(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.write(".redlines.yaml", "rules: rules\nignore: [UA-1, nonsense]\n")
    run = repo.check()
    assert run.code == 2
    assert run.err.startswith(
        ".redlines.yaml:2:9: 'nonsense' is no rule id, tag, actor or severity of the rule book"
    )
