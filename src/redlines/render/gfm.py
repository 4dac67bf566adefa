"""GitHub-flavoured Markdown, safely: every Markdown output (`check`, `space`, `diff`,
`explain`, the Action's summary, SARIF's rule help) escapes text and builds code and links here.

All text from the YAML files goes through `md`, so a `|` in a title cannot break a table and a
`<` or `*` cannot turn into markup; only http(s) and repository URLs become links.
"""

from __future__ import annotations

import re

from ..models import Source
from .links import source_name, web_url

# Characters that start inline markup in GFM ('$' is GitHub's inline maths). '#', '+', '-' and
# digits only matter at the start of a line, and our text never starts one.
_SPECIAL = re.compile(r"([\\`*_\[\]{}|~!$])")

_URL_UNSAFE = {
    " ": "%20",
    "\n": "",
    "\r": "",
    "\t": "%09",
    "(": "%28",
    ")": "%29",
    "|": "%7C",
    "<": "%3C",
    ">": "%3E",
    "`": "%60",
}


def md(text: str) -> str:
    """Escape text for inline Markdown (also safe inside a table cell)."""
    text = " ".join(text.split())  # a newline would end a table row or a list item
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def code(text: str) -> str:
    """Inline code; '|' still needs escaping in a table, which GFM honours inside code too."""
    text = " ".join(text.split()).replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def link(text: str, url: str | None) -> str:
    """[text](url) for http(s) and repository links; plain escaped text otherwise."""
    if not url:
        return md(text)
    # A destination may not hold spaces or unbalanced brackets, nor '|' inside a table.
    target = "".join(_URL_UNSAFE.get(ch, ch) for ch in url.strip())
    return f"[{md(text)}]({target})"


def code_block(text: str, info: str = "text") -> str:
    """A fenced block, its fence longer than any run of backticks in the text."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{fence}{info}\n{body}{fence}\n"


def source_link(source: Source) -> str:
    """A source as a link to it (http(s) only), with its date."""
    text = link(source_name(source), web_url(source.url))
    return text + (f" ({source.dated})" if source.dated else "")
