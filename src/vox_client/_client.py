"""``Client`` and ``AsyncClient``: the generated client, wrapped with auth, retries and checks."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

import httpx

from vox_client._config import (
    BearerAuth,
    Secret,
    TimeoutTypes,
    resolve_api_key,
    resolve_base_url,
    resolve_timeout,
)
from vox_client._requests import JSONObject, create_kwargs, get_kwargs, update_kwargs
from vox_client._response import campaign_from
from vox_client._retry import Clock, RetryPolicy, SystemClock
from vox_client._transport import AsyncSender, SyncSender
from vox_generated import openapi_client
from vox_generated.models import Campaign


def _user_agent() -> str:
    from voxkit import __version__  # noqa: PLC0415 - the CLI package imports us; avoid a cycle

    return f"voxkit/{__version__} (vox_client)"


class _Settings:
    """What ``Client`` and ``AsyncClient`` share; the key is held as a ``Secret``."""

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: TimeoutTypes | None,
        max_retries: int,
        max_retry_after: float,
        retry_budget: float,
        strict: bool,
        validate_requests: bool,
        clock: Clock | None,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None,
    ) -> None:
        self.transport = transport
        self.api_key: Secret = resolve_api_key(api_key)
        self.base_url = resolve_base_url(base_url)
        # For reprs: a base URL may carry userinfo, which is a credential too.
        self.display_url = str(httpx.URL(self.base_url).copy_with(userinfo=b""))
        self.timeout = resolve_timeout(timeout)
        self.policy = RetryPolicy(
            max_retries=max_retries, max_retry_after=max_retry_after, total_budget=retry_budget
        )
        self.strict = strict
        self.validate_requests = validate_requests
        self.clock: Clock = clock if clock is not None else SystemClock()

    def generated(self) -> openapi_client.Client:
        # The plain generated Client, not AuthenticatedClient: its attrs repr would print the
        # token, so the key travels in an httpx.Auth whose repr is masked instead.
        return openapi_client.Client(
            base_url=self.base_url,
            headers={"User-Agent": _user_agent(), "Accept": "application/json"},
            timeout=self.timeout,
            follow_redirects=False,
            httpx_args={"auth": BearerAuth(self.api_key)}
            | ({"transport": self.transport} if self.transport is not None else {}),
        )

    def call_timeout(self, timeout: TimeoutTypes | None) -> httpx.Timeout:
        return self.timeout if timeout is None else resolve_timeout(timeout)

    def describe(self, cls: str) -> str:
        return (
            f"{cls}(base_url={self.display_url!r}, api_key={self.api_key!r}, strict={self.strict}, "
            f"max_retries={self.policy.max_retries})"
        )


class Campaigns:
    """``client.campaigns``: the campaign operations the spec documents."""

    def __init__(self, settings: _Settings, sender: SyncSender) -> None:
        self._settings = settings
        self._sender = sender

    def get(self, campaign_id: str, *, timeout: TimeoutTypes | None = None) -> Campaign:
        """``GET /v3/campaigns/{campaign_id}``: one campaign of the key's organisation."""
        return self._call(get_kwargs(campaign_id), timeout)

    def update(
        self,
        campaign_id: str,
        *,
        name: str | None = None,
        call_time_window: JSONObject | None = None,
        timeout: TimeoutTypes | None = None,
    ) -> Campaign:
        """``PATCH /v3/campaigns/{campaign_id}``: change the name and/or replace the call window.

        Omitted (``None``) fields are not sent. The body is checked first; a blank or over-long
        name, a bad window or an empty update raises ``RequestValidationError`` and sends nothing.
        """
        kwargs = update_kwargs(
            campaign_id,
            name=name,
            call_time_window=call_time_window,
            validate_request=self._settings.validate_requests,
        )
        return self._call(kwargs, timeout)

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
    ) -> Campaign:
        """``POST /v3/campaigns``: create a campaign (never retried once it may have been sent)."""
        kwargs = create_kwargs(
            name=name,
            from_number=from_number,
            agent=agent,
            tasks=tasks,
            presentation_number=presentation_number,
            scheduled_at=scheduled_at,
            concurrency=concurrency,
            call_time_window=call_time_window,
            validate_request=self._settings.validate_requests,
        )
        return self._call(kwargs, timeout)

    def _call(self, kwargs: dict[str, Any], timeout: TimeoutTypes | None) -> Campaign:
        response = self._sender.send(kwargs, self._settings.call_timeout(timeout))
        return campaign_from(response, strict=self._settings.strict)

    def __repr__(self) -> str:
        return f"<Campaigns of {self._settings.display_url}>"


