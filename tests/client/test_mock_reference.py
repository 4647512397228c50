"""MockVox, which the cassettes are recorded from (it replaced the reference server of tests/),
follows the spec: a schemathesis contract test (generated requests, every response checked against
the spec), plus the documented rules, over a real socket on 127.0.0.1.

tests/client/testing/ tests MockVox itself on both transports; these are the reference server's
own assertions, kept so that nothing it was held to is lost."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from tests.support.campaigns import spec_campaigns
from tests.support.paths import SPEC_PATH
from vox_client.testing import MockVox
from vox_validators import validate

KEY = "voxref_contract_0123456789abcdef0123456789ab"

# A fixed seed and a bounded number of examples: deterministic, and a few seconds long.
# The business rules (an IANA time zone, digits-only numbers, a window that starts before it
# ends) are beyond JSON Schema, so a schema-valid body may still be refused: with 422, which the
# spec documents as "well-formed but not acceptable", and only with 422.
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261129,
        "generation": {"mode": "positive", "max-examples": 30, "database": "none"},
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
            }
        },
    }
)
schema = schemathesis.openapi.from_path(SPEC_PATH, config=CONFIG)


@pytest.fixture(scope="module")
def contract_server() -> Iterator[MockVox]:
    with MockVox.serve(api_key=KEY) as server:
        yield server


@schema.parametrize()
def test_mock_follows_the_spec(case: Any, contract_server: MockVox) -> None:
    case.call_and_validate(base_url=contract_server.url, headers={"Authorization": f"Bearer {KEY}"})


@pytest.mark.parametrize("campaign_id", sorted(spec_campaigns()))
def test_every_campaign_answer_follows_the_spec(campaign_id: str) -> None:
    # Generated IDs almost never name a stored campaign, so each stored one is called explicitly
    # and its GET and PATCH answers go through the same schemathesis checks.
    operations = schema["/v3/campaigns/{campaign_id}"]
    headers = {"Authorization": f"Bearer {KEY}"}
    with MockVox.serve(api_key=KEY) as server:
        get = operations["GET"].Case(path_parameters={"campaign_id": campaign_id})
        response = get.call_and_validate(base_url=server.url, headers=headers)
        assert response.status_code == 200
        patch = operations["PATCH"].Case(
            path_parameters={"campaign_id": campaign_id},
            body={"name": "새 이름"},
            media_type="application/json",
        )
        response = patch.call_and_validate(base_url=server.url, headers=headers)
        assert response.status_code in (200, 409)


# --- the documented rules, one by one --------------------------------------------------------


@pytest.fixture
def server() -> Iterator[MockVox]:
    with MockVox.serve(api_key=KEY) as running:
        yield running


def call(
    server: MockVox, method: str, path: str, body: Any = None, key: str | None = KEY
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    content = None if body is None else json.dumps(body).encode()
    return httpx.request(method, server.url + path, headers=headers, content=content)


def assert_envelope(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert validate(body, "ErrorEnvelope") == []
    assert body["error"]["code"] == code
    return body


def test_serves_the_spec_examples_and_they_are_valid(server: MockVox) -> None:
    assert len(server.campaigns) == 8
    assert server.campaigns == spec_campaigns()
    for campaign_id, campaign in server.campaigns.items():
        response = call(server, "GET", f"/v3/campaigns/{campaign_id}")
        assert response.status_code == 200
        assert response.json() == campaign
        assert validate(campaign, "Campaign") == []


@pytest.mark.parametrize("key", [None, "voxref_wrong"])
def test_missing_or_wrong_key_is_401(server: MockVox, key: str | None) -> None:
    assert_envelope(
        call(server, "GET", "/v3/campaigns/cmp_3f9a1c2e7b", key=key), 401, "unauthorized"
    )


def test_unknown_id_is_404(server: MockVox) -> None:
    body = assert_envelope(call(server, "GET", "/v3/campaigns/cmp_nope"), 404, "not_found")
    assert body["error"]["details"] == {"field": "campaign_id", "reason": "not_found"}


@pytest.mark.parametrize("name", [None, "", " ", "\t"])
def test_blank_name_is_400_with_the_documented_envelope(server: MockVox, name: str | None) -> None:
    body = assert_envelope(
        call(server, "PATCH", "/v3/campaigns/cmp_3f9a1c2e7b", {"name": name}),
        400,
        "invalid_request",
    )
    assert body["error"] == {
        "code": "invalid_request",
        "message": "name must not be blank",
        "details": {"field": "name", "reason": "blank"},
    }


@pytest.mark.parametrize(
    ("campaign_id", "editable"),
    [
        ("cmp_3f9a1c2e7b", True),  # draft
        ("cmp_8d21b7e04a", True),  # pending
        ("cmp_1a7c3e5f90", True),  # paused
        ("cmp_5b6e0f9d13", False),  # ongoing
        ("cmp_4c8f1a0e26", False),  # success
        ("cmp_6f2a9c4d85", False),  # fail
        ("cmp_0b3e7d1f54", False),  # canceled
    ],
)
def test_patch_only_in_draft_pending_paused(
    server: MockVox, campaign_id: str, editable: bool
) -> None:
    response = call(server, "PATCH", f"/v3/campaigns/{campaign_id}", {"name": "새 이름"})
    if editable:
        assert response.status_code == 200
        assert response.json()["name"] == "새 이름"
    else:
        assert_envelope(response, 409, "invalid_status")
        assert server.get(campaign_id)["name"] != "새 이름"


def test_empty_patch_is_422_and_bad_json_is_400(server: MockVox) -> None:
    # The reference server answered 400 for the empty body; the issue has MockVox answer "422 for
    # a body the spec refuses" (UpdateCampaignRequest has minProperties: 1), and only a blank name
    # or a body that is not JSON with 400. tests/client/testing/test_mock_api.py pins the reason.
    before = server.get("cmp_3f9a1c2e7b")
    assert_envelope(
        call(server, "PATCH", "/v3/campaigns/cmp_3f9a1c2e7b", {}), 422, "unprocessable_request"
    )
    assert server.get("cmp_3f9a1c2e7b") == before
    response = httpx.patch(
        f"{server.url}/v3/campaigns/cmp_3f9a1c2e7b",
        content=b"{",
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert_envelope(response, 400, "invalid_request")


def test_schema_valid_body_breaking_a_business_rule_is_422(server: MockVox) -> None:
    window = {
        "windows": [{"start_min": 720, "end_min": 540, "days": ["Monday"]}],
        "timezone": "Asia/Seoul",
        "auto_resume": True,
    }
    body = assert_envelope(
        call(server, "PATCH", "/v3/campaigns/cmp_3f9a1c2e7b", {"call_time_window": window}),
        422,
        "unprocessable_request",
    )
    assert body["error"]["details"]["field"] == "call_time_window"


def test_create_defaults(server: MockVox) -> None:
    body = {
        "name": "n",
        "from_number": "0101",
        "agent": {"agent_id": "550e8400-e29b-41d4-a716-446655440000", "agent_version": "v1"},
        "tasks": [{}, {}, {}],
    }
    response = call(server, "POST", "/v3/campaigns", body)
    assert response.status_code == 200
    campaign = response.json()
    assert validate(campaign, "Campaign") == []
    assert (campaign["status"], campaign["total_calls"], campaign["concurrency"]) == (
        "pending",
        3,
        1,
    )
    assert campaign["call_time_window"]["windows"] == [
        {
            "start_min": 480,
            "end_min": 1200,
            "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        }
    ]
    scheduled = call(server, "POST", "/v3/campaigns", {**body, "scheduled_at": 1764464400})
    assert (scheduled.json()["status"], scheduled.json()["scheduled_at"]) == (
        "draft",
        1764464400000,
    )


def test_undocumented_method_is_405(server: MockVox) -> None:
    response = call(server, "DELETE", "/v3/campaigns/cmp_3f9a1c2e7b")
    assert_envelope(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET, PATCH"
