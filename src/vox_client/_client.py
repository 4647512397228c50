"""``Client`` and ``AsyncClient``: requests from the generated operations, with auth, retries,
logging and checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache, cached_property, lru_cache
from importlib import metadata
from types import TracebackType
from typing import Any, Self

import httpx

from vox_client._config import (
    DEFAULT_MAX_RESPONSE_SIZE,
    Secret,
    TimeoutTypes,
    call_deadline,
    checked_headers,
    checked_max_response_size,
    resolve_api_key,
    resolve_base_url,
    resolve_timeout,
    setup_logging,
)
from vox_client._exceptions import ClientClosedError
from vox_client._models import Campaign
from vox_client._requests import JSONObject, create_kwargs, get_kwargs, update_kwargs
from vox_client._response import APIResponse, campaign_from, status_error
from vox_client._retry import Clock, RetryPolicy, SystemClock
from vox_client._transport import ACCEPT_ENCODING, AsyncSender, SyncSender, deadline_transport

# Values of a query parameter, as httpx takes them.
QueryValue = str | int | float | bool | None
Query = Mapping[str, QueryValue | Sequence[QueryValue]]

_NOT_GIVEN: Any = object()


@cache
def _user_agent() -> str:
    # Read from the distribution's metadata: the client never imports voxkit, the command line
    # that is built on it.
    try:
        version = metadata.version("voxkit")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    return f"voxkit/{version} (vox_client)"


class _Settings:
    """What one client (or one ``with_options`` copy) is configured with; the key as a ``Secret``.

    Everything a call needs that does not change between calls is computed here, once: the
    fixed headers (masked in every repr by ``httpx.Headers``) and the retry policy.
    """

    def __init__(
        self,
        *,
        api_key: Secret,
        base_url: str,
        timeout: httpx.Timeout,
        policy: RetryPolicy,
        strict: bool,
        validate_requests: bool,
        default_headers: dict[str, str],
        clock: Clock,
        max_response_size: int,
        per_attempt_timeout: bool,
    ) -> None:
        self.api_key = api_key
        self.base_url = base_url
        # For reprs: a base URL may carry userinfo, which is a credential too.
        self.display_url = str(httpx.URL(base_url).copy_with(userinfo=b""))
        self.timeout = timeout
        self.policy = policy
        self.strict = strict
        self.validate_requests = validate_requests
        self.default_headers = default_headers
        self.clock = clock
        self.max_response_size = max_response_size
        self.per_attempt_timeout = per_attempt_timeout
        # The seconds a whole call may take (see vox_client._transport): the longest phase.
        self.total = call_deadline(timeout)
        self.timeout_extension = timeout.as_dict()
        # Parsed URLs of recent paths: polling a campaign asks for the same one again and again.
        self.url = lru_cache(maxsize=256)(self._url)
        self.headers = httpx.Headers(
            {
                "User-Agent": _user_agent(),
                "Accept": "application/json",
                **default_headers,
                "Authorization": f"Bearer {api_key.reveal()}",
            }
        )

    @classmethod
    def build(
        cls,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: TimeoutTypes | None,
        max_retries: int,
        max_retry_after: float,
        retry_budget: float,
        strict: bool,
        validate_requests: bool,
        default_headers: Mapping[str, str] | None,
        clock: Clock | None,
        max_response_size: int,
        per_attempt_timeout: bool,
    ) -> _Settings:
        return cls(
            api_key=resolve_api_key(api_key),
            base_url=resolve_base_url(base_url, stacklevel=4),
            timeout=resolve_timeout(timeout),
            policy=RetryPolicy(
                max_retries=max_retries, max_retry_after=max_retry_after, total_budget=retry_budget
            ),
            strict=strict,
            validate_requests=validate_requests,
            default_headers=checked_headers(default_headers, "default_headers"),
            clock=clock if clock is not None else SystemClock(),
            max_response_size=checked_max_response_size(max_response_size),
            per_attempt_timeout=bool(per_attempt_timeout),
        )

    def copy(self, changes: dict[str, Any]) -> _Settings:
        """A copy with the options ``with_options`` was given (the others unchanged)."""
        policy = self.policy
        retry_changes = {
            new: changes[old]
            for old, new in (
                ("max_retries", "max_retries"),
                ("max_retry_after", "max_retry_after"),
                ("retry_budget", "total_budget"),
            )
            if changes.get(old, _NOT_GIVEN) is not _NOT_GIVEN
        }
        if retry_changes:
            policy = RetryPolicy(
                **{
                    "max_retries": policy.max_retries,
                    "initial_delay": policy.initial_delay,
                    "max_delay": policy.max_delay,
                    "max_retry_after": policy.max_retry_after,
                    "total_budget": policy.total_budget,
                    **retry_changes,
                }
            )

        def given(name: str) -> bool:
            return changes.get(name, _NOT_GIVEN) is not _NOT_GIVEN

        headers = self.default_headers
        if given("default_headers"):
            headers = {**headers, **checked_headers(changes["default_headers"], "default_headers")}
        return _Settings(
            api_key=resolve_api_key(changes["api_key"]) if given("api_key") else self.api_key,
            base_url=(
                resolve_base_url(changes["base_url"], stacklevel=4)
                if given("base_url")
                else self.base_url
            ),
            timeout=resolve_timeout(changes["timeout"]) if given("timeout") else self.timeout,
            policy=policy,
            strict=changes["strict"] if given("strict") else self.strict,
            validate_requests=(
                changes["validate_requests"]
                if given("validate_requests")
                else self.validate_requests
            ),
            default_headers=headers,
            clock=self.clock,
            max_response_size=(
                checked_max_response_size(changes["max_response_size"])
                if given("max_response_size")
                else self.max_response_size
            ),
            per_attempt_timeout=(
                bool(changes["per_attempt_timeout"])
                if given("per_attempt_timeout")
                else self.per_attempt_timeout
            ),
        )

    def _url(self, path: str) -> httpx.URL:
        return httpx.URL(self.base_url + path)

    def call_timeout(self, timeout: TimeoutTypes | None) -> httpx.Timeout:
        return self.timeout if timeout is None else resolve_timeout(timeout)

    def call_total(self, timeout: TimeoutTypes | None) -> float | None:
        """The seconds this call may take in all (its own ``timeout=``, else the client's)."""
        return self.total if timeout is None else call_deadline(resolve_timeout(timeout))

    def call_headers(self, extra_headers: Mapping[str, str] | None) -> httpx.Headers:
        if not extra_headers:
            return self.headers
        headers = self.headers.copy()
        headers.update(checked_headers(extra_headers, "extra_headers"))
        return headers

    def describe(self, cls: str) -> str:
        return (
            f"{cls}(base_url={self.display_url!r}, api_key={self.api_key!r}, strict={self.strict}, "
            f"max_retries={self.policy.max_retries})"
        )


def _request(
    http: httpx.Client | httpx.AsyncClient,
    made_here: bool,
    settings: _Settings,
    kwargs: dict[str, Any],
    *,
    extra_headers: Mapping[str, str] | None,
    extra_query: Query | None,
    timeout: TimeoutTypes | None,
) -> httpx.Request:
    headers = settings.call_headers(extra_headers)
    if "headers" in kwargs:  # Content-Type of a body
        headers = headers.copy()
        headers.update(kwargs["headers"])
    if not made_here:
        # build_request: a user's http_client adds its own defaults (headers, cookies, params)
        # as it would to any request of theirs; but only the encodings the client decodes
        # itself, counting the output (httpx would add br and zstd when they are installed).
        if "accept-encoding" not in headers:
            headers = headers.copy()
            headers["Accept-Encoding"] = ACCEPT_ENCODING
        return http.build_request(
            kwargs["method"],
            settings.base_url + kwargs["url"],
            headers=headers,
            params=extra_query,
            json=kwargs.get("json"),
            timeout=settings.call_timeout(timeout),
        )
    # The client made here has no defaults to merge: the request is built directly, from a URL
    # parsed once per path and the timeout converted once (what build_request redoes per call).
    return httpx.Request(
        kwargs["method"],
        settings.url(kwargs["url"]),
        params=extra_query,
        headers=headers,
        json=kwargs.get("json"),
        extensions={
            "timeout": settings.timeout_extension
            if timeout is None
            else resolve_timeout(timeout).as_dict()
        },
    )


class _Resource:
    _client: Client | AsyncClient

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client._settings.display_url}>"


