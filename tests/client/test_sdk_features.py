"""What users expect of a Stainless-style SDK, over a real socket (``MockVox.serve()``): raw
responses and request ids, ``http_client=``, headers and query per call, ``with_options``, base
URL checks, closed clients, logging, and lenient mode that survives API growth. Sync and async."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.client import lenient_body
from tests.support.paths import REPO_ROOT
from vox_client import (
    APIResponse,
    AsyncClient,
    Campaign,
    Client,
    ClientClosedError,
    InsecureBaseURLWarning,
    NotFoundError,
    ResponseValidationError,
    VoxError,
)
from vox_client.testing import MockVox
from vox_generated import models


@pytest.fixture
def mock() -> Iterator[MockVox]:
    with MockVox.serve() as running:
        yield running


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOX_API_KEY", raising=False)
    monkeypatch.delenv("VOX_BASE_URL", raising=False)
    monkeypatch.delenv("VOX_LOG", raising=False)


def client(mock: MockVox, **options: Any) -> Client:
    return Client(api_key=mock.api_key, base_url=mock.url, **options)


def aclient(mock: MockVox, **options: Any) -> AsyncClient:
    return AsyncClient(api_key=mock.api_key, base_url=mock.url, **options)


def draft(mock: MockVox) -> str:
    return str(mock.add(name="설문")["id"])


# --- 1. raw responses and request ids ----------------------------------------------------------


def test_raw_get_update_create(mock: MockVox) -> None:
    cid = draft(mock)
    with client(mock) as c:
        raw = c.campaigns.with_raw_response.get(cid)
        assert isinstance(raw, APIResponse)
        assert raw.status_code == 200
        assert raw.headers["content-type"].startswith("application/json")
        assert isinstance(raw.http_response, httpx.Response)
        assert raw.request_id == mock.requests[-1].request_id
        assert raw.request_id is not None
        assert raw.request_id.startswith("req_")
        campaign = raw.parse()
        assert raw.parse() is campaign
        assert campaign.id == cid
        assert campaign.request_id == raw.request_id
        assert raw.json()["id"] == cid
        updated = c.campaigns.with_raw_response.update(cid, name="새 이름")
        assert updated.parse().name == "새 이름"
        assert updated.request_id == mock.requests[-1].request_id
        created = c.campaigns.with_raw_response.create(
            name="n",
            from_number="07070001234",
            agent={"agent_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "agent_version": "v1"},
            tasks=[{"to_number": "01012345678"}],
        )
        assert created.status_code in (200, 201)
        assert created.parse().name == "n"
        assert created.request_id == mock.requests[-1].request_id
        assert created.request_id in repr(created)


def test_async_raw_get_update_create(mock: MockVox) -> None:
    cid = draft(mock)

    async def run() -> None:
        async with aclient(mock) as c:
            raw = await c.campaigns.with_raw_response.get(cid)
            assert raw.status_code == 200
            assert raw.request_id == mock.requests[-1].request_id
            assert raw.parse().request_id == raw.request_id
            updated = await c.campaigns.with_raw_response.update(cid, name="x")
            assert updated.parse().name == "x"
            created = await c.campaigns.with_raw_response.create(
                name="n",
                from_number="07070001234",
                agent={"agent_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "agent_version": "v1"},
                tasks=[{}],
            )
            assert created.parse().request_id == mock.requests[-1].request_id
            campaign = await c.campaigns.get(cid)
            assert campaign.request_id == mock.requests[-1].request_id

    asyncio.run(run())


def test_request_id_is_read_only_and_not_a_field(mock: MockVox) -> None:
    cid = draft(mock)
    with client(mock) as c:
        first, second = c.campaigns.get(cid), c.campaigns.get(cid)
    assert first.request_id != second.request_id
    assert first == second  # the id is not part of the campaign
    assert "request_id" not in Campaign.model_fields
    assert "request_id" not in first.model_dump()
    assert isinstance(first, models.Campaign)
    with pytest.raises(AttributeError):
        first.request_id = "forged"  # type: ignore[misc]


def test_status_errors_carry_the_request_id(mock: MockVox) -> None:
    with client(mock) as c, pytest.raises(NotFoundError) as info:
        c.campaigns.with_raw_response.get("cmp_nope")
    request_id = mock.requests[-1].request_id
    assert info.value.request_id == request_id
    assert f"[request id {request_id}]" in str(info.value)

    async def run() -> None:
        async with aclient(mock) as c:
            await c.campaigns.get("cmp_nope")

    with pytest.raises(NotFoundError) as ainfo:
        asyncio.run(run())
    assert ainfo.value.request_id == mock.requests[-1].request_id


def test_a_contract_breach_carries_the_request_id(mock: MockVox) -> None:
    cid = draft(mock)
    mock.respond_next(200, {**mock.get(cid), "total_calls": "many"})
    with client(mock) as c:
        raw = c.campaigns.with_raw_response.get(cid)  # the raw answer comes back...
        with pytest.raises(ResponseValidationError) as info:
            raw.parse()  # ...and parse() judges it
    assert info.value.request_id == raw.request_id is not None
    assert raw.request_id in str(info.value)


def test_request_id_is_none_without_the_header() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(404, json={"detail": "x"}))
    with (
        Client(api_key="k", transport=transport, max_retries=0) as c,
        pytest.raises(NotFoundError) as info,
    ):
        c.campaigns.get("cmp_1")
    assert info.value.request_id is None
    assert "request id" not in str(info.value)


# --- 2. configuration ------------------------------------------------------------------------


def test_own_http_client_is_used_and_never_closed(mock: MockVox) -> None:
    cid = draft(mock)
    seen: list[str] = []
    http = httpx.Client(
        event_hooks={"request": [lambda request: seen.append(request.url.path)]},
        headers={"X-Team": "calls"},
    )
    with client(mock, http_client=http) as c:
        c.campaigns.get(cid)
    assert seen == [f"/v3/campaigns/{cid}"]
    assert mock.requests[-1].headers.get("X-Team") == "calls"
    assert not http.is_closed  # the user's, so the user closes it
    assert http.get(f"{mock.url}/v3/campaigns/{cid}").status_code == 401
    http.close()
    with pytest.raises(TypeError):
        Client(api_key="k", http_client=httpx.AsyncClient())  # type: ignore[arg-type]


def test_own_async_http_client_is_never_closed(mock: MockVox) -> None:
    cid = draft(mock)

    async def run() -> bool:
        http = httpx.AsyncClient()
        async with aclient(mock, http_client=http) as c:
            assert (await c.campaigns.get(cid)).id == cid
        closed = http.is_closed
        await http.aclose()
        return closed

    assert asyncio.run(run()) is False


def test_default_extra_headers_and_extra_query(mock: MockVox) -> None:
    cid = draft(mock)
    with client(mock, default_headers={"X-Team": "calls", "X-Trace": "a"}) as c:
        c.campaigns.get(cid, extra_headers={"X-Trace": "b"}, extra_query={"expand": "agent"})
        sent = mock.requests[-1]
        assert (sent.headers.get("X-Team"), sent.headers.get("X-Trace")) == ("calls", "b")
        assert sent.query == "expand=agent"
        c.campaigns.update(cid, name="y", extra_headers={"Idempotency-Key": "k1"})
        assert mock.requests[-1].headers.get("Idempotency-Key") == "k1"


def test_async_extra_headers_and_query(mock: MockVox) -> None:
    cid = draft(mock)

    async def run() -> None:
        async with aclient(mock, default_headers={"X-Team": "calls"}) as c:
            await c.campaigns.get(cid, extra_headers={"X-Trace": "b"}, extra_query={"a": 1})

    asyncio.run(run())
    sent = mock.requests[-1]
    assert (sent.headers.get("X-Team"), sent.headers.get("X-Trace"), sent.query) == (
        "calls",
        "b",
        "a=1",
    )


@pytest.mark.parametrize("name", ["Authorization", "authorization", "AUTHORIZATION"])
def test_an_authorization_header_is_refused(mock: MockVox, name: str) -> None:
    with pytest.raises(ValueError, match="api_key"):
        client(mock, default_headers={name: "Bearer other"})
    with client(mock) as c:
        with pytest.raises(ValueError, match="api_key"):
            c.campaigns.get("cmp_1", extra_headers={name: "Bearer other"})
        with pytest.raises(ValueError, match="api_key"):
            c.with_options(default_headers={name: "x"})
    assert mock.requests == []

    async def run() -> None:
        async with aclient(mock) as c:
            await c.campaigns.get("cmp_1", extra_headers={name: "Bearer other"})

    with pytest.raises(ValueError, match="api_key"):
        asyncio.run(run())


def test_with_options_is_a_copy_sharing_the_pool(mock: MockVox) -> None:
    cid = draft(mock)
    with client(mock) as c:
        fast = c.with_options(timeout=3.0, max_retries=0, default_headers={"X-Copy": "1"})
        assert fast._http is c._http
        assert (fast.max_retries, c.max_retries) == (0, 2)
        assert fast.timeout == httpx.Timeout(3.0) != c.timeout
        assert fast.campaigns.get(cid).id == cid
        assert mock.requests[-1].headers.get("X-Copy") == "1"
        lenient = c.with_options(strict=False)
        assert (lenient.strict, c.strict) == (False, True)
        fast.close()  # a copy does not close the shared pool
        assert c.campaigns.get(cid).id == cid
        assert "X-Copy" not in mock.requests[-1].headers
    with pytest.raises(ClientClosedError):
        lenient.campaigns.get(cid)  # the original closed it, for every copy


def test_async_with_options(mock: MockVox) -> None:
    cid = draft(mock)

    async def run() -> None:
        async with aclient(mock) as c:
            copy = c.with_options(max_retries=5, timeout=httpx.Timeout(2.0))
            assert copy._http is c._http
            assert copy.max_retries == 5
            assert (await copy.campaigns.get(cid)).id == cid

    asyncio.run(run())


@pytest.mark.parametrize(
    "url", ["ftp://example.com", "client-api.tryvox.co", "https://", "http:///v3", "https://h?x=1"]
)
def test_a_base_url_that_is_not_one_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="is not a base URL"):
        Client(api_key="k", base_url=url)
    with pytest.raises(ValueError, match="is not a base URL"):
        AsyncClient(api_key="k", base_url=url)


def test_plain_http_warns_unless_loopback() -> None:
    with pytest.warns(InsecureBaseURLWarning, match="unencrypted"):
        Client(api_key="k", base_url="http://api.example.com")
    with pytest.warns(InsecureBaseURLWarning):
        AsyncClient(api_key="k", base_url="http://10.0.0.5:8080")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for url in ("http://127.0.0.1:1", "http://localhost:8", "http://[::1]:8", "https://a.b"):
            Client(api_key="k", base_url=url).close()


def test_credentials_in_a_bad_base_url_stay_out_of_the_message() -> None:
    with pytest.raises(ValueError, match="not a base URL") as info:
        Client(api_key="k", base_url="ftp://user:s3cret@example.com")
    assert "s3cret" not in str(info.value)


def test_a_call_on_a_closed_client_is_a_vox_error(mock: MockVox) -> None:
    cid = draft(mock)
    c = client(mock)
    c.close()
    with pytest.raises(ClientClosedError, match="closed"):
        c.campaigns.get(cid)
    with pytest.raises(ClientClosedError):
        c.campaigns.with_raw_response.update(cid, name="x")
    assert issubclass(ClientClosedError, VoxError)
    http = httpx.Client()
    user = client(mock, http_client=http)
    user.close()
    with pytest.raises(ClientClosedError):
        user.campaigns.get(cid)  # closed is closed, even when the pool lives on
    http.close()
    with pytest.raises(ClientClosedError, match="http_client"):
        client(mock, http_client=http).campaigns.get(cid)

    async def run() -> None:
        ac = aclient(mock)
        await ac.aclose()
        await ac.campaigns.get(cid)

    with pytest.raises(ClientClosedError):
        asyncio.run(run())


# --- 3. logging ------------------------------------------------------------------------------


def test_logs_at_debug_name_every_attempt_and_never_the_key(
    mock: MockVox, caplog: pytest.LogCaptureFixture
) -> None:
    cid = draft(mock)
    for name in ("vox_client", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    mock.fail_next(503, retry_after=0)
    with client(mock) as c:
        c.campaigns.get(cid)
    ours = [r.getMessage() for r in caplog.records if r.name == "vox_client"]
    first, second = mock.requests[-2].request_id, mock.requests[-1].request_id
    attempt_lines = [m for m in ours if "-> " in m]
    assert f"GET {mock.url}/v3/campaigns/{cid}" in attempt_lines[0]
    assert f"503 Service Unavailable [request id {first}] (attempt 1 of 3" in attempt_lines[0]
    assert f"200 OK [request id {second}] (attempt 2 of 3" in attempt_lines[1]
    assert attempt_lines[1].endswith(" ms)")
    headers = [m for m in ours if "request headers" in m]
    assert headers
    assert all("'authorization': '[redacted]'" in m for m in headers)
    assert any(r.name.startswith("httpcore") for r in caplog.records)
    assert mock.api_key not in caplog.text
    for record in caplog.records:
        assert mock.api_key not in record.getMessage()
        assert mock.api_key not in repr(record.args)


def test_async_logs(mock: MockVox, caplog: pytest.LogCaptureFixture) -> None:
    cid = draft(mock)
    caplog.set_level(logging.DEBUG)

    async def run() -> None:
        async with aclient(mock) as c:
            await c.campaigns.get(cid)

    asyncio.run(run())
    assert any("200 OK [request id" in r.getMessage() for r in caplog.records)
    assert mock.api_key not in caplog.text


@pytest.mark.parametrize("level", ["debug", "info"])
def test_vox_log_prints_to_stderr(mock: MockVox, level: str) -> None:
    cid = draft(mock)
    script = (
        "import sys, vox_client\n"
        f"c = vox_client.Client(api_key={mock.api_key!r}, base_url={mock.url!r})\n"
        f"c.campaigns.get({cid!r})\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        env={"VOX_LOG": level, "PATH": "", "PYTHONPATH": str(REPO_ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert f"200 OK [request id {mock.requests[-1].request_id}]" in result.stderr
    assert ("request headers" in result.stderr) is (level == "debug")
    assert "[redacted]" in result.stderr if level == "debug" else True
    assert mock.api_key not in result.stderr


# --- 4. lenient mode -------------------------------------------------------------------------


def test_lenient_keeps_an_unknown_status_and_members(
    mock: MockVox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="vox_client")
    cid = draft(mock)
    mock.respond_next(200, lenient_body(mock.get(cid)))
    with client(mock, strict=False) as c:
        campaign = c.campaigns.get(cid)
    assert campaign.status == "archived"
    assert type(campaign.status) is str
    assert campaign.model_extra == {"labels": ["vip"]}
    assert campaign.call_time_window is not None
    assert campaign.call_time_window.model_extra == {"holidays": False}
    assert campaign.call_time_window.windows[0].days[0] == "Holiday"
    assert campaign.call_time_window.windows[0].days[1] == models.Weekday.Monday
    assert isinstance(campaign, Campaign)
    assert isinstance(campaign, models.Campaign)
    assert sorted((f.rule, f.severity, f.path) for f in campaign.drift) == [
        ("drift", "warning", "/call_time_window/holidays"),
        ("drift", "warning", "/call_time_window/windows/0/days/0"),
        ("drift", "warning", "/labels"),
        ("drift", "warning", "/status"),
    ]
    status = next(f for f in campaign.drift if f.path == "/status")
    assert status.message.startswith("'archived' is not one of")
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 4
    assert all("response drift" in m for m in logged)


def test_lenient_async(mock: MockVox) -> None:
    cid = draft(mock)
    mock.respond_next(200, lenient_body(mock.get(cid)))

    async def run() -> Campaign:
        async with aclient(mock, strict=False) as c:
            return await c.campaigns.get(cid)

    campaign = asyncio.run(run())
    assert campaign.status == "archived"
    assert len(campaign.drift) == 4


def test_strict_refuses_an_unknown_status_and_drops_unknown_members(mock: MockVox) -> None:
    cid = draft(mock)
    body = lenient_body(mock.get(cid))
    mock.respond_next(200, body)
    with client(mock) as c:
        with pytest.raises(ResponseValidationError) as info:
            c.campaigns.get(cid)
        assert ("schema/enum", "/status") in [(f.rule, f.path) for f in info.value.findings]
        mock.respond_next(200, {**mock.get(cid), "labels": ["vip"]})
        campaign = c.campaigns.get(cid)
    assert campaign.model_extra is None or campaign.model_extra == {}
    assert campaign.drift == ()


def test_lenient_still_runs_business_rules_on_what_is_known(
    mock: MockVox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="vox_client")
    cid = draft(mock)
    # finished_at set on a draft: VOX-E002, a business rule, reported next to the drift.
    mock.respond_next(200, {**mock.get(cid), "finished_at": 1764410400000, "labels": []})
    with client(mock, strict=False) as c:
        campaign = c.campaigns.get(cid)
    assert [f.path for f in campaign.drift] == ["/labels"]
    assert any("VOX-E002" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("edit", "rule"),
    [
        ({"total_calls": "many"}, "schema/type"),
        ({"status": 7}, "schema/enum"),
        ({"status": "archived", "total_calls": None}, "schema/type"),
    ],
)
def test_lenient_still_refuses_real_schema_violations(
    mock: MockVox, edit: dict[str, Any], rule: str
) -> None:
    cid = draft(mock)
    mock.respond_next(200, {**mock.get(cid), **edit})
    with client(mock, strict=False) as c, pytest.raises(ResponseValidationError) as info:
        c.campaigns.get(cid)
    assert rule in [f.rule for f in info.value.findings]


def test_lenient_refuses_a_missing_field(mock: MockVox) -> None:
    cid = draft(mock)
    body = {k: v for k, v in mock.get(cid).items() if k != "paused_by"}
    mock.respond_next(200, {**body, "status": "archived"})
    with client(mock, strict=False) as c, pytest.raises(ResponseValidationError) as info:
        c.campaigns.get(cid)
    assert ("schema/required", "/paused_by") in [(f.rule, f.path) for f in info.value.findings]


# --- acceptance: a user's script with every option passes mypy --strict -----------------------

USER_SCRIPT = """
from __future__ import annotations

