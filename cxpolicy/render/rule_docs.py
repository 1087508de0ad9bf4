"""A check's documentation page, for `cxpolicy explain`, docs/rules.md and SARIF rule help."""

from __future__ import annotations

from cxpolicy import metrics
from cxpolicy.rules.measures import AS_OF
from cxpolicy.catalogue import Check, checks
from cxpolicy.rules.examples import BASE


def _with_data(snippet: str, data: str, name: str) -> str:
    """An example, and for a CX6xx check the data its Dataset reads."""
    shown = f"```yaml\n{snippet.rstrip()}\n```"
    return shown + (f"\n\nwith `{name}`:\n\n```csv\n{data.rstrip()}\n```" if data else "")


def page(check: Check, *, heading: str = "###") -> str:
    name = "actuals.csv" if check.failing_data.startswith("kpi,") else "calls.csv"
    return f"""\
{heading} {check.code} {check.slug}

{check.summary}

Default severity: **{check.severity.value}**.

**Why it matters.** {check.why}

**How to fix it.** {check.fix}

Fails:

{_with_data(check.failing, check.failing_data, name)}

Passes:

{_with_data(check.passing, check.passing_data, name)}
"""


_FAMILIES = (
    ("CX1", "CX1xx: the files themselves (found while loading)",
     "Found while reading: these examples stand alone, without the base policy set."),
    ("CX2", "CX2xx: gaps", "Where a customer meets nothing: no touchpoint, promise, measure or ear."),
    ("CX3", "CX3xx: conflicts", "Where the policy contradicts itself or promises the wrong thing."),
    ("CX4", "CX4xx: ownership", "Who is accountable, and whether that accountability reaches an executive."),
    ("CX5", "CX5xx: waivers", "Dated exceptions, and whether they still hold."),
    ("CX6", "CX6xx: promises kept (measured against data)",
     "Found by `cxpolicy measure`, never by `check`: each example is a Dataset added to the base policy set, "
     "measured as of " + AS_OF + " on the data shown below it."),
)


def catalogue_page() -> str:
    """docs/rules.md."""
    all_checks = checks()
    lines = [
        "# Built-in checks",
        "",
        "This page is generated from the checks in `cxpolicy/rules/` by `cxpolicy docs --write`; a test fails",
        "when it is out of date, and the test suite runs every example below. `cxpolicy rules` lists the",
        "checks and `cxpolicy explain CODE` prints one of these pages.",
        "",
        "Severity: **error** fails the check (exit 1); **warning** is shown and fails only with",
        "`--fail-on warning`; **info** is shown with `--verbose`. Override a check's severity, or turn it",
        "off, in `cxpolicy.yaml`: `rules: {CX405: off, CX204: error}`.",
        "",
        "| code | slug | severity | catches |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| [{c.code}](#{c.code.lower()}-{c.slug}) | {c.slug} | {c.severity.value} | {c.summary} |"
              for c in all_checks]
    lines += [
        "",
        "## The examples' base policy set",
        "",
        "Each CX2xx-CX4xx example shows only the documents that matter; it is checked on top of this",
        "small policy set (judged as of 2026-11-22), which on its own is clean under every check:",
        "",
        "```yaml",
        BASE.rstrip(),
        "```",
        "",
        "## The metric catalogue",
        "",
        "Used by CX211 (channel-specific metrics are exempt), CX305 (units and directions), CX307",
        "(counterweights) and CX309 (order). `metrics:` in `cxpolicy.yaml` adds or overrides entries; a",
        "standard, KPI or Dataset (`columns.metrics`) naming a metric that is in neither is CX104, with the",
        "closest metric suggested.",
        "",
        "| metric | unit | better when | indicator | channel-specific | balanced by | not later than |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for metric in metrics.BUILTIN.values():
        lines.append(
            f"| `{metric.slug}` | {metric.unit} | {'higher' if metric.direction == 'increase' else 'lower'} | "
            f"{metric.indicator or 'either'} | {'yes' if metric.channel_specific else 'no'} | "
            f"{', '.join(metric.balanced_by) or ''} | {metric.not_above or ''} |")
    for prefix, title, blurb in _FAMILIES:
        lines += ["", f"## {title}", "", blurb, ""]
        for check in all_checks:
            if check.code.startswith(prefix):
                lines.append(page(check))
    return "\n".join(lines).rstrip() + "\n"
