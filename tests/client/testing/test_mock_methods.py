"""MockVox answers every method the spec does not document on a documented path with 405 in the
v3 error envelope (``Allow`` listing the documented ones), over a real socket and byte for byte:
HEAD, OPTIONS, TRACE, CONNECT, a lower-case ``get`` and made-up methods included; and a request
http.server cannot even parse gets the envelope too, never its HTML error page."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.client.testing._support import DRAFT
from vox_client.testing import MockVox
from vox_client.testing._server import MockServer
from vox_validators import validate_json

KEY = "voxmock_methods_0123456789abcdef"
# Every method of RFC 9110 and the registry's common ones, WebDAV's, made-up tokens, and the
# documented ones in the wrong case.
METHODS = (
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "OPTIONS",
    "TRACE",
    "CONNECT",
    "QUERY",
    "PROPFIND",
    "MKCOL",
    "LOCK",
    "M-SEARCH",
    "FOO",
    "get",
    "patch",
    "post",
)


def documented(spec: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Each documented path of the spec (its parameter filled in) and its methods."""
    verbs = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    return {
        path.replace("{campaign_id}", DRAFT): tuple(sorted(m.upper() for m in item if m in verbs))
        for path, item in spec["paths"].items()
    }


@pytest.fixture(scope="module")
def server() -> Iterator[MockVox]:
    with MockVox.serve(api_key=KEY) as running:
        yield running


def exchange(url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes; the status, headers and body of the answer (until the server closes)."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def test_the_spec_documents_the_paths_tested(spec_document: dict[str, Any]) -> None:
    assert documented(spec_document) == {
        "/v3/campaigns": ("POST",),
        f"/v3/campaigns/{DRAFT}": ("GET", "PATCH"),
    }


@pytest.mark.parametrize("method", METHODS)
def test_every_undocumented_method_is_405_in_the_envelope(
    server: MockVox, spec_document: dict[str, Any], method: str
) -> None:
    for path, allowed in documented(spec_document).items():
        if method in allowed:
            continue
        request = (
            f"{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n"
        ).encode()
        status, headers, body = exchange(server.url, request)
        assert status == 405, (method, path, body[:200])
        assert headers["content-type"] == "application/json", (method, path)
        assert headers["allow"] == ", ".join(allowed), (method, path)
        if method == "HEAD":
            assert body == b""  # a HEAD answer has the headers only
            assert int(headers["content-length"]) > 0
            continue
        assert validate_json(body, "ErrorEnvelope") == [], (method, path)
        error = json.loads(body)["error"]
        assert error["code"] == "method_not_allowed"
        assert error["details"]["allowed_values"] == list(allowed)


UNPARSEABLE = {
    "no version": (b"GARBAGE\r\n\r\n", 400),
    "HTTP/2.0 on HTTP/1.1": (b"GET /v3/campaigns HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    "a bad version": (b"GET /v3/campaigns HTTP/x.y\r\nHost: x\r\n\r\n", 400),
    "a request line too long": (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
}


@pytest.mark.parametrize("case", sorted(UNPARSEABLE))
def test_a_request_http_server_cannot_parse_gets_the_envelope(server: MockVox, case: str) -> None:
    request, expected = UNPARSEABLE[case]
    status, headers, body = exchange(server.url, request)
    assert status == expected
    assert headers["content-type"] == "application/json"
    assert b"<html" not in body.lower()
    assert validate_json(body, "ErrorEnvelope") == []


def test_the_request_log_is_escaped(capfd: pytest.CaptureFixture[str]) -> None:
    running = MockServer(MockVox(api_key=KEY), quiet=False)  # as `voxkit mock` serves it
    running.start()
    try:
        exchange(
            running.url,
            b"G\x1bET /v3/campaigns/\x1b[2J HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
    finally:
        running.stop()
    err = capfd.readouterr().err
    assert "405" in err
    assert "\x1b" not in err
    assert "\\x1b" in err
