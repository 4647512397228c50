"""Concurrency: the maximum of simultaneous calls and the calls active now.

The range of each (concurrency 1..100, active_concurrency not negative) is the schema's;
VOX-E008 is retired. The rules here relate the two, and the calls to the status.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from vox_validators.rules._docs import GET_PAGE
from vox_validators.rules._registry import rule


@rule(
    "VOX-E007",
    severity="error",
    description="active_concurrency <= concurrency (each is bounded by the schema).",
    source=f"{GET_PAGE}: concurrency '최대 동시 발신 수' (the maximum), active_concurrency "
    "'현재 진행 중 동시 발신 수' (calls in progress now): the calls in progress never exceed the "
    "maximum. That active_concurrency is not negative is the schema's (minimum: 0).",
)
def active_calls_within_concurrency(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    active = record.get("active_concurrency")
    concurrency = record.get("concurrency")
    if active is not None and concurrency is not None and active > concurrency:
        yield "/active_concurrency", f"{active} is not within 0..concurrency ({concurrency})"


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
    concurrency = record.get("concurrency")
    if concurrency is None or active <= concurrency:  # above concurrency is VOX-E007
        yield (
            "/active_concurrency",
            f"{active} calls are active although status {status!r} is not ongoing",
        )
