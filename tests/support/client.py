"""Helpers for the strict-client tests: a fake clock and a scripted transport."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.campaigns import spec_campaigns

CAMPAIGNS = spec_campaigns()
DRAFT = next(c for c in CAMPAIGNS.values() if c["status"] == "draft")
TEST_KEY = "voxref_unit_0123456789abcdef0123456789abcdef"


@dataclass
class FakeClock:
    """A clock whose sleeps only move time forward; ``random`` is fixed for exact jitter."""

    now: float = 1000.0
    wall: float = 1_764_464_400.0
    jitter: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.wall + self.now

    def random(self) -> float:
        return self.jitter

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


Step = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Script:
    """Answers requests from a list of steps, in order, and records every request it saw."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.steps:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return step
        return step(request)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def async_transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def campaign_response(campaign: dict[str, Any] | None = None, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=campaign if campaign is not None else DRAFT)


def envelope(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    body = {"error": {"code": code, "message": message, "details": None}}
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def lenient_body(campaign: dict[str, Any]) -> dict[str, Any]:
    """``campaign`` as a newer API might send it: an unknown status and weekday, and a member the
    spec does not list at the top and inside the call window."""
    window = campaign["call_time_window"] or {
        "windows": [{"start_min": 540, "end_min": 1080, "days": ["Monday"]}],
        "timezone": "Asia/Seoul",
        "auto_resume": True,
    }
    first = window["windows"][0]
    days = ["Holiday", *[d for d in first["days"] if d != "Holiday"]]
    if "Monday" not in days:
        days.insert(1, "Monday")
    return {
        **campaign,
        "status": "archived",
        "labels": ["vip"],
        "call_time_window": {
            **window,
            "windows": [{**first, "days": days}, *window["windows"][1:]],
            "holidays": False,
        },
    }
