"""Where a finding points: paths relative to the repository, links to clause lines, sources.

Findings carry paths as the user gave them (relative to the working directory); SARIF, Markdown,
HTML, JUnit and annotations show them relative to the repository root instead, so that GitHub
can place them whatever folder `redlines` ran from.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlsplit

from ..models import Source
from ..report import Location
from .options import RenderOptions


def repo_relative(path: str, options: RenderOptions) -> str | None:
    """The path relative to the repository root, with '/'; None when it lies outside."""
    given = Path(path)
    if options.repo_root is None:
        return None if given.is_absolute() or path.startswith("..") else given.as_posix()
    try:
        return given.resolve().relative_to(Path(options.repo_root).resolve()).as_posix()
    except ValueError:
        return None


def repo_path(path: str, options: RenderOptions) -> str:
    """The path relative to the repository root, with '/'; as given when outside it."""
    return repo_relative(path, options) or Path(path).as_posix()


def file_link(location: Location, options: RenderOptions, *, line: bool = True) -> str:
    """`path#Lline`, relative to the repository, or under `options.link_base`."""
    target = quote(repo_path(location.path, options), safe="/")
    anchor = f"#L{location.line}" if line else ""
    if options.link_base:
        return f"{options.link_base.rstrip('/')}/{target}{anchor}"
    return f"{target}{anchor}"


def web_url(url: str | None) -> str | None:
    """The URL if it is http(s); anything else (javascript:, file:) is not made a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def source_name(source: Source) -> str:
    """'Outlet, Title' (or whichever is given), for a link's text."""
    who = ", ".join(p for p in (source.outlet or source.authority, source.title) if p)
    return who or source.url or "source"
