"""``timeout`` bounds the whole call, retries and waits included, for the sync and the async
client: a body or a head that drips a byte at a time, a body that stalls half-way and a server
that never answers all end at the deadline with ``APITimeoutError``. Real loopback sockets."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.client.hostile import (
    Answer,
    Hostile,
    drip,
    drip_headers,
    never_answer,
    reply,
    served,
    stall_after,
)
from tests.support.client import DRAFT, FakeClock, Script, campaign_response, envelope
from vox_client import APITimeoutError, AsyncClient, Client, InternalServerError

KEY = "voxref_deadline_00112233445566778899aabbccddeeff"
# Room for a loaded machine (two cores shared by several test runs): well under the 30 s and
# 6.5 s these attacks took before, well over any honest jitter.
SLACK = 1.5


def _sync(url: str, options: dict[str, Any]) -> None:
    with Client(api_key=KEY, base_url=url, **options) as client:
        client.campaigns.get(DRAFT["id"])


def _async(url: str, options: dict[str, Any]) -> None:
    async def run() -> None:
        async with AsyncClient(api_key=KEY, base_url=url, **options) as client:
            await client.campaigns.get(DRAFT["id"])

    asyncio.run(run())


CLIENTS = [pytest.param(_sync, id="sync"), pytest.param(_async, id="async")]
Call = Callable[[str, dict[str, Any]], None]


def timed_out_after(answer: Answer, call: Call, **options: Any) -> tuple[float, str]:
    """Seconds until the call raised ``APITimeoutError`` (any other outcome fails), and its
    message."""
    with Hostile(answer, give_up=12) as server:
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as info:
            call(server.url, options)
        return time.monotonic() - started, str(info.value)


@pytest.mark.parametrize("call", CLIENTS)
def test_a_body_that_drips_ends_at_the_deadline(call: Call) -> None:
    elapsed, message = timed_out_after(drip(b" " * 5000, interval=0.02), call, timeout=2)
    assert 1.9 <= elapsed <= 2 + SLACK
    assert message.startswith("read timeout on GET http://127.0.0.1:")
    assert message.endswith("(the 2 s timeout ran out)")


@pytest.mark.parametrize("call", CLIENTS)
def test_a_body_that_stalls_half_way_ends_at_the_deadline(call: Call) -> None:
    # Drips until 0.8 s, then silence: a read timeout of its own would end at 1.8 s.
    answer = stall_after(b" " * 5000, drip_for=0.8, interval=0.02)
    elapsed, _ = timed_out_after(answer, call, timeout=1)
    assert 0.95 <= elapsed <= 1 + SLACK / 2


@pytest.mark.parametrize("call", CLIENTS)
def test_a_head_that_drips_ends_at_the_deadline(call: Call) -> None:
    elapsed, _ = timed_out_after(drip_headers(interval=0.02), call, timeout=1)
    assert 0.95 <= elapsed <= 1 + SLACK


@pytest.mark.parametrize("call", CLIENTS)
def test_a_server_that_never_answers_ends_at_the_deadline_with_retries_left(call: Call) -> None:
    # The case: timeout 3, retry budget 4 (and retries to spare) took 6.5 s.
    elapsed, message = timed_out_after(never_answer, call, timeout=3, retry_budget=4, max_retries=4)
    assert 2.9 <= elapsed <= 3 + SLACK
    assert message.endswith("(the 3 s timeout ran out)")


def test_with_your_own_http_client_a_drip_still_ends_at_the_deadline() -> None:
    # No network backend of the client's there: the deadline is checked between chunks.
    with Hostile(drip(b" " * 5000, interval=0.02), give_up=12) as server:
        http = httpx.Client()
        started = time.monotonic()
        with (
            Client(api_key=KEY, base_url=server.url, http_client=http, timeout=1) as client,
            pytest.raises(APITimeoutError),
        ):
            client.campaigns.get(DRAFT["id"])
        elapsed = time.monotonic() - started
        http.close()
    assert 0.95 <= elapsed <= 1 + SLACK


def test_a_per_call_timeout_is_that_call_s_deadline() -> None:
    with (
        Hostile(drip(b" " * 5000, interval=0.02), give_up=12) as server,
        Client(api_key=KEY, base_url=server.url) as client,
    ):
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            client.campaigns.get(DRAFT["id"], timeout=0.5)
        assert time.monotonic() - started <= 0.5 + SLACK
        quick = client.with_options(timeout=0.5)
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            quick.campaigns.get(DRAFT["id"])
        assert time.monotonic() - started <= 0.5 + SLACK


def test_per_attempt_timeout_gives_each_attempt_the_whole_timeout() -> None:
    # The opt-out: each attempt gets 0.5 s, the retry is made, and the call takes two of them.
    with Hostile(never_answer, give_up=12) as server:
        options: dict[str, Any] = {"api_key": KEY, "base_url": server.url, "timeout": 0.5}
        options["max_retries"] = 1
        started = time.monotonic()
        with Client(**options) as client, pytest.raises(APITimeoutError):
            client.campaigns.get(DRAFT["id"])
        one = time.monotonic() - started
        attempts_within_the_deadline = len(server.requests)
        started = time.monotonic()
        with (
            Client(**options, per_attempt_timeout=True) as client,
            pytest.raises(APITimeoutError),
        ):
            client.campaigns.get(DRAFT["id"])
        two = time.monotonic() - started
        attempts = len(server.requests) - attempts_within_the_deadline
    assert one <= 0.5 + SLACK
    assert attempts_within_the_deadline == 1  # no time was left for the retry
    assert attempts == 2
    assert two >= 1.0


def test_a_retry_after_the_first_answer_gets_only_what_is_left() -> None:
    # 503 at once, a wait of 0.375..0.5 s, then a server that never answers: all within 1 s.
    busy = reply(b'{"error": {"code": "unavailable", "message": "later"}}', status=503)
    with Hostile(served([busy, never_answer]), give_up=12) as server:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            _sync(server.url, {"timeout": 1})
        elapsed = time.monotonic() - started
        assert len(server.requests) == 2
    assert 0.95 <= elapsed <= 1 + SLACK


# --- the waits, on a fake clock ---------------------------------------------------------------


def test_no_wait_starts_that_would_end_past_the_deadline() -> None:
    script = Script(envelope(503, "unavailable", "later", {"Retry-After": "3"}))
    clock = FakeClock()
    transport = script.transport()
    with (
        Client(api_key=KEY, transport=transport, timeout=2, _clock=clock) as client,
        pytest.raises(InternalServerError),
    ):
        client.campaigns.get(DRAFT["id"])
    assert clock.sleeps == []
    # The same wait fits a 5 s call, and with per_attempt_timeout any wait the budget allows.
    choices: list[dict[str, Any]] = [{"timeout": 5}, {"timeout": 2, "per_attempt_timeout": True}]
    for options in choices:
        script = Script(
            envelope(503, "unavailable", "later", {"Retry-After": "3"}), campaign_response()
        )
        clock = FakeClock()
        with Client(api_key=KEY, transport=script.transport(), _clock=clock, **options) as c:
            assert c.campaigns.get(DRAFT["id"]).id == DRAFT["id"]
        assert clock.sleeps == [3.0]


def test_a_retry_s_phase_timeouts_are_cut_to_what_is_left() -> None:
    seen: list[dict[str, float]] = []

    def step(answer: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
        def record(request: httpx.Request) -> httpx.Response:
            seen.append(dict(request.extensions["timeout"]))
            if isinstance(answer, Exception):
                raise answer
            return answer

        return record

    script = Script(step(httpx.ConnectError("refused")), step(campaign_response()))
    clock = FakeClock(jitter=0.0)
    with Client(api_key=KEY, transport=script.transport(), timeout=2, _clock=clock) as client:
        client.campaigns.get(DRAFT["id"])
    assert clock.sleeps == [0.5]
    phases = ("connect", "read", "write", "pool")
    assert seen == [dict.fromkeys(phases, 2.0), dict.fromkeys(phases, 1.5)]


def test_no_deadline_when_a_phase_has_no_limit() -> None:
    script = Script(
        envelope(503, "unavailable", "later", {"Retry-After": "100"}), campaign_response()
    )
    clock = FakeClock()
    timeout = httpx.Timeout(5.0, read=None)
    with Client(
        api_key=KEY,
        transport=script.transport(),
        timeout=timeout,
        max_retry_after=200,
        _clock=clock,
    ) as client:
        client.campaigns.get(DRAFT["id"])
    assert clock.sleeps == [100.0]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 0, -1, 1e400])
def test_a_timeout_that_is_not_a_number_of_seconds_is_refused(value: float) -> None:
    with pytest.raises(ValueError, match="is not a timeout"):
        Client(api_key=KEY, timeout=value)
    with pytest.raises(ValueError, match="is not a timeout"):
        AsyncClient(api_key=KEY, timeout=httpx.Timeout(5.0, read=value))
    with Client(api_key=KEY) as client, pytest.raises(ValueError, match="is not a timeout"):
        client.campaigns.get(DRAFT["id"], timeout=value)
