"""Fix files: parsing (JSON and TOML), matching and errors as values."""

from __future__ import annotations

from pyplow.replay import FixFileError, FixSet, PatchError, parse_fixes

TOML = b"""
[[rules]]
name = "vid"
patches = [{op = "replace", path = "/parameters/vid", value = "1"}]
[rules.match]
schema = "iglu:com.snowplowanalytics.snowplow.badrows/schema_violations/"
vendor = "com.snowplowanalytics.snowplow"
"""
SV = "iglu:com.snowplowanalytics.snowplow.badrows/schema_violations/jsonschema/2-0-1"


def test_toml_rule_matches_by_uri_prefix_and_vendor() -> None:
    fixes = parse_fixes(TOML, toml=True)
    assert isinstance(fixes, FixSet)
    doc = {"parameters": {"vid": "x"}}
    out = fixes.apply(doc, SV, "{}", "com.snowplowanalytics.snowplow", "tp2")
    assert out == {"parameters": {"vid": "1"}}
    assert doc == {"parameters": {"vid": "x"}}  # input untouched
    assert fixes.apply(doc, SV, "{}", "other", "tp2") == doc
    assert fixes.matching(SV, "{}", "other", "tp2") == []


def test_message_contains() -> None:
    fixes = parse_fixes(
        b'[{"match": {"schema": "schema_violations", "message_contains": "vid"},'
        b' "patches": [{"op": "add", "path": "/x", "value": 1}]}]'
    )
    assert isinstance(fixes, FixSet)
    assert fixes.matching(SV, '{"path":"vid"}', None, None) == ["rule 1"]
    assert fixes.matching(SV, '{"path":"tv"}', None, None) == []


def test_errors_are_values() -> None:
    broken = parse_fixes(b"{not json")
    assert isinstance(broken, FixFileError)
    assert "not valid JSON" in broken.message
    unknown = parse_fixes(b'[{"match": {"colour": "red"}, "patches": []}]')
    assert isinstance(unknown, FixFileError)
    assert "colour" in unknown.message
    bad_op = parse_fixes(b'[{"patches": [{"op": "explode", "path": "/a"}]}]')
    assert isinstance(bad_op, FixFileError)
    assert "explode" in bad_op.message
    fixes = parse_fixes(b'[{"patches": [{"op": "test", "path": "/a", "value": 2}]}]')
    assert isinstance(fixes, FixSet)
    failed = fixes.apply({"a": 1}, SV, "", None, None)
    assert isinstance(failed, PatchError)
    assert failed.rule == "rule 1"
