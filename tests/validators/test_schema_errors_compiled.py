"""The compiled error producers (``_tiers.compiled_errors``) give exactly jsonschema's errors.

Reference: a plain ``Draft202012Validator`` (no lean ``anyOf``, no split), each error as
(rule, path, JSON Pointer, message), the documented ``required`` decision applied (the path of
the missing member). Checked on the bundle's component schemas with generated and mutated
records, and on random schemas of the keywords the compiler knows and of some it does not, where
the producer must either give the reference's errors or doubt (None), never differ.
"""

from __future__ import annotations

import ast
import json
import re
from collections import UserDict
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests.support.campaigns import (
    campaigns,
    json_values,
    mutated_campaigns,
    reference_object_findings,
    valid_campaign,
)
from vox_validators import validate, validate_json
from vox_validators._drift import _satisfies
from vox_validators._schema import bundle, schema_names, validator_for
from vox_validators._tiers.compiled_errors import (
    REPR_DEPTH_LIMIT,
    _Compiler,
    compile_errors,
    compiled_errors_for,
    schema_errors_of,
)
from vox_validators._validate import _SHALLOW, _exact_findings, _jsonschema_findings
from vox_validators.jsonpointer import pointer

_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_DRAFT = "https://json-schema.org/draft/2020-12/schema"

Error = tuple[str, tuple[str | int, ...], str, str]


def reference_errors(validator: Draft202012Validator, instance: object) -> list[Error]:
    out: list[Error] = []
    for error in validator.iter_errors(instance):
        path: list[str | int] = list(error.absolute_path)
        if error.validator == "required":
            match = re.fullmatch(r"(.*) is a required property", error.message, re.DOTALL)
            assert match is not None
            path.append(ast.literal_eval(match.group(1)))
        out.append((f"schema/{error.validator}", tuple(path), pointer(path), error.message))
    return out


def _component_reference(schema: str) -> Draft202012Validator:
    return Draft202012Validator({**bundle(), "$ref": f"#/$defs/{schema}"})


# ---- the bundle -----------------------------------------------------------------------------


@pytest.mark.parametrize("schema", schema_names())
def test_every_component_schema_compiles_without_a_static_doubt(schema: str) -> None:
    """The bundle uses only keywords the compiler mirrors: jsonschema is needed for exotic
    values only, never for a whole schema."""
    compiler = _Compiler(bundle()["$defs"])
    compiler.build([compiler.function({"$ref": f"#/$defs/{schema}"}, "errors")])
    assert compiler.static_doubts == 0
    assert "raise _Doubt" in compiled_errors_for(schema).source  # the exactness checks


_SCHEMAS = st.sampled_from(schema_names())


@_SETTINGS
@given(st.one_of(campaigns, mutated_campaigns()), _SCHEMAS)
def test_campaigns_get_the_reference_errors(record: dict[str, Any], schema: str) -> None:
    errors = schema_errors_of(record, schema)
    assert errors is not None  # plain JSON, shallow: the compiled code vouches
    assert errors == reference_errors(_component_reference(schema), record)
    assert schema_errors_of(record, schema, shallow=True) == errors


def test_a_document_shallow_enough_for_orjson_is_shallow_enough_to_repr() -> None:
    """validate_json asks for the errors of a shallow value when the document has fewer
    brackets than ``_SHALLOW``: no container of it can be ``REPR_DEPTH_LIMIT`` deep."""
    assert _SHALLOW <= REPR_DEPTH_LIMIT
    deep: Any = "x"
    for _ in range(_SHALLOW - 1):
        deep = [deep]
    data = json.dumps(valid_campaign(id=deep))
    assert data.count("[") + data.count("{") >= _SHALLOW  # read again by json.loads
    expected = reference_object_findings(json.loads(data))
    findings = [(f.rule, f.path, f.message) for f in validate_json(data)]
    assert findings == expected


@_SETTINGS
@given(json_values, _SCHEMAS)
def test_any_json_value_gets_the_reference_errors(value: Any, schema: str) -> None:
    errors = schema_errors_of(value, schema)
    assert errors is not None
    assert errors == reference_errors(_component_reference(schema), value)


@_SETTINGS
@given(mutated_campaigns())
def test_the_exact_path_gives_the_same_findings_with_or_without_jsonschema(
    record: dict[str, Any],
) -> None:
    """The compiled errors and the jsonschema fallback: the same findings, the same members
    hidden from the rules (so the same rule findings too)."""
    findings = _exact_findings(record, "Campaign", False, ())
    errors = schema_errors_of(record, "Campaign")
    assert errors is not None
    fallback, paths = _jsonschema_findings(record, "Campaign")
    assert [f for f in findings if f.rule.startswith("schema/")] == fallback
    assert [path for _, path, _, _ in errors] == paths


