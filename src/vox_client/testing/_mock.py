"""``MockVox``: the state of the fake API, what tests drive it with, and what it received."""

from __future__ import annotations

import copy
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from vox_client.testing import _app
from vox_client.testing._campaigns import (
    LIFECYCLE,
    base_for,
    checked,
    example_campaigns,
    moved,
    progressed,
)
from vox_client.testing._faults import Fault, Outcome

MASK = "**********"
#: The error code of each status ``fail_next`` knows; any other status gets ``error``.
_CODES = {
    400: ("invalid_request", "Invalid request"),
    401: ("unauthorized", "Invalid API key"),
    403: ("forbidden", "This key may not act on this resource"),
    404: ("not_found", "Campaign not found"),
    409: ("invalid_status", "The campaign's status does not allow this change"),
    422: ("unprocessable_request", "The request is not acceptable"),
    429: ("rate_limited", "Too many requests, retry later"),
    500: ("internal_error", "Internal server error"),
    502: ("bad_gateway", "Bad gateway"),
    503: ("unavailable", "Service temporarily unavailable"),
    504: ("gateway_timeout", "Gateway timeout"),
}
DEFAULT_MALFORMED = b"<html><body><h1>Service maintenance</h1></body></html>"


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the mock received, with the API key masked wherever it appeared."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    request_id: str

    def json(self) -> Any:
        """The body decoded as JSON (``ValueError`` when it is not JSON)."""
        return json.loads(self.body)


def _system_ms() -> int:
    return int(time.time() * 1000)


