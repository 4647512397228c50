"""Every recorded scenario, replayed offline (record_mode="none") through the strict client; and
the cassettes themselves: recorded from MockVox, byte-stable, equal to what the recorder writes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.client import CAMPAIGNS, TEST_KEY, FakeClock
from tools.record_cassettes import CASSETTES, IDS, RECORD_BASE_URL, SCENARIOS, make_vcr, record_mock
from vox_client import (
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    Campaign,
    Client,
    ConflictError,
    NotFoundError,
    ResponseValidationError,
)


@contextmanager
def replay(name: str) -> Iterator[None]:
    """Replay one cassette; fail unless the client made exactly the recorded requests."""
    with make_vcr([], record_mode="none").use_cassette(f"{name}.yaml") as cassette:
        yield
    assert cassette.all_played, f"{name}: not every recorded request was made"


def client(clock: FakeClock | None = None, **options: Any) -> Client:
    return Client(
        api_key=TEST_KEY, base_url=RECORD_BASE_URL, _clock=clock or FakeClock(), **options
    )


STATUS_CASSETTES = [
    ("get_200_draft", "draft"),
    ("get_200_pending_no_call_window", "pending"),
    ("get_200_ongoing", "ongoing"),
    ("get_200_paused_by_user", "paused_user"),
    ("get_200_paused_by_system", "paused_system"),
    ("get_200_success", "success"),
    ("get_200_fail", "fail"),
    ("get_200_canceled", "canceled"),
]


@pytest.mark.parametrize(("cassette", "key"), STATUS_CASSETTES)
def test_get_returns_the_typed_campaign_in_each_status(cassette: str, key: str) -> None:
    expected = Campaign.model_validate(CAMPAIGNS[IDS[key]])
    with replay(cassette), client() as c:
        campaign = c.campaigns.get(IDS[key])
    assert isinstance(campaign, Campaign)
    assert campaign == expected


def test_all_seven_statuses_are_recorded() -> None:
    statuses = {CAMPAIGNS[IDS[key]]["status"] for _, key in STATUS_CASSETTES}
    assert statuses == {"draft", "pending", "ongoing", "paused", "success", "fail", "canceled"}


def test_paused_by_user_and_by_system() -> None:
    with replay("get_200_paused_by_user"), client() as c:
        by_user = c.campaigns.get(IDS["paused_user"])
    with replay("get_200_paused_by_system"), client() as c:
        by_system = c.campaigns.get(IDS["paused_system"])
    assert (by_user.status, by_user.paused_by, by_user.paused_at) == (
        "paused",
        "user",
        1764392400000,
    )
    assert (by_system.status, by_system.paused_by) == ("paused", "system")
    assert by_system.call_time_window is not None


def test_no_call_window_is_none() -> None:
    with replay("get_200_pending_no_call_window"), client() as c:
        campaign = c.campaigns.get(IDS["pending"])
    assert campaign.call_time_window is None
    assert campaign.presentation_number == "01099998888"


def test_wrong_key_is_an_authentication_error() -> None:
    with replay("get_401_wrong_key"), client() as c, pytest.raises(AuthenticationError) as info:
        c.campaigns.get(IDS["draft"])
    error = info.value
    assert (error.status_code, error.code, error.message, error.details) == (
        401,
        "unauthorized",
        "Invalid API key",
        None,
    )
    assert error.response.status_code == 401
    assert error.findings == []
    # MockVox, which recorded the cassette, stamps x-request-id; the message carries it.
    assert str(error) == (
        f"HTTP 401 from GET /v3/campaigns/{IDS['draft']}: unauthorized: Invalid API key"
        " [request id req_00000001]"
    )


def test_unknown_id_is_not_found() -> None:
    with replay("get_404_unknown_id"), client() as c, pytest.raises(NotFoundError) as info:
        c.campaigns.get("cmp_does_not_exist")
    error = info.value
    assert (error.status_code, error.code, error.message) == (
        404,
        "not_found",
        "Campaign not found",
    )
    assert error.details == {"field": "campaign_id", "reason": "not_found"}


def test_blank_name_sent_anyway_is_a_bad_request() -> None:
    with (
        replay("update_400_blank_name"),
        client(validate_requests=False) as c,
        pytest.raises(BadRequestError) as info,
    ):
        c.campaigns.update(IDS["draft"], name="   ")
    error = info.value
    assert (error.status_code, error.code, error.message) == (
        400,
        "invalid_request",
        "name must not be blank",
    )
    assert error.details == {"field": "name", "reason": "blank"}
    assert error.response.request.method == "PATCH"


def test_update_of_an_ongoing_campaign_is_a_conflict() -> None:
    with replay("update_409_ongoing"), client() as c, pytest.raises(ConflictError) as info:
        c.campaigns.update(IDS["ongoing"], name="새 이름")
    assert info.value.status_code == 409
    assert info.value.code == "invalid_status"
    assert info.value.details == {
        "field": "status",
        "reason": "not_editable",
        "allowed_values": ["draft", "pending", "paused"],
    }


def test_rename_returns_the_updated_campaign() -> None:
    with replay("update_200_rename_paused"), client() as c:
        campaign = c.campaigns.update(IDS["paused_user"], name="재구매 안내 (2차)")
    assert campaign.name == "재구매 안내 (2차)"
    assert campaign.id == IDS["paused_user"]


def test_replace_window_returns_the_new_window() -> None:
    window = {
        "windows": [{"start_min": 600, "end_min": 1080, "days": ["Monday", "Wednesday", "Friday"]}],
        "timezone": "Asia/Seoul",
        "auto_resume": False,
    }
    with replay("update_200_replace_window"), client() as c:
        campaign = c.campaigns.update(IDS["pending"], call_time_window=window)
    assert campaign.call_time_window is not None
    assert campaign.call_time_window.model_dump(mode="json") == window


def test_create_returns_the_new_campaign() -> None:
    with replay("create_200"), client() as c:
        campaign = c.campaigns.create(
            name="고객 설문 캠페인",
            from_number="01012345678",
            agent={
                "agent_id": "550e8400-e29b-41d4-a716-446655440000",
                "agent_version": "production",
            },
            tasks=[{"to_number": "01023456789"}, {"to_number": "01034567890"}],
            scheduled_at=1764464400000,
            concurrency=10,
        )
    assert (campaign.status, campaign.total_calls, campaign.concurrency) == ("draft", 2, 10)
    assert campaign.created_at == 1764464400000


def test_429_waits_as_retry_after_says_then_returns() -> None:
    clock = FakeClock(jitter=0.9)
    with replay("get_429_retry_after_then_200"), client(clock) as c:
        campaign = c.campaigns.get(IDS["draft"])
    assert campaign == Campaign.model_validate(CAMPAIGNS[IDS["draft"]])
    assert clock.sleeps == [1.0]  # Retry-After: 1, taken as is (no jitter on a server's word)


def test_503_backs_off_then_returns() -> None:
    clock = FakeClock(jitter=0.4)
    with replay("get_503_then_200"), client(clock) as c:
        campaign = c.campaigns.get(IDS["ongoing"])
    assert campaign == Campaign.model_validate(CAMPAIGNS[IDS["ongoing"]])
    assert clock.sleeps == [pytest.approx(0.5 * (1 - 0.25 * 0.4))]


def test_200_breaking_a_business_rule_is_a_response_validation_error() -> None:
    with (
        replay("get_200_breaks_business_rule"),
        client() as c,
        pytest.raises(ResponseValidationError) as info,
    ):
        c.campaigns.get(IDS["ongoing"])
    error = info.value
    assert error.status_code == 200
    assert error.findings, "the breach must be reported"
    # VOX-E002: finished_at is null until the campaign finishes (a business rule, not schema).
    assert [(f.rule, f.severity, f.path) for f in error.findings] == [
        ("VOX-E002", "error", "/finished_at")
    ]


def test_200_breaking_a_business_rule_is_logged_when_not_strict(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="vox_client")
    with replay("get_200_breaks_business_rule"), client(strict=False) as c:
        campaign = c.campaigns.get(IDS["ongoing"])
    assert campaign.finished_at == 1764410400000
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings
    assert all("/finished_at" in r.getMessage() for r in warnings)


@pytest.mark.parametrize("strict", [True, False])
def test_200_that_is_not_json_is_a_response_validation_error(strict: bool) -> None:
    with (
        replay("get_200_not_json"),
        client(strict=strict) as c,
        pytest.raises(ResponseValidationError) as info,
    ):
        c.campaigns.get(IDS["success"])
    error = info.value
    assert error.status_code == 200
    assert [f.rule for f in error.findings] == ["parse"]
    assert error.response.headers["content-type"] == "text/html"


def test_async_client_replays_the_same_scenarios() -> None:
    async def scenario() -> tuple[Campaign, Campaign, AuthenticationError | None, list[float]]:
        clock = FakeClock()
        async with AsyncClient(api_key=TEST_KEY, base_url=RECORD_BASE_URL, _clock=clock) as c:
            with replay("get_200_paused_by_system"):
                paused = await c.campaigns.get(IDS["paused_system"])
            with replay("get_429_retry_after_then_200"):
                retried = await c.campaigns.get(IDS["draft"])
            denied = None
            with replay("get_401_wrong_key"):
                try:
                    await c.campaigns.get(IDS["draft"])
                except AuthenticationError as exc:
                    denied = exc
        return paused, retried, denied, clock.sleeps

    paused, retried, denied, sleeps = asyncio.run(scenario())
    assert paused == Campaign.model_validate(CAMPAIGNS[IDS["paused_system"]])
    assert retried.id == IDS["draft"]
    assert sleeps == [1.0]
    assert denied is not None
    assert (denied.code, denied.message) == ("unauthorized", "Invalid API key")


# --- the cassettes as files: the recorder's output, byte for byte ----------------------------


@pytest.fixture(scope="module")
def fresh_recording(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Every scenario recorded now, through MockVox on 127.0.0.1:8765, as the recorder does."""
    paths = record_mock(list(SCENARIOS), out=tmp_path_factory.mktemp("first"))
    return {path.name: path.read_bytes() for path in paths}


