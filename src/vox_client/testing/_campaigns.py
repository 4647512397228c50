"""Campaigns as the mock stores them: the spec's examples, the lifecycle, and the check of both.

The lifecycle (the docs name the seven statuses and say ``success``, ``fail`` and ``canceled`` are
terminal; they print no graph, so this one is the mock's decision, drawn from the status names)::

    draft ──> pending ──> ongoing <──> paused
      │          │           │            │
      └──────────┴───────────┴────────────┴──> canceled
                             │            │
                             └────────────┴──> success, fail

A move sets what the business rules tie to the status: ``finished_at`` on a terminal status,
``paused_at`` and ``paused_by`` while ``paused`` (null otherwise), ``active_concurrency`` only while
``ongoing``, and on a terminal status every call is counted (``success``: the calls left
completed; ``fail`` and ``canceled``: the calls left failed, since ``failed_calls`` counts failed
and canceled calls together).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from vox_validators import Finding, validate

Campaign = dict[str, Any]

TERMINAL = frozenset({"success", "fail", "canceled"})
EDITABLE = ("draft", "pending", "paused")

#: Where each status may go next (``advance``); terminal statuses go nowhere.
LIFECYCLE: Mapping[str, tuple[str, ...]] = {
    "draft": ("pending", "canceled"),
    "pending": ("ongoing", "canceled"),
    "ongoing": ("paused", "success", "fail", "canceled"),
    "paused": ("ongoing", "success", "fail", "canceled"),
    "success": (),
    "fail": (),
    "canceled": (),
}

ALL_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
#: The call window a created campaign gets when the request sends none (08:00-20:00 every day).
DEFAULT_WINDOW: dict[str, Any] = {
    "windows": [{"start_min": 480, "end_min": 1200, "days": ALL_DAYS}],
    "timezone": "Asia/Seoul",
    "auto_resume": True,
}


class LifecycleError(ValueError):
    """A move the campaign lifecycle does not allow (``MockVox.advance``)."""


@cache
def _examples() -> dict[str, Campaign]:
    # A copy of the spec's example campaigns (components/examples), shipped with the package
    # because the spec itself is not; a test keeps the two equal.
    text = resources.files(__package__).joinpath("_examples.json").read_text(encoding="utf-8")
    examples: dict[str, Campaign] = json.loads(text)
    return examples


def example_campaigns() -> list[Campaign]:
    """The spec's eight example campaigns (one per status, paused by user and by system)."""
    return [copy.deepcopy(c) for c in _examples().values()]


def base_for(status: object, paused_by: object) -> Campaign:
    """The spec example closest to the wanted status: the template of ``MockVox.add``."""
    for campaign in _examples().values():
        if campaign["status"] == status and (
            paused_by is None or campaign["paused_by"] == paused_by
        ):
            return copy.deepcopy(campaign)
    for campaign in _examples().values():
        if campaign["status"] == status:
            return copy.deepcopy(campaign)
    return copy.deepcopy(_examples()["CampaignDraft"])


def findings_of(campaign: object) -> list[Finding]:
    """Every finding (errors and warnings) of a campaign body: the mock sends none of them."""
    return validate(campaign, "Campaign")


def checked(campaign: Campaign, what: str) -> Campaign:
    """``campaign`` if it passes the schema and every business rule; else ``ValueError``."""
    findings = findings_of(campaign)
    if findings:
        listed = "; ".join(f"{f.rule} at {f.path or '/'}: {f.message}" for f in findings)
        raise ValueError(f"{what} is not a valid campaign: {listed}")
    return campaign


def moved(campaign: Campaign, status: str, *, now_ms: int, paused_by: str) -> Campaign:
    """A copy of ``campaign`` moved to ``status``, or ``LifecycleError``."""
    current = campaign["status"]
    allowed = LIFECYCLE.get(current, ())
    if status not in allowed:
        allowed_text = ", ".join(allowed) if allowed else "nothing (it is terminal)"
        raise LifecycleError(
            f"{status!r} cannot follow {current!r} (campaign {campaign['id']!r}); "
            f"{current!r} may move to {allowed_text}"
        )
    if status == "paused" and paused_by == "system" and campaign.get("call_time_window") is None:
        raise LifecycleError(
            f"'system' cannot pause campaign {campaign['id']!r}: the system pauses a campaign when "
            "its call window closes, and call_time_window is null"
        )
    result = copy.deepcopy(campaign)
    # No timestamp before created_at (VOX-E010), whatever the clock says.
    stamp = max(now_ms, int(result["created_at"]))
    total, completed, failed = (
        int(result["total_calls"]),
        int(result["completed_calls"]),
        int(result["failed_calls"]),
    )
    result["status"] = status
    result["paused_at"] = None
    result["paused_by"] = None
    result["active_concurrency"] = 0
    if status == "ongoing":
        result["active_concurrency"] = max(
            0, min(int(result["concurrency"]), total - completed - failed)
        )
    elif status == "paused":
        result["paused_at"] = stamp
        result["paused_by"] = paused_by
    elif status in TERMINAL:
        result["finished_at"] = stamp
        left = max(0, total - completed - failed)
        if status == "success":
            result["completed_calls"] = completed + left
        else:
            result["failed_calls"] = failed + left
    return checked(result, f"campaign {result['id']!r} moved to {status!r}")


def progressed(campaign: Campaign, *, completed: int, failed: int) -> Campaign:
    """A copy of an ``ongoing`` or ``paused`` campaign with more calls done."""
    if campaign["status"] not in ("ongoing", "paused"):
        raise LifecycleError(
            f"campaign {campaign['id']!r} is {campaign['status']!r}: only an ongoing or paused "
            "campaign places calls"
        )
    if completed < 0 or failed < 0:
        raise ValueError(f"{min(completed, failed)} is negative: calls are only ever added")
    result = copy.deepcopy(campaign)
    result["completed_calls"] = int(result["completed_calls"]) + completed
    result["failed_calls"] = int(result["failed_calls"]) + failed
    left = int(result["total_calls"]) - result["completed_calls"] - result["failed_calls"]
    if left < 0:
        raise ValueError(
            f"{completed} + {failed} more calls exceed total_calls {result['total_calls']} "
            f"of campaign {result['id']!r}"
        )
    if result["status"] == "ongoing":
        result["active_concurrency"] = min(int(result["concurrency"]), left)
    return checked(result, f"campaign {result['id']!r}")
