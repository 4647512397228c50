"""Business rules: what the schema cannot say. IDs and docs sources live in ``_rules``.

A checker reads a record through attributes (``record.status``): a msgspec struct from the fast
path, or a ``RecordView`` of a decoded dict. A member that is absent, or that the schema
rejected (see ``without``), reads as ``GONE``, and every rule stays silent when one of its
inputs is ``GONE``: a rule never fires on a value the schema already rejected. Numbers are
``int`` or, where jsonschema accepted one, an integral ``float``: the rules only compare and
add them.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from vox_validators._findings import Finding
from vox_validators.jsonpointer import Path
from vox_validators.rules._registry import CAMPAIGN, CREATE, ENVELOPE, UPDATE

Checker = Callable[[Any], list[Finding]]


class _Gone:
    """Stands for a member that is absent or that the schema rejected."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "GONE"


GONE: Any = _Gone()


class RecordView:
    """Attribute access to a decoded JSON object; a missing member reads as ``GONE``.

    Built eagerly (``view``): members live in the instance ``__dict__``, so reading one costs
    what reading a struct field costs, and ``__getattr__`` runs only for missing members.
    """

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # copy, pickle and friends probe for optional dunders
            raise AttributeError(name)
        return GONE


def view(value: Any, depth: int = 8) -> Any:
    """``value`` with its JSON objects turned into ``RecordView``s, ``depth`` levels down.

    The rules read at most five levels (``call_time_window.windows[i].days[j]``); deeper
    values, such as an unknown member nested a thousand levels, are left as they are.
    """
    if depth == 0:
        return value
    if type(value) is dict:
        record = RecordView()
        record.__dict__.update(
            {
                key: view(member, depth - 1) if type(member) in _CONTAINERS else member
                for key, member in value.items()
            }
        )
        return record
    if type(value) is list:
        return [view(item, depth - 1) if type(item) in _CONTAINERS else item for item in value]
    return value


_CONTAINERS = (dict, list)


_TERMINAL = frozenset({"success", "fail", "canceled"})
_SECONDS_MIN = 10**9  # the smallest 10-digit value
_SECONDS_END = 10**11  # the smallest 12-digit value


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _is_record(value: Any) -> bool:
    return value is not None and value is not GONE


def _check_windows(setting: Any, out: list[Finding]) -> None:
    """VOX-E001, VOX-W005, VOX-W006, VOX-E013 on one call_time_window object."""
    windows = setting.windows
    if windows is not GONE:
        for index, window in enumerate(windows):
            if window is GONE:
                continue
            start, end, days = window.start_min, window.end_min, window.days
            if start is not GONE and end is not GONE and not 0 <= start < end <= 1440:
                out.append(
                    Finding(
                        "VOX-E001",
                        "error",
                        f"/call_time_window/windows/{index}",
                        f"{start}..{end} is not a call window: 0 <= start_min < end_min <= 1440",
                    )
                )
            if days is GONE or len(set(days)) == len(days) > 0:
                continue
            if not days:
                out.append(
                    Finding(
                        "VOX-W005",
                        "warning",
                        f"/call_time_window/windows/{index}/days",
                        "[] has no days: the window never opens",
                    )
                )
            seen: set[str] = set()
            for position, day in enumerate(days):
                if day in seen:
                    out.append(
                        Finding(
                            "VOX-W006",
                            "warning",
                            f"/call_time_window/windows/{index}/days/{position}",
                            f"{day!r} is listed more than once in the window's days",
                        )
                    )
                if day is not GONE:
                    seen.add(day)
    zone = setting.timezone
    if zone is not GONE and zone not in _time_zones():
        out.append(
            Finding(
                "VOX-E013",
                "error",
                "/call_time_window/timezone",
                f"{zone!r} is not an IANA time zone",
            )
        )


def _check_name(name: Any, out: list[Finding]) -> None:
    """VOX-E012. ``str.isspace`` and the schema's pattern ``\\S`` agree on every character."""
    if name is GONE or (0 < len(name) <= 255 and not name.isspace()):
        return
    if len(name) > 255:
        message = f"{name[:20] + '...'!r} has {len(name)} characters, more than 255"
    else:
        message = f"{name!r} is {'empty' if not name else 'only whitespace'}"
    out.append(Finding("VOX-E012", "error", "/name", message + ": a name has 1..255 characters"))


def _check_number(key: str, number: Any, out: list[Finding]) -> None:
    """VOX-E011."""
    if type(number) is str and not (number.isdigit() and number.isascii()):
        out.append(
            Finding("VOX-E011", "error", f"/{key}", f"{number!r} is not a hyphen-less digit string")
        )


def _check_concurrency(concurrency: Any, out: list[Finding]) -> None:
    """VOX-E008."""
    if concurrency is not GONE and not 1 <= concurrency <= 100:
        out.append(
            Finding("VOX-E008", "error", "/concurrency", f"{concurrency} is not within 1..100")
        )


