"""What an editor asks about a place in a policy file: what to complete, what a name means, where it is
defined, where it is used, and how to rename it. Plain data, in the files' own terms (1-based lines,
columns counted in characters); the language server (lsp.py) only translates it to the protocol.

The place is understood from the text itself, line by line (the keys above the cursor by their
indentation), so it works while the analyst is typing and the YAML is broken; what a name means comes
from the workspace's latest check (its policy set and graph).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cxpolicy import model
from cxpolicy.workspace import Workspace

#: What a field's values name: a kind key, "kind:id" (an entity named with its kind), or "metric".
ENTITY_NAME = "kind:id"
METRIC = "metric"
CHECK = "check"


@dataclass(frozen=True)
class Place:
    """Where the cursor is: the document's kind, the field's path from the document's root (list
    items as 0), whether the cursor is on a key, the text typed so far there, and its start column."""

    kind: str | None
    path: tuple[str | int, ...]
    on_key: bool
    typed: str
    start: int  # 1-based column where `typed` begins


@dataclass(frozen=True)
class Span:
    file: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Suggestion:
    label: str
    detail: str
    documentation: str = ""
    is_field: bool = False  # a field name (inserted with its colon) rather than a value


_KEY = re.compile(r"^(?P<indent>\s*)(?P<dash>-\s+)?(?P<key>[A-Za-z_][\w-]*|\"[^\"]*\"|'[^']*')\s*:(?:\s+|$)(?P<rest>.*)$")
_ITEM = re.compile(r"^(?P<indent>\s*)-\s*(?P<rest>.*)$")
_INLINE_LIST = re.compile(r"^\[(?P<items>[^\]]*)$")


def place_at(text: str, line: int, column: int) -> Place:
    """The place in `text` at a 1-based line and column."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return Place(None, (), True, "", column)
    start, end = _document_bounds(lines, line - 1)
    kind = _kind(lines[start:end])
    current = lines[line - 1][: column - 1]
    path: list[str | int] = []
    on_key = True
    typed = current.strip()
    indent = len(current) - len(current.lstrip())
    found = _KEY.match(current)
    item = _ITEM.match(current)
    if found:
        indent = len(found["indent"])
        inline = _INLINE_LIST.match(found["rest"].strip())
        path = ([0] if found["dash"] else []) + [found["key"].strip("\"'")] + ([0] if inline else [])
        typed = inline["items"].split(",")[-1].strip() if inline else found["rest"].strip()
        on_key = False
    elif item is not None:
        indent = len(item["indent"])
        path = [0]
        typed = item["rest"].strip()
        on_key = _list_of_mappings(lines, line - 1, indent)
    typed = typed.strip("\"'")
    parents = _parents(lines[start:line - 1], indent, in_list=bool(path) and path[0] == 0)
    return Place(kind, tuple(parents + path), on_key, typed, column - len(typed))


def _list_of_mappings(lines: list[str], index: int, indent: int) -> bool:
    """Whether the list item on line `index` sits among items that are mappings (`- key: value`)."""
    for neighbour in (*lines[index + 1:index + 4], *reversed(lines[max(0, index - 3):index])):
        item = _KEY.match(neighbour)
        if item and item["dash"] and len(item["indent"]) == indent:
            return True
    return False


def _document_bounds(lines: list[str], index: int) -> tuple[int, int]:
    start = index
    while start > 0 and not lines[start].startswith("---"):
        start -= 1
    end = index + 1
    while end < len(lines) and not lines[end].startswith("---"):
        end += 1
    return (start + 1 if lines[start].startswith("---") else start), end


def _kind(lines: list[str]) -> str | None:
    for text in lines:
        found = re.match(r"^kind:\s*['\"]?([A-Za-z]+)", text)
        if found:
            return found[1] if found[1] in model.KINDS else None
    return None


