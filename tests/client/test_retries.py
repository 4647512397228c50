"""Retries: which failures, how long the waits are (fake clock, no real sleeping), and the
rule that a PATCH or POST which may have reached the server is never sent twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from tests.support.client import DRAFT, TEST_KEY, FakeClock, Script, campaign_response, envelope
from vox_client import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncClient,
    Client,
    InternalServerError,
    RateLimitError,
)
from vox_client._exceptions import status_error_class
from vox_client._retry import RetryPolicy, parse_retry_after

BASE = "http://127.0.0.1:9"
CID = DRAFT["id"]
AGENT = {"agent_id": "550e8400-e29b-41d4-a716-446655440000", "agent_version": "production"}


def make(script: Script, clock: FakeClock, **options: Any) -> Client:
    return Client(
        api_key=TEST_KEY, base_url=BASE, transport=script.transport(), _clock=clock, **options
    )


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_get_retries_each_retryable_status_with_exponential_backoff(status: int) -> None:
    script = Script(envelope(status, "e", "m"), envelope(status, "e", "m"), campaign_response())
    clock = FakeClock(jitter=0.0)
    with make(script, clock) as c:
        assert c.campaigns.get(CID).id == CID
    assert len(script.requests) == 3
    assert clock.sleeps == [0.5, 1.0]


def test_jitter_shortens_each_wait_by_up_to_a_quarter() -> None:
    script = Script(envelope(503, "e", "m"), envelope(503, "e", "m"), campaign_response())
    clock = FakeClock(jitter=1.0)
    with make(script, clock) as c:
        c.campaigns.get(CID)
    assert clock.sleeps == [0.375, 0.75]


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(max_retries=10, initial_delay=0.5, max_delay=8.0)
    clock = FakeClock(jitter=0.0)
    assert [policy.backoff(n, clock) for n in range(7)] == [0.5, 1, 2, 4, 8, 8, 8]


def test_after_max_retries_the_last_error_is_raised() -> None:
    script = Script(*(envelope(503, "unavailable", "down") for _ in range(3)))
    clock = FakeClock()
    with make(script, clock) as c, pytest.raises(InternalServerError) as info:
        c.campaigns.get(CID)
    assert len(script.requests) == 3  # max_retries defaults to 2
    assert len(clock.sleeps) == 2
    assert (info.value.status_code, info.value.code, info.value.message) == (
        503,
        "unavailable",
        "down",
    )


def test_max_retries_zero_makes_one_attempt() -> None:
    script = Script(envelope(503, "unavailable", "down"))
    clock = FakeClock()
    with make(script, clock, max_retries=0) as c, pytest.raises(InternalServerError):
        c.campaigns.get(CID)
    assert len(script.requests) == 1
    assert clock.sleeps == []


def test_max_retries_is_configurable() -> None:
    script = Script(*(envelope(502, "bad_gateway", "x") for _ in range(5)), campaign_response())
    clock = FakeClock(jitter=0.0)
    with make(script, clock, max_retries=5) as c:
        c.campaigns.get(CID)
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_client_errors_are_not_retried(status: int) -> None:
    script = Script(envelope(status, "e", "m"))
    clock = FakeClock()
    with make(script, clock) as c, pytest.raises(APIStatusError) as info:
        c.campaigns.get(CID)
    assert type(info.value) is status_error_class(status)
    assert len(script.requests) == 1
    assert clock.sleeps == []


def test_retry_after_seconds_is_honoured() -> None:
    script = Script(
        envelope(429, "rate_limited", "slow down", {"Retry-After": "7"}), campaign_response()
    )
    clock = FakeClock(jitter=0.5)
    with make(script, clock) as c:
        c.campaigns.get(CID)
    assert clock.sleeps == [7.0]


def test_retry_after_http_date_is_honoured() -> None:
    clock = FakeClock()
    when = datetime.fromtimestamp(clock.time() + 12, tz=UTC)
    header = format_datetime(when, usegmt=True)
    script = Script(
        envelope(503, "unavailable", "later", {"Retry-After": header}), campaign_response()
    )
    with make(script, clock) as c:
        c.campaigns.get(CID)
    assert clock.sleeps == [pytest.approx(12.0, abs=1.0)]  # HTTP dates have whole seconds


def test_retry_after_beyond_the_cap_is_not_waited_for() -> None:
    script = Script(envelope(429, "rate_limited", "slow down", {"Retry-After": "3600"}))
    clock = FakeClock()
    with make(script, clock, max_retry_after=60) as c, pytest.raises(RateLimitError) as info:
        c.campaigns.get(CID)
    assert clock.sleeps == []
    assert info.value.response.headers["retry-after"] == "3600"


def test_unparseable_retry_after_falls_back_to_backoff() -> None:
    script = Script(
        envelope(429, "rate_limited", "x", {"Retry-After": "soon"}), campaign_response()
    )
    clock = FakeClock(jitter=0.0)
    with make(script, clock) as c:
        c.campaigns.get(CID)
    assert clock.sleeps == [0.5]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0.0),
        ("2.5", 2.5),
        ("-3", 0.0),
        ("Sun, 29 Nov 2026 00:00:10 GMT", 10.0),
        ("Sat, 28 Nov 2026 23:00:00 GMT", 0.0),
        ("nan", None),
        ("inf", None),
        ("tomorrow", None),
        ("", None),
    ],
)
def test_parse_retry_after(value: str, expected: float | None) -> None:
    now = datetime(2026, 11, 29, tzinfo=UTC).timestamp()
    assert parse_retry_after(value, now=now) == expected


def test_total_budget_stops_retrying() -> None:
    # 4 s budget: the first wait (Retry-After 3) fits, a second one of 3 s would end past it.
    script = Script(
        envelope(429, "rate_limited", "x", {"Retry-After": "3"}),
        envelope(429, "rate_limited", "x", {"Retry-After": "3"}),
    )
    clock = FakeClock()
    with make(script, clock, retry_budget=4.0) as c, pytest.raises(RateLimitError):
        c.campaigns.get(CID)
    assert clock.sleeps == [3.0]
    assert len(script.requests) == 2


def test_connection_errors_are_retried_for_get() -> None:
    script = Script(
        httpx.ConnectError("refused"), httpx.ReadError("reset by peer"), campaign_response()
    )
    clock = FakeClock(jitter=0.0)
    with make(script, clock) as c:
        assert c.campaigns.get(CID).id == CID
    assert clock.sleeps == [0.5, 1.0]


def test_connection_error_after_retries_is_translated() -> None:
    script = Script(*(httpx.ConnectError("[Errno 111] Connection refused") for _ in range(3)))
    with make(script, FakeClock()) as c, pytest.raises(APIConnectionError) as info:
        c.campaigns.get(CID)
    assert type(info.value) is APIConnectionError
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert "Connection refused" in str(info.value)


def test_timeouts_are_api_timeout_errors() -> None:
    script = Script(*(httpx.ReadTimeout("timed out") for _ in range(3)))
    with make(script, FakeClock()) as c, pytest.raises(APITimeoutError) as info:
        c.campaigns.get(CID)
    assert isinstance(info.value, APIConnectionError)
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert str(info.value).startswith("read timeout on GET")
    assert len(script.requests) == 3


# --- PATCH and POST: never sent twice once they may have reached the server ------------------


def _update(c: Client) -> object:
    return c.campaigns.update(CID, name="새 이름")


def _create(c: Client) -> object:
    return c.campaigns.create(name="n", from_number="0101", agent=AGENT, tasks=[{"to_number": "1"}])


WRITES = [pytest.param(_update, id="PATCH"), pytest.param(_create, id="POST")]


@pytest.mark.parametrize("call", WRITES)
@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_writes_are_not_retried_on_any_status(call: Any, status: int) -> None:
    script = Script(envelope(status, "e", "m", {"Retry-After": "1"}), campaign_response())
    clock = FakeClock()
    with make(script, clock) as c, pytest.raises(APIStatusError) as info:
        call(c)
    assert type(info.value) is status_error_class(status)
    assert info.value.status_code == status
    assert len(script.requests) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("call", WRITES)
@pytest.mark.parametrize(
    "error",
    [
        httpx.ReadError("reset"),
        httpx.ReadTimeout("slow"),
        httpx.WriteError("broken pipe"),
        httpx.WriteTimeout("slow"),
        httpx.RemoteProtocolError("closed"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_writes_are_not_retried_once_they_may_have_been_sent(call: Any, error: Exception) -> None:
    script = Script(error, campaign_response())
    clock = FakeClock()
    with make(script, clock) as c, pytest.raises(APIConnectionError):
        call(c)
    assert len(script.requests) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("call", WRITES)
@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("busy")],
    ids=lambda e: type(e).__name__,
)
def test_writes_are_retried_when_nothing_was_sent(call: Any, error: Exception) -> None:
    script = Script(error, campaign_response())
    clock = FakeClock(jitter=0.0)
    with make(script, clock) as c:
        call(c)
    assert len(script.requests) == 2
    assert clock.sleeps == [0.5]


def test_async_client_retries_and_waits_the_same_way() -> None:
    script = Script(
        envelope(503, "e", "m"), envelope(429, "e", "m", {"Retry-After": "2"}), campaign_response()
    )
    clock = FakeClock(jitter=0.0)

    async def run() -> str:
        async with AsyncClient(
            api_key=TEST_KEY, base_url=BASE, transport=script.async_transport(), _clock=clock
        ) as c:
            return (await c.campaigns.get(CID)).id

    assert asyncio.run(run()) == CID
    assert clock.sleeps == [0.5, 2.0]


def test_async_client_does_not_retry_a_patch() -> None:
    script = Script(envelope(503, "e", "m"), campaign_response())
    clock = FakeClock()

    async def run() -> None:
        async with AsyncClient(
            api_key=TEST_KEY, base_url=BASE, transport=script.async_transport(), _clock=clock
        ) as c:
            await c.campaigns.update(CID, name="x")

    with pytest.raises(InternalServerError):
        asyncio.run(run())
    assert len(script.requests) == 1
    assert clock.sleeps == []


def test_negative_max_retries_is_refused() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        Client(api_key=TEST_KEY, max_retries=-1)
