"""Strict YAML reading: the only module that parses policy files.

libyaml's event stream is turned straight into plain data (dict, list, str,
int, float, bool, None) and a compact map from each data path to where its key
and value are written. No node tree is kept, nothing is constructed from tags,
and the composer is iterative, so neither deep nesting nor alias bombs can
exhaust the stack or the memory.

Scalars are read by the YAML 1.2 core schema. Plain scalars that a YAML 1.1
reader (PyYAML's default, many CI tools) would read differently, such as `yes`,
`off`, `1:30` or `0755`, are kept as text and reported (CX102): a policy must
mean the same thing to every tool that reads it.
"""

from __future__ import annotations

import bisect
import codecs
import functools
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events as ev

from cxpolicy.findings import Finding
from cxpolicy.rules import files as checks

try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser as _PyParser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, _PyParser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            _PyParser.__init__(self)


Path = tuple  # of str keys and int list indexes, e.g. ("spec", "stages", 1, "id")
Spot = tuple  # (key line, key column, value line, value column, end line, end column)


def format_path(path: Path) -> str:
    """`("spec", "stages", 1, "touchpoints", 0)` -> `spec.stages[1].touchpoints[0]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True)
class Limits:
    """Bounds that keep a hostile file from exhausting time or memory (docs/security.md)."""

    max_file_bytes: int = 10 * 1024 * 1024
    max_depth: int = 100
    max_alias_nodes: int = 10_000

    def at_most(self, other: "Limits") -> "Limits":
        """These limits, none looser than `other`'s."""
        return Limits(min(self.max_file_bytes, other.max_file_bytes), min(self.max_depth, other.max_depth),
                      min(self.max_alias_nodes, other.max_alias_nodes))


@dataclass
class Document:
    """One YAML document of a file: its data and where each part of it is written.

    Positions are optional: a file read without them (the fast path, and in
    worker processes) is read again with them the first time a position is
    asked for, which happens only when there is something to report.
    """

    file: str
    index: int
    data: Any
    # path -> (key line, key column, value line, value column, value's end line, end column), all
    # 1-based, the end just after the value. List items have their own position as both key and value.
    _positions: dict[Path, Spot] | None = field(repr=False)
    reload: Callable[[], list[dict[Path, Spot]]] | None = field(default=None, repr=False)
    # What typing this document gave (policyset), kept with it: a reading reused by a long-lived
    # session (the language server) is not typed again while its text is unchanged.
    typed: Any = field(default=None, repr=False, compare=False)

    @property
    def positions(self) -> dict[Path, Spot]:
        if self._positions is None:
            self._positions = self.reload()[self.index] if self.reload is not None else {(): (1, 1, 1, 1, 1, 1)}
        return self._positions

    def known_positions(self) -> dict[Path, Spot] | None:
        """The position map if it is already built (None: it is found by `reload` when asked for)."""
        return self._positions

    def part(self, path: Path) -> "Document":
        """The value at `path` as a document of its own, keeping where each part is written."""
        size = len(path)
        positions = {p[size:]: spot for p, spot in self.positions.items() if p[:size] == tuple(path)}
        value = self.data
        for step in path:
            value = value[step]
        return Document(self.file, self.index, value, positions)

    def where(self, path: Path = (), *, key: bool = False) -> tuple[int, int]:
        """Line and column of the value at `path` (or of its key), falling back to
        the nearest written ancestor for paths that are absent or came from an alias."""
        path = tuple(path)
        while path not in self.positions:
            path = path[:-1]
        k_line, k_col, v_line, v_col = self.positions[path][:4]
        return (k_line, k_col) if key else (v_line, v_col)

    def end(self, path: Path = ()) -> tuple[int, int] | None:
        """Where the value written at `path` ends (None for a path not written in the file)."""
        spot = self.positions.get(tuple(path))
        return spot[4:] if spot is not None else None