class AsyncCampaigns:
    """``async_client.campaigns``: the awaitable twin of ``Campaigns``."""

    def __init__(self, settings: _Settings, sender: AsyncSender) -> None:
        self._settings = settings
        self._sender = sender

    async def get(self, campaign_id: str, *, timeout: TimeoutTypes | None = None) -> Campaign:
        """``GET /v3/campaigns/{campaign_id}``."""
        return await self._call(get_kwargs(campaign_id), timeout)

    async def update(
        self,
        campaign_id: str,
        *,
        name: str | None = None,
        call_time_window: JSONObject | None = None,
        timeout: TimeoutTypes | None = None,
    ) -> Campaign:
        """``PATCH /v3/campaigns/{campaign_id}`` (see ``Campaigns.update``)."""
        kwargs = update_kwargs(
            campaign_id,
            name=name,
            call_time_window=call_time_window,
            validate_request=self._settings.validate_requests,
        )
        return await self._call(kwargs, timeout)

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
    ) -> Campaign:
        """``POST /v3/campaigns`` (see ``Campaigns.create``)."""
        kwargs = create_kwargs(
            name=name,
            from_number=from_number,
            agent=agent,
            tasks=tasks,
            presentation_number=presentation_number,
            scheduled_at=scheduled_at,
            concurrency=concurrency,
            call_time_window=call_time_window,
            validate_request=self._settings.validate_requests,
        )
        return await self._call(kwargs, timeout)

    async def _call(self, kwargs: dict[str, Any], timeout: TimeoutTypes | None) -> Campaign:
        response = await self._sender.send(kwargs, self._settings.call_timeout(timeout))
        return campaign_from(response, strict=self._settings.strict)

    def __repr__(self) -> str:
        return f"<AsyncCampaigns of {self._settings.display_url}>"


class _ClientBase:
    """The read-only settings and the masked repr that ``Client`` and ``AsyncClient`` share."""

    _settings: _Settings

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

    def __repr__(self) -> str:
        return self._settings.describe(type(self).__name__)


class Client(_ClientBase):
    """The strict, synchronous client of the vox.ai v3 campaigns API.

    ``api_key`` defaults to ``VOX_API_KEY`` and ``base_url`` to ``VOX_BASE_URL``, then to
    ``https://client-api.tryvox.co``. ``timeout`` is a number of seconds for every phase or an
    ``httpx.Timeout`` (connect 5 s, read 60 s by default). ``transport`` replaces httpx's own
    (for a proxy, custom TLS, or ``httpx.MockTransport`` in tests). Use it as a context manager,
    or call ``close()``.
    """

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
        transport: httpx.BaseTransport | None = None,
        _clock: Clock | None = None,
    ) -> None:
        self._settings = _Settings(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_after=max_retry_after,
            retry_budget=retry_budget,
            strict=strict,
            validate_requests=validate_requests,
            clock=_clock,
            transport=transport,
        )
        self._generated = self._settings.generated()
        self._http = self._generated.get_httpx_client()
        self.campaigns = Campaigns(
            self._settings, SyncSender(self._http, self._settings.policy, self._settings.clock)
        )

    def close(self) -> None:
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
    """The strict, asynchronous client; the same options as ``Client``. Use ``async with``."""

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
        transport: httpx.AsyncBaseTransport | None = None,
        _clock: Clock | None = None,
    ) -> None:
        self._settings = _Settings(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_after=max_retry_after,
            retry_budget=retry_budget,
            strict=strict,
            validate_requests=validate_requests,
            clock=_clock,
            transport=transport,
        )
        self._generated = self._settings.generated()
        self._http = self._generated.get_async_httpx_client()
        self.campaigns = AsyncCampaigns(
            self._settings, AsyncSender(self._http, self._settings.policy, self._settings.clock)
        )

    async def aclose(self) -> None:
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
