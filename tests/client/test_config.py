"""Key, base URL, timeouts, context managers, request validation and the public surface."""

from __future__ import annotations

import asyncio
import inspect
import types

import httpx
import pytest

import vox_client
from tests.support.client import DRAFT, TEST_KEY, FakeClock, Script, campaign_response
from vox_client import (
    DEFAULT_BASE_URL,
    AsyncClient,
    Client,
    MissingAPIKeyError,
    RequestValidationError,
    VoxError,
    _exceptions,
)

CID = DRAFT["id"]
AGENT = {"agent_id": "550e8400-e29b-41d4-a716-446655440000", "agent_version": "production"}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOX_API_KEY", raising=False)
    monkeypatch.delenv("VOX_BASE_URL", raising=False)


# --- authentication and base URL -------------------------------------------------------------


def test_key_from_the_argument_is_sent_as_bearer() -> None:
    script = Script(campaign_response())
    with Client(api_key=TEST_KEY, transport=script.transport()) as c:
        c.campaigns.get(CID)
    assert script.requests[0].headers["Authorization"] == f"Bearer {TEST_KEY}"


def test_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOX_API_KEY", "voxref_env_key")
    script = Script(campaign_response())
    with Client(transport=script.transport()) as c:
        c.campaigns.get(CID)
    assert script.requests[0].headers["Authorization"] == "Bearer voxref_env_key"


def test_argument_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOX_API_KEY", "voxref_env_key")
    script = Script(campaign_response())
    with Client(api_key="voxref_arg_key", transport=script.transport()) as c:
        c.campaigns.get(CID)
    assert script.requests[0].headers["Authorization"] == "Bearer voxref_arg_key"


@pytest.mark.parametrize("key", [None, "", "   "])
def test_missing_key_is_a_clear_error_before_any_request(key: str | None) -> None:
    script = Script()
    with pytest.raises(MissingAPIKeyError, match="VOX_API_KEY"):
        Client(api_key=key, transport=script.transport())
    with pytest.raises(MissingAPIKeyError):
        AsyncClient(api_key=key)
    assert script.requests == []
    assert issubclass(MissingAPIKeyError, VoxError)


def test_base_url_default_environment_and_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Client(api_key=TEST_KEY).base_url == DEFAULT_BASE_URL == "https://client-api.tryvox.co"
    monkeypatch.setenv("VOX_BASE_URL", "http://127.0.0.1:8765/")
    assert Client(api_key=TEST_KEY).base_url == "http://127.0.0.1:8765"
    assert Client(api_key=TEST_KEY, base_url="http://localhost:1").base_url == "http://localhost:1"


def test_requests_go_to_the_base_url_and_path() -> None:
    script = Script(campaign_response())
    with Client(
        api_key=TEST_KEY, base_url="http://127.0.0.1:8765", transport=script.transport()
    ) as c:
        c.campaigns.get("cmp/with space")
    assert str(script.requests[0].url) == "http://127.0.0.1:8765/v3/campaigns/cmp%2Fwith%20space"


# --- timeouts --------------------------------------------------------------------------------


def test_default_timeouts_separate_connect_and_read() -> None:
    script = Script(campaign_response())
    with Client(api_key=TEST_KEY, transport=script.transport()) as c:
        c.campaigns.get(CID)
    assert script.requests[0].extensions["timeout"] == {
        "connect": 5.0,
        "read": 60.0,
        "write": 60.0,
        "pool": 10.0,
    }


def test_client_timeout_and_per_call_timeout() -> None:
    script = Script(campaign_response(), campaign_response())
    timeout = httpx.Timeout(connect=1.0, read=30.0, write=30.0, pool=2.0)
    with Client(api_key=TEST_KEY, timeout=timeout, transport=script.transport()) as c:
        assert c.timeout == timeout
        c.campaigns.get(CID)
        c.campaigns.get(CID, timeout=3.0)
    assert script.requests[0].extensions["timeout"] == {
        "connect": 1.0,
        "read": 30.0,
        "write": 30.0,
        "pool": 2.0,
    }
    assert script.requests[1].extensions["timeout"] == {
        "connect": 3.0,
        "read": 3.0,
        "write": 3.0,
        "pool": 3.0,
    }