def check_campaign(record: Any) -> list[Finding]:
    """Every business rule of a campaign response."""
    out: list[Finding] = []
    _check_name(record.name, out)
    _check_number("from_number", record.from_number, out)
    _check_number("presentation_number", record.presentation_number, out)
    status = record.status
    if status is not GONE:
        _check_status(record, status, out)
    _check_counts(record, status, out)
    _check_active_calls(record, status, out)
    _check_timestamps(record, out)
    setting = record.call_time_window
    if _is_record(setting):
        _check_windows(setting, out)
    return out


def _check_status(record: Any, status: str, out: list[Finding]) -> None:
    """VOX-E002, VOX-W001, VOX-E005, VOX-E006, VOX-W003."""
    finished_at = record.finished_at
    if status in _TERMINAL:
        if finished_at is None:
            out.append(
                Finding(
                    "VOX-W001",
                    "warning",
                    "/finished_at",
                    f"null finished_at although status {status!r} is terminal",
                )
            )
    elif _is_record(finished_at):
        out.append(
            Finding(
                "VOX-E002",
                "error",
                "/finished_at",
                f"{finished_at} is set although status {status!r} is not terminal: "
                "finished_at is null until the campaign finishes",
            )
        )
    paused = status == "paused"
    for key, value in (("paused_at", record.paused_at), ("paused_by", record.paused_by)):
        if value is None and paused:
            out.append(
                Finding("VOX-E006", "error", f"/{key}", f"null {key} although status is 'paused'")
            )
        elif value is not None and value is not GONE and not paused:
            out.append(
                Finding(
                    "VOX-E005",
                    "error",
                    f"/{key}",
                    f"{value!r} is set although status {status!r} is not paused: "
                    f"{key} is null unless paused",
                )
            )
    if record.paused_by == "system" and record.call_time_window is None:
        out.append(
            Finding(
                "VOX-W003",
                "warning",
                "/paused_by",
                "'system' paused the campaign (a time-window pause) but call_time_window is null",
            )
        )


def _check_counts(record: Any, status: Any, out: list[Finding]) -> None:
    """VOX-E004, VOX-E003, VOX-W002."""
    total, completed, failed = record.total_calls, record.completed_calls, record.failed_calls
    if total is GONE or completed is GONE or failed is GONE:
        counts = (("total_calls", total), ("completed_calls", completed), ("failed_calls", failed))
        for key, count in counts:
            if count is not GONE and count < 0:
                out.append(_negative(key, count))
        return
    if total < 0 or completed < 0 or failed < 0:
        for key, count in (
            ("total_calls", total),
            ("completed_calls", completed),
            ("failed_calls", failed),
        ):
            if count < 0:
                out.append(_negative(key, count))
        return
    done = completed + failed
    if done > total:
        out.append(
            Finding(
                "VOX-E003",
                "error",
                "/total_calls",
                f"{total} is less than completed_calls + failed_calls "
                f"({completed} + {failed} = {done})",
            )
        )
    elif done != total and status in _TERMINAL:
        out.append(
            Finding(
                "VOX-W002",
                "warning",
                "/total_calls",
                f"{total} is not completed_calls + failed_calls ({completed} + {failed} = {done}) "
                f"at terminal status {status!r}",
            )
        )


def _negative(key: str, count: Any) -> Finding:
    return Finding("VOX-E004", "error", f"/{key}", f"{count} is negative: {key} counts calls")


def _check_active_calls(record: Any, status: Any, out: list[Finding]) -> None:
    """VOX-E008, VOX-E007, VOX-W004."""
    concurrency, active = record.concurrency, record.active_concurrency
    _check_concurrency(concurrency, out)
    if active is GONE:
        return
    # Above an out-of-range concurrency (VOX-E008 fired) the upper bound means nothing.
    bounded = concurrency is not GONE and 1 <= concurrency <= 100
    if active < 0 or (bounded and active > concurrency):
        out.append(
            Finding(
                "VOX-E007",
                "error",
                "/active_concurrency",
                f"{active} is not within 0..concurrency ({concurrency})",
            )
        )
    elif active > 0 and status is not GONE and status != "ongoing":
        out.append(
            Finding(
                "VOX-W004",
                "warning",
                "/active_concurrency",
                f"{active} calls are active although status {status!r} is not ongoing",
            )
        )


def _check_timestamps(record: Any, out: list[Finding]) -> None:
    """VOX-E009, then VOX-E010 on the millisecond values only (no cascade of findings)."""
    created_at = record.created_at
    finished_at = record.finished_at
    paused_at = record.paused_at
    stamps = (
        ("created_at", created_at),
        ("scheduled_at", record.scheduled_at),
        ("finished_at", finished_at),
        ("paused_at", paused_at),
    )
    seconds = set()
    for key, stamp in stamps:
        if stamp is not None and stamp is not GONE and _SECONDS_MIN <= abs(stamp) < _SECONDS_END:
            seconds.add(key)
            out.append(
                Finding(
                    "VOX-E009",
                    "error",
                    f"/{key}",
                    f"{stamp} looks like unix seconds (10 or 11 digits); {key} is unix milliseconds",
                )
            )
    if not _is_record(created_at) or "created_at" in seconds:
        return
    for key, later in (("finished_at", finished_at), ("paused_at", paused_at)):
        if _is_record(later) and key not in seconds and created_at > later:
            out.append(
                Finding(
                    "VOX-E010", "error", f"/{key}", f"{later} is before created_at {created_at}"
                )
            )


