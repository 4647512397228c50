"""Helpers of the mock's tests: a fake clock for the client's retries, and the two ways to run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from vox_client.testing import MockVox

REPO = Path(__file__).resolve().parents[3]
SPEC_PATH = REPO / "openapi" / "vox-campaigns-v3.yaml"
AGENT = {"agent_id": "550e8400-e29b-41d4-a716-446655440000", "agent_version": "production"}
ONGOING = "cmp_5b6e0f9d13"
DRAFT = "cmp_3f9a1c2e7b"
PENDING = "cmp_8d21b7e04a"
PAUSED_USER = "cmp_1a7c3e5f90"
SUCCESS = "cmp_4c8f1a0e26"
# The clock of campaigns created by the mock in these tests: after every example's created_at.
NOW_MS = 1764464400000


@dataclass
class FakeClock:
    """The client's clock, without real sleeping (the ``_clock`` hook of vox_client)."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return 1_764_464_400.0 + self.now

    def random(self) -> float:
        return 0.0

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def spec_examples() -> dict[str, Any]:
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    examples: dict[str, Any] = spec["components"]["examples"]
    return examples


@contextmanager
def raw_http(mock: MockVox, how: str) -> Iterator[httpx.Client]:
    """A plain httpx client on ``mock``: over a real socket, or through the in-process transport."""
    if how == "socket":
        with mock, httpx.Client(base_url=mock.url) as client:
            yield client
    else:
        with httpx.Client(base_url="http://mock.invalid", transport=mock.transport()) as client:
            yield client


def auth(mock: MockVox) -> dict[str, str]:
    return {"Authorization": f"Bearer {mock.api_key}"}


def body(response: httpx.Response) -> Any:
    return json.loads(response.content)
