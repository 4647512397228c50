"""Requests: the body built from keyword arguments and checked with the validator, then the method,
path and body encoding taken from what the generator wrote.

Only public names of ``vox_generated`` are used: the method and path template of each operation
come from ``vox_generated/operations.json``, and a body is encoded by the generated attrs model of
its schema (``from_dict`` then ``to_dict``), as the generated request builders encode it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from importlib import resources
from typing import Any, NoReturn
from urllib.parse import quote

import pydantic

from vox_client._exceptions import InvalidCampaignIDError, RequestValidationError, printable
from vox_generated.openapi_client.models import CreateCampaignRequest, UpdateCampaignRequest
from vox_validators import Finding, validate

JSONObject = Mapping[str, Any] | pydantic.BaseModel

_PATH_PARAMETER = re.compile(r"\{([^{}]+)\}")

# The longest campaign ID sent, in bytes once percent-encoded: far beyond any real ID (cmp_ and
# ten hex digits), and well inside the request-line limits of common servers and proxies (8 KiB
# in nginx), so an over-long ID is this one clear error, not a server's 414 or an httpx error.
MAX_CAMPAIGN_ID_BYTES = 2048


@cache
def _operations() -> dict[str, dict[str, Any]]:
    text = resources.files("vox_generated").joinpath("operations.json").read_text("utf-8")
    return {op["operation_id"]: op for op in json.loads(text)["operations"]}


@cache
def _template(operation_id: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """An operation's method, and its path split once into literal parts and parameter names."""
    operation = _operations()[operation_id]
    parts = _PATH_PARAMETER.split(operation["path"])
    return str(operation["method"]), tuple(parts[0::2]), tuple(parts[1::2])


def path_of(operation_id: str, path_parameters: Mapping[str, str]) -> str:
    """The path of one operation; each parameter is already one percent-encoded segment."""
    _, literals, names = _template(operation_id)
    if not names:
        return literals[0]
    pieces = [literals[0]]
    for name, literal in zip(names, literals[1:], strict=True):
        pieces += (path_parameters[name], literal)
    return "".join(pieces)


def _request(
    operation_id: str, path_parameters: Mapping[str, str], body: Any | None = None
) -> dict[str, Any]:
    """The ``httpx.Client.request`` arguments of one documented operation."""
    kwargs: dict[str, Any] = {
        "method": _template(operation_id)[0],
        "url": path_of(operation_id, path_parameters),
    }
    if body is not None:
        kwargs["json"] = body.to_dict()
        kwargs["headers"] = {"Content-Type": "application/json"}
    return kwargs


def _plain(value: Any) -> Any:
    """Pydantic models (``vox_generated.models``) as JSON-ready values; anything else as is."""
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", exclude_none=False)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _check(operation: str, schema: str, body: dict[str, Any], *, enabled: bool) -> None:
    if not enabled:
        return
    errors = [f for f in validate(body, schema) if f.severity == "error"]
    if errors:
        raise RequestValidationError(operation, errors, schema=schema, body=body)


def _check_id(operation: str, campaign_id: object) -> str:
    """``campaign_id`` as one path segment, percent-encoded; ``InvalidCampaignIDError`` when it
    cannot be one (nothing is sent)."""
    if not isinstance(campaign_id, str) or not campaign_id:
        _refuse(operation, "campaign_id must be a non-empty string", rule="schema/minLength")
    if campaign_id in (".", ".."):
        # A URL resolves "." and ".." (RFC 3986 5.2.4): "/v3/campaigns/.." would be GET /v3.
        _refuse(operation, f"{campaign_id!r} is not a campaign ID: a URL resolves it elsewhere")
    try:
        segment = quote(campaign_id, safe="")
    except UnicodeEncodeError:
        _refuse(operation, f"{_cut(campaign_id)} is not a campaign ID: it has a lone surrogate")
    if len(segment) > MAX_CAMPAIGN_ID_BYTES:
        _refuse(
            operation,
            f"{_cut(campaign_id)} ({len(campaign_id):,} characters) is too long for a campaign "
            f"ID: at most {MAX_CAMPAIGN_ID_BYTES:,} bytes once percent-encoded",
        )
    return segment


def _cut(campaign_id: str) -> str:
    # The ID as a message shows it: escaped, and only its start when it is long.
    start = printable(repr(campaign_id[:32]))
    return f"{start}..." if len(campaign_id) > 32 else start


def _refuse(operation: str, problem: str, *, rule: str = "campaign_id") -> NoReturn:
    raise InvalidCampaignIDError(operation, [Finding(rule, "error", "", problem)])


def get_kwargs(campaign_id: str) -> dict[str, Any]:
    """The request of ``getCampaign`` (the hot path: the template is split once, and cached)."""
    if type(campaign_id) is not str:
        _check_id("get campaign", campaign_id)
    return {"method": _template("getCampaign")[0], "url": _get_path(campaign_id)}


@lru_cache(maxsize=1024)
def _get_path(campaign_id: str) -> str:
    # Cached: an application polling a campaign's status asks for the same path again and again.
    # (A refused ID raises, and a raise is never cached.)
    return path_of("getCampaign", {"campaign_id": _check_id("get campaign", campaign_id)})


def update_kwargs(
    campaign_id: str,
    *,
    name: str | None,
    call_time_window: JSONObject | None,
    validate_request: bool,
) -> dict[str, Any]:
    operation = "update campaign"
    segment = _check_id(operation, campaign_id)
    body: dict[str, Any] = {}
    if name is not None:
        body["name"] = name
    if call_time_window is not None:
        body["call_time_window"] = _plain(call_time_window)
    _check(operation, "UpdateCampaignRequest", body, enabled=validate_request)
    model = _build(operation, UpdateCampaignRequest.from_dict, body)
    return _request("updateCampaign", {"campaign_id": segment}, model)


def create_kwargs(
    *,
    name: str,
    from_number: str,
    agent: JSONObject,
    tasks: Sequence[JSONObject],
    presentation_number: str | None,
    scheduled_at: int | None,
    concurrency: int | None,
    call_time_window: JSONObject | None,
    validate_request: bool,
) -> dict[str, Any]:
    operation = "create campaign"
    body: dict[str, Any] = {
        "name": name,
        "from_number": from_number,
        "agent": _plain(agent),
        "tasks": _plain(list(tasks)),
    }
    optional = {
        "presentation_number": presentation_number,
        "scheduled_at": scheduled_at,
        "concurrency": concurrency,
        "call_time_window": _plain(call_time_window),
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    _check(operation, "CreateCampaignRequest", body, enabled=validate_request)
    model = _build(operation, CreateCampaignRequest.from_dict, body)
    return _request("createCampaign", {}, model)


def _build(operation: str, from_dict: Any, body: dict[str, Any]) -> Any:
    """The generated attrs model of ``body``; with validation off it may not fit, so say why."""
    try:
        return from_dict(body)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RequestValidationError(
            operation, [Finding("build", "error", "", f"cannot encode the body: {exc!r}")]
        ) from exc