def test_several_errors_come_in_jsonschema_order() -> None:
    record = valid_campaign(
        name="",
        status=3,
        concurrency=0.5,
        call_time_window={
            "windows": [{"start_min": -1, "end_min": 1441, "days": ["Monday", "Moonday"]}],
            "timezone": "Asia/Seoul",
            "auto_resume": True,
        },
    )
    del record["id"], record["agent"]
    errors = schema_errors_of(record, "Campaign")
    assert errors is not None
    assert [(rule, at) for rule, _, at, _ in errors] == [
        ("schema/required", "/id"),
        ("schema/required", "/agent"),
        ("schema/minLength", "/name"),
        ("schema/pattern", "/name"),
        ("schema/type", "/status"),
        ("schema/enum", "/status"),
        ("schema/type", "/concurrency"),
        ("schema/minimum", "/concurrency"),
        ("schema/anyOf", "/call_time_window"),
    ]
    assert errors == reference_errors(_component_reference("Campaign"), record)
    window = {"windows": [{"start_min": -1, "end_min": 1441, "days": ["Moonday"]}]}
    errors = schema_errors_of({**window, "timezone": 1}, "CallTimeWindow")
    assert errors is not None
    assert [at for _, _, at, _ in errors] == [
        "/auto_resume",
        "/windows/0/start_min",
        "/windows/0/end_min",
        "/windows/0/days/0",
        "/timezone",
    ]


class _Text(str):
    __slots__ = ()


@pytest.mark.parametrize(
    "changes",
    [
        {"name": _Text("x")},  # a str subclass: jsonschema's isinstance takes it
        {"total_calls": Decimal(3)},  # a Number jsonschema compares, not an int
        {"call_time_window": {"windows": (), "timezone": "UTC", "auto_resume": True}},
        {"agent": UserDict({"agent_id": "x"})},
    ],
    ids=["str subclass", "Decimal", "tuple", "UserDict"],
)
def test_a_value_of_no_exact_json_type_is_left_to_jsonschema(changes: dict[str, Any]) -> None:
    record = valid_campaign(**changes)
    assert schema_errors_of(record, "Campaign") is None
    schema_findings = [(f.rule, f.path, f.message) for f in validate(record) if "/" in f.rule]
    assert schema_findings == reference_object_findings(record)


def test_a_value_no_keyword_reads_needs_no_exact_type() -> None:
    """Only shown in a message (its repr is jsonschema's too): no doubt."""
    record = valid_campaign(id=[[], _Text("x"), Decimal(1)], extra=(_Text(),))
    errors = schema_errors_of(record, "Campaign")
    assert errors is not None
    assert errors == reference_errors(_component_reference("Campaign"), record)


def test_a_deep_value_in_a_message_is_left_to_jsonschema() -> None:
    deep: Any = []
    for _ in range(REPR_DEPTH_LIMIT):
        deep = [deep]
    assert schema_errors_of(valid_campaign(id=deep), "Campaign") is None
    assert schema_errors_of(valid_campaign(id=deep[0][0]), "Campaign") is not None
    # Deep, but where no message shows it: no doubt.
    assert schema_errors_of(valid_campaign(extra=deep), "Campaign") == []


@_SETTINGS
@given(json_values)
def test_drift_follows_the_branch_jsonschema_finds_valid(value: Any) -> None:
    component = validator_for("Campaign")
    for name in ("paused_by", "call_time_window"):
        for branch in bundle()["$defs"]["Campaign"]["properties"][name]["anyOf"]:
            assert _satisfies(branch, value, "Campaign") == component.evolve(
                schema=branch
            ).is_valid(value)


# ---- random schemas -------------------------------------------------------------------------

_NAMES = st.sampled_from(["a", "b", "c"])
_PATTERNS = st.sampled_from(["^a", "b$", "[0-9]+", "(?![\\s\\S])", "(", "\\d{2}"])
_BOUNDS = st.one_of(st.integers(-2, 3), st.sampled_from([0.5, 1.0, 2.0, True]))
_TYPE_NAMES = st.sampled_from(
    ["string", "integer", "number", "boolean", "null", "object", "array", "any"]
)
_LEAVES = st.one_of(
    st.builds(lambda kind: {"type": kind}, _TYPE_NAMES),
    st.builds(lambda kinds: {"type": kinds}, st.lists(_TYPE_NAMES, max_size=3)),
    st.builds(lambda values: {"enum": values}, st.lists(st.sampled_from(["a", "b", ""]))),
    st.builds(lambda values: {"enum": values}, st.lists(st.sampled_from([1, "1", None, True]))),
    st.builds(lambda names: {"required": names}, st.lists(_NAMES, max_size=3)),
    st.builds(lambda pattern: {"pattern": pattern}, _PATTERNS),
    st.builds(lambda pattern: {"pattern": 1}, st.none()),
    st.builds(
        lambda keyword, bound: {keyword: bound},
        st.sampled_from(
            [
                "minimum",
                "maximum",
                "exclusiveMinimum",
                "exclusiveMaximum",
                "minLength",
                "maxLength",
                "minItems",
                "maxItems",
                "minProperties",
                "maxProperties",
            ]
        ),
        _BOUNDS,
    ),
    st.sampled_from(
        [
            {"format": "uuid"},
            {"const": 1},
            {"multipleOf": 2},
            {"additionalProperties": True},
            {"additionalProperties": {}},
            {"additionalProperties": False},
            {"uniqueItems": True},
            {"$ref": "#/$defs/Leaf"},
            {"$ref": "#/$defs/Loop"},
            {"$ref": "#/$defs/Missing"},
            {"description": "annotation only", "x-vox": 1},
            {"$id": "https://example.com/x"},
            {},
        ]
    ),
    st.booleans(),
)


