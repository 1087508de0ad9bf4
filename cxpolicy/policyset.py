"""The policy set: every entity of a repository, typed, unique and with its references resolved.

`load(root)` is the pipeline up to the typed model: discover files, read them
strictly, check each document's envelope and schema, index the entities by kind
and id, and resolve every reference. Everything wrong on the way is a finding;
what is right is kept, so one bad file never hides the others.
"""

from __future__ import annotations

import dataclasses
import os
import re
import weakref
from dataclasses import dataclass, field
from collections.abc import Iterable
from typing import Any

from cxpolicy import discover, model, reading, schema, source
from cxpolicy.findings import Finding
from cxpolicy.rules import files as checks
from cxpolicy.suggest import Suggestions, closest, did_you_mean

PolicyPathError = discover.PolicyPathError


class Entity:
    """One policy document, typed, with where it is written."""

    __slots__ = ("kind", "model", "document", "id", "name", "spec", "_references", "broken_metrics")

    def __init__(self, kind: str, model_object: Any, document: source.Document) -> None:
        self.kind = kind  # as written in `kind:`, e.g. "ServiceStandard"
        self.model = model_object  # the pydantic model of its kind
        self.document = document
        self.id: str = model_object.metadata.id
        self.name = f"{model.kind_key(kind)}:{self.id}"  # how waivers, rules and the graph name it
        self.spec: Any = model_object.spec
        self._references: list[tuple[Any, Any, str]] | None = None
        self.broken_metrics: frozenset[str] = frozenset()  # a Project's metrics that cannot be read

    def __repr__(self) -> str:
        return f"Entity({self.name})"

    @property
    def title(self) -> str:
        return self.model.metadata.title or self.id

    @property
    def file(self) -> str:
        return self.document.file

    def references(self) -> list[tuple[Any, Any, str]]:
        """(data path, Ref, referenced id) for every reference it makes, computed once."""
        if self._references is None:
            self._references = list(model.iter_references(self.model))
        return self._references

    def where(self, path: source.Path = ("metadata", "id"), *, key: bool = False) -> tuple[str, int, int]:
        line, column = self.document.where(path, key=key)
        return self.document.file, line, column

    def end(self, path: source.Path = ("metadata", "id")) -> tuple[int, int] | None:
        return self.document.end(path)


@dataclass(frozen=True)
class Unreadable:
    """A document whose kind and id are known but whose content cannot be used (its mistake is reported
    where it is): references to it resolve, and checks that would need its content hold back."""

    kind: str  # the kind key ("touchpoint"); "" when even the kind cannot be read
    id: str
    file: str
    line: int
    data: Any = field(default=None, compare=False, repr=False)  # what was read of it, if anything

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.id}"


Unreadables = dict[str, dict[str, Unreadable]]  # kind key ("" for unknown) -> id -> document


