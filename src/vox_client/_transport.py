"""Sending with retries, a deadline and a size limit, and logging; the one place where httpx
exceptions become ``vox_client`` exceptions.

**The deadline.** A call's ``timeout`` bounds the whole call, retries and the waits between them
included (``per_attempt_timeout=True``: each attempt instead, and ``retry_budget`` the call).
It is enforced three ways, since httpx's own timeouts bound one read or write each, not a
body that drips a byte at a time:

- no wait starts that would end past the deadline, and a retry's phase timeouts are cut to
  what is left;
- in the ``httpx.Client`` the client makes itself, every socket connect, read and write is
  cut to what is left (``_DeadlineBackend``, an httpcore network backend), so a head or body
  that drips ends at the deadline;
- the body is read in chunks, and the deadline checked after each (with a transport or
  ``http_client`` of your own, this check is what bounds a dripping body); ``AsyncClient``
  runs each attempt under ``asyncio.timeout``, which bounds everything.

**The size limit.** The body is streamed and Content-Encoding (gzip, deflate) undone here,
chunk by chunk, with the output counted: an answer over ``max_response_size`` decoded bytes is
``ResponseTooLargeError`` as soon as it gets there, so a gzip bomb or an endless body costs at
most the limit in memory.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

from vox_client._exceptions import (
    APIConnectionError,
    APITimeoutError,
    ResponseTooLargeError,
    VoxError,
    printable,
    where,
)
from vox_client._retry import Clock, RetryPolicy, error_is_retryable, status_is_retryable

logger = logging.getLogger("vox_client")

# A socket timeout of 0 would mean "non-blocking", not "now": past the deadline, an operation
# gets this long, then times out.
_AT_ONCE = 0.001
# Asked for, so decoded here (br and zstd are not: their decoders cannot bound their output).
ACCEPT_ENCODING = "gzip, deflate"

_TIMEOUT_KINDS: dict[type[httpx.TimeoutException], str] = {
    httpx.ConnectTimeout: "connect timeout",
    httpx.ReadTimeout: "read timeout",
    httpx.WriteTimeout: "write timeout",
    httpx.PoolTimeout: "pool timeout",
}


class Deadline:
    """When one call (or attempt) must be over, on the client's clock; what ``timeout`` said."""

    __slots__ = ("at", "clock", "seconds")

    def __init__(self, clock: Clock, seconds: float) -> None:
        self.clock = clock
        self.seconds = seconds
        self.at = clock.monotonic() + seconds

    def left(self) -> float:
        return self.at - self.clock.monotonic()

    def cut(self, timeout: float | None) -> float:
        """``timeout`` (``None``: no limit), no longer than what is left."""
        left = max(self.left(), _AT_ONCE)
        return left if timeout is None else min(timeout, left)

    def over(self) -> bool:
        return self.left() <= 0

    def passed(self) -> bool:
        """For messages: a socket timeout may fire a hair early, so 10 ms before counts."""
        return self.left() <= 0.01


# The deadline of the call running in this thread (or task), read by the network backend.
_DEADLINE: ContextVar[Deadline | None] = ContextVar("vox_client_deadline", default=None)


def _cut(timeout: float | None) -> float | None:
    deadline = _DEADLINE.get()
    return timeout if deadline is None else deadline.cut(timeout)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the call's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _cut(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _cut(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, _cut(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's sockets, each operation cut to the deadline of the call that runs it."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, _cut(timeout), local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(path, _cut(timeout), socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def deadline_transport() -> httpx.HTTPTransport:
    """httpx's default transport (as ``httpx.Client()`` makes it), its sockets cut to deadlines.

    httpx does not take a network backend, so it is put into the transport's connection pool;
    should a later httpx arrange the pool differently, the transport is used as it is (the
    deadline is then checked between chunks only, as with a transport of your own).
    """
    transport = httpx.HTTPTransport()
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(pool, httpcore.ConnectionPool) and isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = _DeadlineBackend(backend)
    return transport


# --- errors ----------------------------------------------------------------------------------


def _where(request: httpx.Request | None) -> str:
    # Scheme, host, port and path only (as sent, percent-encoded): never userinfo or query,
    # where a credential could hide, and never a decoded control character.
    if request is None:
        return "the request"
    url = request.url
    port = f":{url.port}" if url.port is not None else ""
    method, path = where(request).split(" ", 1)
    return f"{method} {url.scheme}://{printable(url.host)}{port}{path}"