# --- context managers ------------------------------------------------------------------------


def test_client_context_manager_closes_the_connection_pool() -> None:
    with Client(api_key=TEST_KEY) as c:
        assert not c._http.is_closed
    assert c._http.is_closed


def test_async_client_context_manager_closes() -> None:
    async def run() -> AsyncClient:
        async with AsyncClient(api_key=TEST_KEY) as c:
            assert not c._http.is_closed
        return c

    assert asyncio.run(run())._http.is_closed


# --- request validation: refused locally, nothing sent ---------------------------------------

WINDOW = {
    "windows": [{"start_min": 540, "end_min": 1080, "days": ["Monday"]}],
    "timezone": "Asia/Seoul",
    "auto_resume": True,
}


@pytest.mark.parametrize(
    ("options", "path", "rule"),
    [
        ({"name": ""}, "/name", "schema/minLength"),
        ({"name": "   "}, "/name", "schema/pattern"),
        ({"name": "\t\n"}, "/name", "schema/pattern"),
        ({"name": "x" * 256}, "/name", "schema/maxLength"),
        ({}, "", "schema/minProperties"),
        (
            {
                "call_time_window": {
                    **WINDOW,
                    "windows": [{"start_min": -1, "end_min": 60, "days": []}],
                }
            },
            "/call_time_window/windows/0/start_min",
            "schema/minimum",
        ),
        (
            {
                "call_time_window": {
                    **WINDOW,
                    "windows": [{"start_min": 0, "end_min": 1441, "days": []}],
                }
            },
            "/call_time_window/windows/0/end_min",
            "schema/maximum",
        ),
        (
            {"call_time_window": {"windows": [], "auto_resume": True}},
            "/call_time_window/timezone",
            "schema/required",
        ),
        (
            {
                "call_time_window": {
                    **WINDOW,
                    "windows": [{"start_min": 0, "end_min": 60, "days": ["Funday"]}],
                }
            },
            "/call_time_window/windows/0/days/0",
            "schema/enum",
        ),
    ],
)
def test_update_refused_locally(options: dict[str, object], path: str, rule: str) -> None:
    script = Script()
    with (
        Client(api_key=TEST_KEY, transport=script.transport()) as c,
        pytest.raises(RequestValidationError) as info,
    ):
        c.campaigns.update(CID, **options)  # type: ignore[arg-type]
    assert script.requests == []
    assert (info.value.findings[0].path, info.value.findings[0].rule) == (path, rule)
    assert info.value.operation == "update campaign"


def test_update_name_of_255_characters_is_sent() -> None:
    script = Script(campaign_response())
    with Client(api_key=TEST_KEY, transport=script.transport()) as c:
        c.campaigns.update(CID, name="가" * 255)
    assert len(script.requests) == 1


@pytest.mark.parametrize("concurrency", [0, 101, -5])
def test_create_with_concurrency_out_of_range_is_refused(concurrency: int) -> None:
    script = Script()
    with (
        Client(api_key=TEST_KEY, transport=script.transport()) as c,
        pytest.raises(RequestValidationError) as info,
    ):
        c.campaigns.create(
            name="n", from_number="0101", agent=AGENT, tasks=[{}], concurrency=concurrency
        )
    assert script.requests == []
    assert [f.path for f in info.value.findings] == ["/concurrency"]


@pytest.mark.parametrize("concurrency", [1, 100])
def test_create_with_concurrency_at_the_bounds_is_sent(concurrency: int) -> None:
    script = Script(campaign_response())
    with Client(api_key=TEST_KEY, transport=script.transport()) as c:
        c.campaigns.create(
            name="n", from_number="0101", agent=AGENT, tasks=[{}], concurrency=concurrency
        )
    assert len(script.requests) == 1


def test_create_refuses_no_tasks_and_blank_name_together() -> None:
    script = Script()
    with (
        Client(api_key=TEST_KEY, transport=script.transport()) as c,
        pytest.raises(RequestValidationError) as info,
    ):
        c.campaigns.create(name=" ", from_number="0101", agent=AGENT, tasks=[])
    assert {f.path for f in info.value.findings} == {"/name", "/tasks"}
    assert script.requests == []


