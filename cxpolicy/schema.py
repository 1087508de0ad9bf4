"""JSON Schemas: generated from the models, committed in schemas/, and used to explain what is wrong.

Validation takes a fast path: the pydantic model (generated from the same
source as the schemas) accepts the common, valid document. Only a document it
rejects is run through `jsonschema` against the committed schema, whose errors
are turned into one plain finding per real problem, at the key or value that
is wrong. A test keeps the two verdicts in agreement.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pydantic

from cxpolicy import model
from cxpolicy.findings import Finding
from cxpolicy.rules import files as checks
from cxpolicy.source import Document, Path, format_path
from cxpolicy.suggest import closest

DIALECT = "https://json-schema.org/draft/2020-12/schema"
BASE_URI = "https://cxpolicy.dev/schemas/v1/"


def schema_filename(kind: str) -> str:
    return f"{model.kind_key(kind)}.schema.json"


def generate(kind: str) -> dict[str, Any]:
    """The JSON Schema of one kind, as generated from its model."""
    generated = model.KINDS[kind].model_json_schema(by_alias=True)
    if kind == "Rule":
        spec = generated["$defs"]["RuleSpec"]["properties"]
        for name in ("where", "require"):
            spec[name].pop(model.PREDICATE_MARKER)
            spec[name]["$ref"] = "#/$defs/Predicate"
        generated["$defs"].update(model.PREDICATE_DEFS)
    for node in [generated, *generated.get("$defs", {}).values()]:
        for name, prop in node.get("properties", {}).items():
            prop.setdefault("title", _title(name))  # editors show it; pydantic omits it beside a $ref
    return {"$schema": DIALECT, "$id": BASE_URI + schema_filename(kind), **generated}


def _title(field_name: str) -> str:
    """`reportsTo` -> `Reports to`, `apiVersion` -> `API version`."""
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", field_name).lower().split()
    words = ["API" if word == "api" else word for word in words]
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


#: The one schema editors apply to every policy file: it picks the kind's schema by `kind`.
EDITOR_FILE = "cxpolicy.schema.json"
_OURS = "x-cxpolicy-"  # the annotations the models carry for the docs and the messages, never published


def published(kind: str) -> dict[str, Any]:
    """A kind's schema as committed in schemas/: JSON Schema 2020-12 keywords only, and no list of types
    (written as anyOf instead), so that any strict validator (ajv's strict mode, check-jsonschema)
    takes it as it is."""
    return _one_type_each(_without_ours(generate(kind)))


#: The keywords that apply to one type only, which go with that type when a list of types is split.
_TYPE_KEYWORDS = {
    "string": ("pattern", "patternErrorMessage", "minLength", "maxLength", "format"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "array": ("items", "minItems", "maxItems", "uniqueItems", "prefixItems"),
    "object": ("properties", "required", "additionalProperties", "minProperties", "maxProperties", "propertyNames"),
}


#: Keywords whose value maps names to schemas: the names are data (a field called `format`), not keywords.
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")


def _one_type_each(node: Any) -> Any:
    """Each schema with its one type, as ajv's strict mode wants: `"type": ["number", "string"]` as anyOf
    of one type each, and the type written beside keywords of one type only (`minItems`: array) where
    it is left out (which changes no verdict: a value of another type fails elsewhere)."""
    if isinstance(node, list):
        return [_one_type_each(item) for item in node]
    if not isinstance(node, dict):
        return node
    found = {key: ({name: _one_type_each(schema) for name, schema in value.items()} if key in _SCHEMA_MAPS
                   and isinstance(value, dict) else _one_type_each(value)) for key, value in node.items()}
    types = found.get("type")
    if types is None and not {"$ref", "anyOf", "oneOf", "allOf", "enum", "const"} & set(found):
        implied = [kind for kind, names in _TYPE_KEYWORDS.items() if set(names) & set(found)]
        if len(implied) == 1:
            found["type"] = implied[0]
    if isinstance(types, list):
        del found["type"]
        moved = {name: found.pop(name) for names in _TYPE_KEYWORDS.values() for name in names if name in found}
        found["anyOf"] = [{"type": kind, **{name: value for name, value in moved.items()
                                             if name in _TYPE_KEYWORDS.get("number" if kind == "integer" else kind, ())}}
                          for kind in types]
    return found


def _without_ours(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _without_ours(value) for key, value in node.items() if not key.startswith(_OURS)}
    if isinstance(node, list):
        return [_without_ours(item) for item in node]
    return node


def editor() -> dict[str, Any]:
    """The combined schema for editors: every kind's schema, chosen by the document's `kind` (so a file
    that mixes kinds validates each document against its own), with what an editor shows beside the
    standard keywords: the plain messages of yaml-language-server's `errorMessage` and
    `patternErrorMessage`, examples, the metric catalogue as suggestions, and dates checked against the
    calendar (2027-02-30 is refused as you type)."""
    from cxpolicy.metrics import BUILTIN

    definitions: dict[str, Any] = {}
    branches = []
    for kind in model.KINDS:
        own = _one_type_each(_for_editors(generate(kind), sorted(BUILTIN)))
        for name, definition in own.pop("$defs", {}).items():
            definitions[f"{kind}_{name}"] = _local_refs(definition, kind)
        definitions[kind] = _local_refs({key: value for key, value in own.items() if not key.startswith("$")}, kind)
        branches.append({"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                         "then": {"$ref": f"#/$defs/{kind}"}})
    return {
        "$schema": DIALECT, "$id": BASE_URI + EDITOR_FILE, "title": "cxpolicy policy document",
        "description": "A document of a cxpolicy policy repository; `kind` says which (docs/format.md).",
        "type": "object", "required": ["kind"],
        "properties": {"kind": {"title": "Kind", "description": "What this document declares.",
                                "enum": list(model.KINDS),
                                "errorMessage": f"kind must be one of: {', '.join(model.KINDS)}."}},
        "allOf": branches, "$defs": definitions,
    }


#: A date that exists on the calendar (leap years included), as a pattern an editor can apply.
CALENDAR_DATE = (r"^(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
                 r"|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])"
                 r"|(?:[02468][048]|[13579][26])00)-02-29)$")
_EXAMPLES = {"duration": ["30s", "15min", "4h", "2d"], "interval": ["90d", "3mo", "1q"],
             "date (YYYY-MM-DD)": ["2027-06-30"], "percentage": ["95%"], "GitHub handle": ["@northwind/customer-care"],
             "number, duration or percentage": ["60s", "95%", "4.5"]}


def _for_editors(node: Any, metrics: list[str]) -> Any:
    if isinstance(node, list):
        return [_for_editors(item, metrics) for item in node]
    if not isinstance(node, dict):
        return node
    shaped = {key: _for_editors(value, metrics) for key, value in node.items() if not key.startswith(_OURS)}
    if "x-cxpolicy-message" in node:
        shaped["errorMessage"] = node["x-cxpolicy-message"][:1].upper() + node["x-cxpolicy-message"][1:] + "."
    pattern = node.get("pattern")
    if pattern in PATTERNS:
        name, words = PATTERNS[pattern]
        shaped["patternErrorMessage"] = f"Write {words}."
        if pattern == _DATE_PATTERN:
            shaped["pattern"] = CALENDAR_DATE
            shaped["patternErrorMessage"] = "Write a date that exists, as YYYY-MM-DD, such as 2027-06-30."
            shaped.pop("format", None)  # the pattern says it, with the plain message
        if name in _EXAMPLES and "examples" not in shaped:
            shaped["examples"] = _EXAMPLES[name]
    if "metric" in shaped.get("properties", {}):
        shaped["properties"]["metric"] = {**shaped["properties"]["metric"], "examples": metrics}
    return shaped


def _local_refs(node: Any, kind: str) -> Any:
    """`#/$defs/Name` of a kind's own schema, as it is named in the combined one."""
    if isinstance(node, list):
        return [_local_refs(item, kind) for item in node]
    if not isinstance(node, dict):
        return node
    found = {key: _local_refs(value, kind) for key, value in node.items()}
    reference = found.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/$defs/"):
        found["$ref"] = f"#/$defs/{kind}_{reference.removeprefix('#/$defs/')}"
    elif reference == "#":
        found["$ref"] = f"#/$defs/{kind}"
    return found


def _dumped(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generated_files() -> dict[str, str]:
    """Every schema file's name and text, exactly as committed: one per kind, and the editors' one."""
    files = {schema_filename(kind): _dumped(published(kind)) for kind in model.KINDS}
    files[EDITOR_FILE] = _dumped(editor())
    return files


@functools.cache
def committed(kind: str) -> dict[str, Any]:
    """The committed schema of a kind, read from the installed schemas package."""
    text = resources.files("cxpolicy.schemas").joinpath(schema_filename(kind)).read_text("utf-8")
    return json.loads(text)


@functools.cache
def _validator(kind: str) -> Any:
    import jsonschema  # only when a document fails the fast path: it costs 70 ms to import

    # The generated schema, not the committed one: the same but for the annotations (x-cxpolicy-*) that
    # carry the plain messages of some mistakes.
    return jsonschema.Draft202012Validator(generate(kind), format_checker=jsonschema.FormatChecker(["date"]))


def validate(document: Document, kind: str) -> tuple[model.Document | None, list[Finding]]:
    """The typed entity, or the findings that say why the document breaks its kind's schema."""
    try:
        return model.KINDS[kind].model_validate(document.data), []
    except pydantic.ValidationError as error:
        findings = _dedupe(_explain(document, kind))
        if not findings:  # the models and the committed schema disagree: report what the model saw
            findings = [_from_pydantic(document, item) for item in error.errors()]
        return None, findings


def _explain(document: Document, kind: str) -> Iterator[Finding]:
    for error in _one_per_value(_validator(kind).iter_errors(document.data)):
        yield from _findings_for(document, kind, error)
    yield from _unusable_numbers(document, document.data, ())


def _one_per_value(errors: Any) -> list[Any]:
    """One mistake, one finding: a date in the wrong form is not also reported as no real date."""
    errors = list(errors)
    misshapen = {tuple(e.absolute_path) for e in errors if e.validator == "pattern"}
    return [e for e in errors if not (e.validator == "format" and tuple(e.absolute_path) in misshapen)]


_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})\Z")
_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_PERCENT_PATTERN = f"^{model.PERCENT}$"