def _merged(parts: list[Any]) -> Any:
    merged: dict[str, Any] = {}
    for part in parts:
        if not isinstance(part, dict):
            return part
        merged.update(part)
    return merged


_SUBSCHEMAS = st.recursive(
    st.builds(_merged, st.lists(_LEAVES, min_size=1, max_size=3)),
    lambda inner: st.one_of(
        st.builds(
            lambda props: {"type": "object", "properties": props},
            st.dictionaries(_NAMES, inner, max_size=3),
        ),
        st.builds(lambda props: {"properties": props}, st.dictionaries(_NAMES, inner, max_size=2)),
        st.builds(lambda item: {"items": item}, inner),
        st.builds(lambda item: {"type": "array", "items": item, "prefixItems": []}, inner),
        st.builds(lambda branches: {"anyOf": branches}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda branches: {"anyOf": branches}, st.just([])),
        st.builds(_merged, st.lists(inner, min_size=2, max_size=3)),
    ),
    max_leaves=8,
)
_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 3),
        st.sampled_from([0.5, 1.0, -0.0, 2.0, float("nan"), float("inf")]),
        st.sampled_from(["", "a", "ab", "b", "12", "\n", "abc"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), inner, max_size=4),
    ),
    max_leaves=10,
)
_DEFS = {
    "Leaf": {"type": "string", "minLength": 1},
    "Loop": {"type": "object", "properties": {"a": {"$ref": "#/$defs/Loop"}}},
}


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_SUBSCHEMAS, st.lists(_VALUES, min_size=1, max_size=4))
@example({"anyOf": [{"type": "string"}, {"type": "null"}]}, [None, 1, "x"])
@example({"minLength": 1.0, "maxItems": 0, "minProperties": 1}, ["", [1], {}])
@example({"type": "integer", "exclusiveMaximum": 1}, [1.0, 0.5, True, float("nan")])
@example({"minimum": 1, "maximum": 1, "exclusiveMinimum": 0}, [0, 1, 1.0, 2, 0.0])
@example({"minLength": 1, "maxLength": 1, "minItems": 1, "maxItems": 1}, ["", "a", [], [1]])
@example({"minProperties": 2, "maxProperties": 0}, [{}, {"a": 1, "b": 2}])
@example({"required": ["a", "a"], "properties": {"a": {"$ref": "#/$defs/Leaf"}}}, [{}, {"a": ""}])
def test_random_schemas_give_the_reference_errors_or_doubt(schema: Any, values: list[Any]) -> None:
    root = {"$schema": _DRAFT, "$defs": {**_DEFS, "Subject": schema}}
    produced = compile_errors(root, {"$ref": "#/$defs/Subject"})
    reference = Draft202012Validator({**root, "$ref": "#/$defs/Subject"})
    for value in values:
        errors = produced.errors(value)
        try:
            expected = reference_errors(reference, value)
        except Exception:  # an unknown type, a bad pattern...: the code doubts
            assert errors is None, produced.source
            continue
        if errors is not None:
            assert errors == expected, produced.source


def test_random_schemas_mostly_compile() -> None:
    """The known keywords compile without doubt (so the property above compares something)."""
    schema = {
        "type": "object",
        "required": ["a", "b"],
        "properties": {
            "a": {"type": ["string", "null"], "minLength": 2, "pattern": "^a"},
            "b": {"type": "array", "items": {"$ref": "#/$defs/Leaf"}, "maxItems": 1},
            "c": {"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"enum": ["x"]}]},
        },
        "minProperties": 1,
        "additionalProperties": {},
    }
    root = {"$schema": _DRAFT, "$defs": {**_DEFS, "Subject": schema}}
    produced = compile_errors(root, {"$ref": "#/$defs/Subject"})
    reference = Draft202012Validator({**root, "$ref": "#/$defs/Subject"})
    values: list[Any] = [{}, {"a": "b", "b": ["", 1], "c": 0}, {"a": None, "b": [], "c": "x"}, 1]
    for value in values:
        assert produced.errors(value) == reference_errors(reference, value)
    assert reference_errors(reference, values[1])  # there are errors to compare


def test_a_root_of_another_dialect_or_resource_is_not_compiled() -> None:
    for root in ({"$schema": "http://json-schema.org/draft-07/schema#"}, {"$id": "urn:x"}):
        assert compile_errors(root, {"type": "string"}).errors(1) is None
    assert json.loads(json.dumps(bundle()))["$schema"] == _DRAFT
