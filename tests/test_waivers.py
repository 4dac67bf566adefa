"""Waivers: a known crossing accepted with a reason and an end date; reported apart in every
format, never failing; an expired one fails again and says so at its own line; a stale one is
a warning."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gate_repo import Repo
from golden_files import check_golden

GOLDEN = Path(__file__).parent / "golden" / "gate"

UA1 = """\
  - rule: UA-1
    proposals: test-draft
    clause: 1
    reason: Recorded as leaked; the draft is kept as it was.
    expires: {expires}
"""


def waive(repo: Repo, *waivers: str, extra: str = "") -> None:
    repo.write(".redlines.yaml", "rules: rules\n" + extra + "waivers:\n" + "".join(waivers))


def test_a_waived_crossing_does_not_fail_and_is_reported_apart(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    eu1 = UA1.replace("UA-1", "EU-1").format(expires="never")
    waive(repo, UA1.format(expires="2999-12-31"), eu1)
    run = repo.check()
    assert run.code == 0, run.err  # both red lines waived; UA-2 is only open
    assert run.err == ""
    check_golden(run.out, GOLDEN / "waived.txt")


def test_every_format_reports_the_waiver(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    waive(repo, UA1.format(expires="2999-12-31"))
    reason = "Recorded as leaked; the draft is kept as it was."
    md = repo.check("-f", "markdown").out
    assert "Waived (1): accepted by the configuration, they do not fail" in md
    assert "Recorded as leaked; the draft is kept as it was." in md
    data = json.loads(repo.check("-f", "json").out)
    (ua1,) = [f for f in data["reports"][0]["findings"] if f["rule"] == "UA-1"]
    assert ua1["waived"] == {
        "rule": "UA-1",
        "reason": reason,
        "expires": "2999-12-31",
        "location": {"path": ".redlines.yaml", "line": 3, "col": 5, "end_col": 15},
    }
    sarif = json.loads(repo.check("-f", "sarif").out)
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "UA-1"]
    (suppression,) = result["suppressions"]
    assert suppression["kind"] == "external" and suppression["status"] == "accepted"
    assert suppression["justification"] == reason
    junit = ET.fromstring(repo.check("-f", "junit").out)
    (case,) = [c for c in junit.iter("testcase") if c.get("name", "").startswith("UA-1 ")]
    skipped = case.find("skipped")
    assert skipped is not None and reason in skipped.get("message", "")
    github = repo.check("-f", "github").out
    (line,) = [ln for ln in github.splitlines() if "title=UA-1 " in ln]
    assert line.startswith("::notice ") and "Waived (waived until 2999-12-31" in line


def test_an_expired_waiver_fails_again_and_says_so_at_its_line(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    waive(repo, UA1.format(expires="2001-01-31"), extra="fail-on: red_line\n")
    run = repo.check("--select", "UA-1")
    assert run.code == 1
    assert run.err == (
        ".redlines.yaml:4:5: warning: the waiver for UA-1 expired on 2001-01-31 and no longer "
        "waives; 1 finding of this run fails again: renew it with a later date, or remove it\n"
    )
    assert "Waived" not in run.out
    warnings = json.loads(repo.check("--select", "UA-1", "-f", "json").out)["warnings"]
    assert [w["line"] for w in warnings] == [4]


def test_a_waiver_that_matches_nothing_is_a_stale_warning(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    stale = UA1.replace("UA-1", "UA-3").replace("clause: 1", "clause: 3").format(expires="never")
    waive(repo, UA1.format(expires="never"), stale)
    run = repo.check()
    assert run.code == 1  # EU-1 still crosses
    assert run.err == (
        ".redlines.yaml:8:5: warning: stale waiver: UA-3 on test-draft clause 3 matches no "
        "finding of this run; remove it, or correct what it names\n"
    )


def test_a_waiver_of_a_proposal_not_checked_is_not_stale(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    waive(repo, UA1.replace("test-draft", "other-*").format(expires="never"))
    assert repo.check().err == ""


def test_waivers_by_tag_glob_and_path(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    rules = repo.root / "rules/ukraine.yaml"
    rules.write_text(
        re.sub(r"(    severity: red_line\n)", r"\1    tags: [territory]\n", rules.read_text()),
        encoding="utf-8",
    )
    waive(
        repo,
        "  - {rule: territory, proposals: proposals/*.yaml, reason: r, expires: never}\n",
        "  - {rule: 'EU-*', proposals: '*', reason: r, expires: never}\n",
    )
    run = repo.check("-f", "json")
    assert run.code == 0, run.err
    findings = json.loads(run.out)["reports"][0]["findings"]
    assert {f["rule"] for f in findings if f["waived"]} == {"EU-1", "UA-1", "UA-2"}


def test_a_contradiction_can_be_waived(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    waive(
        repo,
        "  - {rule: redlines.contradiction, proposals: test-variant, reason: r, expires: never}\n",
    )
    run = repo.run("check", "proposals/variant.yaml")
    assert run.code == 0, run.out + run.err
    assert "Waived (they do not fail the check)" in run.out


def test_a_waivers_file(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.write("gate/waivers.yaml", "waivers:\n" + UA1.format(expires="never"))
    repo.write(".redlines.yaml", "rules: rules\nwaivers-file: gate/waivers.yaml\n")
    run = repo.check("--select", "UA-1")
    assert run.code == 0, run.err
    assert "waived with no end date by gate/waivers.yaml:2:5" in run.out


@pytest.mark.parametrize(
    ("waiver", "message"),
    [
        (
            "  - {rule: UA-9, proposals: x, reason: r, expires: never}\n",
            ".redlines.yaml:3:5: the waiver names 'UA-9', which is no rule id, tag or glob",
        ),
        ("  - {rule: UA-1, proposals: x, reason: '', expires: never}\n", "'reason' must say why"),
        ("  - {rule: UA-1, proposals: x, reason: r}\n", "missing required key 'expires'"),
        (
            "  - {rule: UA-1, proposals: x, reason: r, expires: soon}\n",
            "'expires': expected a date (YYYY-MM-DD) or 'never'",
        ),
        ("  - {rule: UA-1, reason: r, expires: never}\n", "missing required key 'proposals'"),
    ],
)
def test_bad_waivers_are_errors_at_their_line(tmp_path: Path, waiver: str, message: str) -> None:
    repo = Repo(tmp_path)
    waive(repo, waiver)
    run = repo.check()
    assert run.code == 2
    assert run.err.startswith(".redlines.yaml:3:"), run.err
    assert message in run.err
