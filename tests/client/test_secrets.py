"""The API key never appears in a repr, a log line or an exception (message, repr, traceback)."""

from __future__ import annotations

import asyncio
import logging
import pickle
import traceback
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.support.client import DRAFT, FakeClock, Script
from vox_client import AsyncClient, Client, VoxError
from vox_client._config import BearerAuth, Secret
from vox_client.testing import MockVox

KEY = "voxref_secret_5f1d2c3b4a59687766554433221100ff"
WRONG = "voxref_secret_wrong_aabbccddeeff00112233445566778899"


def leaks(text: str) -> bool:
    return KEY in text or WRONG in text


@pytest.fixture
def server() -> Iterator[MockVox]:
    with MockVox.serve(api_key=KEY) as running:
        yield running


def test_reprs_never_show_the_key() -> None:
    sync = Client(api_key=KEY)
    asynchronous = AsyncClient(api_key=KEY)
    texts = [
        repr(sync),
        str(sync),
        repr(sync.campaigns),
        repr(asynchronous),
        repr(asynchronous.campaigns),
        repr(sync._settings.api_key),
        str(sync._settings.api_key),
        repr(BearerAuth(Secret(KEY))),
        repr(sync._http.headers),
        repr(vars(sync)),
        repr(vars(sync._settings)),
        repr(sync._http),
    ]
    for text in texts:
        assert not leaks(text), text
    assert "**********" in repr(sync)
    sync.close()
    asyncio.run(asynchronous.aclose())


def test_the_key_cannot_be_pickled() -> None:
    with pytest.raises(TypeError, match="not picklable"):
        pickle.dumps(Secret(KEY))


def _every_text(error: BaseException) -> str:
    return "\n".join(
        [str(error), repr(error), *map(str, error.args), *traceback.format_exception(error)]
    )


def test_exceptions_never_show_the_key(server: MockVox) -> None:
    ongoing = "cmp_5b6e0f9d13"
    broken = dict(server.get(ongoing), finished_at=1, total_calls="many")
    server.respond_next(200, broken, method="GET", path=f"/v3/campaigns/{ongoing}")
    server.respond_next(200, b"not json", method="GET", path="/v3/campaigns/cmp_1a7c3e5f90")
    server.respond_next(
        502, b"<html>bad gateway</html>", method="GET", path="/v3/campaigns/cmp_8d21b7e04a"
    )
    errors: list[VoxError] = []
    calls: list[tuple[str, Callable[[Client], object]]] = [
        (WRONG, lambda c: c.campaigns.get(DRAFT["id"])),  # 401
        (KEY, lambda c: c.campaigns.get("cmp_missing")),  # 404
        (KEY, lambda c: c.campaigns.update(ongoing, name="x")),  # 409
        (KEY, lambda c: c.campaigns.update(DRAFT["id"], name=" ")),  # refused locally
        (KEY, lambda c: c.campaigns.get(ongoing)),  # schema broken
        (KEY, lambda c: c.campaigns.get("cmp_1a7c3e5f90")),  # not JSON
        (KEY, lambda c: c.campaigns.get("cmp_8d21b7e04a")),  # 502, body not an envelope
    ]
    for key, call in calls:
        with Client(api_key=key, base_url=server.url, max_retries=0) as c:
            with pytest.raises(VoxError) as info:
                call(c)
            errors.append(info.value)
    with Client(api_key=KEY, base_url="http://127.0.0.1:1", max_retries=0) as c:
        with pytest.raises(VoxError) as info:
            c.campaigns.get(DRAFT["id"])
        errors.append(info.value)
    assert len({type(e) for e in errors}) >= 6
    for error in errors:
        assert not leaks(_every_text(error)), type(error)


def test_log_lines_never_show_the_key(server: MockVox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: vox_client, httpx, httpcore
    draft = f"/v3/campaigns/{DRAFT['id']}"
    server.fail_next(503, message="later", method="GET", path=draft)
    server.fail_next(429, retry_after=0, message="x", method="GET", path=draft)
    broken = dict(DRAFT, status="ongoing", finished_at=5)
    server.respond_next(200, broken, method="GET", path="/v3/campaigns/cmp_8d21b7e04a")
    clock = FakeClock()
    with Client(api_key=KEY, base_url=server.url, strict=False, _clock=clock) as c:
        c.campaigns.get(DRAFT["id"])  # two retries, logged
        c.campaigns.get("cmp_8d21b7e04a")  # findings logged as warnings
        c.campaigns.update(DRAFT["id"], name="새 이름")
    with Client(api_key=WRONG, base_url=server.url) as c, pytest.raises(VoxError):
        c.campaigns.get(DRAFT["id"])
    assert len(clock.sleeps) == 2
    assert any(r.name == "vox_client" and "retrying" in r.getMessage() for r in caplog.records)
    assert any(r.name.startswith("httpcore") for r in caplog.records), "httpcore debug logs ran"
    for record in caplog.records:
        assert not leaks(record.getMessage()), record.getMessage()
        assert not leaks(repr(record.args)), record.name
    assert not leaks(caplog.text)


def test_a_transport_error_message_is_built_without_headers() -> None:
    script = Script(httpx.ConnectError("refused"))
    with (
        Client(api_key=KEY, transport=script.transport(), max_retries=0) as c,
        pytest.raises(VoxError) as info,
    ):
        c.campaigns.get(DRAFT["id"])
    assert script.requests[0].headers["Authorization"] == f"Bearer {KEY}"  # it was sent...
    assert not leaks(_every_text(info.value))  # ...and is nowhere in the error


def test_credentials_in_the_base_url_stay_out_of_errors() -> None:
    script = Script(httpx.ConnectTimeout("slow"))
    with (
        Client(
            api_key=KEY,
            base_url=f"http://user:{KEY}@127.0.0.1:8765",
            transport=script.transport(),
            max_retries=0,
        ) as c,
        pytest.raises(VoxError) as info,
    ):
        c.campaigns.get(DRAFT["id"])
    assert (
        str(info.value)
        == f"connect timeout on GET http://127.0.0.1:8765/v3/campaigns/{DRAFT['id']}"
    )
