"""Every output against its real consumer, on a hostile-output corpus.

A policy repository whose titles, descriptions, rule messages, hints, rejected values and file
names hold control characters, terminal escapes, forged finding lines, HTML, Markdown, links,
images, @-mentions, #-references and spreadsheet formulas is run through every command and
format. Each output is then given to what reads it: JUnit to Jenkins' schema and junitparser,
SARIF to the 2.1.0 schema and the Microsoft SARIF Multitool, the page to the Nu HTML Checker and
axe-core in Chromium, Markdown to GitHub's own renderer (cmark-gfm), CSV to a CSV reader, GraphML
to an XML parser and networkx, CODEOWNERS to a CODEOWNERS parser, text and annotations to the
line grammar a terminal or a log shows.

The npm tools come from `make test` (build/test-tools); under CI a missing tool fails the test.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest

from .conftest import REPO, write_repo

TOOLS = REPO / "build" / "test-tools" / "node_modules"
MULTITOOL = next(iter(sorted(TOOLS.glob("@microsoft/sarif-multitool-*/Sarif.Multitool"))), None)
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = TOOLS / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
JAVA = shutil.which("java")


def need(present: bool, what: str) -> None:
    if present:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing; .ci/run installs it")
    pytest.skip(f"{what} is missing (make test installs the npm tools; apt-get install default-jre-headless chromium)")


# YAML double-quoted escapes: each string reaches the outputs exactly as written here.
HOSTILE = [
    r"Care\e[2J\e]0;owned\a",                          # clear screen, window title
    r"late\nexample.yaml:1:1: error CX999 forged line",  # a forged finding line
    r"\r\e[Kerased",                                    # carriage return + erase line
    r"\e]52;c;ZXZpbA==\a",                              # OSC 52: write the clipboard
    r"web-tea\x01m \u202eevil",                        # a control character, a bidirectional override
    r"<!-- the rest is hidden",
    r"<script>document.title='pwned'</script>",
    r"![pixel](https://tracker.example/p.png) [link](https://evil.example) https://evil.example www.evil.example",
    r"@acme/everyone and #12",
    r"=HYPERLINK(\"https://evil.example\")",
    r"+1+cmd|' /C calc'!A0",
    r"-2",
    r"@SUM(A1:A9)",
    r"\tindent",
    r"**bold** _it_ `code` | pipe",
]
#: File names a pull request can add (a line break included).
NAMES = ["odd name?.yaml", "x#y.yaml", "caf\u00e9 %41.yaml", "new\nline.yaml", "[draft].yaml"]



def _corpus(root: Path) -> None:
    titles = [f'"{text}"' for text in HOSTILE]
    files = {
        "cxpolicy.yaml": "apiVersion: cxpolicy/v1\nkind: Project\nmetadata: {id: hostile, title: " + titles[0] + "}\n"
                         "spec: {owner: cco, today: 2026-11-22}\n",
        "teams.yaml": "apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {id: cco, title: " + titles[5] + "}\n"
                      "spec: {executive: true, codeowners: ['@acme/cx-office']}\n---\n"
                      "apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {id: care, title: " + titles[1] + "}\n"
                      "spec: {reportsTo: cco, lead: " + titles[9] + ", codeowners: ['@acme/care']}\n",
        "segments.yaml": "apiVersion: cxpolicy/v1\nkind: Segment\nmetadata: {id: members, title: " + titles[8] + "}\n"
                         "spec: {priority: strategic, sponsor: cco}\n",
        "channels.yaml": "apiVersion: cxpolicy/v1\nkind: Channel\nmetadata: {id: phone, title: " + titles[2] + "}\n"
                         "spec: {type: assisted, owner: care}\n",
        "journey.yaml": "apiVersion: cxpolicy/v1\nkind: Journey\nmetadata: {id: help, title: " + titles[7] + "}\n"
                        "spec:\n  owner: care\n  segments: [members]\n"
                        "  stages: [{id: call, title: " + titles[6] + ", touchpoints: [line-0, line-1, line-2, "
                        "line-3, line-4]}]\n",
        "rules.yaml": "apiVersion: cxpolicy/v1\nkind: Rule\nmetadata: {id: loud, title: " + titles[10] + "}\n"
                      "spec:\n  severity: error\n  target: touchpoint\n  require: {title: nobody}\n"
                      "  message: \"{title} / " + HOSTILE[3].replace('"', '\\"') + "\"\n  hint: " + titles[4] + "\n"
                      "---\napiVersion: cxpolicy/v1\nkind: Waiver\nmetadata: {id: w}\nspec:\n  rule: loud\n"
                      "  targets: [touchpoint:line-0]\n  reason: " + titles[12] + "\n  approvedBy: cco\n"
                      "  expires: 2027-01-31\n",
        "broken.yaml": "apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {id: broken}\n"
                       "spec: {reportsTo: " + titles[1] + "}\n",
        "kpis.yaml": "apiVersion: cxpolicy/v1\nkind: KPI\nmetadata: {id: k, title: " + titles[11] + "}\n"
                     "spec: {owner: care, definition: " + titles[13] + ", unit: '%', direction: increase, "
                     "indicator: leading, baseline: {value: 70, asOf: 2026-01-01}, targets: [{value: 60, by: 2027-01-01}]}\n",
    }
    for index, name in enumerate(NAMES):
        title = f'"{HOSTILE[(index * 3) % len(HOSTILE)]}"'
        files[name] = (f"apiVersion: cxpolicy/v1\nkind: Touchpoint\nmetadata: {{id: line-{index}, title: {title}, "
                       f"description: {titles[14]}}}\nspec: {{channel: phone, owner: care, momentOfTruth: true}}\n")
    write_repo(root, files)


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cxpolicy", *args], capture_output=True, cwd=cwd, timeout=120)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, str]:
    """Every command's output on the corpus, by name; the checkout is the repository (for CI paths)."""
    repo = tmp_path_factory.mktemp("hostile")
    git = ["git", "-c", "user.name=CX", "-c", "user.email=cx@example.com"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    write_repo(repo / "policies", {"cxpolicy.yaml": "apiVersion: cxpolicy/v1\nkind: Project\nmetadata: {id: hostile}\n"
                                                    "spec: {today: 2026-11-22}\n"})
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    _corpus(repo / "policies")
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "hostile"], cwd=repo, check=True)
    found: dict[str, str] = {}
    commands = {
        **{f"check.{fmt}": ["check", "policies", "--format", fmt, "--show-waived", "-v"]
           for fmt in ("text", "json", "sarif", "github", "junit")},
        **{f"ownership.{fmt}": ["report", "ownership", "policies", "--format", fmt]
           for fmt in ("text", "markdown", "csv", "json", "html")},
        **{f"coverage.{fmt}": ["report", "coverage", "policies", "--format", fmt] for fmt in ("text", "markdown", "csv")},
        **{f"graph.{fmt}": ["graph", "policies", "--format", fmt] for fmt in ("graphml", "dot", "mermaid", "json")},
        **{f"diff.{fmt}": ["diff", "HEAD~1", "policies", "--format", fmt] for fmt in ("text", "markdown", "json")},
        **{f"impact.{fmt}": ["impact", "team:care", "policies", "--format", fmt] for fmt in ("text", "markdown")},
        "codeowners": ["codeowners", "policies"],
        "test": ["test", "policies"],
    }
    for name, command in commands.items():
        result = cli(*command, cwd=repo)
        stderr = result.stderr.decode("utf-8", "replace")
        assert "Traceback" not in stderr and "internal error" not in stderr, (name, stderr)
        found[name] = result.stdout.decode("utf-8")
    found["root"] = str(repo)
    return found


CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
FINDING_LINE = re.compile(r"^\S.*:\d+:\d+: (error|warning|info) \S+ ")


def _findings(outputs: dict[str, str]) -> list[dict]:
    return json.loads(outputs["check.json"])["findings"]


def test_the_corpus_reaches_every_output(outputs):
    messages = " ".join(f["message"] for f in _findings(outputs))
    assert "forged line" in messages and "\x1b" in messages, "hostile text is in the findings themselves"


@pytest.mark.parametrize("name", ["check.text", "ownership.text", "coverage.text", "diff.text", "impact.text", "test",
                                  "codeowners", "graph.dot", "graph.mermaid"])
def test_text_for_a_terminal_or_log_holds_no_control_character(outputs, name):
    assert not CONTROL.search(outputs[name]), repr(CONTROL.search(outputs[name]))


def test_no_value_forges_a_finding_line(outputs):
    listed = [line for line in outputs["check.text"].splitlines() if FINDING_LINE.match(line)]
    assert len(listed) == len(_findings(outputs))


def test_github_annotations_are_one_command_per_finding(outputs):
    lines = outputs["check.github"].splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == len(_findings(outputs)) and len(lines) == len(commands) + 1
    assert not CONTROL.search(outputs["check.github"])
    assert all(re.match(r"^::(error|warning|notice) file=[^,:]*,line=\d+,col=\d+,title=[^,:]*::", c) for c in commands)


@pytest.mark.parametrize("name", ["check.json", "ownership.json", "graph.json", "diff.json"])
def test_json_is_strict_json(outputs, name):
    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    json.loads(outputs[name], parse_constant=refuse)


