"""``voxkit get CAMPAIGN_ID``: one campaign, fetched by the strict client, as JSON."""

from __future__ import annotations

import click

from voxkit.cli._client import connection_options, retries_option, run, timeout_option


@click.command("get")
@click.argument("campaign_id")
@connection_options
@timeout_option
@retries_option("GET")
def get_command(
    *,
    campaign_id: str,
    api_key: str | None,
    base_url: str | None,
    raw: bool,
    timeout: float | None,
    max_retries: int,
) -> None:
    """Print the campaign CAMPAIGN_ID as JSON (GET /v3/campaigns/{campaign_id})."""
    run(
        lambda client: client.campaigns.with_raw_response.get(campaign_id),
        api_key=api_key,
        base_url=base_url,
        raw=raw,
        timeout=timeout,
        max_retries=max_retries,
    )
