"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run; `tool.driver.rules` holds every rule the check evaluated (plus one for contradictions),
each with its sources as help text and its documentation page as `helpUri` (`ruledocs`: the
bundled rules' pages, or the pages a user publishes with `--rule-docs`; none otherwise).
Results are what `view.items` reports, per proposal its contradictions first:

- a violated rule: level by severity (red line `error`, priority `warning`, preference `note`);
- an open red line: level `note`, with `properties.status = "open"`. SARIF's own `kind: open`
  would be the purist's choice, but the spec then demands level `none`, which code scanning
  does not show; a reviewer should see what a draft leaves open;
- a contradiction: level `error`, rule `redlines.contradiction`.

Each result's region starts at its clause (`startLine`, `startColumn`) and ends at the end of that
line's text (`endLine`, `endColumn`), with a path relative to the repository root under
`uriBaseId` `%SRCROOT%`. `relatedLocations` hold the further clauses of a finding, each clause of
a contradiction with the value it sets, and for a finding that turns on a derived term, the
implication that derived it and the clauses it derived it from. `partialFingerprints` hash rule,
proposal and clause ids, never line numbers, so an alert survives edits that only move lines
(baseline.py; docs/github-action.md says how this meets GitHub's own line hash).

With a gate: a waived result has an accepted `suppressions` entry (`kind: external`, the reason
as its `justification`), which code scanning closes as dismissed; with a baseline, each result
has `baselineState` `new` or `unchanged`, and the baseline's findings the run no longer finds
follow as `absent` results (`kind: pass`, level `none`). `runs[0].properties.gate` says how the
rule book was changed and selected.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..conditions import format_value
from ..report import (
    CONTRADICTION_RULE,
    BaselineEntry,
    Finding,
    GateInfo,
    Location,
    Report,
    ReportSet,
)
from .gfm import md, source_link
from .links import repo_path, repo_relative
from .logsafe import json_text
from .options import RenderOptions
from .stream import CheckWriter, render_with
from .view import (
    CONTRADICTION_TITLE,
    SEVERITY_LEVEL,
    SEVERITY_NAME,
    Item,
    Kind,
    clause_label,
    report_view,
    unaddressed,
)

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/redlines-project/redlines"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "redlinesFinding/v1"


def render_sarif(reports: ReportSet, options: RenderOptions) -> str:
    return render_with(SarifWriter, reports, options)


class SarifWriter(CheckWriter):
    """The rule list comes first and each result names its rule by its index in that list, so
    neither can be written before the last report: the results wait in a spool, one JSON line
    each (ASCII, so that a line break in a text cannot split one), and get their index at the
    end. Of each proposal only its line in the run's `properties` is kept."""

    # A result's lines inside `"runs": [{"results": [`: four levels deeper than on their own.
    _INDENT = " " * 8

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.results = self.spool()
        self.described: dict[str, Finding] = {}  # rule id -> the first finding of it
        self.proposals: list[dict[str, Any]] = []
        self.reviewed: dict[str, str] = {}  # rule set id -> its positions' review date

    def add(self, report: Report) -> None:
        super().add(report)
        for f in report.findings:
            self.described.setdefault(f.rule, f)
        for ruleset in report.rulesets:
            if ruleset.reviewed is not None:
                self.reviewed[ruleset.id] = ruleset.reviewed.isoformat()
        for item in report_view(report).items:
            self.results.write(json.dumps(_result(item, self.options)) + "\n")
        self.proposals.append(
            {
                "id": report.proposal.id,
                "path": repo_path(report.proposal.path, self.options),
                "overall": report.overall.value,
                "asOf": report.as_of.isoformat(),
                "verdicts": {v.ruleset: v.verdict.value for v in report.verdicts},
                **(
                    {"brackets": report.brackets.model_dump(mode="json")}
                    if report.brackets is not None
                    else {}
                ),
            }
        )

    def finish(self) -> None:
        pages = self.options.rule_pages
        rules = [_rule(f, pages.get(f.rule)) for _, f in sorted(self.described.items())]
        if self.tally.contradicting:
            rules.append(_contradiction_rule())
        index = {rule["id"]: i for i, rule in enumerate(rules)}
        for entry in self.absent:  # the baseline's findings no longer found, after the rest
            self.results.write(json.dumps(_absent(entry)) + "\n")
        results = self.results.lines()
        first = next(results, None)
        placeholder = f"results-{uuid.uuid4().hex}"  # stands for them in the document's text
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "redlines",
                    "version": self.version,
                    "semanticVersion": self.version,
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "originalUriBaseIds": {SRCROOT: {"description": {"text": "The repository root."}}},
            "columnKind": "unicodeCodePoints",
            "results": [] if first is None else [placeholder],
            "properties": {
                "overall": self.tally.overall.value,
                "proposals": self.proposals,
                # How current the verdicts are: per rule set, the day its positions were checked.
                "positionsReviewedUpTo": dict(sorted(self.reviewed.items())),
            },
        }
        if self.tally.gate is not None:
            run["properties"]["gate"] = _gate(self.tally.gate)
        document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
        text = json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
        if first is None:
            self.out.write(text)
            return
        before, after = text.split(f'"{placeholder}"')
        self.out.write(before)
        self._write_result(first, index, separator="")
        for line in results:
            self._write_result(line, index, separator=",\n" + self._INDENT)
        self.out.write(after)

    def _write_result(self, line: str, index: dict[str, int], separator: str) -> None:
        result = json.loads(line)
        if result["ruleId"] in index:
            result["ruleIndex"] = index[result["ruleId"]]
        else:  # an absent finding of a rule this run did not evaluate
            del result["ruleIndex"]
        text = json_text(json.dumps(result, indent=2, ensure_ascii=False))
        self.out.write(separator + text.replace("\n", "\n" + self._INDENT))


# --- rules --------------------------------------------------------------------------------------


def _rule(f: Finding, page: str | None) -> dict[str, Any]:
    severity = SEVERITY_NAME[f.severity]
    weight = f" (weight {f.weight})" if f.weight is not None else ""
    full = f"{f.actor} {severity}{weight}: {f.title}. A violation means: {f.message}"
    rationale = f.rationale
    text = [f"{f.title} — {f.actor} {severity}{weight}.", "", f"If violated: {f.message}"]
    markdown = [
        f"**{md(f.title)}** — {md(f.actor)} {severity}{weight}.",
        "",
        f"If violated: {md(f.message)}",
    ]
    if rationale:
        text += ["", f"Why: {rationale}"]
        markdown += ["", f"Why: {md(rationale)}"]
    if f.sources:
        text += ["", "Sources:", *(f"- {s.label()}" for s in f.sources)]
        markdown += ["", "Sources:", "", *(f"- {source_link(s)}" for s in f.sources)]
    entry: dict[str, Any] = {
        "id": f.rule,
        "name": _pascal(f.title) or f.rule,
        "shortDescription": {"text": f.title},
        "fullDescription": {"text": full},
        "help": {"text": "\n".join(text), "markdown": "\n".join(markdown)},
        "defaultConfiguration": {"level": SEVERITY_LEVEL[f.severity].value},
        "properties": {
            "tags": [f.actor, f.severity.value],
            "actor": f.actor,
            "ruleset": f.ruleset,
            "severity": f.severity.value,
        },
    }
    if page:
        entry["helpUri"] = page
    if f.weight is not None:
        entry["properties"]["weight"] = f.weight
    return entry


def _gate(info: GateInfo) -> dict[str, Any]:
    """How the run's rule book and gate differ from the rules as written."""
    gate: dict[str, Any] = {}
    if info.modified_rules:
        gate["modifiedRules"] = [
            {
                "rule": m.rule,
                "was": {"severity": m.was_severity.value, "weight": m.was_weight},
                "now": "disabled"
                if m.severity is None
                else {"severity": m.severity.value, "weight": m.weight},
                "reason": m.reason,
                "where": f"{m.location.path}:{m.location.line}:{m.location.col}",
            }
            for m in info.modified_rules
        ]
    if info.rules_selected is not None:
        gate["selection"] = {
            "select": list(info.select),
            "ignore": list(info.ignore),
            "rules": info.rules_selected,
            "of": info.rules_total,
        }
    if info.waivers:
        gate["waivers"] = info.waivers
    if info.baseline is not None:
        gate["baseline"] = info.baseline
    return gate


def _contradiction_rule() -> dict[str, Any]:
    text = (
        "Two clauses, or a clause and an implication of another clause, give one term "
        "different values. The term is treated as unaddressed and the check fails until "
        "the draft says one thing."
    )
    return {
        "id": CONTRADICTION_RULE,
        "name": "ProposalContradictsItself",
        "shortDescription": {"text": CONTRADICTION_TITLE},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["redlines", "contradiction"]},
    }