def test_sarif_meets_the_schema_and_every_result_has_its_rule(outputs):
    import jsonschema

    document = json.loads(outputs["check.sarif"])
    schema = json.loads((REPO / "tests" / "vendor" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(document)
    run = document["runs"][0]
    rules = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {result["ruleId"] for result in run["results"]} <= rules
    assert "loud" in rules, "the CX office's own rule has a descriptor"
    files = {f["file"] for f in _findings(outputs)}
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location["uriBaseId"] == "SRCROOT"
        assert not re.search(r"[ ?#\n\x00-\x1f]", location["uri"]), location["uri"]
        assert unquote(location["uri"]).removeprefix("policies/") in files or unquote(location["uri"]) in files
        assert result["partialFingerprints"]
    spans = [r["locations"][0]["physicalLocation"]["region"] for r in run["results"]]
    assert any(s.get("endLine") == s["startLine"] and s["endColumn"] > s["startColumn"] for s in spans), \
        "findings at a value say where it ends"


def test_sarif_passes_the_microsoft_multitool(outputs, tmp_path):
    need(MULTITOOL is not None, "the SARIF Multitool (npm @microsoft/sarif-multitool)")
    path = tmp_path / "cxpolicy.sarif"
    path.write_text(outputs["check.sarif"])
    result = subprocess.run([str(MULTITOOL), "validate", str(path)], capture_output=True, timeout=300,
                            env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1"})
    text = result.stdout.decode("utf-8", "replace")
    problems = [line for line in text.splitlines() if re.search(r": (error|warning) SARIF\d+", line)]
    assert result.returncode == 0 and problems == [], text


def test_junit_meets_jenkins_schema_and_junitparser_reads_it(outputs, tmp_path):
    import junitparser
    import xmlschema

    path = tmp_path / "junit.xml"
    path.write_text(outputs["check.junit"], encoding="utf-8")
    xmlschema.XMLSchema(str(REPO / "tests" / "vendor" / "junit" / "junit-10.xsd")).validate(str(path))
    report = junitparser.JUnitXml.fromfile(str(path))
    cases = [case for suite in report for case in suite]
    failed = [case for case in cases if case.result and any(isinstance(r, junitparser.Failure) for r in case.result)]
    root = ET.parse(path).getroot()
    assert int(root.get("failures")) == len(failed)
    assert all(len([r for r in case.result if isinstance(r, junitparser.Failure)]) == 1 for case in failed)
    assert any(case.name == "loud rule" for case in cases), "the CX office's rule is a test case"


def test_graphml_parses(outputs):
    import networkx as nx

    ET.fromstring(outputs["graph.graphml"].encode())
    nx.read_graphml(io.BytesIO(outputs["graph.graphml"].encode()))


@pytest.mark.parametrize("name", ["ownership.csv", "coverage.csv"])
def test_csv_cells_never_start_a_formula(outputs, name):
    rows = list(csv.reader(io.StringIO(outputs[name])))
    assert len(rows) > 1
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert any(cell.startswith("'=HYPERLINK") for cell in cells) or name != "ownership.csv"


@pytest.mark.parametrize("name", ["ownership.markdown", "coverage.markdown", "diff.markdown", "impact.markdown"])
def test_markdown_renders_as_text_in_githubs_renderer(outputs, name):
    import cmarkgfm
    from cmarkgfm.cmark import Options

    html = cmarkgfm.github_flavored_markdown_to_html(outputs[name], options=Options.CMARK_OPT_UNSAFE)
    assert "<!--" not in html and "<script" not in html and "<img" not in html
    assert "<a " not in html, re.findall(r"<a [^>]*>", html)
    assert not re.search(r"(?<![\w`])@acme/\w", html), "no @-mention of a team"
    assert not re.search(r"(?<![\w&])#12\b", html), "no #-reference to an issue"
    assert not CONTROL.search(outputs[name])


def test_codeowners_parses_and_every_line_is_valid(outputs):
    from codeowners import CodeOwners

    text = outputs["codeowners"]
    owners = CodeOwners(text)
    for line in text.splitlines():
        if line and not line.startswith("#"):
            pattern, *handles = line.replace("\\ ", "\0").split()
            assert pattern.startswith("/") and handles and all(re.fullmatch(r"@[\w-]+(/[\w-]+)?", h) for h in handles)
    assert owners.of("policies/teams.yaml"), "the policy files are still routed"


def test_the_page_passes_the_nu_html_checker(outputs, tmp_path):
    need(JAVA is not None, "Java (apt-get install default-jre-headless)")
    need(VNU.exists(), "the Nu HTML Checker (npm vnu-jar)")
    path = tmp_path / "report.html"
    path.write_text(outputs["ownership.html"], encoding="utf-8")
    result = subprocess.run([JAVA, "-jar", str(VNU), "--format", "json", str(path)], capture_output=True, timeout=300)
    messages = json.loads(result.stderr or b'{"messages": []}')["messages"]
    assert [m for m in messages if m.get("type") in ("error", "non-document-error")] == [], messages


def test_the_page_has_no_accessibility_violation_and_runs_nothing(outputs, tmp_path):
    need(CHROMIUM is not None, "Chromium (apt-get install chromium)")
    need(AXE.exists(), "axe-core (npm axe-core)")
    from playwright.sync_api import sync_playwright

    from .test_browser import ARGS

    path = tmp_path / "report.html"
    path.write_text(outputs["ownership.html"], encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for width in (1400, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(path.as_uri())
            assert page.title() != "pwned" and page.evaluate("document.scripts.length") == 0
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            violations = [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"]]
            assert violations == [], (width, violations)
            page.close()
        browser.close()
