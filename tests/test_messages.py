"""Messages that say how to fix the mistake, in plain words: one finding per mistake."""

from __future__ import annotations

import datetime as dt

import pytest

from cxpolicy import engine, source
from cxpolicy.rules.examples import BASE, TODAY

from .conftest import write_repo


@pytest.mark.parametrize("text, line, message, hint", [
    (b"a:\n\tb: 1\n", 2, "this line holds a tab where YAML expects spaces", "YAML indents with spaces only"),
    (b"a: 1\nb: \"x\n", 2, "the quote opened on line 2 is never closed", "Add the closing quote"),
    (b"a: [1, 2\nb: 3\n", 1, "the list opened with '[' on line 1 is not closed", "Add ']'"),
    (b"a: {x: 1\nb: 3\n", 1, "the mapping opened with '{' on line 1 is not closed", "Add '}'"),
    (b"title: Returns: how\n", 1, "a colon followed by a space inside a value", "Put the whole value in quotes"),
])
def test_libyamls_common_errors_in_plain_words(text, line, message, hint):
    (finding,) = source.read_text("a.yaml", text).findings
    assert (finding.code, finding.line) == ("CX100", line)
    assert finding.message.startswith(message) and hint in finding.hint


KPI = ("apiVersion: cxpolicy/v1\nkind: KPI\nmetadata: {{id: k}}\nspec: {{definition: d, unit: count, "
       "direction: increase, indicator: leading, baseline: {{value: 1, asOf: {date}}}}}\n")
STANDARD = ("apiVersion: cxpolicy/v1\nkind: ServiceStandard\nmetadata: {{id: s}}\n"
            "spec: {{appliesTo: {{touchpoints: [t]}}, metric: csat, objective: {{min: 4}}, attainment: {share}}}\n")


def _findings(tmp_path, text):
    write_repo(tmp_path, {"p.yaml": text})
    return [f for f in engine.run(str(tmp_path), engine.Options(), rules=False).outcome.findings if f.code == "CX103"]


@pytest.mark.parametrize("date, hint", [("31/12/2027", "Write 2027-12-31"),
                                        ("05/06/2027", "2027-05-06 or 2027-06-05, whichever you mean")])
def test_a_date_in_another_form_is_one_finding_with_the_iso_form(tmp_path, date, hint):
    (finding,) = _findings(tmp_path, KPI.format(date=date))
    assert "YYYY-MM-DD" in finding.message and hint in finding.hint


@pytest.mark.parametrize("share, written", [("0.95", "95%"), ("95", "95%"), ("0.5", "50%")])
def test_a_share_written_as_a_number_suggests_the_percentage(tmp_path, share, written):
    (finding,) = _findings(tmp_path, STANDARD.format(share=share))
    assert "must be a percentage such as 95%" in finding.message and f"Write {written}" in finding.hint


# --------------------------------------------------------------------------- hints only the whole set can give


def _run(tmp_path, extra: str = "", *, files: dict[str, str] | None = None, today: str | None = TODAY):
    write_repo(tmp_path, {"policy.yaml": BASE + extra, **(files or {})})
    options = engine.Options(verbose=True, today=dt.date.fromisoformat(today) if today else None)
    return engine.run(str(tmp_path), options).outcome.findings


TOUCHPOINT = "---\napiVersion: cxpolicy/v1\nkind: Touchpoint\nmetadata: {{id: chat-line}}\nspec: {{channel: phone, owner: {owner}}}\n"


def test_a_team_title_written_as_owner_gets_the_teams_id(tmp_path):
    (finding,) = [f for f in _run(tmp_path, TOUCHPOINT.format(owner="Customer Care")) if f.code == "CX103"]
    assert "'Customer Care' is the title of team care; write its id: care." == finding.hint


