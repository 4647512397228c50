"""Request bodies: built from keyword arguments, checked with the validator, then handed to the
generated request builders (which own the method, the path and the JSON encoding)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pydantic

from vox_client._exceptions import RequestValidationError
from vox_generated.openapi_client.api.campaigns import (
    create_campaign,
    get_campaign,
    update_campaign,
)
from vox_generated.openapi_client.models import CreateCampaignRequest, UpdateCampaignRequest
from vox_validators import Finding, validate

JSONObject = Mapping[str, Any] | pydantic.BaseModel


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
        raise RequestValidationError(operation, errors)


def _check_id(operation: str, campaign_id: object) -> str:
    if not isinstance(campaign_id, str) or not campaign_id:
        raise RequestValidationError(
            operation,
            [Finding("schema/minLength", "error", "", "campaign_id must be a non-empty string")],
        )
    return campaign_id


def get_kwargs(campaign_id: str) -> dict[str, Any]:
    return get_campaign._get_kwargs(_check_id("get campaign", campaign_id))


def update_kwargs(
    campaign_id: str,
    *,
    name: str | None,
    call_time_window: JSONObject | None,
    validate_request: bool,
) -> dict[str, Any]:
    operation = "update campaign"
    campaign_id = _check_id(operation, campaign_id)
    body: dict[str, Any] = {}
    if name is not None:
        body["name"] = name
    if call_time_window is not None:
        body["call_time_window"] = _plain(call_time_window)
    _check(operation, "UpdateCampaignRequest", body, enabled=validate_request)
    model = _build(operation, UpdateCampaignRequest.from_dict, body)
    return update_campaign._get_kwargs(campaign_id, body=model)


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
    return create_campaign._get_kwargs(body=model)


def _build(operation: str, from_dict: Any, body: dict[str, Any]) -> Any:
    """The generated attrs model of ``body``; with validation off it may not fit, so say why."""
    try:
        return from_dict(body)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RequestValidationError(
            operation, [Finding("build", "error", "", f"cannot encode the body: {exc!r}")]
        ) from exc
