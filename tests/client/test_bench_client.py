"""Smoke test of ``benchmarks/bench_client.py``: its server answers as the client expects (its
timings are never asserted)."""

from __future__ import annotations

import httpx

from benchmarks.bench_client import CAMPAIGN_ID, KEY, fixed_server
from vox_client import Client


def test_the_fixed_server_serves_a_valid_campaign() -> None:
    with fixed_server() as base_url, Client(api_key=KEY, base_url=base_url) as client:
        campaign = client.campaigns.get(CAMPAIGN_ID)
        assert campaign.id == CAMPAIGN_ID
        assert campaign.request_id == "req_bench_0001"
        assert httpx.get(f"{base_url}/v3/campaigns/{CAMPAIGN_ID}").json()["id"] == CAMPAIGN_ID
