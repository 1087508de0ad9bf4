"""The executive view (reports/executive.py), the page's reading of the maps, the history from git, and
text reports fitted to a width."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cxpolicy import engine, source
from cxpolicy.reports import coverage, executive, history, ownership

from .conftest import POLICIES, REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import history_example  # noqa: E402

DAY = dt.date(2026, 12, 2)


def _view(root: Path | str, today: dt.date = DAY):
    run = engine.run(str(root), engine.Options(today=today))
    return run, executive.build(run, coverage.build(run.policy, run.graph), waivers_as_of=today)


def test_the_live_waiver_is_shown_with_what_it_hides_its_approver_and_days_left():
    _, view = _view(POLICIES)
    (waiver,) = view.waivers
    assert waiver.id == "trade-journey-review-deferred" and waiver.state == "live"
    assert waiver.approver == "Chief Marketing Officer" and waiver.expires == dt.date(2027, 1, 31)
    assert waiver.days_left == (dt.date(2027, 1, 31) - DAY).days
    assert len(waiver.hides) == 1 and "trade-account was due for review" in waiver.hides[0]
    _, later = _view(POLICIES, dt.date(2027, 1, 15))
    assert later.waivers[0].state == "expires soon"
    _, expired = _view(POLICIES, dt.date(2027, 2, 1))
    assert expired.waivers[0].state == "expired"


def test_risks_are_grouped_by_executive_with_the_team_that_must_act(tmp_path: Path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    path = root / "touchpoints" / "web.yaml"
    path.write_text(path.read_text().replace("  owner: digital-commerce\n", "", 1))
    _, view = _view(root)
    risks = [(group.executive, risk.severity, risk.code, risk.team) for group in view.risks for risk in group.risks]
    assert ("Chief Customer Officer", "error", "CX401", "CX Office") in risks  # nobody owns it: the CX office acts
    assert [risk.severity for group in view.risks for risk in group.risks] == sorted(
        (risk.severity for group in view.risks for risk in group.risks), key=lambda s: s != "error")


def test_coverage_status_follows_the_thresholds_of_cxpolicy_yaml(tmp_path: Path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    path = root / "touchpoints" / "web.yaml"
    path.write_text(path.read_text().replace("  owner: digital-commerce\n", "", 1))  # 39/40 owned: 97.5%
    assert {s.name: s.rag for s in _view(root)[1].statuses}["owned"] == "green"
    project = root / "cxpolicy.yaml"
    project.write_text(project.read_text() + "  report: {thresholds: {green: 99%, amber: 97%}}\n")
    assert {s.name: s.rag for s in _view(root)[1].statuses}["owned"] == "amber"
    project.write_text(project.read_text().replace("amber: 97%", "amber: 99.5%"))
    result = engine.run(str(root), engine.Options(today=DAY))
    assert any(f.code == "CX103" and "amber" in f.message for f in result.outcome.findings)


def test_the_map_marks_the_promise_in_force_and_the_overridden_standard():
    run = engine.run(str(POLICIES), engine.Options(today=DAY))
    report = ownership.build(run.policy, run.graph, run.outcome.findings)
    (cell,) = [c for j in report.journeys if j.id == "plus-membership" for c in j.cells
               if c.touchpoint == "plus-member-line"]
    by_id = {promise.id: promise for promise in cell.promises}
    assert by_id["phone-answer-60s"].overridden_by == ("phone-answer-plus-20s",)  # only Plus members call it
    assert by_id["phone-answer-plus-20s"].overridden_by == ()
    assert cell.accountable_title and cell.accountable_title != cell.accountable


def test_the_page_is_the_same_bytes_for_the_same_input(run, tmp_path: Path):
    pages = []
    for name in ("a.html", "b.html"):
        assert run("report", "ownership", str(POLICIES), "--format", "html", "--today", "2026-12-02",
                   "--output", str(tmp_path / name)).exit_code == 0
        pages.append((tmp_path / name).read_bytes())
    assert pages[0] == pages[1]
    page = pages[0].decode()
    assert "Trade journey review waits for the new trade portal" in page and "<script" not in page
    kpis = page[page.index('<section id="kpis">'):page.index("</section>", page.index('<section id="kpis">'))]
    assert kpis.count('class="chart"') == 19  # 18 KPI trajectories and the drives diagram
    assert "overridden by phone-answer-plus-20s" in page


def test_a_promise_broken_in_the_data_is_at_risk_at_a_glance(run, tmp_path: Path):
    """The example's Plus line missed its promise in November: the page's first section says so, beside
    the policy's own findings, and counts it among the headline numbers."""
    page = tmp_path / "report.html"
    assert run("report", "ownership", str(POLICIES), "--format", "html", "--today", "2026-12-02",
               "--output", str(page)).exit_code == 0
    text = page.read_text()
    glance = text[text.index('<section id="glance">'):text.index("</section>", text.index('<section id="glance">'))]
    assert "Nothing is at risk" not in glance
    (broken,) = [item for item in glance.split("<li")[1:] if "CX601" in item]
    assert 'class="status error"' in broken and "Who acts:" in broken and "below the 90% promised" in broken
    assert "must act" not in broken  # the measurement's hint says who acts; the page says it once
    scorecard = text[text.index('<section id="scorecard">'):text.index("</section>", text.index('<section id="scorecard">'))]
    assert ">Northwind Plus members</text>" in scorecard and ">Everyday shoppers</text>" in scorecard  # whole names
    assert '<div class="value">1</div><div class="label">promises not kept</div>' in glance


