"""``max_response_size``: an answer's body may have so many bytes, counted after decoding (4 MiB by
default). A gzip bomb, an endless chunked body and a 50 MB error stop at the limit, in a child
process with a memory cap (``tests/support/memory.py``), so a regression fails the test rather
than the machine; long server text is cut in messages."""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib
from typing import Any

import httpx
import pytest

from tests.client.hostile import Exchange, Hostile, chunked_forever, drip, gzip_bomb, head, reply
from tests.support.client import DRAFT
from tests.support.memory import run_limited
from tests.support.paths import REPO_ROOT
from vox_client import (
    DEFAULT_MAX_RESPONSE_SIZE,
    APIConnectionError,
    AsyncClient,
    Client,
    NotFoundError,
    ResponseTooLargeError,
)

KEY = "voxref_size_00112233445566778899aabbccddeeff"
BODY = json.dumps(DRAFT).encode()
# A client that holds a 1 GiB bomb dies under this; one that stops at 4 MiB uses ~60 MiB.
CAP_MIB = 256


def attack(url: str, *options: str) -> dict[str, Any]:
    """One ``campaigns.get`` in a child process capped at ``CAP_MIB``; what it reported."""
    result = run_limited(
        ["python", "-m", "tests.client._attack_child", url, *options],
        memory_mib=CAP_MIB,
        timeout=60,
        cwd=str(REPO_ROOT),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report: dict[str, Any] = json.loads(result.stdout)
    return report


@pytest.mark.parametrize("mode", [[], ["--async"]], ids=["sync", "async"])
def test_a_gzip_bomb_stops_at_the_limit_by_decoded_size(mode: list[str]) -> None:
    bomb = gzip_bomb(1024)  # about 1 MB on the wire, 1 GiB decoded
    assert len(bomb) < 1_100_000
    with Hostile(reply(bomb, headers=[("Content-Encoding", "gzip")])) as server:
        report = attack(server.url, *mode)
    assert report["outcome"] == "ResponseTooLargeError", report
    assert "the body is over the 4,194,304-byte limit" in report["message"]
    assert report["seconds"] < 5
    assert report["peak_mib"] < 100


@pytest.mark.parametrize("mode", [[], ["--async"]], ids=["sync", "async"])
def test_an_endless_chunked_body_ends_with_a_size_error(mode: list[str]) -> None:
    with Hostile(chunked_forever()) as server:
        report = attack(server.url, *mode)
    assert report["outcome"] == "ResponseTooLargeError", report
    assert report["seconds"] < 5
    assert report["peak_mib"] < 100


def test_a_huge_error_answer_is_refused_by_its_content_length() -> None:
    body = b'{"error": {"code": "not_found", "message": "%s"}}' % (b"x" * (50 * 1024 * 1024))
    with Hostile(reply(body, status=404)) as server:
        report = attack(server.url)
    assert report["outcome"] == "ResponseTooLargeError", report
    assert report["message_length"] < 300
    assert "HTTP 404 from GET /v3/campaigns/" in report["message"]
    assert "its Content-Length says more" in report["message"]
    assert report["peak_mib"] < 100


def _get(url: str, **options: Any) -> Any:
    with Client(api_key=KEY, base_url=url, max_retries=0, **options) as client:
        return client.campaigns.get(DRAFT["id"])


def test_the_limit_is_configurable_and_exact() -> None:
    with Hostile(reply(BODY)) as server:
        assert _get(server.url, max_response_size=len(BODY)).id == DRAFT["id"]
        with pytest.raises(ResponseTooLargeError) as info:
            _get(server.url, max_response_size=len(BODY) - 1)
    assert info.value.limit == len(BODY) - 1
    assert info.value.status_code == 200
    assert DEFAULT_MAX_RESPONSE_SIZE == 4 * 1024 * 1024


def test_a_compressed_body_is_counted_decoded() -> None:
    compressed = gzip.compress(BODY)
    with Hostile(reply(compressed, headers=[("Content-Encoding", "gzip")])) as server:
        assert _get(server.url, max_response_size=len(BODY)).id == DRAFT["id"]
        with pytest.raises(ResponseTooLargeError):
            _get(server.url, max_response_size=len(BODY) - 1)  # the wire has far fewer bytes


def test_a_chunked_body_without_length_is_counted_as_it_comes() -> None:
    with Hostile(drip(BODY, interval=0)) as server:
        assert _get(server.url).id == DRAFT["id"]
    with (
        Hostile(chunked_forever(chunk=b" " * 1000)) as server,
        pytest.raises(ResponseTooLargeError),
    ):
        _get(server.url, max_response_size=10_000)


ENCODED = {
    "gzip": gzip.compress(BODY),
    "x-gzip": gzip.compress(BODY),
    "deflate": zlib.compress(BODY),
    "deflate, raw": zlib.compress(BODY)[2:-4],  # raw deflate, as some servers send it
    "gzip, gzip": gzip.compress(gzip.compress(BODY)),
    "deflate, gzip": gzip.compress(zlib.compress(BODY)),
    "identity": BODY,
}


@pytest.mark.parametrize("encoding", sorted(ENCODED))
def test_every_encoding_httpx_reads_is_read(encoding: str) -> None:
    header = encoding.replace(", raw", "")
    answer = reply(ENCODED[encoding], headers=[("Content-Encoding", header)])
    with Hostile(answer) as server:
        assert _get(server.url).id == DRAFT["id"]

    async def run() -> str:
        async with AsyncClient(api_key=KEY, base_url=server.url, max_retries=0) as client:
            return (await client.campaigns.get(DRAFT["id"])).id

    with Hostile(answer) as server:
        assert asyncio.run(run()) == DRAFT["id"]


def test_a_body_dripped_a_byte_at_a_time_is_decoded_whole() -> None:
    for encoding, data in (("gzip", gzip.compress(BODY)), ("deflate", zlib.compress(BODY))):

        def bytewise(exchange: Exchange, data: bytes = data, encoding: str = encoding) -> None:
            fields = [("Content-Encoding", encoding), ("Content-Length", str(len(data)))]
            exchange.send(head(200, fields))
            for byte in data:
                exchange.send(bytes([byte]))

        with Hostile(bytewise) as server:
            assert _get(server.url).id == DRAFT["id"]


def test_an_encoding_the_client_did_not_ask_for_is_refused() -> None:
    for encoding in ("br", "zstd", "compress", "gzip, br"):
        with (
            Hostile(reply(BODY, headers=[("Content-Encoding", encoding)])) as server,
            pytest.raises(APIConnectionError, match="which the client did not ask for"),
        ):
            _get(server.url)


def test_a_corrupt_gzip_body_is_a_clear_error() -> None:
    with (
        Hostile(reply(b"not gzip at all", headers=[("Content-Encoding", "gzip")])) as server,
        pytest.raises(APIConnectionError, match="is not valid gzip or deflate data"),
    ):
        _get(server.url)


def test_the_client_asks_only_for_what_it_decodes() -> None:
    # A user's http_client would ask for br and zstd when their packages are installed.
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=BODY)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with Client(api_key=KEY, http_client=http) as client:
        client.campaigns.get(DRAFT["id"])
    assert seen[0].headers["accept-encoding"] == "gzip, deflate"
    http.close()


def test_a_transport_s_own_response_is_held_to_the_limit() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b" " * 5000))
    with (
        Client(api_key=KEY, transport=transport, max_response_size=4000) as client,
        pytest.raises(ResponseTooLargeError),
    ):
        client.campaigns.get(DRAFT["id"])


@pytest.mark.parametrize("size", [0, -1, 1.5, True])
def test_a_max_response_size_that_is_not_a_size_is_refused(size: Any) -> None:
    with pytest.raises(ValueError, match="is not a max_response_size"):
        Client(api_key=KEY, max_response_size=size)


def test_a_long_error_message_is_cut_in_the_exception_text() -> None:
    message = "y" * (3 * 1024 * 1024)  # under the size limit: the envelope is read
    body = json.dumps({"error": {"code": "not_found", "message": message, "details": None}})
    with Hostile(reply(body.encode(), status=404)) as server, pytest.raises(NotFoundError) as info:
        _get(server.url)
    assert info.value.message == message  # the attribute keeps all of it
    text = str(info.value)
    assert len(text) < 1200
    assert text.endswith("... (3,144,728 more characters not shown)")
