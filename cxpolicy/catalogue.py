"""The catalogue of checks: every code, its slug, default severity and documentation.

A check is declared once, next to the code that finds it; declaring it adds it
to the catalogue, which `cxpolicy rules`, `cxpolicy explain`, docs/rules.md and
the SARIF rule descriptors all read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cxpolicy.findings import Finding, Severity, bounded

CATALOGUE: dict[str, Check] = {}


@dataclass(frozen=True)
class Check:
    """A check's identity and its documentation page.

    `failing` and `passing` are complete policy snippets: the docs show them and
    the test suite runs them, so an example can never drift from the behaviour.
    """

    code: str
    slug: str
    severity: Severity
    summary: str
    why: str
    fix: str
    failing: str
    passing: str
    # The kinds whose every entity the verdict must see: a check that concludes from an absence ("no
    # journey contains this touchpoint") holds back while one of them is broken (cascade.py).
    needs_every: tuple[str, ...] = ()
    # CX6xx: the data (CSV) the failing and passing examples' Dataset reads, measured by `cxpolicy measure`.
    failing_data: str = ""
    passing_data: str = ""

    def __post_init__(self) -> None:
        if self.code in CATALOGUE:
            raise ValueError(f"check {self.code} is declared twice")
        CATALOGUE[self.code] = self

    def at(
        self,
        file: str,
        line: int,
        column: int,
        message: str,
        *,
        entity: str | None = None,
        hint: str | None = None,
        end: tuple[int, int] | None = None,
        fix: tuple[str, str] | None = None,
    ) -> Finding:
        """A finding of this check, at its default severity (the engine applies overrides)."""
        return Finding(
            file=file,
            line=line,
            column=column,
            code=self.code,
            message=bounded(message),
            rule=self.slug,
            severity=self.severity,
            entity=entity,
            hint=bounded(hint) if hint is not None else None,
            end=end,
            fix=fix,
        )


    def on(self, subject: Any, message: str, path: tuple | None = None, *, hint: str | None = None,
           key: bool = False) -> Finding:
        """A finding about an entity or a stage, at `path` within it (its id when not given)."""
        file, line, column = subject.where(key=key) if path is None else subject.where(path, key=key)
        end = None if key else (subject.end() if path is None else subject.end(path))
        return self.at(file, line, column, message, entity=subject.name, hint=hint, end=end)


def checks() -> list[Check]:
    """Every check, in code order, with the rule modules imported so all are declared."""
    import importlib

    import cxpolicy.rules

    for module in cxpolicy.rules.MODULES:
        importlib.import_module(module)

    return [CATALOGUE[code] for code in sorted(CATALOGUE)]


def codes_by_slug() -> dict[str, str]:
    """Each check's slug (its name, `stale-journey-review`) -> its code (`CX214`)."""
    return {check.slug: check.code for check in checks()}
