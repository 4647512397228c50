"""MockVox over HTTP: the documented statuses, the envelope and x-request-id, on both transports."""

from __future__ import annotations

import httpx
import pytest

from tests.client.testing._support import (
    AGENT,
    DRAFT,
    NOW_MS,
    ONGOING,
    PAUSED_USER,
    PENDING,
    auth,
    body,
)
from vox_client.testing import DEFAULT_WINDOW, MockVox
from vox_validators import validate_json


def assert_envelope(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"].startswith("req_")
    assert validate_json(response.content, "ErrorEnvelope") == []
    error: dict[str, object] = body(response)["error"]
    assert error["code"] == code
    return error


@pytest.mark.parametrize("campaign_id", sorted(MockVox().campaigns))
def test_get_answers_every_example_campaign_valid(
    http: httpx.Client, mock: MockVox, campaign_id: str
) -> None:
    response = http.get(f"/v3/campaigns/{campaign_id}", headers=auth(mock))
    assert response.status_code == 200
    assert response.headers["x-request-id"].startswith("req_")
    assert validate_json(response.content, "Campaign") == []
    assert body(response) == mock.get(campaign_id)


def test_request_ids_are_sequential_and_on_every_answer(http: httpx.Client, mock: MockVox) -> None:
    ids = [
        http.get(f"/v3/campaigns/{DRAFT}", headers=auth(mock)).headers["x-request-id"],
        http.get(f"/v3/campaigns/{DRAFT}").headers["x-request-id"],
        http.delete(f"/v3/campaigns/{DRAFT}", headers=auth(mock)).headers["x-request-id"],
    ]
    assert ids == ["req_00000001", "req_00000002", "req_00000003"]
    assert [r.request_id for r in mock.requests] == ids


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Missing API key"),
        ({"Authorization": "Bearer wrong"}, "Invalid API key"),
        ({"Authorization": "Basic voxmock_test_0123456789abcdef"}, "Invalid API key"),
    ],
)
def test_a_missing_or_wrong_key_is_401(
    http: httpx.Client, headers: dict[str, str], message: str
) -> None:
    error = assert_envelope(
        http.get(f"/v3/campaigns/{DRAFT}", headers=headers), 401, "unauthorized"
    )
    assert error["message"] == message
    error = assert_envelope(
        http.patch(f"/v3/campaigns/{DRAFT}", headers=headers, json={"name": "x"}),
        401,
        "unauthorized",
    )


def test_an_unknown_id_is_404(http: httpx.Client, mock: MockVox) -> None:
    error = assert_envelope(
        http.get("/v3/campaigns/cmp_does_not_exist", headers=auth(mock)), 404, "not_found"
    )
    assert error["details"] == {"field": "campaign_id", "reason": "not_found"}
    assert_envelope(
        http.patch("/v3/campaigns/cmp_nope", headers=auth(mock), json={"name": "x"}),
        404,
        "not_found",
    )


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", f"/v3/campaigns/{DRAFT}", "GET, PATCH"),
        ("PUT", f"/v3/campaigns/{DRAFT}", "GET, PATCH"),
        ("POST", f"/v3/campaigns/{DRAFT}", "GET, PATCH"),
        ("GET", "/v3/campaigns", "POST"),
        ("PATCH", "/v3/campaigns", "POST"),
        ("QUERY", "/v3/campaigns", "POST"),
    ],
)
def test_an_undocumented_method_is_405_with_allow(
    http: httpx.Client, mock: MockVox, method: str, path: str, allow: str
) -> None:
    response = http.request(method, path, headers=auth(mock))
    assert_envelope(response, 405, "method_not_allowed")
    assert response.headers["allow"] == allow


@pytest.mark.parametrize(
    "path", ["/v3/campaign", "/v2/campaigns/x", f"/v3/campaigns/{DRAFT}/tasks", "/"]
)
def test_an_undocumented_path_is_404(http: httpx.Client, mock: MockVox, path: str) -> None:
    assert_envelope(http.get(path, headers=auth(mock)), 404, "not_found")


