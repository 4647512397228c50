"""The application against the voxkit mock: fixtures from the voxkit pytest plugin."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from campaign_report import progress_line, rename_if_editable

from vox_client import AsyncClient, Client, RateLimitError
from vox_client.testing import MockVox
from vox_validators.testing import assert_valid


def test_progress_line_of_an_ongoing_campaign(vox_mock: MockVox, vox_client: Client) -> None:
    campaign = vox_mock.add(
        status="ongoing", name="설문", total_calls=10, completed_calls=3, failed_calls=1
    )
    assert progress_line(vox_client, campaign["id"]) == "설문: 4/10 calls (ongoing)"


def test_rename_only_while_editable(vox_mock: MockVox, vox_client: Client) -> None:
    campaign = vox_mock.add(status="pending")
    vox_mock.advance(campaign["id"], "ongoing")
    assert rename_if_editable(vox_client, campaign["id"], "새 이름") is False  # 409
    vox_mock.advance(campaign["id"], "paused")
    assert rename_if_editable(vox_client, campaign["id"], "새 이름") is True
    assert vox_mock.get(campaign["id"])["name"] == "새 이름"
    (patch,) = [r for r in vox_mock.requests if r.method == "PATCH"][-1:]
    assert patch.headers["Authorization"] == "Bearer **********"  # the key is masked


def test_the_app_survives_a_503(vox_mock: MockVox, vox_client: Client) -> None:
    vox_mock.fail_next(503, retry_after=0)
    assert progress_line(vox_client, "cmp_3f9a1c2e7b").endswith("(draft)")


def test_a_429_reaches_the_app(vox_mock: MockVox) -> None:
    vox_mock.fail_next(429, times=3)
    with (
        Client(api_key=vox_mock.api_key, base_url=vox_mock.url, max_retries=0) as client,
        pytest.raises(RateLimitError),
    ):
        progress_line(client, "cmp_3f9a1c2e7b")


def test_every_answer_of_the_mock_is_valid(vox_mock: MockVox) -> None:
    with httpx.Client(base_url=vox_mock.url) as http:
        ok = http.get(
            "/v3/campaigns/cmp_5b6e0f9d13", headers={"Authorization": f"Bearer {vox_mock.api_key}"}
        )
        denied = http.get("/v3/campaigns/cmp_5b6e0f9d13")
    assert_valid(ok)
    assert_valid(denied, schema="ErrorEnvelope")


def test_the_async_client(vox_mock: MockVox, vox_async_client: AsyncClient) -> None:
    async def name() -> str:
        return (await vox_async_client.campaigns.get("cmp_8d21b7e04a")).name

    assert asyncio.run(name()) == vox_mock.get("cmp_8d21b7e04a")["name"]
