"""The language server end to end: `cxpolicy lsp` started as a process and driven over stdio by a real
LSP client (pytest-lsp), on a copy of the example policy set: open, edit, diagnostics, completion,
hover, definition, references, rename and quick fixes."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

EXAMPLE = Path(__file__).resolve().parent.parent / "policies"
#: A guard against a hang only: a busy machine may take long, a correct server always answers.
PATIENCE = 60


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lsp") / "policies"
    shutil.copytree(EXAMPLE, folder)
    return folder


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "cxpolicy", "lsp"]))
async def client(lsp_client: LanguageClient, repository: Path):
    await lsp_client.initialize_session(lsp.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
        root_uri=repository.as_uri(), workspace_folders=[lsp.WorkspaceFolder(repository.as_uri(), "policies")]))
    yield
    await lsp_client.shutdown_session()


async def opened(client: LanguageClient, path: Path, text: str | None = None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        lsp.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text if text is not None else path.read_text(encoding="utf-8"))))
    return uri


async def diagnostics(client: LanguageClient, uri: str, version: int) -> list[lsp.Diagnostic]:
    """The diagnostics the server publishes for `uri` at `version` (earlier ones are skipped)."""
    async def wait() -> list[lsp.Diagnostic]:
        while True:
            params = await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            if params.uri == uri and params.version == version:
                return list(params.diagnostics)

    return await asyncio.wait_for(wait(), PATIENCE)


def line_of(text: str, needle: str) -> int:
    """The 0-based line holding `needle`."""
    return next(index for index, line in enumerate(text.split("\n")) if needle in line)


@pytest.mark.asyncio
async def test_a_mistake_is_shown_as_typed_and_cleared_when_mended(client: LanguageClient, repository: Path):
    path = repository / "journeys" / "returns.yaml"
    text = path.read_text(encoding="utf-8").replace("  owner: returns-ops", "  owner: returns-op")
    uri = await opened(client, path, text)
    found = await diagnostics(client, uri, 1)
    (unknown,) = [d for d in found if d.code == "CX104"]
    assert unknown.range.start == lsp.Position(line_of(text, "owner: returns-op"), 9)
    assert unknown.range.end.character == 9 + len("returns-op")
    assert "'returns-op' is not a known team" in unknown.message and "returns-ops" in unknown.message
    assert unknown.severity == lsp.DiagnosticSeverity.Error
    assert unknown.code_description.href.endswith("docs/rules.md#cx104-unknown-reference")

    line = line_of(text, "owner: returns-op")
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(version=2, uri=uri),
        [lsp.TextDocumentContentChangePartial(lsp.Range(lsp.Position(line, 19), lsp.Position(line, 19)), "s")]))
    assert await diagnostics(client, uri, 2) == []


@pytest.mark.asyncio
async def test_whole_set_checks_reach_the_open_file(client: LanguageClient, repository: Path):
    """Not only the file's own schema: a touchpoint with no owner is CX401, as `check` says."""
    path = repository / "touchpoints" / "web.yaml"
    text = path.read_text(encoding="utf-8")
    owner = next(line for line in text.split("\n") if line.startswith("  owner: "))
    uri = await opened(client, path, text.replace(owner + "\n", "", 1))
    found = await diagnostics(client, uri, 1)
    assert [d.code for d in found] == ["CX401"]


@pytest.mark.asyncio
async def test_completion_offers_the_ids_of_the_right_kind_with_their_titles(client: LanguageClient,
                                                                            repository: Path):
    path = repository / "journeys" / "returns.yaml"
    text = path.read_text(encoding="utf-8").replace("  owner: returns-ops", "  owner: ret")
    uri = await opened(client, path, text)
    await diagnostics(client, uri, 1)
    line = line_of(text, "owner: ret")
    result = await client.text_document_completion_async(lsp.CompletionParams(
        lsp.TextDocumentIdentifier(uri), lsp.Position(line, 12)))
    items = {item.label: item for item in result.items}
    assert "returns-ops" in items and "customer-care" in items
    assert "returns-portal" not in items  # a touchpoint: not what `owner` takes
    assert items["returns-ops"].detail == "Returns Operations"
    assert items["returns-ops"].text_edit.range == lsp.Range(lsp.Position(line, 9), lsp.Position(line, 12))

    stage_line = line_of(text, "touchpoints: [returns-portal")
    column = text.split("\n")[stage_line].index("returns-portal") + 3
    result = await client.text_document_completion_async(lsp.CompletionParams(
        lsp.TextDocumentIdentifier(uri), lsp.Position(stage_line, column)))
    labels = {item.label for item in result.items}
    assert "returns-portal" in labels and "returns-ops" not in labels