def _date_hint(value: Any) -> str:
    """How to write a date given in another form: the ISO date itself when only one reading is possible."""
    match = _DAY_MONTH_YEAR.match(value) if isinstance(value, str) else None
    if match is not None:
        first, second, year = (int(part) for part in match.groups())
        readings = {(year, month, day) for day, month in ((first, second), (second, first))
                    if 1 <= month <= 12 and 1 <= day <= 31}
        if len(readings) == 1:
            year, month, day = readings.pop()
            return f"Write {year:04d}-{month:02d}-{day:02d} (year-month-day)."
        if readings:
            return "Write the date as YYYY-MM-DD: " + " or ".join(
                f"{y:04d}-{m:02d}-{d:02d}" for y, m, d in sorted(readings)) + ", whichever you mean."
    return "Write the date as YYYY-MM-DD, such as 2027-06-30."


def _owners_hint(kind: str, path: Path, value: Any) -> str | None:
    """For a list where one owning team belongs: how to name the others."""
    if not isinstance(value, list) or not path or path[-1] not in ("owner", "sponsor", "reportsTo"):
        return None
    if kind == "Touchpoint" and path == ("spec", "owner"):
        first, *others = [str(item) for item in value] or ["team"]
        return ("One team is accountable for a touchpoint; name the others in the long form: "
                f"owner: {{accountable: {first}, responsible: [{', '.join(others) or '...'}]}}.")
    return "One team is accountable; name that one team's id here."


