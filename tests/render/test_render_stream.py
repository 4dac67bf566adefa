"""`check`'s outputs streamed a report at a time (`render/stream.py`, `checkrun.py`): the same
bytes as rendering the whole ReportSet, and never more than one report held at a time."""

from __future__ import annotations

import gc
import io
import weakref
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from redlines import check_all, load_proposal, load_rules, report
from redlines.cli import main
from redlines.render import FORMATS, WRITERS, RenderOptions, check_writer, find_repo_root, render
from redlines.render.json import JsonWriter, dump
from redlines.render.stream import render_with
from redlines.report import ReportSet

from .render_helpers import PROPOSALS, RULES, build

# Every proposal twice over (once in a folder of its own), a contradiction among them.
STREAMED = (*PROPOSALS, "tests/render/fixtures/contradiction/self-contradicting.yaml")


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_every_format_has_a_writer() -> None:
    assert set(WRITERS) == set(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("to_file", [True, False], ids=["output-file", "stdout"])
def test_a_streamed_run_writes_the_bytes_of_the_whole_report_set(
    fmt: str, to_file: bool, in_project: Path, tmp_path: Path
) -> None:
    """The CLI streams (reports one at a time, spools in temporary files); rendering the
    ReportSet check_all returns is the reference, and the goldens pin it."""
    target = tmp_path / f"report.{fmt}"
    output = ["--output", str(target)] if to_file else []
    code, out, err = cli(
        "check", *STREAMED, "--rules", RULES, "--engine", "python", "-f", fmt, *output
    )
    assert (code, err) == (1, "")
    streamed = target.read_text(encoding="utf-8") if to_file else out
    book = load_rules(RULES)
    reports = check_all([load_proposal(p, book) for p in STREAMED], book, engine="python")
    options = RenderOptions(repo_root=str(find_repo_root()))
    assert streamed == render(reports, fmt, options)


def test_the_json_writer_matches_the_model_dump_with_a_tiny_float(in_project: Path) -> None:
    """A soft score under 1e-4 sends the dump to `json.dumps`; per report, the writer does the
    same, and the bytes agree."""
    reports = build()
    first = reports.reports[0]
    tiny = first.model_copy(
        update={
            "verdicts": tuple(v.model_copy(update={"soft_score": 0.00005}) for v in first.verdicts)
        }
    )
    mixed = reports.model_copy(update={"reports": (tiny, *reports.reports[1:])})
    assert render_with(JsonWriter, mixed, RenderOptions()) == dump(mixed)
    assert '"soft_score": 5e-05' in dump(mixed)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_reports_still_writes_a_whole_document(fmt: str) -> None:
    empty = ReportSet(overall=report.Verdict.FEASIBLE, reports=())
    out = io.StringIO()
    with check_writer(fmt)(out, RenderOptions()) as writer:
        writer.finish()
    assert out.getvalue() == render(empty, fmt, RenderOptions())
    assert out.getvalue().endswith("\n")


def test_a_run_holds_one_report_at_a_time(
    in_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While each report is built, at most the one before it may still be alive (the writer's
    last reference drops when the next comes). Checking them all first, then rendering, held
    every report of the run at once: 2.7 GB for 10,000 small drafts."""
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    source = Path(PROPOSALS[0]).read_text(encoding="utf-8")
    for i in range(6):
        (drafts / f"d{i}.yaml").write_text(source, encoding="utf-8")
    alive: list[weakref.ref[Any]] = []
    most = 0
    build_report = report.build_report

    def watched(*args: Any, **kwargs: Any) -> Any:
        nonlocal most
        gc.collect()
        most = max(most, sum(1 for ref in alive if ref() is not None))
        built = build_report(*args, **kwargs)
        alive.append(weakref.ref(built))
        return built

    monkeypatch.setattr(report, "build_report", watched)
    for fmt in FORMATS:
        alive.clear()
        code, _, err = cli(
            "check", str(drafts), "--rules", RULES, "-f", fmt, "-o", str(tmp_path / "out")
        )
        assert (code, err) == (1, "")
        assert len(alive) == 6
    assert most <= 1
