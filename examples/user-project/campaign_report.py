"""A tiny application that uses the vox.ai campaigns API: a progress line and a safe rename."""

from __future__ import annotations

from vox_client import Client, ConflictError


def make_client(api_key: str, base_url: str) -> Client:
    # A report must not crash on a surprising answer: strict=False logs the findings instead.
    return Client(api_key=api_key, base_url=base_url, strict=False)


def progress_line(client: Client, campaign_id: str) -> str:
    """``'<name>: <done>/<total> calls (<status>)'``."""
    campaign = client.campaigns.get(campaign_id)
    done = campaign.completed_calls + campaign.failed_calls
    return f"{campaign.name}: {done}/{campaign.total_calls} calls ({campaign.status.value})"


def rename_if_editable(client: Client, campaign_id: str, name: str) -> bool:
    """Rename the campaign; False when its status does not allow it (the API answers 409)."""
    try:
        client.campaigns.update(campaign_id, name=name)
    except ConflictError:
        return False
    return True
