"""A key that an ``Authorization`` header cannot carry is refused when the client is built, and no
secret reaches a message, a repr, a cause chain or a log line (httpx's and httpcore's at DEBUG
included), over a real socket."""

from __future__ import annotations

import asyncio
import logging
import traceback
import warnings
from collections.abc import Iterator

import httpx
import pytest

from tests.support.client import DRAFT
from vox_client import AsyncClient, Client, InvalidAPIKeyError, VoxError
from vox_client.testing import MockVox

SECRET = "sk_live_5f1d2c3b4a59687766554433221100ff"

# What a key read from a file, or pasted from somewhere, may carry.
BAD_KEYS = {
    "newline from a file": SECRET + "\n",
    "CRLF from a file": SECRET + "\r\n",
    "LF inside": SECRET[:10] + "\n" + SECRET[10:],
    "CR inside": SECRET[:10] + "\r" + SECRET[10:],
    "NUL": SECRET[:12] + "\x00" + SECRET[12:],
    "ESC": SECRET + "\x1b[2J",
    "DEL": SECRET + "\x7f",
    "C1 control": SECRET + "\x9b",
    "tab": SECRET[:8] + "\t" + SECRET[8:],
    "space inside": SECRET[:8] + " " + SECRET[8:],
    "leading space": " " + SECRET,
    "non-ASCII": SECRET[:6] + "é" + SECRET[6:],
    "bidi override": SECRET + "\u202e",
}


def every_text(error: BaseException) -> str:
    """Message, repr, args and the formatted traceback of ``error`` and of its whole chain."""
    texts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), *map(repr, current.args)]
        current = current.__cause__ or current.__context__
    texts += traceback.format_exception(error)
    return "\n".join(texts)


def quotes_the_key(text: str, key: str) -> bool:
    # The whole key, or any 8 characters of it (a prefix, a tail, the part around a newline).
    return any(key[i : i + 8] in text for i in range(len(key) - 7))


@pytest.mark.parametrize("case", sorted(BAD_KEYS))
def test_a_key_an_authorization_header_cannot_carry_is_refused_at_build(case: str) -> None:
    key = BAD_KEYS[case]
    for make in (Client, AsyncClient):
        with pytest.raises(InvalidAPIKeyError) as info:
            make(api_key=key, base_url="http://127.0.0.1:9")
        assert isinstance(info.value, ValueError)
        assert isinstance(info.value, VoxError)
        assert str(info.value).startswith("api_key has ")
        assert not quotes_the_key(every_text(info.value), key), case
        assert info.value.__cause__ is None
        assert info.value.__context__ is None


def test_the_environment_key_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOX_API_KEY", SECRET + "\n")
    with pytest.raises(InvalidAPIKeyError, match="keeps its newline") as info:
        Client(base_url="http://127.0.0.1:9")
    assert not quotes_the_key(every_text(info.value), SECRET)


def test_with_options_checks_a_new_key() -> None:
    with Client(api_key=SECRET, base_url="http://127.0.0.1:9") as client:
        with pytest.raises(InvalidAPIKeyError) as info:
            client.with_options(api_key=SECRET + "\x00")
        assert not quotes_the_key(every_text(info.value), SECRET)


def test_the_message_says_what_and_where() -> None:
    with pytest.raises(InvalidAPIKeyError) as info:
        Client(api_key="abcd\nefgh")
    assert str(info.value) == (
        "api_key has a line feed at position 5 of 9: an API key is printable ASCII without spaces"
    )
    with pytest.raises(InvalidAPIKeyError) as info:
        Client(api_key="abcdefgh\n")
    assert "a line feed at its end: a key read from a file keeps its newline" in str(info.value)
    with pytest.raises(InvalidAPIKeyError, match=r"a control character \(U\+001B\)"):
        Client(api_key="abcd\x1befgh")


@pytest.fixture
def server() -> Iterator[MockVox]:
    with MockVox.serve(api_key=SECRET) as running:
        yield running


def test_a_header_value_with_a_control_character_is_refused_without_its_value() -> None:
    hidden = "tok_0123456789abcdef"
    for headers in ({"X-Token": hidden + "\r\nX-Evil: 1"}, {"X-Token": hidden + "\x00"}):
        with pytest.raises(ValueError, match="'X-Token' in default_headers") as info:
            Client(api_key=SECRET, default_headers=headers)
        assert hidden not in every_text(info.value)
        with (
            Client(api_key=SECRET) as client,
            pytest.raises(ValueError, match="'X-Token' in extra_headers") as info,
        ):
            client.campaigns.get("cmp_1", extra_headers=headers)
        assert hidden not in every_text(info.value)


def test_nothing_secret_in_errors_or_logs_over_a_socket(
    server: MockVox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: vox_client, httpx, httpcore
    errors: list[BaseException] = []
    for key in BAD_KEYS.values():
        try:
            Client(api_key=key, base_url=server.url, max_retries=0)
        except InvalidAPIKeyError as exc:
            errors.append(exc)
    with Client(api_key=SECRET, base_url=server.url, max_retries=0) as client:
        client.campaigns.get(DRAFT["id"])
        try:
            client.campaigns.get("cmp_missing")
        except VoxError as exc:
            errors.append(exc)

    async def run() -> None:
        async with AsyncClient(api_key=SECRET, base_url=server.url, max_retries=0) as client:
            await client.campaigns.get(DRAFT["id"])

    asyncio.run(run())
    assert len(errors) == len(BAD_KEYS) + 1
    assert any(r.name.startswith("httpcore") for r in caplog.records), "httpcore logged"
    assert any(r.name == "httpx" for r in caplog.records), "httpx logged"
    for error in errors:
        assert not quotes_the_key(every_text(error), SECRET)
    for record in caplog.records:
        assert not quotes_the_key(record.getMessage(), SECRET), record.name
    assert not quotes_the_key(caplog.text, SECRET)


def test_a_transport_error_quoting_the_key_is_masked_and_has_no_cause() -> None:
    # A transport of someone else's that quotes the header it refuses, as h11 does: the text is
    # masked, and the httpx error (which quotes it) is neither the cause nor the context.
    def refuse(request: httpx.Request) -> httpx.Response:
        value = request.headers["authorization"].encode()
        raise httpx.LocalProtocolError(f"Illegal header value {value!r}")

    transport = httpx.MockTransport(refuse)
    with (
        Client(api_key=SECRET, transport=transport, max_retries=0) as client,
        pytest.raises(VoxError) as info,
    ):
        client.campaigns.get(DRAFT["id"])
    assert "**********" in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__context__ is None
    assert not quotes_the_key(every_text(info.value), SECRET)


def test_userinfo_in_the_base_url_is_dropped_and_never_shown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    password = "p4ssw0rd_0123456789"
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "no"}})

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = Client(
            api_key=SECRET,
            base_url=f"http://user:{password}@127.0.0.1:8765",
            transport=httpx.MockTransport(answer),
            max_retries=0,
        )
    assert [str(w.message) for w in caught if "user:password@" in str(w.message)]
    assert all(password not in str(w.message) for w in caught)
    with client, pytest.raises(VoxError) as info:
        client.campaigns.get(DRAFT["id"])
    assert client.base_url == "http://127.0.0.1:8765"
    assert password not in repr(client)
    # Not sent: no Basic auth in place of the key, no userinfo in the URL.
    assert seen[0].headers["authorization"] == f"Bearer {SECRET}"
    assert seen[0].url.userinfo == b""
    assert password not in every_text(info.value)
    assert password not in caplog.text
