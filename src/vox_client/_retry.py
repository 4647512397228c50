"""When to retry, and how long to wait: exponential backoff with jitter, ``Retry-After``, a budget.

The policy is pure (no I/O, no clock of its own): the transports ask it for a decision and do the
waiting through a ``Clock``, which tests replace with a fake one so no test really sleeps.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Protocol

import httpx

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Only these methods are safe to send twice; a PATCH or POST that may have reached the server is
# never repeated (it could rename twice or create two campaigns).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Failures that happen before a single byte of the request leaves: safe to retry for any method.
NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)


class Clock(Protocol):
    """Time as the retry loop sees it."""

    def monotonic(self) -> float: ...

    def time(self) -> float: ...

    def random(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    async def asleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def random(self) -> float:
        return random.random()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times and how long to wait.

    - ``max_retries``: retries after the first attempt (2 means at most 3 attempts).
    - ``initial_delay`` doubles each retry up to ``max_delay``; the wait is then reduced by up to
      25 % at random (jitter), so many clients do not retry in lockstep.
    - ``max_retry_after``: the longest ``Retry-After`` the client honours; a server asking for more
      gets no retry (the error is raised at once, so the caller can decide).
    - ``total_budget``: seconds from the first attempt; no retry starts a wait that would end
      past it.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    total_budget: float = 120.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, not {self.max_retries}")

    def backoff(self, retry: int, clock: Clock) -> float:
        """The wait before retry number ``retry`` (0-based), without a ``Retry-After``."""
        delay = min(self.initial_delay * (2.0**retry), self.max_delay)
        return delay * (1.0 - 0.25 * clock.random())

    def delay_for_status(self, response: httpx.Response, retry: int, clock: Clock) -> float | None:
        """The wait before retrying after ``response``, or ``None`` when it must not be retried."""
        header = response.headers.get("retry-after")
        if header is not None:
            after = parse_retry_after(header, now=clock.time())
            if after is not None:
                return after if after <= self.max_retry_after else None
        return self.backoff(retry, clock)

    def fits_budget(self, started: float, delay: float, clock: Clock) -> bool:
        return clock.monotonic() - started + delay <= self.total_budget


def status_is_retryable(method: str, status_code: int) -> bool:
    return method.upper() in IDEMPOTENT_METHODS and status_code in RETRY_STATUSES


def error_is_retryable(method: str, error: httpx.TransportError) -> bool:
    if isinstance(error, NOT_SENT_ERRORS):
        return True
    return method.upper() in IDEMPOTENT_METHODS


def parse_retry_after(value: str, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP date.

    Unparseable values give ``None`` (then the usual backoff applies); a date in the past is 0.
    """
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:  # RFC 9110 dates are GMT
            return None
        return max(0.0, moment.timestamp() - now)
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
