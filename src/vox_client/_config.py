"""Where the API key, the base URL and the timeouts come from."""

from __future__ import annotations

import ipaddress
import logging
import os
import sys
import warnings
from collections.abc import Generator, Mapping

import httpx

from vox_client._exceptions import MissingAPIKeyError

DEFAULT_BASE_URL = "https://client-api.tryvox.co"
API_KEY_ENV = "VOX_API_KEY"
BASE_URL_ENV = "VOX_BASE_URL"
LOG_ENV = "VOX_LOG"

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


class InsecureBaseURLWarning(UserWarning):
    """A plain ``http://`` base URL to a host that is not this machine: the key travels in clear."""


def resolve_base_url(base_url: str | None, *, stacklevel: int = 2) -> str:
    """The argument, else ``VOX_BASE_URL``, else the documented production URL; checked.

    It must be an ``http`` or ``https`` URL with a host (``ValueError`` otherwise, before any
    request). Plain ``http://`` to a host other than loopback warns with
    ``InsecureBaseURLWarning``: the API key would cross the network unencrypted.
    """
    value = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).strip()
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL as exc:
        raise ValueError(f"{_shown(value)!r} is not a base URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(
            f"{_shown(value)!r} is not a base URL: it needs http:// or https:// and a host, "
            f"as in {DEFAULT_BASE_URL!r}"
        )
    if url.query or url.fragment:
        raise ValueError(f"{_shown(value)!r} is not a base URL: it has a query or a fragment")
    if url.scheme == "http" and not _is_loopback(url.host):
        warnings.warn(
            f"{_shown(value)!r} is plain http to another machine: the API key would travel "
            "unencrypted; use https://",
            InsecureBaseURLWarning,
            stacklevel=stacklevel + 1,
        )
    return value.rstrip("/")


def _shown(value: str) -> str:
    # Userinfo in a URL is a credential: never in a message.
    try:
        return str(httpx.URL(value).copy_with(userinfo=b""))
    except (httpx.InvalidURL, TypeError, ValueError):
        return "<unparseable URL>" if "@" in value else value


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def checked_headers(headers: Mapping[str, str] | None, where: str) -> dict[str, str]:
    """``headers`` as a plain dict; an ``Authorization`` among them is refused.

    The key has one way in (``api_key=`` / ``VOX_API_KEY``), so it is masked everywhere and
    never sent twice or to the wrong place.
    """
    if not headers:
        return {}
    plain = dict(headers)
    for name in plain:
        if name.strip().lower() == "authorization":
            raise ValueError(
                f"{name!r} in {where}: the API key is set only with api_key= or {API_KEY_ENV}"
            )
    return plain


_LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_logging_done = False


def setup_logging() -> None:
    """Once per process: with ``VOX_LOG=debug`` or ``info``, log the ``vox_client`` logger to stderr.

    Without ``VOX_LOG`` nothing is configured: an application sets up the ``vox_client`` logger
    as it sets up any other.
    """
    global _logging_done  # noqa: PLW0603 - once per process, as logging configuration is
    if _logging_done:
        return
    _logging_done = True
    level = _LOG_LEVELS.get(os.environ.get(LOG_ENV, "").strip().lower())
    if level is None:
        return
    logger = logging.getLogger("vox_client")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("[%(asctime)s %(levelname)s %(name)s] %(message)s", "%H:%M:%S")
    )
    logger.addHandler(handler)
    logger.setLevel(level)


def resolve_timeout(timeout: TimeoutTypes | None) -> httpx.Timeout:
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    # A number sets every phase, as in httpx; pass an httpx.Timeout to set phases apart.
    return httpx.Timeout(timeout)
