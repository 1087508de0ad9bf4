"""The typed model: one pydantic model per kind of policy document.

These models are the single source of truth for the format. The JSON Schemas in
schemas/ are generated from them (`cxpolicy schema --write`), docs/format.md is
generated from them, and a reference field says here which kind it points at
and which relation it draws in the graph.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, model_validator
from pydantic.alias_generators import to_camel

from cxpolicy import source

API_VERSION = "cxpolicy/v1"
ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
ID_MAX_LENGTH = 64


# --------------------------------------------------------------------------- values


#: A percentage as written: `95%`, `99.9%`.
PERCENT = r"[0-9]+(\.[0-9]+)?%"


@dataclass(frozen=True, order=True)
class Duration:
    """A span of time written as `30s`, `15min`, `4h`, `2d` or `1w`."""

    seconds: float
    text: str

    UNITS: ClassVar[dict[str, int]] = {"s": 1, "min": 60, "h": 3600, "d": 86400, "w": 604800}
    PATTERN: ClassVar[str] = r"^[0-9]+(\.[0-9]+)?(s|min|h|d|w)$"

    #: No promise or interval is longer than a century; a bound keeps date arithmetic finite.
    LONGEST: ClassVar[float] = 100 * 365.25 * 86400

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(s|min|h|d|w)", text)
        if match is None:
            raise ValueError(f"'{text}' is not a duration such as 30s, 15min, 4h, 2d or 1w")
        seconds = float(match.group(1)) * cls.UNITS[match.group(2)]
        if seconds > cls.LONGEST:
            raise ValueError(f"'{_shortened(text)}' is longer than 100 years; write a shorter duration such as 90d")
        return cls(seconds, text)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Interval(Duration):
    """How often something recurs: a duration (`90d`), or whole months (`3mo`) or quarters (`1q`),
    counted on the calendar (a review on 31 January every 1mo is due on 28 or 29 February)."""

    months: int = 0  # 0: a plain duration

    PATTERN: ClassVar[str] = r"^([0-9]+(\.[0-9]+)?(s|min|h|d|w)|[0-9]+(mo|q))$"
    MONTH: ClassVar[float] = 30.436875 * 86400  # an average month, to compare an interval with a duration

    @classmethod
    def parse(cls, text: str) -> Interval:
        match = re.fullmatch(r"([0-9]+)(mo|q)", text)
        if match is None:
            if re.fullmatch(Duration.PATTERN, text) is None:
                raise ValueError(f"'{_shortened(text)}' is not an interval such as 90d, 3mo or 1q")
            return cls(Duration.parse(text).seconds, text)
        months = int(match.group(1)) * (3 if match.group(2) == "q" else 1)
        if months > 1200:
            raise ValueError(f"'{_shortened(text)}' is longer than 100 years; write a shorter interval such as 3mo")
        return cls(months * cls.MONTH, text, months)

    def due(self, last: dt.date) -> dt.date | None:
        """The date one interval after `last` (None past the calendar's end)."""
        if not self.months:
            try:
                return last + dt.timedelta(seconds=self.seconds)
            except OverflowError:
                return None
        year, month = divmod(last.month - 1 + self.months, 12)
        year += last.year
        if year > dt.MAXYEAR:
            return None
        return dt.date(year, month + 1, min(last.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Quantity:
    """A threshold or value: a duration (`60s`), a percentage (`95%`) or a plain number (score, count)."""

    amount: float  # seconds for a duration, percent points for a percentage
    dimension: Literal["duration", "percent", "number"]
    text: str

    PATTERN: ClassVar[str] = r"^[0-9]+(\.[0-9]+)?(s|min|h|d|w|%)$"

    @classmethod
    def parse(cls, value: Any) -> Quantity:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError("must be a number, a duration such as 60s, or a percentage such as 95%")
        if not isinstance(value, str):
            if not finite(value):
                raise ValueError("must be a finite number of sensible size, such as 60 or 4.5")
            return cls(float(value), "number", _number_text(value))
        if re.fullmatch(PERCENT, value):
            return cls(float(value[:-1]), "percent", value)
        return cls(Duration.parse(value).seconds, "duration", value)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, order=True)
class Share:
    """A share of interactions, written as a percentage such as `95%`."""

    percent: float
    text: str

    @property
    def fraction(self) -> float:
        return self.percent / 100

    def __str__(self) -> str:
        return self.text


def finite(value: float) -> bool:
    """Whether a number can be compared and computed with: not NaN or infinite, and not too large for a float."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _shortened(text: str, keep: int = 24) -> str:
    return text if len(text) <= keep else text[:keep] + "…"


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("must be a date written as YYYY-MM-DD, such as 2027-06-30")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a real calendar date") from None


def _parse_share(value: Any) -> Share:
    if not isinstance(value, str) or not re.fullmatch(PERCENT, value):
        raise ValueError("must be a percentage such as 95%")
    return Share(float(value[:-1]), value)


IsoDate = Annotated[
    dt.date,
    PlainValidator(_parse_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}),
]
IntervalValue = Annotated[
    Interval,
    PlainValidator(lambda v: Interval.parse(v) if isinstance(v, str) else _reject_interval(v)),
    WithJsonSchema({"type": "string", "pattern": Interval.PATTERN}),
]
QuantityValue = Annotated[
    Quantity,
    PlainValidator(Quantity.parse),
    WithJsonSchema({"type": ["number", "string"], "pattern": Quantity.PATTERN}),
]
Percent = Annotated[
    Share,
    PlainValidator(_parse_share),
    WithJsonSchema({"type": "string", "pattern": f"^{PERCENT}$"}),
]


def _reject_interval(value: Any) -> Interval:
    raise ValueError("must be an interval such as 90d, 3mo or 1q")


#: A GitHub user (`@dana-o`) or team (`@northwind/customer-care`), as GitHub accepts them in CODEOWNERS:
#: letters, digits and single inner dashes for a user or organisation; a team slug after one slash.
GITHUB_HANDLE = r"^@[A-Za-z0-9]+(-[A-Za-z0-9]+)*(/[A-Za-z0-9][A-Za-z0-9_-]*)?$"
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=ID_MAX_LENGTH)]
Slug = Annotated[str, Field(pattern=ID_PATTERN, max_length=ID_MAX_LENGTH)]
EntityName = Annotated[
    str,
    Field(pattern=r"^[a-z]+:[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)?$", max_length=2 * ID_MAX_LENGTH + 20),
]


@dataclass(frozen=True)
class Ref:
    """Marks a field as a reference to entities of `kind`, drawn in the graph as `relation`.

    `kind` None means the field names entities as `kind:id`.
    """

    kind: str | None
    relation: str

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        """Say in the schema which kind is referenced, for editors and the generated docs."""
        json_schema = handler(core_schema)
        json_schema["x-cxpolicy-reference"] = self.kind or "kind:id"
        return json_schema


# --------------------------------------------------------------------------- envelope


_UPPER_WORDS = {"api": "API", "id": "ID", "kpi": "KPI", "kpis": "KPIs", "raci": "RACI"}


def field_title(name: str, info: Any = None) -> str:
    """`momentOfTruth` -> `Moment of truth`: a field's name as an editor's hover shows it."""
    written = getattr(info, "alias", None) or to_camel(name)
    words = [_UPPER_WORDS.get(word.lower(), word.lower()) for word in re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])",
                                                                                 written)]
    title = " ".join(words) or written
    return title[0].upper() + title[1:]


class Strict(BaseModel):
    """Base of every model: unknown fields rejected, no type coercion, camelCase field names."""

    model_config = ConfigDict(
        field_title_generator=field_title,
        defer_build=True,
        allow_inf_nan=False,  # every comparison with NaN is false: it would silence a check
        extra="forbid",
        strict=True,
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
    )


class Metadata(Strict):
    """Identity of the entity: its id and how people refer to it."""

    id: Id = Field(description="Lower-case id, unique within its kind: letters, digits and dashes, e.g. returns-portal.")
    title: str | None = Field(None, description="The name people use for it, shown in reports.")
    description: str | None = Field(None, description="Free text: what it is and anything a reader should know.")
    labels: dict[str, str] = Field(default_factory=dict, description="Free-form text labels, e.g. {brand: northwind}.")


# --------------------------------------------------------------------------- kinds


class TeamSpec(Strict):
    """A team, and where it sits in the reporting line up to an executive."""

    executive: bool = Field(False, description="true for a C-level role that reports to the CEO.")
    reports_to: Annotated[Id | None, Ref("team", "reports_to")] = Field(
        None, description="The team this one reports to. Every non-executive team needs one.")
    lead: str | None = Field(None, description="The person who leads the team.")
    contact: str | None = Field(None, description="How to reach the team, e.g. an email list.")
    codeowners: list[Annotated[str, Field(pattern=GITHUB_HANDLE, max_length=141)]] = Field(
        default_factory=list, description="GitHub handles (@org/team or @user) asked to review changes to what the team owns.")


Priority = Literal["strategic", "growth", "core", "maintain"]
PRIORITY_ORDER: dict[str, int] = {"strategic": 4, "growth": 3, "core": 2, "maintain": 1}


class SegmentSpec(Strict):
    """A group of customers, and how much the company invests in serving them."""

    priority: Priority = Field(description="How much the company invests in them: strategic > growth > core > maintain.")
    sponsor: Annotated[Id | None, Ref("team", "sponsors")] = Field(
        None, description="The team accountable for this segment's experience.")
    parent: Annotated[Id | None, Ref("segment", "part_of")] = Field(
        None, description="A broader segment this one belongs to.")
    expectations: list[str] = Field(default_factory=list, description="What these customers expect, in their words.")


class ChannelSpec(Strict):
    """A way customers reach the company."""

    type: Literal["digital", "assisted", "physical"] = Field(
        description="digital (web, app), assisted (phone, chat with an agent) or physical (store).")
    owner: Annotated[Id | None, Ref("team", "accountable")] = Field(None, description="The team accountable for the channel.")


class Raci(Strict):
    """Ownership in RACI form: one accountable team and the teams responsible, consulted and informed."""

    accountable: Annotated[Id | None, Ref("team", "accountable")] = Field(
        None, description="The one team accountable for the touchpoint.")
    responsible: list[Annotated[Id, Ref("team", "responsible")]] = Field(
        default_factory=list, description="Teams doing the work.")
    consulted: list[Annotated[Id, Ref("team", "consulted")]] = Field(
        default_factory=list, description="Teams consulted on changes.")
    informed: list[Annotated[Id, Ref("team", "informed")]] = Field(
        default_factory=list, description="Teams kept informed.")


class Handoff(Strict):
    """An agreed hand-off from this touchpoint to the next."""

    to: Annotated[Id, Ref("touchpoint", "hands_off_to")] = Field(description="The touchpoint the customer is handed to.")
    standard: Annotated[Id | None, Ref("servicestandard", "handoff_standard")] = Field(
        None, description="The service standard that governs the hand-off.")


class TouchpointSpec(Strict):
    """A place where the customer meets the company, in one channel."""

    channel: Annotated[Id, Ref("channel", "via")] = Field(description="The channel this touchpoint is in.")
    owner: Annotated[Union[Id, Raci, None], Ref("team", "accountable")] = Field(
        None, description="The accountable team's id, or the long form with accountable, responsible, consulted and informed.")
    moment_of_truth: bool = Field(False, description="true where the experience makes or breaks the relationship.")
    handoffs: list[Handoff] = Field(default_factory=list, description="Agreed hand-offs to the next touchpoints.")


class Stage(Strict):
    """One step of a journey, reached through one or more touchpoints."""

    id: Id = Field(description="Id of the stage, unique within the journey.")
    title: str | None = Field(None, description="The name of the stage.")
    touchpoints: list[Annotated[Id, Ref("touchpoint", "contains")]] = Field(
        default_factory=list, description="Touchpoints through which the customer goes through this stage.")


class Review(Strict):
    """How often the journey map is reviewed, and when it last was."""

    every: IntervalValue = Field(description="The review interval: 90d, or months and quarters on the calendar, "
                                             "e.g. 3mo or 1q.")
    last: IsoDate | None = Field(None, description="The date of the last review.")


class JourneySpec(Strict):
    """A customer journey: an ordered sequence of stages."""

    owner: Annotated[Id | None, Ref("team", "accountable")] = Field(None, description="The team accountable end to end.")
    segments: list[Annotated[Id, Ref("segment", "serves")]] = Field(
        min_length=1, description="The segments this journey serves (at least one).")
    stages: list[Stage] = Field(min_length=1, description="The stages, in the order the customer lives them.")
    review: Review | None = Field(None, description="How often the map is reviewed.")


class AppliesTo(Strict):
    """Where a standard applies: touchpoints, channels or journeys, and for which segments."""

    model_config = ConfigDict(json_schema_extra={
        "anyOf": [{"required": [name], "properties": {name: {"minItems": 1}}}
                  for name in ("touchpoints", "channels", "journeys")],
        "x-cxpolicy-message": "appliesTo needs at least one of touchpoints, channels or journeys",
    })

    touchpoints: list[Annotated[Id, Ref("touchpoint", "applies_to")]] = Field(
        default_factory=list, description="Touchpoints it applies to.")
    channels: list[Annotated[Id, Ref("channel", "applies_to")]] = Field(
        default_factory=list, description="Channels it applies to (every touchpoint in them).")
    journeys: list[Annotated[Id, Ref("journey", "applies_to")]] = Field(
        default_factory=list, description="Journeys it applies to (every touchpoint in them).")
    segments: list[Annotated[Id, Ref("segment", "applies_to")]] = Field(
        default_factory=list, description="Segments it applies to; empty or absent means every segment.")

    @model_validator(mode="after")
    def _names_a_scope(self) -> AppliesTo:
        if not (self.touchpoints or self.channels or self.journeys):
            raise ValueError("appliesTo needs at least one of touchpoints, channels or journeys")
        return self


class Objective(Strict):
    """The threshold promised: exactly one of max or min."""

    model_config = ConfigDict(json_schema_extra={
        "minProperties": 1,
        "maxProperties": 1,
        "x-cxpolicy-message": "objective needs exactly one of max or min",
    })

    # Not nullable (unlike other optional fields): `max:` left empty is a mistake, not an absence.
    max: QuantityValue = Field(None, description="The value must stay at or below this (e.g. 60s).")  # type: ignore[assignment]
    min: QuantityValue = Field(None, description="The value must stay at or above this (e.g. 80%).")  # type: ignore[assignment]

    @model_validator(mode="after")
    def _one_bound(self) -> Objective:
        if (self.max is None) == (self.min is None):
            raise ValueError("objective needs exactly one of max or min")
        return self

    @property
    def bound(self) -> Literal["max", "min"]:
        return "max" if self.max is not None else "min"

    @property
    def threshold(self) -> Quantity:
        return self.max if self.max is not None else self.min  # type: ignore[return-value]


class ServiceStandardSpec(Strict):
    """A promise made to customers at touchpoints, measured by a KPI."""

    owner: Annotated[Id | None, Ref("team", "accountable")] = Field(None, description="The team accountable for keeping the promise.")
    applies_to: AppliesTo = Field(description="Where and for whom the standard applies.")
    metric: Slug = Field(description="The metric promised, e.g. time-to-answer; standards compare only within one metric.")
    objective: Objective = Field(description="The threshold: {max: 60s} or {min: 80%}.")
    attainment: Percent | None = Field(None, description="Share of interactions that must meet the objective, e.g. 95%.")
    measured_by: Annotated[Id | None, Ref("kpi", "measured_by")] = Field(None, description="The KPI that measures it.")


class Percentage(float):
    """A KPI value written with `%` (`88%`): the same number as `88`, remembered as written so that a
    percentage in a KPI of another unit is reported (CX305)."""

    def __str__(self) -> str:
        return _number_text(float(self)) + "%"


def _parse_kpi_value(value: Any) -> float:
    if isinstance(value, str) and re.fullmatch(PERCENT, value):
        return Percentage(value[:-1])
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a number, or a percentage such as 88% where the unit is %")
    if not finite(value):
        raise ValueError("must be a finite number of sensible size, such as 60 or 4.5")
    return float(value)


KpiValue = Annotated[
    float,
    PlainValidator(_parse_kpi_value),
    WithJsonSchema({"type": ["number", "string"], "pattern": f"^{PERCENT}$"}),
]


class Baseline(Strict):
    """Where the KPI stands today."""

    value: KpiValue = Field(description="The measured value: a number, or a percentage (88%) where the unit is %.")
    as_of: IsoDate = Field(description="When it was measured.")


class Target(Strict):
    """A value the KPI must reach by a date."""

    value: KpiValue = Field(description="The value to reach: a number, or a percentage (90%) where the unit is %.")
    by: IsoDate = Field(description="The date to reach it by.")


class KpiScope(Strict):
    """What the KPI measures; empty lists mean everything."""

    segments: list[Annotated[Id, Ref("segment", "scoped_to")]] = Field(default_factory=list, description="Segments measured.")
    journeys: list[Annotated[Id, Ref("journey", "scoped_to")]] = Field(default_factory=list, description="Journeys measured.")
    touchpoints: list[Annotated[Id, Ref("touchpoint", "scoped_to")]] = Field(
        default_factory=list, description="Touchpoints measured.")


Unit = Literal["%", "s", "min", "h", "d", "score", "count", "currency"]


class KpiSpec(Strict):
    """A measure with a baseline and dated targets."""

    owner: Annotated[Id | None, Ref("team", "accountable")] = Field(None, description="The team accountable for the KPI.")
    definition: str = Field(description="What is measured, in plain words.")
    metric: Slug | None = Field(None, description="The metric slug, tying the KPI to the standards of that metric.")
    unit: Unit = Field(description="The unit its values are in.")
    direction: Literal["increase", "decrease"] = Field(description="Which way is better.")
    indicator: Literal["leading", "lagging"] = Field(description="leading (an operational lever) or lagging (a commercial outcome).")
    baseline: Baseline | None = Field(None, description="Where the KPI stands today.")
    targets: list[Target] = Field(default_factory=list, description="Dated targets, in time order.")
    source: str | None = Field(None, description="Where the data comes from.")
    scope: KpiScope = Field(default_factory=KpiScope, description="What the KPI measures.")
    drives: list[Annotated[Id, Ref("kpi", "drives")]] = Field(
        default_factory=list, description="KPIs (usually lagging) that this leading indicator moves.")


class Covers(Strict):
    """What a listening post hears about."""

    journeys: list[Annotated[Id, Ref("journey", "covers")]] = Field(default_factory=list, description="Journeys covered.")
    touchpoints: list[Annotated[Id, Ref("touchpoint", "covers")]] = Field(default_factory=list, description="Touchpoints covered.")
    segments: list[Annotated[Id, Ref("segment", "covers")]] = Field(default_factory=list, description="Segments covered.")


class ListeningPostSpec(Strict):
    """A source of the customer's voice, and the teams that must act on it."""

    owner: Annotated[Id | None, Ref("team", "accountable")] = Field(None, description="The team that runs it.")
    method: Literal["survey", "complaints", "social", "interviews", "analytics", "other"] = Field(
        description="How the customer's voice is gathered.")
    covers: Covers = Field(default_factory=Covers, description="What it hears about.")
    cadence: Literal["continuous", "weekly", "monthly", "quarterly", "yearly"] = Field(
        description="How often it reports.")
    feeds: list[Annotated[Id, Ref("team", "feeds")]] = Field(
        default_factory=list, description="Teams that must act on what it hears.")


class DatasetColumns(Strict):
    """Which column holds what. Interactions: touchpoint, time, metrics, and segment if known. KPI actuals:
    kpi, period and value, and segment if the values are per segment."""

    touchpoint: str | None = Field(None, description="Interactions: the column naming the touchpoint (e.g. queue).")
    segment: str | None = Field(None, description="The column naming the customer's segment (optional).")
    time: str | None = Field(None, description="Interactions: when it happened (a date or timestamp).")
    metrics: dict[Annotated[str, Field(pattern=ID_PATTERN)], str] = Field(
        default_factory=dict, description="Interactions: metric -> the column holding its value, in the metric's "
                                          "unit (seconds for durations, true/false or 0/1 for a rate, a score).",
        json_schema_extra={"propertyNames": {"pattern": ID_PATTERN}})  # the schema, too, says what a name is
    kpi: str | None = Field(None, description="KPI actuals: the column naming the KPI.")
    period: str | None = Field(None, description="KPI actuals: the date the value is for (e.g. the month's first day).")
    value: str | None = Field(None, description="KPI actuals: the column holding the value.")


class DatasetValues(Strict):
    """How the data's own names map to ids, where they differ (a queue name -> a touchpoint id)."""

    touchpoint: dict[str, Annotated[Id, Ref("touchpoint", "measures")]] = Field(
        default_factory=dict, description="Source value -> touchpoint id, e.g. {\"Plus line\": plus-member-line}.")
    segment: dict[str, Annotated[Id, Ref("segment", "measures")]] = Field(
        default_factory=dict, description="Source value -> segment id.")
    kpi: dict[str, Annotated[Id, Ref("kpi", "measures")]] = Field(
        default_factory=dict, description="Source value -> KPI id.")


class DatasetSpec(Strict):
    """Data that shows whether promises are kept: interaction records, or KPI actuals (`cxpolicy measure`)."""

    owner: Annotated[Id | None, Ref("team", "accountable")] = Field(None, description="The team accountable for the data.")
    holds: Literal["interactions", "kpi-actuals"] = Field(description="What each row is: an interaction, or a KPI's value for a period.")
    path: str = Field(min_length=1, description="Where the data is, relative to the policy root; a glob such as "
                                                "data/calls-*.parquet. It may lie outside git.")
    format: Literal["csv", "parquet", "jsonl"] | None = Field(
        None, description="csv, parquet or jsonl (JSON lines); by default, from the file name's extension.")
    columns: DatasetColumns = Field(description="Which column holds what.")
    values: DatasetValues = Field(default_factory=DatasetValues, description="How the data's names map to ids.")

    @model_validator(mode="after")
    def _columns_for_what_it_holds(self) -> "DatasetSpec":
        needed = ("touchpoint", "time") if self.holds == "interactions" else ("kpi", "period", "value")
        missing = [name for name in needed if getattr(self.columns, name) is None]
        if self.holds == "interactions" and not self.columns.metrics:
            missing.append("metrics")
        if missing:
            raise ValueError(f"a dataset of {self.holds} needs columns.{' and columns.'.join(missing)}")
        return self


Kind = Literal["team", "segment", "channel", "touchpoint", "journey", "servicestandard", "kpi", "listeningpost"]
SeverityName = Literal["error", "warning", "info"]

_SCALAR = {"type": ["string", "number", "boolean"]}
PREDICATE_MARKER = "x-cxpolicy-predicate"
#: The rule language's grammar (docs/rules-language.md), as JSON Schema definitions. The
#: committed Rule schema carries them, and the model validates with them, so both agree.
PREDICATE_DEFS: dict[str, Any] = {
    "Predicate": {
        "type": "object",
        "title": "Predicate",
        "description": "Conditions that must all hold: `field: value`, `field: {test}`, `relation: {min, max, where}`, "
                       "or all / any / not.",
        "properties": {
            "all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Predicate"}, "title": "All",
                    "description": "Every one of these holds."},
            "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Predicate"}, "title": "Any",
                    "description": "At least one of these holds."},
            "not": {"$ref": "#/$defs/Predicate", "title": "Not", "description": "This does not hold."},
        },
        "additionalProperties": {"$ref": "#/$defs/Test"},
    },
    "Test": {
        "title": "Test",
        "description": "A value the field must equal, a test of the field, or a count of related entities.",
        "anyOf": [
            {"type": ["string", "number", "boolean", "null"]},
            {"type": "array", "items": _SCALAR},
            {"$ref": "#/$defs/FieldTest"},
            {"$ref": "#/$defs/CountTest"},
        ],
        "x-cxpolicy-message": "a condition is a value, a test (equals, in, notIn, matches, exists, gte, gt, lte, lt, "
                              "contains) or a count of related entities (min, max, where)",
    },
    "FieldTest": {
        "type": "object",
        "title": "Field test",
        "description": "Tests of one field; all given must hold.",
        "properties": {
            "equals": {"title": "Equals", "description": "The field equals this value."},
            "in": {"type": "array", "items": _SCALAR, "title": "In", "description": "The field is one of these."},
            "notIn": {"type": "array", "items": _SCALAR, "title": "Not in", "description": "The field is none of these."},
            "matches": {"type": "string", "title": "Matches",
                        "description": "The field matches this regular expression (RE2 syntax, linear time)."},
            "exists": {"type": "boolean", "title": "Exists", "description": "The field is set (true) or absent (false)."},
            "gte": {"type": ["string", "number"], "title": "At least", "description": "At least this number, duration, percentage or date."},
            "gt": {"type": ["string", "number"], "title": "More than", "description": "More than this."},
            "lte": {"type": ["string", "number"], "title": "At most", "description": "At most this."},
            "lt": {"type": ["string", "number"], "title": "Less than", "description": "Less than this."},
            "contains": {**_SCALAR, "title": "Contains", "description": "The list field contains this value."},
        },
        "additionalProperties": False,
        "minProperties": 1,
    },
    "CountTest": {
        "type": "object",
        "title": "Count test",
        "description": "How many related entities (filtered by `where`) there must be; at least one when no bound is given.",
        "properties": {
            "min": {"type": "integer", "minimum": 0, "title": "Min", "description": "At least this many."},
            "max": {"type": "integer", "minimum": 0, "title": "Max", "description": "At most this many."},
            "where": {"$ref": "#/$defs/Predicate", "title": "Where", "description": "Only related entities where this holds."},
        },
        "additionalProperties": False,
        "minProperties": 1,
    },
}


