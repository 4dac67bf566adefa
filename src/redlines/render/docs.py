"""`redlines docs`: a Markdown page per rule set, and an index, generated from the rule files.

Each rule sits under an anchor that is its id in lower case (`#ua-terr-1`, what reports link
to), with its severity, validity, tags, its condition in words (each term by its title, each
value as written), what a violation means, why the actor holds it, its sources and its
examples. The index lists the rule sets and the implications. Pages are deterministic: the same
rule files give the same bytes, so a committed copy can be checked for staleness.
"""

from __future__ import annotations

from ..conditions import format_value
from ..models import (
    AllOf,
    AnyOf,
    Catalogue,
    Condition,
    IfThen,
    Implication,
    Leaf,
    Not,
    Rule,
    RuleBook,
    RuleSet,
    Setting,
    Source,
    TermValue,
    WhenSilent,
)
from ..operators import OPERATORS
from ..ruledocs import RulePage, anchor, page_name
from .gfm import code, link, md, source_link
from .logsafe import markdown_text
from .options import RenderOptions
from .view import SEVERITY_NAME

REFRESH = "redlines docs --output DIR"

# How each operator of the condition language reads in a sentence.
PHRASES = {
    "eq": "is",
    "ne": "is not",
    "in": "is one of",
    "not_in": "is none of",
    "lt": "is below",
    "lte": "is at most",
    "gt": "is above",
    "gte": "is at least",
    "present": "is set",
    "absent": "is not set",
}

_SILENT = {
    WhenSilent.OPEN: "open (it has not settled them)",
    WhenSilent.MET: "met (silence leaves the status quo in force)",
    WhenSilent.VIOLATED: "violated (the draft must settle them)",
}


def render_docs_markdown(page: RulePage, options: RenderOptions) -> str:
    lines = _index(page) if page.ruleset is None else _ruleset_page(page, page.ruleset)
    return markdown_text("\n".join(lines).rstrip("\n")) + "\n"


def _generated(page: RulePage, what: str) -> list[str]:
    return [
        f"<!-- Generated from {what} by `redlines docs`: edit the rule files, not this page, "
        f"and run `{REFRESH}` again. -->",
        "",
    ]


# --- the index ----------------------------------------------------------------------------------


def _index(page: RulePage) -> list[str]:
    book = page.book
    lines = [*_generated(page, "the rules directory"), "# Rules", ""]
    lines += [
        "One page per rule set. Each rule says what a draft must do, when the position holds, "
        "why the actor holds it and where it is stated, with a draft that meets it and one that "
        "violates it (run them with `redlines test`).",
        "",
        "| Rule set | Actor | Rules | Red lines |",
        "| :-- | :-- | --: | --: |",
    ]
    for ruleset in book.rulesets:
        red = sum(1 for r in ruleset.rules if r.severity.value == "red_line")
        target = page_name(ruleset.id)
        lines.append(
            f"| {link(ruleset.title, target)} | {md(ruleset.actor)} | {len(ruleset.rules)} "
            f"| {red} |"
        )
    if book.implications:
        lines += ["", "## Implications", ""]
        lines += [
            "Terms derived from terms: when the condition holds, the terms take these values.",
            "",
        ]
        for imp in book.implications:
            lines += _implication(imp, book.catalogue)
    return lines


def _implication(imp: Implication, catalogue: Catalogue) -> list[str]:
    title = f" — {md(imp.title)}" if imp.title else ""
    lines = [f'<a id="{anchor(imp.id)}"></a>', f"### {md(imp.id)}{title}", ""]
    lines += ["When:", "", *_condition(imp.when, catalogue), ""]
    then = "; ".join(_setting_words(t, v, catalogue) for t, v in imp.then.items())
    lines += [f"Then: {then}.", ""]
    if validity := _validity(imp.valid_from, imp.valid_until, imp.superseded_by):
        lines += [f"In force: {validity}.", ""]
    if imp.rationale:
        lines += [f"Why: {md(imp.rationale)}", ""]
    lines += _sources(imp.sources)
    return lines


# --- a rule set ---------------------------------------------------------------------------------


def _ruleset_page(page: RulePage, ruleset_id: str) -> list[str]:
    book = page.book
    ruleset = next(rs for rs in book.rulesets if rs.id == ruleset_id)
    where = _source_file(page, ruleset)
    lines = [
        *_generated(page, where or f"the {ruleset.id} rule set"),
        f"# {md(ruleset.actor)}: {md(ruleset.title)}",
        "",
    ]
    facts = [f"Rule set {code(ruleset.id)}"]
    if ruleset.version:
        facts.append(f"version {md(ruleset.version)}")
    facts.append(f"{len(ruleset.rules)} rules")
    if where:
        file_link = link(where, f"{page.source_prefix}/{where.rsplit('/', 1)[-1]}")
        facts.append(f"written in {file_link}")
    lines += [" · ".join(facts) + ".", ""]
    if ruleset.description:
        lines += [md(ruleset.description), ""]
    lines += _contents(ruleset)
    for rule in ruleset.rules:
        lines += _rule(rule, book)
    return lines


