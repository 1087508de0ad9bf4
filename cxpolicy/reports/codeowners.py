"""Review routing: each policy file to the teams accountable for what it defines, and the CX office.

GitHub reads CODEOWNERS top to bottom and the last matching pattern wins, so
the default (the policy folder, for the CX office) comes first and each file's
own line, which names the CX office too, comes after it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from cxpolicy.graph import PolicyGraph
from cxpolicy.policyset import Entity, PolicySet


@dataclass(frozen=True)
class Route:
    pattern: str  # as written in CODEOWNERS, anchored at the repository root
    handles: tuple[str, ...]
    why: str  # the teams behind the handles


def repository_root(start: str) -> str:
    """The nearest folder upward holding .git (CODEOWNERS paths are relative to it), else `start`."""
    here = os.path.abspath(start)
    folder = here
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return here
        folder = parent


def _team_of(graph: PolicyGraph, entity: Entity) -> str | None:
    if entity.kind == "Team":
        return entity.id
    if entity.kind == "Waiver":
        return entity.spec.approved_by
    if entity.kind in ("Rule",):
        return None
    return graph.accountable_team(entity)


#: What a CODEOWNERS path cannot hold: GitHub reads `*`, `?` and `[` as wildcards, documents no escape
#: for them, `#` or `!` or `\\` and any control character or line break would change the line's meaning.
_UNROUTABLE = re.compile(r"[*?\[\]\\#!\x00-\x1f\x7f-\x9f\u2028\u2029]|\s(?<! )")
SELF = ".github/CODEOWNERS"


@dataclass
class Routing:
    routes: list[Route]
    unroutable: list[str] = field(default_factory=list)  # policy files whose names CODEOWNERS cannot express


def _pattern(prefix: str, relpath: str) -> str | None:
    """The file's CODEOWNERS pattern, spaces escaped as GitHub documents; None when it cannot be written."""
    path = prefix + relpath
    return None if _UNROUTABLE.search(path) else "/" + path.replace(" ", "\\ ")


def routes(policy: PolicySet, graph: PolicyGraph, repo_root: str) -> Routing:
    prefix = os.path.relpath(os.path.abspath(policy.root), repo_root).replace(os.sep, "/")
    prefix = "" if prefix == "." else prefix + "/"

    def handles_of(team: str | None) -> tuple[str, ...]:
        entity = policy.get(f"team:{team}") if team else None
        return tuple(entity.spec.codeowners) if entity is not None else ()

    office = policy.project.owner
    default = handles_of(office)
    found = [Route("/" + prefix if prefix else "*", default, office or "")] if default else []
    unroutable = []
    teams_by_file: dict[str, set[str]] = {}
    for kind in sorted(policy.entities):
        for entity in policy.of(kind):
            team = _team_of(graph, entity)
            teams_by_file.setdefault(entity.file, set())
            if team is not None:
                teams_by_file[entity.file].add(team)
    for relpath in sorted(teams_by_file):
        teams = sorted(teams_by_file[relpath] - ({office} if office else set()))
        handles = tuple(dict.fromkeys(handle for team in teams for handle in handles_of(team))) + default
        if handles and handles != default:
            pattern = _pattern(prefix, relpath)
            if pattern is None:
                unroutable.append(prefix + relpath)
            else:
                found.append(Route(pattern, tuple(dict.fromkeys(handles)), ", ".join(teams)))
    if default:  # the review routing itself is the CX office's to change
        found.append(Route("/" + SELF, default, office or ""))
    return Routing(found, unroutable)