def test_patch_renames_and_replaces_the_window_while_editable(
    http: httpx.Client, mock: MockVox
) -> None:
    renamed = http.patch(f"/v3/campaigns/{PAUSED_USER}", headers=auth(mock), json={"name": "2차"})
    assert renamed.status_code == 200
    assert validate_json(renamed.content, "Campaign") == []
    assert body(renamed)["name"] == "2차"
    window = {
        "windows": [{"start_min": 600, "end_min": 1080, "days": ["Monday"]}],
        "timezone": "Asia/Seoul",
        "auto_resume": False,
    }
    replaced = http.patch(
        f"/v3/campaigns/{PENDING}", headers=auth(mock), json={"call_time_window": window}
    )
    assert replaced.status_code == 200
    assert body(replaced)["call_time_window"] == window
    assert mock.get(PENDING)["call_time_window"] == window  # the state changed
    assert http.get(f"/v3/campaigns/{PENDING}", headers=auth(mock)).json() == body(replaced)


@pytest.mark.parametrize("status", ["ongoing", "success", "fail", "canceled"])
def test_patch_outside_draft_pending_paused_is_409(
    http: httpx.Client, mock: MockVox, status: str
) -> None:
    campaign = mock.add(status=status)
    error = assert_envelope(
        http.patch(f"/v3/campaigns/{campaign['id']}", headers=auth(mock), json={"name": "x"}),
        409,
        "invalid_status",
    )
    assert error["details"] == {
        "field": "status",
        "reason": "not_editable",
        "allowed_values": ["draft", "pending", "paused"],
    }
    assert mock.get(campaign["id"]) == campaign  # nothing changed


# "\ufeff" and "\x1c": whitespace to the spec's CampaignName pattern, not to str.strip().
@pytest.mark.parametrize("name", ["", "   ", "\t\n", None, "\ufeff", " \x1c\u3000"])
def test_a_blank_name_is_400_with_the_documented_envelope(
    http: httpx.Client, mock: MockVox, name: str | None
) -> None:
    error = assert_envelope(
        http.patch(f"/v3/campaigns/{DRAFT}", headers=auth(mock), json={"name": name}),
        400,
        "invalid_request",
    )
    assert error == {
        "code": "invalid_request",
        "message": "name must not be blank",
        "details": {"field": "name", "reason": "blank"},
    }
    create: dict[str, object] = {
        "name": name,
        "from_number": "01012345678",
        "agent": AGENT,
        "tasks": [{}],
    }
    assert_envelope(
        http.post("/v3/campaigns", headers=auth(mock), json=create), 400, "invalid_request"
    )


@pytest.mark.parametrize("data", [b"{not json", b"", b"\xff\xfe"])
def test_a_body_that_is_not_json_is_400(http: httpx.Client, mock: MockVox, data: bytes) -> None:
    error = assert_envelope(
        http.patch(f"/v3/campaigns/{DRAFT}", headers=auth(mock), content=data),
        400,
        "invalid_request",
    )
    assert error["details"] == {"reason": "invalid_json"}


@pytest.mark.parametrize(
    ("document", "field", "reason"),
    [
        ({}, None, "schema/minProperties"),
        ({"name": "x" * 256}, "name", "schema/maxLength"),
        ({"name": 5}, "name", "schema/type"),
        (
            {"call_time_window": {"windows": [], "timezone": "Asia/Seoul"}},
            "call_time_window",
            "schema/required",
        ),
        (
            {"call_time_window": {"windows": [], "timezone": "Mars/Olympus", "auto_resume": True}},
            "call_time_window",
            "VOX-E013",
        ),
        (
            {
                "call_time_window": {
                    "windows": [{"start_min": 1200, "end_min": 540, "days": ["Monday"]}],
                    "timezone": "Asia/Seoul",
                    "auto_resume": True,
                }
            },
            "call_time_window",
            "VOX-E001",
        ),
        ([1, 2], None, "schema/type"),
    ],
)
def test_a_body_the_spec_refuses_is_422(
    http: httpx.Client, mock: MockVox, document: object, field: str | None, reason: str
) -> None:
    response = http.patch(f"/v3/campaigns/{DRAFT}", headers=auth(mock), json=document)
    error = assert_envelope(response, 422, "unprocessable_request")
    details = error["details"]
    assert isinstance(details, dict)
    assert details["reason"] == reason
    assert details.get("field") == field
    assert mock.get(DRAFT)["name"] == MockVox().get(DRAFT)["name"]