@dataclass
class SourceFile:
    file: str
    documents: list[Document]
    findings: list[Finding]
    continues: bool = False  # a quoted value or flow collection spans lines (_leniencies looks closer)
    # In a file that does not parse: (kind or None, id, line) of each document its text seems to define.
    recovered: list[tuple[str | None, str, int]] = field(default_factory=list)
    # The file typed on its own (policyset._typed): its entities, broken documents and findings.
    typed: Any = field(default=None, repr=False, compare=False)


_CORE_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_CORE_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_CORE_INT = re.compile(r"[-+]?[0-9]+\Z")
_CORE_OCT = re.compile(r"0o[0-7]+\Z")
_CORE_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_CORE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_CORE_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_CORE_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")

YAML11_BOOL = frozenset("y Y yes Yes YES n N no No NO on On ON off Off OFF".split())
_YAML11_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?\Z")
_YAML11_OCTAL = re.compile(r"[-+]?0[0-9]+\Z")
_YAML11_UNDERSCORE = re.compile(r"[-+]?[0-9][0-9_]*(\.[0-9_]*)?\Z")
_YAML11_BINARY = re.compile(r"[-+]?0b[01_]+\Z")

_CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
    "!",
}


def resolve_plain(text: str) -> tuple[Any, str | None]:
    """Read a plain (unquoted) scalar by the YAML 1.2 core schema.

    Returns the value and, for a YAML 1.1 surprise, an explanation of it.
    """
    if text in _CORE_NULL:
        return None, None
    first = text[0]
    if first in "tTfF":
        if text in _CORE_BOOL:
            return _CORE_BOOL[text], None
        return text, None
    if text in YAML11_BOOL:
        return text, (
            f"'{text}' means true or false to some YAML readers and the word '{text}' to others"
        )
    if first in "0123456789+-.":
        if _YAML11_SEXAGESIMAL.match(text):
            return text, f"'{text}' is a base-60 number to some YAML readers and text to others"
        if _YAML11_OCTAL.match(text) and text.lstrip("+-") != "0":
            return text, f"'{text}' has a leading zero, which some YAML readers take as an octal number"
        if ("_" in text and _YAML11_UNDERSCORE.match(text)) or _YAML11_BINARY.match(text):
            return text, f"'{text}' is a number to some YAML readers and text to others"
        base = 10 if _CORE_INT.match(text) else 8 if _CORE_OCT.match(text) else 16 if _CORE_HEX.match(text) else 0
        if base:
            try:
                return int(text if base == 10 else text[2:], base), None
            except ValueError:  # Python's bound on converting long digit strings
                return text, f"this number is {len(text):,} characters long, more than any policy value needs"
        if _CORE_FLOAT.match(text):
            return float(text), None
        if _CORE_INF.match(text):
            return (float("-inf") if text[0] == "-" else float("inf")), None
        if _CORE_NAN.match(text):
            return float("nan"), None
    return text, None


def read_file(root: str, relpath: str, limits: Limits = Limits(), *, positions: bool = True) -> SourceFile:
    """Read one policy file strictly. Never raises for bad content: problems are findings."""

    path = os.path.join(root, relpath)
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):  # a FIFO or device would block or never end
            return SourceFile(relpath, [], [checks.YAML_SYNTAX.at(
                relpath, 1, 1, "this is not a regular file, so it is not read",
                hint="Policy files are plain files; remove or rename this one.")])
        too_large = oversized(relpath, status.st_size, limits)
        if too_large is not None:
            return too_large
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        return SourceFile(relpath, [], [checks.YAML_SYNTAX.at(
            relpath, 1, 1, f"this file cannot be read: {error.strerror or error}",
            hint="Check that the file exists and that its permissions let it be read.",
        )])
    return read_text(relpath, raw, limits, positions=positions)


