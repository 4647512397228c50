"""A local reference server of the v3 campaigns API, following the spec and the documented rules.

It serves the spec's own example campaigns (one per status, paused by user and by system, with
and without a call window) and applies the rules the docs state:

- every request needs ``Authorization: Bearer <key>`` with a key the server knows, else 401;
- an unknown campaign ID is 404; an undocumented method on a documented path is 405;
- a PATCH body is checked against ``UpdateCampaignRequest`` (a null, empty or whitespace-only
  ``name`` is 400 with the documented envelope), then allowed only while the campaign is
  ``draft``, ``pending`` or ``paused`` (409 otherwise, as the spec infers);
- a POST body is checked against ``CreateCampaignRequest``; the new campaign is ``draft`` when
  it is scheduled and ``pending`` otherwise, and gets the documented default call window
  (08:00-20:00 every day) when none is sent.

Where the docs are silent the server chooses (and says so here): a body that breaks the schema
is 400 ``invalid_request``, one that fits the schema but breaks a business rule of
``vox_validators`` is 422 ``unprocessable_request``; a created campaign's ``concurrency`` defaults to 1; a 10-11 digit
``scheduled_at`` is taken as unix seconds and normalised to milliseconds.

Tests can queue one-shot faults (``ReferenceServer.inject``): a 429 with ``Retry-After``, a 503,
a 200 that breaks a business rule, a 200 that is not JSON.

Run it by hand::

    python -m tests.support.reference_server --port 8765 --api-key demo-key
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from vox_validators import Finding, validate

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi" / "vox-campaigns-v3.yaml"
EDITABLE_STATUSES = ("draft", "pending", "paused")
ALL_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DEFAULT_WINDOW = {
    "windows": [{"start_min": 480, "end_min": 1200, "days": ALL_DAYS}],
    "timezone": "Asia/Seoul",
    "auto_resume": True,
}


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


def json_reply(status: int, document: object, headers: Mapping[str, str] | None = None) -> Reply:
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return Reply(status, body, headers or {})


def error_reply(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Reply:
    return json_reply(
        status, {"error": {"code": code, "message": message, "details": details}}, headers
    )


def spec_campaigns() -> dict[str, dict[str, Any]]:
    """The spec's example campaigns, by ID: the server's initial data."""
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    examples = spec["components"]["examples"]
    campaigns = [
        example["value"]
        for name, example in sorted(examples.items())
        if name.startswith("Campaign") and "status" in example["value"]
    ]
    return {c["id"]: copy.deepcopy(c) for c in campaigns}


class ReferenceAPI:
    """The server's state and rules, without any HTTP (so it is easy to read and to test)."""

    def __init__(
        self,
        api_keys: set[str],
        campaigns: dict[str, dict[str, Any]] | None = None,
        now_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    ) -> None:
        self._api_keys = set(api_keys)
        self.campaigns = campaigns if campaigns is not None else spec_campaigns()
        self._now_ms = now_ms
        self._faults: list[tuple[str, str, Reply]] = []
        self._created = 0
        self._lock = threading.Lock()

    def inject(self, method: str, path: str, reply: Reply) -> None:
        """Answer the next ``method path`` request with ``reply`` once, whatever it asks."""
        with self._lock:
            self._faults.append((method.upper(), path, reply))

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        path = urlsplit(target).path
        with self._lock:
            for index, (fault_method, fault_path, reply) in enumerate(self._faults):
                if fault_method == method and fault_path == path:
                    del self._faults[index]
                    return reply
            return self._route(method, path, headers, body)

    def _route(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Reply:
        parts = path.split("/")
        allowed: tuple[str, ...]
        if path == "/v3/campaigns":
            allowed = ("POST",)
        elif len(parts) == 4 and parts[:3] == ["", "v3", "campaigns"] and parts[3]:
            allowed = ("GET", "PATCH")
        else:
            return error_reply(404, "not_found", f"No route for {path}")
        if method not in allowed:
            return error_reply(
                405,
                "method_not_allowed",
                f"{method} is not allowed on this path",
                {"reason": "method_not_allowed", "allowed_values": list(allowed)},
                {"Allow": ", ".join(allowed)},
            )
        denied = self._authenticate(headers)
        if denied is not None:
            return denied
        if method == "POST":
            return self._create(body)
        campaign_id = unquote(parts[3])
        campaign = self.campaigns.get(campaign_id)
        if campaign is None:
            return error_reply(
                404,
                "not_found",
                "Campaign not found",
                {"field": "campaign_id", "reason": "not_found"},
            )
        if method == "GET":
            return json_reply(200, campaign)
        return self._update(campaign, body)

    def _authenticate(self, headers: Mapping[str, str]) -> Reply | None:
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        if value is None:
            return error_reply(401, "unauthorized", "Missing API key")
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or token.strip() not in self._api_keys:
            return error_reply(401, "unauthorized", "Invalid API key")
        return None

    def _body(self, body: bytes, schema: str) -> tuple[dict[str, Any] | None, Reply | None]:
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            return None, error_reply(
                400, "invalid_request", "Request body is not valid JSON", {"reason": "invalid_json"}
            )
        findings = [f for f in validate(document, schema) if f.severity == "error"]
        if not findings:
            return document, None
        return None, _invalid(document, findings)

    def _update(self, campaign: dict[str, Any], body: bytes) -> Reply:
        document, refused = self._body(body, "UpdateCampaignRequest")
        if refused is not None or document is None:
            return refused or error_reply(400, "invalid_request", "Invalid body")
        if campaign["status"] not in EDITABLE_STATUSES:
            return error_reply(
                409,
                "invalid_status",
                "Campaign can only be updated in draft, pending or paused status",
                {
                    "field": "status",
                    "reason": "not_editable",
                    "allowed_values": list(EDITABLE_STATUSES),
                },
            )
        for key in ("name", "call_time_window"):
            if key in document:
                campaign[key] = copy.deepcopy(document[key])
        return json_reply(200, campaign)

    def _create(self, body: bytes) -> Reply:
        document, refused = self._body(body, "CreateCampaignRequest")
        if refused is not None or document is None:
            return refused or error_reply(400, "invalid_request", "Invalid body")
        self._created += 1
        campaign_id = "cmp_" + hashlib.sha256(f"created-{self._created}".encode()).hexdigest()[:10]
        scheduled_at = document.get("scheduled_at")
        if scheduled_at is not None and abs(scheduled_at) < 10**11:  # 10-11 digits: seconds
            scheduled_at *= 1000
        campaign: dict[str, Any] = {
            "id": campaign_id,
            "name": document["name"],
            "status": "draft" if scheduled_at is not None else "pending",
            "agent": copy.deepcopy(document["agent"]),
            "from_number": document["from_number"],
            "total_calls": len(document["tasks"]),
            "completed_calls": 0,
            "failed_calls": 0,
            "concurrency": document.get("concurrency", 1),
            "active_concurrency": 0,
            "created_at": self._now_ms(),
            "presentation_number": document.get("presentation_number"),
            "scheduled_at": scheduled_at,
            "finished_at": None,
            "paused_at": None,
            "paused_by": None,
            "call_time_window": copy.deepcopy(document.get("call_time_window", DEFAULT_WINDOW)),
        }
        self.campaigns[campaign_id] = campaign
        return json_reply(200, campaign)


def _invalid(document: object, findings: list[Finding]) -> Reply:
    """The refusal of a body: 400 when it breaks the schema (a blank name gets the documented
    envelope), 422 when it fits the schema but breaks a business rule (an unknown time zone, a
    window that ends before it starts): "well-formed but not acceptable", as the spec says."""
    if isinstance(document, dict) and "name" in document:
        name = document["name"]
        if not isinstance(name, str) or not name.strip():
            return error_reply(
                400,
                "invalid_request",
                "name must not be blank",
                {"field": "name", "reason": "blank"},
            )
    schema_findings = [f for f in findings if f.rule.startswith("schema/")]
    first = (schema_findings or findings)[0]
    field_name = first.path.split("/")[1] if first.path else None
    details: dict[str, Any] = {"reason": first.rule}
    if field_name:
        details["field"] = field_name
    if schema_findings:
        return error_reply(400, "invalid_request", first.message, details)
    return error_reply(422, "unprocessable_request", first.message, details)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "vox-reference/1"
    api: ReferenceAPI
    quiet: bool

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        reply = self.api.handle(self.command, self.path, dict(self.headers.items()), body)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_TRACE = _dispatch

    def log_message(self, format: str, *args: Any) -> None:  # stdlib signature
        # The request line and status only: never a header, so never a key.
        if not self.quiet:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


class ReferenceServer:
    """The reference API on 127.0.0.1 in a background thread; a context manager."""

    def __init__(
        self,
        api_keys: set[str],
        *,
        port: int = 0,
        quiet: bool = True,
        now_ms: Callable[[], int] | None = None,
    ) -> None:
        self.api = ReferenceAPI(api_keys, now_ms=now_ms) if now_ms else ReferenceAPI(api_keys)
        handler = type("Handler", (_Handler,), {"api": self.api, "quiet": quiet})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._httpd.daemon_threads = True
        # A short poll interval makes stop() quick, which keeps the tests fast.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def inject(self, method: str, path: str, reply: Reply) -> None:
        self.api.inject(method, path, reply)

    def start(self) -> ReferenceServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ReferenceServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@contextmanager
def running(api_keys: set[str], **kwargs: Any) -> Iterator[ReferenceServer]:
    with ReferenceServer(api_keys, **kwargs) as server:
        yield server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.reference_server", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument(
        "--api-key",
        required=True,
        help="the key the server accepts (a throwaway local key, never a real one)",
    )
    args = parser.parse_args(argv)
    server = ReferenceServer({args.api_key}, port=args.port, quiet=False)
    print(f"reference server on {server.base_url}; campaigns:", flush=True)
    for campaign in server.api.campaigns.values():
        print(f"  {campaign['id']}  {campaign['status']}", flush=True)
    try:
        server._httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._httpd.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
