"""MockVox's state: add, the lifecycle (advance), progress, and what it records."""

from __future__ import annotations

import json
from itertools import product

import pytest

from tests.client.testing._support import DRAFT, NOW_MS, ONGOING, PENDING, REPO, spec_examples
from vox_client.testing import LIFECYCLE, MASK, LifecycleError, MockVox, example_campaigns
from vox_validators import validate

STATUSES = ("draft", "pending", "ongoing", "paused", "success", "fail", "canceled")


def test_the_shipped_examples_are_the_specs() -> None:
    examples = spec_examples()
    expected = {
        name: e["value"]
        for name, e in examples.items()
        if name.startswith("Campaign") and "status" in e["value"]
    }
    shipped = json.loads(
        (REPO / "src" / "vox_client" / "testing" / "_examples.json").read_text(encoding="utf-8")
    )
    assert shipped == expected
    assert example_campaigns() == list(expected.values())


def test_a_new_mock_holds_the_examples_unless_told_not_to() -> None:
    assert {c["status"] for c in MockVox().campaigns.values()} == set(STATUSES)
    assert MockVox(examples=False).campaigns == {}
    seeded = MockVox(examples=False, campaigns=[{"name": "하나"}, {"status": "fail"}])
    assert sorted(c["status"] for c in seeded.campaigns.values()) == ["draft", "fail"]


def test_add_fills_a_valid_campaign_from_the_example_of_its_status(mock: MockVox) -> None:
    campaign = mock.add(status="ongoing", name="새 캠페인")
    assert campaign["status"] == "ongoing"
    assert campaign["name"] == "새 캠페인"
    assert campaign["id"] not in MockVox().campaigns
    assert validate(campaign) == []
    assert mock.get(campaign["id"]) == campaign
    system = mock.add({"status": "paused", "paused_by": "system"})
    assert system["paused_by"] == "system"
    assert system["call_time_window"] is not None
    assert mock.add()["status"] == "draft"


def test_add_returns_a_copy(mock: MockVox) -> None:
    campaign = mock.add(name="원본")
    campaign["name"] = "changed"
    assert mock.get(campaign["id"])["name"] == "원본"


def test_add_takes_a_whole_campaign_and_its_id(mock: MockVox) -> None:
    whole = {**MockVox().get(ONGOING), "id": "cmp_mine", "name": "내 캠페인"}
    assert mock.add(whole) == whole
    with pytest.raises(ValueError, match="'cmp_mine' is already a campaign"):
        mock.add(whole)


@pytest.mark.parametrize(
    ("overrides", "finding"),
    [
        ({"status": "ongoing", "finished_at": 1764410400000}, "VOX-E002 at /finished_at"),
        ({"completed_calls": 5000}, "VOX-E003 at /total_calls"),
        ({"name": "   "}, "at /name"),
        ({"status": "frozen"}, "schema/enum at /status"),
        ({"created_at": 1764378000}, "VOX-E009 at /created_at"),
        ({"status": "success", "finished_at": None}, "VOX-W001 at /finished_at"),
    ],
)
def test_add_refuses_a_campaign_with_findings(
    mock: MockVox, overrides: dict[str, object], finding: str
) -> None:
    with pytest.raises(ValueError, match="is not a valid campaign") as raised:
        mock.add(overrides)
    assert finding in str(raised.value)


def test_the_lifecycle_graph() -> None:
    assert dict(LIFECYCLE) == {
        "draft": ("pending", "canceled"),
        "pending": ("ongoing", "canceled"),
        "ongoing": ("paused", "success", "fail", "canceled"),
        "paused": ("ongoing", "success", "fail", "canceled"),
        "success": (),
        "fail": (),
        "canceled": (),
    }


def test_a_campaign_walks_the_whole_lifecycle_valid_at_every_step() -> None:
    clock = iter(range(NOW_MS, NOW_MS + 100_000, 1000))
    mock = MockVox(now_ms=lambda: next(clock))
    campaign = mock.add(total_calls=100, concurrency=10)
    steps = []
    for status in ("pending", "ongoing", "paused", "ongoing", "success"):
        campaign = mock.advance(campaign["id"], status)
        assert validate(campaign) == [], status
        steps.append(
            (
                campaign["status"],
                campaign["active_concurrency"],
                campaign["paused_at"],
                campaign["paused_by"],
                campaign["finished_at"],
            )
        )
    assert steps == [
        ("pending", 0, None, None, None),
        ("ongoing", 10, None, None, None),
        ("paused", 0, NOW_MS + 2000, "user", None),
        ("ongoing", 10, None, None, None),
        ("success", 0, None, None, NOW_MS + 4000),
    ]
    assert (campaign["completed_calls"], campaign["failed_calls"]) == (100, 0)


