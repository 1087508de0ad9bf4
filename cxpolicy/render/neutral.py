"""Text from the policy files, made safe for each output format: one helper per format.

Titles, ids, file names and messages come from files a pull request's author
wrote. Each renderer passes every such string through the helper of its
format, so that no value can forge a line, hide what follows it, run markup
or a formula, or make a file its consumer rejects:

* `terminal`: text output, logs and annotations. Control characters (line
  breaks, escape sequences, carriage returns, bidirectional overrides) are
  shown as `\\n`, `\\x1b`, `\\u202e`: a value can neither start a line of its
  own nor rewrite what the terminal shows.
* `xml`: JUnit and GraphML. Characters XML 1.0 does not allow are shown as
  `\\xNN`; ElementTree escapes the markup.
* `html`: the browser page (Jinja2 escapes the markup; this removes the control
  characters an HTML checker rejects).
* `markdown` and `markdown_code`: pull-request summaries and reports. Markup,
  HTML, links, images, autolinks, @-mentions and #-references are neutralised.
* `csv_cell`: spreadsheets. A cell that would start a formula is prefixed
  with `'` (OWASP's advice on CSV injection).
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, line and paragraph separators, bidirectional controls, lone surrogates.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# What XML 1.0 does not allow at all, plus the controls a reader of the report should see spelled out.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NOT_HTML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def _spelled(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: object) -> str:
    """One line of plain text: every control character spelled out, so it is seen, not obeyed."""
    return _CONTROL.sub(_spelled, str(text))


def xml(text: object) -> str:
    """Text XML 1.0 accepts (line breaks and tabs kept)."""
    return _NOT_XML.sub(_spelled, str(text))


def html(text: object) -> str:
    """Text an HTML checker accepts; Jinja2's autoescape handles the markup."""
    return _NOT_HTML.sub(_spelled, str(text))


# Backslash-escaped: what could start emphasis, code, a link or image, HTML, a table cell, an entity.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()<>#!|~&])")
_JOINER = "\u2060"  # an invisible word joiner: breaks a mention, a reference or an autolink without showing
_AUTOLINKED = re.compile(r"(@|#|://|www\.)", re.IGNORECASE)


def markdown(text: object) -> str:
    """Inline Markdown text (GitHub Flavored Markdown) that shows exactly these characters and does nothing."""
    flat = terminal(text)
    linked = _AUTOLINKED.sub(lambda m: m.group()[0] + _JOINER + m.group()[1:] if len(m.group()) > 1
                             else m.group() + _JOINER, flat)
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", linked)


def markdown_code(text: object) -> str:
    """An inline code span holding `text` (safe in a table cell too)."""
    flat = terminal(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {flat} " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else flat
    return f"{fence}{padded}{fence}"


_FORMULA_START = ("=", "+", "-", "@")  # and tab or carriage return, which `terminal` spells out


def csv_cell(value: object) -> str:
    """A spreadsheet cell that is read as text, never run as a formula (numbers stay numbers)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = terminal(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