def id_form(value: str) -> str:
    """`Fraud Operations` -> `fraud-operations`: text written the way ids are."""
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def _id_hint(pattern: str, value: Any) -> str | None:
    if PATTERNS.get(pattern, ("",))[0] != "id" or not isinstance(value, str) or not id_form(value):
        return None
    return f"Ids are written in lower case with dashes, e.g. {id_form(value)}; to name a team or another " \
           "entity, write its id, not its title."


def _percent_hint(value: Any) -> str | None:
    """A share written as a fraction (0.95) or a bare number (95): the percentage it means."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        return None
    percent = value * 100 if value <= 1 and isinstance(value, float) else value
    return f"Write {float(percent):g}% (a percentage, with the % sign)."


def _unusable_numbers(document: Document, value: Any, path: Path) -> Iterator[Finding]:
    """NaN, infinities and numbers too large for arithmetic: JSON Schema calls them numbers, but every
    comparison with NaN is false, so one would silently switch a check off."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _unusable_numbers(document, item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unusable_numbers(document, item, path + (index,))
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and not model.finite(value):
        yield _at(document, path, f"{_field(path)} must be a finite number of sensible size, not {describe_value(value)}",
                  "Write a plain number, such as 71 or 4.5.")


def _dedupe(findings: Iterator[Finding]) -> list[Finding]:
    return sorted(set(findings))


