"""``voxkit create``: create a campaign (POST /v3/campaigns) and print it as JSON."""

from __future__ import annotations

import json
from typing import Any

import click

from voxkit.cli._client import connection_options, retries_option, run, timeout_option

WINDOW_HELP = (
    '{"windows": [{"start_min": 540, "end_min": 1080, "days": ["Monday"]}], '
    '"timezone": "Asia/Seoul", "auto_resume": true}'
)


def _json(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError as exc:
        raise click.BadParameter(f"not valid JSON: {exc}") from None


def json_object(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """A JSON object option (the call window)."""
    del ctx, param
    if value is None:
        return None
    window = _json(value)
    if not isinstance(window, dict):
        raise click.BadParameter(f"must be a JSON object like '{WINDOW_HELP}'")
    return window


def _tasks(ctx: click.Context, param: click.Parameter, value: str) -> Any:
    del ctx, param
    tasks = _json(value)
    if not isinstance(tasks, list) or not all(isinstance(task, dict) for task in tasks):
        raise click.BadParameter(
            'must be a JSON array of objects, one per call, like \'[{"to_number": "01012345678"}]\''
        )
    return tasks


@click.command("create")
@click.option("--name", required=True, help="The campaign name (1..255 characters, not blank).")
@click.option(
    "--from-number",
    required=True,
    help="The caller number: a domestic number without hyphens (07070001234).",
)
@click.option("--agent-id", required=True, help="The agent's ID, a UUID.")
@click.option(
    "--agent-version",
    required=True,
    help="The agent version to place the calls: production, current, v1, v2, ...",
)
@click.option(
    "--tasks",
    required=True,
    callback=_tasks,
    metavar="JSON",
    help='The calls to place, at least one, as a JSON array: [{"to_number": "01012345678"}].',
)
@click.option(
    "--presentation-number",
    help="The number shown to recipients (only numbers the organisation has had approved).",
)
@click.option(
    "--scheduled-at", type=int, metavar="UNIX_MS", help="When to run it, in unix milliseconds."
)
@click.option(
    "--concurrency",
    type=int,
    help="The maximum number of simultaneous calls (1..100).",
)
@click.option(
    "--call-time-window",
    "call_time_window",
    callback=json_object,
    metavar="JSON",
    help=f"When calls may be placed, as JSON: {WINDOW_HELP}.",
)
@connection_options
@timeout_option
@retries_option("POST")
def create_command(
    *,
    name: str,
    from_number: str,
    agent_id: str,
    agent_version: str,
    tasks: Any,
    presentation_number: str | None,
    scheduled_at: int | None,
    concurrency: int | None,
    call_time_window: Any,
    api_key: str | None,
    base_url: str | None,
    raw: bool,
    timeout: float | None,
    max_retries: int,
) -> None:
    """Create a campaign and print it as JSON (POST /v3/campaigns). The body is checked before
    anything is sent."""
    run(
        lambda client: client.campaigns.with_raw_response.create(
            name=name,
            from_number=from_number,
            agent={"agent_id": agent_id, "agent_version": agent_version},
            tasks=tasks,
            presentation_number=presentation_number,
            scheduled_at=scheduled_at,
            concurrency=concurrency,
            call_time_window=call_time_window,
        ),
        api_key=api_key,
        base_url=base_url,
        raw=raw,
        timeout=timeout,
        max_retries=max_retries,
    )
