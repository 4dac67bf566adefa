"""The file-system fence: which files a load may read, and how their names may be printed.

Inside a repository, a pull request controls every file: it can add a symbolic link
`proposals/x.yaml -> /etc/passwd`, or a variant whose `base:` climbs out of the repository.
Following either would quote another file's lines in messages that end up in a public CI log,
so a file inside a repository must stay inside it. Folders stand for the YAML files in them;
only regular files count (a FIFO would block a read forever).

The one way out of the fence is `base: bundled:ID`: a draft bundled with redlines, which is
public content shipped in the package, found by its id and by nothing a file could name.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from ..models import fail
from ..yamlfile import one_line
from .walk import files_under

YAML_SUFFIXES = (".yaml", ".yml")
BUNDLED_PREFIX = "bundled:"


def bundled_dir(name: str) -> Path:
    """The bundled `rules` or `proposals` folder: inside the wheel, else the source checkout."""
    packaged = Path(str(resources.files("redlines"))) / "_bundled" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / name


def bundled_proposals() -> dict[str, Path]:
    """The bundled drafts by id (each file is named after its proposal's id)."""
    folder = bundled_dir("proposals")
    return {path.stem: path for path in yaml_files(folder)}


def repository_of(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` holding `.git`, if any."""
    for candidate in (folder, *folder.parents):
        # A folder, or a file in worktrees and submodules. (os.path answers False where a name
        # is too long for the file system; pathlib would raise.)
        if os.path.exists(candidate / ".git"):
            return candidate
    return None


def find_repo_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` (default: cwd) holding `.git`, else `start`."""
    here = (start or Path.cwd()).resolve()
    return repository_of(here) or here


def relative_to_root(path: str, root: Path) -> str | None:
    """`path` relative to the folder `root`, with '/'; None when it lies outside (or cannot be
    resolved)."""
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return None


def repository_root(file: Path) -> Path:
    """How far a variant's `base:` may reach from `file` (a resolved path): the enclosing
    repository; for the bundled examples, their folder; outside any repository, the file's own
    folder."""
    found = repository_of(file.parent)
    if found is not None:
        return found
    bundled = bundled_dir("proposals").resolve()
    if file.is_relative_to(bundled):
        return bundled
    return file.parent


def fence_of(path: Path) -> Path | None:
    """The repository a file given on the command line lies in, as written (links not followed)."""
    return repository_of(Path(os.path.abspath(path)).parent)


def resolved(path: Path) -> Path | None:
    """The real path, or None for a loop of symbolic links."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop of symbolic links
        return None


def check_inside(path: Path, display: str, fence: Path | None) -> None:
    """A file inside a repository must not be a symbolic link out of it."""
    if fence is None:
        return
    real, limit = resolved(path), resolved(fence)
    if real is None or limit is None:
        fail(display, "cannot resolve this path (a loop of symbolic links?)")
    if not real.is_relative_to(limit):
        fail(
            display,
            "is a symbolic link to a file outside the repository; redlines does not follow it",
        )


def check_name(display: str) -> None:
    """A file name must print: UTF-8, and on one line."""
    # A name that is not UTF-8 reaches us with surrogate escapes, which no report can print; one
    # with a newline would break every report format that puts it on a line.
    try:
        display.encode("utf-8")
    except UnicodeEncodeError:
        shown_name = display.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        fail(shown_name, "the file name is not valid UTF-8; rename the file")
    if one_line(display) != display:
        fail(one_line(display), "the file name contains a control character; rename the file")


def yaml_files(folder: Path) -> list[Path]:
    """Every `*.yaml` and `*.yml` file under `folder`, at any depth, sorted; links to folders
    are not followed (`walk.files_under`).

    Whatever is not a folder counts, so that a FIFO, a device or a broken link named like a YAML
    file is refused by name (`yamlfile.read_yaml` reads regular files only), never skipped in
    silence: a rule set left out unnoticed would change every verdict.
    """
    return sorted(
        folder.joinpath(*parts)
        for parts in files_under(folder)
        if Path(parts[-1]).suffix in YAML_SUFFIXES
    )


def shown_dir(folder: Path) -> str:
    """A folder for a message: relative to the working directory when inside it."""
    try:
        relative = folder.relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return str(folder)
    return relative.as_posix() if relative.parts else "."
