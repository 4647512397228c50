"""Sending with retries; the one place where httpx exceptions become ``vox_client`` exceptions."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from vox_client._exceptions import APIConnectionError, APITimeoutError
from vox_client._retry import Clock, RetryPolicy, error_is_retryable, status_is_retryable

logger = logging.getLogger("vox_client")


_TIMEOUT_KINDS: dict[type[httpx.TimeoutException], str] = {
    httpx.ConnectTimeout: "connect timeout",
    httpx.ReadTimeout: "read timeout",
    httpx.WriteTimeout: "write timeout",
    httpx.PoolTimeout: "pool timeout",
}


def _where(request: httpx.Request | None) -> str:
    # Scheme, host, port and path only: never userinfo or query, where a credential could hide.
    if request is None:
        return "the request"
    url = request.url
    port = f":{url.port}" if url.port is not None else ""
    return f"{request.method} {url.scheme}://{url.host}{port}{url.path}"


def translate(error: httpx.TransportError, request: httpx.Request | None) -> APIConnectionError:
    """An httpx transport error as a ``vox_client`` error (``raise ... from`` keeps the cause)."""
    if isinstance(error, httpx.TimeoutException):
        kind = _TIMEOUT_KINDS.get(type(error), "timeout")
        return APITimeoutError(f"{kind} on {_where(request)}", request=request)
    return APIConnectionError(
        f"connection error on {_where(request)}: {type(error).__name__}: {error}", request=request
    )


def _request_of(error: httpx.TransportError) -> httpx.Request | None:
    try:
        return error.request
    except RuntimeError:  # httpx raises when the error was made without a request
        return None


def _log_retry(
    method: str, url: str, *, reason: str, delay: float, retry: int, policy: RetryPolicy
) -> None:
    logger.info(
        "retrying %s %s after %s in %.2fs (retry %d of %d)",
        method,
        url,
        reason,
        delay,
        retry + 1,
        policy.max_retries,
    )


class SyncSender:
    """Sends one operation's request through an ``httpx.Client``, retrying as the policy allows."""

    def __init__(self, http: httpx.Client, policy: RetryPolicy, clock: Clock) -> None:
        self._http = http
        self._policy = policy
        self._clock = clock

    def send(self, kwargs: dict[str, Any], timeout: httpx.Timeout) -> httpx.Response:
        method = str(kwargs["method"]).upper()
        url = str(kwargs["url"])
        started = self._clock.monotonic()
        retry = 0
        while True:
            try:
                response = self._http.request(**kwargs, timeout=timeout)
            except httpx.TransportError as exc:
                delay = _delay_after_error(
                    self._policy, self._clock, method, exc, retry=retry, started=started
                )
                if delay is None:
                    raise translate(exc, _request_of(exc)) from exc
                _log_retry(
                    method,
                    url,
                    reason=type(exc).__name__,
                    delay=delay,
                    retry=retry,
                    policy=self._policy,
                )
            else:
                delay = _delay_after_status(
                    self._policy, self._clock, method, response, retry=retry, started=started
                )
                if delay is None:
                    return response
                response.close()
                _log_retry(
                    method,
                    url,
                    reason=f"HTTP {response.status_code}",
                    delay=delay,
                    retry=retry,
                    policy=self._policy,
                )
            self._clock.sleep(delay)
            retry += 1


class AsyncSender:
    """The ``httpx.AsyncClient`` twin of ``SyncSender``."""

    def __init__(self, http: httpx.AsyncClient, policy: RetryPolicy, clock: Clock) -> None:
        self._http = http
        self._policy = policy
        self._clock = clock

    async def send(self, kwargs: dict[str, Any], timeout: httpx.Timeout) -> httpx.Response:
        method = str(kwargs["method"]).upper()
        url = str(kwargs["url"])
        started = self._clock.monotonic()
        retry = 0
        while True:
            try:
                response = await self._http.request(**kwargs, timeout=timeout)
            except httpx.TransportError as exc:
                delay = _delay_after_error(
                    self._policy, self._clock, method, exc, retry=retry, started=started
                )
                if delay is None:
                    raise translate(exc, _request_of(exc)) from exc
                _log_retry(
                    method,
                    url,
                    reason=type(exc).__name__,
                    delay=delay,
                    retry=retry,
                    policy=self._policy,
                )
            else:
                delay = _delay_after_status(
                    self._policy, self._clock, method, response, retry=retry, started=started
                )
                if delay is None:
                    return response
                await response.aclose()
                _log_retry(
                    method,
                    url,
                    reason=f"HTTP {response.status_code}",
                    delay=delay,
                    retry=retry,
                    policy=self._policy,
                )
            await self._clock.asleep(delay)
            retry += 1


def _delay_after_error(
    policy: RetryPolicy,
    clock: Clock,
    method: str,
    exc: httpx.TransportError,
    *,
    retry: int,
    started: float,
) -> float | None:
    if retry >= policy.max_retries or not error_is_retryable(method, exc):
        return None
    delay = policy.backoff(retry, clock)
    return delay if policy.fits_budget(started, delay, clock) else None


def _delay_after_status(
    policy: RetryPolicy,
    clock: Clock,
    method: str,
    response: httpx.Response,
    *,
    retry: int,
    started: float,
) -> float | None:
    if retry >= policy.max_retries or not status_is_retryable(method, response.status_code):
        return None
    delay = policy.delay_for_status(response, retry, clock)
    if delay is None or not policy.fits_budget(started, delay, clock):
        return None
    return delay
