"""What a place in a policy file means (editing.py), read from the text as it is while being typed."""

from __future__ import annotations

import pytest

from cxpolicy import editing

JOURNEY = """\
apiVersion: cxpolicy/v1
kind: Journey
metadata:
  id: returns
spec:
  owner: ret
  stages:
    - id: request
      touchpoints:
        - returns-portal
        - app-
    - id: refund
      touchpoints: [refund-notification, ref
  review: {every: 90d, last: 2026-09-15}
---
apiVersion: cxpolicy/v1
kind: Waiver
metadata: {id: w}
spec:
  targets:
  - journey:ret
  rule: CX2
"""


@pytest.mark.parametrize("line,column,kind,path,on_key,typed", [
    (6, 13, "Journey", ("spec", "owner"), False, "ret"),
    (4, 9, "Journey", ("metadata", "id"), False, "re"),
    (11, 15, "Journey", ("spec", "stages", 0, "touchpoints", 0), False, "app-"),
    (13, 45, "Journey", ("spec", "stages", 0, "touchpoints", 0), False, "ref"),
    (8, 14, "Journey", ("spec", "stages", 0, "id"), False, "req"),
    (7, 3, "Journey", ("spec",), True, ""),
    (21, 16, "Waiver", ("spec", "targets", 0), False, "journey:ret"),  # a list item at its key's indentation
    (22, 12, "Waiver", ("spec", "rule"), False, "CX2"),
])
def test_the_place_is_read_from_the_text_while_it_is_typed(line, column, kind, path, on_key, typed):
    place = editing.place_at(JOURNEY, line, column)
    assert (place.kind, place.path, place.on_key, place.typed) == (kind, path, on_key, typed)


def test_a_new_list_item_among_mappings_is_a_place_for_a_key():
    text = "kind: Journey\nspec:\n  stages:\n    - id: a\n      title: A\n    - \n"
    place = editing.place_at(text, 6, 7)
    assert place.path == ("spec", "stages", 0) and place.on_key


@pytest.mark.parametrize("kind,path,named", [
    ("Journey", ("spec", "owner"), "team"),
    ("Journey", ("spec", "stages", 0, "touchpoints", 0), "touchpoint"),
    ("Touchpoint", ("spec", "channel"), "channel"),
    ("Touchpoint", ("spec", "owner", "responsible", 0), "team"),
    ("ServiceStandard", ("spec", "metric"), editing.METRIC),
    ("Waiver", ("spec", "targets", 0), editing.ENTITY_NAME),
    ("Waiver", ("spec", "rule"), editing.CHECK),
    ("Team", ("metadata", "id"), "team"),
    ("Team", ("metadata", "title"), None),
    ("Journey", ("spec", "review", "every"), None),
])
def test_what_a_field_names_comes_from_the_models(kind, path, named):
    assert editing.names_at(kind, path) == named