@pytest.mark.parametrize("report", ["ownership", "coverage"])
@pytest.mark.parametrize("width", [60, 80, 100])
def test_text_reports_fit_the_width(run, report, width):
    result = run("report", report, str(POLICIES), "--width", str(width))
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= width
    assert "returns-portal" in result.stdout or report == "coverage"  # ids are never broken


# --------------------------------------------------------------------------- history


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Path:
    return history_example.build(tmp_path_factory.mktemp("history") / "repo")


def test_history_reads_each_revision_of_the_story(story: Path):
    found = history.build(str(story))
    assert len(found.revisions) == len(history_example.MONTHS)
    first, last = found.revisions[0], found.revisions[-1]
    assert first.date == dt.date(2025, 12, 1) and first.measures["owned"] == "35/40 (88%)" and first.unowned == 5
    assert last.measures["owned"] == "40/40 (100%)" and last.errors == 0 and last.waivers == 1
    assert [p.date.isoformat() for p in found.revisions if p.loosened] == ["2026-06-15"]  # the chat promise relaxed
    assert (story / "cxpolicy.yaml").read_text() == (POLICIES / "cxpolicy.yaml").read_text()


def test_history_reads_an_unchanged_file_once(story: Path, monkeypatch):
    reads: list[str] = []
    real = source.read_text

    def counted(relpath, raw, *args, **kwargs):
        reads.append(relpath)
        return real(relpath, raw, *args, **kwargs)

    monkeypatch.setattr(source, "read_text", counted)
    history.build(str(story))
    blobs = set()
    for commit, _, _ in __import__("cxpolicy.gitsource", fromlist=["log"]).log(str(story)):
        listing = subprocess.run(["git", "ls-tree", "-r", commit, "--", "policies/"], cwd=story.parent,
                                 capture_output=True, text=True, check=True).stdout
        blobs |= {(line.split("\t")[1], line.split()[2]) for line in listing.splitlines()}
    assert len(reads) <= 2 * len(blobs)  # at most one reading without and one with positions per blob
    assert len(reads) < 2 * 34 * len(history_example.MONTHS) / 4  # far fewer than reading every file each time


def test_history_since_every_and_formats(run, story: Path):
    assert len(history.build(str(story), every=3).revisions) == 4
    assert history.build(str(story), every=3).revisions[-1].date == dt.date(2026, 11, 22)  # the latest is kept
    assert [p.date.month for p in history.build(str(story), since="2026-09-01").revisions] == [9, 10, 11]
    rows = list(csv.DictReader(io.StringIO(run("report", "history", str(story), "--format", "csv").stdout)))
    assert len(rows) == 12 and rows[0]["owned"] == "35/40 (88%)"
    document = json.loads(run("report", "history", str(story), "--format", "json").stdout)
    assert document["report"] == "history" and document["revisions"][-1]["owned_percent"] == 100.0
    assert "| date |" in run("report", "history", str(story), "--format", "markdown").stdout


def test_history_errors_are_plain(run, tmp_path: Path):
    shutil.copytree(POLICIES, tmp_path / "policies")
    result = run("report", "history", str(tmp_path / "policies"))
    assert result.exit_code == 2 and "is not inside a git repository" in result.stderr
    assert run("report", "ownership", str(POLICIES), "--history", "3").exit_code == 2  # not with text


def test_the_page_shows_the_history_and_the_change_since_its_first_revision(run, story: Path, tmp_path: Path):
    page = tmp_path / "report.html"
    assert run("report", "ownership", str(story), "--format", "html", "--history", "12", "--today", "2026-12-02",
               "--output", str(page)).exit_code == 0
    text = page.read_text()
    assert 'id="history"' in text and "-5 since 2025-12-01" in text  # unowned items: 5 then, 0 now
    history_part = text[text.index('<section id="history">'):text.index("</section>", text.index('<section id="history">'))]
    assert history_part.count('class="chart"') == 2
