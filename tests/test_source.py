"""The strict loader: data, positions, and a finding (never an exception) for every surprise."""

from __future__ import annotations


import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxpolicy.source import Limits, format_path, read_file, read_text, resolve_plain


def read(text: str | bytes, limits: Limits = Limits()):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return read_text("p.yaml", raw, limits)


def codes(result) -> list[tuple[str, int, int]]:
    return [(f.code, f.line, f.column) for f in result.findings]


def test_positions_of_keys_and_values_in_nested_maps_and_lists():
    result = read(
        "spec:\n"
        "  stages:\n"
        "    - id: request\n"
        "      touchpoints: [returns-portal, returns-phone]\n"
        "    - id: refund\n"
        "      touchpoints:\n"
        "        - refund-notification\n"
    )
    document = result.documents[0]
    assert document.data["spec"]["stages"][1]["touchpoints"] == ["refund-notification"]
    assert document.where(("spec", "stages", 0, "touchpoints", 1)) == (4, 37)
    assert document.where(("spec", "stages", 1, "touchpoints", 0)) == (7, 11)
    assert document.where(("spec", "stages", 1, "id"), key=True) == (5, 7)
    assert document.where(("spec", "stages", 1, "id")) == (5, 11)
    assert document.where(("spec", "stages"), key=True) == (2, 3)


def test_absent_path_falls_back_to_nearest_written_ancestor():
    document = read("spec:\n  owner: care\n").documents[0]
    assert document.where(("spec", "missing", 3)) == document.where(("spec",))


def test_multi_document_files_keep_each_documents_own_lines():
    result = read("a: 1\n---\nb: 2\n---\n# only a comment\nc: 3\n")
    assert [d.data for d in result.documents] == [{"a": 1}, {"b": 2}, {"c": 3}]
    assert [d.index for d in result.documents] == [0, 1, 2]
    assert result.documents[2].where(("c",), key=True) == (6, 1)


def test_format_path_reads_like_the_docs():
    assert format_path(("spec", "stages", 1, "touchpoints", 0)) == "spec.stages[1].touchpoints[0]"


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "OFF"])
def test_yaml11_booleans_are_reported_and_kept_as_text(word):
    result = read(f"flag: {word}\n")
    assert codes(result) == [("CX102", 1, 7)]
    assert result.documents[0].data == {"flag": word}
    assert "true or false" in result.findings[0].hint


@pytest.mark.parametrize("text", ["1:30", "0755", "1_000", "0b101"])
def test_yaml11_numbers_are_reported(text):
    result = read(f"value: {text}\n")
    assert codes(result) == [("CX102", 1, 8)]
    assert result.documents[0].data == {"value": text}


@pytest.mark.parametrize("text", ['"yes"', "'off'", "!!str on", "true", "false", "0", "007x", "1.5", "2027-06-30"])
def test_unambiguous_values_are_not_reported(text):
    assert codes(read(f"value: {text}\n")) == []


def test_core_schema_scalars():
    assert resolve_plain("true") == (True, None)
    assert resolve_plain("~") == (None, None)
    assert resolve_plain("0x1F") == (31, None)
    assert resolve_plain("0o17") == (15, None)
    assert resolve_plain("-2.5e3") == (-2500.0, None)
    assert resolve_plain("2027-06-30") == ("2027-06-30", None)  # dates stay text; the model parses them


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!!python/object/apply:os.system", "!custom", "!!binary"])
def test_tags_outside_the_core_schema_are_reported_and_never_constructed(tag):
    result = read(f"value: {tag} echo hi\n")
    assert codes(result) == [("CX102", 1, 8)]
    assert result.documents[0].data == {"value": "echo hi"}


def test_duplicate_key_names_both_lines():
    result = read("owner: care\nchannel: web\nowner: digital\n")
    (finding,) = result.findings
    assert (finding.code, finding.line, finding.column) == ("CX101", 3, 1)
    assert "first on line 1" in finding.message
    assert result.documents[0].data["owner"] == "care"


def test_merge_keys_are_reported():
    result = read("base: &b {x: 1}\nother:\n  <<: *b\n  z: 2\n")
    assert codes(result) == [("CX102", 3, 3)]
    assert result.documents[0].data["other"] == {"z": 2}


def test_keys_that_are_not_text_are_reported():
    result = read("1: one\ntrue: yes-key\n? [a, b]\n: list-key\n")
    assert [c[0] for c in codes(result)] == ["CX102", "CX102", "CX102"]
    assert result.documents[0].data == {"1": "one", "true": "yes-key"}


def test_syntax_error_gives_line_and_column():
    result = read("a: 1\nb: [1, 2\nc: 3\n")
    assert [c[0] for c in codes(result)] == ["CX100"]
    assert (result.findings[0].line, result.findings[0].column) == (2, 4)  # where the unclosed list opens


