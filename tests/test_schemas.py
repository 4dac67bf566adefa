"""`redlines schema`: draft-07 schemas that know the catalogue, with every property described.

An editor (VS Code's YAML extension, i.e. yaml-language-server) completes and validates from
these, so the tests use the validator the project already ships for schemas, check-jsonschema,
on the files users write.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from conftest import FIXTURES, ROOT, run_cli
from redlines.loader import load_rules
from redlines.schemas import KINDS, published_schema, undescribed

BUNDLED_PROPOSALS = sorted((ROOT / "proposals").rglob("*.yaml"))
BUNDLED_RULE_FILES = sorted(p for p in (ROOT / "rules").glob("*.yaml") if p.name != "terms.yaml")
CHECK_JSONSCHEMA = [sys.executable, "-m", "check_jsonschema"]


def write_schema(tmp_path: Path, kind: str, *rules: str) -> Path:
    out = tmp_path / f"{kind}.schema.json"
    run = run_cli("schema", kind, *rules, "--output", str(out))
    assert run.code == 0, run.err
    assert run.out == ""
    return out


def check_jsonschema(schema: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CHECK_JSONSCHEMA, "--schemafile", str(schema), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("kind", KINDS)
def test_every_property_of_every_schema_has_a_description(kind: str) -> None:
    for catalogue in (load_rules().catalogue, load_rules(FIXTURES / "rules").catalogue):
        schema = published_schema(kind, catalogue)
        assert undescribed(schema) == [], f"{kind}: properties without a description"
        assert schema["description"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_schema_is_draft_07_as_yaml_language_server_reads_it(kind: str) -> None:
    schema = json.loads(run_cli("schema", kind).out)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)
    text = json.dumps(schema)
    # Keywords of later dialects that a draft-07 validator silently ignores.
    for later in ("$defs", "prefixItems", "unevaluatedProperties", "dependentRequired", "$anchor"):
        assert f'"{later}"' not in text, f"{kind} uses {later}"
    refs = [node for node in _nodes(schema) if "$ref" in node]
    assert all(len(node) == 1 for node in refs), "draft-07 ignores what stands beside a $ref"


def _nodes(node: object) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _nodes(value)
    elif isinstance(node, list):
        for item in node:
            found += _nodes(item)
    return found


def test_every_bundled_proposal_validates_against_the_catalogue_aware_schema(
    tmp_path: Path,
) -> None:
    schema = write_schema(tmp_path, "proposal")
    done = check_jsonschema(schema, *BUNDLED_PROPOSALS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_bundled_rule_file_validates_against_the_rules_schema(tmp_path: Path) -> None:
    rules = [p for p in BUNDLED_RULE_FILES if p.name not in ("implications.yaml", "ties.yaml")]
    done = check_jsonschema(write_schema(tmp_path, "rules"), *rules)
    assert done.returncode == 0, done.stdout + done.stderr
    done = check_jsonschema(write_schema(tmp_path, "ties"), ROOT / "rules" / "ties.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    done = check_jsonschema(
        write_schema(tmp_path, "implications"), ROOT / "rules" / "implications.yaml"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    done = check_jsonschema(write_schema(tmp_path, "terms"), ROOT / "rules" / "terms.yaml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_wrong_value_and_a_misspelt_term_fail_the_schema(tmp_path: Path) -> None:
    schema = write_schema(tmp_path, "proposal")
    good = (ROOT / "proposals" / "us-28-point-2025-11.yaml").read_text(encoding="utf-8")
    assert "ukraine.army_cap: 600000" in good
    cases = {
        "value": good.replace("ukraine.army_cap: 600000", "ukraine.army_cap: lots", 1),
        "bound": good.replace("ukraine.army_cap: 600000", "ukraine.army_cap: -5", 1),
        "term": good.replace("ukraine.army_cap: 600000", "ukraine.army_capp: 600000", 1),
    }
    for name, text in cases.items():
        draft = tmp_path / f"{name}.yaml"
        draft.write_text(text, encoding="utf-8")
        done = check_jsonschema(schema, draft)
        assert done.returncode == 1, f"{name}: {done.stdout}"
    enum_draft = tmp_path / "enum.yaml"
    enum_draft.write_text(
        good.replace("territory.crimea: de_facto_russian", "territory.crimea: russian", 1),
        encoding="utf-8",
    )
    assert "russian" in enum_draft.read_text() and enum_draft.read_text() != good
    done = check_jsonschema(schema, enum_draft)
    assert done.returncode == 1
    assert "territory.crimea" in done.stdout


def test_the_schema_follows_the_rules_directory_given(tmp_path: Path) -> None:
    fixture_schema = json.loads(
        run_cli("schema", "proposal", "--rules", str(FIXTURES / "rules")).out
    )
    terms = fixture_schema["definitions"]["Terms"]["properties"]
    assert set(terms) == set(load_rules(FIXTURES / "rules").catalogue.terms)
    bundled = json.loads(run_cli("schema", "proposal").out)["definitions"]["Terms"]
    assert "energy.zaporizhzhia_npp" in bundled["properties"]
    assert "energy.zaporizhzhia_npp" not in terms


def test_a_term_carries_its_type_values_meanings_bounds_and_description() -> None:
    terms = json.loads(run_cli("schema", "proposal").out)["definitions"]["Terms"]
    assert terms["additionalProperties"] is False
    crimea = terms["properties"]["territory.crimea"]
    catalogue = load_rules().catalogue
    term = catalogue.terms["territory.crimea"]
    assert crimea["enum"] == list(term.values)
    assert len(crimea["enumDescriptions"]) == len(term.values)
    assert all(crimea["enumDescriptions"]), "every value of territory.crimea has a meaning"
    assert crimea["description"].startswith(term.title)
    army = terms["properties"]["ukraine.army_cap"]
    assert (army["type"], army["minimum"], army["maximum"]) == ("integer", 0, 3_000_000)
    assert "Unit: personnel." in army["description"]
    condition = json.loads(run_cli("schema", "rules").out)["definitions"]["Condition"]
    assert condition["properties"]["term"]["enum"] == list(catalogue.terms)


@pytest.mark.parametrize(
    ("kind", "document"),
    [
        ("proposal", FIXTURES / "proposals" / "draft.yaml"),
        ("proposal", FIXTURES / "proposals" / "variant.yaml"),
        ("rules", FIXTURES / "rules" / "ukraine.yaml"),
        ("implications", FIXTURES / "rules" / "implications.yaml"),
        ("terms", FIXTURES / "rules" / "terms.yaml"),
    ],
)
def test_the_test_rules_validate_against_their_own_schemas(
    kind: str, document: Path, tmp_path: Path
) -> None:
    schema = write_schema(tmp_path, kind, "--rules", str(FIXTURES / "rules"))
    done = check_jsonschema(schema, document)
    assert done.returncode == 0, done.stdout + done.stderr


def test_schema_output_into_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    run = run_cli("schema", "proposal", "--output", str(tmp_path / "no" / "such" / "x.json"))
    assert run.code == 2
    assert "Traceback" not in run.err
