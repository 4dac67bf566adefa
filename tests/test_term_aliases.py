"""Term names are public: a renamed term keeps its old name as an alias (terms.yaml, `aliases:`),
so older drafts and rule files keep loading, with a deprecation warning at the line that uses it,
and check exactly as under the new name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import redlines
from conftest import FIXTURES, run_cli
from redlines.batch import check_many, summarize

OLD, NEW = "ukraine.army_ceiling", "ukraine.army_cap"


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    """The test rules with `ukraine.army_cap` renamed from `ukraine.army_ceiling`."""
    folder = tmp_path / "rules"
    shutil.copytree(FIXTURES / "rules", folder)
    terms = folder / "terms.yaml"
    text = terms.read_text(encoding="utf-8")
    terms.write_text(
        text.replace("    unit: personnel\n", f"    unit: personnel\n    aliases: [{OLD}]\n", 1),
        encoding="utf-8",
    )
    return folder


def draft_using(folder: Path, name: str) -> Path:
    text = (FIXTURES / "proposals" / "draft.yaml").read_text(encoding="utf-8")
    path = folder / f"draft-{name}.yaml"
    path.write_text(text.replace(f"{NEW}:", f"{name}:"), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_an_old_name_loads_warns_at_its_line_and_checks_the_same(
    rules_dir: Path, tmp_path: Path
) -> None:
    book = redlines.load_rules(rules_dir)
    assert book.catalogue.aliases == {OLD: NEW} and book.warnings == ()
    old_path, new_path = draft_using(tmp_path, OLD), draft_using(tmp_path, NEW)
    old, new = redlines.load_proposal(old_path, book), redlines.load_proposal(new_path, book)
    (warning,) = old.warnings
    assert (warning.file, warning.line, warning.col) == (str(old_path), line_of(old_path, OLD), 7)
    assert f"'{OLD}' is the old name of '{NEW}'; write '{NEW}'" in warning.message
    assert new.warnings == ()
    assert [s.term for c in old.clauses for s in c.settings] == [
        s.term for c in new.clauses for s in c.settings
    ]
    old_report, new_report = redlines.check(old, book), redlines.check(new, book)
    assert old_report.warnings == (warning,)
    assert judged(old_report) == judged(new_report)


def judged(report: redlines.Report) -> object:
    """Everything a report decides, without the file it was read from."""
    return (
        report.overall,
        report.verdicts,
        [
            (f.rule, f.status, [(t.term, t.value, t.set_by) for t in f.terms])
            for f in report.findings
        ],
        [(d.term, d.value) for d in report.derived],
    )


def test_an_old_name_in_a_rule_file_warns_there(rules_dir: Path) -> None:
    ukraine = rules_dir / "ukraine.yaml"
    ukraine.write_text(
        ukraine.read_text().replace(f"{{term: {NEW}, gte", f"{{term: {OLD}, gte"), encoding="utf-8"
    )
    book = redlines.load_rules(rules_dir)
    (warning,) = book.warnings
    assert warning.file.endswith("ukraine.yaml") and warning.line == line_of(ukraine, OLD)
    rule = book.rule("UA-3")
    assert rule is not None and rule.requires.term == NEW  # type: ignore[union-attr]
    report = redlines.check(
        redlines.load_proposal(FIXTURES / "proposals" / "draft.yaml", book), book
    )
    assert warning in report.warnings


def test_an_old_name_in_an_implication_warns_there(rules_dir: Path) -> None:
    implications = rules_dir / "implications.yaml"
    text = implications.read_text(encoding="utf-8")
    implications.write_text(
        text + "  - id: IMP-OLD\n    when: {term: territory.donetsk, eq: de_jure_russian}\n"
        f"    then: {{{OLD}: 100000}}\n    rationale: r\n    sources: [{{url: 'https://x.invalid'}}]\n",
        encoding="utf-8",
    )
    book = redlines.load_rules(rules_dir)
    (warning,) = book.warnings
    assert warning.line == line_of(implications, OLD)
    implication = next(i for i in book.implications if i.id == "IMP-OLD")
    assert implication.then == {NEW: 100000}


def test_an_old_name_in_set_warns_and_sets_the_new_term(rules_dir: Path) -> None:
    draft = FIXTURES / "proposals" / "draft.yaml"
    run_old = run_cli("check", str(draft), "--rules", str(rules_dir), "--set", f"{OLD}=900000")
    run_new = run_cli("check", str(draft), "--rules", str(rules_dir), "--set", f"{NEW}=900000")
    assert run_old.code == run_new.code
    assert run_old.out == run_new.out  # the what-if line names the term by its name now
    assert (
        run_old.err
        == f"--set:1:1: warning: '{OLD}' is the old name of '{NEW}'; write '{NEW}'"
        + (" (the old name still works, but may be removed in a later version)\n")
    )
    assert run_new.err == ""
    book = redlines.load_rules(rules_dir)
    base = redlines.load_proposal(draft, book)
    swept = check_many([{OLD: 900000}, {NEW: 900000}], book, base=base)
    assert swept.outcomes[0] == swept.outcomes[1]
    assert swept.outcomes[1] == summarize(redlines.check(base, book, overrides={NEW: 900000}))


def test_the_cli_prints_the_warning_and_keeps_the_exit_code(
    rules_dir: Path, tmp_path: Path
) -> None:
    old_path = draft_using(tmp_path, OLD)
    old = run_cli("check", str(old_path), "--rules", str(rules_dir))
    new = run_cli("check", str(draft_using(tmp_path, NEW)), "--rules", str(rules_dir))
    assert old.code == new.code == 1
    assert old.err.splitlines() == [
        f"{old_path}:{line_of(old_path, OLD)}:7: warning: '{OLD}' is the old name of '{NEW}'; "
        f"write '{NEW}' (the old name still works, but may be removed in a later version)"
    ]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (f"{OLD}: 1\n      {NEW}: 2", f"this clause sets '{NEW}' twice (once under its old name)"),
    ],
)
def test_a_clause_may_not_set_a_term_under_both_names(
    rules_dir: Path, tmp_path: Path, settings: str, message: str
) -> None:
    text = (FIXTURES / "proposals" / "draft.yaml").read_text(encoding="utf-8")
    path = tmp_path / "both.yaml"
    path.write_text(text.replace(f"{NEW}: 600000", settings), encoding="utf-8")
    with pytest.raises(redlines.InputError) as err:
        redlines.load_proposal(path, redlines.load_rules(rules_dir))
    assert message in str(err.value)


def test_terms_lists_the_old_names(rules_dir: Path) -> None:
    text = run_cli("terms", "--rules", str(rules_dir)).out
    assert f"old names (deprecated): {OLD}" in text
    listing = run_cli("terms", "--rules", str(rules_dir), "--format", "json").out
    assert f'"aliases": [\n      "{OLD}"\n    ]' in listing


PUBLIC_NAMES = Path(__file__).resolve().parent / "content" / "public_term_names.txt"


def test_no_published_term_name_stops_loading() -> None:
    """The bundled catalogue keeps every name it has published, as a term or an alias."""
    names = [
        line.strip()
        for line in PUBLIC_NAMES.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    catalogue = redlines.load_rules().catalogue
    gone = [name for name in names if catalogue.resolve(name) is None]
    assert not gone, f"term names removed without an alias (terms.yaml, aliases:): {gone}"
    unlisted = sorted(set(catalogue.terms) - set(names))
    assert not unlisted, f"add these new terms to {PUBLIC_NAMES.name}: {unlisted}"