def _pascal(title: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", title))


# --- results ------------------------------------------------------------------------------------


def _result(item: Item, options: RenderOptions) -> dict[str, Any]:
    """One result; its `ruleIndex` is set when the rule list is known (`SarifWriter.finish`)."""
    proposal = item.report.proposal
    text = f"{item.headline}: {item.message}"
    if item.finding is not None:
        text += f" [{proposal.id}, {clause_label(item.finding)}]"
    else:
        text += f" [{proposal.id}]"
    result: dict[str, Any] = {
        "ruleId": item.rule,
        "ruleIndex": None,
        "level": item.level.value,
        "message": {"text": text},
        "locations": [_location(item.location, options)],
        "partialFingerprints": {FINGERPRINT_KEY: item.fingerprint},
        "properties": {
            "proposal": proposal.id,
            "status": item.kind.value,  # violated | open | contradiction
        },
    }
    if item.baseline is not None:
        result["baselineState"] = item.baseline
    if item.waived is not None:
        # An accepted suppression: SARIF viewers hide the result, and GitHub code scanning
        # closes its alert as dismissed, with the waiver's reason.
        w = item.waived
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": w.reason,
                "location": _location(w.location, options),
                "properties": {"expires": w.expires.isoformat() if w.expires else "never"},
            }
        ]
    related: list[tuple[Location, str]] = []
    if item.finding is not None:
        f = item.finding
        result["properties"].update(actor=f.actor, severity=f.severity.value)
        if item.kind is Kind.OPEN:
            result["properties"]["unaddressed"] = unaddressed(f)
        related += [(c.location, f"clause {c.id}: {c.title}") for c in f.clauses[1:]]
        related += _derivations(item)
    elif item.contradiction is not None:
        result["properties"]["term"] = item.contradiction.term
        contradiction = item.contradiction
        if contradiction.tie:
            result["properties"].update(tie=contradiction.tie, terms=list(contradiction.terms))
        related += [
            (c.location, f"{c.by} sets {c.term or contradiction.term} to {format_value(c.value)}")
            for c in contradiction.claims
            if c.location
        ]
        related += _derivations(item, list(contradiction.terms or (contradiction.term,)))
    if related:
        result["relatedLocations"] = [
            _location(where, options, i, message)
            for i, (where, message) in enumerate(_unique(related), start=1)
        ]
    return result


