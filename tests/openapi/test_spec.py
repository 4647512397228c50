"""The OpenAPI document: valid, faithful to the docs pages, and with examples that validate."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi

from generator._build import json_schema_bundle

TERMINAL = {"success", "fail", "canceled"}


def test_spec_is_valid_openapi_3_1(spec_document: dict[str, Any]) -> None:
    assert spec_document["openapi"] == "3.1.0"
    validate_openapi(spec_document)


def _media_examples(document: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(where, schema name, example value) for every example attached to a media type."""
    components = document["components"]
    found = []

    def visit(content: dict[str, Any], where: str) -> None:
        for media in content.values():
            schema_name = media["schema"]["$ref"].rsplit("/", 1)[-1]
            for name, example in media.get("examples", {}).items():
                if "$ref" in example:
                    example = components["examples"][example["$ref"].rsplit("/", 1)[-1]]
                found.append((f"{where} {name}", schema_name, example["value"]))

    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            if "requestBody" in operation:
                visit(operation["requestBody"]["content"], f"{method.upper()} {path} request")
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    response = components["responses"][response["$ref"].rsplit("/", 1)[-1]]
                visit(response.get("content", {}), f"{method.upper()} {path} {status}")
    for name, response in components["responses"].items():
        visit(response.get("content", {}), f"response {name}")
    return found


def test_every_component_example_is_used(spec_document: dict[str, Any]) -> None:
    used = {str(value) for _, _, value in _media_examples(spec_document)}
    for name, example in spec_document["components"]["examples"].items():
        assert str(example["value"]) in used, f"example {name} is attached to no media type"


def test_every_example_satisfies_its_schema(spec_document: dict[str, Any]) -> None:
    bundle = json_schema_bundle(spec_document)
    examples = _media_examples(spec_document)
    assert len(examples) >= 15
    for where, schema_name, value in examples:
        validator = Draft202012Validator({**bundle, "$ref": f"#/$defs/{schema_name}"})
        errors = [error.message for error in validator.iter_errors(value)]
        assert errors == [], f"{where}: {errors}"


def test_examples_cover_every_status_and_both_pausers(spec_document: dict[str, Any]) -> None:
    campaigns = [v for _, s, v in _media_examples(spec_document) if s == "Campaign"]
    assert {c["status"] for c in campaigns} == set(
        spec_document["components"]["schemas"]["CampaignStatus"]["enum"]
    )
    assert {c["paused_by"] for c in campaigns} == {None, "user", "system"}
    assert any(c["call_time_window"] is None for c in campaigns)


def test_examples_are_realistic(spec_document: dict[str, Any]) -> None:
    placeholders = {"<string>", 123}
    for where, _, value in _media_examples(spec_document):
        flat = _leaves(value)
        assert not placeholders & set(flat), f"{where} holds a docs placeholder"


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for child in value.values() for leaf in _leaves(child)]
    if isinstance(value, list):
        return [leaf for child in value for leaf in _leaves(child)]
    return [value]


# The facts of the vox.ai campaign page, the seed of this spec
# (https://docs.tryvox.co/api-reference/v3/campaigns/캠페인-조회): field, JSON types, nullable.
SEED_FIELDS: dict[str, tuple[str, bool]] = {
    "id": ("string", False),
    "name": ("string", False),
    "status": ("string", False),
    "agent": ("object", False),
    "from_number": ("string", False),
    "total_calls": ("integer", False),
    "completed_calls": ("integer", False),
    "failed_calls": ("integer", False),
    "concurrency": ("integer", False),
    "active_concurrency": ("integer", False),
    "created_at": ("integer", False),
    "presentation_number": ("string", True),  # 미지정은 null
    "scheduled_at": ("integer", True),  # not stated; a decision the spec must say it made
    "finished_at": ("integer", True),  # 완료 전에는 null
    "paused_at": ("integer", True),  # 일시정지 아니면 null
    "paused_by": ("string", True),
    "call_time_window": ("object", True),  # 설정하지 않으면 null
}
SEED_ENUMS = {
    "status": ["draft", "pending", "ongoing", "paused", "success", "fail", "canceled"],
    "paused_by": ["user", "system"],
}


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _types(document: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    schema = _resolve(document, schema)
    if "anyOf" in schema:
        return {t for option in schema["anyOf"] for t in _types(document, option)}
    declared = schema["type"]
    return set(declared) if isinstance(declared, list) else {declared}


@pytest.mark.parametrize("field", sorted(SEED_FIELDS))
def test_seed_field_is_in_spec(spec_document: dict[str, Any], field: str) -> None:
    campaign = spec_document["components"]["schemas"]["Campaign"]
    json_type, nullable = SEED_FIELDS[field]
    assert field in campaign["required"]
    types = _types(spec_document, campaign["properties"][field])
    assert json_type in types
    assert ("null" in types) is nullable
    if field == "scheduled_at":
        assert "Decision" in campaign["properties"][field]["description"]


def test_campaign_has_exactly_the_seventeen_seed_fields(spec_document: dict[str, Any]) -> None:
    assert set(spec_document["components"]["schemas"]["Campaign"]["properties"]) == set(SEED_FIELDS)


@pytest.mark.parametrize(("field", "values"), sorted(SEED_ENUMS.items()))
def test_seed_enums(spec_document: dict[str, Any], field: str, values: list[str]) -> None:
    prop = spec_document["components"]["schemas"]["Campaign"]["properties"][field]
    options = prop.get("anyOf", [prop])
    enums = [_resolve(spec_document, o)["enum"] for o in options if "$ref" in o]
    assert enums == [values]


def test_seed_nested_objects(spec_document: dict[str, Any]) -> None:
    schemas = spec_document["components"]["schemas"]
    agent = schemas["AgentRef"]
    assert agent["properties"]["agent_id"]["format"] == "uuid"
    assert set(agent["required"]) == {"agent_id", "agent_version"}
    window = schemas["CallTimeWindow"]
    assert set(window["properties"]) == {"windows", "timezone", "auto_resume"}
    assert window["properties"]["auto_resume"]["type"] == "boolean"
    item = schemas["CallWindow"]["properties"]
    for bound in ("start_min", "end_min"):
        assert (item[bound]["type"], item[bound]["minimum"], item[bound]["maximum"]) == (
            "integer",
            0,
            1440,
        )
    assert schemas["Weekday"]["enum"] == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    ]  # fmt: skip