def _source_file(page: RulePage, ruleset: RuleSet) -> str | None:
    if page.source_prefix is None or ruleset.origin is None:
        return None
    return ruleset.origin.file.replace("\\", "/")


def _contents(ruleset: RuleSet) -> list[str]:
    lines = [
        "| Rule | Severity | In force | Title |",
        "| :-- | :-- | :-- | :-- |",
    ]
    for rule in ruleset.rules:
        severity = SEVERITY_NAME[rule.severity] + (f" ({rule.weight})" if rule.weight else "")
        validity = _validity(rule.valid_from, rule.valid_until, rule.superseded_by) or "always"
        lines.append(
            f"| {link(rule.id, '#' + anchor(rule.id))} | {severity} | {md(validity)} "
            f"| {md(rule.title)} |"
        )
    return [*lines, ""]


def _rule(rule: Rule, book: RuleBook) -> list[str]:
    severity = SEVERITY_NAME[rule.severity].capitalize()
    weight = f" of weight {rule.weight}" if rule.weight is not None else ""
    facts = [f"**{severity}**{weight} of {md(rule.actor)}"]
    validity = _validity(rule.valid_from, rule.valid_until, rule.superseded_by)
    facts.append(f"in force {md(validity)}" if validity else "in force on every date")
    if rule.tags:
        facts.append("tags: " + ", ".join(code(tag) for tag in rule.tags))
    lines = [
        f'<a id="{anchor(rule.id)}"></a>',
        "",
        f"## {md(rule.id)} — {md(rule.title)}",
        "",
        " · ".join(facts) + ".",
        "",
        "**Requires:**",
        "",
        *_condition(rule.requires, book.catalogue),
        "",
        f"A draft silent on these terms leaves the rule {md(_SILENT[rule.when_silent])}.",
        "",
        f"**If violated:** {md(rule.message)}",
        "",
    ]
    if rule.rationale:
        lines += [f"**Why:** {md(rule.rationale)}", ""]
    lines += _sources(rule.sources)
    if rule.examples:
        lines += ["**Examples** (`redlines test` runs them):", ""]
        for example in rule.examples:
            verb = {"met": "Meets", "violated": "Violates", "open": "Leaves open"}[example.expect]
            terms = "; ".join(_example_setting(s, book.catalogue) for s in example.settings)
            said = f"- {verb}: {terms or 'a draft that sets none of its terms'}"
            if example.as_of:
                said += f" (as of {example.as_of.isoformat()})"
            if example.note:
                said += f". {md(example.note)}"
            lines.append(said)
        lines.append("")
    return lines


def _sources(sources: tuple[Source, ...]) -> list[str]:
    if not sources:
        return []
    lines = ["**Sources:**", ""]
    for source in sources:
        said = f"- {source_link(source)}"
        if source.note:
            said += f". {md(source.note)}"
        lines.append(said)
    return [*lines, ""]


def _validity(start: object, end: object, successor: str | None) -> str:
    parts = []
    if start is not None:
        parts.append(f"from {format_value(start)}")
    if end is not None:
        parts.append(f"until {format_value(end)}")
    said = " ".join(parts)
    if successor:
        said += f", then {successor}"
    return said


# --- conditions in words ------------------------------------------------------------------------


def _condition(condition: Condition, catalogue: Catalogue, depth: int = 0) -> list[str]:
    """The condition as a nested list, each test in words."""
    indent = "  " * depth
    if isinstance(condition, Leaf):
        return [f"{indent}- {_leaf(condition, catalogue)}"]
    if isinstance(condition, Not):
        return [f"{indent}- not:", *_condition(condition.part, catalogue, depth + 1)]
    if isinstance(condition, IfThen):
        return [
            f"{indent}- if:",
            *_condition(condition.condition, catalogue, depth + 1),
            f"{indent}- then:",
            *_condition(condition.consequence, catalogue, depth + 1),
        ]
    word = "all of" if isinstance(condition, AllOf) else "any of"
    assert isinstance(condition, AllOf | AnyOf)
    return [
        f"{indent}- {word}:",
        *(line for part in condition.parts for line in _condition(part, catalogue, depth + 1)),
    ]


def _leaf(leaf: Leaf, catalogue: Catalogue) -> str:
    said = f"{_term(leaf.term, catalogue)} {PHRASES[leaf.op]}"
    if OPERATORS[leaf.op].shape == "none":
        return said
    if isinstance(leaf.value, tuple):
        return f"{said} {', '.join(code(format_value(v)) for v in leaf.value)}"
    return f"{said} {code(format_value(leaf.value))}"


def _term(name: str, catalogue: Catalogue) -> str:
    term = catalogue.get(name)
    title = f"{md(term.title)} " if term else ""
    return f"{title}({code(name)})"


def _setting_words(name: str, value: TermValue, catalogue: Catalogue) -> str:
    return f"{_term(name, catalogue)} = {code(format_value(value))}"


def _example_setting(setting: Setting, catalogue: Catalogue) -> str:
    return f"{code(setting.term)} = {code(format_value(setting.value))}"
