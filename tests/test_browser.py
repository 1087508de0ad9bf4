"""The browser report in a real headless Chromium (Debian's `chromium`, driven by Playwright).

In CI the browser must be there (.ci/run installs it): the test fails rather
than skips. Screenshots are saved to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .conftest import POLICIES, REPO

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = REPO / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("chromium is not installed; .ci/run installs it (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def open_report(browser, path: Path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, java_script_enabled=True)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: problems.append(f"network: {request.url}")
            if not request.url.startswith("file:") else None)
    page.goto(path.as_uri())
    return page, problems


def test_report_of_the_example_loads_cleanly_and_shows_teams_and_journey_maps(run, browser, tmp_path):
    report = tmp_path / "report.html"
    assert run("report", "ownership", str(POLICIES), "--format", "html", "--output", str(report)).exit_code == 0
    page, problems = open_report(browser, report)
    assert problems == []
    text = page.text_content("body")
    for expected in ("Customer Care", "Returns Operations", "Chief Operating Officer", "Online returns portal",
                     "Return collected from home", "Coverage scorecard"):
        assert expected in text
    returns_map = page.locator("details:has(#journey-returns) table.map").first
    assert returns_map.locator("th").first.text_content() == "channel"
    assert returns_map.locator("[data-touchpoint=returns-portal]").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-summary.png"))
    page.locator("details:has(#journey-returns) > summary").click()  # closed while it has nothing to look at
    returns_map.screenshot(path=str(ARTIFACTS / "journey-map-returns.png"))
    page.close()


def test_user_strings_are_escaped_and_never_run(run, browser, tmp_path):
    script = "<script>document.body.dataset.pwned = 'yes'</script>"
    (tmp_path / "policy.yaml").write_text(f"""\
apiVersion: cxpolicy/v1
kind: Team
metadata: {{id: cco, title: "{script}"}}
spec: {{executive: true}}
---
apiVersion: cxpolicy/v1
kind: Segment
metadata: {{id: members}}
spec: {{priority: core, sponsor: cco}}
---
apiVersion: cxpolicy/v1
kind: Channel
metadata: {{id: phone}}
spec: {{type: assisted, owner: cco}}
---
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {{id: line, title: "<img src=x onerror=\\"document.body.dataset.pwned='img'\\">Line"}}
spec: {{channel: phone, momentOfTruth: true}}
---
apiVersion: cxpolicy/v1
kind: Journey
metadata: {{id: help, title: "Help {script}"}}
spec:
  owner: cco
  segments: [members]
  stages: [{{id: call, title: "Call {script}", touchpoints: [line]}}]
