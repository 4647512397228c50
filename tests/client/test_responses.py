"""How answers become models or exceptions: bodies that break the schema, error bodies that are
not the envelope, and statuses without a class of their own."""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.support.client import DRAFT, TEST_KEY, FakeClock, Script, campaign_response
from vox_client import (
    APIStatusError,
    Campaign,
    Client,
    InternalServerError,
    PermissionDeniedError,
    ResponseValidationError,
    UnprocessableEntityError,
)

CID = DRAFT["id"]


def make(script: Script, *, strict: bool = True, max_retries: int = 2) -> Client:
    return Client(
        api_key=TEST_KEY,
        base_url="http://127.0.0.1:9",
        transport=script.transport(),
        strict=strict,
        max_retries=max_retries,
        _clock=FakeClock(),
    )


def test_a_201_is_accepted_as_success() -> None:
    with make(Script(campaign_response(status=201))) as c:
        assert c.campaigns.get(CID) == Campaign.model_validate(DRAFT)


@pytest.mark.parametrize("strict", [True, False])
def test_a_body_breaking_the_schema_raises_even_when_not_strict(strict: bool) -> None:
    broken = {**DRAFT, "total_calls": "1200"}
    with (
        make(Script(campaign_response(broken)), strict=strict) as c,
        pytest.raises(ResponseValidationError) as info,
    ):
        c.campaigns.get(CID)
    assert [(f.rule, f.path) for f in info.value.findings] == [("schema/type", "/total_calls")]
    assert info.value.status_code == 200


def test_a_missing_field_is_noticed() -> None:
    broken = {k: v for k, v in DRAFT.items() if k != "paused_by"}
    with (
        make(Script(campaign_response(broken))) as c,
        pytest.raises(ResponseValidationError) as info,
    ):
        c.campaigns.get(CID)
    assert [(f.rule, f.path) for f in info.value.findings] == [("schema/required", "/paused_by")]


def test_unknown_fields_are_allowed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="vox_client")
    with make(Script(campaign_response({**DRAFT, "new_field": 1}))) as c:
        assert c.campaigns.get(CID).id == CID
    assert caplog.records == []


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (403, PermissionDeniedError),
        (422, UnprocessableEntityError),
        (500, InternalServerError),
        (418, APIStatusError),
    ],
)
def test_status_classes(status: int, cls: type[APIStatusError]) -> None:
    body = {"error": {"code": "c", "message": "m", "details": {"field": "name", "reason": "r"}}}
    with (
        make(Script(httpx.Response(status, json=body)), max_retries=0) as c,
        pytest.raises(APIStatusError) as info,
    ):
        c.campaigns.get(CID)
    assert type(info.value) is cls
    assert (info.value.code, info.value.message, info.value.details) == (
        "c",
        "m",
        {"field": "name", "reason": "r"},
    )


def test_an_error_body_that_is_not_json() -> None:
    response = httpx.Response(
        502, content=b"<html>Bad gateway</html>", headers={"Content-Type": "text/html"}
    )
    with make(Script(response), max_retries=0) as c, pytest.raises(InternalServerError) as info:
        c.campaigns.get(CID)
    error = info.value
    assert (error.status_code, error.code, error.details) == (502, None, None)
    assert error.message == "Bad Gateway (the body is not JSON)"
    assert [f.rule for f in error.findings] == ["parse"]
    assert (
        str(error) == f"HTTP 502 from GET /v3/campaigns/{CID}: Bad Gateway (the body is not JSON)"
    )


def test_an_error_body_that_is_not_the_envelope() -> None:
    response = httpx.Response(404, json={"detail": "Not Found"})
    with make(Script(response)) as c, pytest.raises(APIStatusError) as info:
        c.campaigns.get(CID)
    error = info.value
    assert (error.status_code, error.code) == (404, None)
    assert error.message == "Not Found (the body is not the v3 error envelope)"
    assert [(f.rule, f.path) for f in error.findings] == [("schema/required", "/error")]
