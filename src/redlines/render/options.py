"""What a renderer may need beyond the report itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..loader.fence import find_repo_root as find_repo_root  # one lookup, also used by loading
from ..report import FailOn


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False  # ANSI colours; the CLI turns them on only for a terminal
    # Findings carry paths as the user gave them (relative to the working directory). SARIF,
    # Markdown and HTML link to files relative to the repository instead, so that GitHub can
    # place them; None keeps the paths as given.
    repo_root: str | None = None
    # Where `path#Lline` links point, e.g. "https://github.com/o/r/blob/<sha>/". A job summary
    # or PR comment has no file to be relative to, so the Action sets this; None: relative links.
    link_base: str | None = None
    # The CLI's --fail-on and --strict, for formats that show pass/fail per rule (junit).
    fail_on: FailOn = "red_line"
    strict: bool = False
    # `redlines test -v`: list the cases that passed too, not only the failures.
    verbose: bool = False
    # Rule id -> the page documenting it (`ruledocs.rule_page_urls`); SARIF's helpUri, the
    # Markdown and HTML reports link each finding's rule there. Empty: no rule is linked.
    rule_pages: Mapping[str, str] = field(default_factory=dict)
    # Where the whole report can be read (the Action: the run's job summary), for the compact
    # summary a pull-request comment holds; None says how to make it instead.
    report_url: str | None = None
