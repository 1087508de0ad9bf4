"""Whole-pipeline fuzzing: no input makes `check` raise, and every finding points at a real line.

CI runs FUZZ_EXAMPLES structured and 2 * FUZZ_EXAMPLES byte-level examples
(100 and 200). For a longer local run: CXPOLICY_FUZZ_EXAMPLES=5000 make test.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxpolicy import engine

from .conftest import POLICIES
from .test_check import policy_sets

FUZZ_EXAMPLES = int(os.environ.get("CXPOLICY_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
TODAY = dt.date(2026, 11, 22)


def check_files(files: dict[str, bytes]) -> list:
    with tempfile.TemporaryDirectory() as folder:
        for name, content in files.items():
            Path(folder, name).write_bytes(content)
        findings = engine.run(folder, engine.Options(verbose=True, today=TODAY)).outcome.findings
        for finding in findings:
            text = files.get(finding.file)
            assert text is not None, finding
            lines = max(1, text.count(b"\n") + (0 if text.endswith(b"\n") else 1))
            assert 1 <= finding.line <= lines + 1 and finding.column >= 1, finding
        return findings


def _mutate(documents: list[dict], data: st.DataObject) -> list[dict]:
    """One of: drop a field, give a field the wrong type, dangle a reference, duplicate an id, swap kinds."""
    index = data.draw(st.integers(0, len(documents) - 1))
    document = documents[index]
    spec = document.get("spec") if isinstance(document.get("spec"), dict) else {}
    metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
    action = data.draw(st.sampled_from(["drop", "wrong-type", "dangle", "duplicate", "swap"]))
    if action == "drop":
        for container in (document, spec, metadata):
            if container:
                container.pop(data.draw(st.sampled_from(sorted(container))))
                break
    elif action == "wrong-type" and spec:
        field = data.draw(st.sampled_from(sorted(spec)))
        spec[field] = data.draw(st.sampled_from([42, True, None, [1, 2], {"x": "y"}, "text"]))
    elif action == "dangle":
        for field in ("owner", "reportsTo", "channel", "sponsor", "measuredBy"):
            if field in spec:
                spec[field] = "nobody-" + data.draw(st.text("abc", min_size=1, max_size=4))
                break
    elif action == "duplicate":
        documents.append(dict(document))
    else:
        other = documents[data.draw(st.integers(0, len(documents) - 1))]
        document["kind"], other["kind"] = other.get("kind"), document.get("kind")
    return documents


@FUZZ
@given(policy_sets(), st.data())
def test_structured_mutations_never_raise(documents, data):
    for _ in range(data.draw(st.integers(1, 3))):
        documents = _mutate(documents, data)
    check_files({"policy.yaml": yaml.safe_dump_all(documents, sort_keys=False).encode()})


REAL_FILES = sorted(POLICIES.rglob("*.yaml"))


@settings(max_examples=2 * FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(REAL_FILES), st.data())
def test_byte_mutations_of_real_files_never_raise(path, data):
    content = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, max(0, len(content) - 1)))
        action = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        if action == "flip" and content:
            content[position] ^= data.draw(st.integers(1, 255))
        elif action == "insert":
            content[position:position] = data.draw(st.sampled_from(
                [b"\n", b"- ", b": ", b"{", b"]", b"&a ", b"*a", b"!!python/object ", b"\t", b"\x00", b"\xff", b"---\n"]))
        elif content:
            del content[position:position + data.draw(st.integers(1, 16))]
    check_files({path.name: bytes(content)})
