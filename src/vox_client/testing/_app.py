"""The mock's answers: one request in, one ``Reply`` out, no I/O (the server and the transport
share it, so both answer alike).

Where the docs are silent the mock decides, and says so here:

- the method is checked first (405 with ``Allow`` on a documented path, for every method the
  spec does not document there, HEAD, OPTIONS, TRACE and a lower-case ``get`` included; 404 on
  any other path),
  then the key (401), then the campaign ID (404), then the body, then the status (409);
- a body that is not JSON, and a ``name`` that is null, empty or only whitespace, are 400 (the
  latter with the documented envelope); any other body the spec refuses, by its schema or by a
  business rule, is 422 ``unprocessable_request`` ("well-formed but not acceptable");
- a created campaign is ``draft`` when scheduled and ``pending`` otherwise; its ``concurrency``
  defaults to 1 and its call window to 08:00-20:00 every day; a 10-11 digit ``scheduled_at`` is
  unix seconds, normalised to milliseconds (the v3 contract rules allow that on some inputs);
- a 200 body is checked before it is sent: a request whose result would break a rule is 422
  (a warning's rule too: every body the mock sends has no finding at all);
- "blank" (the 400) is what the spec's ``CampaignName`` pattern calls only whitespace.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from vox_client.testing._campaigns import DEFAULT_WINDOW, EDITABLE, Campaign, findings_of
from vox_validators import Finding, validate

COLLECTION = "/v3/campaigns"
ITEM_METHODS: tuple[str, ...] = ("GET", "PATCH")
COLLECTION_METHODS: tuple[str, ...] = ("POST",)


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP answer: status, headers (in order) and body bytes."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = "application/json"


@dataclass(slots=True)
class Store:
    """The mock's campaigns, by ID, and the count of campaigns created through the API."""

    campaigns: dict[str, Campaign] = field(default_factory=dict)
    created: int = 0

    def new_id(self) -> str:
        # Derived from a counter, not random: two runs of one scenario give the same bytes.
        while True:
            self.created += 1
            digest = hashlib.sha256(f"voxmock-{self.created}".encode()).hexdigest()[:10]
            if f"cmp_{digest}" not in self.campaigns:
                return f"cmp_{digest}"