@functools.cache
def _predicate_validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator({"$ref": "#/$defs/Predicate", "$defs": PREDICATE_DEFS})


def _check_predicate(value: Any) -> dict[str, Any]:
    error = next(iter(_predicate_validator().iter_errors(value)), None)
    if error is not None:
        raise ValueError(f"not a valid condition: {error.message}")
    return value


Predicate = Annotated[
    dict[str, Any],
    PlainValidator(_check_predicate),
    WithJsonSchema({PREDICATE_MARKER: True}),  # replaced by a $ref to PREDICATE_DEFS in the generated schema
]


class RuleSpec(Strict):
    """A check the CX office declares itself (docs/rules-language.md)."""

    severity: SeverityName = Field(description="How serious a finding of this rule is.")
    target: Kind = Field(description="The kind of entity the rule looks at, in lower case, e.g. touchpoint.")
    where: Predicate = Field(default_factory=dict, description="Which entities the rule looks at (all when absent).")
    require: Predicate = Field(description="What each of them must satisfy.")
    message: str = Field(description="The message for each entity that does not satisfy it; {id}, {title} and "
                                     "other fields in braces are filled in.")
    hint: str | None = Field(None, description="How to fix it, shown under the message.")


class WaiverSpec(Strict):
    """A dated exception to a check, for named entities."""

    rule: Annotated[str, Field(pattern=r"^(CX[0-9]{3}|[a-z0-9][a-z0-9-]*)$")] = Field(
        description="A built-in code such as CX401, or the id of a Rule.")
    targets: list[Annotated[EntityName, Ref(None, "waives")]] = Field(
        min_length=1, description="The entities waived, as kind:id, e.g. touchpoint:legacy-fax-line.")
    reason: str = Field(description="Why the exception is acceptable, and until when.")
    approved_by: Annotated[Id, Ref("team", "approves")] = Field(description="The team that approved the exception.")
    expires: IsoDate = Field(description="After this date the waiver stops counting.")