def _parents(above: list[str], indent: int, *, in_list: bool = False) -> list[str | int]:
    """The keys of the mappings that hold a line at `indent`, read upward from it (for a list item,
    the key that holds the list may be written at the item's own indentation)."""
    path: list[str | int] = []
    for text in reversed(above):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        found = _KEY.match(text)
        item = _ITEM.match(text)
        own = len(text) - len(text.lstrip())
        if found is not None:
            key_column = len(found["indent"]) + (len(found["dash"]) if found["dash"] else 0)
            if key_column < indent or (in_list and not path and not found["dash"] and key_column == indent):
                path.insert(0, found["key"].strip("\"'"))
                if found["dash"]:
                    path.insert(0, 0)
                indent = len(found["indent"])
            elif found["dash"] and len(found["indent"]) < indent:
                path.insert(0, 0)
                indent = len(found["indent"])
        elif item is not None and own < indent:
            path.insert(0, 0)
            indent = own
        if indent == 0:
            break
    return path


def names_at(kind: str | None, path: tuple[str | int, ...]) -> str | None:
    """What the values of the field at `path` name (a kind key, ENTITY_NAME, METRIC, CHECK), or None."""
    if kind is None:
        return None
    fields = tuple(part for part in path if isinstance(part, str))
    if fields == ("metadata", "id"):
        return model.kind_key(kind)
    if fields[-1:] == ("metric",):
        return METRIC
    if kind in ("Waiver", "RuleTest") and fields == ("spec", "rule"):
        return CHECK
    from cxpolicy.rules.vocabulary import document_field

    info, _ = document_field(model.KINDS[kind], ".".join(fields)) if fields else (None, None)
    ref = model.field_ref(info) if info is not None else None
    if ref is None:
        return None
    return ref.kind or ENTITY_NAME


# --------------------------------------------------------------------------- completion


def completions(workspace: Workspace, relpath: str, line: int, column: int) -> tuple[Place, list[Suggestion]]:
    text = workspace.text(relpath) or ""
    place = place_at(text, line, column)
    if place.kind is None:
        if place.path in ((), ("kind",)) or place.path == ("kind",):
            return place, [Suggestion(kind, "a kind of policy document", is_field=False) for kind in sorted(model.KINDS)]
        return place, []
    if place.on_key:
        return place, _fields(place)
    return place, _values(workspace, place)


def _fields(place: Place) -> list[Suggestion]:
    from cxpolicy import schema

    node = schema.subschema(place.kind, place.path) if place.path else schema.committed(place.kind)
    return [Suggestion(name, prop.get("title", name), prop.get("description", ""), is_field=True)
            for name, prop in sorted(node.get("properties", {}).items())]


def _values(workspace: Workspace, place: Place) -> list[Suggestion]:
    from cxpolicy import schema

    named = names_at(place.kind, place.path)
    policy = workspace.last.policy if workspace.last is not None else None
    if named is not None and place.path[-2:] != ("metadata", "id"):
        return _names(workspace, policy, named)
    node = schema.subschema(place.kind, place.path)
    values = node.get("enum") or ([node["const"]] if "const" in node else [])
    if not values and place.path == ("kind",):
        values = sorted(model.KINDS)
    if not values and node.get("type") == "boolean":
        values = [True, False]
    return [Suggestion(_yaml(value), node.get("title", ""), node.get("description", "")) for value in values]


def _yaml(value: Any) -> str:
    return "true" if value is True else "false" if value is False else str(value)


def _names(workspace: Workspace, policy: Any, named: str) -> list[Suggestion]:
    if named == METRIC:
        from cxpolicy.metrics import catalogue

        extensions = policy.project.metrics if policy is not None else {}
        return [Suggestion(slug, " ".join(filter(None, (metric.unit, metric.direction, metric.indicator))))
                for slug, metric in sorted(catalogue(extensions).items())]
    if named == CHECK:
        from cxpolicy.catalogue import checks

        own = [(rule.id, rule.model.metadata.title or rule.spec.message) for rule in policy.of("rule")] if policy else []
        return [Suggestion(check.code, check.slug, check.summary) for check in checks()] + [
            Suggestion(code, "the CX office's rule", summary) for code, summary in own]
    if policy is None:
        return []
    kinds = sorted(policy.entities) if named == ENTITY_NAME else [named]
    return [Suggestion(entity.name if named == ENTITY_NAME else entity.id, entity.title, _where(entity))
            for kind in kinds for entity in policy.of(kind)]


