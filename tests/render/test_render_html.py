"""`--format html`: one self-contained page; opened in headless Chromium to see the matrix."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import missing_tool
from redlines.cli import main
from redlines.render import RenderOptions, render_html
from redlines.report import ReportSet

from .browser import colour_count, dump_dom, find_chromium, read_png, screenshot
from .render_helpers import NASTY

EXPECTED_MATRIX = {
    "test-draft": ["rejects", "rejects", "infeasible"],
    "test-variant": ["accepts", "open", "incomplete"],
    "test-open": ["accepts", "open", "incomplete"],
    "test-passing": ["accepts", "accepts", "feasible"],
}


class Page(HTMLParser):
    """The matrix's rows (proposal -> verdicts), every tag, href and src, and the visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.matrix: dict[str, list[str]] = {}
        self.headers: list[str] = []
        self.text: list[str] = []
        self._in_matrix = False
        self._in_head = False
        self._row: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        self.urls += [v or "" for k, v in attrs if k in ("href", "src", "action")]
        if tag == "table" and a.get("id") == "matrix":
            self._in_matrix = True
        elif self._in_matrix and tag == "thead":
            self._in_head = True
        elif self._in_matrix and tag == "tr" and a.get("data-proposal"):
            self._row = a["data-proposal"]
            self.matrix[self._row] = []
        elif self._in_matrix and tag == "td" and self._row and a.get("data-verdict"):
            self.matrix[self._row].append(a["data-verdict"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_matrix = False
        elif tag == "thead":
            self._in_head = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_head and data.strip():
            self.headers.append(data.strip())


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def test_self_contained(reports: ReportSet, options: RenderOptions) -> None:
    html = render_html(reports, options)
    page = parse(html)
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(page.tags)
    assert "@import" not in html and "url(" not in html
    assert 'http-equiv="Content-Security-Policy" content="default-src \'none\'' in html
    # The only URLs are the sources' http(s) links and in-page anchors.
    assert all(u.startswith(("https://", "http://", "#")) for u in page.urls), page.urls
    assert page.matrix == EXPECTED_MATRIX
    assert page.headers == ["Proposal", "European Union", "Ukraine", "Overall"]


def test_findings_and_sources_per_proposal(reports: ReportSet, options: RenderOptions) -> None:
    html = render_html(reports, options)
    draft = html.split('id="p1-test-draft"')[1].split('id="p2-test-variant"')[0]
    assert "Violated red lines (2)" in draft and "Open red lines (1)" in draft
    assert '<a href="https://example.org/euco" rel="noreferrer">EUCO conclusions</a>' in draft
    assert "<code>tests/fixtures/proposals/draft.yaml:9</code>" in draft
    assert "Contradictions (1)" in html.split('id="p2-test-variant"')[1]
    assert "silent on Donetsk | and on the constitution" in html


def test_nasty_text_is_escaped(nasty_reports: ReportSet, options: RenderOptions) -> None:
    html = render_html(nasty_reports, options)
    page = parse(html)
    assert "script" not in page.tags
    assert not [u for u in page.urls if "javascript" in u]
    assert NASTY.replace("\r\n", "\n") in "".join(page.text).replace("\r\n", "\n")


def test_cli_writes_one_file(in_project: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code = main(
        [
            "check",
            "tests/fixtures/proposals/",
            "tests/render/fixtures/proposals/",
            "--rules",
            "tests/fixtures/rules",
            "--format",
            "html",
            "--output",
            str(target),
        ]
    )
    assert code == 1  # the draft crosses red lines
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    assert parse(target.read_text(encoding="utf-8")).matrix == EXPECTED_MATRIX


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = find_chromium()
    if binary is None:
        missing_tool(
            "headless Chromium not found (Debian: apt-get install chromium; "
            "or set REDLINES_CHROMIUM); .ci/run installs it"
        )
    return binary


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import os

    from .render_helpers import PROJECT, build

    before = os.getcwd()
    os.chdir(PROJECT)
    try:
        html = render_html(build(), RenderOptions(repo_root=str(PROJECT)))
    finally:
        os.chdir(before)
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_chromium_renders_the_matrix(chromium: str, page_file: Path, tmp_path: Path) -> None:
    dom = dump_dom(chromium, tmp_path / "profile", page_file)
    page = parse(dom)
    assert page.matrix == EXPECTED_MATRIX
    assert re.search(r"<title>redlines report: infeasible</title>", dom)


def test_chromium_paints_the_verdict_colours(
    chromium: str, page_file: Path, tmp_path: Path
) -> None:
    png = tmp_path / "shot.png"
    screenshot(chromium, tmp_path / "profile", page_file, png, size=(1000, 640))
    width, height, rows = read_png(png)
    assert (width, height) == (1000, 640)
    # Cell backgrounds from the stylesheet: each must cover a good part of a matrix cell.
    for name, rgb in (
        ("rejects", (0xFD, 0xE7, 0xE5)),
        ("open", (0xFD, 0xF0, 0xCC)),
        ("accepts", (0xD8, 0xF5, 0xE3)),
    ):
        assert colour_count(rows, rgb) > 2000, f"no {name} cell painted"