class RuleTestGiven(Strict):
    """The policy set a rule test runs on."""

    base: Literal["policy", "none"] = Field(
        "policy", description="policy: the surrounding policy set; none: only the documents added here.")
    add: list[dict[str, Any]] = Field(
        default_factory=list, description="Policy documents to add; one with the kind and id of an existing entity replaces it.")
    remove: list[Annotated[EntityName, Ref(None, "removes")]] = Field(
        default_factory=list, description="Entities to take out, as kind:id.")


class RuleTestSpec(Strict):
    """A test case for a rule: a policy set, and exactly what the rule must report on it."""

    rule: Annotated[str, Field(pattern=r"^(CX[0-9]{3}|[a-z0-9][a-z0-9-]*)$")] = Field(
        description="The Rule id (or built-in code) under test.")
    given: RuleTestGiven = Field(default_factory=RuleTestGiven, description="The policy set to check.")
    expect: list[EntityName] = Field(
        description="The entities the rule must report, as kind:id; nothing else may be reported. [] expects none.")


class Metric(Strict):
    """An entry of the metric catalogue: what a metric's values mean."""

    unit: Unit = Field(description="The unit its values are in.")
    direction: Literal["increase", "decrease"] = Field(description="Which way is better.")
    indicator: Literal["leading", "lagging"] | None = Field(None, description="leading or lagging.")
    channel_specific: bool = Field(False, description="true when it only means something in some channels (time to answer).")
    balanced_by: list[Slug] = Field(default_factory=list, description="Quality metrics that must accompany this efficiency metric.")
    not_above: Slug | None = Field(None, description="In one scope, this metric's promise cannot be later than that one's.")
    description: str | None = Field(None, description="What the metric measures.")


