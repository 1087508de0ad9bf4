"""The committed schemas: generated from the models, complete, and in agreement with them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pydantic
import pytest

from cxpolicy import model, schema, source

from .conftest import FIXTURES, POLICIES, REPO

SCHEMAS = REPO / "schemas"


def test_committed_schemas_match_the_models():
    generated = schema.generated_files()
    committed = {path.name: path.read_text(encoding="utf-8") for path in SCHEMAS.glob("*.schema.json")}
    assert committed == generated, "run `cxpolicy schema --write` (or `make schemas`) and commit the result"


def test_schema_check_command_detects_drift(run, tmp_path):
    assert run("schema", "--check", "--dir", str(SCHEMAS)).exit_code == 0
    for path in SCHEMAS.glob("*.schema.json"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"))
    stale = tmp_path / "team.schema.json"
    stale.write_text(stale.read_text().replace("reports to", "reports up to"), encoding="utf-8")
    stale.write_text(stale.read_text().replace('"executive"', '"executiv"', 1), encoding="utf-8")
    result = run("schema", "--check", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "team.schema.json is out of date" in result.stderr


def _objects(node, where=""):
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _objects(value, f"{where}/{index}")


@pytest.mark.parametrize("kind", list(model.KINDS))
def test_every_field_has_a_title_and_description_and_no_unknown_fields_are_allowed(kind):
    document = json.loads((SCHEMAS / schema.schema_filename(kind)).read_text())
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"].endswith(schema.schema_filename(kind))
    jsonschema.Draft202012Validator.check_schema(document)
    for where, node in _objects(document):
        if node.get("type") == "object" and "properties" in node and not re.search(r"/(anyOf|oneOf)/\d+$", where):
            # (a branch of anyOf only constrains the fields declared, and closed, beside it)
            # Closed, or (a rule's condition, whose keys are field names) every other key typed.
            assert node.get("additionalProperties") is False or "$ref" in node["additionalProperties"], where
            for name, prop in node["properties"].items():
                assert prop.get("title") and prop.get("description"), f"{kind}{where}/{name}"


def _documents(root: Path):
    for path in sorted(root.rglob("*.y*ml")):
        for document in source.read_file(str(path.parent), path.name).documents:
            if isinstance(document.data, dict) and isinstance(document.data.get("kind"), str) \
                    and document.data["kind"] in model.KINDS:
                yield path, document


ALL_DOCUMENTS = list(_documents(POLICIES)) + list(_documents(FIXTURES))


@pytest.mark.parametrize("path,document", ALL_DOCUMENTS, ids=lambda v: getattr(v, "name", None) or str(getattr(v, "index", "")))
def test_fast_path_and_committed_schema_agree(path, document):
    kind = document.data["kind"]
    try:
        model.KINDS[kind].model_validate(document.data)
        fast = True
    except pydantic.ValidationError:
        fast = False
    assert fast == schema._validator(kind).is_valid(document.data)


def _check_jsonschema(kind: str, documents: list, tmp_path: Path) -> subprocess.CompletedProcess:
    files = []
    for index, document in enumerate(documents):
        target = tmp_path / f"{kind}-{index}.json"
        target.write_text(json.dumps(document.data), encoding="utf-8")
        files.append(str(target))
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(SCHEMAS / schema.schema_filename(kind)), *files],
        capture_output=True, text=True, check=False,
    )


def test_independent_validator_accepts_every_document_of_the_example(tmp_path):
    by_kind: dict[str, list] = {}
    for _, document in _documents(POLICIES):
        by_kind.setdefault(document.data["kind"], []).append(document)
    assert len(by_kind) >= 8
    for kind, documents in by_kind.items():
        result = _check_jsonschema(kind, documents, tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "name", sorted(p.name for p in (FIXTURES / "negative").glob("cx103-*.yaml") if "not-a-mapping" not in p.name)
)
def test_independent_validator_rejects_the_negative_schema_fixtures(name, tmp_path):
    documents = [d for path, d in _documents(FIXTURES / "negative") if path.name == name]
    invalid = [d for d in documents if not schema._validator(d.data["kind"]).is_valid(d.data)]
    assert invalid, "the fixture should break its schema"
    for document in invalid:
        assert _check_jsonschema(document.data["kind"], [document], tmp_path).returncode != 0


def test_format_docs_are_current(run):
    result = run("docs", "--check", "--dir", str(REPO / "docs"))
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("kind", list(model.KINDS))
def test_format_docs_example_is_a_valid_document(kind):
    from cxpolicy.render.format_docs import EXAMPLES

    (document,) = source.read_text(f"{kind}.yaml", EXAMPLES[kind].encode()).documents
    typed, findings = schema.validate(document, kind)
    assert findings == [] and typed is not None


def test_field_titles_in_the_schemas_are_words_an_editor_can_show():
    from cxpolicy import schema as schemas

    titles = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    titles.extend((name, field.get("title")) for name, field in value.items() if isinstance(field, dict))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for text in schemas.generated_files().values():
        walk(json.loads(text))
    assert ("momentOfTruth", "Moment of truth") in titles and ("apiVersion", "API version") in titles
    squashed = [(name, title) for name, title in titles if title and " " not in title and title.lower() != name.lower()]
    camel = [(name, title) for name, title in titles if title and title == name[:1].upper() + name[1:].lower()
             and any(c.isupper() for c in name[1:])]
    assert camel == [] and squashed == []
