"""`--select` and `--ignore`: which rules a run checks, by rule id, tag, actor or severity.

A name may be a rule id (or a glob of ids, `UA-TERR-*`), a tag (`territory`), an actor (the
rule set id `ukraine` or the actor's name `Ukraine`) or a severity (`red_line`, `priority`,
`preference`). With `select`, a rule is kept when any selected name matches it; then any
ignored name that matches removes it. A rule set left without rules drops out of the run.

A name that matches nothing the rule book knows is an error (a typo must not quietly check
less), and so is a selection that keeps no rule: a gate that checks nothing would always pass.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from .models import Rule, RuleBook, Severity
from .settings import Sourced, setting_error
from .specs import suggest


class Selection(NamedTuple):
    """What a selection kept: the names given and how many rules of the book it keeps."""

    select: tuple[str, ...]
    ignore: tuple[str, ...]
    kept: int
    total: int


def rule_tags(rule: Rule) -> tuple[str, ...]:
    return rule.tags


def matches(name: str, rule: Rule, actor_ids: dict[str, str]) -> bool:
    """Whether a selector name stands for this rule (see the module's docstring)."""
    if name == rule.id or (_is_glob(name) and fnmatch.fnmatchcase(rule.id, name)):
        return True
    if name in rule_tags(rule):
        return True
    if actor_ids.get(name.lower()) == rule.ruleset:
        return True
    return name == rule.severity.value


def _is_glob(name: str) -> bool:
    return any(ch in name for ch in "*?[")


def known_names(book: RuleBook) -> set[str]:
    names = {rule.id for rule in book.rules}
    names.update(tag for rule in book.rules for tag in rule_tags(rule))
    names.update(rs.id for rs in book.rulesets)
    names.update(rs.actor for rs in book.rulesets)
    names.update(s.value for s in Severity)
    return names


def _actor_ids(book: RuleBook) -> dict[str, str]:
    ids = {rs.id.lower(): rs.id for rs in book.rulesets}
    ids.update({rs.actor.lower(): rs.id for rs in book.rulesets})
    return ids


def select_rules(
    book: RuleBook, select: Sourced[tuple[str, ...]], ignore: Sourced[tuple[str, ...]]
) -> tuple[RuleBook, Selection | None]:
    """The book with only the selected rules (None: no selection was asked for)."""
    if not select.value and not ignore.value:
        return book, None
    actor_ids = _actor_ids(book)
    known = known_names(book)
    for setting, flag in ((select, "--select"), (ignore, "--ignore")):
        for name in setting.value:
            if not any(matches(name, rule, actor_ids) for rule in book.rules):
                what = "matches no rule id" if _is_glob(name) else "is no rule id, tag, actor or"
                tail = "" if _is_glob(name) else " severity"
                raise setting_error(
                    setting,
                    f"'{name}' {what}{tail} of the rule book{suggest(name, known)}"
                    + ("" if setting.origin else f" (in {flag})"),
                )

    def kept(rule: Rule) -> bool:
        chosen = not select.value or _any(select.value, rule, actor_ids)
        return chosen and not _any(ignore.value, rule, actor_ids)

    rulesets = tuple(
        rs.model_copy(update={"rules": tuple(r for r in rs.rules if kept(r))})
        for rs in book.rulesets
    )
    rulesets = tuple(rs for rs in rulesets if rs.rules)
    count = sum(len(rs.rules) for rs in rulesets)
    if not count:
        asked = " ".join(
            [*(f"--select {n}" for n in select.value), *(f"--ignore {n}" for n in ignore.value)]
        )
        raise setting_error(
            ignore if ignore.value and not select.value else select,
            f"the selection ({asked}) keeps no rule: nothing would be checked",
        )
    selection = Selection(
        select=select.value, ignore=ignore.value, kept=count, total=len(book.rules)
    )
    return book.model_copy(update={"rulesets": rulesets}), selection


def _any(names: Sequence[str], rule: Rule, actor_ids: dict[str, str]) -> bool:
    return any(matches(name, rule, actor_ids) for name in names)


def described(names: Iterable[str]) -> str:
    return ", ".join(names)
