"""Answers a hostile or odd server sends, over a real loopback socket: a ``Retry-After`` beyond
any clock, a 200 with a byte order mark or a lone surrogate (one verdict with the validator,
however the body travels), and server text with control characters, which never reaches a
message or a log line raw."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import math
import time
from typing import Any

import httpx
import pytest

from tests.client.hostile import Exchange, Hostile, head, reply, served
from tests.support.campaigns import encode, valid_campaign
from tests.support.client import DRAFT, FakeClock, Script, envelope
from vox_client import (
    AsyncClient,
    Campaign,
    Client,
    NotFoundError,
    RateLimitError,
    ResponseValidationError,
)
from vox_client._retry import parse_retry_after
from vox_validators import validate_json

KEY = "voxref_hostile_00112233445566778899aabbccddeeff"
LIMITED = b'{"error": {"code": "rate_limited", "message": "later", "details": null}}'

FAR = {
    "a day beyond datetime": "Fri, 99999999999999999999 Dec 2000 23:59:59 GMT",
    "a year beyond datetime": "Fri, 01 Dec 99999999999999999999 23:59:59 GMT",
    "an hour beyond datetime": "Fri, 01 Dec 2000 99999999999999999999:59:59 GMT",
    "an offset beyond datetime": "Fri, 31 Dec 9999 23:59:59 +99999999999999999999",
    "the year 9999": "Fri, 31 Dec 9999 23:59:59 GMT",
    "400 digits": "1" + "0" * 400,
    "5000 digits": "9" * 5000,  # past int()'s default limit of 4300 digits
}


@pytest.mark.parametrize("case", sorted(FAR))
def test_a_retry_after_beyond_any_clock_is_not_waited_for(case: str) -> None:
    assert parse_retry_after(FAR[case], now=1.7e9) in (math.inf, pytest.approx(2.5e11, rel=0.01))
    with Hostile(reply(LIMITED, status=429, headers=[("Retry-After", FAR[case])])) as server:
        started = time.monotonic()
        with (
            Client(api_key=KEY, base_url=server.url) as client,
            pytest.raises(RateLimitError) as info,
        ):
            client.campaigns.get(DRAFT["id"])
        assert time.monotonic() - started < 2
        assert len(server.requests) == 1  # raised at once, not retried
    assert info.value.code == "rate_limited"


def test_a_far_retry_after_is_not_waited_for_even_without_caps() -> None:
    for header in FAR.values():
        script = Script(envelope(429, "rate_limited", "x", {"Retry-After": header}))
        clock = FakeClock()
        with (
            Client(
                api_key=KEY,
                transport=script.transport(),
                max_retry_after=math.inf,
                retry_budget=math.inf,
                timeout=httpx.Timeout(None),
                _clock=clock,
            ) as client,
            pytest.raises(RateLimitError),
        ):
            client.campaigns.get(DRAFT["id"])
        assert clock.sleeps == []


def test_a_retry_after_in_range_is_still_honoured() -> None:
    answers = [reply(LIMITED, status=429, headers=[("Retry-After", "0")]), reply(_body("utf-8"))]
    with Hostile(served(answers)) as server, Client(api_key=KEY, base_url=server.url) as client:
        assert client.campaigns.get(DRAFT["id"]).id == DRAFT["id"]
        assert len(server.requests) == 2


@pytest.mark.parametrize("value", [float("nan"), -1.0])
def test_retry_caps_that_are_not_seconds_are_refused(value: float) -> None:
    with pytest.raises(ValueError, match="max_retry_after"):
        Client(api_key=KEY, max_retry_after=value)
    with pytest.raises(ValueError, match="total_budget"):
        Client(api_key=KEY, retry_budget=value)


# --- one verdict, whatever the wire does ---------------------------------------------------


def _body(encoding: str, **changes: Any) -> bytes:
    return encode(valid_campaign(**{"id": DRAFT["id"], **changes}), encoding)


ODD = {
    "a UTF-8 byte order mark": _body("utf-8-bom"),
    "a lone surrogate escape": _body("utf-8", name="a\ud800b"),
    "a raw lone surrogate": _body("utf-8-raw", name="a\udfffb"),
    "UTF-16": _body("utf-16"),
}


def _deliveries(body: bytes) -> dict[str, Any]:
    gzipped = gzip.compress(body)

    def chunked(exchange: Exchange) -> None:
        fields = [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]
        frames = b"".join(b"%x\r\n%s\r\n" % (1, body[i : i + 1]) for i in range(len(body)))
        exchange.send(head(200, fields) + frames + b"0\r\n\r\n")

    return {
        "whole": reply(body),
        "gzip": reply(gzipped, headers=[("Content-Encoding", "gzip")]),
        "chunked a byte at a time": chunked,
    }


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "lenient"])
@pytest.mark.parametrize("case", sorted(ODD))
def test_what_the_validator_passes_the_client_accepts_over_a_socket(
    case: str, strict: bool
) -> None:
    body = ODD[case]
    assert [f for f in validate_json(body) if f.severity == "error"] == []
    expected = json.loads(body)["name"]
    for how, answer in _deliveries(body).items():
        with Hostile(answer) as server:
            with Client(api_key=KEY, base_url=server.url, strict=strict) as client:
                campaign = client.campaigns.get(DRAFT["id"])
                raw = client.campaigns.with_raw_response.get(DRAFT["id"])
            assert isinstance(campaign, Campaign), how
            assert campaign.name == expected, how
            assert raw.json()["name"] == expected, how

            async def run(url: str = server.url) -> Campaign:
                async with AsyncClient(api_key=KEY, base_url=url, strict=strict) as client:
                    return await client.campaigns.get(DRAFT["id"])

            assert asyncio.run(run()).name == expected, how


# --- server text, escaped --------------------------------------------------------------------

ANSI = "\x1b[2J\x1b[31mgone\x9b\u202e\x07"


def _has_raw_control(text: str) -> bool:
    return any(c in text for c in ("\x1b", "\x9b", "\u202e", "\x07"))


def test_an_error_envelope_with_control_characters_is_shown_escaped() -> None:
    body = json.dumps(
        {"error": {"code": "not\x1b_found", "message": ANSI, "details": {"reason": "\x1b]0;x\x07"}}}
    )
    headers = [("x-request-id", "req_\x9b1")]
    with (
        Hostile(reply(body.encode(), status=404, headers=headers)) as server,
        Client(api_key=KEY, base_url=server.url) as client,
        pytest.raises(NotFoundError) as info,
    ):
        client.campaigns.get(DRAFT["id"])
    text = str(info.value)
    assert not _has_raw_control(text)
    assert "\\x1b[2J\\x1b[31mgone\\x9b\\u202e\\x07" in text
    assert info.value.message == ANSI  # the attribute is what was sent


def test_findings_quoting_the_server_are_shown_escaped() -> None:
    broken = {**valid_campaign(id=DRAFT["id"]), "status": ANSI, "\x1b[2Jkey": 1}
    with (
        Hostile(reply(json.dumps(broken).encode())) as server,
        Client(api_key=KEY, base_url=server.url) as client,
        pytest.raises(ResponseValidationError) as info,
    ):
        client.campaigns.get(DRAFT["id"])
    assert not _has_raw_control(str(info.value))


def test_log_lines_show_server_text_escaped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="vox_client")
    # Lenient: the unknown status and member are logged as drift, with the answer's headers.
    broken = {**valid_campaign(id=DRAFT["id"]), "status": ANSI, "\x1b[2Jkey": 1}
    headers = [("x-request-id", "req_\x9b1"), ("X-Note", "\x9b2J")]
    with (
        Hostile(reply(json.dumps(broken).encode(), headers=headers)) as server,
        Client(api_key=KEY, base_url=server.url, strict=False) as client,
    ):
        assert client.campaigns.get(DRAFT["id"]).status == ANSI
    lines = [r.getMessage() for r in caplog.records if r.name == "vox_client"]
    assert any("request id req_\\x9b1" in line for line in lines), lines
    assert any("\\x9b2J" in line for line in lines), lines
    assert any("/\\x1b[2Jkey" in line for line in lines), lines
    for line in lines:
        assert not _has_raw_control(line), line