def _where(entity: Any) -> str:
    file, line, _ = entity.where()
    return f"{model.kind_key(entity.kind)} {entity.id}, defined in {file}:{line}"


# --------------------------------------------------------------------------- what a name means


def word_at(text: str, line: int, column: int) -> tuple[str, int, int] | None:
    """The id-like word at a 1-based position (with `kind:` and `/stage` parts), and its columns."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    here = lines[line - 1]
    for found in re.finditer(r"[A-Za-z0-9][A-Za-z0-9_:/-]*", here):
        if found.start() + 1 <= column <= found.end() + 1:
            return found.group(), found.start() + 1, found.end() + 1
    return None


def entity_at(workspace: Workspace, relpath: str, line: int, column: int) -> tuple[Any, Span] | None:
    """The entity the name under the cursor stands for (its definition or a reference), and the span
    of the name, from the latest check's policy set."""
    policy = workspace.last.policy if workspace.last is not None else None
    text = workspace.text(relpath)
    if policy is None or text is None:
        return None
    word = word_at(text, line, column)
    if word is None:
        return None
    written, start, end = word
    place = place_at(text, line, start)
    named = names_at(place.kind, place.path) if not place.on_key else None
    name = _entity_name(named, written)
    entity = policy.get(name) if name is not None else None
    return (entity, Span(relpath, line, start, line, end)) if entity is not None else None


def _entity_name(named: str | None, written: str) -> str | None:
    if named in (None, METRIC, CHECK):
        return None
    if named == ENTITY_NAME:
        return written.split("/")[0] if ":" in written else None
    return f"{named}:{written}"


def hover(workspace: Workspace, relpath: str, line: int, column: int) -> tuple[str, Span] | None:
    """Markdown for the name under the cursor: an entity's kind, title, owner and where it is defined;
    a check's code, its explanation."""
    found = entity_at(workspace, relpath, line, column)
    if found is not None:
        entity, span = found
        return _describe(workspace, entity), span
    text = workspace.text(relpath) or ""
    word = word_at(text, line, column)
    if word is None:
        return None
    explained = _check_text(workspace, word[0])
    return (explained, Span(relpath, line, word[1], line, word[2])) if explained else None


def _describe(workspace: Workspace, entity: Any) -> str:
    run = workspace.last
    file, line, _ = entity.where()
    parts = [f"**{entity.title}** ({model.kind_key(entity.kind)} `{entity.id}`)"]
    if entity.model.metadata.description:
        parts.append(entity.model.metadata.description.strip())
    if run is not None and run.graph is not None:
        is_team = model.kind_key(entity.kind) == "team"
        team = entity.id if is_team else run.graph.accountable_team(entity)
        executive = run.graph.executive_of(team) if team else None
        boss = run.policy.title_of(f"team:{executive}") if executive else None
        line_up = f", reporting to {boss}" if executive and executive != team else ""
        if is_team and line_up:
            parts.append(f"Executive: {boss}")
        elif team and not is_team:
            parts.append(f"Accountable: {run.policy.title_of(f'team:{team}')}{line_up}")
    parts.append(f"Defined in {file}:{line}")
    return "\n\n".join(parts)


def _check_text(workspace: Workspace, word: str) -> str | None:
    from cxpolicy.catalogue import CATALOGUE, checks
    from cxpolicy.render.rule_docs import page

    checks()
    if word.upper() in CATALOGUE:
        return page(CATALOGUE[word.upper()], heading="###")
    policy = workspace.last.policy if workspace.last is not None else None
    rule = policy.get(f"rule:{word}") if policy is not None else None
    if rule is None:
        return None
    return "\n\n".join(filter(None, (f"### {rule.id}", f"The CX office's rule (severity {rule.spec.severity}).",
                                     rule.model.metadata.title or rule.spec.message,
                                     rule.model.metadata.description, rule.spec.hint)))


