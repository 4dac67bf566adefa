"""The rules for their readers: a listing (`redlines rules list`) and a page per rule set
(`redlines docs`), and where each rule's page is published, for reports to link to.

**Where a rule's page is.** `redlines docs --output DIR` writes `DIR/<rule set id>.md`, each rule
under an anchor that is its id in lower case (`#ua-terr-1`). For the bundled rules the pages
are committed under `docs/rules/` of the project's repository, so a rule's page is
`<homepage>/blob/v<version>/docs/rules/<rule set>.md#<rule id>`: the page as it was when the
installed version was released, whatever has changed on the main branch since. For a user's
own rules there is no such place unless they say where they publish the pages
(`redlines check --rule-docs URL`: `<URL>/<rule set>.md#<rule id>`); without it, findings link
to no page. SARIF's `helpUri`, the Markdown report and the HTML report carry the link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from .loader import bundled_dir
from .models import Frozen, Rule, RuleBook, Severity
from .report import Location
from .version import __version__

HOMEPAGE = "https://github.com/redlines-project/redlines"
# Where the pages of the bundled rules are committed in the project's repository.
BUNDLED_PAGES = "docs/rules"


def anchor(rule_id: str) -> str:
    """A rule's anchor on its page: its id in lower case (ids are ASCII, '.', '_' and '-')."""
    return rule_id.lower()


def page_name(ruleset_id: str) -> str:
    return f"{ruleset_id}.md"


def bundled_pages_url(version: str = __version__) -> str:
    """Where the bundled rules' pages are published for this release."""
    return f"{HOMEPAGE}/blob/v{version}/{BUNDLED_PAGES}"


def is_bundled(rules_dir: str | Path | None) -> bool:
    """Whether a `--rules` argument names the rules bundled with redlines (None: it does)."""
    if rules_dir is None:
        return True
    try:
        return Path(rules_dir).resolve() == bundled_dir("rules").resolve()
    except OSError:
        return False


def rule_page_urls(rules: Iterable[tuple[str, str]], base: str | None) -> dict[str, str]:
    """Each rule's page, `<base>/<rule set>.md#<rule id>`, for (rule id, rule set id) pairs;
    none without a base."""
    if not base:
        return {}
    root = base.rstrip("/")
    return {rule_id: f"{root}/{page_name(ruleset)}#{anchor(rule_id)}" for rule_id, ruleset in rules}


def pages_base(rules_dir: str | Path | None, configured: str | None) -> str | None:
    """Where the pages of these rules are: as configured, else the bundled ones', else none."""
    if configured:
        return configured
    return bundled_pages_url() if is_bundled(rules_dir) else None


# --- `redlines rules list` ------------------------------------------------------------------------


class ListedRule(Frozen, defer_build=True):
    """One rule as `redlines rules list` shows it."""

    id: str
    """The rule's id."""
    ruleset: str
    """The id of its rule set."""
    actor: str
    """Whose rule it is."""
    severity: Severity
    """red_line, priority or preference."""
    weight: int | None
    """The weight of a priority or preference."""
    tags: tuple[str, ...]
    """Its tags."""
    valid_from: dt.date | None
    """The first day it holds."""
    valid_until: dt.date | None
    """The last day it holds."""
    superseded_by: str | None
    """The rule that replaced it."""
    title: str
    """What it asks for."""
    location: Location | None
    """Where it is written."""
    page: str | None
    """Its documentation page, where one is published."""


class RuleListing(Frozen, defer_build=True):
    """The rules `redlines rules list` selected, in rule-book order."""

    as_of: dt.date | None
    """Only the rules in force on this day (null: every rule, whatever its dates)."""
    rules: tuple[ListedRule, ...]
    """The rules."""


def list_rules(
    book: RuleBook,
    *,
    rulesets: Sequence[str] = (),
    severities: Sequence[Severity] = (),
    tags: Sequence[str] = (),
    as_of: dt.date | None = None,
    pages: dict[str, str] | None = None,
) -> RuleListing:
    """The rules of the given rule sets (all if none), of any given severity, carrying any
    given tag, in force on `as_of` (all if None)."""
    selected = book.for_actors(list(rulesets)).in_force(as_of)
    wanted_tags = set(tags)
    rules = [
        rule
        for rule in selected.rules
        if (not severities or rule.severity in severities)
        and (not wanted_tags or wanted_tags & set(rule.tags))
    ]
    return RuleListing(
        as_of=as_of, rules=tuple(_listed(rule, (pages or {}).get(rule.id)) for rule in rules)
    )


def _listed(rule: Rule, page: str | None) -> ListedRule:
    return ListedRule(
        id=rule.id,
        ruleset=rule.ruleset,
        actor=rule.actor,
        severity=rule.severity,
        weight=rule.weight,
        tags=rule.tags,
        valid_from=rule.valid_from,
        valid_until=rule.valid_until,
        superseded_by=rule.superseded_by,
        title=rule.title,
        location=Location.of(rule.origin) if rule.origin else None,
        page=page,
    )


def all_tags(rules: Iterable[Rule]) -> list[str]:
    return sorted({tag for rule in rules for tag in rule.tags})


# --- `redlines docs` ------------------------------------------------------------------------------


class RulePage(Frozen, defer_build=True):
    """One page `redlines docs` writes: a rule set's (`ruleset`), or the index (None)."""

    book: RuleBook
    ruleset: str | None
    # Where the rule files are, relative to the folder the page is written to (for links to
    # them); None when they are not under the same repository (the bundled rules of a wheel).
    source_prefix: str | None = None
