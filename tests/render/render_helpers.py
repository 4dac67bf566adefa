"""Helpers for the renderer tests (fixtures are in conftest.py)."""

from __future__ import annotations

from pathlib import Path

from redlines import check_all, load_proposal, load_rules
from redlines.models import Source
from redlines.report import ReportSet

PROJECT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
# Vendored unchanged (origin and licence: tests/schemas/README.md).
SARIF_SCHEMA = PROJECT / "tests" / "schemas" / "sarif-schema-2.1.0.json"

# Paths as a user in the project root would type them: findings keep them as given.
PROPOSALS = (
    "tests/fixtures/proposals/draft.yaml",
    "tests/fixtures/proposals/variant.yaml",
    "tests/render/fixtures/proposals/open.yaml",
    "tests/render/fixtures/proposals/passing.yaml",
)
RULES = "tests/fixtures/rules"
# Goldens must not change with every release.
VERSION = "0.0.0-test"

# Text that breaks naive renderers: table pipes, markup, HTML, workflow-command separators,
# percent signs, newlines, backticks, a javascript: URL, a control character.
NASTY = (
    'Pipe | star * under_score <script>alert("x")</script> & 100% done: a, b\r\n'
    "second line `tick` [link](javascript:alert(1)) $x$ ~~strike~~ ]]> \x07"
)


def build(paths: tuple[str, ...] = PROPOSALS, **options: object) -> ReportSet:
    """Check proposals (paths relative to the project root, which must be the cwd)."""
    book = load_rules(RULES)
    reports = check_all([load_proposal(p, book) for p in paths], book, engine="python", **options)
    return reports.model_copy(update={"version": VERSION})


def nasty() -> ReportSet:
    """The draft's report with every free-text field replaced by NASTY."""
    base = build(("tests/fixtures/proposals/draft.yaml",))
    report = base.reports[0]
    bad_source = Source(title=NASTY, outlet=NASTY, url="javascript:alert(1)", note=NASTY)
    findings = tuple(
        f.model_copy(
            update={
                "title": NASTY,
                "message": NASTY,
                "actor": NASTY,
                "sources": (bad_source, *f.sources),
                "clauses": tuple(c.model_copy(update={"title": NASTY}) for c in f.clauses),
            }
        )
        for f in report.findings
    )
    verdicts = tuple(v.model_copy(update={"actor": NASTY + v.ruleset}) for v in report.verdicts)
    proposal = report.proposal.model_copy(update={"title": NASTY, "id": "nasty|id <x>"})
    report = report.model_copy(
        update={"findings": findings, "verdicts": verdicts, "proposal": proposal}
    )
    return base.model_copy(update={"reports": (report,)})