def test_update_body_holds_only_the_given_fields() -> None:
    script = Script(campaign_response())
    with Client(api_key=TEST_KEY, transport=script.transport()) as c:
        c.campaigns.update(CID, call_time_window=WINDOW)
    assert script.requests[0].method == "PATCH"
    assert script.requests[0].read() == (
        b'{"call_time_window":{"windows":[{"start_min":540,"end_min":1080,"days":["Monday"]}],'
        b'"timezone":"Asia/Seoul","auto_resume":true}}'
    )


def test_empty_campaign_id_is_refused() -> None:
    script = Script()
    with (
        Client(api_key=TEST_KEY, transport=script.transport()) as c,
        pytest.raises(RequestValidationError),
    ):
        c.campaigns.get("")
    assert script.requests == []


def test_async_update_is_refused_locally_too() -> None:
    script = Script()

    async def run() -> None:
        async with AsyncClient(
            api_key=TEST_KEY, transport=script.async_transport(), _clock=FakeClock()
        ) as c:
            await c.campaigns.update(CID, name="")

    with pytest.raises(RequestValidationError):
        asyncio.run(run())
    assert script.requests == []


# --- the public surface ----------------------------------------------------------------------


def test_all_is_explicit_and_sorted() -> None:
    # isort style, as ruff's RUF022 wants: CONSTANTS, then Classes, then functions; each A-Z.
    def style(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert vox_client.__all__ == sorted(vox_client.__all__, key=style)
    assert len(set(vox_client.__all__)) == len(vox_client.__all__)
    for name in vox_client.__all__:
        assert hasattr(vox_client, name), name
    public = {n for n in vars(vox_client) if not n.startswith("_")}
    # Public subpackages (``vox_client.testing``) appear once imported; nothing else may.
    submodules = {n for n in public if isinstance(getattr(vox_client, n), types.ModuleType)}
    assert submodules <= {"testing"}
    assert public - submodules == set(vox_client.__all__)


def test_exception_tree() -> None:
    e = vox_client
    for cls in (
        e.MissingAPIKeyError,
        e.RequestValidationError,
        e.APIConnectionError,
        e.APIStatusError,
        e.ResponseValidationError,
    ):
        assert cls.__bases__ == (e.VoxError,)
    assert e.APITimeoutError.__bases__ == (e.APIConnectionError,)
    statuses = {
        400: e.BadRequestError,
        401: e.AuthenticationError,
        403: e.PermissionDeniedError,
        404: e.NotFoundError,
        409: e.ConflictError,
        422: e.UnprocessableEntityError,
        429: e.RateLimitError,
        500: e.InternalServerError,
        503: e.InternalServerError,
        599: e.InternalServerError,
        418: e.APIStatusError,
    }
    for status, cls in statuses.items():
        assert _exceptions.status_error_class(status) is cls
        assert issubclass(cls, e.APIStatusError)


def test_exception_tree_is_drawn_in_the_module_docstring() -> None:
    doc = inspect.getdoc(_exceptions) or ""
    names = [n for n in vox_client.__all__ if n.endswith("Error")]
    for name in names:
        assert name in doc, name


@pytest.mark.parametrize(
    ("window", "path"),
    [
        (
            {**WINDOW, "windows": [{"start_min": 720, "end_min": 540, "days": ["Monday"]}]},
            "/call_time_window/windows/0",
        ),
        (
            {**WINDOW, "windows": [{"start_min": 600, "end_min": 600, "days": ["Monday"]}]},
            "/call_time_window/windows/0",
        ),
        ({**WINDOW, "timezone": "Mars/Olympus_Mons"}, "/call_time_window/timezone"),
    ],
)
def test_window_breaking_a_business_rule_is_refused_locally(
    window: dict[str, object], path: str
) -> None:
    script = Script()
    with (
        Client(api_key=TEST_KEY, transport=script.transport()) as c,
        pytest.raises(RequestValidationError) as info,
    ):
        c.campaigns.update(CID, call_time_window=window)
    assert script.requests == []
    assert [f.path for f in info.value.findings] == [path]
    assert info.value.findings[0].rule.startswith("VOX-")