def oversized(relpath: str, size: int, limits: Limits) -> SourceFile | None:
    """The finding for a file above the size limit (read no further), or None."""
    if size <= limits.max_file_bytes:
        return None
    return SourceFile(relpath, [], [checks.YAML_SYNTAX.at(
        relpath, 1, 1,
        f"this file is {size:,} bytes, above the {limits.max_file_bytes:,}-byte limit for one policy file",
        hint="Split it into several files, or raise limits.maxFileBytes in cxpolicy.yaml.",
    )])


def read_text(relpath: str, raw: bytes, limits: Limits = Limits(), *, positions: bool = True) -> SourceFile:
    """Read policy YAML from bytes (the file named `relpath` for messages).

    Without `positions`, documents carry no position map and must be given a
    `reload` to find one; a file with any finding is read with positions anyway.
    """
    text, problem = _decode(relpath, raw)
    if problem is not None:
        return SourceFile(relpath, [], [problem], recovered=recover(raw.decode("utf-8", "replace")))
    if text and text[-1] != "\n" and not text[text.rfind("\n") + 1:].strip(" "):
        text += "\n"  # libyaml drops a last line of only spaces that has no line break (YAML keeps it)
    read = _compose(relpath, text, limits, positions)
    lenient = _leniencies(relpath, text) if read.continues or _suspect(text) else []
    if not positions and (read.findings or lenient):
        read = _compose(relpath, text, limits, True)
    read.findings.extend(lenient)
    return read


# What libyaml accepts though YAML 1.2 does not (or reads differently from it), in forms an analyst
# can write: a comment glued to a value, a tab or too little indentation on a continued line, `?`
# glued to a flow key, an anchor name holding ':'. Cheap searches (and the composer, for continued
# lines) find the files that may hold one; only those are looked at closely (docs/security.md lists
# the leniencies left).
_GLUED = ('"#', "'#", "]#", "}#", ",#")


@functools.cache
def _pattern(name: str) -> re.Pattern[str]:
    """The patterns of the close look, compiled the first time a file needs one (most never do)."""
    return re.compile({
        "glued comment": r"""(?<=["'\]},])#""",
        "glued header comment": r"[|>][-+0-9]*#",
        "leading tab": r"(?m)^ *\t",
        "glued question": r"(?<=[\[{,]) *\?(?=[^\s,\[\]{}])",
        "colon anchor": r"&[^\s:]*:\S",
    }[name])


def _suspect(text: str) -> bool:
    """Whether a text may hold a leniency that is not a continued line (the composer tells those):
    substring searches first, which run at memory speed; a pattern only where its rare character is."""
    return ("\t" in text or ("#" in text and any(glued in text for glued in _GLUED))
            or ("?" in text and _pattern("glued question").search(text) is not None)
            or ("&" in text and _pattern("colon anchor").search(text) is not None)
            or (("|" in text or ">" in text) and _pattern("glued header comment").search(text) is not None))


