"""The schemas as editors and strict validators take them.

* Every committed schema compiles in ajv's strict mode (2020-12, with ajv-formats for `date`): the
  kind schemas with no keyword added, the editors' combined schema with only the two message keywords
  of yaml-language-server and VS Code declared (errorMessage, patternErrorMessage).
* The real yaml-language-server, driven over stdio with the combined schema mapped onto every file:
  the example policy set and an `init` repository get no diagnostic at all (files mixing kinds
  included), and each CX103 fixture gets one at the line `cxpolicy validate` reports.

The npm tools come from `make test` (build/test-tools); under CI a missing tool fails the test.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import make_test_lsp_client

from cxpolicy import model, schema, starter

from .conftest import FIXTURES, REPO
from .test_conformance import TOOLS, need
from .test_fixtures import expectations

NODE = shutil.which("node")
YAML_SERVER = TOOLS / "yaml-language-server" / "bin" / "yaml-language-server"
SCHEMAS = REPO / "schemas"
PATIENCE = 120  # a guard against a hang only


def _ajv(files: list[Path], keywords: list[str]) -> subprocess.CompletedProcess[str]:
    script = """
const Ajv2020 = require("ajv/dist/2020"); const addFormats = require("ajv-formats");
const [keywords, ...files] = JSON.parse(process.argv[1]);
for (const file of files) {
  const ajv = new Ajv2020({strict: true, allErrors: true});
  addFormats(ajv);
  for (const keyword of keywords) ajv.addKeyword(keyword);
  ajv.compile(JSON.parse(require("fs").readFileSync(file, "utf8")));
}
"""
    return subprocess.run([NODE or "node", "-e", script, json.dumps([keywords, *map(str, files)])],
                          capture_output=True, text=True, timeout=PATIENCE, env={**os.environ, "NODE_PATH": str(TOOLS)})


def test_every_kind_schema_compiles_in_ajv_strict_mode_as_it_is():
    need(NODE is not None and (TOOLS / "ajv").is_dir(), "node with ajv and ajv-formats")
    kinds = sorted(path for path in SCHEMAS.glob("*.schema.json") if path.name != schema.EDITOR_FILE)
    assert len(kinds) == len(model.KINDS)
    done = _ajv(kinds, [])
    assert done.returncode == 0, done.stderr
    assert "strict mode" not in done.stderr  # nothing merely logged either


def test_the_editor_schema_compiles_in_ajv_strict_mode_with_only_the_editor_message_keywords():
    need(NODE is not None and (TOOLS / "ajv").is_dir(), "node with ajv and ajv-formats")
    done = _ajv([SCHEMAS / schema.EDITOR_FILE], ["errorMessage", "patternErrorMessage"])
    assert done.returncode == 0, done.stderr
    assert "strict mode" not in done.stderr
    without = _ajv([SCHEMAS / schema.EDITOR_FILE], [])
    assert without.returncode != 0 and "patternErrorMessage" in without.stderr  # the check can fail


def test_check_jsonschema_accepts_every_schema_against_the_metaschema():
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert tool is not None
    done = subprocess.run([tool, "--check-metaschema", *sorted(map(str, SCHEMAS.glob("*.schema.json")))],
                          capture_output=True, text=True, timeout=PATIENCE)
    assert done.returncode == 0, done.stdout + done.stderr


# --------------------------------------------------------------------------- yaml-language-server


async def _yaml_server_diagnostics(root: Path, files: list[Path]) -> dict[Path, list[lsp.Diagnostic]]:
    """What yaml-language-server reports for each file, with the combined schema on every file."""
    client = make_test_lsp_client()
    settings = {"yaml": {"validate": True, "hover": True, "completion": True, "schemaStore": {"enable": False},
                         "schemas": {(SCHEMAS / schema.EDITOR_FILE).as_uri(): ["*.yaml", "*.yml", "**/*.yaml",
                                                                                "**/*.yml"]}}}
    client.set_configuration(settings["yaml"], section="yaml")
    await client.start_io(NODE or "node", str(YAML_SERVER), "--stdio")
    try:
        await client.initialize_session(lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(workspace=lsp.WorkspaceClientCapabilities(configuration=True)),
            root_uri=root.as_uri()))
        client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings))
        found = {}
        for path in files:
            uri = path.as_uri()
            client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(
                uri=uri, language_id="yaml", version=1, text=path.read_text(encoding="utf-8"))))
            while True:
                params = await asyncio.wait_for(client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS),
                                                PATIENCE)
                if params.uri == uri:
                    found[path] = list(params.diagnostics)
                    break
        await client.shutdown_session()
    finally:
        await client.stop()
    return found


def _shown(found: dict[Path, list[lsp.Diagnostic]], root: Path) -> list[str]:
    return [f"{path.relative_to(root)}:{d.range.start.line + 1}: {d.message}"
            for path, diagnostics in sorted(found.items()) for d in diagnostics]


def _yaml_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.y*ml") if ".github" not in path.parts
                  and path.name != ".pre-commit-config.yaml")


def test_the_yaml_language_server_finds_nothing_wrong_in_the_example(tmp_path: Path):
    need(NODE is not None and YAML_SERVER.is_file(), "node with yaml-language-server")
    files = _yaml_files(REPO / "policies")
    assert any(path.parent.name == "rules" for path in files)  # the files that mix Rule and RuleTest
    found = asyncio.run(_yaml_server_diagnostics(REPO / "policies", files))
    assert len(found) == len(files)
    assert _shown(found, REPO / "policies") == []


def test_the_yaml_language_server_finds_nothing_wrong_in_a_new_repository(tmp_path: Path):
    need(NODE is not None and YAML_SERVER.is_file(), "node with yaml-language-server")
    starter.write(str(tmp_path), starter.files("2026-12-02", "2027-12-02"))
    files = _yaml_files(tmp_path)
    found = asyncio.run(_yaml_server_diagnostics(tmp_path, files))
    assert len(found) == len(files) >= 11
    assert _shown(found, tmp_path) == []


SCHEMA_FIXTURES = sorted(path for path in (FIXTURES / "negative").glob("cx103-*.yaml"))


def test_the_yaml_language_server_reports_each_schema_mistake_at_its_line():
    need(NODE is not None and YAML_SERVER.is_file(), "node with yaml-language-server")
    found = asyncio.run(_yaml_server_diagnostics(FIXTURES / "negative", SCHEMA_FIXTURES))
    for path in SCHEMA_FIXTURES:
        lines = {line for code, line, _, _ in expectations(path) if code == "CX103"}
        shown = {d.range.start.line + 1 for d in found[path]}
        assert lines & shown, f"{path.name}: cxpolicy says lines {lines}, the editor {shown}: {found[path]}"


def test_the_editor_shows_plain_words_for_an_impossible_date_and_a_bad_id(tmp_path: Path):
    need(NODE is not None and YAML_SERVER.is_file(), "node with yaml-language-server")
    path = tmp_path / "kpi.yaml"
    path.write_text("apiVersion: cxpolicy/v1\nkind: Team\nmetadata:\n  id: Care Team\nspec:\n  reportsTo: cco\n"
                    "---\napiVersion: cxpolicy/v1\nkind: Waiver\nmetadata:\n  id: late\nspec:\n  rule: CX401\n"
                    "  targets: [touchpoint:care-line]\n  reason: Moving the line to the new team.\n"
                    "  approvedBy: cco\n  expires: 2027-02-30\n", encoding="utf-8")
    (diagnostics,) = asyncio.run(_yaml_server_diagnostics(tmp_path, [path])).values()
    by_line = {d.range.start.line + 1: d.message for d in diagnostics}
    assert "lower-case letters, digits and dashes" in by_line[4]
    assert by_line[17].startswith("Write a date that exists")