def campaign_is_quiet(record: Any) -> bool:
    """True only when ``check_campaign(record)`` would find nothing, in one straight pass.

    ``record`` must be a fully decoded, schema-valid campaign with every member present (a
    struct from the msgspec tier): no ``GONE`` and integer counts. Conservative: False only
    means "run the rules"; tests check it never says True where a rule fires.
    """
    name = record.name
    if not 0 < len(name) <= 255 or name.isspace():
        return False
    number = record.from_number
    if not (number.isdigit() and number.isascii()):
        return False
    number = record.presentation_number
    if number is not None and not (number.isdigit() and number.isascii()):
        return False
    status = record.status
    finished_at = record.finished_at
    if (finished_at is None) == (status in _TERMINAL):  # VOX-E002 / VOX-W001
        return False
    paused_at, paused_by = record.paused_at, record.paused_by
    if status == "paused":
        if paused_at is None or paused_by is None:
            return False
        if paused_by == "system" and record.call_time_window is None:
            return False
    elif paused_at is not None or paused_by is not None:
        return False
    total, completed, failed = record.total_calls, record.completed_calls, record.failed_calls
    if completed < 0 or failed < 0:
        return False
    done = completed + failed  # a negative total is less than done
    if done > total or (done != total and status in _TERMINAL):
        return False
    concurrency, active = record.concurrency, record.active_concurrency
    if not (1 <= concurrency <= 100 and 0 <= active <= concurrency):
        return False
    if active and status != "ongoing":
        return False
    created_at = record.created_at
    if _SECONDS_MIN <= abs(created_at) < _SECONDS_END:
        return False
    scheduled_at = record.scheduled_at
    if scheduled_at is not None and _SECONDS_MIN <= abs(scheduled_at) < _SECONDS_END:
        return False
    for stamp in (finished_at, paused_at):
        if stamp is not None and (_SECONDS_MIN <= abs(stamp) < _SECONDS_END or created_at > stamp):
            return False
    setting = record.call_time_window
    if setting is not None:
        if setting.timezone not in _time_zones():
            return False
        for window in setting.windows:
            if not 0 <= window.start_min < window.end_min <= 1440:
                return False
            days = window.days
            if not days or len(set(days)) != len(days):
                return False
    return True


def check_create_request(record: Any) -> list[Finding]:
    """The business rules of a campaign create request."""
    out: list[Finding] = []
    _check_name(record.name, out)
    _check_number("from_number", record.from_number, out)
    _check_number("presentation_number", record.presentation_number, out)
    _check_concurrency(record.concurrency, out)
    setting = record.call_time_window
    if _is_record(setting):
        _check_windows(setting, out)
    return out


def check_update_request(record: Any) -> list[Finding]:
    """The business rules of a campaign update request."""
    out: list[Finding] = []
    _check_name(record.name, out)
    setting = record.call_time_window
    if _is_record(setting):
        _check_windows(setting, out)
    return out


def _no_rules(record: Any) -> list[Finding]:
    del record
    return []


CHECKERS: dict[str, Checker] = {
    CAMPAIGN: check_campaign,
    CREATE: check_create_request,
    UPDATE: check_update_request,
    ENVELOPE: _no_rules,
}


def checker_for(schema: str) -> Checker:
    return CHECKERS.get(schema, _no_rules)


def _never_quiet(record: Any) -> bool:
    del record
    return False


def quiet_for(schema: str) -> Callable[[Any], bool]:
    """The quick "no rule fires" test of a decoded struct of ``schema`` (False: run the rules)."""
    return campaign_is_quiet if schema == CAMPAIGN else _never_quiet


def without(record: dict[str, Any], rejected: Iterable[Path]) -> dict[str, Any] | None:
    """A copy of ``record`` without the members at ``rejected`` paths (list items become GONE).

    None when the record itself is rejected. Only the containers on a rejected path are copied.
    """
    paths = list(rejected)
    if any(not path for path in paths):
        return None
    root: dict[str, Any] = dict(record)
    copied: set[int] = {id(root)}
    for path in paths:
        container: Any = root
        for token in path[:-1]:
            try:
                child = container[token]
            except (KeyError, IndexError, TypeError):
                break
            if type(child) not in (dict, list):
                break
            if id(child) not in copied:
                child = dict(child) if type(child) is dict else list(child)
                copied.add(id(child))
                container[token] = child
            container = child
        else:
            last = path[-1]
            if type(container) is dict:
                container.pop(last, None)
            elif type(container) is list and type(last) is int and 0 <= last < len(container):
                container[last] = GONE
    return root
