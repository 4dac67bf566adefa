"""`redlines timeline --format html`: one self-contained page with an inline SVG chart, opened in
headless Chromium to check what it draws (the DOM) and how (the pixels' colours)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT, missing_tool
from redlines.loader import load_proposals, load_rules
from redlines.render import RenderOptions, render
from redlines.render.timeline import COLOURS
from redlines.timeline import Timeline, timeline

from .browser import colour_count, dump_dom, find_chromium, read_png, screenshot

FIXTURE = ROOT / "tests" / "fixtures" / "timeline"


class Chart(HTMLParser):
    """The chart's lanes (proposal, rule set) -> runs, its bars, its date labels; every tag and
    URL of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.runs: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        self.bars: list[tuple[str, str, str]] = []
        self.dates: list[str] = []
        self._date = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        self.urls += [v for k, v in a.items() if k in ("href", "src", "action", "xlink:href")]
        if tag == "rect" and a.get("class") == "run":
            lane = (a["data-proposal"], a["data-ruleset"])
            self.runs.setdefault(lane, []).append((a["data-from"], a["data-to"], a["data-verdict"]))
        elif tag == "g" and a.get("class") == "bar":
            self.bars.append((a["data-date"], a["data-kind"], a["data-deadlocking"]))
        elif tag == "text" and a.get("class") == "date":
            self._date = True

    def handle_data(self, data: str) -> None:
        if self._date:
            self.dates.append(data)
            self._date = False


def parse(html: str) -> Chart:
    chart = Chart()
    chart.feed(html)
    return chart


@pytest.fixture(scope="module")
def result() -> Timeline:
    book = load_rules(FIXTURE / "rules")
    return timeline(book, load_proposals([FIXTURE / "proposals"], book))


@pytest.fixture(scope="module")
def html(result: Timeline) -> str:
    return render(result, "html", RenderOptions(), command="timeline")


def expected_runs(result: Timeline) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
    """Each lane's runs of one verdict, straight from the model."""
    lanes: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for i, draft in enumerate(result.proposals):
        for key in [a.ruleset for a in result.actors] + ["overall"]:
            runs: list[tuple[str, str, str]] = []
            for point in result.points:
                at = point.drafts[i]
                verdict = (
                    at.overall.value
                    if key == "overall"
                    else next(a.verdict.value for a in at.actors if a.ruleset == key)
                )
                if runs and runs[-1][2] == verdict:
                    runs[-1] = (runs[-1][0], point.until.isoformat(), verdict)
                else:
                    runs.append((point.date.isoformat(), point.until.isoformat(), verdict))
            lanes[draft.id, key] = runs
    return lanes


def merged(
    runs: dict[tuple[str, str], list[tuple[str, str, str]]],
) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
    """Adjacent runs of the same verdict joined (the chart splits a run where the red lines
    behind a verdict change, e.g. rejects on A-1, then on A-1 and A-2)."""
    joined: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for lane, found in runs.items():
        out: list[tuple[str, str, str]] = []
        for start, end, verdict in found:
            if out and out[-1][2] == verdict:
                out[-1] = (out[-1][0], end, verdict)
            else:
                out.append((start, end, verdict))
        joined[lane] = out
    return joined


def test_self_contained(html: str) -> None:
    page = parse(html)
    assert not {"script", "link", "img", "iframe", "object", "embed", "image"} & set(page.tags)
    assert "@import" not in html and "url(" not in html
    assert "content=\"default-src 'none'" in html
    assert all(u.startswith("#") for u in page.urls), page.urls
    assert "svg" in page.tags


def test_the_chart_draws_the_model(result: Timeline, html: str) -> None:
    page = parse(html)
    assert merged(page.runs) == expected_runs(result)
    assert page.dates == [p.date.isoformat() for p in result.points]
    assert page.bars == [
        (
            p.date.isoformat(),
            "agreement" if p.blank.feasible else "deadlock",
            str(len(p.blank.deadlocking)),
        )
        for p in result.points
    ]


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
def page_file(html: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("timeline") / "timeline.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_chromium_builds_the_chart(
    chromium: str, page_file: Path, result: Timeline, tmp_path: Path
) -> None:
    dom = dump_dom(chromium, tmp_path / "profile", page_file)
    page = parse(dom)
    assert merged(page.runs) == expected_runs(result)
    assert len(page.bars) == len(result.points)
    assert re.search(r"<title>redlines timeline: 2020-01-01 to 2024-01-01</title>", dom)


def test_chromium_paints_the_verdicts_and_the_deadlocks(
    chromium: str, page_file: Path, tmp_path: Path
) -> None:
    png = tmp_path / "shot.png"
    screenshot(chromium, tmp_path / "profile", page_file, png, size=(1000, 700))
    width, height, rows = read_png(png)
    assert (width, height) == (1000, 700)

    def rgb(hex_colour: str) -> tuple[int, int, int]:
        return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))

    # Lanes of every verdict, deadlock bars and the agreement marks: each must cover some area.
    for name in ("rejects", "open", "accepts", "deadlock"):
        assert colour_count(rows, rgb(COLOURS[name])) > 400, f"nothing painted {name}"
