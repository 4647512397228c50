"""Where the API key, the base URL and the timeouts come from."""

from __future__ import annotations

import os
from collections.abc import Generator

import httpx

from vox_client._exceptions import MissingAPIKeyError

DEFAULT_BASE_URL = "https://client-api.tryvox.co"
API_KEY_ENV = "VOX_API_KEY"
BASE_URL_ENV = "VOX_BASE_URL"

# Connect fails fast (an unreachable host should not hang a script); reads get a minute, since a
# campaign answer is small and a slow read means trouble, not a big payload.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=60.0, pool=10.0)

TimeoutTypes = float | httpx.Timeout


class Secret:
    """Holds the API key; every ``repr``/``str`` shows a mask, never the key."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[object, ...]:
        # Pickling would copy the key into wherever the pickle goes.
        raise TypeError("an API key is not picklable")


class BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer <key>`` to each request, keeping the key out of reprs.

    An ``httpx.Auth`` (rather than the generated ``AuthenticatedClient``, whose attrs ``repr``
    prints its ``token``) keeps the key off every object a user is likely to print.
    """

    def __init__(self, key: Secret) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._key.reveal()}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(key=Secret('**********'))"


def resolve_api_key(api_key: str | None) -> Secret:
    """The argument, else ``VOX_API_KEY``; a clear error when neither is set (or blank)."""
    value = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
    if value is None or not value.strip():
        raise MissingAPIKeyError(
            f"no API key: pass api_key=... or set the {API_KEY_ENV} environment variable"
        )
    return Secret(value.strip())


def resolve_base_url(base_url: str | None) -> str:
    """The argument, else ``VOX_BASE_URL``, else the documented production URL."""
    value = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    return value.rstrip("/")


def resolve_timeout(timeout: TimeoutTypes | None) -> httpx.Timeout:
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    # A number sets every phase, as in httpx; pass an httpx.Timeout to set phases apart.
    return httpx.Timeout(timeout)
