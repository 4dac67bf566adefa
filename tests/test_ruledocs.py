"""`redlines rules list`, `redlines docs`, and the rule pages reports link to.

The bundled rules' pages are committed under docs/rules/; a test fails when they no longer match
the rule files, and names the command that writes them again.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, run_cli
from golden_files import check_golden
from redlines import load_rules
from redlines.operators import OPERATORS
from redlines.render.docs import PHRASES
from redlines.render.sarif import INFORMATION_URI
from redlines.ruledocs import HOMEPAGE, anchor, bundled_pages_url
from redlines.version import __version__

GOLDEN = Path(__file__).resolve().parent / "golden" / "authoring"
PAGES = ROOT / "docs" / "rules"
REFRESH = "redlines docs --rules rules --output docs/rules"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    shutil.copytree(FIXTURES / "rules", root / "rules")
    shutil.copytree(FIXTURES / "proposals", root / "proposals")
    return root


def tag(repo: Path) -> None:
    """Tags on the test rules, as a rule writer adds them after `severity:`."""
    ukraine = repo / "rules" / "ukraine.yaml"
    text = ukraine.read_text(encoding="utf-8")
    text = text.replace("    severity: red_line\n", "    severity: red_line\n    tags: [law]\n")
    text = text.replace("    severity: priority\n", "    severity: priority\n    tags: [army]\n")
    ukraine.write_text(text, encoding="utf-8")


# --- rules list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_rules_list_golden(repo: Path, fmt: str) -> None:
    tag(repo)
    run = run_cli(
        "rules", "list", "--rules", "rules", "--rule-docs", "https://rules.example.org/pages",
        "-f", fmt, cwd=repo,
    )  # fmt: skip
    assert run.code == 0, run.err
    check_golden(run.out, GOLDEN / f"rules-list.{'md' if fmt == 'markdown' else fmt}")


def test_rules_list_filters_combine(repo: Path) -> None:
    tag(repo)

    def ids(*args: str) -> list[str]:
        run = run_cli("rules", "list", "--rules", "rules", "-f", "json", *args, cwd=repo)
        assert run.code == 0, run.err
        return [rule["id"] for rule in json.loads(run.out)["rules"]]

    assert ids() == ["EU-1", "EU-2", "UA-1", "UA-2", "UA-3", "UA-4"]
    assert ids("--actor", "Ukraine") == ["UA-1", "UA-2", "UA-3", "UA-4"]
    assert ids("--severity", "red_line") == ["EU-1", "EU-2", "UA-1", "UA-2"]
    assert ids("--severity", "priority", "--severity", "preference") == ["UA-3", "UA-4"]
    assert ids("--tag", "law") == ["UA-1", "UA-2"]
    assert ids("--tag", "law", "--tag", "army") == ["UA-1", "UA-2", "UA-3"]
    assert ids("--actor", "eu", "--tag", "law") == []
    # EU-2 holds from 2026-01-26 on.
    assert ids("--as-of", "2025-12-31", "--actor", "eu") == ["EU-1"]


def test_rules_list_refuses_an_unknown_tag_or_actor(repo: Path) -> None:
    tag(repo)
    run = run_cli("rules", "list", "--rules", "rules", "--tag", "lawz", cwd=repo)
    assert run.code == 2
    assert "no rule is tagged 'lawz' (did you mean 'law'?); tags: army, law" in run.err
    run = run_cli("rules", "list", "--rules", "rules", "--actor", "ukrane", cwd=repo)
    assert run.code == 2
    assert "unknown actor 'ukrane' (did you mean 'ukraine'?)" in run.err


def test_rules_list_of_the_bundled_rules_links_their_pages() -> None:
    run = run_cli("rules", "list", "--actor", "ukraine", "--severity", "red_line", "-f", "json")
    listing = json.loads(run.out)
    page = listing["rules"][0]["page"]
    assert page == f"{bundled_pages_url()}/ukraine.md#{anchor(listing['rules'][0]['id'])}"
    assert all(rule["severity"] == "red_line" for rule in listing["rules"])


# --- docs ---------------------------------------------------------------------------------------


def test_docs_pages_golden(repo: Path) -> None:
    tag(repo)
    run = run_cli("docs", "--rules", "rules", "--output", "docs/rules", cwd=repo)
    assert run.code == 0, run.err
    assert run.out == "3 pages written to docs/rules: README.md, eu.md, ukraine.md\n"
    for name in ("README.md", "eu.md", "ukraine.md"):
        page = (repo / "docs" / "rules" / name).read_text(encoding="utf-8")
        check_golden(page, GOLDEN / f"docs-{name}")


def test_committed_pages_of_the_bundled_rules_are_fresh(tmp_path: Path) -> None:
    # Written the way the committed ones are: from a repository's root, rules/ beside docs/.
    (tmp_path / ".git").mkdir()
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    run = run_cli("docs", "--rules", "rules", "--output", "docs/rules", cwd=tmp_path)
    assert run.code == 0, run.err
    fresh = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "docs/rules").iterdir()}
    committed = {p.name: p.read_text(encoding="utf-8") for p in PAGES.iterdir()}
    stale = sorted(
        name for name in fresh.keys() | committed.keys() if fresh.get(name) != committed.get(name)
    )
    assert not stale, f"docs/rules/ is stale ({', '.join(stale)}); run: {REFRESH}"


def test_every_bundled_rule_has_its_anchor_on_its_page() -> None:
    for rule in load_rules(ROOT / "rules").rules:
        page = (PAGES / f"{rule.ruleset}.md").read_text(encoding="utf-8")
        assert f'<a id="{anchor(rule.id)}"></a>' in page, rule.id
    index = (PAGES / "README.md").read_text(encoding="utf-8")
    for imp in load_rules(ROOT / "rules").implications:
        assert f'<a id="{anchor(imp.id)}"></a>' in index, imp.id


def test_docs_output_must_be_a_folder(repo: Path) -> None:
    (repo / "file.md").write_text("x")
    run = run_cli("docs", "--rules", "rules", "--output", "file.md", cwd=repo)
    assert run.code == 2
    assert "--output file.md is a file; name a folder for the pages" in run.err


def test_every_operator_reads_as_a_phrase() -> None:
    assert set(PHRASES) == set(OPERATORS)


# --- the links ----------------------------------------------------------------------------------


def test_the_bundled_pages_live_at_the_release_tag_on_the_homepage() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert HOMEPAGE == pyproject["project"]["urls"]["Homepage"] == INFORMATION_URI
    assert bundled_pages_url() == f"{HOMEPAGE}/blob/v{__version__}/docs/rules"


def test_sarif_links_each_rule_to_its_page(repo: Path) -> None:
    bundled = json.loads(
        run_cli(
            "check", "proposals/us-28-point-2025-11.yaml", "-f", "sarif", "--fail-on", "never"
        ).out
    )
    rules = bundled["runs"][0]["tool"]["driver"]["rules"]
    nato = next(r for r in rules if r["id"] == "UA-NATO-1")
    assert nato["helpUri"] == f"{bundled_pages_url()}/ukraine.md#ua-nato-1"
    own = json.loads(
        run_cli("check", "proposals/draft.yaml", "--rules", "rules", "-f", "sarif", cwd=repo).out
    )
    assert all("helpUri" not in r for r in own["runs"][0]["tool"]["driver"]["rules"])
    published = run_cli(
        "check", "proposals/draft.yaml", "--rules", "rules", "-f", "markdown",
        "--rule-docs", "https://example.org/our-rules/", cwd=repo,
    ).out  # fmt: skip
    assert "**[UA-1](https://example.org/our-rules/ukraine.md#ua-1)**" in published
    html = run_cli(
        "check", "proposals/draft.yaml", "--rules", "rules", "-f", "html",
        "--rule-docs", "https://example.org/our-rules", cwd=repo,
    ).out  # fmt: skip
    assert re.search(
        r'<a class="rule" href="https://example.org/our-rules/eu.md#eu-1"[^>]*>EU-1</a>', html
    )
