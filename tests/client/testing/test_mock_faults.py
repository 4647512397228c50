"""Faults, through the strict client, on both transports (sync and async)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.client.testing._support import AGENT, DRAFT, ONGOING, SUCCESS, FakeClock, auth
from vox_client import (
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
    Client,
    InternalServerError,
    RateLimitError,
    ResponseValidationError,
)
from vox_client.testing import MockVox

HOW = ["socket", "transport"]


@contextmanager
def client_on(
    mock: MockVox, how: str, clock: FakeClock | None = None, **options: Any
) -> Iterator[Client]:
    if how == "socket":
        with (
            mock,
            Client(api_key=mock.api_key, base_url=mock.url, _clock=clock, **options) as client,
        ):
            yield client
    else:
        with Client(
            api_key=mock.api_key, transport=mock.transport(), _clock=clock, **options
        ) as client:
            yield client


@pytest.mark.parametrize("how", HOW)
def test_503_with_retry_after_then_200(mock: MockVox, how: str) -> None:
    clock = FakeClock()
    mock.fail_next(503, retry_after=1)
    with client_on(mock, how, clock) as client:
        assert client.campaigns.get(DRAFT).id == DRAFT
    assert clock.sleeps == [1.0]
    assert [r.method for r in mock.requests] == ["GET", "GET"]


def test_the_fault_answer_is_the_v3_envelope_with_retry_after(mock: MockVox) -> None:
    mock.fail_next(503, retry_after=1)
    mock.fail_next(429, retry_after=datetime(2030, 1, 1, tzinfo=UTC))
    mock.fail_next(429)
    with httpx.Client(base_url="http://mock.invalid", transport=mock.transport()) as http:
        first, second, third, fourth = (http.get(f"/v3/campaigns/{DRAFT}") for _ in range(4))
    assert (first.status_code, first.headers["retry-after"]) == (503, "1")
    assert first.json() == {
        "error": {
            "code": "unavailable",
            "message": "Service temporarily unavailable",
            "details": None,
        }
    }
    assert first.headers["x-request-id"] == "req_00000001"
    assert second.headers["retry-after"] == "Tue, 01 Jan 2030 00:00:00 GMT"
    assert third.status_code == 429
    assert "retry-after" not in third.headers
    assert third.json()["error"]["code"] == "rate_limited"
    assert fourth.status_code == 401  # faults spent: the rules again (no key was sent)


@pytest.mark.parametrize("how", HOW)
def test_429_raises_rate_limit_error_once_retries_are_spent(mock: MockVox, how: str) -> None:
    mock.fail_next(429, times=3)
    clock = FakeClock()
    with client_on(mock, how, clock) as client, pytest.raises(RateLimitError) as raised:
        client.campaigns.get(DRAFT)
    assert raised.value.code == "rate_limited"
    assert len(mock.requests) == 3


@pytest.mark.parametrize("how", HOW)
def test_a_failed_patch_changes_nothing_and_is_not_retried(mock: MockVox, how: str) -> None:
    mock.fail_next(503, method="PATCH")
    with client_on(mock, how, FakeClock()) as client, pytest.raises(InternalServerError):
        client.campaigns.update(DRAFT, name="바뀜")
    assert mock.get(DRAFT)["name"] == MockVox().get(DRAFT)["name"]
    assert len(mock.requests) == 1


def test_faults_match_method_and_path_and_wait_their_turn(mock: MockVox) -> None:
    mock.fail_next(500, path=f"/v3/campaigns/{ONGOING}")
    with httpx.Client(
        base_url="http://x.invalid", transport=mock.transport(), headers=auth(mock)
    ) as http:
        assert http.get(f"/v3/campaigns/{DRAFT}").status_code == 200
        assert http.patch(f"/v3/campaigns/{ONGOING}", json={"name": "x"}).status_code == 500
        assert http.get(f"/v3/campaigns/{ONGOING}").status_code == 200
    mock.fail_next(502)
    mock.clear_faults()
    with httpx.Client(
        base_url="http://x.invalid", transport=mock.transport(), headers=auth(mock)
    ) as http:
        assert http.get(f"/v3/campaigns/{DRAFT}").status_code == 200
    with pytest.raises(ValueError, match="not an error status"):
        mock.fail_next(200)
    with pytest.raises(ValueError, match="is not a path"):
        mock.fail_next(500, path="v3/campaigns")


@pytest.mark.parametrize("how", HOW)
def test_a_delay_longer_than_the_read_timeout_times_out_but_takes_effect(
    mock: MockVox, how: str
) -> None:
    mock.delay_next(0.5)
    with client_on(mock, how, timeout=0.1, max_retries=0) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="read timeout"):
            client.campaigns.update(DRAFT, name="늦게")
        assert time.monotonic() - started < 0.45
    time.sleep(0.5)  # the socket's handler finishes its delay
    assert mock.get(DRAFT)["name"] == "늦게"


@pytest.mark.parametrize("how", HOW)
def test_a_short_delay_only_slows_the_answer(mock: MockVox, how: str) -> None:
    mock.delay_next(0.2)
    with client_on(mock, how) as client:
        started = time.monotonic()
        assert client.campaigns.get(DRAFT).id == DRAFT
        assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("applied", [False, True])
def test_a_dropped_connection_raises_and_the_post_is_not_retried(
    mock: MockVox, how: str, applied: bool
) -> None:
    mock.drop_next(applied=applied)
    before = len(mock.campaigns)
    with (
        client_on(mock, how, FakeClock()) as client,
        pytest.raises(APIConnectionError, match="disconnected"),
    ):
        client.campaigns.create(name="x", from_number="01012345678", agent=AGENT, tasks=[{}])
    assert len(mock.campaigns) == before + applied
    assert len(mock.requests) == 1


@pytest.mark.parametrize("how", HOW)
def test_a_dropped_get_is_retried(mock: MockVox, how: str) -> None:
    mock.drop_next()
    clock = FakeClock()
    with client_on(mock, how, clock) as client:
        assert client.campaigns.get(DRAFT).id == DRAFT
    assert len(clock.sleeps) == 1


@pytest.mark.parametrize("how", HOW)
def test_a_malformed_body_raises_response_validation_error(mock: MockVox, how: str) -> None:
    mock.malformed_next()
    with client_on(mock, how) as client, pytest.raises(ResponseValidationError) as raised:
        client.campaigns.get(SUCCESS)
    assert [f.rule for f in raised.value.findings] == ["parse"]


@pytest.mark.parametrize("how", HOW)
def test_respond_next_sends_a_body_that_breaks_a_business_rule(mock: MockVox, how: str) -> None:
    broken = {**mock.get(ONGOING), "finished_at": 1764410400000}
    mock.respond_next(200, broken)
    with client_on(mock, how) as client, pytest.raises(ResponseValidationError) as raised:
        client.campaigns.get(ONGOING)
    assert "VOX-E002" in {f.rule for f in raised.value.findings}


def test_the_async_client_on_the_async_transport(mock: MockVox) -> None:
    clock = FakeClock()

    async def scenario() -> tuple[str, str, str]:
        # timeout=0.1 for each attempt (per_attempt_timeout): the call itself waits 1 s to retry.
        async with AsyncClient(
            api_key=mock.api_key,
            transport=mock.async_transport(),
            _clock=clock,
            timeout=0.1,
            per_attempt_timeout=True,
        ) as client:
            mock.fail_next(503, retry_after=1)
            got = await client.campaigns.get(DRAFT)
            updated = await client.campaigns.update(DRAFT, name="비동기")
            mock.delay_next(0.3, times=3)  # the first try and both retries
            timed_out = "answered"
            try:
                await client.campaigns.get(DRAFT)
            except APITimeoutError as exc:
                timed_out = type(exc).__name__
            return got.status.value, updated.name, timed_out

    assert asyncio.run(scenario()) == ("draft", "비동기", "APITimeoutError")
    assert clock.sleeps[0] == 1.0
    assert mock.get(DRAFT)["name"] == "비동기"


def test_the_async_client_over_the_socket(mock: MockVox) -> None:
    async def scenario() -> str:
        async with AsyncClient(api_key=mock.api_key, base_url=mock.url) as client:
            mock.drop_next()
            with suppress(APIConnectionError):
                await client.campaigns.update(DRAFT, name="x")
            return (await client.campaigns.get(DRAFT)).name

    with mock:
        assert asyncio.run(scenario()) == MockVox().get(DRAFT)["name"]