def _leniencies(relpath: str, text: str) -> list[Finding]:
    """CX100 for each place libyaml reads leniently (see _suspect), found from where the scalars and
    flow collections lie; empty when the text does not even parse (its syntax error is reported)."""
    scalars: list[tuple[int, int, str | None]] = []  # (start, end, style)
    # Values spanning lines inside a block collection: (start, end, start line, the block's column).
    continued: list[tuple[int, int, int, int]] = []
    anchors: list[tuple[int, int]] = []
    open_collections: list[tuple[Any, int | None]] = []  # (start event, column if a block collection)
    parser = _Parser(text)
    try:
        while (event := parser.get_event()) is not None and not isinstance(event, ev.StreamEndEvent):
            if isinstance(event, (ev.ScalarEvent, ev.MappingStartEvent, ev.SequenceStartEvent)) and event.anchor:
                anchors.append((event.start_mark.index, len(event.anchor)))
            block = open_collections[-1][1] if open_collections else None
            if isinstance(event, ev.ScalarEvent):
                start, end = event.start_mark, event.end_mark
                scalars.append((start.index, end.index, event.style))
                if event.style in ("'", '"') and end.line > start.line and block is not None:
                    continued.append((start.index, end.index, start.line, block))
            elif isinstance(event, (ev.MappingStartEvent, ev.SequenceStartEvent)):
                open_collections.append((event, None if event.flow_style else event.start_mark.column))
            elif isinstance(event, (ev.MappingEndEvent, ev.SequenceEndEvent)):
                opened, _ = open_collections.pop()
                parent = open_collections[-1][1] if open_collections else None
                if opened.flow_style and parent is not None and event.end_mark.line > opened.start_mark.line:
                    continued.append((opened.start_mark.index, event.end_mark.index, opened.start_mark.line, parent))
    except yaml.YAMLError:
        return []
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()
    starts = [start for start, _, _ in scalars]

    def inside(index: int, styles: tuple | None = None) -> bool:
        """Whether `index` lies in a scalar (of one of `styles`, when given)."""
        at = bisect.bisect_right(starts, index) - 1
        return at >= 0 and scalars[at][0] <= index < scalars[at][1] and (styles is None or scalars[at][2] in styles)

    found = []

    def report(index: int, message: str, hint: str) -> None:
        line, column = _line_column(text, index)
        found.append(checks.YAML_SYNTAX.at(relpath, line, column, message, hint=hint))

    for match in _pattern("glued comment").finditer(text):
        index = match.end() - 1
        if not inside(index):
            report(index, "a comment must have a space before its '#'; here it is glued to the value",
                   "Put a space before '#', or put the whole value in quotes if '#' belongs to it.")
    for match in _pattern("glued header comment").finditer(text):
        at = bisect.bisect_right(starts, match.start()) - 1
        if at >= 0 and scalars[at][0] == match.start() and scalars[at][2] in ("|", ">"):
            report(match.end() - 1, "a comment must have a space before its '#'; here it is glued to the '"
                                    f"{text[match.start()]}' that starts the text block",
                   "Put a space before '#'.")
    for match in _pattern("leading tab").finditer(text):
        index = match.end() - 1
        if not inside(index, ("|", ">")):
            report(index, "this line is indented with a tab; YAML indents with spaces only",
                   "Replace the tab at the start of the line with spaces.")
    for match in _pattern("glued question").finditer(text):
        index = match.end() - 1
        if not inside(index):
            report(index, "a '?' glued to a key in brackets is read as a key marker by some YAML readers "
                          "and as text by others", "Put the value in quotes, e.g. '?x'.")
    for index, size in anchors:
        after = index + 1 + size
        if text[after:after + 1] == ":" and not text[after + 1:after + 2].isspace():
            report(index, "an anchor name cannot hold ':'", "Name the anchor with letters, digits and dashes.")
    for start, end, line, indent in continued:
        position = text.find("\n", start)
        while -1 < position < end:
            next_line = position + 1
            stripped = text[next_line:].split("\n", 1)[0]
            if stripped.strip() and len(stripped) - len(stripped.lstrip(" ")) <= indent:
                report(next_line, f"this line continues the value begun on line {line + 1}, so it must be "
                                  "indented more than the field it belongs to",
                       "Indent the continued line with more spaces than the field's name.")
                break
            position = text.find("\n", next_line)
    return found


