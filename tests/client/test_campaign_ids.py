"""A campaign ID is one path segment: ``.`` and ``..`` are refused (a URL would resolve them to
another path), every other character is percent-encoded into the one segment, and an ID too long
for a request line is one clear error. Checked on the wire, over a real socket."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.client.hostile import Exchange, Hostile, reply
from vox_client import (
    MAX_CAMPAIGN_ID_BYTES,
    AsyncClient,
    Client,
    InvalidCampaignIDError,
    NotFoundError,
    RequestValidationError,
)

KEY = "voxref_ids_00112233445566778899aabbccddeeff"
NOT_FOUND = b'{"error": {"code": "not_found", "message": "Campaign not found", "details": null}}'


class Recorder:
    """A server that answers 404 to everything and keeps each request target."""

    def __init__(self) -> None:
        self.targets: list[str] = []
        self._reply = reply(NOT_FOUND, status=404)

    def __call__(self, exchange: Exchange) -> None:
        self.targets.append(exchange.target)
        self._reply(exchange)


@pytest.fixture
def recorder() -> Iterator[tuple[Recorder, str]]:
    answer = Recorder()
    with Hostile(answer) as server:
        yield answer, server.url


SENT_AS = {
    "cmp_3f9a1c2e7b": "/v3/campaigns/cmp_3f9a1c2e7b",
    "a/b": "/v3/campaigns/a%2Fb",
    "../../v2/x": "/v3/campaigns/..%2F..%2Fv2%2Fx",
    "a?b=1": "/v3/campaigns/a%3Fb%3D1",
    "a#b": "/v3/campaigns/a%23b",
    "%2e%2e": "/v3/campaigns/%252e%252e",
    "%2F": "/v3/campaigns/%252F",
    "a b": "/v3/campaigns/a%20b",
    "...": "/v3/campaigns/...",
    ".x": "/v3/campaigns/.x",
    "캠페인": "/v3/campaigns/%EC%BA%A0%ED%8E%98%EC%9D%B8",
    "\x1b[2J": "/v3/campaigns/%1B%5B2J",
    "a\r\nHost: evil": "/v3/campaigns/a%0D%0AHost%3A%20evil",
}


@pytest.mark.parametrize("campaign_id", sorted(SENT_AS))
def test_every_id_is_sent_as_one_segment(recorder: tuple[Recorder, str], campaign_id: str) -> None:
    answer, url = recorder
    with Client(api_key=KEY, base_url=url, max_retries=0) as client:
        with pytest.raises(NotFoundError) as info:
            client.campaigns.get(campaign_id)
        with pytest.raises(NotFoundError):
            client.campaigns.update(campaign_id, name="x")
    assert answer.targets == [SENT_AS[campaign_id]] * 2
    # The message names the path as sent: one segment, nothing decoded into it.
    assert f"from GET {SENT_AS[campaign_id]}:" in str(info.value)


@pytest.mark.parametrize("campaign_id", [".", ".."])
def test_dot_segments_are_refused_before_sending(
    recorder: tuple[Recorder, str], campaign_id: str
) -> None:
    answer, url = recorder
    with Client(api_key=KEY, base_url=url, max_retries=0) as client:
        for call in (client.campaigns.get, client.campaigns.with_raw_response.get):
            with pytest.raises(InvalidCampaignIDError, match="is not a campaign ID") as info:
                call(campaign_id)
            assert isinstance(info.value, ValueError)
            assert isinstance(info.value, RequestValidationError)
        with pytest.raises(InvalidCampaignIDError):
            client.campaigns.update(campaign_id, name="x")

    async def run() -> None:
        async with AsyncClient(api_key=KEY, base_url=url, max_retries=0) as client:
            await client.campaigns.get(campaign_id)

    with pytest.raises(InvalidCampaignIDError):
        asyncio.run(run())
    assert answer.targets == []


def test_an_over_long_id_is_one_clear_error(recorder: tuple[Recorder, str]) -> None:
    answer, url = recorder
    with Client(api_key=KEY, base_url=url, max_retries=0) as client:
        with pytest.raises(InvalidCampaignIDError) as info:
            client.campaigns.get("x" * 70_000)
        message = str(info.value)
        assert "(70,000 characters) is too long for a campaign ID" in message
        assert f"at most {MAX_CAMPAIGN_ID_BYTES:,} bytes once percent-encoded" in message
        assert len(message) < 300
        # The limit is on the encoded segment: 2048 "x" pass, 683 three-byte characters do not.
        with pytest.raises(NotFoundError):
            client.campaigns.get("x" * MAX_CAMPAIGN_ID_BYTES)
        with pytest.raises(InvalidCampaignIDError):
            client.campaigns.get("캠" * 228)  # 228 x 9 bytes once encoded
        with pytest.raises(InvalidCampaignIDError):
            client.campaigns.update("x" * 70_000, name="x")
    assert answer.targets == ["/v3/campaigns/" + "x" * MAX_CAMPAIGN_ID_BYTES]


def test_an_id_with_a_lone_surrogate_or_not_a_string_is_refused() -> None:
    with Client(api_key=KEY, base_url="http://127.0.0.1:9") as client:
        with pytest.raises(InvalidCampaignIDError, match="lone surrogate"):
            client.campaigns.get("cmp_\ud800")
        for wrong in ("", None, 7, ["cmp_1"]):
            with pytest.raises(InvalidCampaignIDError, match="non-empty string"):
                client.campaigns.get(wrong)  # type: ignore[arg-type]


def test_a_refused_id_is_shown_escaped() -> None:
    with (
        Client(api_key=KEY, base_url="http://127.0.0.1:9") as client,
        pytest.raises(InvalidCampaignIDError) as info,
    ):
        client.campaigns.get("\x1b[2J" * 20_000)
    assert "\x1b" not in str(info.value)
    assert "\\x1b[2J" in str(info.value)
