"""The mock over a real socket: ``http.server`` on loopback, in a background thread."""

from __future__ import annotations

import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from vox_client._exceptions import printable
from vox_client.testing._app import encode

if TYPE_CHECKING:
    from vox_client.testing._mock import MockVox

LOOPBACK = ("127.0.0.1", "::1", "localhost")
# The envelope's code for what http.server itself refuses, before the mock sees a request.
_ERROR_CODES = {
    400: "invalid_request",
    414: "uri_too_long",
    431: "request_header_fields_too_large",
    505: "http_version_not_supported",
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "voxmock/1"
    mock: MockVox
    quiet: bool

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        outcome = self.mock.receive(self.command, self.path, dict(self.headers.items()), body)
        if outcome.delay:
            time.sleep(outcome.delay)
        if outcome.drop or outcome.reply is None:
            # No status line at all: the client sees the connection close under it.
            self.close_connection = True
            return
        reply = outcome.reply
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def __getattr__(self, name: str) -> Any:
        # http.server looks up do_<METHOD> and answers 501 without one; the API answers every
        # method itself (405 on a documented path), so every do_<METHOD> is the dispatcher.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A request http.server cannot parse (a bad request line, HTTP/2.0, a line too long)
        is answered in the v3 error envelope too, never with http.server's HTML page."""
        self.log_error("code %d, message %s", code, message)
        if self.request_version == "HTTP/0.9":  # an unparseable line: answer as HTTP/1.1 does
            self.request_version = self.protocol_version
        reason = self.responses.get(code, ("error", ""))[0]
        body = encode(
            {
                "error": {
                    "code": _ERROR_CODES.get(code, "error"),
                    "message": message or reason,
                    "details": None,
                }
            }
        )
        self.close_connection = True
        self.send_response(code, reason)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # the stdlib's signature
        # The request line and the status only: never a header, so never the key. Escaped:
        # a request line may hold any byte, and this goes to a terminal.
        if not self.quiet:
            sys.stderr.write(printable(f"{self.address_string()} {format % args}") + "\n")


class MockServer:
    """A ``MockVox`` served on ``host:port`` until ``stop()``."""

    def __init__(
        self, mock: MockVox, *, host: str = "127.0.0.1", port: int = 0, quiet: bool = True
    ):
        if host not in LOOPBACK:
            raise ValueError(
                f"{host!r} is not a loopback address: the mock serves only this machine"
            )
        handler = type("Handler", (_Handler,), {"mock": mock, "quiet": quiet})
        self._httpd = ThreadingHTTPServer((host, port), handler)
        self._httpd.daemon_threads = True
        # A short poll interval makes stop() quick.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="voxmock",
            daemon=True,
        )

    @property
    def url(self) -> str:
        address = self._httpd.server_address
        host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
        port = address[1]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    def start(self) -> None:
        self._thread.start()

    def serve_forever(self) -> None:
        """Serve in this thread (``voxkit mock``) until ``shutdown`` or ``KeyboardInterrupt``."""
        self._httpd.serve_forever(poll_interval=0.05)

    def stop(self) -> None:
        # shutdown() waits for serve_forever() to return: only when it runs in another thread.
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()
