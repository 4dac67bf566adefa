"""A rule book made of several: a complete one (the bundled rules, or a rules folder) extended by
local folders of rule sets, implications, ties and terms, then changed rule by rule.

This is what a configuration's `rules: [bundled, policy]` and `rule-overrides:` mean, so that a
team adds its own rule sets or changes one bundled rule without copying the bundled folder. A
local folder's `terms.yaml` is optional; a term it defines that the book already has is an
error naming both places, as is a rule or rule set id defined twice. `--rules DIR` keeps its
meaning: one complete rule book, no composition.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..models import Catalogue, InputError, Problem, Rule, RuleBook, Severity, fail
from ..settings import BUNDLED, RuleOverride
from ..specs import suggest
from .fence import check_inside, check_name, fence_of
from .rules import check_cross_references, load_rule_files, load_rules
from .terms import MAX_TERMS, load_terms
from .validate import one_line_problems


@one_line_problems
def compose_rules(books: Sequence[str]) -> RuleBook:
    """The first book (`bundled` or a complete rules folder), extended by each folder after it."""
    first, *more = books
    book = load_rules(None if first == BUNDLED else first)
    for folder in more:
        book = extend_rules(book, folder)
    return book


def extend_rules(book: RuleBook, folder: str) -> RuleBook:
    """`book` plus the terms, rule sets, implications and ties in `folder`."""
    label = os.path.normpath(folder)
    if folder == BUNDLED:
        fail(label, "'bundled' can only come first in 'rules': it is a complete rule book")
    check_name(label)
    root = Path(folder)
    if not root.is_dir():
        fail(label, "no such rules directory" if not root.exists() else "is not a directory")
    fence = fence_of(root / "terms.yaml")
    catalogue = book.catalogue
    terms_path = root / "terms.yaml"
    if terms_path.is_file():
        display = os.path.join(label, "terms.yaml")
        check_inside(terms_path, display, fence)
        catalogue = merge_catalogues(catalogue, load_terms(terms_path, display))
    already = len(book.rules) + len(book.implications) + len(book.ties)
    files = load_rule_files(root, label, catalogue, fence, already)
    merged = RuleBook(
        catalogue=catalogue,
        rulesets=(*book.rulesets, *files.rulesets),
        implications=(*book.implications, *files.implications),
        ties=(*book.ties, *files.ties),
        root=book.root,
        warnings=(*book.warnings, *files.warnings),
    )
    check_cross_references(merged)
    return merged


def merge_catalogues(base: Catalogue, local: Catalogue) -> Catalogue:
    """The base catalogue and the local terms; a name both define is an error naming both."""
    problems = [
        Problem.at(
            term.origin,
            f"term '{name}' is already defined at {base.terms[name].origin}; "
            "a local term needs a name of its own",
        )
        for name, term in local.terms.items()
        if name in base.terms
    ]
    # An old name stays public (drafts still use it), so a local term may not take it either.
    problems += [
        Problem.at(
            term.origin,
            f"term '{name}' is an older name of '{base.aliases[name]}' in the rule book; "
            "a local term needs a name of its own",
        )
        for name, term in local.terms.items()
        if name in base.aliases
    ]
    problems += [
        Problem.at(
            local.terms[local.aliases[old]].origin,
            f"alias '{old}' is already a term or an alias in the rule book; "
            "a local alias needs a name of its own",
        )
        for old in local.aliases
        if old in base.terms or old in base.aliases
    ]
    if problems:
        raise InputError(problems)
    terms = {**base.terms, **local.terms}
    if len(terms) > MAX_TERMS:
        fail(local.origin or "terms.yaml", f"more than {MAX_TERMS:,} terms together, the limit")
    return Catalogue(
        terms=dict(sorted(terms.items())),
        origin=base.origin,
        aliases=dict(sorted({**base.aliases, **local.aliases}.items())),
    )


def apply_overrides(
    book: RuleBook, overrides: Sequence[RuleOverride]
) -> tuple[RuleBook, list[tuple[RuleOverride, Rule]]]:
    """The book with each override applied (a disabled rule removed), and each override with
    the rule as it was. An id the book does not have, or a change that leaves a rule invalid
    (a priority without a weight), is an error at the override."""
    by_id = {rule.id: rule for rule in book.rules}
    problems: list[Problem] = []
    changed: dict[str, Rule | None] = {}
    applied: list[tuple[RuleOverride, Rule]] = []
    for override in overrides:
        rule = by_id.get(override.rule)
        if rule is None:
            problems.append(
                Problem.at(
                    override.origin,
                    f"no rule '{override.rule}' in the rule book to override"
                    f"{suggest(override.rule, by_id)}",
                )
            )
            continue
        applied.append((override, rule))
        if override.disabled:
            changed[rule.id] = None
            continue
        severity = override.severity or rule.severity
        weight = override.weight if override.weight is not None else rule.weight
        if severity is Severity.RED_LINE:
            if override.weight is not None:
                problems.append(
                    Problem.at(override.origin, f"{rule.id}: a red line carries no 'weight'")
                )
                continue
            weight = None
        elif weight is None:
            problems.append(
                Problem.at(
                    override.origin,
                    f"{rule.id}: a {severity.value} needs a 'weight' (a whole number, 1 or more)",
                )
            )
            continue
        changed[rule.id] = rule.model_copy(update={"severity": severity, "weight": weight})
    if problems:
        raise InputError(problems)
    rulesets = tuple(
        rs.model_copy(
            update={
                "rules": tuple(kept for r in rs.rules if (kept := changed.get(r.id, r)) is not None)
            }
        )
        for rs in book.rulesets
    )
    return book.model_copy(update={"rulesets": rulesets}), applied
