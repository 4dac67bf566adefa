"""`redlines new`: skeletons that load as written, list the catalogue, and wire the editor.

Each test runs `redlines new` as a user does, in a made-up repository, then reads the file with
the other commands (`check`, `lint`, check-jsonschema) the way the user would next.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import redlines
from conftest import FIXTURES, ROOT, run_cli
from golden_files import check_golden

GOLDEN = Path(__file__).resolve().parent / "golden" / "authoring"
DATE = "2026-01-15"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    shutil.copytree(FIXTURES / "rules", root / "rules")
    shutil.copytree(FIXTURES / "proposals", root / "proposals")
    return root


def new(repo: Path, *args: str) -> str:
    run = run_cli("new", *args, "--date", DATE, cwd=repo)
    assert run.code == 0, run.err
    assert run.err == ""
    return run.out


def test_new_proposal_writes_the_skeleton(repo: Path) -> None:
    said = new(repo, "proposal", "proposals/my-draft.yaml", "--rules", "rules")
    text = (repo / "proposals" / "my-draft.yaml").read_text(encoding="utf-8")
    check_golden(text, GOLDEN / "new-proposal.yaml")
    check_golden(said, GOLDEN / "new-proposal.out")


def test_new_variant_of_a_local_draft_writes_the_skeleton(repo: Path) -> None:
    said = new(
        repo, "variant", "proposals/sub/my-variant.yaml", "--of", "proposals/draft.yaml",
        "--rules", "rules", "--title", "Draft, army cap raised",
    )  # fmt: skip
    text = (repo / "proposals" / "sub" / "my-variant.yaml").read_text(encoding="utf-8")
    check_golden(text, GOLDEN / "new-variant.yaml")
    assert "base: ../draft.yaml" in text
    assert said.startswith("proposals/sub/my-variant.yaml: a new variant (my-variant)")


@pytest.mark.parametrize("rules", [None, "rules"])
def test_a_new_proposal_loads_as_written_and_lints_without_errors(
    repo: Path, rules: str | None
) -> None:
    with_rules = ["--rules", rules] if rules else []
    new(repo, "proposal", "proposals/fresh.yaml", *with_rules)
    check = run_cli("check", "proposals/fresh.yaml", *with_rules, cwd=repo)
    assert check.code == 0, check.out + check.err
    assert "fresh — REPLACE with the draft's title" in check.out
    lint = run_cli("lint", "proposals/fresh.yaml", *with_rules, cwd=repo)
    assert " 0 errors" in lint.out, lint.out


def test_every_term_of_the_catalogue_is_listed_once_by_area(repo: Path) -> None:
    new(repo, "proposal", "proposals/fresh.yaml")
    text = (repo / "proposals" / "fresh.yaml").read_text(encoding="utf-8")
    catalogue = redlines.load_rules().catalogue
    for name, term in catalogue.terms.items():
        lines = [line for line in text.splitlines() if line.strip().startswith(f"# {name}:")]
        assert len(lines) == 1, name
        assert term.title in lines[0]
    assert "# territory.crimea:" in text and "one of ukrainian | contested |" in text
    assert "# ukraine.army_cap:" in text and "integer 0..3000000 personnel" in text
    areas = {name.split(".")[0] for name in catalogue.terms}
    assert all(f"# --- {area} (" in text for area in areas)


def test_uncommenting_a_term_and_giving_it_a_value_sets_it(repo: Path) -> None:
    new(repo, "proposal", "proposals/fresh.yaml")
    path = repo / "proposals" / "fresh.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    (at,) = [i for i, line in enumerate(lines) if line.strip().startswith("# ukraine.army_cap:")]
    lines[at] = lines[at].replace("# ukraine.army_cap:", "ukraine.army_cap: 600000", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    draft = redlines.load_proposal(path)
    assert [(s.term, s.value) for s in draft.clauses[0].settings] == [("ukraine.army_cap", 600_000)]


def test_the_modeline_names_the_schema_which_is_written_once(repo: Path) -> None:
    said = new(repo, "proposal", "proposals/fresh.yaml")
    schema = repo / "schemas" / "proposal.schema.json"
    first = (repo / "proposals" / "fresh.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/proposal.schema.json"
    assert json.loads(schema.read_text())["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "schemas/proposal.schema.json: the proposal schema" in said
    assert "redlines schema proposal --output schemas/proposal.schema.json" in said
    schema.write_text("{}", encoding="utf-8")
    again = new(repo, "proposal", "proposals/second.yaml")
    assert schema.read_text() == "{}", "an existing schema is left alone"
    assert "schemas/" not in again


def test_a_new_proposal_validates_against_its_schema(repo: Path) -> None:
    new(repo, "proposal", "proposals/fresh.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile",
         str(repo / "schemas" / "proposal.schema.json"), str(repo / "proposals" / "fresh.yaml")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_schema_option_points_the_modeline_elsewhere(repo: Path) -> None:
    new(repo, "proposal", "proposals/fresh.yaml", "--schema", ".editor/p.json")
    first = (repo / "proposals" / "fresh.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first.endswith("$schema=../.editor/p.json")
    assert (repo / ".editor" / "p.json").is_file()


def test_a_variant_of_a_bundled_draft_names_it_and_loads(repo: Path) -> None:
    new(repo, "variant", "proposals/mine.yaml", "--of", "us-28-point-2025-11")
    text = (repo / "proposals" / "mine.yaml").read_text(encoding="utf-8")
    assert "\nbase: bundled:us-28-point-2025-11\n" in text
    assert '#   "7"   NATO membership renounced' in text
    variant = redlines.load_proposal(repo / "proposals" / "mine.yaml")
    bundled = redlines.load_proposal(ROOT / "proposals" / "us-28-point-2025-11.yaml")
    assert variant.base_id == "us-28-point-2025-11"
    assert [c.id for c in variant.clauses] == [c.id for c in bundled.clauses]
    same = new(repo, "variant", "proposals/mine2.yaml", "--of", "bundled:us-28-point-2025-11")
    assert "mine2" in same


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["proposal", "proposals/My Draft.yaml"], "e.g. my-draft.yaml (the id is the file name)"),
        (["proposal", "proposals/draft.txt"], "a proposal file ends in .yaml or .yml"),
        (["proposal", "proposals/draft.yaml"], "proposals/draft.yaml exists; choose another"),
        (["variant", "proposals/v.yaml", "--of", "us-28-point"], "mean 'us-28-point-2025-11'?"),
        (["variant", "proposals/v.yaml"], "the following arguments are required: --of"),
    ],
)  # fmt: skip
def test_bad_requests_are_refused_with_the_way_out(
    repo: Path, args: list[str], message: str
) -> None:
    before = sorted(p.name for p in (repo / "proposals").iterdir())
    run = run_cli("new", *args, cwd=repo)
    assert run.code == 2
    assert message in run.err
    assert "Traceback" not in run.err
    assert sorted(p.name for p in (repo / "proposals").iterdir()) == before


def test_force_overwrites(repo: Path) -> None:
    new(repo, "proposal", "proposals/draft.yaml", "--force", "--rules", "rules")
    assert "REPLACE with the draft's title" in (repo / "proposals" / "draft.yaml").read_text()


def test_a_local_base_outside_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    shutil.copy(FIXTURES / "proposals" / "draft.yaml", outside)
    run = run_cli(
        "new", "variant", "proposals/v.yaml", "--of", str(outside), "--rules", "rules", cwd=repo
    )
    assert run.code == 2
    assert "lies outside the repository" in run.err
    assert not (repo / "proposals" / "v.yaml").exists()