""", encoding="utf-8")
    report = tmp_path / "report.html"
    run("report", "ownership", str(tmp_path), "--format", "html", "--output", str(report))
    page, problems = open_report(browser, report)
    assert page.evaluate("document.body.dataset.pwned") is None
    assert problems == []
    text = page.inner_text("body")
    assert script in text and "Help " + script in text
    cell = page.locator("[data-touchpoint=line]")
    assert "status-unowned" in cell.get_attribute("class")
    assert "no accountable team" in cell.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("details:has(#journey-help) table.map").first.screenshot(path=str(ARTIFACTS / "journey-map-unowned.png"))
    page.close()


def test_report_reads_the_same_with_javascript_off(run, browser, tmp_path):
    report = tmp_path / "report.html"
    run("report", "coverage", str(POLICIES), "--format", "html", "--output", str(report))
    page = browser.new_page(java_script_enabled=False)
    page.goto(report.as_uri())
    assert "Customer Care" in page.inner_text("body")
    assert page.locator("table.map").count() == 8
    page.close()


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory) -> Path:
    """The page `make demo` writes: the example, with a year of history from git."""
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    import history_example

    from click.testing import CliRunner

    from cxpolicy.cli import cli

    folder = tmp_path_factory.mktemp("demo")
    policies = history_example.build(folder / "repo")
    page = folder / "report.html"
    result = CliRunner().invoke(cli, ["report", "ownership", str(policies), "--format", "html", "--history", "12",
                                      "--output", str(page)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return page


def test_the_demo_page_shows_the_waiver_the_kpi_charts_and_the_history(browser, demo_page):
    page, problems = open_report(browser, demo_page)
    assert problems == [] and page.evaluate("document.scripts.length") == 0
    waivers = page.locator("#waivers").inner_text()
    for expected in ("Trade journey review waits for the new trade portal", "Chief Marketing Officer", "2027-01-31",
                     "The trade journey is being redrawn"):
        assert expected in waivers
    assert page.locator("#kpis svg.chart").count() == 19  # 18 trajectories and the drives diagram
    assert page.locator("#history svg.chart").count() == 2
    glance = page.locator("#glance").inner_text()  # the policy is clean, but the Plus line broke its promise
    assert "Nothing is at risk" not in glance and "Plus members' calls answered within 20 seconds" in glance
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "demo-desktop.png"), full_page=True)
    page.close()


def test_dates_in_the_tables_are_never_broken_over_two_lines(browser, demo_page):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(demo_page.as_uri())
    lines = page.evaluate("""[...document.querySelectorAll('#waivers td, #history td')]
        .filter(cell => /^\\d{4}-\\d{2}-\\d{2}/.test(cell.textContent.trim()))
        .map(cell => { const range = document.createRange(); range.selectNodeContents(cell.firstChild);
                       return [cell.firstChild.textContent.trim(), range.getClientRects().length]; })""")
    page.close()
    assert len(lines) >= 13  # the waiver's end and the twelve revisions' dates
    assert [date for date, count in lines if count != 1] == []


def test_the_demo_page_has_no_sideways_scroll_on_a_phone(browser, demo_page):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(demo_page.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    wide = page.evaluate("[...document.querySelectorAll('.scroll')].filter(e => e.scrollWidth > e.clientWidth).length")
    assert wide > 0  # the wide tables scroll inside their own box instead
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "demo-phone.png"), full_page=True)
    page.close()


def test_the_demo_page_has_no_accessibility_violation_on_desktop_or_phone(browser, demo_page):
    from .test_conformance import AXE, need

    need(AXE.exists(), "axe-core (npm axe-core)")
    for width in (1400, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(demo_page.as_uri())
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        assert [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"]] == [], width
        page.close()


def test_the_demo_page_passes_the_nu_html_checker(demo_page):
    import json
    import subprocess

    from .test_conformance import JAVA, VNU, need

    need(JAVA is not None, "Java (apt-get install default-jre-headless)")
    need(VNU.exists(), "the Nu HTML Checker (npm vnu-jar)")
    result = subprocess.run([JAVA, "-jar", str(VNU), "--format", "json", str(demo_page)], capture_output=True,
                            timeout=300)
    messages = json.loads(result.stderr or b'{"messages": []}')["messages"]
    assert [m for m in messages if m.get("type") in ("error", "non-document-error")] == [], messages


def test_the_demo_page_prints_with_every_map_and_chart(browser, demo_page, tmp_path):
    """Printed to PDF by Chromium: the closed maps print open, navigation is left out; the first pages
    are turned into pictures (pdftoppm) in test-artifacts/ for a person to look at."""
    import subprocess

    pdftoppm, pdftotext = shutil.which("pdftoppm"), shutil.which("pdftotext")
    if pdftoppm is None or pdftotext is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing; .ci/run installs it (apt-get install poppler-utils)")
        pytest.skip("pdftoppm is missing (apt-get install poppler-utils)")
    page = browser.new_page()
    page.goto(demo_page.as_uri())
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.close()
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=120).stdout
    assert "At a glance" in text and "Waivers" in text
    assert "Online returns portal" in text  # a map that is closed on screen
    assert "Journey maps Coverage" not in text  # the navigation is not printed
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("demo-print-*.png"):
        old.unlink()
    subprocess.run([pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "3", str(pdf), str(ARTIFACTS / "demo-print")],
                   check=True, timeout=120)
    assert len(list(ARTIFACTS.glob("demo-print-*.png"))) == 3
