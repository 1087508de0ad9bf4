"""The one result type every stage emits: loading, schema, references, rules, waivers.

A finding is plain data. It is frozen and orders by (file, line, column, code,
message), so output is the same byte for byte whatever order the files were
read in or however sets were hashed.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more serious; used for `--fail-on` and sorting summaries."""
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True, order=True)
class Finding:
    """One problem, at the place in a policy file where it is written."""

    file: str
    line: int
    column: int
    code: str
    message: str
    rule: str = field(compare=False)
    severity: Severity = field(compare=False)
    entity: str | None = field(default=None, compare=False)
    hint: str | None = field(default=None, compare=False)
    end: tuple[int, int] | None = field(default=None, compare=False)  # where the written value ends, when known
    # A safe fix: (the text written from line:column to `end`, the text to write instead). fixes.py
    # applies it only where that very text is still written.
    fix: tuple[str, str] | None = field(default=None, compare=False)

    def location(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


#: The longest message or hint a finding carries: titles and rule messages come from the policy files,
#: and a finding must stay one readable line however long what it quotes.
MAX_TEXT = 1000


def bounded(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_LINE_REFERENCES = (re.compile(r"\bline \d+"), re.compile(r"(\.ya?ml):\d+(:\d+)?"))


def stable_key(finding: Finding) -> tuple[str, str, str]:
    """The same problem's identity across edits: (code, entity or file, message without line numbers).

    Used to tell new findings from old ones, so moving lines around never makes
    an old finding look new.
    """
    detail = _LINE_REFERENCES[1].sub(r"\1", _LINE_REFERENCES[0].sub("line", finding.message))
    return finding.code, finding.entity or finding.file, detail
