"""Sending with retries and logging; the one place where httpx exceptions become ``vox_client``
exceptions."""

from __future__ import annotations

import logging
import time

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


_REDACTED = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def redacted(headers: httpx.Headers) -> dict[str, str]:
    """Headers as a dict for a log line, each credential replaced by ``[redacted]``."""
    return {
        name: "[redacted]" if name.lower() in _REDACTED else value
        for name, value in headers.items()
    }


def _log_attempt(
    request: httpx.Request,
    outcome: httpx.Response | BaseException,
    *,
    attempt: int,
    policy: RetryPolicy,
    started: float,
) -> None:
    """One line per attempt: request line, status, request id, attempt, elapsed; at debug level
    also the headers, ``Authorization`` redacted."""
    elapsed_ms = (time.perf_counter() - started) * 1000.0
    where = _where(request)
    attempts = policy.max_retries + 1
    if isinstance(outcome, httpx.Response):
        logger.info(
            "%s -> %d %s [request id %s] (attempt %d of %d, %.1f ms)",
            where,
            outcome.status_code,
            outcome.reason_phrase,
            outcome.headers.get("x-request-id"),
            attempt,
            attempts,
            elapsed_ms,
        )
    else:
        logger.info(
            "%s -> %s (attempt %d of %d, %.1f ms)",
            where,
            type(outcome).__name__,
            attempt,
            attempts,
            elapsed_ms,
        )
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("%s request headers: %s", where, redacted(request.headers))
        if isinstance(outcome, httpx.Response):
            logger.debug("%s response headers: %s", where, redacted(outcome.headers))


def _log_retry(
    request: httpx.Request, *, reason: str, delay: float, retry: int, policy: RetryPolicy
) -> None:
    logger.info(
        "retrying %s after %s in %.2fs (retry %d of %d)",
        _where(request),
        reason,
        delay,
        retry + 1,
        policy.max_retries,
    )


class SyncSender:
    """Sends one request through an ``httpx.Client``, retrying as the policy allows."""

    def __init__(self, http: httpx.Client, policy: RetryPolicy, clock: Clock) -> None:
        self._http = http
        self._policy = policy
        self._clock = clock

    def send(self, request: httpx.Request) -> tuple[httpx.Response, int]:
        """The final answer and the number of retries it took."""
        method = request.method
        policy, clock, http = self._policy, self._clock, self._http
        started = clock.monotonic()
        retry = 0
        while True:
            logging_on = logger.isEnabledFor(logging.INFO)
            attempt_started = time.perf_counter() if logging_on else 0.0
            try:
                # Never follow a redirect: the key stays with the host it was meant for.
                response = http.send(request, follow_redirects=False)
            except httpx.TransportError as exc:
                if logging_on:
                    _log_attempt(
                        request, exc, attempt=retry + 1, policy=policy, started=attempt_started
                    )
                delay = _delay_after_error(policy, clock, method, exc, retry=retry, started=started)
                if delay is None:
                    raise translate(exc, _request_of(exc)) from exc
                reason = type(exc).__name__
            else:
                if logging_on:
                    _log_attempt(
                        request, response, attempt=retry + 1, policy=policy, started=attempt_started
                    )
                if response.status_code < 400:
                    return response, retry
                delay = _delay_after_status(
                    policy, clock, method, response, retry=retry, started=started
                )
                if delay is None:
                    return response, retry
                response.close()
                reason = f"HTTP {response.status_code}"
            _log_retry(request, reason=reason, delay=delay, retry=retry, policy=policy)
            clock.sleep(delay)
            retry += 1


class AsyncSender:
    """The ``httpx.AsyncClient`` twin of ``SyncSender``."""

    def __init__(self, http: httpx.AsyncClient, policy: RetryPolicy, clock: Clock) -> None:
        self._http = http
        self._policy = policy
        self._clock = clock

    async def send(self, request: httpx.Request) -> tuple[httpx.Response, int]:
        """The final answer and the number of retries it took."""
        method = request.method
        policy, clock, http = self._policy, self._clock, self._http
        started = clock.monotonic()
        retry = 0
        while True:
            logging_on = logger.isEnabledFor(logging.INFO)
            attempt_started = time.perf_counter() if logging_on else 0.0
            try:
                response = await http.send(request, follow_redirects=False)
            except httpx.TransportError as exc:
                if logging_on:
                    _log_attempt(
                        request, exc, attempt=retry + 1, policy=policy, started=attempt_started
                    )
                delay = _delay_after_error(policy, clock, method, exc, retry=retry, started=started)
                if delay is None:
                    raise translate(exc, _request_of(exc)) from exc
                reason = type(exc).__name__
            else:
                if logging_on:
                    _log_attempt(
                        request, response, attempt=retry + 1, policy=policy, started=attempt_started
                    )
                if response.status_code < 400:
                    return response, retry
                delay = _delay_after_status(
                    policy, clock, method, response, retry=retry, started=started
                )
                if delay is None:
                    return response, retry
                await response.aclose()
                reason = f"HTTP {response.status_code}"
            _log_retry(request, reason=reason, delay=delay, retry=retry, policy=policy)
            await clock.asleep(delay)
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
