"""Timestamps: unix milliseconds, and in the order things happen."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from vox_validators.rules._docs import CONTRACT, GET_PAGE
from vox_validators.rules._registry import rule

_STAMPS = ("created_at", "scheduled_at", "finished_at", "paused_at")
_SECONDS_MIN = 10**9  # the smallest 10-digit value
_SECONDS_END = 10**11  # the smallest 12-digit value


def _looks_like_seconds(stamp: Any) -> bool:
    return stamp is not None and _SECONDS_MIN <= abs(stamp) < _SECONDS_END


@rule(
    "VOX-E009",
    severity="error",
    description="Timestamps (*_at) are unix milliseconds: a 10- or 11-digit value looks like seconds.",
    source=f"{CONTRACT}: '_at으로 끝나는 타임스탬프는 unix milliseconds입니다. 일부 입력값은 호환성을 "
    "위해 10~11자리 unix seconds도 허용하고 milliseconds로 정규화합니다' — inputs may be seconds, "
    "responses are normalised to milliseconds, so only responses are checked.",
)
def timestamps_are_milliseconds(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for key in _STAMPS:
        stamp = record.get(key)
        if stamp is not None and _SECONDS_MIN <= abs(stamp) < _SECONDS_END:
            yield (
                f"/{key}",
                f"{stamp} looks like unix seconds (10 or 11 digits); {key} is unix milliseconds",
            )


@rule(
    "VOX-E010",
    severity="error",
    description="created_at is not after finished_at or paused_at.",
    source=f"{GET_PAGE}: created_at '리소스 생성 시각', finished_at '완료 시각', paused_at "
    "'일시정지 시각': a campaign finishes or pauses after it is created.",
)
def created_before_finished_or_paused(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    # Only millisecond values are compared: a value in seconds is VOX-E009, not a cascade.
    created_at = record.get("created_at")
    if created_at is None or _looks_like_seconds(created_at):
        return
    for key in ("finished_at", "paused_at"):
        later = record.get(key)
        if later is not None and not _looks_like_seconds(later) and created_at > later:
            yield f"/{key}", f"{later} is before created_at {created_at}"