def test_documents_before_a_syntax_error_are_kept():
    result = read("a: 1\n---\nb: [\n")
    assert result.documents[0].data == {"a": 1}
    assert [f.code for f in result.findings] == ["CX100"]


def test_alias_bomb_is_rejected_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(8):
        name, previous = chr(98 + index), chr(97 + index)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    result = read("\n".join(lines) + "\n")
    assert [f.code for f in result.findings] == ["CX100"]
    assert "aliases" in result.findings[0].message
    # The work is bounded by the limit, not by the billion values the aliases describe.
    assert _values(result.documents[0].data) <= Limits().max_alias_nodes + 100


def _values(data) -> int:
    if isinstance(data, dict):
        return 1 + sum(_values(value) for value in data.values())
    if isinstance(data, list):
        return 1 + sum(_values(value) for value in data)
    return 1


def test_modest_aliases_are_expanded():
    result = read("first: &segments [premium, new]\nsecond: *segments\n")
    assert result.findings == []
    assert result.documents[0].data == {"first": ["premium", "new"], "second": ["premium", "new"]}


def test_undefined_alias_is_reported():
    assert codes(read("a: *nowhere\n")) == [("CX100", 1, 4)]


def test_deep_nesting_is_rejected_quickly_without_recursion():
    result = read("[" * 100_000 + "]" * 100_000)
    assert [f.code for f in result.findings] == ["CX100"]
    assert "nested more than" in result.findings[0].message
    # Reading stops near the limit, not at the 100,000th bracket.
    assert result.findings[0].column <= 1_001


def test_file_above_size_limit_is_rejected(tmp_path):
    (tmp_path / "big.yaml").write_text("a: " + "x" * 2000 + "\n")
    result = read_file(str(tmp_path), "big.yaml", Limits(max_file_bytes=1000))
    assert [f.code for f in result.findings] == ["CX100"]
    assert "limit" in result.findings[0].message
    assert result.documents == []


def test_invalid_utf8_is_located():
    result = read(b"a: ok\nb: caf\xe9\n")
    assert codes(result) == [("CX100", 2, 7)]


def test_utf16_is_rejected_with_advice():
    result = read("a: 1\n".encode("utf-16"))
    assert [f.code for f in result.findings] == ["CX100"]
    assert "UTF-8" in result.findings[0].hint


def test_utf8_bom_is_accepted():
    result = read(b"\xef\xbb\xbfa: 1\n")
    assert result.findings == [] and result.documents[0].data == {"a": 1}


def test_nul_byte_is_reported():
    assert [f.code for f in read(b"a: 1\x00\n").findings] == ["CX100"]


def test_unreadable_path_is_a_finding(tmp_path):
    (tmp_path / "folder.yaml").mkdir()
    result = read_file(str(tmp_path), "folder.yaml")
    assert [f.code for f in result.findings] == ["CX100"]


def _unambiguous(text: str) -> bool:
    """Text that every YAML reader reads as this text. PyYAML's 1.1 dumper writes some
    text unquoted that 1.2 readers take as numbers (0o17, 1e3), or that the 1.1 spec takes
    as booleans (y, n): those are exactly the surprises CX102 reports, so not round-trippable."""
    return bool(text) and resolve_plain(text) == (text, None)


_plain_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20
).filter(_unambiguous)
_keys = st.from_regex(r"[a-zA-Z][a-zA-Z0-9_-]{0,10}", fullmatch=True).filter(_unambiguous)
_scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | _plain_text
_data = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=4),
    max_leaves=25,
)


def _scalar_starts(value):
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("true" if value else "false",)
    if isinstance(value, int):
        return (str(value),)
    return (value[:1] or "'", "'", '"', "|", ">")


def _walk(data, path=()):
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk(value, path + (index,))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _data, min_size=1, max_size=5))
def test_loader_round_trips_data_and_positions_point_at_the_text(data):
    text = yaml.safe_dump(data, default_flow_style=False, allow_unicode=True, width=10**6, sort_keys=False)
    result = read(text)
    assert result.findings == []
    document = result.documents[0]
    assert document.data == data
    lines = text.splitlines()
    for path, value in _walk(data):
        if not path:
            continue
        if isinstance(path[-1], str):
            line, column = document.where(path, key=True)
            at = lines[line - 1][column - 1:]
            assert at.startswith((path[-1], "'", '"', "? ")), (path, at)
        if not isinstance(value, (dict, list)):
            line, column = document.where(path)
            at = lines[line - 1][column - 1:] if line <= len(lines) else ""
            assert at.startswith(_scalar_starts(value)) or (value == "" and at == ""), (path, value, at)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_findings_or_data_never_an_exception(raw):
    result = read_text("p.yaml", raw)
    for finding in result.findings:
        assert finding.line >= 1 and finding.column >= 1
