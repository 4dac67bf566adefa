"""The one helper per kind of output that keeps a CI log free of forged lines and commands:
for any text at all, the output has the lines we meant, none a workflow command, and JSON and
XML still decode to the very same data."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from redlines.render.logsafe import json_text, markdown_text, text_line, text_lines, xml_text
from workflow_commands import assert_no_command, log_lines

# Text with what a log reader reacts to, often: line breaks of every kind, `::` and `##[`.
pieces = st.sampled_from(
    ["::", "##[", "error", " ", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1e", "\x85",
     "\u2028", "\u2029", "\x1b[31m", "%", "\t", "a", "é", "]"]
)  # fmt: skip
hostile = st.one_of(st.lists(pieces, max_size=12).map("".join), st.text(max_size=40))


def test_what_each_helper_writes() -> None:
    assert text_line("::error::x") == "\\::error::x"
    assert text_line("   ::add-mask::x") == "   \\::add-mask::x"  # the runner skips spaces
    assert text_line("a\n::error::x") == "a\\n::error::x"
    assert text_line("    A message from a folded block scalar.\n") == (
        "    A message from a folded block scalar."
    )
    assert text_line("a\u2028b\x85c") == "a\\u2028b\\x85c"
    assert text_line("see ##[error]x") == "see ##\\[error]x"
    assert text_line("\x1b[31mred\x1b[0m", colour=True) == "\x1b[31mred\x1b[0m"
    assert text_line("\x1b]0;title\x07", colour=True) == "\\x1b]0;title\\x07"
    assert markdown_text("::x::\n- ##[y]\u2028") == "\\::x::\n- ##\\[y]\\u2028"
    assert json_text('"##[x\u2028"') == '"#\\u0023[x\\u2028"'
    assert (
        xml_text("<a>\n::error::x ##[y]\u2028</a>") == "<a>\n&#58;:error::x ##&#91;y]&#x2028;</a>"
    )


@given(st.lists(hostile, max_size=5), st.booleans())
def test_text_lines_keep_each_item_on_its_line(lines: list[str], colour: bool) -> None:
    output = text_lines(lines, colour=colour)
    assert len(log_lines(output)) == len(lines)
    assert_no_command(output)


@given(hostile)
def test_markdown_has_no_command(text: str) -> None:
    assert_no_command(markdown_text(f"- {text}\n{text}\n"))


@given(
    st.recursive(
        st.none() | hostile, lambda inner: st.lists(inner) | st.dictionaries(hostile, inner)
    )
)
def test_json_decodes_to_the_same_data(data: object) -> None:
    for ascii_only in (False, True):
        output = json_text(json.dumps({"v": data}, indent=2, ensure_ascii=ascii_only))
        assert json.loads(output) == {"v": data}
        assert_no_command(output)


# XML 1.0 holds no control characters but tab, LF and CR (a renderer replaces the rest).
xml_safe = hostile.map(lambda t: "".join(c for c in t if c >= " " or c in "\t\n\r") or "x")


@given(xml_safe, xml_safe)
def test_xml_parses_to_the_same_content(text: str, attribute: str) -> None:
    element = ET.Element("case", name=attribute)
    element.text = text
    output = xml_text(ET.tostring(element, encoding="unicode"))
    parsed = ET.fromstring(output)
    assert parsed.text == text
    assert parsed.get("name") == attribute
    assert_no_command(output)
