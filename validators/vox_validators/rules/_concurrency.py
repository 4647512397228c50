"""Concurrency: the maximum of simultaneous calls and the calls active now."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from vox_validators.rules._docs import CREATE_PAGE, GET_PAGE
from vox_validators.rules._registry import CAMPAIGN, CREATE, rule


@rule(
    "VOX-E008",
    severity="error",
    schemas=(CAMPAIGN, CREATE),
    description="concurrency is within 1..100.",
    source=f"{CREATE_PAGE}: concurrency '최대 동시 발신 수 (1~100)', '1 <= x <= 100'.",
)
def concurrency_is_1_to_100(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    concurrency = record.get("concurrency")
    if concurrency is not None and not 1 <= concurrency <= 100:
        yield "/concurrency", f"{concurrency} is not within 1..100"


def _exceeds(active: Any, concurrency: Any) -> bool:
    """Whether active_concurrency is out of 0..concurrency (VOX-E007)."""
    # Above an out-of-range concurrency (VOX-E008 fired) the upper bound means nothing.
    return bool(
        active < 0 or (concurrency is not None and 1 <= concurrency <= 100 and active > concurrency)
    )


@rule(
    "VOX-E007",
    severity="error",
    description="0 <= active_concurrency <= concurrency.",
    source=f"{GET_PAGE}: concurrency '최대 동시 발신 수' (the maximum), active_concurrency "
    "'현재 진행 중 동시 발신 수' (calls in progress now).",
)
def active_calls_within_concurrency(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    active = record.get("active_concurrency")
    concurrency = record.get("concurrency")
    if active is not None and _exceeds(active, concurrency):
        shown = "not given" if concurrency is None else concurrency
        yield "/active_concurrency", f"{active} is not within 0..concurrency ({shown})"


@rule(
    "VOX-W004",
    severity="warning",
    description="Calls are active (active_concurrency > 0) only while the status is ongoing.",
    source=f"{GET_PAGE}: active_concurrency '현재 진행 중 동시 발신 수'; status 'ongoing' (진행 중) is "
    "the running state.",
)
def active_calls_only_while_ongoing(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    active = record.get("active_concurrency")
    status = record.get("status")
    if active is None or active <= 0 or status is None or status == "ongoing":
        return
    if not _exceeds(active, record.get("concurrency")):  # out of range is VOX-E007
        yield (
            "/active_concurrency",
            f"{active} calls are active although status {status!r} is not ongoing",
        )
