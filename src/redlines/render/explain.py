"""`redlines explain` output: the rule, its condition tree, and on a proposal each leaf's source.

Markdown is the text in a fenced block under the rule's heading (JSON: `json.py`).
"""

from __future__ import annotations

from ..conditions import format_value
from ..coverage import REASON_WORDS
from ..explain import Explanation, Node
from ..models import WhenSilent
from ..report import TermState
from .gfm import code, code_block, md
from .logsafe import markdown_text, text_lines
from .options import RenderOptions


def _truth(value: bool | None) -> str:
    return "unknown" if value is None else "true" if value else "false"


def _state(state: TermState, because_of: dict[str, tuple[str, ...]]) -> str:
    match state.set_by:
        case "clause":
            where = f" at {state.location.path}:{state.location.line}" if state.location else ""
            return f"= {format_value(state.value)}, clause {state.clause}{where}"
        case "implication":
            causes = because_of.get(state.term, ())
            because = f" from {', '.join(causes)}" if causes else ""
            return f"= {format_value(state.value)}, derived by {state.implication}{because}"
        case "override":
            return f"= {format_value(state.value)}, set by --set"
        case "contradiction":
            return "contradicted: the proposal gives it different values"
        case "tie" if state.possible is not None:
            values = ", ".join(format_value(v) for v in state.possible)
            return f"unaddressed; read as one of {values} by tie {state.tie}"
        case "tie":
            causes = because_of.get(state.term, ())
            because = f" from {', '.join(causes)}" if causes else ""
            return f"= {format_value(state.value)}, derived by tie {state.tie}{because}"
    return "unaddressed"


def _head(result: Explanation) -> list[str]:
    rule = result.rule
    where = f" · {rule.location.path}:{rule.location.line}" if rule.location else ""
    severity = rule.severity.value.replace("_", " ")
    weight = f" (weight {rule.weight})" if rule.weight else ""
    lines = [
        f"{rule.id} — {rule.title}",
        f"  {rule.actor} ({rule.ruleset}) · {severity}{weight} · when silent: "
        f"{rule.when_silent.value}{where}",
    ]
    dates = []
    if rule.valid_from:
        dates.append(f"from {rule.valid_from.isoformat()}")
    if rule.valid_until:
        dates.append(f"until {rule.valid_until.isoformat()}")
    if rule.superseded_by:
        dates.append(f"superseded by {rule.superseded_by}")
    if dates:
        lines.append(f"  in force {' '.join(dates)}")
    lines += ["", f"  Requires: {result.condition}", f"  Message:  {rule.message}"]
    if rule.rationale:
        lines.append(f"  Rationale: {' '.join(rule.rationale.split())}")
    if rule.sources:
        lines.append("  Sources:")
        lines += [f"    - {s.label()}" for s in rule.sources]
    if result.implications and result.proposal is None:
        lines.append(f"  Terms it reads can be derived by: {', '.join(result.implications)}")
    if result.ties and result.proposal is None:
        lines.append(f"  Terms it reads are tied by: {', '.join(result.ties)}")
    if result.positions:
        lines.append("  Every actor on the terms it reads:")
        for term in result.positions:
            lines.append(f"    {term.term}")
            for cell in term.cells:
                if cell.rules:
                    said = ", ".join(r.id for r in cell.rules)
                elif cell.reason is not None:
                    note = f": {' '.join(cell.note.split())}" if cell.note else ""
                    said = f"no rule ({REASON_WORDS[cell.reason]}{note})"
                else:
                    said = "no rule, and no reason given"
                lines.append(f"      {cell.actor}: {said}")
    return lines


def _tree_lines(
    node: Node, depth: int, with_truth: bool, because_of: dict[str, tuple[str, ...]]
) -> list[str]:
    indent = "    " + "  " * depth
    role = f"{node.role} " if node.role else ""
    label = f"{indent}{role}{node.text}"
    if not with_truth:
        lines = [label]
    else:
        tail = f"  ({_state(node.state, because_of)})" if node.state else ""
        lines = [f"{label}  [{_truth(node.truth)}]{tail}"]
    for child in node.children:
        lines += _tree_lines(child, depth + 1, with_truth, because_of)
    return lines


def render_explain_text(result: Explanation, options: RenderOptions) -> str:
    lines = _head(result)
    if result.proposal is None:
        lines += ["", "  Condition tree:"]
        lines += _tree_lines(result.tree, 0, with_truth=False, because_of={})
        return text_lines(lines)
    p = result.proposal
    assert result.as_of is not None and result.status is not None
    silent = " (by when_silent)" if result.silent else ""
    lines += [
        "",
        f"  On {p.id} ({p.path}, rules as of {result.as_of.isoformat()}): "
        f"{result.status.value.upper()}{silent}",
    ]
    if not result.in_force:
        lines.append("  (this rule is not in force on that date, so `check` does not report it)")
    because_of = {d.term: d.because_of for d in result.derived}
    lines += _tree_lines(result.tree, 0, with_truth=True, because_of=because_of)
    if result.derived:
        lines += ["", "  Derived terms"]
        for d in result.derived:
            title = f" ({d.title})" if d.title else ""
            clauses = ", ".join(
                f"clause {c.id} at {c.location.path}:{c.location.line}" for c in d.clauses
            )
            because = ", ".join(d.because_of)
            by = f"tie {d.implication}" if d.via == "tie" else d.implication
            lines.append(f"    {d.term} = {format_value(d.value)} by {by}{title}")
            lines.append(f"      because of {because}" + (f" ({clauses})" if clauses else ""))
    if result.finding is not None and result.finding.location:
        loc = result.finding.location
        lines += ["", f"  `check` reports it at {loc.path}:{loc.line}"]
    if result.rule.when_silent is not WhenSilent.OPEN and result.truth is None:
        lines.append(f"  unknown counts as {result.rule.when_silent.value} for this rule")
    return text_lines(lines)


def render_explain_markdown(result: Explanation, options: RenderOptions) -> str:
    rule = result.rule
    text = render_explain_text(result, options)
    return markdown_text(f"### {code(rule.id)} {md(rule.title)}\n\n{code_block(text)}")
