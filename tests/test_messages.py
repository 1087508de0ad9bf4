"""Messages that say how to fix the mistake, in plain words: one finding per mistake."""

from __future__ import annotations

import pytest

from cxpolicy import engine, source

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
