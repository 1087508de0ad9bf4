"""The policy graph for other tools: Graphviz DOT, GraphML (Gephi, yEd), node-link JSON (networkx, D3), Mermaid.

Nodes and edges are written in sorted order so the same policy gives the same file.
"""

from __future__ import annotations

import io
import json

import networkx as nx

from cxpolicy.policyset import PolicySet
from cxpolicy.render.neutral import terminal, xml

FORMATS = ("dot", "graphml", "json", "mermaid")
SHAPES = {"team": "box", "segment": "ellipse", "channel": "hexagon", "touchpoint": "box", "stage": "note",
          "journey": "cds", "servicestandard": "component", "kpi": "diamond", "listeningpost": "house"}


def _nodes(graph: nx.MultiDiGraph, policy: PolicySet) -> list[tuple[str, str, str]]:
    """(id, kind, title) for every node, sorted."""
    nodes = []
    for node in sorted(graph.nodes):
        kind = graph.nodes[node].get("kind", node.partition(":")[0])
        entity = policy.get(node)
        title = entity.title if entity is not None else node.rpartition("/")[2]
        nodes.append((node, kind, title))
    return nodes


def _edges(graph: nx.MultiDiGraph) -> list[tuple[str, str, str]]:
    return sorted((u, v, key) for u, v, key in graph.edges(keys=True))


def json_export(graph: nx.MultiDiGraph, policy: PolicySet) -> str:
    """networkx node-link data: `nx.node_link_graph(data, edges="links")` reads it back."""
    document = {
        "directed": True,
        "multigraph": True,
        "graph": {},
        "nodes": [{"id": node, "kind": kind, "title": title} for node, kind, title in _nodes(graph, policy)],
        "links": [{"source": u, "target": v, "key": key, "relation": key} for u, v, key in _edges(graph)],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def graphml(graph: nx.MultiDiGraph, policy: PolicySet) -> str:
    ordered = nx.MultiDiGraph()
    for node, kind, title in _nodes(graph, policy):
        ordered.add_node(xml(node), kind=kind, title=xml(title))
    for u, v, key in _edges(graph):
        ordered.add_edge(xml(u), xml(v), key=key, relation=key)
    buffer = io.BytesIO()
    nx.write_graphml(ordered, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue().decode("utf-8")


def _dot_quote(*lines: str) -> str:
    """A DOT string of one or more lines; what the policy files hold cannot end it or break it."""
    return '"' + "\\n".join(terminal(text).replace("\\", "\\\\").replace('"', '\\"') for text in lines) + '"'


def dot(graph: nx.MultiDiGraph, policy: PolicySet) -> str:
    lines = ["digraph cxpolicy {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=8];']
    for node, kind, title in _nodes(graph, policy):
        lines.append(f"  {_dot_quote(node)} [label={_dot_quote(kind, title)}, shape={SHAPES.get(kind, 'box')}];")
    for u, v, key in _edges(graph):
        lines.append(f"  {_dot_quote(u)} -> {_dot_quote(v)} [label={_dot_quote(key)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_label(text: str) -> str:
    return '"' + terminal(text).replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;") + '"'


def mermaid(graph: nx.MultiDiGraph, policy: PolicySet) -> str:
    """A Mermaid flowchart, for a ```mermaid block in Markdown (GitHub renders it)."""
    nodes = _nodes(graph, policy)
    ids = {node: f"n{index}" for index, (node, _, _) in enumerate(nodes)}
    lines = ["flowchart LR"]
    lines += [f"  {ids[node]}[{_mermaid_label(f'{kind}: {title}')}]" for node, kind, title in nodes]
    lines += [f"  {ids[u]} -->|{key}| {ids[v]}" for u, v, key in _edges(graph)]
    return "\n".join(lines) + "\n"


RENDERERS = {"dot": dot, "graphml": graphml, "json": json_export, "mermaid": mermaid}
