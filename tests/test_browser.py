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
    text = page.inner_text("body")
    for expected in ("Customer Care", "Returns Operations", "Chief Operating Officer", "Online returns portal",
                     "Return collected from home", "Coverage scorecard"):
        assert expected in text
    returns_map = page.locator("#journey-returns ~ table.map").first
    assert returns_map.locator("th").first.inner_text() == "channel"
    assert returns_map.locator("[data-touchpoint=returns-portal]").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-summary.png"))
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
    page.locator("#journey-help ~ table.map").first.screenshot(path=str(ARTIFACTS / "journey-map-unowned.png"))
    page.close()


def test_report_reads_the_same_with_javascript_off(run, browser, tmp_path):
    report = tmp_path / "report.html"
    run("report", "coverage", str(POLICIES), "--format", "html", "--output", str(report))
    page = browser.new_page(java_script_enabled=False)
    page.goto(report.as_uri())
    assert "Customer Care" in page.inner_text("body")
    assert page.locator("table.map").count() == 8
    page.close()
