"""``voxkit get`` and ``voxkit update``: the strict client from the command line.

Both read ``VOX_API_KEY`` and ``VOX_BASE_URL``. Success prints the campaign as JSON (exit 0); an
API or validation error prints one message on stderr (exit 1); a missing key or a malformed
option is a usage error (exit 2). Never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from vox_client import (
    APIStatusError,
    Campaign,
    Client,
    MissingAPIKeyError,
    RequestValidationError,
    ResponseValidationError,
    VoxError,
)

_TIMEOUT_HELP = "Seconds before giving up on one attempt (connect, read, write)."
_timeout_option = click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), help=_TIMEOUT_HELP
)
_retries_option = click.option(
    "--max-retries",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Retries of a GET after a connection error, 408, 429 or 5xx.",
)


def _run(action: Callable[[Client], Campaign], timeout: float | None, max_retries: int) -> None:
    try:
        with Client(timeout=timeout, max_retries=max_retries) as client:
            campaign = action(client)
    except MissingAPIKeyError as exc:
        raise click.UsageError("no API key: set the VOX_API_KEY environment variable.") from exc
    except VoxError as exc:
        click.echo(_describe(exc), err=True)
        raise SystemExit(1) from None
    click.echo(json.dumps(campaign.model_dump(mode="json"), ensure_ascii=False, indent=2))


def _describe(exc: VoxError) -> str:
    """One clear message: status, code and message, or the findings."""
    if isinstance(exc, APIStatusError):
        return f"error: {exc}"
    if isinstance(exc, RequestValidationError | ResponseValidationError):
        lines = [f"error: {str(exc).split(': ', 1)[0]}:"]
        lines += [f"  {f.path or '/'}: {f.message} [{f.rule}]" for f in exc.findings]
        return "\n".join(lines)
    return f"error: {exc}"


@click.command("get")
@click.argument("campaign_id")
@_timeout_option
@_retries_option
def get_command(campaign_id: str, timeout: float | None, max_retries: int) -> None:
    """Print the campaign CAMPAIGN_ID as JSON (GET /v3/campaigns/{campaign_id})."""
    _run(lambda client: client.campaigns.get(campaign_id), timeout, max_retries)


def _window(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    try:
        window = json.loads(value)
    except ValueError as exc:
        raise click.BadParameter(f"not valid JSON: {exc}") from None
    if not isinstance(window, dict):
        raise click.BadParameter(
            "must be a JSON object like "
            '\'{"windows": [...], "timezone": "Asia/Seoul", "auto_resume": true}\''
        )
    return window


@click.command("update")
@click.argument("campaign_id")
@click.option("--name", help="The new campaign name (1..255 characters, not only whitespace).")
@click.option(
    "--call-time-window",
    "call_time_window",
    callback=_window,
    metavar="JSON",
    help='The whole new call window, as JSON: {"windows": [{"start_min": 540, "end_min": 1080, '
    '"days": ["Monday"]}], "timezone": "Asia/Seoul", "auto_resume": true}.',
)
@_timeout_option
@_retries_option
def update_command(
    campaign_id: str,
    name: str | None,
    call_time_window: Any,
    timeout: float | None,
    max_retries: int,
) -> None:
    """Change a campaign's name and/or call window; print the updated campaign as JSON."""
    if name is None and call_time_window is None:
        raise click.UsageError("nothing to update: give --name and/or --call-time-window.")
    _run(
        lambda client: client.campaigns.update(
            campaign_id, name=name, call_time_window=call_time_window
        ),
        timeout,
        max_retries,
    )
