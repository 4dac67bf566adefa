"""The YAML layer's one pass: aliases repeat their anchor's values and positions, limits are
enforced before an alias costs what it expands to, and the first problem of a file is the one a
two-pass reader (limits first, then values) would report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import redlines.yamlfile as yamlfile
from conftest import FIXTURES
from redlines import check_all, load_proposal, load_rules
from redlines.models import InputError
from redlines.render import RenderOptions, render
from redlines.yamlfile import parse_yaml

CORPUS = Path(__file__).parent / "bad_inputs"


def problem(text: str) -> str:
    with pytest.raises(InputError) as caught:
        parse_yaml(text.encode(), "x.yaml")
    return str(caught.value)


def test_an_alias_repeats_its_anchor_with_the_anchor_s_positions() -> None:
    doc = parse_yaml(b"a: &a\n  b: [1, &n 2]\nc: *a\nd: [*n, *a]\n", "x.yaml")
    assert doc.data == {"a": {"b": [1, 2]}, "c": {"b": [1, 2]}, "d": [2, {"b": [1, 2]}]}
    assert doc.data["c"] is not doc.data["a"]  # a copy: a later stage may change one
    assert doc.values[("c",)] == doc.values[("a",)] == (1, 4)
    assert doc.values[("c", "b", 1)] == doc.values[("a", "b", 1)] == (2, 10)
    assert doc.values[("d", 0)] == (2, 10)
    assert doc.keys[("c", "b")] == doc.keys[("a", "b")] == (2, 3)
    assert doc.keys[("c",)] == (3, 1)


def test_an_alias_as_a_key_is_checked_as_a_key_at_the_alias() -> None:
    # The key is where the alias stands; the anchor may be a value lines away.
    doc = parse_yaml(b"k: &k name\nm: {*k : 1}\n", "x.yaml")
    assert doc.data == {"k": "name", "m": {"name": 1}}
    assert doc.keys[("m", "name")] == (2, 5)
    assert problem("k: &k name\nm: {name: 1, *k : 2}\n") == (
        "x.yaml:2:14: duplicate key 'name': it is already set at line 2; keep one of the two"
    )
    assert problem("k: &k name\nm:\n  name: 1\n  *k : 2\n") == (
        "x.yaml:4:3: duplicate key 'name': it is already set at line 3; keep one of the two"
    )
    assert problem("k: &k [1]\nm: {*k : 2}\n") == (
        "x.yaml:2:5: a key must be a plain word, not a list or mapping"
    )


# Line breaks to YAML 1.1 (PyYAML and libyaml) that editors and GitHub do not break lines at.
UNICODE_BREAKS = ["\u2028", "\u2029", "\x85"]


@pytest.mark.parametrize("parser", ["libyaml", "pure"])
@pytest.mark.parametrize("char", UNICODE_BREAKS, ids=["LS", "PS", "NEL"])
def test_positions_after_a_unicode_line_break_are_an_editor_s(
    char: str, parser: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if parser == "pure":
        monkeypatch.setattr(yamlfile, "_PARSER", yamlfile._Loader)
    elif not yamlfile.yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml")
    text = f"a: \"one{char}two\"\nb:\n  c: [1, 2]\n  d: 'x{char}y'\n"
    assert text.count("\n") == 4  # what an editor shows: four lines
    doc = parse_yaml(text.encode(), "x.yaml")
    assert doc.keys[("b",)] == (2, 1)
    assert doc.keys[("b", "c")] == (3, 3)
    assert doc.values[("b", "c", 1)] == (3, 10)
    assert doc.keys[("b", "d")] == (4, 3)
    # Problems too, in the builder, in the walk and from the parser.
    assert problem(f'a: "{char}"\nb: 1\nb: 2\n').startswith("x.yaml:3:1: duplicate key 'b'")
    assert problem(f'a: "{char}"\nb: *nowhere\n').startswith("x.yaml:2:4: alias '*nowhere'")
    assert problem(f'a: "{char}"\nb: [1, 2\n').startswith("x.yaml:3:1: not valid YAML")
    assert "(while scanning a quoted scalar starting at line 2, column 4)" in problem(
        f'a: "{char}"\nb: "open\n'
    )
    unclosed = problem(f'a: "{char}"\nb: "open\nc: 1\nd: "x"\n')
    assert unclosed.startswith("x.yaml:4:5: not valid YAML")
    assert "the quoted text opened at line 2, column 4 runs on to here" in unclosed


def test_limits_and_syntax_errors_come_before_a_problem_in_the_content() -> None:
    content = "a: 1\na: 2\n"  # a duplicate key, on line 2
    assert problem(content).startswith("x.yaml:2:1: duplicate key 'a'")
    deep = "b: " + "[" * 40 + "]" * 40 + "\n"
    assert problem(content + deep).startswith("x.yaml:3:35: nesting deeper than the limit")
    assert problem(content + "c: [1, 2\n").startswith("x.yaml:4:1: not valid YAML")
    anchors = "d: &x 1\ne: &x 2\n"
    assert problem(content + anchors).startswith("x.yaml:4:4: not valid YAML: second occurrence")


def test_a_refused_bomb_builds_nothing_it_would_expand_to(monkeypatch: pytest.MonkeyPatch) -> None:
    built = 0
    take = yamlfile._Builder.take

    def counting(self: Any, item: Any) -> None:
        nonlocal built
        built += 1
        take(self, item)

    monkeypatch.setattr(yamlfile._Builder, "take", counting)
    bomb = (CORPUS / "yaml-billion-laughs" / "proposals" / "p.yaml").read_text(encoding="utf-8")
    assert "expands the document past 100,000 keys and values" in problem(bomb)
    assert built < 200  # the anchors as written, and one empty list per alias


@pytest.mark.parametrize("char", UNICODE_BREAKS, ids=["LS", "PS", "NEL"])
def test_findings_annotations_and_sarif_point_at_the_editor_s_line(
    char: str, tmp_path: Path
) -> None:
    draft = (FIXTURES / "proposals" / "draft.yaml").read_text(encoding="utf-8")
    path = tmp_path / "draft.yaml"
    path.write_text(draft.replace("title: A test draft", f'title: "A{char}test{char}draft"'))
    book = load_rules(FIXTURES / "rules")
    reports = check_all([load_proposal(path, book)], book, engine="python")
    eu1 = next(f for f in reports.reports[0].findings if f.rule == "EU-1")
    assert (eu1.location.line, eu1.location.col) == (9, 5)  # clause 1, as an editor shows it
    options = RenderOptions()
    assert f"{path}:9: clause 1 — EU-1" in render(reports, "text", options)
    assert "line=9,col=5,title=EU-1 " in render(reports, "github", options)
    sarif = json.loads(render(reports, "sarif", options))
    regions = [
        r["locations"][0]["physicalLocation"]["region"]
        for r in sarif["runs"][0]["results"]
        if r["ruleId"] == "EU-1"
    ]
    assert regions[0]["startLine"] == 9