def _derivations(item: Item, terms: list[str] | None = None) -> list[tuple[Location, str]]:
    """For a finding that turns on a derived term: the implication that derived it and the
    clauses it was derived from."""
    report = item.report
    derived = {d.term: d for d in report.derived}
    if terms is None:
        assert item.finding is not None
        terms = [t.term for t in item.finding.terms if t.set_by == "implication"]
    found: list[tuple[Location, str]] = []
    for term in terms:
        d = derived.get(term)
        if d is None:
            continue
        value = format_value(d.value)
        if d.implication_location is not None:
            found.append(
                (d.implication_location, f"{d.via} {d.implication} derives {term} = {value}")
            )
        found += [
            (c.location, f"clause {c.id}: {c.title} (what {d.implication} derives {term} from)")
            for c in d.clauses
        ]
    return found


def _unique(related: list[tuple[Location, str]]) -> list[tuple[Location, str]]:
    seen: set[tuple[str, int, int]] = set()
    kept = []
    for where, message in related:
        key = (where.path, where.line, where.col)
        if key not in seen:
            seen.add(key)
            kept.append((where, message))
    return kept


def _absent(entry: BaselineEntry) -> dict[str, Any]:
    """A finding of the baseline this run no longer finds: a `pass` result, `absent`."""
    result: dict[str, Any] = {
        "ruleId": entry.rule,
        "ruleIndex": None,
        "kind": "pass",
        "level": "none",
        "baselineState": "absent",
        "message": {
            "text": f"No longer found: {entry.rule} ({entry.kind}) in {entry.proposal}, "
            "which the baseline holds"
        },
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(entry.path, safe="/"), "uriBaseId": SRCROOT},
                    "region": {"startLine": entry.line},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: entry.fingerprint},
        "properties": {"proposal": entry.proposal, "status": entry.kind},
    }
    return result


def _location(
    location: Location, options: RenderOptions, ident: int | None = None, message: str | None = None
) -> dict[str, Any]:
    path = repo_relative(location.path, options)
    artifact: dict[str, Any]
    if path is None:  # outside the repository: no base can hold it, so an absolute file URI
        artifact = {"uri": Path(location.path).resolve().as_uri()}
    else:
        artifact = {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}
    # The region runs from the column to the end of that line's text: a clause's first line,
    # or the line that sets a term.
    end = location.end_col if location.end_col and location.end_col > location.col else None
    found: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": artifact,
            "region": {
                "startLine": location.line,
                "startColumn": location.col,
                "endLine": location.line,
                "endColumn": end or location.col + 1,
            },
        }
    }
    if ident is not None:
        found["id"] = ident
    if message:
        found["message"] = {"text": message}
    return found
