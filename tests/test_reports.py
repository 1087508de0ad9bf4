"""Reports: every format renders, the numbers agree across formats, and impact matches what check finds."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from cxpolicy import engine
from cxpolicy.atomic import write_atomic
from cxpolicy.reports.ownership import ROLES

from .conftest import POLICIES, REPO


@pytest.mark.parametrize("kind", ["ownership", "coverage"])
@pytest.mark.parametrize("output_format", ["text", "markdown", "csv", "json", "html"])
def test_every_report_renders_in_every_format(run, kind, output_format):
    result = run("report", kind, str(POLICIES), "--format", output_format)
    assert result.exit_code == 0, result.output
    assert "customer-care" in result.output or "Customer Care" in result.output or kind == "coverage"
    assert "returns" in result.output


def test_ownership_numbers_agree_across_json_csv_and_markdown(run):
    document = json.loads(run("report", "ownership", str(POLICIES), "--format", "json").output)
    from_json = Counter((team["id"], h["role"]) for group in document["executives"] for team in group["teams"]
                        for h in team["holdings"])
    rows = list(csv.DictReader(io.StringIO(run("report", "ownership", str(POLICIES), "--format", "csv").output)))
    from_csv = Counter((row["team"], row["role"]) for row in rows)
    assert from_json == from_csv and sum(from_csv.values()) > 100
    markdown = run("report", "ownership", str(POLICIES), "--format", "markdown").output
    from_markdown: Counter = Counter()
    team = None
    for line in markdown.split("## Journeys")[0].splitlines():
        heading = re.match(r"### .*\(`([a-z0-9-]+)`", line)
        if heading:
            team = heading[1]
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if line.startswith("| ") and cells[0] in ROLES:
            from_markdown[(team, cells[0])] += 1
    assert from_markdown == from_csv
    # The example's 40 touchpoints, 8 journeys, 21 standards, 18 KPIs, 8 channels, 7 listening posts, 2 datasets.
    assert sum(n for (_, role), n in from_json.items() if role == "accountable") == 40 + 8 + 21 + 18 + 8 + 7 + 2


def test_coverage_numbers_agree_across_json_csv_and_markdown(run):
    document = json.loads(run("report", "coverage", str(POLICIES), "--format", "json").output)
    from_json = {(row["scope"], row["id"], name): (m["met"], m["total"])
                 for row in [*document["journeys"], *document["segments"], document["total"]]
                 for name, m in row["measures"].items()}
    rows = csv.DictReader(io.StringIO(run("report", "coverage", str(POLICIES), "--format", "csv").output))
    from_csv = {(r["scope"], r["id"], r["measure"]): (int(r["met"]), int(r["total"])) for r in rows}
    assert from_json == from_csv
    markdown = run("report", "coverage", str(POLICIES), "--format", "markdown").output
    header = None
    from_markdown = {}
    for line in markdown.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[:2] == ["scope", "id"]:
            header = cells
        elif header and len(cells) == len(header) and cells[0] in ("journey", "segment", "total"):
            for name, value in zip(header[3:], cells[3:]):
                met, total = value.split(" ")[0].split("/")
                from_markdown[(cells[0], cells[1], name)] = (int(met), int(total))
    assert from_markdown == from_json
    assert from_json[("total", "total", "owned")] == (40, 40)


def test_team_option_narrows_the_ownership_report(run):
    document = json.loads(run("report", "ownership", str(POLICIES), "--format", "json", "--team", "returns-ops").output)
    teams = [team["id"] for group in document["executives"] for team in group["teams"]]
    assert teams == ["returns-ops"]
    assert {j["id"] for j in document["journeys"]} == {"returns"}
    document = json.loads(run("report", "ownership", str(POLICIES), "--format", "json", "--team", "fulfilment").output)
    teams = [team["id"] for group in document["executives"] for team in group["teams"]]
    assert teams == ["fulfilment", "returns-ops"], "returns-ops reports to fulfilment: its holdings depend on it"
    assert {j["id"] for j in document["journeys"]} == {"delivery", "returns"}
    assert run("report", "ownership", str(POLICIES), "--team", "returns-opps").exit_code == 2


def test_unowned_items_are_listed(run, tmp_path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    path = root / "touchpoints" / "web.yaml"
    path.write_text(path.read_text().replace("metadata: {id: product-pages, title: Product pages}\nspec:\n  channel: web\n  owner: digital-commerce\n",
                                             "metadata: {id: product-pages, title: Product pages}\nspec:\n  channel: web\n"))
    document = json.loads(run("report", "ownership", str(root), "--format", "json").output)
    assert [u["entity"] for u in document["unowned"]] == ["touchpoint:product-pages"]
    cell = next(c for j in document["journeys"] for c in j["cells"] if c["touchpoint"] == "product-pages")
    assert cell["status"] == "unowned" and cell["accountable"] is None


def _without_document(text: str, ident: str) -> str:
    documents = text.split("\n---\n")
    kept = [d for d in documents if not re.search(rf"^  id: {ident}$|id: {ident}[,}}]", d, re.M)]
    assert len(kept) == len(documents) - 1
    return "\n---\n".join(kept)


@pytest.mark.parametrize("team,file", [("customer-care", "teams/operations.yaml"), ("cmo", "teams/executives.yaml"),
                                       ("stores", "teams/operations.yaml")])
def test_impact_of_a_team_is_what_check_finds_after_deleting_it(run, tmp_path, team, file):
    impact = json.loads(run("impact", f"team:{team}", str(POLICIES), "--format", "json").output)
    predicted = {(c["code"], c["entity"]) for c in impact["consequences"]}
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    (root / file).write_text(_without_document((root / file).read_text(), team))
    findings = engine.run(str(root), engine.Options()).outcome.findings
    found = {(f.code, f.entity) for f in findings if f.code in ("CX104", "CX401", "CX402", "CX403")}
    assert predicted == found and predicted


def test_impact_lists_dependents_of_any_entity(run):
    document = json.loads(run("impact", "touchpoint:returns-portal", str(POLICIES), "--format", "json").output)
    dependents = {(d["relation"], d["entity"]) for d in document["dependents"]}
    assert ("contains", "journey:returns/request") in dependents
    assert ("applies_to", "servicestandard:return-authorised-1d") in dependents
    assert not any(entity.startswith("team:") for _, entity in dependents), "a touchpoint's owner does not depend on it"
    assert document["consequences"] == []
    team = json.loads(run("impact", "team:returns-ops", str(POLICIES), "--format", "json").output)
    assert {"relation": "accountable", "entity": "touchpoint:returns-portal", "title": "Online returns portal"} \
        in team["dependents"]
    assert "Depends on it" in run("impact", "touchpoint:returns-portal", str(POLICIES)).output


def test_impact_of_unknown_entity_is_a_usage_error(run):
    result = run("impact", "team:customer-cares", str(POLICIES))
    assert result.exit_code == 2 and "Did you mean 'team:customer-care'?" in result.stderr


def _repository(tmp_path: Path) -> Path:
    """A repository with the policies in a subfolder and the committed CODEOWNERS."""
    (tmp_path / ".git").mkdir()
    shutil.copytree(POLICIES, tmp_path / "policies")
    (tmp_path / ".github").mkdir()
    shutil.copy(REPO / ".github" / "CODEOWNERS", tmp_path / ".github" / "CODEOWNERS")
    return tmp_path


def test_committed_codeowners_is_current(run):
    result = run("codeowners", str(POLICIES), "--check")
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(".github/CODEOWNERS is current.")


def test_codeowners_check_fails_after_an_owner_changes(run, tmp_path):
    repo = _repository(tmp_path)
    assert run("codeowners", str(repo / "policies"), "--check").exit_code == 0
    path = repo / "policies" / "journeys" / "trade-account.yaml"
    path.write_text(path.read_text().replace("  owner: trade-desk\n", "  owner: customer-care\n"))
    result = run("codeowners", str(repo / "policies"), "--check", "--output", str(repo / ".github/CODEOWNERS"))
    assert result.exit_code == 1
    assert "-/policies/journeys/trade-account.yaml" in result.output
    assert "@northwind/customer-care" in result.output.split("+/policies/journeys/trade-account.yaml")[1].splitlines()[0]


def test_codeowners_follows_github_semantics(run, tmp_path):
    repo = _repository(tmp_path)
    text = run("codeowners", str(repo / "policies")).output
    rules = [line.split() for line in text.splitlines() if line and not line.startswith("#")]
    assert rules[0] == ["/policies/", "@northwind/cx-office"]
    patterns = [rule[0] for rule in rules]
    assert patterns[-1] == "/.github/CODEOWNERS" and rules[-1][1:] == ["@northwind/cx-office"]
    assert patterns[1:-1] == sorted(patterns[1:-1]) and all(p.startswith("/policies/") for p in patterns[:-1])
    returns = dict((rule[0], rule[1:]) for rule in rules)["/policies/journeys/returns.yaml"]
    assert returns == ["@northwind/returns-ops", "@northwind/cx-office"]
    assert run("codeowners", str(repo / "policies")).output == text


def test_graph_exports_parse_back(run):
    data = json.loads(run("graph", str(POLICIES), "--format", "json").output)
    graph = nx.node_link_graph(data, edges="links")
    assert graph.number_of_nodes() > 150 and graph.has_edge("team:returns-ops", "touchpoint:returns-portal")
    graphml = run("graph", str(POLICIES), "--format", "graphml").output
    parsed = nx.read_graphml(io.BytesIO(graphml.encode()))
    assert parsed.number_of_nodes() == graph.number_of_nodes()
    ET.fromstring(graphml.encode())
    dot = run("graph", str(POLICIES), "--format", "dot").output
    assert dot.startswith("digraph cxpolicy {") and '"team:returns-ops" -> "touchpoint:returns-portal"' in dot
    mermaid = run("graph", str(POLICIES), "--format", "mermaid").output
    assert mermaid.startswith("flowchart LR\n") and "-->|accountable|" in mermaid


def test_graph_focus_depth_and_relation(run):
    data = json.loads(run("graph", str(POLICIES), "--focus", "touchpoint:returns-portal", "--depth", "1").output)
    nodes = {node["id"] for node in data["nodes"]}
    assert "touchpoint:returns-portal" in nodes and "team:returns-ops" in nodes and "journey:returns" not in nodes
    data = json.loads(run("graph", str(POLICIES), "--relation", "reports_to").output)
    assert {link["relation"] for link in data["links"]} == {"reports_to"}
    assert all(node["kind"] == "team" for node in data["nodes"])
    assert run("graph", str(POLICIES), "--focus", "touchpoint:nowhere").exit_code == 2
    assert run("graph", str(POLICIES), "--relation", "owns").exit_code == 2


def test_atomic_write_leaves_the_old_file_when_interrupted(tmp_path, monkeypatch):
    target = tmp_path / "CODEOWNERS"
    target.write_text("old\n")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", fail)
    with pytest.raises(OSError):
        write_atomic(str(target), "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["CODEOWNERS"]


def test_findings_about_a_stage_mark_its_column_on_the_journey_map(run, tmp_path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    path = root / "touchpoints" / "contact-centre.yaml"
    path.write_text(path.read_text().replace("  handoffs:\n    - to: returns-courier-pickup\n", ""))
    document = json.loads(run("report", "ownership", str(root), "--format", "json").output)
    returns = next(j for j in document["journeys"] if j["id"] == "returns")
    stages = {stage["id"]: stage for stage in returns["stages"]}
    assert stages["request"]["status"] == "warning"
    assert "no declared hand-off" in stages["request"]["notes"][0]
    assert stages["refund"] == {"id": "refund", "title": "Get the refund", "status": "clean", "notes": []}
    page = run("report", "ownership", str(root), "--format", "html").output
    assert 'class="stage status-warning">Request a return<div class="note">' in page
