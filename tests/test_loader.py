"""Loading: positions kept for everything a finding points at; variants; rule directories."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

import redlines
from conftest import FIXTURES
from redlines.loader import bundled_dir, expand_proposal_paths, load_proposal, load_proposals
from redlines.models import InputError, Proposal, RuleBook


def test_rules_directory_holds_catalogue_rulesets_and_implications(fixture_rules: RuleBook) -> None:
    assert [rs.id for rs in fixture_rules.rulesets] == ["eu", "ukraine"]
    assert [i.id for i in fixture_rules.implications] == ["IMP-1"]
    rule = fixture_rules.rule("UA-3")
    assert rule is not None and rule.weight == 5 and rule.actor == "Ukraine"
    assert rule.origin is not None
    assert (rule.origin.file, rule.origin.line) == (str(FIXTURES / "rules" / "ukraine.yaml"), 27)
    catalogue = fixture_rules.catalogue
    assert catalogue.terms["ukraine.army_cap"].max == 3_000_000
    assert catalogue.terms["territory.crimea"].values[0] == "ukrainian"


def test_clauses_and_settings_keep_their_lines(draft: Proposal) -> None:
    assert [c.id for c in draft.clauses] == ["1", "2", "3"]
    clause = draft.clause("2")
    assert clause is not None and clause.origin is not None
    assert clause.origin.line == 15
    (setting,) = clause.settings
    assert (setting.term, setting.value) == ("ukraine.army_cap", 600_000)
    assert setting.origin is not None and (setting.origin.line, setting.origin.col) == (19, 7)
    assert draft.date == dt.date(2025, 11, 20)


def test_clause_sources_cite_proposal_sources_by_id(draft: Proposal) -> None:
    clause = draft.clause("1")
    assert clause is not None
    assert [s.url for s in clause.sources] == ["https://example.org/draft"]


def test_variant_replaces_drops_and_adds_and_points_at_its_own_lines(variant: Proposal) -> None:
    assert [c.id for c in variant.clauses] == ["1", "2", "4"]
    replaced, kept, added = variant.clauses
    assert replaced.origin is not None and replaced.origin.file.endswith("variant.yaml")
    assert kept.origin is not None and kept.origin.file.endswith("draft.yaml")
    assert added.origin is not None and added.origin.file.endswith("variant.yaml")
    assert variant.base_id == "test-draft"
    assert len(variant.lineage) == 2
    # a replacement may cite the variant's own sources
    assert replaced.sources[0].url == "https://example.org/variant"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir(parents=True)
    shutil.copy(FIXTURES / "proposals" / "draft.yaml", tmp_path / "draft.yaml")
    return tmp_path


def test_variant_cycle_is_an_error(tmp_path: Path, fixture_rules: RuleBook) -> None:
    root = repo(tmp_path)
    header = "proposal: {id: x, title: x, date: 2025-01-01, status: draft}\n"
    write(root / "a.yaml", "base: b.yaml\n" + header)
    write(root / "b.yaml", "base: a.yaml\n" + header)
    with pytest.raises(InputError, match=r"variants form a cycle: a\.yaml -> b\.yaml -> a\.yaml"):
        redlines.load_proposal(root / "a.yaml", fixture_rules)


def test_base_outside_the_repository_is_refused(tmp_path: Path, fixture_rules: RuleBook) -> None:
    root = repo(tmp_path / "inner")
    shutil.copy(FIXTURES / "proposals" / "draft.yaml", tmp_path / "outside.yaml")
    write(
        root / "v.yaml",
        "base: ../outside.yaml\nproposal: {id: v, title: v, date: 2025-01-01, status: draft}\n",
    )
    with pytest.raises(InputError, match="lies outside the repository"):
        redlines.load_proposal(root / "v.yaml", fixture_rules)


def test_replace_of_a_missing_clause_suggests_the_near_one(
    tmp_path: Path, fixture_rules: RuleBook
) -> None:
    root = repo(tmp_path)
    write(
        root / "v.yaml",
        "base: draft.yaml\n"
        "proposal: {id: v, title: v, date: 2025-01-01, status: draft}\n"
        "drop: ['33']\n",
    )
    with pytest.raises(InputError) as caught:
        redlines.load_proposal(root / "v.yaml", fixture_rules)
    (problem,) = caught.value.problems
    assert problem.line == 3
    assert "drop: the base has no clause '33' (did you mean '3'?)" in problem.message


def test_duplicate_rule_ids_across_files_name_both_places(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(FIXTURES / "rules", rules)
    text = (rules / "eu.yaml").read_text().replace("id: EU-1", "id: UA-1")
    (rules / "eu.yaml").write_text(text)
    with pytest.raises(InputError) as caught:
        redlines.load_rules(rules)
    (problem,) = caught.value.problems
    assert "duplicate rule id 'UA-1' (first at" in problem.message


def test_unknown_key_points_at_the_key_with_a_suggestion(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(FIXTURES / "rules", rules)
    text = (
        (rules / "eu.yaml")
        .read_text()
        .replace("    message: The draft recognises", "    mesage: The draft recognises")
    )
    (rules / "eu.yaml").write_text(text)
    with pytest.raises(InputError) as caught:
        redlines.load_rules(rules)
    (problem,) = caught.value.problems
    assert problem.message == "unknown key 'mesage' (did you mean 'message'?)"
    assert (problem.line, problem.col) == (10, 5)


def test_rule_tags_load_in_their_order_and_default_to_none(
    tmp_path: Path, fixture_rules: RuleBook
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(FIXTURES / "rules", rules)
    text = (rules / "eu.yaml").read_text()
    assert "    severity: red_line\n" in text
    (rules / "eu.yaml").write_text(
        text.replace(
            "    severity: red_line\n", "    severity: red_line\n    tags: [territory, eu-law]\n", 1
        )
    )
    tagged = redlines.load_rules(rules)
    assert tagged.rules[0].tags == ("territory", "eu-law")
    assert all(rule.tags == () for rule in fixture_rules.rules)


def test_yaml_11_booleans_stay_text(tmp_path: Path, fixture_rules: RuleBook) -> None:
    path = write(
        tmp_path / ".git" / ".." / "p.yaml",
        (
            "proposal: {id: p, title: p, date: 2025-01-01, status: draft}\n"
            "clauses:\n"
            "  - {id: '1', title: t, text: t, terms: {ukraine.constitution_amended: on}}\n"
        ),
    )
    with pytest.raises(InputError, match="write true or false"):
        redlines.load_proposal(path, fixture_rules)


def test_bundled_rules_and_proposals_are_found() -> None:
    assert (bundled_dir("rules") / "terms.yaml").is_file()
    assert (bundled_dir("proposals") / "us-28-point-2025-11.yaml").is_file()


def test_loading_pauses_the_garbage_collector_and_leaves_it_as_it_was(tmp_path: Path) -> None:
    import gc

    assert gc.isenabled()
    redlines.load_rules(FIXTURES / "rules")
    assert gc.isenabled()
    with pytest.raises(InputError):
        redlines.load_rules(tmp_path / "missing")
    assert gc.isenabled()
    gc.disable()
    try:
        redlines.load_rules(FIXTURES / "rules")
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()


# --- folders, and errors as a library caller sees them -----------------------------------------


def test_a_folder_stands_for_its_yaml_and_yml_files_at_any_depth(tmp_path: Path) -> None:
    draft = (FIXTURES / "proposals" / "draft.yaml").read_bytes()
    for name in ("b.yml", "a.yaml", "deeper/c.yaml", "notes.txt", "d.yaml.bak"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(draft)
    (tmp_path / "folder.yaml").mkdir()  # a folder, not a file
    found = expand_proposal_paths([tmp_path])
    assert found == [str(tmp_path / n) for n in ("a.yaml", "b.yml", "deeper/c.yaml")]
    assert [p.path for p in load_proposals([tmp_path / "deeper"])] == [found[-1]]


def test_an_empty_folder_is_an_error_at_its_name(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError) as caught:
        load_proposals([FIXTURES / "proposals" / "draft.yaml", tmp_path / "empty"])
    assert str(caught.value) == (
        f"{tmp_path / 'empty'}:1:1: no proposal files (*.yaml or *.yml) in this directory"
    )


def test_load_proposal_takes_a_folder_only_when_it_holds_one_proposal(
    tmp_path: Path, fixture_rules: RuleBook
) -> None:
    shutil.copy(FIXTURES / "proposals" / "draft.yaml", tmp_path / "draft.yml")
    assert load_proposal(tmp_path, fixture_rules).path == str(tmp_path / "draft.yml")
    shutil.copy(FIXTURES / "proposals" / "draft.yaml", tmp_path / "copy.yaml")
    with pytest.raises(InputError, match=r"holds 2 proposal files .*\(copy.yaml, draft.yml\)$"):
        load_proposal(tmp_path, fixture_rules)


def test_library_errors_name_the_path_not_a_command_line_flag(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        redlines.load_rules(FIXTURES / "rules" / "terms.yaml")
    (problem,) = caught.value.problems
    assert problem.file == str(FIXTURES / "rules" / "terms.yaml")
    assert problem.message == "is a file, not a rules directory (a folder holding terms.yaml)"


def test_a_device_or_pipe_named_like_a_rule_file_is_refused_outside_a_repository_too(
    tmp_path: Path,
) -> None:
    # Inside a repository a link to /dev/zero is refused as a link out of it (tests/bad_inputs);
    # outside one, as what it is: never called missing, never skipped.
    rules = tmp_path / "rules"
    shutil.copytree(FIXTURES / "rules", rules)
    (rules / "terms.yaml").unlink()
    (rules / "terms.yaml").symlink_to("/dev/zero")
    with pytest.raises(InputError) as caught:
        redlines.load_rules(rules)
    assert str(caught.value).endswith("terms.yaml:1:1: is not a regular file; name a YAML file")
    (rules / "terms.yaml").unlink()
    shutil.copy(FIXTURES / "rules" / "terms.yaml", rules / "terms.yaml")
    os.mkfifo(rules / "pipe.yml")
    with pytest.raises(InputError) as caught:
        redlines.load_rules(rules)
    assert str(caught.value).endswith("pipe.yml:1:1: is not a regular file; name a YAML file")


def test_a_variant_may_build_on_a_bundled_draft_by_its_id(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    write(
        root / "mine.yaml",
        "base: bundled:us-28-point-2025-11\n"
        "proposal: {id: mine, title: Mine, date: 2025-11-25, status: draft}\n"
        "replace:\n"
        '  "7": {id: "7", title: NATO, text: Open.,\n'
        "        terms: {ukraine.nato_path: alliance_consensus}}\n",
    )
    variant = redlines.load_proposal(root / "mine.yaml")
    bundled = bundled_dir("proposals") / "us-28-point-2025-11.yaml"
    assert variant.base_id == "us-28-point-2025-11"
    assert Path(variant.lineage[1]).resolve() == bundled.resolve()
    replaced = variant.clause("7")
    kept = variant.clause("6")
    assert replaced is not None and replaced.origin is not None and kept is not None
    assert replaced.origin.file.endswith("mine.yaml")
    assert kept.origin is not None and Path(kept.origin.file).resolve() == bundled.resolve()
    # The id names a bundled draft and nothing else: no path climbs out through it.
    for ref in ("bundled:../../etc/passwd", "bundled:us-28-point"):
        write(
            root / "bad.yaml",
            f"base: {ref}\nproposal: {{id: bad, title: B, date: 2025-11-25, status: draft}}\n",
        )
        with pytest.raises(InputError) as caught:
            redlines.load_proposal(root / "bad.yaml")
        (problem,) = caught.value.problems
        assert problem.message.startswith(f"no bundled draft '{ref.removeprefix('bundled:')}'")


def test_a_bundled_draft_loads_by_its_id() -> None:
    draft = redlines.load_proposal("bundled:us-28-point-2025-11")
    assert draft.id == "us-28-point-2025-11"