def test_an_id_in_capitals_gets_the_id(tmp_path):
    text = "---\napiVersion: cxpolicy/v1\nkind: Team\nmetadata: {id: billing}\nspec: {reportsTo: CCO}\n"
    (finding,) = [f for f in _run(tmp_path, text) if f.code == "CX103"]
    assert finding.hint == "Write cco: ids are written in lower case with dashes."


def test_a_list_of_owners_gets_the_long_owner_form(tmp_path):
    (finding,) = [f for f in _run(tmp_path, TOUCHPOINT.format(owner="[care, cco]")) if f.code == "CX103"]
    assert "must name one team, not a list" in finding.message
    assert "owner: {accountable: care, responsible: [cco]}" in finding.hint


WAIVER = ("---\napiVersion: cxpolicy/v1\nkind: Waiver\nmetadata: {{id: w}}\nspec: {{rule: {rule}, targets: [{target}], "
          "reason: r, approvedBy: cco, expires: {expires}}}\n")


def test_a_target_without_its_kind_gets_kind_and_id(tmp_path):
    found = _run(tmp_path, WAIVER.format(rule="CX214", target="get-help", expires="2027-01-31"))
    (finding,) = [f for f in found if f.code == "CX103"]
    assert finding.hint == "Write journey:get-help (entities are named as kind:id)."


def test_a_check_slug_where_a_code_belongs_names_the_code(tmp_path):
    found = _run(tmp_path, WAIVER.format(rule="stale-journey-review", target="journey:get-help", expires="2027-01-31"))
    (finding,) = [f for f in found if f.code == "CX104"]
    assert "is the name of check CX214" in finding.message and "Write `CX214`" in finding.hint
    assert not [f for f in found if f.code == "CX502"]  # the waiver in doubt is not also "unused"


def test_an_id_of_another_kind_says_which_kind_it_is(tmp_path):
    found = _run(tmp_path, TOUCHPOINT.format(owner="care-line"))
    (finding,) = [f for f in found if f.code == "CX104"]
    assert finding.hint == "'care-line' is a touchpoint; this field takes the id of a team."
    assert not [f for f in found if f.code == "CX401"]  # an owner is named: CX104 alone says it is wrong


# --------------------------------------------------------------------------- KPI percentages, calendar intervals


@pytest.mark.parametrize("written", ["88", "88%", "88.0"])
def test_percentages_in_kpi_values_mean_the_same_number(tmp_path, written):
    kpi = KPI.format(date="2026-09-30").replace("unit: count", 'unit: "%"').replace("value: 1", f"value: {written}")
    write_repo(tmp_path, {"p.yaml": kpi})
    run = engine.run(str(tmp_path), engine.Options(), rules=False)
    assert not [f for f in run.outcome.findings if f.code == "CX103"]
    assert run.policy.get("kpi:k").spec.baseline.value == 88


def test_a_percentage_in_a_kpi_of_another_unit_is_a_unit_mismatch(tmp_path):
    found = _run(tmp_path, "---\n" + KPI.format(date="2026-09-30").replace("value: 1", "value: 74%"))
    (finding,) = [f for f in found if f.code == "CX305"]
    assert "is written 74%, but the KPI is in count" in finding.message


@pytest.mark.parametrize("every, last, due", [
    ("1mo", "2026-01-31", "2026-02-28"),   # the month's end, not 3 March
    ("3mo", "2026-08-22", "2026-11-22"),
    ("1q", "2026-08-21", "2026-11-21"),
    ("2q", "2025-05-31", "2025-11-30"),
])
def test_review_intervals_in_months_and_quarters_count_on_the_calendar(tmp_path, every, last, due):
    text = BASE.replace("    - {id: call, touchpoints: [care-line]}\n",
                        f"    - {{id: call, touchpoints: [care-line]}}\n  review: {{every: {every}, last: {last}}}\n", 1)
    write_repo(tmp_path, {"policy.yaml": text})
    day_after = dt.date.fromisoformat(due) + dt.timedelta(days=1)
    for today, stale in ((dt.date.fromisoformat(due), False), (day_after, True)):
        findings = engine.run(str(tmp_path), engine.Options(today=today)).outcome.findings
        stale_reviews = [f for f in findings if f.code == "CX214"]
        assert bool(stale_reviews) is stale, (today, stale_reviews)
        if stale:
            assert f"was due for review on {due}" in stale_reviews[0].message


