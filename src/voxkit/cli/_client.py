"""What ``voxkit get``, ``update`` and ``create`` share: their options, and running one call.

The key comes from ``--api-key`` or ``VOX_API_KEY``, the base URL from ``--base-url`` or
``VOX_BASE_URL``. Success prints the campaign as JSON (exit 0); ``--raw`` prints the answer's
status line, headers and body as they came (a request header, and so the key, is never
printed). An API or validation error prints one message on stderr (exit 1); a missing key or a
malformed option is a usage error (exit 2). Never a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import click
import httpx

from vox_client import (
    APIResponse,
    APIStatusError,
    Campaign,
    Client,
    Finding,
    MissingAPIKeyError,
    RequestValidationError,
    ResponseValidationError,
    VoxError,
)
from vox_validators import RULES

_TIMEOUT_HELP = "Seconds before giving up on one attempt (connect, read, write)."
timeout_option = click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), help=_TIMEOUT_HELP
)

# A PATCH or POST that may have reached the server is never sent twice: it could rename twice
# or create two campaigns. Only a failure before any byte left is retried.
_RETRIES_HELP = {
    "GET": "Retries of the GET after a connection error, a timeout, 408, 429 or 5xx.",
    "PATCH": "Retries of the PATCH only when it was never sent (connection refused, connect or "
    "pool timeout); a PATCH that may have reached the server is not repeated.",
    "POST": "Retries of the POST only when it was never sent (connection refused, connect or "
    "pool timeout); a POST that may have reached the server is not repeated (it could create "
    "two campaigns).",
}


def retries_option(method: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--max-retries",
        type=click.IntRange(min=0),
        default=2,
        show_default=True,
        help=_RETRIES_HELP[method],
    )


def connection_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--api-key``, ``--base-url`` and ``--raw``."""
    command = click.option(
        "--raw",
        is_flag=True,
        help="Print the answer as it came: status line, headers, then the body (the key, a "
        "request header, is never printed). The body is still checked: exit 1 if it breaks "
        "the contract.",
    )(command)
    command = click.option(
        "--base-url",
        envvar="VOX_BASE_URL",
        show_envvar=True,
        metavar="URL",
        help="The API's base URL [default: https://client-api.tryvox.co].",
    )(command)
    return click.option(
        "--api-key",
        envvar="VOX_API_KEY",
        show_envvar=True,
        metavar="KEY",
        help="The API key (prefer the environment variable: a command line is visible to "
        "other users of the machine).",
    )(command)


# A lone surrogate ("\ud800" in the body) is a valid JSON string escape but no UTF-8 character.
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def run(
    action: Callable[[Client], APIResponse[Campaign]],
    *,
    api_key: str | None,
    base_url: str | None,
    raw: bool,
    timeout: float | None,
    max_retries: int,
) -> None:
    """Call ``action`` (a ``with_raw_response`` operation) and print its campaign, or the error."""
    try:
        client = Client(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries
        )
    except MissingAPIKeyError as exc:
        raise click.UsageError(
            "no API key: set the VOX_API_KEY environment variable. Or give --api-key."
        ) from exc
    except ValueError as exc:  # a base URL that is not one
        raise click.BadParameter(str(exc), param_hint="'--base-url'") from exc
    try:
        with client:
            response = action(client)
            if raw:
                _print_raw(response.http_response)
            campaign = response.parse()
    except VoxError as exc:
        if raw and isinstance(exc, APIStatusError):
            _print_raw(exc.response)
        click.echo(describe(exc), err=True)
        raise SystemExit(1) from None
    if not raw:
        text = json.dumps(campaign.model_dump(mode="json"), ensure_ascii=False, indent=2)
        click.echo(_LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text))


def _print_raw(response: httpx.Response) -> None:
    click.echo(f"HTTP/1.1 {response.status_code} {response.reason_phrase}")
    for name, value in response.headers.multi_items():
        if name.lower() not in ("authorization", "proxy-authorization"):
            click.echo(f"{name}: {value}")
    click.echo("")
    click.echo(response.content.decode("utf-8", "backslashreplace"))


def describe(exc: VoxError) -> str:
    """One clear message: status, code and message, or the findings (and the request id)."""
    if isinstance(exc, APIStatusError):
        return f"error: {exc}"
    if isinstance(exc, RequestValidationError):
        lines = [f"error: {exc.operation} refused before sending:"]
        lines += [_line(f) for f in explained(exc.findings, exc.schema, exc.body)]
        return "\n".join(lines)
    if isinstance(exc, ResponseValidationError):
        request = exc.response.request
        head = f"HTTP {exc.status_code} from {request.method} {request.url.path} broke the contract"
        if exc.request_id is not None:
            head += f" [request id {exc.request_id}]"
        return "\n".join([f"error: {head}:", *map(_line, exc.findings)])
    return f"error: {exc}"


def _line(finding: Finding) -> str:
    return f"  {finding.path or '/'}: {finding.message} [{finding.rule}]"


def explained(findings: list[Finding], schema: str | None, body: Any) -> list[Finding]:
    """The findings, each schema finding that a business rule states better replaced by it.

    The validator hides a value the schema rejected from the business rules, so a blank name is
    only ``'   ' does not match '\\\\S'``. Run on the refused body, the rule of that member says
    why in the docs' terms (``'   ' is only whitespace: a name has 1..255 characters``).
    """
    if schema is None or not isinstance(body, Mapping):
        return findings
    stated: dict[str, Finding] = {}
    for rule in RULES:
        if rule.check is None or schema not in rule.schemas:
            continue
        try:
            for path, message in rule.check(body):
                stated.setdefault(path, Finding(rule.id, rule.severity, path, message))
        except Exception:
            continue
    out: list[Finding] = []
    for finding in findings:
        better = stated.get(finding.path) if finding.rule.startswith("schema/") else None
        if better is None:
            out.append(finding)
        elif better not in out:
            out.append(better)
    return out
