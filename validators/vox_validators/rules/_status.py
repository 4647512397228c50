"""What the status implies: the finish time and the pause members."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from vox_validators.rules._docs import GET_PAGE
from vox_validators.rules._registry import rule

TERMINAL = frozenset({"success", "fail", "canceled"})


@rule(
    "VOX-W001",
    severity="warning",
    description="A campaign at a terminal status (success, fail, canceled) has finished_at set.",
    source=f"{GET_PAGE}: finished_at '완료 시각 ... 완료 전에는 null': a finished campaign has a "
    "finish time (a warning: the docs do not say every terminal status records one).",
)
def finished_campaign_has_a_finish_time(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    status = record.get("status")
    if status in TERMINAL and "finished_at" in record and record["finished_at"] is None:
        yield "/finished_at", f"null finished_at although status {status!r} is terminal"


@rule(
    "VOX-E002",
    severity="error",
    description="finished_at is null unless the status is terminal (success, fail, canceled).",
    source=f"{GET_PAGE}: finished_at '완료 시각입니다(unix ms). 완료 전에는 null입니다.'",
)
def finish_time_only_when_terminal(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    status = record.get("status")
    finished_at = record.get("finished_at")
    if status is not None and status not in TERMINAL and finished_at is not None:
        yield (
            "/finished_at",
            f"{finished_at} is set although status {status!r} is not terminal: "
            "finished_at is null until the campaign finishes",
        )


@rule(
    "VOX-E005",
    severity="error",
    description="paused_at and paused_by are null unless the status is paused.",
    source=f"{GET_PAGE}: paused_at '일시정지 시각 (unix ms). 일시정지 아니면 null.'; paused_by "
    "follows paused_at (spec decision, Campaign.paused_by).",
)
def pause_members_only_when_paused(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    status = record.get("status")
    if status is None or status == "paused":
        return
    for key in ("paused_at", "paused_by"):
        value = record.get(key)
        if value is not None:
            yield (
                f"/{key}",
                f"{value!r} is set although status {status!r} is not paused: "
                f"{key} is null unless paused",
            )


@rule(
    "VOX-E006",
    severity="error",
    description="A paused campaign has paused_at and paused_by set.",
    source=f"{GET_PAGE}: paused_at '일시정지 시각'; paused_by '일시정지 주체 (user: 수동, system: "
    "시간대 기반 자동)': a pause has a time and an author.",
)
def paused_campaign_has_pause_members(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if record.get("status") != "paused":
        return
    for key in ("paused_at", "paused_by"):
        if key in record and record[key] is None:
            yield f"/{key}", f"null {key} although status is 'paused'"


@rule(
    "VOX-W003",
    severity="warning",
    description="paused_by 'system' (a time-window pause) comes with a call_time_window.",
    source=f"{GET_PAGE}: paused_by 'system': '시간대 기반 자동' (paused because of the call time "
    "window); call_time_window '설정하지 않으면 null'.",
)
def system_pause_has_a_call_time_window(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if (
        "status" in record
        and record.get("paused_by") == "system"
        and "call_time_window" in record
        and record["call_time_window"] is None
    ):
        yield (
            "/paused_by",
            "'system' paused the campaign (a time-window pause) but call_time_window is null",
        )
