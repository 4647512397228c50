"""The schema verdict and findings of vox_validators equal the reference on every record.

Reference: ``json.loads`` and a fresh ``Draft202012Validator`` on the bundle (the documented
``required`` path decision applied). Checked on hypothesis-generated campaigns, mutations of
them, and the edge cases where fast decoders and the reference part ways.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.campaigns import (
    campaigns,
    json_values,
    mutated_campaigns,
    near_valid_campaigns,
    reference_findings,
    reference_object_findings,
    valid_campaign,
)
from vox_validators import Finding, validate, validate_json
from vox_validators._schema import bundle
from vox_validators._tiers.struct_decoder import skipping_is_safe
from vox_validators._validate import (
    _MEMBER_REJECTED,
    _decoded_findings,
    _decoder_tier,
    _predicate_tier,
    _reference_tier,
    _tier_one,
)

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _schema_part(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.rule, f.path, f.message) for f in findings if f.rule.startswith("schema/")]


def assert_matches_reference(data: bytes | str, schema: str = "Campaign") -> list[Finding]:
    expected = reference_findings(data, schema)
    findings = validate_json(data, schema)
    if expected is None:
        assert [f.rule for f in findings] == ["parse"], findings
    else:
        assert "parse" not in {f.rule for f in findings}
        assert _schema_part(findings) == expected
    return findings


def _encodings(record: Any) -> list[bytes | str]:
    text = json.dumps(record)  # allow_nan: NaN and Infinity appear as json.loads reads them
    return [text, text.encode(), orjson.dumps(record) if _orjson_can(record) else text.encode()]


def _orjson_can(record: Any) -> bool:
    try:
        orjson.dumps(record)
    except (TypeError, orjson.JSONEncodeError):
        return False
    return True


@_SETTINGS
@given(campaigns)
def test_generated_campaigns_match_the_reference(record: dict[str, Any]) -> None:
    for data in _encodings(record):
        assert_matches_reference(data)
    assert _schema_part(validate(record)) == reference_object_findings(record)


@_SETTINGS
@given(mutated_campaigns())
def test_mutated_campaigns_match_the_reference(record: dict[str, Any]) -> None:
    for data in _encodings(record):
        assert_matches_reference(data)
    assert _schema_part(validate(record)) == reference_object_findings(record)


@_SETTINGS
@given(json_values)
def test_any_json_value_matches_the_reference(value: Any) -> None:
    for schema in ("Campaign", "ErrorEnvelope", "CreateCampaignRequest", "UpdateCampaignRequest"):
        assert_matches_reference(json.dumps(value), schema)


_UUID = "f29d0da9-953f-48f1-a09f-76b5a170b338"
# Strings at the edges of the spec's patterns, alone and as the members that carry them.
_PATTERN_EDGES = st.sampled_from(
    [
        *("", " ", "   ", "\u3000", "\ufeff", "x", "0123", "0123\n", "\u0663", "x" * 256),
        *(_UUID, _UUID.upper(), _UUID + "\n", "{" + _UUID + "}"),
    ]
)
_COMPONENT_VALUES = st.one_of(
    json_values,
    _PATTERN_EDGES,
    st.fixed_dictionaries({"agent_id": _PATTERN_EDGES, "agent_version": st.just("v3")}),
    st.lists(_PATTERN_EDGES, max_size=2),
)


@_SETTINGS
@given(_COMPONENT_VALUES, st.sampled_from(sorted(bundle()["$defs"])))
def test_every_component_schema_matches_the_reference(value: Any, schema: str) -> None:
    # Each component is a root of its own (a string with a pattern, a struct, a union ...).
    assert_matches_reference(json.dumps(value), schema)


@_SETTINGS
@given(mutated_campaigns(), st.sampled_from(["CreateCampaignRequest", "UpdateCampaignRequest"]))
def test_request_schemas_match_the_reference(record: dict[str, Any], schema: str) -> None:
    record["tasks"] = [{"to_number": "01012345678"}]
    assert_matches_reference(json.dumps(record), schema)


@_SETTINGS
@given(st.one_of(campaigns, mutated_campaigns()))
def test_every_tier_gives_the_same_findings(record: dict[str, Any]) -> None:
    """msgspec struct, orjson + predicate and the exact path agree, rules included."""
    text = json.dumps(record)
    expected = validate_json(text)
    assert validate(json.loads(text)) == expected
    spaced = json.dumps(record, indent=1) + "  "  # the same document, other bytes
    assert validate_json(spaced) == expected
    assert validate(json.loads(text), strict=True) == validate_json(text, strict=True)


@_SETTINGS
@given(st.one_of(near_valid_campaigns(), campaigns), st.booleans())
def test_the_fast_tier_runs_every_registered_rule(record: dict[str, Any], unknown: bool) -> None:
    """Tier one (msgspec: a struct, or a TypedDict skipping an unknown member) finds exactly
    what the reference tier (json.loads and jsonschema) finds: no rule is left out."""
    if unknown:
        record = {**record, "added_by_the_api": {"x": [1, "y"]}}
    data = orjson.dumps(record)
    fast = _decoder_tier(data, "Campaign", _tier_one("Campaign"), False, ())
    reference = _reference_tier(data, "Campaign", False, ())
    if fast is None:  # the generators also make a few schema-invalid campaigns
        assert any(finding.rule.startswith("schema/") for finding in reference)
        return
    assert fast == reference


@_SETTINGS
@given(st.one_of(campaigns, mutated_campaigns(), near_valid_campaigns()), st.booleans())
def test_skipping_the_predicate_after_a_refused_member_changes_nothing(
    record: dict[str, Any], unknown: bool
) -> None:
    """When the struct decoder refuses a listed member, ``validate_json`` skips the skipping
    decoder and the predicate: tiers two and three then find what they find with it."""
    if unknown:
        record = {**record, "added_by_the_api": [1]}

    def outcome(data: bytes | str, predicate_may_vouch: bool) -> list[Finding]:
        found = _predicate_tier(data, "Campaign", False, (), predicate_may_vouch)
        return found if found is not None else _reference_tier(data, "Campaign", False, ())

    for data in _encodings(record):
        expected = outcome(data, True)
        assert outcome(data, False) == expected
        tier = _tier_one("Campaign")
        if _decoded_findings(data, "Campaign", tier, False, ()) is _MEMBER_REJECTED:
            assert validate_json(data) == expected


def test_a_refused_member_is_told_from_an_unknown_one() -> None:
    tier = _tier_one("Campaign")
    refused = orjson.dumps(valid_campaign(concurrency=0))
    assert _decoded_findings(refused, "Campaign", tier, False, ()) is _MEMBER_REJECTED
    unknown = orjson.dumps(valid_campaign(concurrency=0, added_by_the_api=1))
    assert (
        _decoded_findings(unknown[:1] + b'"a":1,' + unknown[1:], "Campaign", tier, False, ())
        is not _MEMBER_REJECTED
    )
    malformed = b'{"id": '  # msgspec.DecodeError, not a ValidationError
    assert _decoded_findings(malformed, "Campaign", tier, False, ()) is not _MEMBER_REJECTED
    assert _decoded_findings(b"[", "Campaign", tier, False, ()) is _MEMBER_REJECTED
    assert validate_json(b"[") == [Finding("parse", "error", "", validate_json(b"[")[0].message)]


_WINDOW = {"windows": [], "timezone": "Asia/Seoul", "auto_resume": True}
_PAUSED = {"status": "paused", "active_concurrency": 0, "paused_at": 1741850000000}
_DONE = {"status": "success", "active_concurrency": 0, "finished_at": 1741900000000}
FIRING: dict[str, dict[str, Any]] = {
    "VOX-E001": {
        "call_time_window": {
            **_WINDOW,
            "windows": [{"start_min": 6, "end_min": 6, "days": ["Monday"]}],
        }
    },
    "VOX-E002": {"status": "draft", "active_concurrency": 0, "finished_at": 1741900000000},
    "VOX-E003": {"total_calls": 727},
    "VOX-E005": {"paused_by": "user"},
    "VOX-E006": {**_PAUSED, "paused_by": None},
    "VOX-E007": {"active_concurrency": 21},
    "VOX-E009": {"scheduled_at": 1741842354},
    "VOX-E010": {**_PAUSED, "paused_by": "user", "paused_at": 1741842354956},
    "VOX-E013": {"call_time_window": {**_WINDOW, "timezone": "Mars/Base"}},
    "VOX-W001": {**_DONE, "finished_at": None, "completed_calls": 1112},
    "VOX-W002": {**_DONE, "total_calls": 729},
    "VOX-W003": {**_PAUSED, "paused_by": "system", "call_time_window": None},
    "VOX-W004": {"status": "draft", "active_concurrency": 1},
    "VOX-W005": {
        "call_time_window": {**_WINDOW, "windows": [{"start_min": 0, "end_min": 6, "days": []}]}
    },
    "VOX-W006": {
        "call_time_window": {
            **_WINDOW,
            "windows": [{"start_min": 0, "end_min": 6, "days": ["Monday", "Monday"]}],
        }
    },
}


@pytest.mark.parametrize("unknown", [False, True], ids=["struct", "TypedDict"])
@pytest.mark.parametrize(("rule_id", "changes"), list(FIRING.items()), ids=list(FIRING))
def test_the_fast_tier_fires_each_built_in_rule(
    rule_id: str, changes: dict[str, Any], unknown: bool
) -> None:
    record = valid_campaign(**changes, **({"added_by_the_api": [1]} if unknown else {}))
    data = orjson.dumps(record)
    fast = _decoder_tier(data, "Campaign", _tier_one("Campaign"), False, ())
    assert fast is not None
    assert [f.rule for f in fast] == [rule_id]
    assert fast == _reference_tier(data, "Campaign", False, ())


# What the retired rules checked, now the schema's: refused alike on every tier, by the schema
# alone (the decoders refuse these documents, so the exact path gives the findings).
SCHEMA_FIRING: dict[str, tuple[dict[str, Any], str]] = {
    "VOX-E004": ({"failed_calls": -1}, "schema/minimum"),
    "VOX-E008": ({"concurrency": 0, "active_concurrency": 0}, "schema/minimum"),
    "VOX-E011": ({"from_number": "070-7000-1234"}, "schema/pattern"),
    "VOX-E012": ({"name": " "}, "schema/pattern"),
    "VOX-E014": ({"agent": {"agent_id": "agent_01", "agent_version": "v1"}}, "schema/pattern"),
}


@pytest.mark.parametrize("unknown", [False, True], ids=["struct", "TypedDict"])
@pytest.mark.parametrize(("retired", "case"), list(SCHEMA_FIRING.items()), ids=list(SCHEMA_FIRING))
def test_what_the_retired_rules_checked_every_tier_refuses_by_the_schema(
    retired: str, case: tuple[dict[str, Any], str], unknown: bool
) -> None:
    changes, keyword = case
    record = valid_campaign(**changes, **({"added_by_the_api": [1]} if unknown else {}))
    data = orjson.dumps(record)
    assert _decoder_tier(data, "Campaign", _tier_one("Campaign"), False, ()) is None
    reference = _reference_tier(data, "Campaign", False, ())
    assert [f.rule for f in reference] == [keyword]
    assert validate_json(data) == reference == validate(record)
    assert_matches_reference(data)


@_SETTINGS
@given(near_valid_campaigns())
def test_near_valid_campaigns_match_the_reference_on_every_tier(record: dict[str, Any]) -> None:
    data = orjson.dumps(record)
    findings = assert_matches_reference(data)
    assert validate(record) == findings


@_SETTINGS
@given(mutated_campaigns(), st.sampled_from(["CreateCampaignRequest", "UpdateCampaignRequest"]))
def test_request_tiers_agree(record: dict[str, Any], schema: str) -> None:
    record["tasks"] = [{"to_number": "01012345678"}]
    assert validate(record, schema) == validate_json(json.dumps(record), schema)


def _with(**changes: Any) -> bytes:
    return orjson.dumps(valid_campaign(**changes))


def _raw(record_text: str) -> bytes:
    return record_text.encode()


_BASE = orjson.dumps(valid_campaign()).decode()
_DEEP_OK = "[" * 500 + "]" * 500
_DEEP_BAD = "[" * 1010 + "]" * 1010

EDGE_CASES: dict[str, bytes | str] = {
    "1.0 for an integer": _BASE.replace('"total_calls":1200', '"total_calls":1200.0'),
    "1.5 for an integer": _BASE.replace('"total_calls":1200', '"total_calls":1200.5'),
    "1e3 for an integer": _BASE.replace('"concurrency":20', '"concurrency":2e1'),
    "true for an integer": _BASE.replace('"total_calls":1200', '"total_calls":true'),
    "integer beyond 64 bits": _BASE.replace(
        '"total_calls":1200', '"total_calls":18446744073709551616'
    ),
    "negative beyond 64 bits": _BASE.replace(
        '"created_at":1741842354957', '"created_at":-99999999999999999999999'
    ),
    "huge integer in a string field": _BASE.replace(
        '"id":"cmp_01HZX3Q8K9"', '"id":123456789012345678901234567890'
    ),
    "NaN for an integer": _BASE.replace('"total_calls":1200', '"total_calls":NaN'),
    "Infinity in an unknown field": _BASE[:-1] + ',"x":Infinity}',
    "1e400 for an integer": _BASE.replace('"total_calls":1200', '"total_calls":1e400'),
    "-0 and -0.0": _BASE.replace('"failed_calls":88', '"failed_calls":-0').replace(
        '"active_concurrency":12', '"active_concurrency":-0.0'
    ),
    "duplicate keys, the last valid": _BASE.replace('{"id"', '{"status":"bogus","id"'),
    "duplicate keys, the last invalid": _BASE[:-1] + ',"status":"bogus"}',
    "duplicate nested keys": _BASE.replace(
        '"timezone":"Asia/Seoul"', '"timezone":1,"timezone":"Asia/Seoul"'
    ),
    "lone surrogate escape": _BASE.replace('"Spring promo outreach"', '"\\ud800"'),
    "lone surrogate as UTF-8 bytes": _BASE.encode().replace(
        b'"Spring promo outreach"', b'"\xed\xa0\x80"'
    ),
    "lone surrogate in a str": _BASE.replace('"Spring promo outreach"', '"\ud800"'),
    "surrogate pair escape": _BASE.replace('"Spring promo outreach"', '"\\ud83d\\ude00"'),
    "invalid UTF-8": _BASE.encode().replace(b'"Spring promo outreach"', b'"\xff"'),
    "invalid UTF-8 in an unknown field": _BASE.encode()[:-1] + b',"x":"\xc0\x80"}',
    "UTF-8 BOM in bytes": b"\xef\xbb\xbf" + _BASE.encode(),
    "UTF-8 BOM in a str": "\ufeff" + _BASE,
    "UTF-16": _BASE.encode("utf-16-le"),
    "deep nesting in an unknown field (500)": _BASE[:-1] + f',"x":{_DEEP_OK}}}',
    "deep nesting in an unknown field (1010)": _BASE[:-1] + f',"x":{_DEEP_BAD}}}',
    "deep nesting in a known field": _BASE.replace('"id":"cmp_01HZX3Q8K9"', f'"id":{_DEEP_OK}'),
    "control character in a string": _BASE.replace('"Spring promo outreach"', '"a\x01b"'),
    "escaped NUL": _BASE.replace('"Spring promo outreach"', '"a\\u0000b"'),
    "trailing garbage": _BASE + "x",
    "trailing whitespace": _BASE + " \n\t",
    "truncated": _BASE[:100],
    "empty": "",
    "an array": "[" + _BASE + "]",
    "null": "null",
    "escaped key": _BASE.replace('"name"', '"na\\u006de"'),
    "unknown key": _BASE[:-1] + ',"extra":{"a":[1,2,{"b":null}]}}',
    "non-string enum value": _BASE.replace('"status":"ongoing"', '"status":["ongoing"]'),
    "format is not asserted": _BASE.replace("3c90c3cc-0d44-4b50-8888-8dd25736052a", "not-a-uuid"),
    "minute 1440.0": _BASE.replace('"end_min":1200', '"end_min":1440.0'),
    "minute 1441.0": _BASE.replace('"end_min":1200', '"end_min":1441.0'),
    "missing members": '{"status": "draft"}',
    # JSON syntax the fast decoders must judge exactly as json.loads does
    "form feed as whitespace": _BASE.replace('"name":', '"name":\x0c'),
    "no-break space as whitespace": _BASE.replace('"name":', '"name":\xa0'),
    "trailing comma in an object": _BASE[:-1] + ",}",
    "trailing comma in an array": _BASE.replace('"Friday"]', '"Friday",]'),
    "leading zero": _BASE.replace('"total_calls":1200', '"total_calls":01200'),
    "plus sign": _BASE.replace('"total_calls":1200', '"total_calls":+1200'),
    "raw tab in a string": _BASE.replace('"Spring promo outreach"', '"a\tb"'),
    "escaped key in a known member": _BASE.replace('"status"', '"st\\u0061tus"'),
    "escaped enum value": _BASE.replace('"ongoing"', '"ongo\\u0069ng"'),
    "single quotes": _BASE.replace('"name":"Spring promo outreach"', "\"name\":'x'"),
    "a comment": _BASE.replace('"name":', '"name":/*c*/'),
    "True for true": _BASE.replace('"auto_resume":true', '"auto_resume":True'),
    "two documents": _BASE + _BASE,
    "largest unsigned 64-bit integer": _BASE.replace(
        '"total_calls":1200', '"total_calls":18446744073709551615'
    ),
    "smallest signed 64-bit integer": _BASE.replace(
        '"created_at":1741842354957', '"created_at":-9223372036854775808'
    ),
    "exponent for an integer": _BASE.replace('"total_calls":1200', '"total_calls":12E2'),
    # members the spec does not list, skipped by the lenient msgspec pass
    "lone surrogate bytes in an unknown field": _BASE.encode()[:-1] + b',"x":"\xed\xa0\x80"}',
    "invalid UTF-8 in an unknown nested field": _BASE.encode().replace(
        b'"agent":{', b'"agent":{"x":["\xff"],'
    ),
    "1e400 in an unknown field": _BASE[:-1] + ',"x":1e400}',
    "NaN in an unknown field": _BASE[:-1] + ',"x":[NaN]}',
    "bad escape in an unknown field": _BASE[:-1] + ',"x":"\\q"}',
    "unknown field in a window": _BASE.replace(
        '"end_min":1200', '"end_min":1200,"note":{"a":[1,2]}'
    ),
    "unknown field with a broken value": _BASE[:-1] + ',"x":[1,}',
    "deep nesting in an unknown field (990)": _BASE[:-1] + ',"x":' + "[" * 990 + "]" * 990 + "}",
    "U+2028 in a string": _BASE.replace('"Spring promo outreach"', '"a\u2028b"'),
}


@pytest.mark.parametrize("data", list(EDGE_CASES.values()), ids=list(EDGE_CASES))
def test_edge_cases_match_the_reference(data: bytes | str) -> None:
    assert_matches_reference(data)


def test_edge_case_verdicts_are_the_expected_ones() -> None:
    """Spot checks that the edge cases really exercise both verdicts."""

    def rules(name: str) -> list[str]:
        return [f.rule for f in validate_json(EDGE_CASES[name])]

    assert rules("1.0 for an integer") == []
    assert rules("integer beyond 64 bits") == []
    assert rules("UTF-8 BOM in bytes") == []
    assert rules("UTF-16") == []
    assert rules("duplicate keys, the last valid") == []
    assert rules("lone surrogate escape") == []
    assert rules("deep nesting in an unknown field (500)") == []
    assert rules("true for an integer") == ["schema/type"]
    assert rules("NaN for an integer") == ["schema/type"]
    assert rules("duplicate keys, the last invalid") == ["schema/enum"]
    assert rules("minute 1441.0") == ["schema/anyOf"]
    assert rules("UTF-8 BOM in a str") == ["parse"]
    assert rules("invalid UTF-8 in an unknown field") == ["parse"]
    assert rules("deep nesting in an unknown field (1010)") == ["parse"]
    assert rules("lone surrogate bytes in an unknown field") == []
    assert rules("unknown field in a window") == []
    assert rules("invalid UTF-8 in an unknown nested field") == ["parse"]
    assert rules("NaN in an unknown field") == []


def test_skipping_is_safe_only_for_strict_utf8_and_shallow_documents() -> None:
    assert skipping_is_safe(_BASE)
    assert skipping_is_safe(_BASE.encode())
    assert not skipping_is_safe(_BASE.encode()[:-1] + b',"x":"\xed\xa0\x80"}')
    assert not skipping_is_safe(_BASE[:-1] + ',"x":' + "[" * 300 + "]" * 300 + "}")
    assert not skipping_is_safe((_BASE[:-1] + ',"x":' + "{" * 300).encode())