def translate(
    error: httpx.TransportError,
    request: httpx.Request | None,
    *,
    deadline: Deadline | None = None,
    secrets: tuple[str, ...] = (),
) -> APIConnectionError:
    """An httpx transport error as a ``vox_client`` error (``raise ... from`` keeps the cause).

    A credential the error's text quotes (as h11 quotes a header it refuses) is masked.
    """
    if isinstance(error, httpx.TimeoutException):
        kind = _TIMEOUT_KINDS.get(type(error), "timeout")
        text = f"{kind} on {_where(request)}"
        if deadline is not None and deadline.passed():
            text += f" (the {deadline.seconds:g} s timeout ran out)"
        return APITimeoutError(text, request=request)
    detail = printable(_masked(str(error), secrets))
    return APIConnectionError(
        f"connection error on {_where(request)}: {type(error).__name__}: {detail}",
        request=request,
    )


def _masked(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, "**********")
    return text


def _secrets(request: httpx.Request) -> tuple[str, ...]:
    """The credentials a request carries: the key, and any cookie or proxy credential."""
    found: list[str] = []
    for name in _REDACTED:
        value = request.headers.get(name)
        if value:
            found.append(value)
            _, _, token = value.partition(" ")
            if len(token) >= 4:
                found.append(token)
    return tuple(found)


def _quotes(error: BaseException, secrets: tuple[str, ...]) -> bool:
    texts = (str(error), repr(error))
    return any(secret in text for secret in secrets for text in texts)


def _request_of(error: httpx.TransportError) -> httpx.Request | None:
    try:
        return error.request
    except RuntimeError:  # httpx raises when the error was made without a request
        return None


def _undecodable(request: httpx.Request, error: httpx.DecodingError) -> APIConnectionError:
    return APIConnectionError(
        f"the answer to {_where(request)} could not be decoded: {printable(str(error))}",
        request=request,
    )


def _decoding_error(response: httpx.Response, encoding: str, error: Exception) -> VoxError:
    return APIConnectionError(
        f"the body of HTTP {response.status_code} from {_where(response.request)} is not valid "
        f"{printable(encoding)}: {printable(str(error))}",
        request=response.request,
    )


# --- logging ---------------------------------------------------------------------------------