@pytest.mark.asyncio
async def test_completion_offers_field_names_and_enum_values(client: LanguageClient, repository: Path):
    path = repository / "channels" / "new.yaml"
    text = "apiVersion: cxpolicy/v1\nkind: Channel\nmetadata:\n  id: kiosk\nspec:\n  type: \n  \n"
    uri = await opened(client, path, text)
    values = await client.text_document_completion_async(lsp.CompletionParams(
        lsp.TextDocumentIdentifier(uri), lsp.Position(5, 8)))
    assert {item.label for item in values.items} == {"digital", "assisted", "physical"}
    fields = await client.text_document_completion_async(lsp.CompletionParams(
        lsp.TextDocumentIdentifier(uri), lsp.Position(6, 2)))
    by_label = {item.label: item for item in fields.items}
    assert "type" in by_label and by_label["type"].kind == lsp.CompletionItemKind.Field
    assert by_label["type"].text_edit.new_text == "type: "


@pytest.mark.asyncio
async def test_hover_definition_and_references(client: LanguageClient, repository: Path):
    path = repository / "journeys" / "returns.yaml"
    text = path.read_text(encoding="utf-8")
    uri = await opened(client, path, text)
    await diagnostics(client, uri, 1)
    line = line_of(text, "touchpoints: [returns-portal")
    column = text.split("\n")[line].index("returns-portal") + 2
    where = lsp.TextDocumentIdentifier(uri)

    hover = await client.text_document_hover_async(lsp.HoverParams(where, lsp.Position(line, column)))
    assert "Online returns portal" in hover.contents.value and "Accountable: Returns Operations" in hover.contents.value
    assert "touchpoints/web.yaml" in hover.contents.value

    found = await client.text_document_definition_async(lsp.DefinitionParams(where, lsp.Position(line, column)))
    web = (repository / "touchpoints" / "web.yaml").read_text(encoding="utf-8")
    assert found.uri == (repository / "touchpoints" / "web.yaml").as_uri()
    assert found.range.start.line == line_of(web, "id: returns-portal")

    owner_line = line_of(text, "owner: returns-ops")
    used = await client.text_document_references_async(lsp.ReferenceParams(
        context=lsp.ReferenceContext(include_declaration=True), text_document=where,
        position=lsp.Position(owner_line, 12)))
    files = {Path(location.uri.removeprefix("file://")).relative_to(repository).as_posix() for location in used}
    assert {"journeys/returns.yaml", "teams/operations.yaml", "standards/returns.yaml"} <= files

    waiver = repository / "waivers" / "trade-review.yaml"
    code_line = line_of(waiver.read_text(encoding="utf-8"), "rule: CX214")
    explained = await client.text_document_hover_async(lsp.HoverParams(
        lsp.TextDocumentIdentifier(await opened(client, waiver)), lsp.Position(code_line, 10)))
    assert explained.contents.value.startswith("### CX214 ") and "Why it matters" in explained.contents.value


@pytest.mark.asyncio
async def test_rename_changes_every_file_that_names_the_id(client: LanguageClient, repository: Path):
    path = repository / "journeys" / "returns.yaml"
    text = path.read_text(encoding="utf-8")
    uri = await opened(client, path, text)
    await diagnostics(client, uri, 1)
    where = lsp.TextDocumentIdentifier(uri)
    position = lsp.Position(line_of(text, "owner: returns-ops"), 12)
    prepared = await client.text_document_prepare_rename_async(lsp.PrepareRenameParams(where, position))
    assert prepared is not None
    edit = await client.text_document_rename_async(lsp.RenameParams(where, position, "returns-team"))
    assert len(edit.changes) >= 5
    for changed_uri, edits in edit.changes.items():
        lines = Path(changed_uri.removeprefix("file://")).read_text(encoding="utf-8").split("\n")
        for change in edits:
            written = lines[change.range.start.line][change.range.start.character:change.range.end.character]
            assert (written, change.new_text) == ("returns-ops", "returns-team")

    with pytest.raises(Exception, match="already exists"):
        await client.text_document_rename_async(lsp.RenameParams(where, position, "customer-care"))


@pytest.mark.asyncio
async def test_quick_fix_mends_a_misspelt_id(client: LanguageClient, repository: Path):
    path = repository / "journeys" / "returns.yaml"
    text = path.read_text(encoding="utf-8").replace("  owner: returns-ops", "  owner: returns-op")
    uri = await opened(client, path, text)
    found = await diagnostics(client, uri, 1)
    line = line_of(text, "owner: returns-op")
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        lsp.TextDocumentIdentifier(uri), lsp.Range(lsp.Position(line, 0), lsp.Position(line, 20)),
        lsp.CodeActionContext(diagnostics=found)))
    (action,) = actions
    assert action.kind == lsp.CodeActionKind.QuickFix
    (change,) = action.edit.changes[uri]
    assert change.new_text == "returns-ops"
    assert change.range == lsp.Range(lsp.Position(line, 9), lsp.Position(line, 19))
