"""The Markdown helpers every Markdown output escapes through, and that `space`, `diff` and
`explain` Markdown escape the YAML's text as `check`'s does (parsed back with cmark-gfm)."""

from __future__ import annotations

from pathlib import Path

from redlines.diff import diff
from redlines.explain import explain
from redlines.loader import load_proposal, load_rules
from redlines.render import RenderOptions, render
from redlines.render.gfm import code, code_block, link, md
from redlines.report import check
from redlines.space import analyze_all

from .render_helpers import NASTY, RULES
from .test_render_markdown import ALLOWED_TAGS, parse, text_of, to_html

SHOWN = " ".join(NASTY.split())  # how a reader sees NASTY: its whitespace folded
# NASTY less the control characters, which the loader rightly refuses in a YAML file.
IN_YAML = "Pipe | star * under_score <script>x</script> & 100% `tick` [a](javascript:x) $x$ ~~s~~"


def test_md_escapes_every_markup_character() -> None:
    html = to_html(md(NASTY))
    assert text_of(html).strip() == SHOWN
    assert not parse(md(NASTY)).tags - {"p"}


def test_code_survives_backticks_and_pipes() -> None:
    cell = code("a `b` | c")
    parsed = parse(f"| x |\n| - |\n| {cell} |\n")
    assert parsed.tables[0][1] == ["a `b` | c"]


def test_code_block_fence_outlasts_the_text() -> None:
    block = code_block("```\nnot the end\n````\n")
    assert block.startswith("`````text\n") and block.endswith("\n`````\n")
    assert to_html(block) == '<pre lang="text"><code>```\nnot the end\n````\n</code></pre>\n'


def test_link_keeps_only_the_text_for_no_url() -> None:
    assert link("a*b", None) == "a\\*b"


def _nasty_book(tmp_path: Path) -> str:
    """A copy of the test rules whose Ukraine actor and rule titles are IN_YAML."""
    import shutil

    import yaml

    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    path = target / "ukraine.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["ruleset"]["actor"] = IN_YAML
    for rule in data["rules"]:
        rule["title"] = IN_YAML
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(target)


def _assert_escaped(markdown: str) -> None:
    parsed = parse(markdown)
    for table in parsed.tables:
        assert len({len(row) for row in table}) == 1, f"a row has a cell too many: {table}"
    assert IN_YAML in text_of(to_html(markdown))
    assert parsed.tags <= ALLOWED_TAGS | {"pre", "blockquote", "hr"}
    assert not [h for h in parsed.hrefs if "javascript" in h]


def test_space_diff_and_explain_markdown_escape_like_check(
    tmp_path: Path, in_project: Path
) -> None:
    book = load_rules(_nasty_book(tmp_path))
    draft = load_proposal("tests/fixtures/proposals/draft.yaml", book)
    variant = load_proposal("tests/fixtures/proposals/variant.yaml", book)
    options = RenderOptions()
    space = analyze_all(book, [draft], engine="python")
    _assert_escaped(render(space, "markdown", options, command="space"))
    moved = diff(
        check(draft, book, as_of=variant.date, engine="python"),
        check(variant, book, as_of=variant.date, engine="python"),
        draft,
        variant,
    )
    _assert_escaped(render(moved, "markdown", options, command="diff"))
    why = explain(book, "UA-1", draft, engine="python")
    _assert_escaped(render(why, "markdown", options, command="explain"))