def test_recording_twice_gives_byte_identical_cassettes(
    fresh_recording: dict[str, bytes], tmp_path: Path
) -> None:
    again = record_mock(list(SCENARIOS), out=tmp_path)
    assert [path.name for path in again] == list(fresh_recording)
    for path in again:
        assert path.read_bytes() == fresh_recording[path.name], path.name


def test_the_committed_cassettes_are_a_fresh_recording(fresh_recording: dict[str, bytes]) -> None:
    committed = {path.name: path.read_bytes() for path in sorted(CASSETTES.glob("*.yaml"))}
    assert sorted(committed) == sorted(fresh_recording)
    for name, data in fresh_recording.items():
        # On a difference: re-record with `python -m tools.record_cassettes`, never by hand.
        assert committed[name] == data, f"{name} differs from a fresh recording"


def test_the_cassettes_come_from_mock_vox() -> None:
    # MockVox stamps every answer with a sequential x-request-id; a fresh mock per scenario.
    for name in SCENARIOS:
        document = yaml.safe_load((CASSETTES / f"{name}.yaml").read_text(encoding="utf-8"))
        ids = [i["response"]["headers"]["x-request-id"][0] for i in document["interactions"]]
        assert ids == [f"req_{n:08d}" for n in range(1, len(ids) + 1)], name
