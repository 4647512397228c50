"""The mock in-process, as ``httpx`` transports: no socket, the same answers as the server."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import anyio
import httpx

from vox_client.testing._faults import Outcome

if TYPE_CHECKING:
    from vox_client.testing._mock import MockVox


def _receive(mock: MockVox, request: httpx.Request, body: bytes) -> Outcome:
    return mock.receive(
        request.method, request.url.raw_path.decode("ascii"), dict(request.headers.items()), body
    )


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout") or {}
    value = timeout.get("read")
    return float(value) if value is not None else None


def _response(outcome: Outcome, request: httpx.Request) -> httpx.Response:
    if outcome.drop or outcome.reply is None:
        # What httpx raises when a server closes the connection without a status line.
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response.", request=request
        )
    reply = outcome.reply
    headers = [("Content-Type", reply.content_type), ("Content-Length", str(len(reply.body)))]
    return httpx.Response(
        reply.status, headers=[*headers, *reply.headers], content=reply.body, request=request
    )


class MockTransport(httpx.BaseTransport):
    """``Client(transport=mock.transport())``; a delay longer than the read timeout raises
    ``httpx.ReadTimeout`` after the timeout, as a real socket would."""

    def __init__(self, mock: MockVox) -> None:
        self._mock = mock

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        outcome = _receive(self._mock, request, request.read())
        if outcome.delay:
            limit = _read_timeout(request)
            if limit is not None and outcome.delay > limit:
                time.sleep(limit)
                raise httpx.ReadTimeout("timed out", request=request)
            time.sleep(outcome.delay)
        return _response(outcome, request)


class AsyncMockTransport(httpx.AsyncBaseTransport):
    """``AsyncClient(transport=mock.async_transport())``; it holds no connection, so it can be
    used (and closed) from any event loop."""

    def __init__(self, mock: MockVox) -> None:
        self._mock = mock

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        outcome = _receive(self._mock, request, await request.aread())
        if outcome.delay:
            limit = _read_timeout(request)
            if limit is not None and outcome.delay > limit:
                await anyio.sleep(limit)
                raise httpx.ReadTimeout("timed out", request=request)
            await anyio.sleep(outcome.delay)
        return _response(outcome, request)