def encode(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def json_reply(status: int, document: object, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    return Reply(status, encode(document), headers)


def error_reply(
    status: int,
    code: str,
    message: str,
    details: Mapping[str, Any] | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> Reply:
    """A failure in the v3 envelope: ``{"error": {"code", "message", "details"}}``."""
    error = {"code": code, "message": message, "details": dict(details) if details else None}
    return json_reply(status, {"error": error}, headers)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


def handle(
    store: Store,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    api_key: str,
    now_ms: int,
) -> Reply:
    """The answer to one request; ``store`` changes only on a successful PATCH or POST.

    Methods are case-sensitive (RFC 9110 9.1): ``get`` is not ``GET``, so it is a 405.
    """
    raw_path = urlsplit(target).path
    parts = raw_path.split("/")
    if raw_path == COLLECTION:
        allowed = COLLECTION_METHODS
    elif len(parts) == 4 and raw_path.startswith(COLLECTION + "/") and parts[3]:
        allowed = ITEM_METHODS
    else:
        return error_reply(404, "not_found", f"{raw_path!r} is not a path of the API")
    if method not in allowed:
        return error_reply(
            405,
            "method_not_allowed",
            f"{method} is not allowed on {raw_path}",
            {"reason": "method_not_allowed", "allowed_values": list(allowed)},
            (("Allow", ", ".join(allowed)),),
        )
    denied = _authenticate(headers, api_key)
    if denied is not None:
        return denied
    if method == "POST":
        return _create(store, body, now_ms)
    campaign = store.campaigns.get(unquote(parts[3]))
    if campaign is None:
        return error_reply(
            404, "not_found", "Campaign not found", {"field": "campaign_id", "reason": "not_found"}
        )
    if method == "GET":
        return json_reply(200, campaign)
    return _update(store, campaign, body)


def _authenticate(headers: Mapping[str, str], api_key: str) -> Reply | None:
    value = _header(headers, "authorization")
    if value is None:
        return error_reply(401, "unauthorized", "Missing API key")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or token.strip() != api_key:
        return error_reply(401, "unauthorized", "Invalid API key")
    return None


def _decode(body: bytes, schema: str) -> tuple[dict[str, Any] | None, Reply | None]:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None, error_reply(
            400, "invalid_request", "the request body is not valid JSON", {"reason": "invalid_json"}
        )
    if isinstance(document, dict) and "name" in document:
        name = document["name"]
        if name is None or (isinstance(name, str) and _blank(name)):
            return None, error_reply(
                400,
                "invalid_request",
                "name must not be blank",
                {"field": "name", "reason": "blank"},
            )
    refused = _refusal([f for f in validate(document, schema) if f.severity == "error"])
    if refused is not None:
        return None, refused
    assert isinstance(document, dict)  # the schemas of request bodies are objects
    return document, None


def _blank(name: str) -> bool:
    """Empty or only whitespace, as the spec's ``CampaignName`` pattern says it (which counts
    U+FEFF and U+001C..U+001F as whitespace, where ``str.strip`` does not agree)."""
    return any(
        f.rule in ("schema/pattern", "schema/minLength") and f.path == "/name"
        for f in validate({"name": name}, "UpdateCampaignRequest")
    )


def _refusal(findings: list[Finding]) -> Reply | None:
    if not findings:
        return None
    first = findings[0]
    details: dict[str, Any] = {"reason": first.rule}
    field_name = first.path.split("/")[1] if first.path else ""
    if field_name:
        details["field"] = field_name
    return error_reply(422, "unprocessable_request", first.message, details)


def _update(store: Store, campaign: Campaign, body: bytes) -> Reply:
    document, refused = _decode(body, "UpdateCampaignRequest")
    if refused is not None or document is None:
        return refused or error_reply(400, "invalid_request", "invalid body")
    if campaign["status"] not in EDITABLE:
        return error_reply(
            409,
            "invalid_status",
            "Campaign can only be updated in draft, pending or paused status",
            {"field": "status", "reason": "not_editable", "allowed_values": list(EDITABLE)},
        )
    updated = copy.deepcopy(campaign)
    for key in ("name", "call_time_window"):
        if key in document:
            updated[key] = copy.deepcopy(document[key])
    refused = _refusal(findings_of(updated))
    if refused is not None:
        return refused
    store.campaigns[updated["id"]] = updated
    return json_reply(200, updated)


def _create(store: Store, body: bytes, now_ms: int) -> Reply:
    document, refused = _decode(body, "CreateCampaignRequest")
    if refused is not None or document is None:
        return refused or error_reply(400, "invalid_request", "invalid body")
    scheduled_at = document.get("scheduled_at")
    if isinstance(scheduled_at, int) and 10**9 <= abs(scheduled_at) < 10**11:
        scheduled_at *= 1000
    campaign: Campaign = {
        "id": "",
        "name": document["name"],
        "status": "draft" if scheduled_at is not None else "pending",
        "agent": copy.deepcopy(document["agent"]),
        "from_number": document["from_number"],
        "total_calls": len(document["tasks"]),
        "completed_calls": 0,
        "failed_calls": 0,
        "concurrency": document.get("concurrency", 1),
        "active_concurrency": 0,
        "created_at": now_ms,
        "presentation_number": document.get("presentation_number"),
        "scheduled_at": scheduled_at,
        "finished_at": None,
        "paused_at": None,
        "paused_by": None,
        "call_time_window": copy.deepcopy(document.get("call_time_window", DEFAULT_WINDOW)),
    }
    refused = _refusal(findings_of(campaign))
    if refused is not None:
        return refused
    campaign["id"] = store.new_id()
    store.campaigns[campaign["id"]] = campaign
    return json_reply(200, campaign)
