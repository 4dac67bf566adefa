"""Changed-only: in a pull request, check only the proposals it adds or changes, and say what
each change did to the verdicts ("this change newly crosses UA-ARMY-1").

`redlines` itself starts no process (README, "Security notes"), so git is run by the Action's
own shell step (`action.yml`): it lists the files that differ between the pull request's base
commit (from the event) and the checked-out head, and unpacks the base commit's files into a
folder of their own. This module reads both:

- `REDLINES_CHANGED`: a file holding the changed paths, relative to the repository root,
  separated by NUL bytes (git's `-z`, so that no file name can break the list);
- `REDLINES_BASE_TREE`: the base commit's files, where the old version of each changed draft
  (and of the drafts a variant is built on) is read from.

A proposal counts as changed when its file, or any file of its `base:` chain, is in the list:
a variant of a changed draft is a changed variant. When a rules folder or the configuration (or
its waivers or baseline) changed, every proposal is checked: a changed rule can move any verdict.
Outside a pull request (a push), every proposal is checked too; the log says which case it is.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .diff import ProposalDiff, diff_reports
from .loader import load_proposal
from .loader.fence import find_repo_root, relative_to_root
from .models import RuleBook
from .render.links import repo_path
from .render.options import RenderOptions
from .report import Report, check
from .settings import BUNDLED, Settings

PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
# How many changed paths the log names before it says "and N more".
_NAMED = 10


@dataclass
class Change:
    """What a changed-only run checks, and where the old versions are."""

    paths: list[str]  # the proposal files to check
    note: str  # what is checked and why, for the log
    base_tree: Path | None = None  # the base commit's files; None: nothing to compare with
    changed: frozenset[str] = field(default_factory=frozenset)  # repository-relative paths

    def diff(self, report: Report, book: RuleBook) -> list[ProposalDiff]:
        """The report's proposal compared with its version in the base commit, judged by the
        same rules on the same date; none for a proposal the pull request adds."""
        if self.base_tree is None:
            return []
        relative = relative_to_root(report.proposal.path, find_repo_root())
        if relative is None or not (self.base_tree / relative).is_file():
            return []  # a draft the pull request adds: every finding of it is new
        new = load_proposal(report.proposal.path, book)
        old = load_proposal(str(self.base_tree / relative), book)
        old_report = check(old, book, as_of=report.as_of)
        return [diff_reports(old_report, report, old, new)]


def changed_proposals(
    env: Mapping[str, str], paths: Sequence[str], book: RuleBook, settings: Settings
) -> Change:
    """The proposals of `paths` a pull request adds or changes (see the module docstring)."""
    if env.get("GITHUB_EVENT_NAME") not in PULL_REQUEST_EVENTS:
        return Change(
            list(paths), "changed-only applies to pull requests; every proposal is checked"
        )
    listed, tree = env.get("REDLINES_CHANGED"), env.get("REDLINES_BASE_TREE")
    if not listed or not tree or not os.path.isfile(listed) or not os.path.isdir(tree):
        return Change(
            list(paths),
            "changed-only: the pull request's base commit could not be read; "
            "every proposal is checked",
        )
    with open(listed, "rb") as handle:
        raw = handle.read()
    changed = frozenset(os.fsdecode(name).replace(os.sep, "/") for name in raw.split(b"\0") if name)
    base_tree = Path(tree)
    root = find_repo_root()
    gate_files = _gate_files(settings, root)
    touched = sorted(changed & gate_files) + sorted(
        c for c in changed for folder in _rule_folders(settings, root) if _under(c, folder)
    )
    if touched:
        return Change(
            list(paths),
            f"the rules or the configuration changed ({_named(touched)}); "
            "every proposal is checked",
            base_tree,
            changed,
        )
    chosen = [
        path
        for path in paths
        if any(
            relative_to_root(file, root) in changed for file in load_proposal(path, book).lineage
        )
    ]
    if not chosen:
        note = f"changed-only: none of the {len(paths)} proposals changed in this pull request"
    else:
        shown = _named([repo_path(p, RenderOptions(repo_root=str(root))) for p in chosen])
        note = (
            f"changed-only: {len(chosen)} of {len(paths)} proposals changed in this pull "
            f"request ({shown})"
        )
    return Change(chosen, note, base_tree, changed)


def change_lines(diff: ProposalDiff, options: RenderOptions) -> list[str]:
    """What one change did, for the log: a line per red line it newly crosses, meets or
    leaves open."""
    where = repo_path(diff.new.path, options)
    lines = [
        f"{where}: this change newly crosses {r.rule} {r.title} ({r.actor})"
        for r in diff.rules
        if r.change == "newly_violated" and r.severity.value == "red_line"
    ]
    lines += [
        f"{where}: this change {'now meets' if r.change == 'newly_met' else 'leaves open'} "
        f"{r.rule} {r.title} ({r.actor})"
        for r in diff.rules
        if r.change in ("newly_met", "newly_open") and r.severity.value == "red_line"
    ]
    if not lines:
        lines.append(f"{where}: this change moves no red line")
    return lines


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _gate_files(settings: Settings, root: Path) -> frozenset[str]:
    """The configuration and the files it names, relative to the repository."""
    files = [settings.config, settings.baseline.value]
    files += list({w.origin.file for w in settings.waivers.value})
    return frozenset(r for f in files if f and (r := relative_to_root(f, root)) is not None)


def _rule_folders(settings: Settings, root: Path) -> Iterable[str]:
    for folder in settings.rules.value:
        if folder != BUNDLED and (r := relative_to_root(folder, root)) is not None:
            yield r


def _named(items: Sequence[str]) -> str:
    more = len(items) - _NAMED
    return ", ".join(items[:_NAMED]) + (f" and {more} more" if more > 0 else "")