def test_post_creates_a_draft_when_scheduled_and_a_pending_campaign_otherwise(
    http: httpx.Client, mock: MockVox
) -> None:
    scheduled = http.post(
        "/v3/campaigns",
        headers=auth(mock),
        json={
            "name": "설문",
            "from_number": "01012345678",
            "agent": AGENT,
            "tasks": [{"to_number": "01023456789"}, {"to_number": "01034567890"}],
            "scheduled_at": 1764550800,  # unix seconds: normalised to milliseconds
            "concurrency": 10,
        },
    )
    assert scheduled.status_code == 200
    assert validate_json(scheduled.content, "Campaign") == []
    created = body(scheduled)
    assert created["status"] == "draft"
    assert created["scheduled_at"] == 1764550800000
    assert created["total_calls"] == 2
    assert created["concurrency"] == 10
    assert created["created_at"] == NOW_MS
    assert created["call_time_window"] == DEFAULT_WINDOW
    assert created["presentation_number"] is None
    assert mock.get(created["id"]) == created
    assert http.get(f"/v3/campaigns/{created['id']}", headers=auth(mock)).json() == created
    unscheduled = http.post(
        "/v3/campaigns",
        headers=auth(mock),
        json={"name": "안내", "from_number": "01012345678", "agent": AGENT, "tasks": [{}]},
    ).json()
    assert unscheduled["status"] == "pending"
    assert unscheduled["scheduled_at"] is None
    assert unscheduled["concurrency"] == 1
    assert unscheduled["id"] != created["id"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"tasks": []}, "schema/minItems"),
        ({"concurrency": 101}, "schema/maximum"),
        ({"from_number": "010-1234-5678"}, "schema/pattern"),
        ({"agent": {"agent_id": "x"}}, "schema/required"),
    ],
)
def test_post_refuses_a_body_the_spec_refuses(
    http: httpx.Client, mock: MockVox, change: dict[str, object], reason: str
) -> None:
    document = {"name": "x", "from_number": "01012345678", "agent": AGENT, "tasks": [{}], **change}
    before = len(mock.campaigns)
    error = assert_envelope(
        http.post("/v3/campaigns", headers=auth(mock), json=document), 422, "unprocessable_request"
    )
    assert isinstance(error["details"], dict)
    assert error["details"]["reason"] == reason
    assert len(mock.campaigns) == before


def test_the_state_is_shared_by_the_socket_and_the_transport(mock: MockVox) -> None:
    with mock, httpx.Client(base_url=mock.url, headers=auth(mock)) as over_socket:
        over_socket.patch(f"/v3/campaigns/{DRAFT}", json={"name": "소켓"})
        with httpx.Client(
            base_url="http://mock.invalid", transport=mock.transport(), headers=auth(mock)
        ) as in_process:
            assert in_process.get(f"/v3/campaigns/{DRAFT}").json()["name"] == "소켓"


def test_served_mock_listens_on_loopback_only() -> None:
    with MockVox.serve() as mock:
        assert mock.url.startswith("http://127.0.0.1:")
        assert mock.port > 0
    with pytest.raises(RuntimeError, match="not serving"):
        _ = mock.url
    with pytest.raises(ValueError, match="loopback"):
        MockVox().start(host="0.0.0.0")


def test_an_ongoing_campaign_is_not_editable_but_a_paused_one_is(
    http: httpx.Client, mock: MockVox
) -> None:
    assert (
        http.patch(f"/v3/campaigns/{ONGOING}", headers=auth(mock), json={"name": "x"}).status_code
        == 409
    )
    mock.advance(ONGOING, "paused")
    response = http.patch(f"/v3/campaigns/{ONGOING}", headers=auth(mock), json={"name": "x"})
    assert response.status_code == 200
    assert validate_json(response.content, "Campaign") == []