def _at(document: Document, path: Path, message: str, hint: str | None = None, *, key: bool = False,
        entity: str | None = None, fix: tuple[str, str] | None = None) -> Finding:
    """A CX103 finding at the value (or key) at `path`; a `fix` replaces the key or the whole value."""
    line, column = document.where(path, key=key)
    end = document.end(path) if not key else (line, column + len(fix[0])) if fix else None
    return checks.SCHEMA.at(document.file, line, column, message, hint=hint, entity=entity, end=end, fix=fix)


def _field(path: Path) -> str:
    return format_path(path) or "the document"


TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of fields",
    "null": "empty",
}


def _type_words(types: Any) -> str:
    names = [types] if isinstance(types, str) else list(types)
    return " or ".join(TYPE_WORDS.get(name, name) for name in names)


def describe_value(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a true/false value)"
    if isinstance(value, float) and not math.isfinite(value):
        return {"nan": ".nan"}.get(str(value), f"{'-' if value < 0 else ''}.inf")
    if isinstance(value, int) and value.bit_length() > 64:
        return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value}'"
    return "a list" if isinstance(value, list) else "a mapping of fields"


#: What each pattern of the schemas asks for: (short name for the docs, words for a message).
PATTERNS: dict[str, tuple[str, str]] = {
    "^" + model.ID_PATTERN.strip("^$") + "$": (
        "id", "an id: lower-case letters, digits and dashes, such as returns-portal"),
    model.Duration.PATTERN: ("duration", "a duration such as 30s, 15min, 4h, 2d or 1w"),
    model.Interval.PATTERN: ("interval", "an interval such as 90d, 3mo (months) or 1q (quarters)"),
    model.Quantity.PATTERN: (
        "number, duration or percentage", "a number, a duration such as 60s, or a percentage such as 95%"),
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$": ("date (YYYY-MM-DD)", "a date written as YYYY-MM-DD, such as 2027-06-30"),
    _PERCENT_PATTERN: ("percentage", "a percentage such as 95%"),
    model.GITHUB_HANDLE: ("GitHub handle", "a GitHub handle such as @dana-o or @northwind/customer-care"),
    r"^(CX[0-9]{3}|[a-z0-9][a-z0-9-]*)$": ("check code or Rule id", "a check code such as CX401 or the id of a Rule"),
    r"^[a-z]+:[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)?$": (
        "entity name (kind:id)", "an entity named as kind:id, such as touchpoint:returns-portal"),
}


def _pattern_words(pattern: str) -> str:
    """What a pattern of the schemas asks for, in words."""
    return PATTERNS.get(pattern, ("", f"text matching {pattern}"))[1]