@dataclass
class PolicySet:
    root: str
    project_entity: Entity | None  # the Project of cxpolicy.yaml, if there is one
    entities: dict[str, dict[str, Entity]]  # kind key ("touchpoint") -> id -> entity
    files: list[str]
    unreadable: Unreadables = field(default_factory=dict)
    # (entity name, kind key) of each reference that resolves to nothing, found by resolve_references
    unresolved: list[tuple[str, str]] = field(default_factory=list, repr=False, compare=False)
    # entity name -> its references' findings and unresolved entries, for the entities with any
    broken_references: dict[str, tuple[list[Finding], list[tuple[str, str]]]] = field(
        default_factory=dict, repr=False, compare=False)
    _ordered: dict[str, list[Entity]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _stage_ids: dict[str, set[str]] | None = field(default=None, init=False, repr=False, compare=False)
    _changed: tuple[Any, dict] | None = field(default=None, init=False, repr=False, compare=False)  # (since, changes)
    # file -> the readings its entities were typed from (load); empty for a set made otherwise
    readings: dict[str, list[Any]] = field(default_factory=dict, init=False, repr=False, compare=False)
    # file -> its readings' findings, for a set whose files were each typed on their own and hold nothing
    # unreadable: the next reading of the folder types only the files that changed (load); else None
    assembly: dict[str, list[Finding]] | None = field(default=None, init=False, repr=False, compare=False)

    def stage_ids(self) -> dict[str, set[str]]:
        """Each journey's stage ids (worked out once: a loaded set does not change)."""
        if self._stage_ids is None:
            self._stage_ids = {journey.id: {stage.id for stage in journey.spec.stages} for journey in self.of("journey")}
        return self._stage_ids

    @property
    def project(self) -> Any:
        """The project settings (model.ProjectSpec), defaults when there is no cxpolicy.yaml."""
        return self.project_entity.spec if self.project_entity is not None else model.ProjectSpec()

    @property
    def title(self) -> str:
        """The policy set's name: the Project's title, else its folder's name."""
        if self.project_entity is not None and self.project_entity.model.metadata.title:
            return self.project_entity.model.metadata.title
        return os.path.basename(os.path.abspath(self.root))

    def of(self, kind: str) -> list[Entity]:
        """The entities of one kind (`touchpoint`), in id order (sorted once: a loaded set does not change)."""
        ordered = self._ordered.get(kind)
        if ordered is None:
            found = self.entities.get(kind, {})
            ordered = self._ordered[kind] = [found[key] for key in sorted(found)]
        return list(ordered)

    def get(self, name: str) -> Entity | None:
        """The entity named `kind:id`, or None."""
        kind, _, ident = name.partition(":")
        return self.entities.get(kind, {}).get(ident)

    def title_of(self, name: str | None) -> str | None:
        """How a person reads the entity named `kind:id`: its title, else the name as written."""
        entity = self.get(name) if name else None
        return entity.title if entity is not None else name

    def kinds_with(self, ident: str) -> list[str]:
        """The kind keys that define an entity `ident`, in order."""
        return [kind for kind in sorted(self.entities) if ident in self.entities[kind]]

    def unreadable_as(self, kind: str, ident: str) -> Unreadable | None:
        """The unreadable document that may be the `kind` entity `ident` (one of unknown kind may be)."""
        return self.unreadable.get(kind, {}).get(ident) or self.unreadable.get("", {}).get(ident)

    def __len__(self) -> int:
        return sum(len(found) for found in self.entities.values())


@dataclass
class Loaded:
    policy: PolicySet
    findings: list[Finding]


def load(root: str | discover.PolicyFolder | reading.Reading, progress: Any = None,
         previous: PolicySet | None = None) -> Loaded:
    """The policy set in a folder (a path on disk, any PolicyFolder such as a git revision, or a
    reading already started by reading.start). `previous`, the set of an earlier reading of the same
    folder, lets the set be that one with the entities of the files that changed typed again
    (_assembled_from), and references be resolved again only for the entities that changed."""
    started = root if isinstance(root, reading.Reading) else reading.start(discover.folder(root), progress)
    findings: list[Finding] = []
    project_entity = _typed_project(started.project, findings)
    project = project_entity.spec if project_entity is not None else model.ProjectSpec()
    limits = source.Limits(project.limits.max_file_bytes, project.limits.max_depth,
                           project.limits.max_alias_nodes).at_most(source.Limits())
    if (tuple(project.exclude), limits) != (started.exclude, started.limits):
        started.reads.close()  # the settings guessed ahead of typing were not the project's: start again
        started = reading.start(started.folder, progress, tuple(project.exclude), limits)
    findings.extend(_refused(started.found))
    readings: dict[str, list[source.SourceFile]] = {}
    assembled = None
    try:
        if previous is not None and previous.assembly is not None and project_entity is previous.project_entity:
            for read in started.reads:  # all read before any is typed: most are the last set's readings
                readings.setdefault(read.file, []).append(read)
            assembled = _assembled_from(previous, readings)
        if assembled is None:
            reads = [read for file in readings.values() for read in file] if readings else started.reads
            readings = {}
            assembled = _assembled(reads, readings)
    except BaseException:
        started.reads.close()
        raise
    entities, unreadable, typed, assembly, changed_files = assembled
    findings.extend(typed)
    policy = PolicySet(started.folder.root, project_entity, entities, started.found.files,
                       {kind: left for kind, found in unreadable.items()
                        if (left := {i: u for i, u in found.items() if i not in entities.get(kind, {})})})
    policy.readings = readings
    policy.assembly = assembly
    if changed_files is not None:  # what changed() would find, from the files known to have changed
        policy._changed = (weakref.ref(previous), _changed_in(previous, policy, changed_files))
    findings.extend(resolve_references(policy, previous))
    return Loaded(policy, _whole_set_hints(findings, policy))


_NOT_AN_ID = re.compile(r" must be (an id|an entity named as kind:id)\b.*, not '(.*)'\Z", re.S)


def _whole_set_hints(findings: list[Finding], policy: PolicySet) -> list[Finding]:
    """Hints only the whole policy set can give, for a schema finding (the schema knows no other
    document): an entity's title written in place of its id (`owner: Fraud Operations`) gets the id;
    an id written without its kind (`targets: [make-a-complaint]`) gets `kind:id`."""
    wrong = [(index, said.group(1), said.group(2)) for index, finding in enumerate(findings)
             if finding.code == checks.SCHEMA.code and (said := _NOT_AN_ID.search(finding.message))]
    if not wrong:
        return findings
    titles: dict[str, list[Entity]] = {}
    for kind in sorted(policy.entities):
        for entity in policy.of(kind):
            if entity.model.metadata.title:
                titles.setdefault(entity.model.metadata.title.casefold(), []).append(entity)
    findings = list(findings)
    for index, wanted, value in wrong:
        if wanted == "an id":
            named = titles.get(value.casefold(), [])
            written = schema.id_form(value)
            meant = named[0].id if len(named) == 1 else written if policy.kinds_with(written) else None
            if len(named) == 1:
                hint = (f"'{value}' is the title of {kind_words(model.kind_key(named[0].kind))} {named[0].id}; "
                        f"write its id: {named[0].id}.")
            else:
                hint = f"Write {written}: ids are written in lower case with dashes." if meant else None
        else:
            having = [f"{kind}:{value}" for kind in policy.kinds_with(value)] or [
                entity.name for entity in titles.get(value.casefold(), [])]
            meant = having[0] if len(having) == 1 else None
            hint = f"Write {meant} (entities are named as kind:id)." if meant else None
        if hint is not None:
            findings[index] = dataclasses.replace(findings[index], hint=hint, fix=(value, meant) if meant else None)
    return findings


def _refused(found: discover.Discovered) -> list[Finding]:
    """CX100 for each file or folder that discovery would not read."""
    findings = [checks.YAML_SYNTAX.at(
        relpath, 1, 1, "this file is a link to a place outside the policy folder, so it is not read",
        hint="Copy the file into the policy folder instead of linking to it.") for relpath in found.outside_links]
    findings += [checks.YAML_SYNTAX.at(
        relpath or ".", 1, 1, "this folder cannot be listed, so the policy files in it are not read",
        hint="Check the folder's permissions, or add it to `exclude` in cxpolicy.yaml.") for relpath in found.unreadable]
    findings += [checks.YAML_SYNTAX.at(
        relpath, 1, 1, "this file's name is not valid UTF-8 text, so it is not read",
        hint="Rename the file using plain letters, digits and dashes.") for relpath in found.misnamed]
    return findings


def _typed_project(read: source.SourceFile | None, findings: list[Finding]) -> Entity | None:
    if read is None:
        return None
    project_entities: dict[str, dict[str, Entity]] = {}
    findings.extend(_typed(read, project_entities))
    projects = list(project_entities.get("project", {}).values())
    if not projects:
        projects = [found for document in read.documents if (found := _usable_project(document)) is not None]
    if not read.documents or all(document.data is None for document in read.documents):
        findings.append(checks.YAML_SYNTAX.at(
            discover.PROJECT_FILE, 1, 1, "cxpolicy.yaml is empty; it must hold the Project document",
            hint="Add a document with kind: Project, or delete the file to use the defaults."))
    return projects[0] if projects else None


Assembled = tuple  # (entities, unreadable, findings, each file's findings or None, the files changed or None)


def _assembled(reads: Iterable[source.SourceFile], readings: dict[str, list[source.SourceFile]]) -> Assembled:
    """The entities of every reading (noted in `readings` by file as they come), the unreadable
    documents, the findings, and each file's findings: None when a file was typed against the set or
    something is unreadable (the next reading is then assembled whole too)."""
    entities: dict[str, dict[str, Entity]] = {}
    unreadable: Unreadables = {}
    findings: list[Finding] = []
    assembly: dict[str, list[Finding]] | None = {}
    for read in reads:
        readings.setdefault(read.file, []).append(read)
        found, alone = _typed_alone(read, entities, unreadable)
        findings.extend(found)
        if not alone:
            assembly = None
        elif found and assembly is not None:
            assembly.setdefault(read.file, []).extend(found)
    return entities, unreadable, findings, None if unreadable else assembly, None


def _assembled_from(previous: PolicySet, readings: dict[str, list[source.SourceFile]]) -> Assembled | None:
    """The set's entities as `previous`'s, with those of the files whose readings changed typed
    again; None when it must be assembled whole (a changed file has an id another file has too,
    or a document that cannot be read)."""
    before = previous.readings
    changed_files = sorted(_changed_files(before, readings))
    entities = {kind: dict(of_kind) for kind, of_kind in previous.entities.items()}
    assembly = dict(previous.assembly or {})
    for file in changed_files:
        assembly.pop(file, None)
        for read in before.get(file, ()):
            for kind, ids in read.typed[0].items():
                for ident in ids:
                    del entities[kind][ident]
    for file in changed_files:
        for read in readings.get(file, ()):
            own, own_unreadable, found = _own(read)
            if own_unreadable or any(entities.get(kind, {}).keys() & ids.keys() for kind, ids in own.items()):
                return None
            for kind, ids in own.items():
                entities.setdefault(kind, {}).update(ids)
            if found:
                assembly.setdefault(file, []).extend(found)
    findings = [finding for file in sorted(assembly) for finding in assembly[file]]  # in file order, as read
    return ({kind: of_kind for kind, of_kind in entities.items() if of_kind}, {}, findings, assembly,
            changed_files)


def _same_readings(old: Any, new: Any) -> bool:
    return len(old) == len(new) and all(a is b for a, b in zip(old, new))


def _own(read: source.SourceFile) -> tuple[dict[str, dict[str, Entity]], Unreadables, list[Finding]]:
    """The file typed on its own (once: a reading is kept while the file's text is)."""
    if read.typed is None:
        own: dict[str, dict[str, Entity]] = {}
        own_unreadable: Unreadables = {}
        read.typed = (own, own_unreadable, _typed_into(read, own, own_unreadable))
    return read.typed


def _typed(read: source.SourceFile, entities: dict[str, dict[str, Entity]],
           unreadable: Unreadables | None = None) -> list[Finding]:
    return _typed_alone(read, entities, unreadable)[0]


def _typed_alone(read: source.SourceFile, entities: dict[str, dict[str, Entity]],
                 unreadable: Unreadables | None = None) -> tuple[list[Finding], bool]:
    """The findings of one file; its valid entities are added to `entities`, the identities of the
    documents that cannot be used to `unreadable`.

    The file is typed on its own once (a reading is kept while the file's text is), so adding it
    again costs a table update per kind. A file that defines an id an earlier file defined too is
    typed against the whole set instead, which reports the duplicate where a whole reading does."""
    own, own_unreadable, findings = _own(read)
    if any(entities.get(kind, {}).keys() & ids.keys() for kind, ids in own.items()):
        return _typed_into(read, entities, unreadable), False
    for kind, ids in own.items():
        entities.setdefault(kind, {}).update(ids)
    if unreadable is not None:
        for kind, found in own_unreadable.items():
            into = unreadable.setdefault(kind, {})
            for ident, document in found.items():
                into.setdefault(ident, document)
    return list(findings), True


def _typed_into(read: source.SourceFile, entities: dict[str, dict[str, Entity]],
                unreadable: Unreadables | None) -> list[Finding]:
    findings = list(read.findings) + add_documents(read.documents, entities, unreadable)
    if unreadable is not None:
        for kind, ident, line in read.recovered:
            _unreadable(unreadable, _kind_meant(kind) if kind else "", ident, read.file, line)
    return _without_cascades(read, findings, entities)


def _kind_meant(kind: str) -> str:
    """The kind key a `kind:` value stands for, when it is a known kind written in other letter case
    or misspelt with one likely meaning; "" when there is none."""
    if kind.lower() in {model.kind_key(name) for name in model.KINDS}:
        return kind.lower()
    meant = closest(kind, model.KINDS)
    return model.kind_key(meant) if meant else ""


def _unreadable(into: Unreadables, kind: str, ident: Any, file: str, line: int, data: Any = None) -> None:
    if isinstance(ident, str) and ident and kind != "project":
        into.setdefault(kind, {}).setdefault(ident, Unreadable(kind, ident, file, line, data))


def _identity(document: source.Document, kind: str, into: Unreadables | None) -> None:
    """Keep the kind and id of a document that cannot be typed (see Unreadable)."""
    metadata = document.data.get("metadata") if isinstance(document.data, dict) else None
    if into is not None and isinstance(metadata, dict):
        _unreadable(into, kind, metadata.get("id"), document.file, document.where(("metadata", "id"))[0],
                    document.data)


def add_documents(documents: list[source.Document], entities: dict[str, dict[str, Entity]],
                  unreadable: Unreadables | None = None) -> list[Finding]:
    """Check each document's envelope and schema and add the valid ones to `entities`; return the findings."""
    findings: list[Finding] = []
    for document in documents:
        if document.data is None:
            continue  # an empty document, e.g. after a trailing '---'
        kind, problem, entity, problems, stage_problems = _typed_document(document)
        if problem is not None:
            findings.append(problem)
            written = document.data.get("kind") if isinstance(document.data, dict) else None
            if isinstance(written, str) and document.data.get("apiVersion") == model.API_VERSION:
                _identity(document, _kind_meant(written), unreadable)
            continue
        findings.extend(problems)
        if entity is None:
            _identity(document, model.kind_key(kind), unreadable)
            continue
        of_kind = entities.setdefault(model.kind_key(kind), {})
        existing = of_kind.get(entity.id)
        if existing is not None:
            file, line, column = existing.where()
            here = entity.where()
            findings.append(checks.DUPLICATE_ID.at(
                *here, f"{entity.name} is defined twice: here and at {file}:{line}",
                entity=entity.name, hint="Rename one of them, or merge the two documents into one."))
            continue
        of_kind[entity.id] = entity
        if stage_problems:
            findings.extend(stage_problems)
    return findings


def _typed_document(document: source.Document) -> tuple[str, Finding | None, Entity | None, list[Finding],
                                                         list[Finding]]:
    """The document's kind and envelope problem, and typed as an entity of that kind (with its stages'
    problems), or the schema findings that say why it cannot be. Worked out once per document: a long-lived session (the
    language server) reuses an unchanged file's readings, and models are frozen, so the entity can be
    shared by later runs."""
    if document.typed is None:
        kind, problem = _envelope(document)
        typed, problems = schema.validate(document, kind) if problem is None else (None, [])
        entity = Entity(kind, typed, document) if typed is not None else None
        document.typed = (kind, problem, entity, problems, _duplicate_stages(entity) if entity else [])
    return document.typed


def _envelope(document: source.Document) -> tuple[str, Finding | None]:
    data = document.data
    file = document.file
    if not isinstance(data, dict):
        line, column = document.where()
        return "", checks.SCHEMA.at(
            file, line, column,
            "a policy document must be a mapping with apiVersion, kind, metadata and spec, "
            f"but this one is {schema.describe_value(data)}",
            hint="Start the document with 'apiVersion: cxpolicy/v1' and 'kind: ...' (see docs/format.md).")
    version = data.get("apiVersion")
    if version != model.API_VERSION:
        line, column = document.where(("apiVersion",))
        said = "has no apiVersion" if version is None else f"has apiVersion '{version}'"
        return "", checks.UNKNOWN_KIND.at(
            file, line, column, f"this document {said}; cxpolicy reads {model.API_VERSION}",
            hint=f"Write 'apiVersion: {model.API_VERSION}' at the top of the document.")
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in model.KINDS:  # a mapping as kind cannot even be looked up
        line, column = document.where(("kind",))
        said = "has no kind" if kind is None else f"has the unknown kind '{kind}'"
        meant = closest(kind, model.KINDS) if isinstance(kind, str) else None
        return "", checks.UNKNOWN_KIND.at(
            file, line, column, f"this document {said}",
            hint=(did_you_mean(str(kind), model.KINDS).strip() + " " if kind is not None else "")
            + f"Kinds: {', '.join(model.KINDS)}.", fix=(kind, meant) if meant else None)
    if kind == "Project" and document.file != discover.PROJECT_FILE:
        line, column = document.where(("kind",))
        return "", checks.UNKNOWN_KIND.at(
            file, line, column, "a Project document belongs in cxpolicy.yaml at the root of the policy folder",
            hint="Move these settings into cxpolicy.yaml at the root.")
    return kind, None


def _usable_project(document: source.Document) -> Entity | None:
    """The Project of a cxpolicy.yaml that breaks its schema (CX103 says where), with the settings in
    error left out, so that one mistyped setting does not throw away all the others: a metric that
    cannot be read is kept by name (`broken_metrics`), so standards using it are not "unknown"."""
    data = document.data
    if not isinstance(data, dict) or data.get("kind") != "Project" or not isinstance(data.get("spec"), dict):
        return None
    kind = model.KINDS["Project"]

    def valid(spec: dict[str, Any]) -> bool:
        try:
            kind.model_validate({**data, "spec": spec})
            return True
        except ValueError:
            return False

    spec = dict(data["spec"])
    broken: set[str] = set()
    if isinstance(spec.get("metrics"), dict):
        metrics = {}
        for name, entry in spec["metrics"].items():
            (metrics.__setitem__(name, entry) if valid({"metrics": {name: entry}}) else broken.add(str(name)))
        spec["metrics"] = metrics
    for key in list(spec):
        if not valid({key: spec[key]}):
            del spec[key]
    try:
        typed = kind.model_validate({**data, "spec": spec})
    except ValueError:
        return None  # its envelope (metadata) is what is wrong
    entity = Entity("Project", typed, document)
    entity.broken_metrics = frozenset(broken)
    return entity


def _duplicate_stages(entity: Entity) -> list[Finding]:
    if entity.kind != "Journey":
        return []
    findings = []
    seen: dict[str, int] = {}
    for index, stage in enumerate(entity.spec.stages):
        if stage.id in seen:
            file, line, column = entity.where(("spec", "stages", index, "id"))
            first = entity.document.where(("spec", "stages", seen[stage.id], "id"))[0]
            findings.append(checks.DUPLICATE_ID.at(
                file, line, column, f"stage '{stage.id}' appears twice in journey {entity.id} (first on line {first})",
                entity=entity.name, hint="Give each stage of a journey its own id."))
        else:
            seen[stage.id] = index
    return findings


def _without_cascades(read: source.SourceFile, findings: list[Finding], entities: Any) -> list[Finding]:
    """Drop what a CX102 finding already says, and CX102 where the field only takes a list of words.

    `executive: yes` is CX102 and would also break the schema (text where
    true/false belongs): one problem, one finding. `CX405: off` in the rules
    map is not ambiguous: the field accepts only words, `off` among them.
    """
    ambiguous = {(f.line, f.column): f for f in findings if f.code == checks.AMBIGUOUS_SCALAR.code}
    if not ambiguous:
        return findings
    kept = [f for f in findings if not (f.code == checks.SCHEMA.code and (f.line, f.column) in ambiguous)]
    for document in read.documents:
        kind = document.data.get("kind") if isinstance(document.data, dict) else None
        if not isinstance(kind, str) or kind not in model.KINDS:
            continue
        for path, (_, _, line, column, *_) in document.positions.items():
            problem = ambiguous.get((line, column))
            if problem is None:
                continue
            value = _value_at(document.data, path)
            field = schema.subschema(kind, path)
            if isinstance(value, str) and value in field.get("enum", ()):
                kept.remove(problem)
                ambiguous.pop((line, column))
            elif isinstance(value, str) and (fix := _scalar_fix(value, field.get("type"))) is not None:
                kept[kept.index(problem)] = dataclasses.replace(problem, fix=fix, end=(line, column + len(value)))
    return kept


def _scalar_fix(written: str, wanted: Any) -> tuple[str, str] | None:
    """How to write a YAML 1.1 surprise so that every reader reads it alike: true or false where the
    field takes those, the text in quotes where it takes text."""
    if wanted == "boolean" and written in source.YAML11_BOOL:
        return written, "true" if written.lower() in ("y", "yes", "on") else "false"
    if wanted == "string":
        return written, f'"{written}"'
    return None


def _value_at(data: Any, path: source.Path) -> Any:
    for part in path:
        data = data[part]
    return data


def resolve_references(policy: PolicySet, previous: PolicySet | None = None) -> list[Finding]:
    """CX104 for every reference to an entity, stage, check or rule that does not exist.

    With `previous` (an earlier reading of the same folder) holding the same names of every kind
    and the same stages, an entity that is the same object as there resolves as it did there: only
    the entities that changed are resolved again."""
    if previous is not None:
        policy._stage_ids = _stage_ids_after(previous, policy)
    stages = policy.stage_ids()
    suggest = _Suggester(policy)
    if previous is not None and _same_names(previous, policy):
        broken = {name: found for name, found in previous.broken_references.items()
                  if (entity := policy.get(name)) is not None and entity is previous.get(name)}
        again = [entity for of_kind in changed(previous, policy).values() for entity in of_kind.values()
                 if entity is not None]
    else:
        broken = {}
        again = [entity for kind in policy.entities for entity in policy.entities[kind].values()]
    for entity in again:
        found = _references_of(entity, policy, stages, suggest)
        if found[0] or found[1]:
            broken[entity.name] = found
    policy.broken_references = broken
    findings = []
    for name in sorted(broken):  # kind, then id: the order of a whole reading
        findings.extend(broken[name][0])
        policy.unresolved.extend(broken[name][1])
    findings.extend(_unknown_metrics(policy))
    if policy.project_entity is not None:
        for path, ref, target in model.iter_references(policy.project_entity.model):
            problem = _unknown(policy, stages, ref, target, suggest)
            if problem is not None:
                file, line, column = policy.project_entity.where(path)
                findings.append(checks.UNKNOWN_REFERENCE.at(file, line, column, problem[0], hint=problem[1],
                                                            fix=(target, problem[2]) if problem[2] else None))
        for code in sorted(policy.project.rules):
            findings.extend(_unknown_check(policy.project_entity, code, ("spec", "rules", code), suggest))
    return findings


def changed(before: PolicySet | None, after: PolicySet) -> dict[str, dict[str, Entity | None]]:
    """The entities added, removed or changed since `before` (an earlier reading of the same folder),
    by kind key and id, each as it is now (None when it is gone); kinds with none are left out. A
    changed entity is another object: a file's entities stay the same objects while its text does.
    Worked out once for each pair (the references and the graph both ask)."""
    if before is None:
        return {kind: dict(of_kind) for kind, of_kind in after.entities.items() if of_kind}
    if after._changed is not None and after._changed[0]() is before:
        return after._changed[1]
    files = _changed_files(before.readings, after.readings) if before.readings and after.readings else None
    found = _changed_in(before, after, files)
    after._changed = (weakref.ref(before), found)  # a weak reference: sets along a history do not keep each other
    return found


def _changed_files(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    """The files whose readings differ between two sets' `readings`."""
    return [file for file in before.keys() | after.keys() if not _same_readings(before.get(file, ()), after.get(file, ()))]


def _changed_in(before: PolicySet, after: PolicySet, files: list[str] | None) -> dict[str, dict[str, Entity | None]]:
    """changed(), looking only at the entities typed from these files (the only entities that can
    differ, since a file's entities are the same objects while its reading is; an entity of an
    unchanged file that enters or leaves the set shares its id with one of these), or at every
    entity when `files` is None or one of their readings was not typed on its own."""
    candidates = _typed_ids(before, after, files) if files is not None else None
    if candidates is None:  # compared entity by entity
        candidates = {(kind, ident) for kind in set(after.entities) | set(before.entities)
                      for ident in after.entities.get(kind, {}).keys() | before.entities.get(kind, {}).keys()}
    found: dict[str, dict[str, Entity | None]] = {}
    for kind, ident in candidates:
        new = after.entities.get(kind, {}).get(ident)
        if before.entities.get(kind, {}).get(ident) is not new:
            found.setdefault(kind, {})[ident] = new
    return found


def _typed_ids(before: PolicySet, after: PolicySet, files: list[str]) -> set[tuple[str, str]] | None:
    """(kind, id) of every entity typed from these files' readings in either set; None when one of
    them was not typed on its own."""
    found: set[tuple[str, str]] = set()
    for file in files:
        for read in (*before.readings.get(file, ()), *after.readings.get(file, ())):
            if read.typed is None:
                return None
            found.update((kind, ident) for kind, ids in read.typed[0].items() for ident in ids)
    return found


def _stage_ids_after(before: PolicySet, after: PolicySet) -> dict[str, set[str]]:
    """after.stage_ids(), from before's: only the journeys that changed are looked at."""
    ids = dict(before.stage_ids())
    for ident, journey in changed(before, after).get("journey", {}).items():
        if journey is None:
            ids.pop(ident, None)
        else:
            ids[ident] = {stage.id for stage in journey.spec.stages}
    return ids


def _same_names(before: PolicySet, after: PolicySet) -> bool:
    """Whether a reference resolves in `after` as in `before`: the same ids of every kind (readable
    or not), the same stages, the same Rules (a waiver's `rule` may name one). Only the entities
    that changed can differ in these."""
    changes = changed(before, after)
    for kind, of_kind in changes.items():
        for ident, entity in of_kind.items():
            if (ident in before.entities.get(kind, {})) != (entity is not None):
                return False
    return (before.unreadable == after.unreadable
            and all(before.stage_ids().get(ident) == after.stage_ids().get(ident) for ident in changes.get("journey", {})))


def _references_of(entity: Entity, policy: PolicySet, stages: dict[str, set[str]],
                   suggest: "_Suggester") -> tuple[list[Finding], list[tuple[str, str]]]:
    """One entity's CX104 findings, and its (entity name, kind key) of each reference to nothing."""
    findings: list[Finding] = []
    unresolved: list[tuple[str, str]] = []
    for path, ref, target in entity.references():
        problem = _unknown(policy, stages, ref, target, suggest)
        if problem is not None:
            message, hint, meant = problem
            unresolved.append((entity.name, ref.kind or target.partition(":")[0]))
            file, line, column = entity.where(path)
            findings.append(checks.UNKNOWN_REFERENCE.at(
                file, line, column, message, entity=entity.name, hint=hint, end=entity.end(path),
                fix=(target, meant) if meant else None))
    if entity.kind in ("Waiver", "RuleTest"):
        findings.extend(_unknown_check(entity, entity.spec.rule, ("spec", "rule"), suggest))
    return findings, unresolved


def _unknown_metrics(policy: PolicySet) -> list[Finding]:
    """CX104 for a metric that is neither in the catalogue nor in the project's `metrics`: a standard's or
    KPI's, or one a Dataset's `columns.metrics` names (whose column would otherwise measure nothing)."""
    from cxpolicy.metrics import catalogue

    known = set(catalogue(policy.project.metrics))
    broken = policy.project_entity.broken_metrics if policy.project_entity is not None else frozenset()
    index = Suggestions(known | broken)
    named = [(entity, entity.spec.metric, ("spec", "metric"), False)
             for kind in ("servicestandard", "kpi") for entity in policy.of(kind)]
    named += [(dataset, slug, ("spec", "columns", "metrics", slug), True)
              for dataset in policy.of("dataset") for slug in dataset.spec.columns.metrics]
    findings = []
    for entity, slug, path, key in named:
        if slug is None or slug in known:
            continue
        policy.unresolved.append((entity.name, "metric"))  # its checks wait, like those of a broken file
        if slug in broken:
            continue  # cxpolicy.yaml's CX103 says what is wrong with it
        suggestion = index.closest(slug)
        file, line, column = entity.where(path, key=key)
        findings.append(checks.UNKNOWN_REFERENCE.at(
            file, line, column, f"'{slug}' is not a known metric", entity=entity.name,
            end=None if key else entity.end(path),
            hint=(f"Did you mean '{suggestion}'? " if suggestion else "")
            + "Use a metric of the catalogue (docs/rules.md lists them), or declare it under "
              "`metrics:` in cxpolicy.yaml."))
    return findings


#: The names a waiver's or rule test's `rule` may take: the built-in codes and the Rules' ids.
CHECKS = "check"


class _Suggester:
    """Did-you-mean among the ids of each kind (and among CHECKS), indexed once each (suggest.Suggestions)."""

    def __init__(self, policy: PolicySet) -> None:
        from cxpolicy.catalogue import checks as all_checks, codes_by_slug

        self.policy = policy
        self.checks = ({check.code for check in all_checks()} | set(policy.entities.get("rule", {}))
                       | set(policy.unreadable.get("rule", {})))
        self.slugs = codes_by_slug()
        self.by_kind: dict[str, Suggestions] = {}

    def __call__(self, kind: str, word: str) -> str | None:
        found = self.by_kind.get(kind)
        if found is None:
            if kind == CHECKS:
                names: Any = self.checks
            else:
                names = [*self.policy.entities.get(kind, {}), *self.policy.unreadable.get(kind, {})]
            found = self.by_kind[kind] = Suggestions(names)
        return found.closest(word)


def _unknown(policy: PolicySet, stages: dict[str, set[str]], ref: model.Ref, target: str,
             suggest: _Suggester) -> tuple[str, str, str | None] | None:
    """What is wrong with a reference that names nothing: message, hint, and the one name it surely
    meant (a safe fix), if there is one; None when it names something."""
    if ref.kind is not None:
        known = policy.entities.get(ref.kind, {})
        if target in known or policy.unreadable_as(ref.kind, target) is not None:
            return None
        label = _KIND_WORDS.get(ref.kind, ref.kind)
        other = next(iter(policy.kinds_with(target)), None)
        if other is not None:
            return (f"'{target}' is not a known {label}",
                    f"'{target}' is a {_KIND_WORDS.get(other, other)}; this field takes the id of a {label}.", None)
        suggestion = suggest(ref.kind, target)
        return (f"'{target}' is not a known {label}",
                (f"Did you mean '{suggestion}'? " if suggestion else "")
                + f"Use the id of an existing {label}, or add a {label} with id '{target}'.", suggestion)
    kind, _, ident = target.partition(":")
    if kind == "journey" and "/" in ident:
        journey, _, stage = ident.partition("/")
        if (journey in stages and stage in stages[journey]) or policy.unreadable_as(kind, journey) is not None:
            return None
        if journey in stages:
            meant = closest(stage, stages[journey])
            return (f"journey '{journey}' has no stage '{stage}'",
                    did_you_mean(stage, stages[journey]).strip() or f"Stages: {', '.join(sorted(stages[journey]))}.",
                    f"journey:{journey}/{meant}" if meant else None)
    kinds = {model.kind_key(name) for name in model.KINDS} - {"project"}
    if not ident:  # no kind written at all: `make-a-complaint` for `journey:make-a-complaint`
        having = policy.kinds_with(target)
        if len(having) == 1:
            return (f"'{target}' needs its kind before the id",
                    f"Write {having[0]}:{target} (entities are named as kind:id).", f"{having[0]}:{target}")
    if kind not in kinds:
        meant = closest(kind, kinds)
        return (f"'{target}' names the unknown kind '{kind}'",
                (did_you_mean(kind, kinds).strip() + " " if meant else "")
                + "Name entities as kind:id, e.g. touchpoint:returns-portal.", f"{meant}:{ident}" if meant else None)
    known = policy.entities.get(kind, {})
    if ident in known or policy.unreadable_as(kind, ident) is not None:
        return None
    suggestion = suggest(kind, ident)
    return (f"'{target}' is not a known {_KIND_WORDS.get(kind, kind)}",
            f"Did you mean '{kind}:{suggestion}'?" if suggestion else f"Use the id of an existing {kind}.",
            f"{kind}:{suggestion}" if suggestion else None)


def _unknown_check(entity: Entity, name: str, path: source.Path, suggest: _Suggester) -> list[Finding]:
    """CX104 when `name` is neither a built-in check code nor a Rule id."""
    if name in suggest.checks:
        return []
    file, line, column = entity.where(path, key=entity.kind == "Project")
    if entity.kind != "Project":
        suggest.policy.unresolved.append((entity.name, CHECKS))
    code = suggest.slugs.get(name) or suggest.slugs.get(name.lower())
    if code is not None:
        message, hint, meant = (f"'{name}' is the name of check {code}; write its code here",
                                f"Write `{code}` (codes are what `cxpolicy rules` lists first).", code)
    else:
        meant = suggest(CHECKS, name)
        message = f"'{name}' is neither a built-in check nor the id of a Rule"
        hint = f"Did you mean '{meant}'?" if meant else "See `cxpolicy rules` for the built-in codes."
    return [checks.UNKNOWN_REFERENCE.at(
        file, line, column, message, entity=None if entity.kind == "Project" else entity.name, hint=hint,
        fix=(name, meant) if meant else None)]


def kind_words(kind: str) -> str:
    """How a message names a kind key: `servicestandard` -> `service standard`."""
    return _KIND_WORDS.get(kind, kind)


_KIND_WORDS = {
    "team": "team",
    "segment": "segment",
    "channel": "channel",
    "touchpoint": "touchpoint",
    "journey": "journey",
    "servicestandard": "service standard",
    "kpi": "KPI",
    "listeningpost": "listening post",
    "rule": "rule",
    "waiver": "waiver",
}
