"""`cxpolicy lsp`: the engine itself in the editor, over the Language Server Protocol on stdio (pygls).

Each policy repository an open file belongs to (the nearest folder with cxpolicy.yaml, as `check`
finds it) is a workspace.Workspace holding the open buffers. An edit marks its repository to be
checked again after a short pause (DEBOUNCE_SECONDS: keystrokes in a burst make one check); the check
runs off the event loop, so completion and hover answer while it runs, and its findings are
published for every open file of the repository, unless the buffers changed meanwhile (then the next
check's are). What each request means is worked out in editing.py; this module only speaks the
protocol: positions in the client's units, URIs, and the protocol's types.
"""

from __future__ import annotations

import asyncio
import gc
import os
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidRequest
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import ServerTextPosition

from cxpolicy import __version__, discover, editing, fixes
from cxpolicy.findings import Finding, Severity
from cxpolicy.workspace import Workspace, relative

#: How long after the last keystroke a check starts.
DEBOUNCE_SECONDS = 0.05
#: How long the editor must be quiet before the cyclic garbage collector runs.
IDLE_SECONDS = 2.0
RULES_DOCS = "https://github.com/cxpolicy/cxpolicy/blob/main/docs/rules.md"

SEVERITIES = {Severity.ERROR: lsp.DiagnosticSeverity.Error, Severity.WARNING: lsp.DiagnosticSeverity.Warning,
              Severity.INFO: lsp.DiagnosticSeverity.Information}


class PolicyServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("cxpolicy", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.spaces: dict[str, Workspace] = {}
        self.dirty: set[str] = set()
        self.published: dict[str, set[str]] = {}  # root -> the URIs that were given diagnostics
        self.checking: asyncio.Task[None] | None = None

    # ----------------------------------------------------------------- files and repositories

    def locate(self, uri: str) -> tuple[Workspace, str] | None:
        """The repository a file belongs to, and its path there; None for a file outside any."""
        path = to_fs_path(uri)
        if path is None:
            return None
        folder = os.path.dirname(os.path.abspath(path))
        home = self.workspace.root_path
        root = discover.project_root(folder)
        if root is None:
            root = home if home and relative(home, path) is not None else folder
        relpath = relative(root, path)
        if relpath is None:
            return None
        space = self.spaces.get(root)
        if space is None:
            space = self.spaces[root] = Workspace(root)
        return space, relpath

    def uri(self, space: Workspace, relpath: str) -> str:
        return from_fs_path(os.path.join(space.root, relpath)) or ""

    def buffer_changed(self, uri: str) -> None:
        found = self.locate(uri)
        if found is None:
            return
        space, relpath = found
        space.open(relpath, self.workspace.get_text_document(uri).source)
        self.check_soon(space.root)

    def check_soon(self, root: str) -> None:
        self.dirty.add(root)
        if self.checking is None or self.checking.done():
            self.checking = asyncio.ensure_future(self._check_while_dirty())

    async def _check_while_dirty(self) -> None:
        while self.dirty:
            await asyncio.sleep(DEBOUNCE_SECONDS)
            root = sorted(self.dirty)[0]
            self.dirty.discard(root)
            space = self.spaces[root]
            try:
                await asyncio.to_thread(space.check)
            except Exception as error:  # noqa: BLE001 - the editor hears of it; the server goes on
                self.window_log_message(lsp.LogMessageParams(
                    lsp.MessageType.Error, f"cxpolicy could not check {root}: {type(error).__name__}: {error}"))
                continue
            if root not in self.dirty:  # else these findings are already out of date: the next check's count
                self.publish(space)
            space.retire()
        self.collect_when_idle()

    def collect_when_idle(self) -> None:
        """The cyclic collector runs when the analyst has paused, never during a check (see serve)."""
        loop = asyncio.get_running_loop()

        def collect() -> None:
            if not self.dirty and (self.checking is None or self.checking.done()):
                gc.collect()

        loop.call_later(IDLE_SECONDS, collect)

    def publish(self, space: Workspace) -> None:
        shown = {self.uri(space, relpath): relpath for relpath in space.texts}
        for uri in sorted(self.published.get(space.root, set()) - set(shown)):
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, []))
        for uri, relpath in sorted(shown.items()):
            document = self.workspace.get_text_document(uri)
            lines = document.lines  # split once per file, not once per finding
            diagnostics = [self.diagnostic(document, finding, lines) for finding in space.findings(relpath)]
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, diagnostics, document.version))
        self.published[space.root] = set(shown)

    # ----------------------------------------------------------------- positions

    def range(self, document: Any, line: int, column: int, end_line: int, end_column: int,
              lines: Any = None) -> lsp.Range:
        lines = document.lines if lines is None else lines
        return lsp.Range(self._position(document, lines, line, column),
                         self._position(document, lines, end_line, end_column))

    @staticmethod
    def _position(document: Any, lines: Any, line: int, column: int) -> lsp.Position:
        return document.position_codec.position_to_client_units(lines, ServerTextPosition(line - 1, column - 1))

    def span_range(self, span: editing.Span, space: Workspace) -> tuple[str, lsp.Range]:
        uri = self.uri(space, span.file)
        document = self.workspace.get_text_document(uri)
        return uri, self.range(document, span.line, span.column, span.end_line, span.end_column)

    def diagnostic(self, document: Any, finding: Finding, lines: Any = None) -> lsp.Diagnostic:
        lines = document.lines if lines is None else lines
        end = finding.end if finding.end is not None and finding.end > (finding.line, finding.column) else None
        if end is None:  # to the end of the line's text, so that the mark can be seen
            text = lines[finding.line - 1] if finding.line <= len(lines) else ""
            end = (finding.line, max(len(text.rstrip()) + 1, finding.column + 1))
        from cxpolicy.catalogue import CATALOGUE

        check = CATALOGUE.get(finding.code)
        return lsp.Diagnostic(
            range=self.range(document, finding.line, finding.column, *end, lines=lines),
            message=finding.message + (f"\n{finding.hint}" if finding.hint else ""),
            severity=SEVERITIES[finding.severity], code=finding.code, source="cxpolicy",
            code_description=lsp.CodeDescription(f"{RULES_DOCS}#{check.code.lower()}-{check.slug}") if check else None)

    def where(self, params: Any) -> tuple[Workspace, str, int, int] | None:
        """The repository, file, and 1-based line and column (in characters) of a request's position."""
        found = self.locate(params.text_document.uri)
        if found is None:
            return None
        document = self.workspace.get_text_document(params.text_document.uri)
        position = document.position_codec.position_from_client_units(document.lines, params.position)
        return found[0], found[1], position.line + 1, position.character + 1


