"""The call time window: its windows, their days, and its time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from vox_validators.rules._docs import CONTRACT, GET_PAGE
from vox_validators.rules._registry import CAMPAIGN, REJECTED, REQUESTS, rule

_SCHEMAS = (CAMPAIGN, *REQUESTS)


def _windows(record: Mapping[str, Any]) -> list[Any]:
    """The windows of the record's call time window ([] when there is no setting).

    An item may be ``REJECTED``. A plain list, not a generator: three rules read it per record.
    """
    setting = record.get("call_time_window")
    if type(setting) is not dict:  # null, or not there
        return _NONE
    windows = setting.get("windows")
    return _NONE if windows is None else windows


_NONE: list[Any] = []


@rule(
    "VOX-E001",
    severity="error",
    schemas=_SCHEMAS,
    description="Every call window satisfies 0 <= start_min < end_min <= 1440.",
    source=f"{CONTRACT}: '캠페인 통화 가능 시간은 분 단위 정수(start_min / end_min)를 사용합니다' "
    "(minutes of the day); the range 0..1440 and start before end are spec decisions "
    "(CallWindow.start_min).",
)
def call_window_starts_before_it_ends(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for index, window in enumerate(_windows(record)):
        if window is REJECTED:
            continue
        start, end = window.get("start_min"), window.get("end_min")
        if start is not None and end is not None and not 0 <= start < end <= 1440:
            yield (
                f"/call_time_window/windows/{index}",
                f"{start}..{end} is not a call window: 0 <= start_min < end_min <= 1440",
            )


@rule(
    "VOX-W005",
    severity="warning",
    schemas=_SCHEMAS,
    description="The days of a call window are not empty.",
    source=f"{GET_PAGE}: windows[].days lists the weekdays a window applies to; an empty list "
    "never opens.",
)
def call_window_has_days(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for index, window in enumerate(_windows(record)):
        if window is not REJECTED and window.get("days") == []:
            yield (
                f"/call_time_window/windows/{index}/days",
                "[] has no days: the window never opens",
            )


@rule(
    "VOX-W006",
    severity="warning",
    schemas=_SCHEMAS,
    description="The days of a call window are unique.",
    source=f"{GET_PAGE}: windows[].days lists weekdays; a repeated day is a likely mistake.",
)
def call_window_days_are_unique(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for index, window in enumerate(_windows(record)):
        if window is REJECTED:
            continue
        days = window.get("days")
        if days is None or len(set(days)) == len(days):
            continue
        seen: set[str] = set()
        for position, day in enumerate(days):
            if day in seen:
                yield (
                    f"/call_time_window/windows/{index}/days/{position}",
                    f"{day!r} is listed more than once in the window's days",
                )
            if day is not REJECTED:
                seen.add(day)


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@rule(
    "VOX-E013",
    severity="error",
    schemas=_SCHEMAS,
    description="call_time_window.timezone is a valid IANA time zone.",
    source=f"{GET_PAGE}: the example timezone is 'Asia/Seoul' (an IANA name); checked with "
    "zoneinfo and tzdata.",
)
def time_zone_is_iana(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    setting = record.get("call_time_window")
    if type(setting) is not dict:
        return
    zone = setting.get("timezone")
    if zone is not None and zone not in _time_zones():
        yield "/call_time_window/timezone", f"{zone!r} is not an IANA time zone"
