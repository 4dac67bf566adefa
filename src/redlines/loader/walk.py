"""Finding files under a folder: one walk, each folder entered once, no folder link followed.

Both ways of naming many proposals go through here: a folder given to a command (every
`*.yaml`/`*.yml` under it) and the Action's globs (`proposals/**/*.yaml`). `glob.glob` follows
symbolic links to folders under `**`, so a pull request that adds two links to `.` makes the
enumeration grow without end, and one link reports each draft once per path through it (41
times in one case). Here a link to a folder is never entered (it could lead out of the
repository, or back into it), and a folder reached twice by other means (a bind mount) is
entered once. Everything else is listed (links to files, and pipes or devices too): the loader
decides whether it may be read, and says so by name.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

# A glob component standing for any number of folders, as `glob(..., recursive=True)` reads it.
ANY_FOLDERS = "**"


def files_under(
    folder: str | Path, *, max_depth: int | None = None, skip_hidden: bool = False
) -> Iterator[tuple[str, ...]]:
    """Everything under `folder` that is not a folder, as its path parts below `folder`: files,
    links to files, and also pipes, devices and broken links, for the loader to refuse by name.

    Links to folders are neither followed nor listed, and no folder is entered twice.
    `max_depth` counts the parts of a file's relative path (1: only the folder's own files);
    `skip_hidden` passes over folders whose names start with `.`. Folders that cannot be read
    are passed over, as `Path.rglob` and `glob` do. In no particular order.
    """
    seen: set[tuple[int, int]] = set()
    pending: list[tuple[tuple[str, ...], str]] = [((), os.fspath(folder))]
    while pending:
        parts, path = pending.pop()
        try:
            identity = os.stat(path)
            if (identity.st_dev, identity.st_ino) in seen:
                continue
            seen.add((identity.st_dev, identity.st_ino))
            with os.scandir(path) as listing:
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            below = (*parts, entry.name)
            try:
                if entry.is_dir(follow_symlinks=False):
                    deep_enough = max_depth is not None and len(below) >= max_depth
                    if not deep_enough and not (skip_hidden and _hidden(entry.name)):
                        pending.append((below, entry.path))
                elif not entry.is_dir():  # a link to a folder is neither entered nor listed
                    yield below
            except OSError:
                continue


def glob_files(patterns: Sequence[str]) -> list[str]:
    """What the glob patterns name but folders, sorted, each once, spelt as `glob.glob` does.

    The same patterns as `glob.glob(pattern, recursive=True)`: `*`, `?` and `[…]` within one
    path component, `**` as a whole component for any number of folders, and wildcards that do
    not match names starting with `.` unless the pattern's component does. The folders they
    cover are walked once per starting folder (the part of a pattern before its first wildcard),
    by `files_under`.
    """
    by_start: dict[str, list[list[str]]] = {}
    for pattern in patterns:
        start, rest = _split(pattern)
        by_start.setdefault(start, []).append(rest)
    found: set[str] = set()
    for start, rests in by_start.items():
        depth = None if any(ANY_FOLDERS in rest for rest in rests) else max(map(len, rests))
        # No component starting with '.' can reach into a hidden folder: leave those unwalked.
        hidden = any(_hidden(component) for rest in rests for component in rest)
        walk = files_under(start or os.curdir, max_depth=depth, skip_hidden=not hidden)
        for parts in walk:
            if any(_matches(rest, parts) for rest in rests):
                found.add(_join(start, parts))
    return sorted(found)


def _split(pattern: str) -> tuple[str, list[str]]:
    """('proposals', ['**', '*.yaml']) for 'proposals/**/*.yaml': where to start, what to match."""
    components = pattern.split("/")
    first = next((i for i, part in enumerate(components) if glob.has_magic(part)), len(components))
    start = "/".join(components[:first])
    if not start and first > 0:  # an absolute pattern whose first wildcard is right below '/'
        start = "/"
    return start, components[first:]


def _join(start: str, parts: Iterable[str]) -> str:
    below = "/".join(parts)
    if not start:
        return below
    return start + below if start.endswith("/") else f"{start}/{below}"


def _matches(rest: Sequence[str], parts: Sequence[str]) -> bool:
    """Whether a file's path parts match the pattern's components (`**`: any number of parts)."""
    # reachable[j]: the components matched so far can end right before parts[j].
    reachable = [True] + [False] * len(parts)
    for component in rest:
        following = [False] * (len(parts) + 1)
        for j, ok in enumerate(reachable):
            if not ok:
                continue
            if component == ANY_FOLDERS:
                following[j] = True
                k = j
                while k < len(parts) and not _hidden(parts[k]):
                    k += 1
                    following[k] = True
            elif j < len(parts) and _one(component, parts[j]):
                following[j + 1] = True
        reachable = following
    return reachable[len(parts)]


def _one(component: str, name: str) -> bool:
    if _hidden(name) and not _hidden(component):
        return False
    return fnmatch.fnmatch(name, component)


def _hidden(name: str) -> bool:
    return name.startswith(".")