def test_an_interval_in_words_says_which_forms_are_accepted(tmp_path):
    text = BASE.replace("    - {id: call, touchpoints: [care-line]}\n",
                        "    - {id: call, touchpoints: [care-line]}\n  review: {every: 3 months, last: 2026-10-01}\n", 1)
    write_repo(tmp_path, {"policy.yaml": text})
    (finding,) = [f for f in engine.run(str(tmp_path), engine.Options()).outcome.findings if f.code == "CX103"]
    assert "an interval such as 90d, 3mo (months) or 1q (quarters)" in finding.message


# --------------------------------------------------------------------------- a pinned today and waivers

PROJECT = "apiVersion: cxpolicy/v1\nkind: Project\nmetadata: {{id: p}}\nspec: {{today: {today}}}\n"


def test_a_pinned_today_does_not_keep_an_expired_waiver_alive(tmp_path):
    text = BASE.replace("    - {id: call, touchpoints: [care-line]}\n",
                        "    - {id: call, touchpoints: [care-line]}\n  review: {every: 30d, last: 2026-01-01}\n", 1)
    waiver = WAIVER.format(rule="CX214", target="journey:get-help", expires="2026-06-30")
    write_repo(tmp_path, {"policy.yaml": text + waiver, "cxpolicy.yaml": PROJECT.format(today="2026-03-01")})
    found = engine.run(str(tmp_path), engine.Options()).outcome.findings
    (expired,) = [f for f in found if f.code == "CX501"]
    assert "cxpolicy.yaml pins today to 2026-03-01, but a waiver's expiry is judged by the calendar" in expired.message
    assert [f for f in found if f.code == "CX214"]  # what it hid is reported again
    # --today is the one way to judge a waiver on another day (re-running an old verdict, say).
    kept = engine.run(str(tmp_path), engine.Options(today=dt.date(2026, 3, 1))).outcome
    assert not [f for f in kept.findings if f.code in ("CX501", "CX214")] and kept.waived


# --------------------------------------------------------------------------- rule messages that render

RULE = ("---\napiVersion: cxpolicy/v1\nkind: Rule\nmetadata: {{id: r}}\nspec: {{severity: error, target: touchpoint, "
        "require: {{momentOfTruth: false}}, message: \"{message}\"}}\n")


def test_a_placeholder_for_a_field_made_of_parts_is_a_mistake(tmp_path):
    found = _run(tmp_path, RULE.format(message="{title} hands off to {handoffs}"))
    (finding,) = [f for f in found if f.code == "CX103"]
    assert "names '{handoffs}', a field made of parts" in finding.message
    assert not [f for f in found if f.code == "r"]  # the rule does not run until it is fixed


def test_a_field_with_no_value_renders_as_none_not_as_a_gap(tmp_path):
    found = _run(tmp_path, RULE.format(message="{title} consults {consulted}"))
    (finding,) = [f for f in found if f.code == "r"]
    assert finding.message == "Care phone line consults (none)"


def test_an_unknown_id_in_a_rule_condition_is_reported_with_the_closest(tmp_path):
    rule = RULE.format(message="{title}").replace("require: {momentOfTruth: false}",
                                                  "where: {channel: phnoe}, require: {momentOfTruth: false}")
    (finding,) = [f for f in _run(tmp_path, rule) if f.code == "CX104"]
    assert "'phnoe' is not a known channel, so the condition matches nothing" in finding.message
    assert finding.hint.startswith("Did you mean 'phone'?")