def _findings_for(document: Document, kind: str, error: Any) -> Iterator[Finding]:
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    validator = error.validator
    if validator in ("anyOf", "oneOf"):
        yield from _best_branch(document, kind, error, path)
        return
    custom = schema.get("x-cxpolicy-message")
    if validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        for name in sorted(set(error.instance) - set(allowed)):
            suggestion = closest(name, allowed)
            where = f"in {_field(path)}" if path else "at the top of the document"
            hint = f"Did you mean '{suggestion}'?" if suggestion else None
            allowed_words = ", ".join(allowed) if allowed else "none"
            hint = (hint + " " if hint else "") + f"Fields allowed here: {allowed_words}."
            yield _at(document, path + (name,), f"unknown field '{name}' {where}", hint, key=True,
                      fix=(name, suggestion) if suggestion else None)
    elif custom is not None and validator not in ("type",):
        yield _at(document, path, custom, key=True)
    elif validator == "required":
        for name in schema.get("required", []):
            if isinstance(error.instance, dict) and name not in error.instance:
                owner = _field(path)
                yield _at(document, path, f"{owner} is missing the required field '{name}'",
                          f"Add '{name}:' to {owner} (see docs/format.md, kind {kind}).", key=True)
    elif validator in ("enum", "const"):
        allowed = schema.get("enum", [schema.get("const")])
        words = [str(item) for item in allowed]
        suggestion = closest(str(error.instance), words) if isinstance(error.instance, str) else None
        hint = (f"Did you mean '{suggestion}'? " if suggestion else "") + f"Allowed: {', '.join(words)}."
        yield _at(document, path, f"{_field(path)} cannot be {describe_value(error.instance)}", hint,
                  fix=(error.instance, suggestion) if suggestion else None)
    elif validator == "type":
        yield _at(document, path, f"{_field(path)} must be {_type_words(error.validator_value)}, "
                                  f"not {describe_value(error.instance)}", _owners_hint(kind, path, error.instance))
    elif validator == "pattern" and "propertyNames" in error.schema_path:  # a name, not a value, is wrong
        yield _at(document, path + (error.instance,),
                  f"the name '{error.instance}' in {_field(path)} must be {_pattern_words(error.validator_value)}",
                  _id_hint(error.validator_value, error.instance), key=True)
    elif validator == "pattern":
        wanted = _pattern_words(error.validator_value)
        hint = _date_hint(error.instance) if error.validator_value == _DATE_PATTERN else _id_hint(
            error.validator_value, error.instance)
        yield _at(document, path, f"{_field(path)} must be {wanted}, not '{error.instance}'", hint)
    elif validator == "format":
        yield _at(document, path, f"{_field(path)} '{error.instance}' is not a real calendar date",
                  "Write a date that exists, as YYYY-MM-DD, such as 2027-06-30.")
    elif validator == "minItems":
        count = error.validator_value
        yield _at(document, path, f"{_field(path)} needs at least {count} item{'s' if count != 1 else ''}", key=True)
    elif validator == "maxLength":
        yield _at(document, path, f"{_field(path)} is longer than {error.validator_value} characters")
    elif validator in ("minimum", "exclusiveMinimum"):
        yield _at(document, path, f"{_field(path)} must be at least {error.validator_value}")
    elif validator == "maximum":
        hint = ("These limits protect every run against hostile files: a project may lower them, never raise "
                "them (docs/security.md)." if path[:2] == ("spec", "limits") else None)
        yield _at(document, path, f"{_field(path)} must be at most {error.validator_value:,}", hint)
    else:
        yield _at(document, path, f"{_field(path)}: {error.message}")


def _best_branch(document: Document, kind: str, error: Any, path: Path) -> Iterator[Finding]:
    """One finding for a failed anyOf: the errors of the branch the author evidently meant."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    branches: dict[int, list[Any]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    plausible: dict[int, list[Any]] = {
        index: errors for index, errors in branches.items()
        if not any(sub.validator == "type" and not sub.relative_path for sub in errors)
    }
    if len(plausible) == 1:
        for sub in _one_per_value(next(iter(plausible.values()))):
            yield from _findings_for(document, kind, sub)
        return
    if "x-cxpolicy-message" in schema:
        yield _at(document, path, schema["x-cxpolicy-message"], key=True)
        return
    root = committed(kind)
    patterns = {resolve(root, branch).get("pattern") for branch in schema.get(error.validator, [])}
    if _PERCENT_PATTERN in patterns and _percent_hint(error.instance) is not None:
        yield _at(document, path, f"{_field(path)} must be a percentage such as 95%, not "
                                  f"{describe_value(error.instance)}", _percent_hint(error.instance))
        return
    owners = _owners_hint(kind, path, error.instance)
    if owners is not None:
        yield _at(document, path, f"{_field(path)} must name one team, not a list", owners)
        return
    types = []
    for branch in schema.get(error.validator, []):
        branch = resolve(root, branch)
        types.extend([branch["type"]] if isinstance(branch.get("type"), str) else branch.get("type", []))
    words = _type_words(list(dict.fromkeys(types))) if types else "another form"
    yield _at(document, path, f"{_field(path)} must be {words}, not {describe_value(error.instance)}")


def _from_pydantic(document: Document, item: Any) -> Finding:
    path = tuple(part for part in item["loc"] if isinstance(part, (str, int)))
    return _at(document, path, f"{_field(path)}: {item['msg'].removeprefix('Value error, ')}")


def subschema(kind: str, path: Path) -> dict[str, Any]:
    """The part of a kind's committed schema that describes the value at `path` ({} when unknown)."""
    root = committed(kind)
    node: dict[str, Any] = root
    for part in path:
        node = resolve(root, node)
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, node.get("additionalProperties", {}))
        if not isinstance(node, dict):
            return {}
    return resolve(root, node)


def resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow `$ref`s, and from an optional field's anyOf take the branch that is not null."""
    while "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    for branch in node.get("anyOf", ()):
        if isinstance(branch, dict) and branch.get("type") != "null" and ("type" in branch or "$ref" in branch):
            return resolve(root, branch)
    return node
