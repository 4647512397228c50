"""``voxkit update CAMPAIGN_ID``: rename a campaign and/or replace its call window."""

from __future__ import annotations

from typing import Any

import click

from voxkit.cli._client import connection_options, retries_option, run, timeout_option
from voxkit.cli.create import WINDOW_HELP, json_object


@click.command("update")
@click.argument("campaign_id")
@click.option("--name", help="The new campaign name (1..255 characters, not only whitespace).")
@click.option(
    "--call-time-window",
    "call_time_window",
    callback=json_object,
    metavar="JSON",
    help=f"The whole new call window, as JSON: {WINDOW_HELP}.",
)
@connection_options
@timeout_option
@retries_option("PATCH")
def update_command(
    *,
    campaign_id: str,
    name: str | None,
    call_time_window: Any,
    api_key: str | None,
    base_url: str | None,
    raw: bool,
    timeout: float | None,
    max_retries: int,
) -> None:
    """Change a campaign's name and/or call window; print the updated campaign as JSON
    (PATCH /v3/campaigns/{campaign_id})."""
    if name is None and call_time_window is None:
        raise click.UsageError("nothing to update: give --name and/or --call-time-window.")
    run(
        lambda client: client.campaigns.with_raw_response.update(
            campaign_id, name=name, call_time_window=call_time_window
        ),
        api_key=api_key,
        base_url=base_url,
        raw=raw,
        timeout=timeout,
        max_retries=max_retries,
    )
