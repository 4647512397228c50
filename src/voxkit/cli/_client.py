"""What ``voxkit get``, ``update`` and ``create`` share: their options, and running one call.

The key comes from ``--api-key`` or ``VOX_API_KEY``, the base URL from ``--base-url`` or
``VOX_BASE_URL``. Success prints the campaign as JSON (exit 0); ``--raw`` prints the answer's
status line, headers and body as they came (a request header, and so the key, is never
printed). An API or validation error prints one message on stderr (exit 1); a missing or
malformed key, a malformed option or base URL, and a campaign ID that cannot be one path
segment are usage errors (exit 2). Never a traceback, and nothing the server sent reaches the
terminal unescaped: a control character is printed as ``\\x1b`` (in JSON, ``\\u001b``).
"""

from __future__ import annotations

import json
import math
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
    InvalidAPIKeyError,
    InvalidCampaignIDError,
    MissingAPIKeyError,
    RequestValidationError,
    ResponseValidationError,
    VoxError,
)
from vox_validators import RULES

_TIMEOUT_HELP = (
    "Seconds the whole call may take, retries and the waits between them included "
    "[default: 60, connect 5]."
)


class _Seconds(click.FloatRange):
    """A finite number of seconds above 0: ``nan``, ``inf`` and ``1e400`` (which is ``inf``) are
    usage errors, as ``0`` and ``-1`` are."""

    def __init__(self) -> None:
        super().__init__(min=0, min_open=True)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            given = printable(value) if isinstance(value, str) else str(seconds)
            self.fail(f"{given} is not a number of seconds: a finite number above 0", param, ctx)
        return seconds


timeout_option = click.option("--timeout", type=_Seconds(), help=_TIMEOUT_HELP)

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


def printable(text: str, keep: str = "") -> str:
    """``text`` with each character that is not printable (and not in ``keep``) escaped as
    ``\\x1b``, ``\\u202e``, ...: what a server or a file says never drives the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in keep else _escaped(c) for c in text)


def _escaped(character: str) -> str:
    code = ord(character)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _json_text(text: str) -> str:
    """JSON text (``ensure_ascii=False``) with every character that is not printable written as
    a ``\\u`` escape: still the same JSON, safe on a terminal. Lone surrogates (a valid JSON
    escape but no UTF-8 character) included."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\n" else _json_escape(c) for c in text)


def _json_escape(character: str) -> str:
    code = ord(character)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, as JSON writes characters beyond U+FFFF
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


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
    except MissingAPIKeyError:
        raise click.UsageError(
            "no API key: set the VOX_API_KEY environment variable. Or give --api-key."
        ) from None
    except InvalidAPIKeyError as exc:  # the message names the problem, never the key
        raise click.BadParameter(str(exc), param_hint="'--api-key' / VOX_API_KEY") from None
    except ValueError as exc:  # a base URL that is not one
        raise click.BadParameter(printable(str(exc)), param_hint="'--base-url'") from None
    try:
        with client:
            response = action(client)
            if raw:
                _print_raw(response.http_response)
            campaign = response.parse()
    except InvalidCampaignIDError as exc:
        problem = "; ".join(f.message for f in exc.findings)
        raise click.BadParameter(printable(problem), param_hint="'CAMPAIGN_ID'") from None
    except VoxError as exc:
        if raw and isinstance(exc, APIStatusError):
            _print_raw(exc.response)
        click.echo(describe(exc), err=True)
        raise SystemExit(1) from None
    if not raw:
        text = json.dumps(campaign.model_dump(mode="json"), ensure_ascii=False, indent=2)
        click.echo(_json_text(text))


def _print_raw(response: httpx.Response) -> None:
    click.echo(f"HTTP/1.1 {response.status_code} {printable(response.reason_phrase)}")
    for name, value in response.headers.multi_items():
        if name.lower() not in ("authorization", "proxy-authorization"):
            click.echo(f"{printable(name)}: {printable(value)}")
    click.echo("")
    # The body as it came, its lines and tabs kept; anything else unprintable escaped.
    click.echo(printable(response.content.decode("utf-8", "backslashreplace"), keep="\n\t"))


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
        path = request.url.raw_path.split(b"?", 1)[0].decode("ascii", "replace")
        head = f"HTTP {exc.status_code} from {request.method} {path} broke the contract"
        if exc.request_id is not None:
            head += f" [request id {printable(exc.request_id)}]"
        return "\n".join([f"error: {head}:", *map(_line, exc.findings)])
    return f"error: {printable(str(exc))}"


def _line(finding: Finding) -> str:
    # Paths and messages quote what the server sent (a member name, a value): escaped.
    return printable(f"  {finding.path or '/'}: {finding.message} [{finding.rule}]")


# The single-field facts the spec states as patterns and lengths, in the docs' terms: a schema
# finding quotes the pattern, which tells a user little. (member, schema rule) -> why.
_FACTS: tuple[tuple[re.Pattern[str], frozenset[str], str, str], ...] = (
    (
        re.compile(r"/name"),
        frozenset({"schema/pattern", "schema/minLength"}),
        "is only whitespace",
        "a name has 1..255 characters, not only whitespace",
    ),
    (
        re.compile(r"/name"),
        frozenset({"schema/maxLength"}),
        "is too long",
        "a name has 1..255 characters",
    ),
    (
        re.compile(r"/(?:from_number|presentation_number|tasks/\d+/to_number)"),
        frozenset({"schema/pattern"}),
        "is not a digit string",
        "a phone number is digits only, without hyphens or spaces (07070001234)",
    ),
    (
        re.compile(r"/agent/agent_id"),
        frozenset({"schema/pattern"}),
        "is not a UUID",
        "an agent ID has 8-4-4-4-12 hexadecimal digits",
    ),
)
# The value a schema message starts with: "'   ' does not match ...", "'xx...' is too long".
_QUOTED = re.compile(r"^(.*?) (?:does not match|is too long|is too short|should be non-empty)")


def _in_docs_terms(finding: Finding) -> Finding:
    for member, rules, what, why in _FACTS:
        if finding.rule in rules and member.fullmatch(finding.path):
            quoted = _QUOTED.match(finding.message)
            value = quoted.group(1) if quoted else "the value"
            if len(value) > 60:
                value = f"{value[:40]}... ({len(value):,} characters)"
            return Finding(finding.rule, finding.severity, finding.path, f"{value} {what}: {why}")
    return finding


def explained(findings: list[Finding], schema: str | None, body: Any) -> list[Finding]:
    """The findings, each said in the docs' terms where the validator's words are a pattern.

    A single-field fact (a name that is not only whitespace, a digit-string phone number, a UUID)
    is a schema pattern or length, and its finding quotes the pattern: it is reworded
    (``'   ' is only whitespace: a name has 1..255 characters, not only whitespace``). And the
    validator hides a value the schema rejected from the business rules: run on the refused body,
    a rule of that member (a custom one included) says why instead.
    """
    findings = [_in_docs_terms(f) for f in findings]
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
