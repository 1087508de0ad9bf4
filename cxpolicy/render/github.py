"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request's diff."""

from __future__ import annotations

from cxpolicy.engine import Outcome
from cxpolicy.render import ci_path
from cxpolicy.render.neutral import terminal
from cxpolicy.render.text import summary

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(outcome: Outcome) -> str:
    lines = []
    for f in outcome.listed:
        properties = ",".join((
            f"file={escape_property(terminal(ci_path(outcome.root, f.file)))}",
            f"line={f.line}",
            f"col={f.column}",
            f"title={escape_property(terminal(f'{f.code} {f.rule}'))}",
        ))
        message = terminal(f.message) + (f"\nhint: {terminal(f.hint)}" if f.hint else "")
        lines.append(f"::{_LEVEL[f.severity.value]} {properties}::{escape_data(message)}")
    lines.append(terminal(summary(outcome)))
    return "\n".join(lines) + "\n"