def test_auth_server_and_path_parameter(spec_document: dict[str, Any]) -> None:
    assert spec_document["servers"][0]["url"] == "https://client-api.tryvox.co"
    assert spec_document["components"]["securitySchemes"]["bearerAuth"] == {
        **spec_document["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }
    assert spec_document["security"] == [{"bearerAuth": []}]
    parameter = spec_document["components"]["parameters"]["CampaignId"]
    assert (parameter["name"], parameter["in"], parameter["required"]) == (
        "campaign_id",
        "path",
        True,
    )
    assert set(spec_document["paths"]["/v3/campaigns/{campaign_id}"]) >= {"get", "patch"}
    assert "post" in spec_document["paths"]["/v3/campaigns"]


def test_update_request_documents_name_rules(spec_document: dict[str, Any]) -> None:
    schemas = spec_document["components"]["schemas"]
    name = _resolve(spec_document, schemas["UpdateCampaignRequest"]["properties"]["name"])
    assert (name["minLength"], name["maxLength"]) == (1, 255)
    # \S means other things in ECMA-262 and Python's re: the class is spelled out
    # (tests/openapi/test_patterns.py proves that both engines read it alike).
    assert name["pattern"].startswith("[^")
    assert r"\S" not in name["pattern"]
    patch = spec_document["paths"]["/v3/campaigns/{campaign_id}"]["patch"]
    assert "400" in patch["responses"]
    assert "draft" in patch["description"]
    assert "replaces the whole" in patch["description"]


def test_error_envelope(spec_document: dict[str, Any]) -> None:
    schemas = spec_document["components"]["schemas"]
    assert schemas["ErrorEnvelope"]["required"] == ["error"]
    assert set(schemas["ErrorBody"]["properties"]) == {"code", "message", "details"}
    for item in spec_document["paths"].values():
        for method, operation in item.items():
            if method != "parameters":
                assert {"401", "429", "5XX", "default"} <= set(operation["responses"])


def test_inferred_create_fields_are_marked(spec_document: dict[str, Any]) -> None:
    create = spec_document["components"]["schemas"]["CreateCampaignRequest"]["properties"]
    for field in ("from_number", "presentation_number", "scheduled_at", "concurrency"):
        assert create[field]["x-vox-inferred"] is True
    assert spec_document["paths"]["/v3/campaigns"]["post"]["x-vox-inferred"] is True


# The single-field facts the docs state, in the schema where schema-driven tools see them
# (https://docs.tryvox.co/api-reference/v3/campaigns/캠페인-생성 and 캠페인-조회).
def test_single_field_facts_are_in_the_schema(spec_document: dict[str, Any]) -> None:
    schemas = spec_document["components"]["schemas"]
    campaign = schemas["Campaign"]["properties"]
    create = schemas["CreateCampaignRequest"]["properties"]
    for count in ("total_calls", "completed_calls", "failed_calls", "active_concurrency"):
        assert campaign[count]["minimum"] == 0, count
    for concurrency in (campaign["concurrency"], create["concurrency"]):
        assert (concurrency["minimum"], concurrency["maximum"]) == (1, 100)
    digits = r"^[0-9]+(?![\s\S])"
    for number in (campaign["from_number"], create["from_number"], create["presentation_number"]):
        assert number["pattern"] == digits
    assert campaign["presentation_number"]["type"] == ["string", "null"]
    assert campaign["presentation_number"]["pattern"] == digits
    names = [
        campaign["name"],
        create["name"],
        schemas["UpdateCampaignRequest"]["properties"]["name"],
    ]
    assert all(name == {"$ref": "#/components/schemas/CampaignName"} for name in names)
    agent_id = schemas["AgentRef"]["properties"]["agent_id"]
    assert agent_id["pattern"].endswith("{12}(?![\\s\\S])")
    # Where the docs are silent the spec says so instead of inventing a bound.
    assert "no length" in campaign["from_number"]["description"]
    assert "maxLength" not in campaign["from_number"]
