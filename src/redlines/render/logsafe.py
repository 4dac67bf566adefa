"""Output a CI log may show: no line we did not write, no workflow command we did not give.

A GitHub Actions runner reads each line a step prints. A line that starts with `::`, after any
whitespace, is a workflow command (`::error file=…::`, `::add-mask::…`, `::stop-commands::…`);
so is a line that holds `##[` anywhere (the older `##[error]…` syntax). Every output of every
command can reach such a log (a `run:` step, the pre-commit hook, the Action), and most of them
carry text a pull request controls: a proposal's id and title, a clause's, a rule's message, a
file name, a `--set` value. So every format writes that text so that it cannot start a line or
a command, and does so in one place, its final step, with one helper from here:

- `text_lines`: the text formats and the CLI's messages. Each item is one line: a line break or
  control character in it is shown escaped (`\\n`, `\\u2028`), a leading `::` as `\\::`, and
  `##[` as `##\\[`.
- `markdown_text`: Markdown, whose helpers (`gfm`) already keep text on one line: a leading `::`
  and `##[` escaped with a backslash, which Markdown does not show.
- `json_text`: JSON, where a string cannot hold a raw newline: `##[` and the line breaks JSON
  allows raw (U+2028, U+2029, NEL) written as `\\u` escapes, which decode to the same data.
- `xml_text`: JUnit XML and HTML: the same, as character references (`&#58;`, `&#91;`).

The GitHub format writes commands on purpose: `github.command` escapes their data and
properties the way the runner unescapes them, and its other lines are `text_line`s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..yamlfile import one_line

# What a runner, an editor or a log viewer may take for the end of a line, besides "\n".
_OTHER_BREAKS = re.compile("[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_COLOUR = re.compile("(\x1b\\[[0-9;]*m)")  # an SGR sequence: what `--color` paints with
_LINE_END = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def defused(line: str, colon: str = "\\:", bracket: str = "\\[") -> str:
    """A line no runner reads as a command: its leading `::` and every `##[` escaped."""
    if "##[" in line:
        line = line.replace("##[", "##" + bracket)
    body = line.lstrip()  # the runner skips leading whitespace, as str.lstrip does (and more)
    if body.startswith("::"):
        line = line[: len(line) - len(body)] + colon + body[1:]
    return line


def text_line(line: str, *, colour: bool = False) -> str:
    """One line of text output: control characters and line breaks escaped, then defused.

    Line breaks at the very end go: the line ends there anyway, and a message written as a YAML
    block scalar (`message: >`) ends in one. With `colour`, the SGR sequences the text renderer
    paints with are kept (user text cannot hold an escape character: the loader refuses control
    characters).
    """
    line = line.rstrip(_LINE_END)
    if colour and "\x1b" in line:
        line = "".join(
            part if _COLOUR.fullmatch(part) else one_line(part) for part in _COLOUR.split(line)
        )
    else:
        line = one_line(line)
    return defused(line)


def text_lines(lines: Iterable[str], *, colour: bool = False) -> str:
    """Text output: each item on one line of its own, whatever it holds; a final newline."""
    return "".join(text_line(line, colour=colour) + "\n" for line in lines)


def markdown_text(text: str) -> str:
    """Markdown output, defused line by line. `gfm.md` and `gfm.code` fold line breaks into
    spaces; the others a code block may hold are escaped here."""
    text = _OTHER_BREAKS.sub(lambda m: one_line(m.group()), text)
    return "\n".join(defused(line) for line in text.split("\n"))


_JSON_ESCAPES = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_text(text: str) -> str:
    """JSON output with the same data: no line of it can start with `::` (a string's newlines
    are escapes, and every line starts with indentation and a quote or a bracket), and `##[`
    and the line breaks JSON allows raw are written as escapes. Both only occur in strings,
    where no escape sequence contains '#'."""
    if "##[" in text:
        text = text.replace("##[", "#\\u0023[")
    if "\x85" in text or "\u2028" in text or "\u2029" in text:
        text = re.sub("[\x85\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)
    return text


def _reference(match: re.Match[str]) -> str:
    char = match.group()
    # XML 1.0 has no reference for VT, FF and the separators below space: a replacement mark.
    return f"&#x{ord(char):X};" if char in "\r\x85\u2028\u2029" else "&#xFFFD;"


def xml_text(text: str) -> str:
    """XML or HTML output with the same content: a line that would start with `::` starts with
    a character reference instead, `##[` is written `##&#91;`, and the line breaks other than
    "\\n" as references too. (Text and attribute values only ever hold them: no tag, comment
    or style sheet of ours does.)"""
    text = _OTHER_BREAKS.sub(_reference, text)
    return "\n".join(defused(line, "&#58;", "&#91;") for line in text.split("\n"))