@pytest.mark.parametrize("end", ["fail", "canceled"])
def test_fail_and_cancel_count_the_calls_left_as_failed(mock: MockVox, end: str) -> None:
    campaign = mock.add(status="ongoing", total_calls=50, completed_calls=20, failed_calls=5)
    finished = mock.advance(campaign["id"], end)
    assert (finished["completed_calls"], finished["failed_calls"]) == (20, 30)
    assert finished["finished_at"] == NOW_MS
    assert validate(finished) == []


@pytest.mark.parametrize("start", ["draft", "pending"])
def test_a_campaign_not_started_can_be_canceled(mock: MockVox, start: str) -> None:
    campaign = mock.add(status=start)
    canceled = mock.advance(campaign["id"], "canceled")
    assert canceled["failed_calls"] == canceled["total_calls"]
    assert validate(canceled) == []


def test_a_system_pause_needs_a_call_window(mock: MockVox) -> None:
    windowed = mock.add(status="ongoing")
    assert mock.advance(windowed["id"], "paused", paused_by="system")["paused_by"] == "system"
    bare = mock.add(status="ongoing", call_time_window=None)
    with pytest.raises(LifecycleError, match="call_time_window is null"):
        mock.advance(bare["id"], "paused", paused_by="system")


@pytest.mark.parametrize(
    ("start", "target"),
    [(s, t) for s, t in product(STATUSES, STATUSES) if t not in LIFECYCLE[s]],
)
def test_every_move_the_lifecycle_does_not_allow_raises(
    mock: MockVox, start: str, target: str
) -> None:
    campaign = mock.add(status=start)
    with pytest.raises(LifecycleError, match=f"'{target}' cannot follow '{start}'"):
        mock.advance(campaign["id"], target)
    assert mock.get(campaign["id"]) == campaign


def test_timestamps_never_precede_created_at() -> None:
    mock = MockVox(now_ms=lambda: 0)
    finished = mock.advance(ONGOING, "success")
    assert finished["finished_at"] == finished["created_at"]
    assert validate(finished) == []


def test_progress_counts_calls_and_keeps_active_calls_within_what_is_left(mock: MockVox) -> None:
    campaign = mock.add(
        status="ongoing",
        total_calls=30,
        completed_calls=0,
        failed_calls=0,
        concurrency=20,
        active_concurrency=20,
    )
    campaign = mock.progress(campaign["id"], completed=12, failed=3)
    assert (
        campaign["completed_calls"],
        campaign["failed_calls"],
        campaign["active_concurrency"],
    ) == (12, 3, 15)
    with pytest.raises(ValueError, match="exceed total_calls 30"):
        mock.progress(campaign["id"], completed=16)
    with pytest.raises(LifecycleError, match="only an ongoing or paused"):
        mock.progress(DRAFT, completed=1)


def test_remove_makes_the_api_answer_404(mock: MockVox) -> None:
    mock.remove(PENDING)
    with pytest.raises(KeyError):
        mock.get(PENDING)


def test_requests_are_recorded_with_the_key_masked(mock: MockVox) -> None:
    key = mock.api_key
    mock.receive(
        "PATCH",
        f"/v3/campaigns/{DRAFT}?api_key={key}",
        {"Authorization": f"Bearer {key}", "X-Echo": key},
        json.dumps({"name": f"leak {key}"}).encode(),
    )
    (request,) = mock.requests
    assert request.method == "PATCH"
    assert request.path == f"/v3/campaigns/{DRAFT}"
    assert request.query == f"api_key={MASK}"
    assert request.headers == {"Authorization": f"Bearer {MASK}", "X-Echo": MASK}
    assert request.json() == {"name": f"leak {MASK}"}
    assert key not in repr(mock.requests) + repr(mock)
    mock.clear_requests()
    assert mock.requests == []


def test_a_blank_or_padded_key_is_refused() -> None:
    for key in ("", " ", " voxmock_x"):
        with pytest.raises(ValueError, match="not an API key"):
            MockVox(api_key=key)
