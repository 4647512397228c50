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
# The longest single wait, whatever the caps: a server asking for more (a date in the year 9999)
# gets no retry, and no sleep is ever too long for the clock to represent.
MAX_WAIT = 24 * 3600.0
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
      past it. No single wait is longer than ``MAX_WAIT`` (a day), whatever the caps. (The call's own deadline, its ``timeout``, bounds the waits in the same way; see
      ``vox_client._transport``.)
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    total_budget: float = 120.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, not {self.max_retries}")
        for name in ("max_retry_after", "total_budget"):
            value = getattr(self, name)
            # inf is allowed (no cap); nan would make every comparison false.
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise ValueError(f"{value!r} is not a {name}: a number of seconds >= 0")

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

    def fits_budget(
        self, started: float, delay: float, clock: Clock, deadline: float | None = None
    ) -> bool:
        """Whether a wait of ``delay`` ends inside the budget, and before ``deadline`` (a
        ``clock.monotonic()`` time) when the call has one."""
        if not delay <= MAX_WAIT:  # inf (or a year) would raise OverflowError in sleep()
            return False
        now = clock.monotonic()
        if deadline is not None and now + delay >= deadline:
            return False
        return now - started + delay <= self.total_budget


def status_is_retryable(method: str, status_code: int) -> bool:
    return method.upper() in IDEMPOTENT_METHODS and status_code in RETRY_STATUSES


def error_is_retryable(method: str, error: httpx.TransportError) -> bool:
    if isinstance(error, NOT_SENT_ERRORS):
        return True
    return method.upper() in IDEMPOTENT_METHODS


def parse_retry_after(value: str, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP date.

    Unparseable values give ``None`` (then the usual backoff applies); a date in the past is 0.
    A value too large to represent (digits by the hundred, a date in the year 10**20) is
    ``math.inf``: longer than any cap, so the answer is not retried.
    """
    text = value.strip()
    if text.isdigit() and text.isascii():
        # delta-seconds (RFC 9110 10.2.3): only digits, any number of them.
        return float(text) if len(text) <= 15 else math.inf
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        except OverflowError:  # a year, day or offset beyond what datetime holds
            return math.inf
        if moment.tzinfo is None:  # RFC 9110 dates are GMT
            return None
        try:
            return max(0.0, moment.timestamp() - now)
        except (OverflowError, OSError):
            return math.inf
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