#: The hard limits (docs/security.md, source.Limits): a policy repository, which a pull
#: request's author controls, may lower them in cxpolicy.yaml but never raise them.
_HARD = source.Limits()
MAX_FILE_BYTES, MAX_DEPTH, MAX_ALIAS_NODES = _HARD.max_file_bytes, _HARD.max_depth, _HARD.max_alias_nodes


class Limits(Strict):
    """Bounds on what one policy file may hold (docs/security.md); they can only be lowered."""

    max_file_bytes: int = Field(MAX_FILE_BYTES, ge=1, le=MAX_FILE_BYTES,
                                description="Largest policy file read, in bytes (at most 10 MiB).")
    max_depth: int = Field(MAX_DEPTH, ge=2, le=MAX_DEPTH,
                           description="Deepest nesting of lists and mappings in one document (at most 100).")
    max_alias_nodes: int = Field(MAX_ALIAS_NODES, ge=0, le=MAX_ALIAS_NODES,
                                 description="Most values that YAML aliases may expand to in one document (at most 10,000).")


class Thresholds(Strict):
    """Where a coverage measure turns amber and red on the executive page."""

    green: Percent = Field(default_factory=lambda: Share(90.0, "90%"),
                           description="At or above this share a measure is green (default 90%).")
    amber: Percent = Field(default_factory=lambda: Share(70.0, "70%"),
                           description="At or above this share, and below green, it is amber; below, red (default 70%).")

    @model_validator(mode="after")
    def _in_order(self) -> "Thresholds":
        if self.amber.percent > self.green.percent:
            raise ValueError(f"amber ({self.amber}) must not be above green ({self.green})")
        return self