# --------------------------------------------------------------------------- definition, references, rename


def definition(workspace: Workspace, relpath: str, line: int, column: int) -> Span | None:
    found = entity_at(workspace, relpath, line, column)
    return _id_span(found[0]) if found is not None else None


def _id_span(entity: Any) -> Span:
    file, line, column = entity.where()
    end = entity.end() or (line, column + len(entity.id))
    return Span(file, line, column, *end)


def references(workspace: Workspace, relpath: str, line: int, column: int, *,
               declaration: bool = True) -> list[Span]:
    """Where the entity under the cursor is named: in every reference to it, and its own id."""
    found = entity_at(workspace, relpath, line, column)
    if found is None or workspace.last is None:
        return []
    entity = found[0]
    spans = [span for span, _ in _uses(workspace.last.policy, entity)]
    return ([_id_span(entity)] if declaration else []) + spans


def _uses(policy: Any, entity: Any) -> list[tuple[Span, int]]:
    """Every reference to `entity`: the span of the written value, and where the id starts within it."""
    uses = []
    holders = [other for kind in sorted(policy.entities) for other in policy.of(kind)]
    if policy.project_entity is not None:
        holders.append(policy.project_entity)
    for holder in holders:
        for path, ref, target in model.iter_references(holder.model):
            if ref.kind == model.kind_key(entity.kind) and target == entity.id:
                offset = 0
            elif ref.kind is None and target.split("/")[0] == entity.name:
                offset = len(model.kind_key(entity.kind)) + 1
            else:
                continue
            file, line, column = holder.where(path)
            end = holder.end(path) or (line, column + len(target))
            uses.append((Span(file, line, column, *end), offset))
    return sorted(uses, key=lambda use: (use[0].file, use[0].line, use[0].column))


class RenameError(Exception):
    """The name cannot be renamed, or not to that: said in plain words."""


def rename(workspace: Workspace, relpath: str, line: int, column: int, new: str) -> dict[str, list[tuple[Span, str]]]:
    """The edits (span of the old id, new text) in each file that rename the entity under the cursor."""
    found = entity_at(workspace, relpath, line, column)
    if found is None or workspace.last is None:
        raise RenameError("Only the id of a team, touchpoint or other policy entity can be renamed here.")
    entity = found[0]
    policy = workspace.last.policy
    if not re.match(model.ID_PATTERN, new) or len(new) > model.ID_MAX_LENGTH:
        raise RenameError(f"'{new}' is not an id: ids are written in lower case letters, digits and dashes.")
    if policy.get(f"{model.kind_key(entity.kind)}:{new}") is not None:
        raise RenameError(f"{model.kind_key(entity.kind)} '{new}' already exists; choose another id.")
    edits: dict[str, list[tuple[Span, str]]] = {}
    for span, offset in [(_id_span(entity), 0), *_uses(policy, entity)]:
        text = workspace.text(span.file) or ""
        written = _text_in(text, span)
        at = written.find(entity.id, offset) if offset else _id_in(written, entity.id)
        if at < 0:
            continue
        start = span.column + at
        edits.setdefault(span.file, []).append((Span(span.file, span.line, start, span.line, start + len(entity.id)), new))
    return edits


def _id_in(written: str, ident: str) -> int:
    """Where `ident` is written in a value's text (it may be quoted)."""
    for found in re.finditer(re.escape(ident), written):
        before = written[found.start() - 1] if found.start() else ""
        after = written[found.end()] if found.end() < len(written) else ""
        if not re.match(r"[a-z0-9-]", before) and not re.match(r"[a-z0-9-]", after):
            return found.start()
    return -1


def _text_in(text: str, span: Span) -> str:
    lines = text.split("\n")
    if span.line != span.end_line:
        return lines[span.line - 1][span.column - 1:] if span.line <= len(lines) else ""
    return lines[span.line - 1][span.column - 1:span.end_column - 1] if span.line <= len(lines) else ""