import asyncio
import logging

import httpx

from vox_client import (
    APIResponse, APIStatusError, AsyncClient, Campaign, Client, ClientClosedError, Finding,
)

logging.getLogger("vox_client").setLevel(logging.DEBUG)


def sync_main() -> None:
    http = httpx.Client(proxy=None, verify=True)
    with Client(
        api_key="k",
        base_url="https://client-api.tryvox.co",
        http_client=http,
        default_headers={"X-Team": "calls"},
        strict=False,
        timeout=httpx.Timeout(5.0),
        max_retries=1,
    ) as client:
        fast = client.with_options(timeout=2.0, max_retries=0, default_headers={"X-A": "b"})
        raw: APIResponse[Campaign] = fast.campaigns.with_raw_response.get(
            "cmp_1", extra_headers={"X-Trace": "t"}, extra_query={"expand": "agent"}
        )
        status: int = raw.status_code
        request_id: str | None = raw.request_id
        response: httpx.Response = raw.http_response
        headers: httpx.Headers = raw.headers
        campaign: Campaign = raw.parse()
        drift: tuple[Finding, ...] = campaign.drift
        same: str | None = campaign.request_id
        updated = client.campaigns.with_raw_response.update("cmp_1", name="x").parse()
        created: Campaign = client.campaigns.create(
            name="n",
            from_number="07070001234",
            agent={"agent_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "agent_version": "v1"},
            tasks=[{}],
            extra_headers={"Idempotency-Key": "1"},
            extra_query={"dry_run": True},
            timeout=3.0,
        )
        try:
            client.campaigns.get("cmp_2")
        except APIStatusError as exc:
            quoted: str | None = exc.request_id
            print(quoted)
        except ClientClosedError:
            pass
        print(status, request_id, response, headers, drift, same, updated, created)
    http.close()


async def async_main() -> None:
    async with httpx.AsyncClient() as http, AsyncClient(
        api_key="k", http_client=http, default_headers={"X-Team": "calls"}, strict=True
    ) as client:
        copy = client.with_options(max_retries=0)
        raw: APIResponse[Campaign] = await copy.campaigns.with_raw_response.get(
            "cmp_1", extra_headers={"X-Trace": "t"}, extra_query={"a": 1}
        )
        campaign: Campaign = await client.campaigns.get("cmp_1", extra_query={"b": "c"})
        updated = await client.campaigns.with_raw_response.update("cmp_1", name="x")
        created = await client.campaigns.with_raw_response.create(
            name="n", from_number="0", agent={}, tasks=[{}]
        )
        print(raw.request_id, campaign.request_id, updated.parse().drift, created.status_code)


sync_main()
asyncio.run(async_main())
"""


def test_a_script_using_every_option_passes_mypy_strict(tmp_path: Path) -> None:
    script = tmp_path / "user_script.py"
    script.write_text(USER_SCRIPT, encoding="utf-8")
    (tmp_path / "none.ini").write_text("[mypy]\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--config-file",
            str(tmp_path / "none.ini"),
            str(script),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={
            "PATH": "",
            "MYPYPATH": ":".join(
                str(REPO_ROOT / part) for part in ("src", "validators", "generated_client")
            ),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