def _compose(relpath: str, text: str, limits: Limits, positions: bool) -> SourceFile:
    builder = _Composer(relpath, limits, positions)
    parser = _Parser(text)
    try:
        builder.run(parser)
    except _StopReading:
        pass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if "maximum nesting depth" in (error.problem or ""):  # libyaml's own bound, met while reading ahead
            builder.findings.append(_too_deep(relpath, line, column, limits))
        else:
            message, hint = _syntax_message(error, text)
            if error.context_mark is not None and " opened " in message:  # an unclosed quote or bracket:
                line, column = error.context_mark.line + 1, error.context_mark.column + 1  # where it opens
            builder.findings.append(checks.YAML_SYNTAX.at(relpath, line, column, message, hint=hint))
    except yaml.reader.ReaderError as error:
        line, column = _line_column(text, error.position)
        builder.findings.append(checks.YAML_SYNTAX.at(
            relpath, line, column,
            f"character {error.character!r} is not allowed in a YAML file",
            hint="Remove the control character; policy files are plain UTF-8 text.",
        ))
    except yaml.YAMLError as error:
        builder.findings.append(checks.YAML_SYNTAX.at(relpath, 1, 1, f"this file cannot be read as YAML: {error}"))
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()
    unread = any(finding.code == checks.YAML_SYNTAX.code for finding in builder.findings)
    return SourceFile(relpath, builder.documents, builder.findings, builder.continues,
                      recover(text) if unread else [])


_SECTIONS = re.compile(r"(?m)^---")
_KIND_LINE = re.compile(r"""(?m)^kind:[ \t]*["']?([A-Za-z]+)""")
_METADATA = re.compile(r"(?m)^metadata:(.*)$")
_ID = re.compile(r"""(?:^|[{,\s])id:[ \t]*["']?([A-Za-z0-9][A-Za-z0-9._-]*)""")


def recover(text: str) -> list[tuple[str | None, str, int]]:
    """What each `---` section of a text that does not parse seems to define: (kind, id, line), read
    from its `kind:` line and the `id:` under `metadata:` (kind None when it cannot be read). The
    policy set then knows these ids exist, so a syntax error is one finding, not one per reference."""
    found = []
    starts = [0] + [match.start() for match in _SECTIONS.finditer(text)]
    lines_before, counted = 0, 0  # lines are counted as the sections go, not from the top each time
    for start, end in zip(starts, starts[1:] + [len(text)]):
        lines_before += text.count("\n", counted, start)
        counted = start
        section = text[start:end]
        metadata = _METADATA.search(section)
        if metadata is None:
            continue
        ident = _ID.search(metadata.group(1))  # metadata: {id: x, ...}
        offset = metadata.start(1)
        if ident is None:  # the block form: the indented lines below metadata:
            block = re.match(r"(?:\n[ \t]+[^\n]*|\n[ \t]*(?=\n))*", section[metadata.end():]).group(0)
            ident = _ID.search(block)
            offset = metadata.end()
        if ident is None:
            continue
        kind = _KIND_LINE.search(section)
        line = lines_before + section.count("\n", 0, offset + ident.start(1)) + 1
        found.append((kind.group(1) if kind else None, ident.group(1), line))
    return found


def _too_deep(relpath: str, line: int, column: int, limits: Limits) -> Finding:
    return checks.YAML_SYNTAX.at(
        relpath, line, column,
        f"the data is nested more than {limits.max_depth} levels deep; the rest of this file is not read",
        hint="Policy documents are only a few levels deep; check the brackets and indentation.")


