"""A loopback proxy in front of the reference server that compresses its answers.

``MockVox`` answers identity bodies only; real servers gzip. The proxy forwards each request to
the mock (on loopback), then sends the answer back with the Content-Encoding its planned step
asks for (gzip, deflate or identity), as a server behind a compressing load balancer would.

The requests a recording run will send are planned in order (``plan``): each one that arrives
takes the next step, which may first queue a fault on the mock (a 503, a body breaking a rule).
A request that was not planned, or that differs from its step, is answered 599 and noted in
``errors``, so a recorder that replays (or sends more than) what the test expected is caught.
"""

from __future__ import annotations

import gzip
import socket
import threading
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from http.client import HTTPConnection as _RawConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from tests.validators.sources.recorders._script import Step
from vox_client.testing import MockVox

#: A page of the proxy's own for the browser: its fetch() calls are then same-origin (MockVox
#: sends no CORS headers), and the data: icon spares a /favicon.ico request.
PAGE_PATH = "/recording.html"
PAGE = b'<!doctype html><html><head><link rel="icon" href="data:,"></head><body></body></html>'

_HOP_BY_HOP = {"connection", "content-length", "transfer-encoding", "keep-alive", "date", "server"}


def encode(body: bytes, coding: str) -> bytes:
    if coding == "gzip":
        return gzip.compress(body, mtime=0)
    if coding == "deflate":  # HTTP's "deflate" is the zlib format (RFC 9110 section 8.4.1.2)
        return zlib.compress(body)
    return body


class EncodingProxy:
    """``url`` serves the mock's API, each answer encoded as planned."""

    def __init__(self, mock: MockVox) -> None:
        self.mock = mock
        self._upstream = urlsplit(mock.url)
        self._steps: deque[Step] = deque()
        self._lock = threading.Lock()
        self.errors: list[str] = []
        self.served: list[Step] = []
        handler = type("Handler", (_Handler,), {"proxy": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._httpd.server_address[1]}"

    @contextmanager
    def plan(self, steps: Iterable[Step]) -> Iterator[None]:
        """Expect exactly these requests, in this order, inside the block."""
        with self._lock:
            self._steps = deque(steps)
            self.errors = []
            self.served = []
        yield
        with self._lock:
            left = [f"{s.method} {s.path}" for s in self._steps]
            self._steps.clear()
        assert not self.errors, self.errors
        assert not left, f"planned requests never sent: {left}"

    def take(self, method: str, target: str, accept_encoding: str) -> Step | None:
        with self._lock:
            step = self._steps.popleft() if self._steps else None
            if step is None or (step.method, step.path) != (method, target):
                expected = f"{step.method} {step.path}" if step else "nothing"
                self.errors.append(f"got {method} {target}, expected {expected}")
                return None
            offered = {c.split(";")[0].strip().lower() for c in accept_encoding.split(",")}
            if step.coding != "identity" and step.coding not in offered:
                self.errors.append(f"{method} {target}: {step.coding} not in {accept_encoding!r}")
            self.served.append(step)
        step.arrange(self.mock)
        return step

    def forward(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> Any:
        # The class as imported, not http.client's attribute: vcrpy swaps that one while it
        # records, and the proxy's own hop to the mock must not end up in the cassette.
        connection = _RawConnection(
            self._upstream.hostname or "127.0.0.1", self._upstream.port, timeout=10
        )
        try:
            skip = {"host", "accept-encoding", "connection", "proxy-connection"}
            sent = {k: v for k, v in headers if k.lower() not in skip}
            connection.request(method, target, body=body or None, headers=sent)
            response = connection.getresponse()
            return response.status, response.reason, response.getheaders(), response.read()
        finally:
            connection.close()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    proxy: EncodingProxy

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm holds the body
        # until the client's delayed ACK, 40 ms per request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        target = urlsplit(self.path)
        path = target.path + (f"?{target.query}" if target.query else "")
        if self.command == "GET" and path == PAGE_PATH:
            self._send(200, [("Content-Type", "text/html; charset=utf-8")], PAGE, "identity")
            return
        step = self.proxy.take(self.command, path, self.headers.get("Accept-Encoding", ""))
        if step is None:
            self._send(599, [("Content-Type", "text/plain")], b"not planned", "identity")
            return
        status, _, headers, answer = self.proxy.forward(
            self.command, path, list(self.headers.items()), body
        )
        kept = [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP]
        self._send(status, kept, answer, step.coding)

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes, coding: str) -> None:
        encoded = encode(body, coding)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if coding != "identity":
            self.send_header("Content-Encoding", coding)
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    do_GET = do_PATCH = do_POST = do_PUT = do_DELETE = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        pass
