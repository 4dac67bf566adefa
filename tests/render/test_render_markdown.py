"""`--format markdown`, parsed back with cmark-gfm (GitHub's own Markdown parser)."""

from __future__ import annotations

from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options

from redlines.render import RenderOptions, render_markdown
from redlines.report import ReportSet

from .render_helpers import NASTY

# What the report itself produces; the text of the YAML files must add nothing to it.
ALLOWED_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "a",
    "strong",
    "em",
    "code",
    "br",
    "ul",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "details",
    "summary",
}


def to_html(markdown: str) -> str:
    # UNSAFE keeps raw HTML in the output, so a test sees any tag the report let through.
    return str(
        cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    )


class Tables(HTMLParser):
    """Rows of cells of every table; tags seen anywhere."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.tags: set[str] = set()
        self.hrefs: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def text_of(html: str) -> str:
    """The page's text, as a reader sees it."""
    parts: list[str] = []
    parser = HTMLParser()
    parser.handle_data = parts.append  # type: ignore[method-assign]
    parser.feed(html)
    return "".join(parts)


def parse(markdown: str) -> Tables:
    tables = Tables()
    tables.feed(to_html(markdown))
    return tables


def test_verdict_matrix_is_proposals_by_actors(reports: ReportSet, options: RenderOptions) -> None:
    matrix = parse(render_markdown(reports, options)).tables[0]
    assert matrix[0] == ["Proposal", "European Union", "Ukraine", "Overall"]
    rows = {row[0].split(" — ")[0]: row[1:] for row in matrix[1:]}
    assert rows == {
        "test-draft": ["❌ rejects (1 violated)", "❌ rejects (1 violated)", "❌ infeasible"],
        "test-variant": [
            "✅ accepts (1 met)",
            "⚠️ open (1 open)",
            "⚠️ incomplete, contradicts itself",
        ],
        "test-open": ["✅ accepts (1 met)", "⚠️ open (2 open)", "⚠️ incomplete"],
        "test-passing": ["✅ accepts (1 met)", "✅ accepts (2 met)", "✅ feasible"],
    }
    # A '|' in a title stays inside its cell.
    assert "silent on Donetsk | and on the constitution" in [r[0] for r in matrix[1:]][2]


def test_clause_links_are_relative_to_the_repository(
    reports: ReportSet, options: RenderOptions
) -> None:
    hrefs = parse(render_markdown(reports, options)).hrefs
    assert "tests/fixtures/proposals/draft.yaml#L9" in hrefs
    assert "tests/fixtures/proposals/draft.yaml#L15" in hrefs
    assert "https://example.org/euco" in hrefs
    assert not [h for h in hrefs if h.startswith("/")]


def test_link_base_makes_links_absolute(reports: ReportSet, in_project: object) -> None:
    options = RenderOptions(
        repo_root=str(in_project), link_base="https://github.com/o/r/blob/abc123/"
    )
    hrefs = parse(render_markdown(reports, options)).hrefs
    assert "https://github.com/o/r/blob/abc123/tests/fixtures/proposals/draft.yaml#L9" in hrefs


def test_sections_per_proposal(reports: ReportSet, options: RenderOptions) -> None:
    text = render_markdown(reports, options)
    draft = text.split("### test-draft")[1].split("### test-variant")[0]
    assert "#### ❌ Violated red lines (2)" in draft
    assert (
        "<summary>⚠️ Open red lines (1): the draft leaves their terms unaddressed</summary>" in draft
    )
    assert "<summary>Priorities and preferences not met (2)</summary>" in draft
    assert "Source: [EUCO conclusions](https://example.org/euco) (2025-03-06)" in draft
    variant = text.split("### test-variant")[1].split("### test-open")[0]
    assert "#### ❌ Contradictions (1)" in variant
    assert "Every rule is met." not in text.split("### test-passing")[1]  # a preference is not


def test_nasty_text_cannot_break_tables_or_inject_markup(
    nasty_reports: ReportSet, options: RenderOptions
) -> None:
    markdown = render_markdown(nasty_reports, options)
    parsed = parse(markdown)
    for table in parsed.tables:
        assert len({len(row) for row in table}) == 1, f"a row has a cell too many: {table}"
    # The text comes back exactly, as text: every markup character was escaped.
    shown = " ".join(NASTY.split())
    assert parsed.tables[0][0][1] == shown + "eu"
    assert shown in text_of(to_html(markdown))
    assert not parsed.tags & {"script", "del", "img", "math"}
    assert parsed.tags <= ALLOWED_TAGS
    assert not [h for h in parsed.hrefs if "javascript" in h]


def test_empty_report_set(options: RenderOptions) -> None:
    from redlines.report import ReportSet, Verdict

    text = render_markdown(ReportSet(overall=Verdict.FEASIBLE, reports=()), options)
    assert text.startswith("## redlines: ✅ feasible")
    assert "0 proposals checked" in text


def test_open_red_lines_are_folded_into_a_table(reports: ReportSet, options: RenderOptions) -> None:
    parsed = parse(render_markdown(reports, options))
    assert parsed.tags <= ALLOWED_TAGS
    open_tables = [t for t in parsed.tables if t[0][:3] == ["Rule", "Actor", "Unaddressed"]]
    rows = [row for table in open_tables for row in table[1:]]
    assert len(rows) == 4  # draft 1, variant 1, open 2
    assert rows[0] == [
        "UA-2 No constitutional amendment under martial law",
        "Ukraine",
        "ukraine.martial_law_ended",
        "—",
        "The draft needs a constitutional change while martial law lasts.",
    ]


def test_odd_urls_stay_inside_their_cell() -> None:
    from redlines.render.gfm import link

    cell = link("a | b", "https://example.org/a b(c)|d<e>")
    parsed = parse(f"| x | y |\n| - | - |\n| {cell} | z |\n")
    assert parsed.tables[0][1] == ["a | b", "z"]
    assert parsed.hrefs == ["https://example.org/a%20b%28c%29%7Cd%3Ce%3E"]