class Campaigns(_Resource):
    """``client.campaigns``: the campaign operations the spec documents.

    Every operation takes ``timeout=`` (this call's), ``extra_headers=`` and ``extra_query=``
    (sent with this call only; an ``Authorization`` header is refused with ``ValueError``).
    """

    _client: Client

    def __init__(self, client: Client) -> None:
        self._client = client

    @cached_property
    def with_raw_response(self) -> CampaignsWithRawResponse:
        """The same operations, each returning an ``APIResponse`` (status, headers,
        ``request_id``, ``http_response``, ``parse()``) instead of the campaign."""
        return CampaignsWithRawResponse(self)

    def get(
        self,
        campaign_id: str,
        *,
        timeout: TimeoutTypes | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> Campaign:
        """``GET /v3/campaigns/{campaign_id}``: one campaign of the key's organisation.

        Retried (``max_retries``) after a connection error, 408, 429 or 5xx.
        """
        response, _ = self._send(
            get_kwargs(campaign_id),
            extra_headers=extra_headers,
            extra_query=extra_query,
            timeout=timeout,
        )
        return campaign_from(response, strict=self._client._settings.strict)

    def update(
        self,
        campaign_id: str,
        *,
        name: str | None = None,
        call_time_window: JSONObject | None = None,
        timeout: TimeoutTypes | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> Campaign:
        """``PATCH /v3/campaigns/{campaign_id}``: change the name and/or replace the call window.

        Omitted (``None``) fields are not sent. The body is checked first; a blank or over-long
        name, a bad window or an empty update raises ``RequestValidationError`` and sends nothing.
        Retried only when the request was never sent (connection refused, connect or pool
        timeout): a PATCH that may have reached the server is not repeated.
        """
        return self.with_raw_response.update(
            campaign_id,
            name=name,
            call_time_window=call_time_window,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        ).parse()

    def create(
        self,
        *,
        name: str,
        from_number: str,
        agent: JSONObject,
        tasks: Sequence[JSONObject],
        presentation_number: str | None = None,
        scheduled_at: int | None = None,
        concurrency: int | None = None,
        call_time_window: JSONObject | None = None,
        timeout: TimeoutTypes | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> Campaign:
        """``POST /v3/campaigns``: create a campaign.

        Retried only when the request was never sent: a POST that may have reached the server
        could create the campaign twice.
        """
        return self.with_raw_response.create(
            name=name,
            from_number=from_number,
            agent=agent,
            tasks=tasks,
            presentation_number=presentation_number,
            scheduled_at=scheduled_at,
            concurrency=concurrency,
            call_time_window=call_time_window,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        ).parse()

    def _send(
        self,
        kwargs: dict[str, Any],
        *,
        extra_headers: Mapping[str, str] | None,
        extra_query: Query | None,
        timeout: TimeoutTypes | None,
    ) -> tuple[httpx.Response, int]:
        client = self._client
        http = client._live_http()
        request = _request(
            http,
            client._made_http,
            client._settings,
            kwargs,
            extra_headers=extra_headers,
            extra_query=extra_query,
            timeout=timeout,
        )
        settings = client._settings
        return client._sender.send(
            request, total=settings.call_total(timeout), limit=settings.max_response_size
        )

    def _raw(
        self,
        kwargs: dict[str, Any],
        *,
        extra_headers: Mapping[str, str] | None,
        extra_query: Query | None,
        timeout: TimeoutTypes | None,
    ) -> APIResponse[Campaign]:
        response, retries = self._send(
            kwargs, extra_headers=extra_headers, extra_query=extra_query, timeout=timeout
        )
        return _raw_response(response, retries, strict=self._client._settings.strict)


def _raw_response(response: httpx.Response, retries: int, *, strict: bool) -> APIResponse[Campaign]:
    if not 200 <= response.status_code < 300:
        raise status_error(response)

    def parse(answer: httpx.Response) -> Campaign:
        return campaign_from(answer, strict=strict)

    return APIResponse(response, parse, retries_taken=retries)


class CampaignsWithRawResponse:
    """``client.campaigns.with_raw_response``: each operation returns ``APIResponse[Campaign]``.

    A non-2xx answer raises its ``APIStatusError`` as the plain operations do; ``parse()`` may
    raise ``ResponseValidationError``.
    """

    def __init__(self, campaigns: Campaigns) -> None:
        self._campaigns = campaigns

    def get(
        self,
        campaign_id: str,
        *,
        timeout: TimeoutTypes | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> APIResponse[Campaign]:
        """``GET /v3/campaigns/{campaign_id}``, raw (see ``Campaigns.get``)."""
        return self._campaigns._raw(
            get_kwargs(campaign_id),
            extra_headers=extra_headers,
            extra_query=extra_query,
            timeout=timeout,
        )

    def update(
        self,
        campaign_id: str,
        *,
        name: str | None = None,
        call_time_window: JSONObject | None = None,
        timeout: TimeoutTypes | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> APIResponse[Campaign]:
        """``PATCH /v3/campaigns/{campaign_id}``, raw (see ``Campaigns.update``)."""
        kwargs = update_kwargs(
            campaign_id,
            name=name,
            call_time_window=call_time_window,
            validate_request=self._campaigns._client._settings.validate_requests,
        )
        return self._campaigns._raw(
            kwargs, extra_headers=extra_headers, extra_query=extra_query, timeout=timeout
        )

    def create(
        self,
        *,
        name: str,
        from_number: str,
        agent: JSONObject,
        tasks: Sequence[JSONObject],
        presentation_number: str | None = None,
        scheduled_at: int | None = None,
        concurrency: int | None = None,
        call_time_window: JSONObject | None = None,
        timeout: TimeoutTypes | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> APIResponse[Campaign]:
        """``POST /v3/campaigns``, raw (see ``Campaigns.create``)."""
        kwargs = create_kwargs(
            name=name,
            from_number=from_number,
            agent=agent,
            tasks=tasks,
            presentation_number=presentation_number,
            scheduled_at=scheduled_at,
            concurrency=concurrency,
            call_time_window=call_time_window,
            validate_request=self._campaigns._client._settings.validate_requests,
        )
        return self._campaigns._raw(
            kwargs, extra_headers=extra_headers, extra_query=extra_query, timeout=timeout
        )

    def __repr__(self) -> str:
        return f"<CampaignsWithRawResponse of {self._campaigns._client._settings.display_url}>"


class AsyncCampaigns(_Resource):
    """``async_client.campaigns``: the awaitable twin of ``Campaigns``."""

    _client: AsyncClient

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    @cached_property
    def with_raw_response(self) -> AsyncCampaignsWithRawResponse:
        """The same operations, each returning an ``APIResponse`` (see ``Campaigns``)."""
        return AsyncCampaignsWithRawResponse(self)

    async def get(
        self,
        campaign_id: str,
        *,
        timeout: TimeoutTypes | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> Campaign:
        """``GET /v3/campaigns/{campaign_id}`` (see ``Campaigns.get``)."""
        response, _ = await self._send(
            get_kwargs(campaign_id),
            extra_headers=extra_headers,
            extra_query=extra_query,
            timeout=timeout,
        )
        return campaign_from(response, strict=self._client._settings.strict)

    async def update(
        self,
        campaign_id: str,
        *,
        name: str | None = None,
        call_time_window: JSONObject | None = None,
        timeout: TimeoutTypes | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> Campaign:
        """``PATCH /v3/campaigns/{campaign_id}`` (see ``Campaigns.update``)."""
        raw = await self.with_raw_response.update(
            campaign_id,
            name=name,
            call_time_window=call_time_window,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return raw.parse()

    async def create(
        self,
        *,
        name: str,
        from_number: str,
        agent: JSONObject,
        tasks: Sequence[JSONObject],
        presentation_number: str | None = None,
        scheduled_at: int | None = None,
        concurrency: int | None = None,
        call_time_window: JSONObject | None = None,
        timeout: TimeoutTypes | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> Campaign:
        """``POST /v3/campaigns`` (see ``Campaigns.create``)."""
        raw = await self.with_raw_response.create(
            name=name,
            from_number=from_number,
            agent=agent,
            tasks=tasks,
            presentation_number=presentation_number,
            scheduled_at=scheduled_at,
            concurrency=concurrency,
            call_time_window=call_time_window,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return raw.parse()

    async def _send(
        self,
        kwargs: dict[str, Any],
        *,
        extra_headers: Mapping[str, str] | None,
        extra_query: Query | None,
        timeout: TimeoutTypes | None,
    ) -> tuple[httpx.Response, int]:
        client = self._client
        http = client._live_http()
        request = _request(
            http,
            client._made_http,
            client._settings,
            kwargs,
            extra_headers=extra_headers,
            extra_query=extra_query,
            timeout=timeout,
        )
        settings = client._settings
        return await client._sender.send(
            request, total=settings.call_total(timeout), limit=settings.max_response_size
        )

    async def _raw(
        self,
        kwargs: dict[str, Any],
        *,
        extra_headers: Mapping[str, str] | None,
        extra_query: Query | None,
        timeout: TimeoutTypes | None,
    ) -> APIResponse[Campaign]:
        response, retries = await self._send(
            kwargs, extra_headers=extra_headers, extra_query=extra_query, timeout=timeout
        )
        return _raw_response(response, retries, strict=self._client._settings.strict)


class AsyncCampaignsWithRawResponse:
    """``async_client.campaigns.with_raw_response``: the awaitable twin of
    ``CampaignsWithRawResponse``."""

    def __init__(self, campaigns: AsyncCampaigns) -> None:
        self._campaigns = campaigns

    async def get(
        self,
        campaign_id: str,
        *,
        timeout: TimeoutTypes | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> APIResponse[Campaign]:
        """``GET /v3/campaigns/{campaign_id}``, raw."""
        return await self._campaigns._raw(
            get_kwargs(campaign_id),
            extra_headers=extra_headers,
            extra_query=extra_query,
            timeout=timeout,
        )

    async def update(
        self,
        campaign_id: str,
        *,
        name: str | None = None,
        call_time_window: JSONObject | None = None,
        timeout: TimeoutTypes | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> APIResponse[Campaign]:
        """``PATCH /v3/campaigns/{campaign_id}``, raw."""
        kwargs = update_kwargs(
            campaign_id,
            name=name,
            call_time_window=call_time_window,
            validate_request=self._campaigns._client._settings.validate_requests,
        )
        return await self._campaigns._raw(
            kwargs, extra_headers=extra_headers, extra_query=extra_query, timeout=timeout
        )

    async def create(
        self,
        *,
        name: str,
        from_number: str,
        agent: JSONObject,
        tasks: Sequence[JSONObject],
        presentation_number: str | None = None,
        scheduled_at: int | None = None,
        concurrency: int | None = None,
        call_time_window: JSONObject | None = None,
        timeout: TimeoutTypes | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> APIResponse[Campaign]:
        """``POST /v3/campaigns``, raw."""
        kwargs = create_kwargs(
            name=name,
            from_number=from_number,
            agent=agent,
            tasks=tasks,
            presentation_number=presentation_number,
            scheduled_at=scheduled_at,
            concurrency=concurrency,
            call_time_window=call_time_window,
            validate_request=self._campaigns._client._settings.validate_requests,
        )
        return await self._campaigns._raw(
            kwargs, extra_headers=extra_headers, extra_query=extra_query, timeout=timeout
        )

    def __repr__(self) -> str:
        return f"<AsyncCampaignsWithRawResponse of {self._campaigns._client._settings.display_url}>"


class _ClientBase:
    """The read-only settings, the closed check and the masked repr both clients share."""

    _settings: _Settings
    _http: httpx.Client | httpx.AsyncClient
    _owns_http: bool  # close() closes it
    _made_http: bool  # made by this client, with no defaults of a user's to merge
    _closed: bool

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._settings.timeout

    @property
    def max_retries(self) -> int:
        return self._settings.policy.max_retries

    @property
    def strict(self) -> bool:
        return self._settings.strict

    @property
    def is_closed(self) -> bool:
        """``True`` after ``close()``/``aclose()``, or once the shared ``http_client`` is closed."""
        return self._closed or self._http.is_closed

    def _check_open(self) -> None:
        if self._closed or self._http.is_closed:
            raise ClientClosedError(
                f"{type(self).__name__} is closed: make a new client (or use it inside its "
                "`with` block)"
                if self._closed or self._owns_http
                else f"the http_client given to {type(self).__name__} is closed"
            )

    def _setup(self, settings: _Settings) -> None:
        """Take ``settings`` and build the sender and ``campaigns`` on ``self._http``."""
        raise NotImplementedError

    def with_options(
        self,
        *,
        api_key: str | None = _NOT_GIVEN,
        base_url: str | None = _NOT_GIVEN,
        timeout: TimeoutTypes | None = _NOT_GIVEN,
        max_retries: int = _NOT_GIVEN,
        max_retry_after: float = _NOT_GIVEN,
        retry_budget: float = _NOT_GIVEN,
        strict: bool = _NOT_GIVEN,
        validate_requests: bool = _NOT_GIVEN,
        default_headers: Mapping[str, str] | None = _NOT_GIVEN,
        max_response_size: int = _NOT_GIVEN,
        per_attempt_timeout: bool = _NOT_GIVEN,
    ) -> Self:
        """A copy with some options changed, sharing this client's connection pool.

        ``default_headers`` are added to (and override) the current ones. Closing the copy does
        not close the pool; closing the original does, for both.
        """
        changes = {k: v for k, v in locals().items() if k != "self"}
        copy = object.__new__(type(self))
        copy._http = self._http
        copy._owns_http = False
        copy._made_http = self._made_http
        copy._setup(self._settings.copy(changes))
        return copy

    def __repr__(self) -> str:
        return self._settings.describe(type(self).__name__)


def _http_options(
    timeout: httpx.Timeout,
) -> dict[str, Any]:
    return {"timeout": timeout, "follow_redirects": False}


class Client(_ClientBase):
    """The strict, synchronous client of the vox.ai v3 campaigns API.

    - ``api_key`` defaults to ``VOX_API_KEY``; ``base_url`` to ``VOX_BASE_URL``, then to
      ``https://client-api.tryvox.co``. The base URL is checked here: http or https with a host
      (else ``ValueError``); plain http to a host other than loopback warns
      (``InsecureBaseURLWarning``).
    - ``timeout``: seconds, or an ``httpx.Timeout`` (connect 5 s, read 60 s by default); it
      applies to every call, ``http_client`` or not, and bounds the **whole call**: a number
      ``N`` ends the call, retries and waits included, within ``N`` seconds; an
      ``httpx.Timeout`` within its longest phase (a phase of ``None``: no deadline). A body that
      drips a byte at a time ends there too (``APITimeoutError``). ``per_attempt_timeout=True``
      applies it to each attempt instead (then ``retry_budget`` bounds the call).
    - ``max_retries`` (2), ``max_retry_after`` (60 s) and ``retry_budget`` (120 s): see
      ``vox_client._retry.RetryPolicy``. A GET is retried after a connection error, 408, 429
      or 5xx; a PATCH or POST only when it was never sent. No wait starts that would end past
      the deadline.
    - ``max_response_size`` (4 MiB): the most bytes an answer's body may have, counted after
      gzip/deflate decoding; a larger one raises ``ResponseTooLargeError`` as soon as it gets
      there (a gzip bomb costs at most this much memory).
    - ``strict`` (default ``True``): refuse any answer the spec does not describe, unknown enum
      values included. ``strict=False`` (lenient) keeps unknown enum values and members and
      reports them as ``campaign.drift`` (see ``docs/guides/client.md``, "Which mode").
    - ``validate_requests``: check request bodies before sending (default ``True``).
    - ``http_client``: your own ``httpx.Client`` (proxies, certificates, event hooks); it is
      never closed by this client. ``transport`` instead replaces only the transport of the
      ``httpx.Client`` made here.
    - ``default_headers``: sent with every call (an ``Authorization`` among them:
      ``ValueError``; the key has one way in).
    - The key is checked here: a newline, another control character, a space or a character
      outside ASCII is ``InvalidAPIKeyError`` (a ``ValueError`` that does not quote the key).

    ``VOX_LOG=debug`` or ``info`` logs every attempt on stderr (or configure the ``vox_client``
    logger). Use the client as a context manager, or call ``close()``; a call after that raises
    ``ClientClosedError``.
    """

    _http: httpx.Client
    _sender: SyncSender

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: TimeoutTypes | None = None,
        max_retries: int = 2,
        max_retry_after: float = 60.0,
        retry_budget: float = 120.0,
        strict: bool = True,
        validate_requests: bool = True,
        http_client: httpx.Client | None = None,
        default_headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        per_attempt_timeout: bool = False,
        _clock: Clock | None = None,
    ) -> None:
        setup_logging()
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise TypeError(
                f"http_client must be an httpx.Client, not {type(http_client).__name__}"
            )
        if http_client is not None and transport is not None:
            raise ValueError("give http_client or transport, not both")
        settings = _Settings.build(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_after=max_retry_after,
            retry_budget=retry_budget,
            strict=strict,
            validate_requests=validate_requests,
            default_headers=default_headers,
            clock=_clock,
            max_response_size=max_response_size,
            per_attempt_timeout=per_attempt_timeout,
        )
        if http_client is None:
            if transport is None:
                transport = deadline_transport()  # sockets cut to each call's deadline
            http_client = httpx.Client(transport=transport, **_http_options(settings.timeout))
            self._owns_http = True
        else:
            self._owns_http = False
        self._made_http = self._owns_http
        self._http = http_client
        self._setup(settings)

    def _setup(self, settings: _Settings) -> None:
        self._settings = settings
        self._closed = False
        self._sender = SyncSender(
            self._http, settings.policy, settings.clock, settings.per_attempt_timeout
        )
        self.campaigns = Campaigns(self)

    def _live_http(self) -> httpx.Client:
        if self._closed or self._http.is_closed:
            self._check_open()
        return self._http

    def close(self) -> None:
        """Close the connection pool (unless it is a user's ``http_client`` or a shared one)."""
        self._closed = True
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(_ClientBase):
    """The strict, asynchronous client; the same options as ``Client`` (``http_client`` is an
    ``httpx.AsyncClient``). Use ``async with``, or ``await aclose()``."""

    _http: httpx.AsyncClient
    _sender: AsyncSender

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: TimeoutTypes | None = None,
        max_retries: int = 2,
        max_retry_after: float = 60.0,
        retry_budget: float = 120.0,
        strict: bool = True,
        validate_requests: bool = True,
        http_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        per_attempt_timeout: bool = False,
        _clock: Clock | None = None,
    ) -> None:
        setup_logging()
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise TypeError(
                f"http_client must be an httpx.AsyncClient, not {type(http_client).__name__}"
            )
        if http_client is not None and transport is not None:
            raise ValueError("give http_client or transport, not both")
        settings = _Settings.build(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_after=max_retry_after,
            retry_budget=retry_budget,
            strict=strict,
            validate_requests=validate_requests,
            default_headers=default_headers,
            clock=_clock,
            max_response_size=max_response_size,
            per_attempt_timeout=per_attempt_timeout,
        )
        if http_client is None:
            http_client = httpx.AsyncClient(transport=transport, **_http_options(settings.timeout))
            self._owns_http = True
        else:
            self._owns_http = False
        self._made_http = self._owns_http
        self._http = http_client
        self._setup(settings)

    def _setup(self, settings: _Settings) -> None:
        self._settings = settings
        self._closed = False
        self._sender = AsyncSender(
            self._http, settings.policy, settings.clock, settings.per_attempt_timeout
        )
        self.campaigns = AsyncCampaigns(self)

    def _live_http(self) -> httpx.AsyncClient:
        if self._closed or self._http.is_closed:
            self._check_open()
        return self._http

    async def aclose(self) -> None:
        """Close the connection pool (unless it is a user's ``http_client`` or a shared one)."""
        self._closed = True
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