_REDACTED = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def redacted(headers: httpx.Headers) -> dict[str, str]:
    """Headers as a dict for a log line, each credential replaced by ``[redacted]`` and what the
    server sent escaped."""
    return {
        printable(name): "[redacted]" if name.lower() in _REDACTED else printable(value)
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
        request_id = outcome.headers.get("x-request-id")
        logger.info(
            "%s -> %d %s [request id %s] (attempt %d of %d, %.1f ms)",
            where,
            outcome.status_code,
            printable(outcome.reason_phrase),
            None if request_id is None else printable(request_id),
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


# --- the body --------------------------------------------------------------------------------


class _Body:
    """The body as it arrives: Content-Encoding undone chunk by chunk, every stage's output
    counted against ``limit``, so no chunk of a bomb is ever inflated past it."""

    __slots__ = ("_heads", "_parts", "_response", "_sizes", "_stages", "limit")

    def __init__(self, response: httpx.Response, limit: int) -> None:
        self.limit = limit
        self._response = response
        self._parts: list[bytes] = []
        encodings = [
            value.strip().lower()
            for value in response.headers.get_list("content-encoding", split_commas=True)
        ]
        # One decompressor per encoding, undone last first (they are listed in the order they
        # were applied). A deflate stage waits for its first two bytes to tell zlib-wrapped
        # data (what the RFC says) from raw deflate (what some servers send), as httpx does.
        self._stages: list[Any] = []
        self._heads: list[bytes | None] = []
        for encoding in reversed([e for e in encodings if e and e != "identity"]):
            if encoding in ("gzip", "x-gzip"):
                self._stages.append(zlib.decompressobj(16 + zlib.MAX_WBITS))
                self._heads.append(None)
            elif encoding == "deflate":
                self._stages.append(None)
                self._heads.append(b"")
            else:
                raise APIConnectionError(
                    f"HTTP {response.status_code} from {_where(response.request)} has "
                    f"Content-Encoding {printable(encoding)!r}, which the client did not ask for "
                    f"(it asks for {ACCEPT_ENCODING})",
                    request=response.request,
                )
        # _sizes[0]: bytes as they came; _sizes[i]: bytes out of stage i - 1.
        self._sizes = [0] * (len(self._stages) + 1)
        length = response.headers.get("content-length", "")
        if not self._stages and length.isdigit() and int(length) > limit:
            raise ResponseTooLargeError(limit=limit, response=response)

    def feed(self, data: bytes) -> None:
        if not self._stages:
            self._count(0, data)
        for index in range(len(self._stages)):
            if not data:
                return
            data = self._inflate(index, data)
        if data:
            self._parts.append(data)

    def _inflate(self, index: int, data: bytes) -> bytes:
        head = self._heads[index]
        if head is not None:
            head += data
            if len(head) < 2:
                self._heads[index] = head
                return b""
            wrapped = head[0] & 0x0F == 8 and ((head[0] << 8) | head[1]) % 31 == 0
            self._stages[index] = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
            self._heads[index], data = None, head
        room = self.limit + 1 - self._sizes[index + 1]
        try:
            # At most one byte past the limit: a bomb is never inflated further.
            out: bytes = self._stages[index].decompress(data, room)
        except zlib.error as exc:
            raise _decoding_error(self._response, "gzip or deflate data", exc) from None
        self._count(index + 1, out)
        return out

    def _count(self, stage: int, data: bytes) -> None:
        self._sizes[stage] += len(data)
        if self._sizes[stage] > self.limit:
            raise ResponseTooLargeError(
                limit=self.limit, response=self._response, read=self._sizes[stage]
            )

    def content(self) -> bytes:
        """The whole decoded body, once the last chunk is in."""
        carry = b""
        for index in range(len(self._stages)):
            out = self._inflate(index, carry) if carry or self._heads[index] else b""
            stage = self._stages[index]
            rest: bytes = stage.flush() if stage is not None else b""
            self._count(index + 1, rest)
            carry = out + rest
        if carry:
            self._parts.append(carry)
        return b"".join(self._parts)


def _already_read(response: httpx.Response, limit: int) -> bool:
    # A transport that built its response from bytes (httpx.MockTransport) has read it already.
    if not response.is_stream_consumed:
        return False
    if len(response.content) > limit:
        raise ResponseTooLargeError(limit=limit, response=response, read=len(response.content))
    return True


def _deadline_error(request: httpx.Request, deadline: Deadline) -> httpx.ReadTimeout:
    return httpx.ReadTimeout(f"the {deadline.seconds:g} s timeout ran out", request=request)


def read_body(response: httpx.Response, limit: int, deadline: Deadline | None) -> None:
    """Read the streamed body of ``response`` into it (``response.content``), within ``limit``
    decoded bytes and the deadline; the response is closed either way."""
    try:
        if _already_read(response, limit):
            return
        body = _Body(response, limit)
        for chunk in response.iter_raw():
            body.feed(chunk)
            if deadline is not None and deadline.over():
                raise _deadline_error(response.request, deadline)
        response._content = body.content()
    finally:
        response.close()


async def aread_body(response: httpx.Response, limit: int, deadline: Deadline | None) -> None:
    """The awaitable twin of ``read_body``."""
    try:
        if _already_read(response, limit):
            return
        body = _Body(response, limit)
        async for chunk in response.aiter_raw():
            body.feed(chunk)
            if deadline is not None and deadline.over():
                raise _deadline_error(response.request, deadline)
        response._content = body.content()
    finally:
        await response.aclose()


# --- sending ---------------------------------------------------------------------------------


def _cut_timeouts(request: httpx.Request, deadline: Deadline | None) -> None:
    """A retry's phase timeouts, each no longer than what is left of the call."""
    if deadline is None:
        return
    timeouts = request.extensions.get("timeout")
    if isinstance(timeouts, dict):
        request.extensions["timeout"] = {
            phase: deadline.cut(seconds) for phase, seconds in timeouts.items()
        }


class _Sender:
    def __init__(self, policy: RetryPolicy, clock: Clock, per_attempt: bool) -> None:
        self._policy = policy
        self._clock = clock
        self._per_attempt = per_attempt

    def _waits(self, deadline: Deadline | None) -> Deadline | None:
        """The deadline a wait must end before: the call's (an attempt's is over by then)."""
        return None if self._per_attempt else deadline

    def _deadline(self, total: float | None, current: Deadline | None) -> Deadline | None:
        if total is None:
            return None
        if current is None or self._per_attempt:
            return Deadline(self._clock, total)
        return current


class SyncSender(_Sender):
    """Sends one request through an ``httpx.Client``, retrying as the policy allows."""

    def __init__(
        self, http: httpx.Client, policy: RetryPolicy, clock: Clock, per_attempt: bool = False
    ) -> None:
        super().__init__(policy, clock, per_attempt)
        self._http = http

    def send(
        self, request: httpx.Request, *, total: float | None, limit: int
    ) -> tuple[httpx.Response, int]:
        """The final answer, its body read, and the number of retries it took."""
        method = request.method
        policy, clock = self._policy, self._clock
        started = clock.monotonic()
        deadline: Deadline | None = None
        retry = 0
        while True:
            deadline = self._deadline(total, deadline)
            if retry:
                _cut_timeouts(request, deadline)
            logging_on = logger.isEnabledFor(logging.INFO)
            attempt_started = time.perf_counter() if logging_on else 0.0
            failure: APIConnectionError | None = None
            token = _DEADLINE.set(deadline)
            try:
                response, delay = self._exchange(request, deadline, limit, retry, started)
                if logging_on:
                    _log_attempt(
                        request, response, attempt=retry + 1, policy=policy, started=attempt_started
                    )
                if delay is None:
                    return response, retry
                response.close()
                reason = f"HTTP {response.status_code}"
            except httpx.TransportError as exc:
                if logging_on:
                    _log_attempt(
                        request, exc, attempt=retry + 1, policy=policy, started=attempt_started
                    )
                delay = _delay_after_error(
                    policy,
                    clock,
                    method,
                    exc,
                    retry=retry,
                    started=started,
                    deadline=self._waits(deadline),
                )
                if delay is None:
                    failure = _failure(exc, request, deadline)
                    if failure.__cause__ is exc:
                        raise failure from exc
                reason = type(exc).__name__
            except httpx.DecodingError as exc:  # a transport that decoded a body itself
                raise _undecodable(request, exc) from exc
            except VoxError as exc:  # the body: over the size limit, or not decodable
                if logging_on:
                    _log_attempt(
                        request, exc, attempt=retry + 1, policy=policy, started=attempt_started
                    )
                raise
            finally:
                _DEADLINE.reset(token)
            if failure is not None:
                raise failure  # outside the except: no cause or context that quotes a secret
            assert delay is not None  # every other way out of the attempt returned or raised
            _log_retry(request, reason=reason, delay=delay, retry=retry, policy=policy)
            clock.sleep(delay)
            retry += 1

    def _exchange(
        self,
        request: httpx.Request,
        deadline: Deadline | None,
        limit: int,
        retry: int,
        started: float,
    ) -> tuple[httpx.Response, float | None]:
        """One attempt: the answer, and the wait before a retry (``None``: it is final, and its
        body has been read)."""
        # Never follow a redirect: the key stays with the host it was meant for.
        response = self._http.send(request, stream=True, follow_redirects=False)
        delay = None
        if response.status_code >= 400:
            delay = _delay_after_status(
                self._policy,
                self._clock,
                request.method,
                response,
                retry=retry,
                started=started,
                deadline=self._waits(deadline),
            )
        if delay is None:
            read_body(response, limit, deadline)
        return response, delay


class AsyncSender(_Sender):
    """The ``httpx.AsyncClient`` twin of ``SyncSender``; each attempt runs under
    ``asyncio.timeout`` until the deadline."""

    def __init__(
        self, http: httpx.AsyncClient, policy: RetryPolicy, clock: Clock, per_attempt: bool = False
    ) -> None:
        super().__init__(policy, clock, per_attempt)
        self._http = http

    async def send(
        self, request: httpx.Request, *, total: float | None, limit: int
    ) -> tuple[httpx.Response, int]:
        """The final answer, its body read, and the number of retries it took."""
        method = request.method
        policy, clock = self._policy, self._clock
        started = clock.monotonic()
        deadline: Deadline | None = None
        retry = 0
        while True:
            deadline = self._deadline(total, deadline)
            if retry:
                _cut_timeouts(request, deadline)
            logging_on = logger.isEnabledFor(logging.INFO)
            attempt_started = time.perf_counter() if logging_on else 0.0
            failure: APIConnectionError | None = None
            try:
                response, delay = await self._attempt(request, deadline, limit, retry, started)
                if logging_on:
                    _log_attempt(
                        request, response, attempt=retry + 1, policy=policy, started=attempt_started
                    )
                if delay is None:
                    return response, retry
                await response.aclose()
                reason = f"HTTP {response.status_code}"
            except httpx.TransportError as exc:
                if logging_on:
                    _log_attempt(
                        request, exc, attempt=retry + 1, policy=policy, started=attempt_started
                    )
                delay = _delay_after_error(
                    policy,
                    clock,
                    method,
                    exc,
                    retry=retry,
                    started=started,
                    deadline=self._waits(deadline),
                )
                if delay is None:
                    failure = _failure(exc, request, deadline)
                    if failure.__cause__ is exc:
                        raise failure from exc
                reason = type(exc).__name__
            except httpx.DecodingError as exc:  # a transport that decoded a body itself
                raise _undecodable(request, exc) from exc
            except VoxError as exc:  # the body: over the size limit, or not decodable
                if logging_on:
                    _log_attempt(
                        request, exc, attempt=retry + 1, policy=policy, started=attempt_started
                    )
                raise
            if failure is not None:
                raise failure  # outside the except: no cause or context that quotes a secret
            assert delay is not None  # every other way out of the attempt returned or raised
            _log_retry(request, reason=reason, delay=delay, retry=retry, policy=policy)
            await clock.asleep(delay)
            retry += 1

    async def _attempt(
        self,
        request: httpx.Request,
        deadline: Deadline | None,
        limit: int,
        retry: int,
        started: float,
    ) -> tuple[httpx.Response, float | None]:
        """One attempt: the answer, and the wait before a retry (``None``: it is final, and its
        body has been read)."""
        if deadline is None:
            return await self._exchange(request, None, limit, retry, started)
        scope = asyncio.timeout(max(deadline.left(), _AT_ONCE))
        try:
            async with scope:
                return await self._exchange(request, deadline, limit, retry, started)
        except TimeoutError:
            if not scope.expired():
                raise
            raise _deadline_error(request, deadline) from None

    async def _exchange(
        self,
        request: httpx.Request,
        deadline: Deadline | None,
        limit: int,
        retry: int,
        started: float,
    ) -> tuple[httpx.Response, float | None]:
        response = await self._http.send(request, stream=True, follow_redirects=False)
        delay = None
        if response.status_code >= 400:
            delay = _delay_after_status(
                self._policy,
                self._clock,
                request.method,
                response,
                retry=retry,
                started=started,
                deadline=self._waits(deadline),
            )
        if delay is None:
            await aread_body(response, limit, deadline)
        return response, delay


def _failure(
    error: httpx.TransportError, request: httpx.Request, deadline: Deadline | None
) -> APIConnectionError:
    """The error to raise for ``error``; its ``__cause__`` is ``error`` unless ``error``'s own
    text quotes a credential of the request (then it is raised with no cause at all)."""
    secrets = _secrets(request)
    failure = translate(error, _request_of(error), deadline=deadline, secrets=secrets)
    if not _quotes(error, secrets):
        failure.__cause__ = error
    return failure


def _delay_after_error(
    policy: RetryPolicy,
    clock: Clock,
    method: str,
    exc: httpx.TransportError,
    *,
    retry: int,
    started: float,
    deadline: Deadline | None,
) -> float | None:
    if retry >= policy.max_retries or not error_is_retryable(method, exc):
        return None
    delay = policy.backoff(retry, clock)
    at = None if deadline is None else deadline.at
    return delay if policy.fits_budget(started, delay, clock, at) else None


def _delay_after_status(
    policy: RetryPolicy,
    clock: Clock,
    method: str,
    response: httpx.Response,
    *,
    retry: int,
    started: float,
    deadline: Deadline | None,
) -> float | None:
    if retry >= policy.max_retries or not status_is_retryable(method, response.status_code):
        return None
    delay = policy.delay_for_status(response, retry, clock)
    at = None if deadline is None else deadline.at
    if delay is None or not policy.fits_budget(started, delay, clock, at):
        return None
    return delay
