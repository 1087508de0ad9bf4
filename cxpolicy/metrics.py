"""The metric catalogue: what a metric's values mean, which way is better, and what balances it.

Built in: the common CX metrics. `Project.spec.metrics` extends or overrides
entries. A metric in neither is a mistake (CX104, policyset.py); the checks
treat it as a metric with no known unit, direction or counterweight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The dimension of a KPI unit; values of one metric must share a dimension.
UNIT_DIMENSION = {
    "%": "percent",
    "s": "duration",
    "min": "duration",
    "h": "duration",
    "d": "duration",
    "score": "number",
    "count": "number",
    "currency": "number",
}


@dataclass(frozen=True)
class Metric:
    slug: str
    unit: str | None  # a KPI unit (see UNIT_DIMENSION); None when unknown
    direction: str | None  # increase | decrease | None when unknown
    indicator: str | None = None
    channel_specific: bool = False
    balanced_by: tuple[str, ...] = ()
    not_above: str | None = None
    scale: tuple[float, float] | None = None  # the range its values can take, e.g. NPS

    @property
    def dimension(self) -> str | None:
        return UNIT_DIMENSION.get(self.unit) if self.unit else None


BUILTIN: dict[str, Metric] = {
    metric.slug: metric
    for metric in (
        Metric("time-to-answer", "s", "decrease", "leading", channel_specific=True),
        Metric("time-to-first-response", "s", "decrease", "leading", channel_specific=True, not_above="time-to-resolve"),
        Metric("availability", "%", "increase", "leading", channel_specific=True),
        Metric("average-handle-time", "s", "decrease", "leading", channel_specific=True,
               balanced_by=("first-contact-resolution", "csat")),
        Metric("time-to-resolve", "s", "decrease", "leading"),
        Metric("first-contact-resolution", "%", "increase", "leading"),
        Metric("customer-effort-score", "score", "decrease", "leading"),
        Metric("csat", "%", "increase"),
        Metric("nps", "score", "increase", "lagging", scale=(-100, 100)),
        Metric("retention-rate", "%", "increase", "lagging"),
        Metric("churn-rate", "%", "decrease", "lagging"),
        Metric("customer-lifetime-value", "currency", "increase", "lagging"),
    )
}


def catalogue(extensions: Mapping[str, Any]) -> dict[str, Metric]:
    """The built-in catalogue with the project's `metrics` entries added or overriding."""
    merged = dict(BUILTIN)
    for slug, entry in extensions.items():
        builtin = BUILTIN.get(slug)
        merged[slug] = Metric(
            slug,
            entry.unit,
            entry.direction,
            entry.indicator,
            entry.channel_specific,
            tuple(entry.balanced_by),
            entry.not_above,
            builtin.scale if builtin else None,
        )
    return merged


def unknown(slug: str) -> Metric:
    """A metric outside the catalogue: an outcome metric with nothing else known."""
    return Metric(slug, None, None)