class ReportSettings(Strict):
    """How the reports judge and show the policy set."""

    thresholds: Thresholds = Field(default_factory=Thresholds,
                                   description="Red/amber/green bounds for the coverage measures.")


class ProjectSpec(Strict):
    """Settings of the policy repository (the file cxpolicy.yaml at its root)."""

    owner: Annotated[Id | None, Ref("team", "accountable")] = Field(
        None, description="The team that keeps the policy set (the CX office): it reviews every change.")
    exclude: list[str] = Field(default_factory=list, description="Folders or globs to skip, relative to the root, e.g. drafts/**.")
    rules: dict[str, Literal["error", "warning", "info", "off"]] = Field(
        default_factory=dict, description="Per-rule severity override or off, e.g. {CX405: off, CX204: error}.")
    today: IsoDate | None = Field(None, description="Fixes today's date for reproducible date checks.")
    metrics: dict[str, Metric] = Field(default_factory=dict, description="Extends or overrides the built-in metric catalogue.")
    limits: Limits = Field(default_factory=Limits, description="Bounds on what one policy file may hold.")
    report: ReportSettings = Field(default_factory=ReportSettings,
                                   description="How the reports judge coverage (red/amber/green thresholds).")


# --------------------------------------------------------------------------- documents


class Document(Strict):
    """The envelope every policy document shares."""

    api_version: Literal["cxpolicy/v1"] = Field(description="Always cxpolicy/v1.")
    metadata: Metadata = Field(description="The entity's id, title, description and labels.")