def _decode(relpath: str, raw: bytes) -> tuple[str, Finding | None]:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "", checks.YAML_SYNTAX.at(
            relpath, 1, 1, "this file is saved as UTF-16 or UTF-32; policy files must be UTF-8",
            hint="Save the file with UTF-8 encoding (most editors offer it under 'Save with encoding').",
        )
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        offset = error.start
        prefix = raw[:offset]
        line = prefix.count(b"\n") + 1
        column = len(prefix[prefix.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        return "", checks.YAML_SYNTAX.at(
            relpath, line, column, f"byte 0x{raw[offset]:02x} is not valid UTF-8 text",
            hint="Save the file with UTF-8 encoding; this often comes from pasting from a word processor.",
        )


def _line_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


_CLOSERS = {"flow sequence": ("list", "[", "]"), "flow mapping": ("mapping", "{", "}")}


def _syntax_message(error: yaml.MarkedYAMLError, text: str) -> tuple[str, str]:
    """libyaml's error in plain words, with what to type instead, for the mistakes analysts make;
    libyaml's own words otherwise."""
    context, problem = error.context or "", error.problem or ""
    mark, opened = error.problem_mark, error.context_mark
    lines = text.split("\n")
    at = lines[mark.line][mark.column:mark.column + 1] if mark is not None and mark.line < len(lines) else ""
    if at == "\t":
        return ("this line holds a tab where YAML expects spaces",
                "Replace the tab with spaces: YAML indents with spaces only.")
    if "quoted scalar" in context and ("end of stream" in problem or "document indicator" in problem) \
            and opened is not None:
        return (f"the quote opened on line {opened.line + 1} is never closed",
                "Add the closing quote at the end of the value.")
    for what, (noun, opener, closer) in _CLOSERS.items():
        if f"parsing a {what}" in context and opened is not None:
            return (f"the {noun} opened with '{opener}' on line {opened.line + 1} is not closed",
                    f"Add '{closer}' at the end of the {noun}, and a comma between its items.")
    if "mapping values are not allowed" in problem:
        return ("a colon followed by a space inside a value makes YAML read a new field",
                "Put the whole value in quotes, e.g. title: \"Returns: how they work\".")
    parts = [part for part in (context, problem) if part]
    return (f"YAML syntax: {'; '.join(parts) if parts else 'this is not valid YAML'}",
            "Check the indentation and punctuation around this line; the YAML cannot be read from here on.")


class _Frame:
    """A mapping or list under construction."""

    __slots__ = ("value", "path", "is_map", "key", "key_mark", "mark", "keep", "anchor", "start_count", "flow_line")

    def __init__(self, value: Any, path: Path, mark: tuple[int, int], keep: bool,
                 anchor: str | None, start_count: int, flow_line: int = -1) -> None:
        self.value = value
        self.path = path
        self.is_map = isinstance(value, dict)
        self.key: Any = _NO_KEY  # _NO_KEY: a key comes next; None: the next value is dropped
        self.key_mark: tuple[int, int] = mark
        self.mark = mark
        self.keep = keep
        self.anchor = anchor
        self.start_count = start_count
        self.flow_line = flow_line  # the line a flow collection starts on; else -1

    def child_path(self) -> Path:
        return self.path + ((self.key,) if self.is_map else (len(self.value),))

    def keeps_child(self) -> bool:
        return self.keep and not (self.is_map and (self.key is _NO_KEY or self.key is None))


_NO_KEY = object()
_NO_MARK = (0, 0)
_SCALAR, _ALIAS, _DOCUMENT_END = ev.ScalarEvent, ev.AliasEvent, ev.DocumentEndEvent
_MAPPING_START, _MAPPING_END = ev.MappingStartEvent, ev.MappingEndEvent
_SEQUENCE_START, _SEQUENCE_END = ev.SequenceStartEvent, ev.SequenceEndEvent


class _StopReading(Exception):
    """The file cannot be read further; the finding saying why is already recorded."""


class _Composer:
    """Builds data and positions from parse events, one document at a time."""

    def __init__(self, relpath: str, limits: Limits, positions: bool = True) -> None:
        self.file = relpath
        self.limits = limits
        self.record = positions
        self.documents: list[Document] = []
        self.findings: list[Finding] = []
        # A quoted value or flow collection spans lines: inside a block collection, its continued
        # lines need more indentation than libyaml asks for (see _leniencies, which looks closer).
        self.continues = False

    def finding(self, check: Any, mark: Any, message: str, hint: str | None = None) -> None:
        self.findings.append(check.at(self.file, mark.line + 1, mark.column + 1, message, hint=hint))

    def run(self, parser: Any) -> None:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, ev.StreamEndEvent):
                return
            if isinstance(event, ev.DocumentStartEvent):
                self.documents.append(self._document(parser, event, len(self.documents)))

    def _document(self, parser: Any, start: Any, index: int) -> Document:
        start_mark = (start.start_mark.line + 1, start.start_mark.column + 1)
        record = self.record
        positions: dict[Path, Spot] = {(): start_mark + start_mark + start_mark}
        document = Document(self.file, index, None, positions if record else None)
        anchors: dict[str, tuple[Any, int]] = {}
        stack: list[_Frame] = []
        count = 0  # values built so far, to size what an anchor holds
        alias_values = 0
        reported_aliases = False

        def place(value: Any, mark: tuple[int, int], first_count: int, anchor: str | None, event: Any) -> None:
            """Attach a finished value to its parent, or make it the document."""
            if anchor is not None:
                anchors[anchor] = (value, count - first_count)
            if not stack:
                document.data = value
                positions[()] = mark + mark + (event.end_mark.line + 1, event.end_mark.column + 1)
                return
            parent = stack[-1]
            if parent.is_map and parent.key is _NO_KEY:
                self._take_key(parent, value, mark, event)
                return
            keep = parent.keeps_child()
            path = parent.child_path() if record else ()
            if parent.is_map:
                key, parent.key = parent.key, _NO_KEY
                if keep and key in parent.value:
                    first_line = positions[path][0] if record else 0  # without positions the file is read again
                    self.findings.append(checks.DUPLICATE_KEY.at(
                        self.file, parent.key_mark[0], parent.key_mark[1],
                        f"key '{key}' is written twice in this mapping (first on line {first_line}); "
                        "a YAML reader would silently keep only the second",
                        hint=f"Keep one '{key}' and delete the other.",
                    ))
                    return
                if keep:
                    parent.value[key] = value
                    if record:
                        positions[path] = parent.key_mark + mark + (event.end_mark.line + 1, event.end_mark.column + 1)
            elif keep:
                parent.value.append(value)
                if record:
                    positions[path] = mark + mark + (event.end_mark.line + 1, event.end_mark.column + 1)

        get_event = parser.get_event
        scalar = self._scalar
        while True:
            event = get_event()
            kind = event.__class__  # one lookup instead of an isinstance chain: this loop is the hot path
            if kind is _DOCUMENT_END:
                return document
            # Marks are built only while recording positions: a file with any finding is read again with them.
            mark = (event.start_mark.line + 1, event.start_mark.column + 1) if record else _NO_MARK
            if kind is _SCALAR:
                count += 1
                place(scalar(event), mark, count - 1, event.anchor, event)
            elif kind is _MAPPING_START or kind is _SEQUENCE_START:
                count += 1
                self._check_tag(event)
                keep = True
                if stack:
                    parent = stack[-1]
                    keep = parent.keeps_child()
                    if parent.is_map and parent.key is _NO_KEY:
                        self.finding(checks.AMBIGUOUS_SCALAR, event.start_mark,
                                     "a list or mapping is used as a key; policy keys are plain words",
                                     hint="Write the key as a plain word such as 'owner'.")
                if len(stack) >= self.limits.max_depth:
                    # libyaml slows down with the square of the depth: stop reading here.
                    self.findings.append(_too_deep(self.file, event.start_mark.line + 1,
                                                   event.start_mark.column + 1, self.limits))
                    raise _StopReading
                path = stack[-1].child_path() if stack and keep and record else ()
                container: Any = {} if kind is _MAPPING_START else []
                stack.append(_Frame(container, path, mark, keep, event.anchor, count - 1,
                                    event.start_mark.line if event.flow_style else -1))
            elif kind is _MAPPING_END or kind is _SEQUENCE_END:
                frame = stack.pop()
                if frame.flow_line >= 0 and event.end_mark.line != frame.flow_line:
                    self.continues = True
                place(frame.value, frame.mark, frame.start_count, frame.anchor, event)
            elif kind is _ALIAS:
                if event.anchor not in anchors:
                    self.finding(checks.YAML_SYNTAX, event.start_mark,
                                 f"the alias '*{event.anchor}' refers to no anchor '&{event.anchor}' before it",
                                 hint=f"Define '&{event.anchor}' earlier in this document, or write the value out.")
                value, size = anchors.get(event.anchor, (None, 1))
                alias_values += size
                if alias_values > self.limits.max_alias_nodes:
                    value = None
                    if not reported_aliases:
                        reported_aliases = True
                        self.finding(checks.YAML_SYNTAX, event.start_mark,
                                     f"aliases in this document expand to more than {self.limits.max_alias_nodes:,} values",
                                     hint="Write the repeated values out, or use fewer aliases ('*name').")
                first_count = count
                count += size  # an alias counts as everything it expands to
                place(value, mark, first_count, None, event)

    def _take_key(self, frame: _Frame, key: Any, mark: tuple[int, int], event: Any) -> None:
        frame.key_mark = mark
        frame.key = None  # until the key proves to be a word, its value is dropped
        plain = isinstance(event, ev.ScalarEvent) and event.implicit[0] and not event.style
        if isinstance(key, str):
            if key == "<<" and plain:
                self.finding(checks.AMBIGUOUS_SCALAR, event.start_mark,
                             "merge keys ('<<') are a YAML 1.1 feature that YAML 1.2 readers do not apply",
                             hint="Write the fields out in full instead of merging them from an anchor.")
                return
            frame.key = key
            return
        if not isinstance(event, ev.ScalarEvent):
            return  # a list or mapping as key, reported where it starts
        if key is None:
            self.finding(checks.AMBIGUOUS_SCALAR, event.start_mark, "this key is empty; policy keys are plain words",
                         hint="Write the field name before the colon.")
            return
        kind = "true/false value" if isinstance(key, bool) else "number"
        self.finding(checks.AMBIGUOUS_SCALAR, event.start_mark,
                     f"the key {event.value} is read as a {kind}, not as text",
                     hint=f'Put the key in quotes: "{event.value}".')
        frame.key = event.value

    def _check_tag(self, event: Any) -> None:
        tag = event.tag
        if tag is not None and tag not in _CORE_TAGS:
            self.finding(checks.AMBIGUOUS_SCALAR, event.start_mark,
                         f"the tag '{tag}' is not allowed; policy files hold plain data only",
                         hint="Remove the tag (the word starting with '!').")

    def _scalar(self, event: Any) -> Any:
        value = event.value
        tag = event.tag
        if tag == "!":  # the non-specific tag: a scalar written `! 12` is the text "12" (YAML 1.2, 6.9.1)
            return value
        if tag is not None:
            self._check_tag(event)
            if tag == "tag:yaml.org,2002:str" or tag not in _CORE_TAGS:
                return value
            resolved, _ = resolve_plain(value)
            wanted = {"tag:yaml.org,2002:int": int, "tag:yaml.org,2002:float": (int, float),
                      "tag:yaml.org,2002:bool": bool, "tag:yaml.org,2002:null": type(None)}.get(tag)
            if wanted is not None and (not isinstance(resolved, wanted) or (wanted is int and isinstance(resolved, bool))):
                self.finding(checks.AMBIGUOUS_SCALAR, event.start_mark,
                             f"'{value}' does not match its tag '{tag}'",
                             hint="Remove the tag and write the value plainly.")
                return value
            return float(resolved) if tag.endswith(":float") else resolved
        if not event.implicit[0] or event.style:
            if event.style in ("'", '"') and event.end_mark.line != event.start_mark.line:
                self.continues = True  # a quoted value spanning lines (its context is looked at later)
            return value
        resolved, surprise = resolve_plain(value)
        if surprise is not None:
            self.finding(checks.AMBIGUOUS_SCALAR, event.start_mark, surprise,
                         hint=_surprise_hint(value))
        return resolved


def _surprise_hint(text: str) -> str:
    if text in YAML11_BOOL:
        return f"Write true or false for a yes/no field, or put the word in quotes (\"{text}\") if you mean the text."
    return f"Put the value in quotes (\"{text}\") if you mean the text, or write the number plainly."
