"""Requests are built from ``vox_generated/operations.json`` and the generated attrs models, and
come out as the generated request builders would make them (which the client does not call:
they are private)."""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.client import DRAFT
from vox_client._requests import create_kwargs, get_kwargs, update_kwargs
from vox_generated.openapi_client.api.campaigns import (
    create_campaign,
    get_campaign,
    update_campaign,
)
from vox_generated.openapi_client.models import CreateCampaignRequest, UpdateCampaignRequest

ids = st.text(min_size=1, max_size=20)
_HTTP = httpx.Client(base_url="https://client-api.tryvox.co")


def _request(kwargs: dict[str, Any]) -> httpx.Request:
    """What httpx would send: method, URL, headers and body bytes."""
    return _HTTP.build_request(**kwargs)


def _same(ours: dict[str, Any], generated: dict[str, Any]) -> None:
    mine, theirs = _request(ours), _request(generated)
    assert (mine.method, mine.url, mine.content) == (theirs.method, theirs.url, theirs.content)
    assert mine.headers.multi_items() == theirs.headers.multi_items()


@settings(deadline=None)
@given(campaign_id=ids)
def test_get(campaign_id: str) -> None:
    _same(get_kwargs(campaign_id), get_campaign._get_kwargs(campaign_id))


@settings(deadline=None)
@given(campaign_id=ids, name=st.text(min_size=1, max_size=10).filter(lambda n: not n.isspace()))
def test_update(campaign_id: str, name: str) -> None:
    ours = update_kwargs(campaign_id, name=name, call_time_window=None, validate_request=True)
    body = UpdateCampaignRequest.from_dict({"name": name})
    _same(ours, update_campaign._get_kwargs(campaign_id, body=body))


def test_update_with_a_window_and_create() -> None:
    window = DRAFT["call_time_window"]
    ours = update_kwargs("cmp/1 ?", name=None, call_time_window=window, validate_request=True)
    body = UpdateCampaignRequest.from_dict({"call_time_window": window})
    _same(ours, update_campaign._get_kwargs("cmp/1 ?", body=body))
    fields: dict[str, Any] = {
        "name": "고객 설문",
        "from_number": "01012345678",
        "agent": {"agent_id": "550e8400-e29b-41d4-a716-446655440000", "agent_version": "v1"},
        "tasks": [{"to_number": "01023456789"}],
    }
    ours = create_kwargs(
        **fields,
        presentation_number=None,
        scheduled_at=1764464400000,
        concurrency=10,
        call_time_window=None,
        validate_request=True,
    )
    create = CreateCampaignRequest.from_dict(
        {**fields, "scheduled_at": 1764464400000, "concurrency": 10}
    )
    _same(ours, create_campaign._get_kwargs(body=create))


def test_a_path_parameter_is_one_segment() -> None:
    assert get_kwargs("a/b?c#d %")["url"] == "/v3/campaigns/a%2Fb%3Fc%23d%20%25"