def _document(kind: str, spec: type[Strict]) -> type[Document]:
    """The model of one kind: the shared envelope with its own `kind` and `spec`."""
    about = (spec.__doc__ or "").strip()
    return type(
        kind,
        (Document,),
        {
            "__doc__": about,
            "__module__": __name__,
            "__annotations__": {"kind": Literal[kind], "spec": spec},  # type: ignore[valid-type]
            "kind": Field(description=f"Always {kind}."),
            "spec": Field(description=f"What this {kind} is and does: {about[:1].lower()}{about[1:]}"),
        },
    )


Team = _document("Team", TeamSpec)
Segment = _document("Segment", SegmentSpec)
Channel = _document("Channel", ChannelSpec)
Touchpoint = _document("Touchpoint", TouchpointSpec)
Journey = _document("Journey", JourneySpec)
ServiceStandard = _document("ServiceStandard", ServiceStandardSpec)
KPI = _document("KPI", KpiSpec)
ListeningPost = _document("ListeningPost", ListeningPostSpec)
Rule = _document("Rule", RuleSpec)
Waiver = _document("Waiver", WaiverSpec)
RuleTest = _document("RuleTest", RuleTestSpec)
Dataset = _document("Dataset", DatasetSpec)
Project = _document("Project", ProjectSpec)