server = PolicyServer()


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: PolicyServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.buffer_changed(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: PolicyServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.buffer_changed(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: PolicyServer, params: lsp.DidSaveTextDocumentParams) -> None:
    ls.buffer_changed(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: PolicyServer, params: lsp.DidCloseTextDocumentParams) -> None:
    found = ls.locate(params.text_document.uri)
    if found is not None:
        found[0].close(found[1])
        ls.check_soon(found[0].root)


@server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def files_changed(ls: PolicyServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    for change in params.changes:
        found = ls.locate(change.uri)
        if found is not None:
            ls.check_soon(found[0].root)


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[":", "[", " "]))
def completion(ls: PolicyServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
    at = ls.where(params)
    if at is None:
        return None
    space, relpath, line, column = at
    place, suggestions = editing.completions(space, relpath, line, column)
    document = ls.workspace.get_text_document(params.text_document.uri)
    typed = ls.range(document, line, place.start, line, column)
    items = [lsp.CompletionItem(
        label=suggestion.label, detail=suggestion.detail or None,
        documentation=lsp.MarkupContent(lsp.MarkupKind.Markdown, suggestion.documentation)
        if suggestion.documentation else None,
        kind=lsp.CompletionItemKind.Field if suggestion.is_field else lsp.CompletionItemKind.Value,
        filter_text=suggestion.label, sort_text=f"{index:05d}",
        text_edit=lsp.TextEdit(typed, f"{suggestion.label}: " if suggestion.is_field else suggestion.label))
        for index, suggestion in enumerate(suggestions)]
    return lsp.CompletionList(is_incomplete=False, items=items)


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: PolicyServer, params: lsp.HoverParams) -> lsp.Hover | None:
    at = ls.where(params)
    found = editing.hover(*at) if at is not None else None
    if found is None:
        return None
    text, span = found
    return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, text), ls.span_range(span, at[0])[1])


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
def definition(ls: PolicyServer, params: lsp.DefinitionParams) -> lsp.Location | None:
    at = ls.where(params)
    span = editing.definition(*at) if at is not None else None
    return lsp.Location(*ls.span_range(span, at[0])) if span is not None and at is not None else None


@server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
def references(ls: PolicyServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
    at = ls.where(params)
    if at is None:
        return []
    spans = editing.references(*at, declaration=params.context.include_declaration)
    return [lsp.Location(*ls.span_range(span, at[0])) for span in spans]


@server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(ls: PolicyServer, params: lsp.PrepareRenameParams) -> lsp.Range | None:
    at = ls.where(params)
    found = editing.entity_at(*at) if at is not None else None
    if found is None or at is None:
        return None
    return ls.span_range(found[1], at[0])[1]


@server.feature(lsp.TEXT_DOCUMENT_RENAME)
def rename(ls: PolicyServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit:
    at = ls.where(params)
    if at is None:
        raise JsonRpcInvalidRequest("This file is not part of a policy repository.")
    try:
        edits = editing.rename(*at, params.new_name)
    except editing.RenameError as error:
        raise JsonRpcInvalidRequest(str(error)) from None
    changes: dict[str, list[lsp.TextEdit]] = {}
    for file, replacements in sorted(edits.items()):
        for span, text in replacements:
            uri, where = ls.span_range(span, at[0])
            changes.setdefault(uri, []).append(lsp.TextEdit(where, text))
    return lsp.WorkspaceEdit(changes=changes)


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
def code_action(ls: PolicyServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    found = ls.locate(params.text_document.uri)
    if found is None:
        return []
    space, relpath = found
    document = ls.workspace.get_text_document(params.text_document.uri)
    wanted = ls_range_lines(params.range)
    actions = []
    for fix in fixes.for_findings(space.findings(relpath), space.text(relpath) or ""):
        if not wanted[0] <= fix.finding.line <= wanted[1]:
            continue
        edits = [lsp.TextEdit(ls.range(document, edit.line, edit.column, edit.line, edit.end_column), edit.text)
                 for edit in fix.edits]
        actions.append(lsp.CodeAction(
            title=fix.title, kind=lsp.CodeActionKind.QuickFix, is_preferred=True,
            diagnostics=[ls.diagnostic(document, fix.finding)],
            edit=lsp.WorkspaceEdit(changes={params.text_document.uri: edits})))
    return actions


def ls_range_lines(where: lsp.Range) -> tuple[int, int]:
    """The 1-based lines a request's range covers."""
    return where.start.line + 1, where.end.line + 1


def serve() -> None:
    """Serve on standard input and output until the editor says goodbye.

    The cyclic garbage collector stays off, as in every command (a check builds many long-lived
    objects and almost no cycles, and a collection in the middle of one would rescan them all);
    the server collects explicitly while the editor is idle instead (collect_when_idle)."""
    gc.disable()
    server.start_io()
