"""`redlines timeline`: change points, the blank page and the drafts' verdicts over time.

- A synthetic rule book (tests/fixtures/timeline, its windows described in its terms.yaml) where
  every change point, deadlock and verdict change is known in advance.
- Property: at every change point the timeline equals `space` and `check` run with `--as-of`
  that day, on the synthetic book, on the bundled content and on generated rule books with
  generated validity windows.
- It is incremental: one encoding and one solver for the whole range.
- The CLI: range options, errors, exit codes.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from redlines.cli import main
from redlines.loader import load_proposals, load_rules
from redlines.models import Proposal, RuleBook
from redlines.report import check
from redlines.space import analyze_space
from redlines.timeline import Timeline, TimelineError, change_dates, timeline
from test_space_property import drafts as generated_drafts
from test_space_property import rule_books

FIXTURE = ROOT / "tests" / "fixtures" / "timeline"
D = dt.date


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return load_rules(FIXTURE / "rules")


@pytest.fixture(scope="module")
def drafts(book: RuleBook) -> list[Proposal]:
    return load_proposals([FIXTURE / "proposals"], book)


@pytest.fixture(scope="module")
def synthetic(book: RuleBook, drafts: list[Proposal]) -> Timeline:
    return timeline(book, drafts)


def cores(point_index: int, result: Timeline) -> list[tuple[str, ...]]:
    deadlocks = result.points[point_index].blank.deadlocks
    return [tuple(r.id for r in c.rules) for c in deadlocks.cores] if deadlocks else []


# --- the synthetic book: everything known in advance ----------------------------------------------


def test_every_change_point_and_what_entered_and_left(synthetic: Timeline) -> None:
    assert [
        (p.date, [i.id for i in p.entered], [i.id for i in p.left]) for p in synthetic.points
    ] == [
        (D(2020, 1, 1), [], []),  # the first day of the range: the state, no change
        (D(2020, 6, 1), ["B-1"], []),
        (D(2021, 1, 1), ["A-2"], []),
        (D(2021, 6, 1), ["B-2"], []),
        (D(2022, 1, 1), ["IMP-1"], ["A-2"]),  # A-2 valid until 2021-12-31: out the next day
        (D(2023, 1, 1), ["A-4"], ["A-1"]),
        (D(2024, 1, 1), [], ["IMP-1"]),
    ]
    assert [p.until for p in synthetic.points] == [
        D(2020, 5, 31), D(2020, 12, 31), D(2021, 5, 31), D(2021, 12, 31), D(2022, 12, 31),
        D(2023, 12, 31), D(2024, 1, 1),
    ]  # fmt: skip
    first = synthetic.points[1].entered[0]
    assert (first.kind, first.actor, first.severity, first.title) == (
        "rule", "Beta", "red_line", "The path is closed",
    )  # fmt: skip
    assert first.sources[0].url == "https://example.org/b1"
    assert synthetic.points[4].entered[0].kind == "implication"


def test_every_deadlock_known_in_advance(synthetic: Timeline) -> None:
    assert [p.blank.feasible for p in synthetic.points] == [
        True, False, False, False, False, False, True,
    ]  # fmt: skip
    assert [cores(i, synthetic) for i in range(7)] == [
        [],
        [("A-1", "B-1")],
        [("A-1", "B-1")],
        [("A-1", "B-1"), ("A-2", "B-2")],
        [("A-1", "B-1")],
        [("A-4", "B-1")],
        [],
    ]
    through = synthetic.points[5].blank.deadlocks
    assert through is not None and through.cores[0].implications == ("IMP-1",)
    assert synthetic.points[3].blank.deadlocking == ("A-1", "A-2", "B-1", "B-2")
    moved = [p.moved for p in synthetic.points]
    assert moved[0] is None
    assert [(m.agreement, m.deadlocks_added, m.deadlocks_ended) for m in moved[1:] if m] == [
        ("lost", (("A-1", "B-1"),), ()),
        (None, (), ()),
        (None, (("A-2", "B-2"),), ()),
        (None, (), (("A-2", "B-2"),)),
        (None, (("A-4", "B-1"),), (("A-1", "B-1"),)),
        ("gained", (), (("A-4", "B-1"),)),
    ]


def test_the_zone_while_a_package_exists(synthetic: Timeline) -> None:
    def narrowed(i: int) -> dict[str, tuple[object, ...]]:
        zone = synthetic.points[i].blank.zone
        assert zone is not None
        return {t.term: (*t.values, *t.intervals) for t in zone.terms if t.restricted}

    assert narrowed(0) == {"alliance.path": ("open",)}
    last = narrowed(6)
    assert last["alliance.path"] == ("closed",)
    assert last["alliance.barred"] == (False,)
    (cap,) = last["army.cap"]
    assert (cap.low, cap.high) == (0, 300)  # type: ignore[attr-defined]
    assert all(p.blank.zone is None for p in synthetic.points[1:6])  # deadlocked: no zone


def test_every_verdict_change_known_in_advance(synthetic: Timeline) -> None:
    changes = [
        (p.date, m.proposal, m.actor, m.before, m.after)
        for p in synthetic.points
        for m in (p.moved.verdicts if p.moved else ())
    ]
    assert changes == [
        (D(2020, 6, 1), "open", "Beta", "accepts", "rejects"),
        (D(2020, 6, 1), "open", None, "feasible", "infeasible"),
        (D(2021, 1, 1), "open", "Alpha", "accepts", "open"),  # the cap unaddressed
        (D(2022, 1, 1), "open", "Alpha", "open", "accepts"),
        (D(2024, 1, 1), "closed", "Alpha", "rejects", "accepts"),  # no bar derived any more
        (D(2024, 1, 1), "closed", None, "infeasible", "feasible"),
    ]
    closed = [p.drafts[0] for p in synthetic.points]
    assert [d.actors[0].violated for d in closed] == [
        ("A-1",), ("A-1",), ("A-1", "A-2"), ("A-1", "A-2"), ("A-1",), ("A-4",), (),
    ]  # fmt: skip


def test_each_change_point_says_what_it_moved(synthetic: Timeline) -> None:
    assert synthetic.points[0].summary == (
        "on 2020-01-01 1 red line is in force: a package every actor accepts exists"
    )
    assert synthetic.points[5].summary == (
        "from 2023-01-01 A-4 (No bar in the alliance's documents) in force and A-1 (The path "
        "stays open) out of force: the blank page deadlocks on A-4 + B-1; the deadlock "
        "A-1 + B-1 ends"
    )
    assert synthetic.points[6].summary == (
        "from 2024-01-01 IMP-1 (A closed path is written into the alliance's documents) out of "
        "force: agreement on the blank page becomes possible; closed goes from rejects to "
        "accepts for Alpha, overall from infeasible to feasible"
    )


def test_the_range(book: RuleBook, drafts: list[Proposal]) -> None:
    middle = timeline(book, drafts, start=D(2021, 3, 1), end=D(2022, 6, 30))
    assert [p.date for p in middle.points] == [D(2021, 3, 1), D(2021, 6, 1), D(2022, 1, 1)]
    assert middle.points[-1].until == D(2022, 6, 30)
    assert middle.points[0].entered == () and middle.points[0].moved is None
    # The first point of a range is the state on that day: A-1, B-1 and A-2 in force.
    assert middle.points[0].blank.red_lines == 3
    alone = timeline(book, [], actors=["beta"])
    assert [p.date for p in alone.points] == [D(2020, 6, 1), D(2021, 6, 1), D(2022, 1, 1),
                                              D(2024, 1, 1)]  # fmt: skip
    assert all(p.blank.feasible for p in alone.points)
    with pytest.raises(TimelineError, match="ends"):
        timeline(book, [], start=D(2022, 1, 1), end=D(2021, 1, 1))


def test_a_book_without_dates_needs_a_start() -> None:
    dated = load_rules(ROOT / "tests" / "fixtures" / "rules")
    plain = {"valid_from": None, "valid_until": None}
    undated = dated.model_copy(
        update={
            "rulesets": tuple(
                rs.model_copy(update={"rules": tuple(r.model_copy(update=plain) for r in rs.rules)})
                for rs in dated.rulesets
            ),
            "implications": tuple(i.model_copy(update=plain) for i in dated.implications),
        }
    )
    assert change_dates(undated) == []
    with pytest.raises(TimelineError, match="no rule, implication or tie is dated"):
        timeline(undated)
    one = timeline(undated, start=D(2025, 1, 1))
    assert [(p.date, p.until) for p in one.points] == [(D(2025, 1, 1), D(2025, 1, 1))]


# --- equal to space and check with --as-of ------------------------------------------------------


def assert_as_of(book: RuleBook, drafts: Sequence[Proposal], result: Timeline) -> None:
    """Every change point of `result` against `space --as-of` and `check --as-of` that day."""
    by_id = {d.id: d for d in drafts}
    for point in result.points:
        space = analyze_space(book, as_of=point.date, engine="python", max_cores=50)
        blank = point.blank
        assert (blank.verdict, blank.feasible, blank.red_lines) == (
            space.verdict,
            space.feasible,
            space.red_lines,
        ), point.date
        if space.feasible:
            assert blank.zone == space.zone, point.date
            assert blank.deadlocks is None
        else:
            assert blank.deadlocks == space.deadlocks, point.date
            assert blank.zone is None
        for at in point.drafts:
            report = check(by_id[at.proposal], book, as_of=point.date, engine="python")
            assert at.overall is report.overall
            assert [(a.ruleset, a.verdict, a.violated, a.open) for a in at.actors] == [
                (v.ruleset, v.verdict, v.violated, v.open) for v in report.verdicts
            ], (point.date, at.proposal)
            assert list(at.contradictions) == [c.term for c in report.contradictions]


def test_synthetic_equals_space_and_check_as_of(book: RuleBook, drafts: list[Proposal]) -> None:
    assert_as_of(book, drafts, timeline(book, drafts, max_cores=50))


def test_bundled_equals_space_and_check_as_of() -> None:
    book = load_rules()
    drafts = load_proposals(
        [
            ROOT / "proposals" / "us-28-point-2025-11.yaml",
            ROOT / "proposals" / "russia-istanbul-memorandum-2025-06.yaml",
            ROOT / "proposals" / "e3-markup-2025-11.yaml",
        ],
        book,
    )
    result = timeline(book, drafts, max_cores=50)
    assert len(result.points) == len(change_dates(book))
    assert_as_of(book, drafts, result)


WINDOW_DAYS = [None, D(2025, 1, 1), D(2025, 3, 1), D(2025, 6, 1)]


@st.composite
def dated_books(draw: st.DrawFn) -> RuleBook:
    """Generated rule books (test_space_property) whose rules and implications get windows."""
    plain = draw(rule_books())

    def window() -> dict[str, dt.date | None]:
        start = draw(st.sampled_from(WINDOW_DAYS))
        end = draw(st.sampled_from(WINDOW_DAYS))
        if start is not None and end is not None and end < start:
            start, end = end, start
        return {"valid_from": start, "valid_until": end}

    rulesets = tuple(
        rs.model_copy(update={"rules": tuple(r.model_copy(update=window()) for r in rs.rules)})
        for rs in plain.rulesets
    )
    implications = tuple(i.model_copy(update=window()) for i in plain.implications)
    return plain.model_copy(update={"rulesets": rulesets, "implications": implications})


def _draft(values: dict[str, object], number: int) -> Proposal:
    from redlines.space import package_proposal

    blank = Proposal(
        id=f"g{number}",
        title="g",
        date=D(2025, 1, 1),
        status="draft",
        clauses=(),
        path=f"g{number}",
    )
    return package_proposal(blank, values).model_copy(update={"id": f"g{number}",
                                                               "path": f"g{number}"})  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dated_books(), st.lists(generated_drafts(), max_size=2))
def test_generated_books_equal_space_and_check_as_of(
    book: RuleBook, values: list[dict[str, object]]
) -> None:
    drafts = [_draft(v, i) for i, v in enumerate(values)]
    result = timeline(book, drafts, max_cores=50, start=D(2024, 12, 1))
    assert [p.date for p in result.points][1:] == [
        d for d in change_dates(book) if d > D(2024, 12, 1)
    ]
    assert_as_of(book, drafts, result)


# --- incremental ---------------------------------------------------------------------------------


def test_one_encoding_and_one_solver_for_every_change_point(
    monkeypatch: pytest.MonkeyPatch, book: RuleBook, drafts: list[Proposal]
) -> None:
    from redlines.space import encoding, solver

    built = {"encodings": 0, "solvers": 0}
    make_encoding, make_oracle = encoding.Encoding.__init__, solver.Oracle.__init__

    def counted_encoding(self: encoding.Encoding, *args: object, **kwargs: object) -> None:
        built["encodings"] += 1
        make_encoding(self, *args, **kwargs)  # type: ignore[arg-type]

    def counted_oracle(self: solver.Oracle, *args: object, **kwargs: object) -> None:
        built["solvers"] += 1
        make_oracle(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(encoding.Encoding, "__init__", counted_encoding)
    monkeypatch.setattr(solver.Oracle, "__init__", counted_oracle)
    result = timeline(book, drafts)
    assert len(result.points) == 7
    assert built == {"encodings": 1, "solvers": 1}


# --- the CLI -------------------------------------------------------------------------------------


def test_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    undated = tmp_path / "undated"
    undated.mkdir()
    for source in (ROOT / "tests" / "fixtures" / "rules").glob("*.yaml"):
        kept = [line for line in source.read_text().splitlines() if "valid_" not in line]
        (undated / source.name).write_text("\n".join(kept) + "\n")
    monkeypatch.chdir(ROOT)
    rules = "tests/fixtures/timeline/rules"
    assert main(["timeline", "tests/fixtures/timeline/proposals", "--rules", rules]) == 0
    out = capsys.readouterr().out
    assert "2023-01-01 (to 2023-12-31)" in out and "moved: the deadlock A-1 + B-1 ends" in out
    code = main(["timeline", "--rules", rules, "--from", "2022-01-01", "--to", "2021-01-01"])
    assert code == 2
    assert "the range ends (2021-01-01) before it starts (2022-01-01)" in capsys.readouterr().err
    assert main(["timeline", "--rules", str(undated)]) == 2
    assert "give --from" in capsys.readouterr().err
    assert main(["timeline", "--rules", str(undated), "--from", "2025-01-01"]) == 0
    capsys.readouterr()
    assert main(["timeline", "--rules", rules, "--actor", "gamma"]) == 2
    assert "unknown actor 'gamma'" in capsys.readouterr().err
    assert main(["timeline", "--rules", rules, "--from", "20200101"]) == 2
    capsys.readouterr()
    assert main(["timeline", "--rules", rules, "--actor", "Beta", "-f", "json"]) == 0
    data = capsys.readouterr().out
    assert '"ruleset": "beta"' in data and '"alpha"' not in data


def test_cli_formats_and_output_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for fmt in ("text", "json", "markdown", "html"):
        target = tmp_path / f"t.{fmt}"
        args = [
            "timeline",
            "--rules",
            "tests/fixtures/timeline/rules",
            "-f",
            fmt,
            "-o",
            str(target),
        ]
        assert main(args) == 0
        assert target.read_text(encoding="utf-8").strip()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "t.html",
        "t.json",
        "t.markdown",
        "t.text",
    ]


def test_points_are_pairwise_distinct_and_ordered(synthetic: Timeline) -> None:
    days = [p.date for p in synthetic.points]
    assert days == sorted(set(days))
    assert all(a.until < b.date for a, b in itertools.pairwise(synthetic.points))


def test_a_dated_tie_is_a_change_point_and_binds_only_while_in_force(
    book: RuleBook, drafts: list[Proposal]
) -> None:
    """A tie (rules/ties.yaml) is a dated position like a rule: it enters and leaves force, the
    blank page and the drafts obey it only meanwhile, and the answers stay those of `space` and
    `check` with --as-of."""
    from redlines.models import Leaf, Tie

    # Bars the army cap of 500 or more that Alpha's A-2 needs, from mid-2021 to the end of 2021.
    tie = Tie(
        id="TIE-1",
        title="A small army",
        requires=Leaf(term="army.cap", op="lt", value=500),
        valid_from=D(2021, 3, 1),
        valid_until=D(2021, 9, 30),
    )
    tied = book.model_copy(update={"ties": (tie,)})
    result = timeline(tied, drafts, max_cores=50)
    entered = {p.date: [(i.kind, i.id) for i in p.entered] for p in result.points}
    left = {p.date: [(i.kind, i.id) for i in p.left] for p in result.points}
    assert entered[D(2021, 3, 1)] == [("tie", "TIE-1")]
    assert left[D(2021, 10, 1)] == [("tie", "TIE-1")]
    at = {p.date: p for p in result.points}
    assert at[D(2021, 3, 1)].blank.feasible is False  # A-2 against the tie alone
    assert at[D(2021, 3, 1)].blank.deadlocks is not None
    assert ("TIE-1",) in {c.ties for c in at[D(2021, 3, 1)].blank.deadlocks.cores}
    assert_as_of(tied, drafts, result)