class MockVox:
    """A stateful fake of the documented v3 campaigns API.

    It starts with the spec's eight example campaigns (``examples=False``: none), accepts one key
    (``api_key``, random by default) and follows the spec and the business rules: every body it
    sends, apart from the faults a test queues on purpose, passes ``vox_validators``.

    Run it over a real socket (``with MockVox.serve() as mock: mock.url``) or in-process
    (``Client(transport=mock.transport())``, ``AsyncClient(transport=mock.async_transport())``).
    It is thread-safe: every request and every call of a test holds one lock.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        campaigns: Iterable[Mapping[str, Any]] | None = None,
        examples: bool = True,
        now_ms: Callable[[], int] | None = None,
    ) -> None:
        self.api_key = api_key if api_key is not None else "voxmock_" + secrets.token_hex(12)
        if not self.api_key.strip() or self.api_key != self.api_key.strip():
            raise ValueError(f"{self.api_key!r} is not an API key: blank or padded")
        self._now_ms = now_ms or _system_ms
        self._lock = threading.RLock()
        self._store = _app.Store()
        self._faults: list[Fault] = []
        self._requests: list[RecordedRequest] = []
        self._server: Any = None  # a _server.MockServer while serving
        for campaign in example_campaigns() if examples else ():
            self._store.campaigns[campaign["id"]] = campaign
        for seed in campaigns or ():
            self.add(seed)

    # -- state -------------------------------------------------------------------------------

    def add(
        self, campaign_or_overrides: Mapping[str, Any] | None = None, /, **overrides: Any
    ) -> dict[str, Any]:
        """Store a campaign and return it (a copy).

        The campaign is the spec's example of the wanted ``status`` (``draft`` by default) with
        the given fields replaced, so ``mock.add(status="ongoing", name="x")`` is enough; a full
        campaign works too. Without an ``id`` it gets a new one. A campaign that breaks the schema
        or a business rule raises ``ValueError`` with the findings, as does an ID already stored.
        """
        fields: dict[str, Any] = {**(campaign_or_overrides or {}), **overrides}
        campaign = base_for(fields.get("status", "draft"), fields.get("paused_by"))
        campaign.update(copy.deepcopy(fields))
        with self._lock:
            if "id" not in fields:
                campaign["id"] = self._store.new_id()
            elif campaign["id"] in self._store.campaigns:
                raise ValueError(f"{campaign['id']!r} is already a campaign of this mock")
            checked(campaign, f"campaign {campaign.get('id')!r}")
            self._store.campaigns[campaign["id"]] = campaign
            return copy.deepcopy(campaign)

    def get(self, campaign_id: str) -> dict[str, Any]:
        """A copy of a stored campaign (``KeyError`` when there is none)."""
        with self._lock:
            return copy.deepcopy(self._store.campaigns[campaign_id])

    @property
    def campaigns(self) -> dict[str, dict[str, Any]]:
        """A copy of every stored campaign, by ID."""
        with self._lock:
            return copy.deepcopy(self._store.campaigns)

    def remove(self, campaign_id: str) -> None:
        """Forget a campaign: the API then answers 404 for it."""
        with self._lock:
            del self._store.campaigns[campaign_id]

    def advance(
        self,
        campaign_id: str,
        status: str,
        *,
        paused_by: Literal["user", "system"] = "user",
    ) -> dict[str, Any]:
        """Move a campaign one step along the lifecycle (``LIFECYCLE``) and return it.

        ``paused_by`` says who pauses, for a move to ``paused``. A move the lifecycle does not
        allow raises ``LifecycleError``; so does a system pause of a campaign without a window.
        """
        with self._lock:
            campaign = self._store.campaigns[campaign_id]
            result = moved(campaign, status, now_ms=self._now_ms(), paused_by=paused_by)
            self._store.campaigns[campaign_id] = result
            return copy.deepcopy(result)

    def progress(self, campaign_id: str, *, completed: int = 0, failed: int = 0) -> dict[str, Any]:
        """Count more calls of an ``ongoing`` or ``paused`` campaign as completed or failed."""
        with self._lock:
            campaign = self._store.campaigns[campaign_id]
            result = progressed(campaign, completed=completed, failed=failed)
            self._store.campaigns[campaign_id] = result
            return copy.deepcopy(result)

    lifecycle = LIFECYCLE

    # -- faults ------------------------------------------------------------------------------

    def fail_next(
        self,
        status: int = 503,
        *,
        retry_after: float | str | datetime | None = None,
        code: str | None = None,
        message: str | None = None,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` in the v3 error envelope.

        ``retry_after`` (seconds, or an HTTP date as text or an aware ``datetime``) adds a
        ``Retry-After`` header. ``method`` and ``path`` (``/v3/campaigns/cmp_...``) narrow which
        requests match; by default the next request of any kind does. The request has no effect.
        """
        if not 400 <= status <= 599:
            raise ValueError(f"{status} is not an error status (400..599)")
        default_code, default_message = _CODES.get(status, ("error", "Request failed"))
        headers: tuple[tuple[str, str], ...] = ()
        if retry_after is not None:
            headers = (("Retry-After", _retry_after(retry_after)),)
        reply = _app.error_reply(
            status, code or default_code, message or default_message, None, headers
        )
        self._queue(Fault(reply=reply, applied=False), times, method, path)

    def delay_next(
        self,
        seconds: float,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next matching requests normally, but ``seconds`` late (a client with a
        shorter read timeout sees a timeout; the request takes effect all the same)."""
        if seconds < 0:
            raise ValueError(f"{seconds} is negative: a delay is in seconds, >= 0")
        self._queue(Fault(delay=seconds), times, method, path)

    def drop_next(
        self,
        *,
        applied: bool = False,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Close the connection of the next matching requests without an answer.

        ``applied=True``: the request takes effect before the connection drops (the answer is
        lost on the way back, the case that makes retrying a POST unsafe).
        """
        self._queue(Fault(drop=True, applied=applied), times, method, path)

    def malformed_next(
        self,
        body: bytes = DEFAULT_MALFORMED,
        *,
        status: int = 200,
        content_type: str = "text/html",
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next matching requests with a body that is not JSON (a proxy's page)."""
        reply = _app.Reply(status, body, (), content_type)
        self._queue(Fault(reply=reply, applied=False), times, method, path)

    def respond_next(
        self,
        status: int,
        body: object,
        *,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next matching requests with ``body`` as JSON (or as is, for bytes), even one
        that breaks the spec: for testing how an application copes with a wrong answer."""
        data = body if isinstance(body, bytes) else _app.encode(body)
        reply = _app.Reply(status, data, tuple((headers or {}).items()))
        self._queue(Fault(reply=reply, applied=False), times, method, path)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _queue(self, fault: Fault, times: int, method: str | None, path: str | None) -> None:
        if times < 1:
            raise ValueError(f"{times} is not a number of requests: times >= 1")
        if path is not None and not path.startswith("/"):
            raise ValueError(f"{path!r} is not a path: it starts with '/' (/v3/campaigns/...)")
        narrowed = Fault(
            reply=fault.reply,
            drop=fault.drop,
            delay=fault.delay,
            applied=fault.applied,
            method=method.upper() if method else None,
            path=path,
        )
        with self._lock:
            self._faults.extend([narrowed] * times)

    # -- requests ----------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received so far, oldest first (a copy; the key is masked)."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def receive(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Outcome:
        """Take one request: record it, apply a queued fault or the API's rules, and say what to
        send back. The server and the transports call this; tests normally do not."""
        parts = urlsplit(target)
        with self._lock:
            request_id = f"req_{len(self._requests) + 1:08d}"
            self._requests.append(
                RecordedRequest(
                    method=method,
                    path=self._mask(parts.path),
                    query=self._mask(parts.query),
                    headers={k: self._mask_header(k, v) for k, v in headers.items()},
                    body=self._mask(body.decode("utf-8", "replace")).encode("utf-8")
                    if self.api_key.encode() in body
                    else body,
                    request_id=request_id,
                )
            )
            fault = next((f for f in self._faults if f.matches(method, parts.path)), None)
            if fault is not None:
                self._faults.remove(fault)
            reply = None
            if fault is None or fault.applied:
                reply = _app.handle(
                    self._store,
                    method,
                    target,
                    headers,
                    body,
                    api_key=self.api_key,
                    now_ms=self._now_ms(),
                )
            if fault is not None and fault.reply is not None:
                reply = fault.reply
        if reply is not None:
            reply = _app.Reply(
                reply.status,
                reply.body,
                (*reply.headers, ("x-request-id", request_id)),
                reply.content_type,
            )
        if fault is not None and fault.drop:
            return Outcome(None, fault.delay, drop=True)
        return Outcome(reply, fault.delay if fault is not None else 0.0)

    def _mask(self, text: str) -> str:
        return text.replace(self.api_key, MASK)

    def _mask_header(self, name: str, value: str) -> str:
        if name.lower() in ("authorization", "proxy-authorization"):
            scheme, _, token = value.partition(" ")
            return f"{scheme} {MASK}" if token else MASK
        return self._mask(value)

    # -- running -----------------------------------------------------------------------------

    def transport(self) -> httpx.BaseTransport:
        """An ``httpx`` transport that answers in-process: ``Client(transport=...)``."""
        from vox_client.testing._transport import MockTransport  # noqa: PLC0415 - a cycle

        return MockTransport(self)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """The ``httpx.AsyncClient`` twin of ``transport()``."""
        from vox_client.testing._transport import AsyncMockTransport  # noqa: PLC0415 - a cycle

        return AsyncMockTransport(self)

    def start(self, port: int = 0, *, host: str = "127.0.0.1") -> str:
        """Serve on ``host:port`` (loopback; 0 picks a free port) in a thread; returns the URL."""
        from vox_client.testing._server import MockServer  # noqa: PLC0415 - a cycle

        with self._lock:
            if self._server is not None:
                raise RuntimeError(f"this mock already serves on {self._server.url}")
            self._server = MockServer(self, host=host, port=port)
        self._server.start()
        return str(self._server.url)

    def serve_forever(
        self,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        quiet: bool = True,
        on_ready: Callable[[str], None] | None = None,
    ) -> None:
        """Serve in this thread until ``KeyboardInterrupt`` (Ctrl-C), which it lets through after
        closing the socket; ``on_ready(url)`` is called once the socket listens."""
        from vox_client.testing._server import MockServer  # noqa: PLC0415 - a cycle

        server = MockServer(self, host=host, port=port, quiet=quiet)
        with self._lock:
            if self._server is not None:
                raise RuntimeError(f"this mock already serves on {self._server.url}")
            self._server = server
        try:
            if on_ready is not None:
                on_ready(server.url)
            server.serve_forever()
        finally:
            with self._lock:
                self._server = None
            server.stop()

    def stop(self) -> None:
        """Stop serving (a no-op when not serving)."""
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.stop()

    @property
    def url(self) -> str:
        """The base URL while serving (``http://127.0.0.1:<port>``)."""
        server = self._server
        if server is None:
            raise RuntimeError("this mock is not serving: use MockVox.serve() or mock.start()")
        return str(server.url)

    @property
    def port(self) -> int:
        return int(urlsplit(self.url).port or 0)

    @classmethod
    @contextmanager
    def serve(cls, port: int = 0, **options: Any) -> Iterator[MockVox]:
        """``with MockVox.serve() as mock:`` a new mock, serving on 127.0.0.1 until the block ends.

        ``options`` are those of ``MockVox(...)``.
        """
        mock = cls(**options)
        mock.start(port)
        try:
            yield mock
        finally:
            mock.stop()

    def __enter__(self) -> MockVox:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = f" on {self._server.url}" if self._server is not None else ""
        return f"<MockVox{where}: {len(self._store.campaigns)} campaigns, api_key={MASK!r}>"


def _retry_after(value: float | str | datetime) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{value!r} is naive: a Retry-After date is in GMT, pass an aware one")
        return format_datetime(value.astimezone(UTC), usegmt=True)
    if isinstance(value, str):
        return value
    if value < 0:
        raise ValueError(f"{value} is negative: Retry-After is seconds to wait")
    return str(int(value)) if float(value).is_integer() else str(value)