#: Every kind, by its `kind:` name, in the order the docs present them.
KINDS: dict[str, type[Document]] = {
    model.__name__: model
    for model in (Team, Segment, Channel, Touchpoint, Journey, ServiceStandard, KPI, ListeningPost, Rule, Waiver, RuleTest,
                  Dataset, Project)
}


def kind_key(kind: str) -> str:
    """`ServiceStandard` -> `servicestandard`: how a kind is written in `kind:id` names."""
    return kind.lower()


@functools.cache
def _reference_plan(model_class: type[BaseModel]) -> tuple[tuple[str, str, Ref | None], ...]:
    """Per model class, the fields that hold references or nested models holding some: (name, alias, Ref)."""
    plan = []
    for name, info in model_class.model_fields.items():
        ref = field_ref(info)
        if ref is not None or _holds_references(info.annotation):
            plan.append((name, info.alias or name, ref))
    return tuple(plan)


def field_ref(info: Any) -> Ref | None:
    """The Ref on a model field (pydantic FieldInfo), on it or on its list's items."""
    refs = [meta for meta in info.metadata if isinstance(meta, Ref)]
    return refs[0] if refs else _item_ref(info.annotation)


def _holds_references(annotation: Any) -> bool:
    """Whether a type is, or holds, a model with references (metadata, say, holds none: never walked)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return bool(_reference_plan(annotation))
    return any(_holds_references(arg) for arg in getattr(annotation, "__args__", ()))


def iter_references(model: BaseModel, path: tuple = ()) -> Any:
    """Yield (data path, Ref, referenced id) for every reference in a model, however nested."""
    for name, alias, ref in _reference_plan(type(model)):
        value = getattr(model, name)
        if value is None:
            continue
        field_path = path + (alias,)
        items = enumerate(value) if isinstance(value, list) else ((None, value),)
        for index, item in items:
            item_path = field_path if index is None else field_path + (index,)
            if isinstance(item, BaseModel):
                yield from iter_references(item, item_path)
            elif isinstance(item, str) and ref is not None:
                yield item_path, ref, item


def _item_ref(annotation: Any) -> Ref | None:
    """The Ref on a list's item type, e.g. list[Annotated[Id, Ref(...)]]."""
    for arg in getattr(annotation, "__args__", ()):
        for meta in getattr(arg, "__metadata__", ()):
            if isinstance(meta, Ref):
                return meta
    return None
