"""Where the API key, the base URL and the timeouts come from."""

from __future__ import annotations

import ipaddress
import logging
import math
import os
import re
import sys
import warnings
from collections.abc import Generator, Mapping

import httpx

from vox_client._exceptions import InvalidAPIKeyError, MissingAPIKeyError

DEFAULT_BASE_URL = "https://client-api.tryvox.co"
API_KEY_ENV = "VOX_API_KEY"
BASE_URL_ENV = "VOX_BASE_URL"
LOG_ENV = "VOX_LOG"

# Connect fails fast (an unreachable host should not hang a script); reads get a minute, since a
# campaign answer is small and a slow read means trouble, not a big payload.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=60.0, pool=10.0)

# A campaign answer is a few KiB; 4 MiB is far beyond any real one and small enough that a
# hostile answer (a gzip bomb, an endless body) costs little memory. Counted after decoding.
DEFAULT_MAX_RESPONSE_SIZE = 4 * 1024 * 1024

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
    """The argument, else ``VOX_API_KEY``, checked; a clear error when neither is set (or blank).

    A key is printable ASCII without spaces (what an ``Authorization: Bearer`` value can carry):
    anything else, a newline read from a file among them, is ``InvalidAPIKeyError`` (a
    ``ValueError``) now, rather than an HTTP library's error quoting the header later. The
    message says what and where, never the key.
    """
    value = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
    if value is not None and not isinstance(value, str):
        raise InvalidAPIKeyError(f"api_key must be a str, not {type(value).__name__}")
    if value is None or not value.strip():
        raise MissingAPIKeyError(
            f"no API key: pass api_key=... or set the {API_KEY_ENV} environment variable"
        )
    for position, character in enumerate(value):
        if not "!" <= character <= "~":
            raise InvalidAPIKeyError(_key_problem(character, position, len(value)))
    return Secret(value)


_NAMED = {
    "\n": "a line feed",
    "\r": "a carriage return",
    "\t": "a tab",
    "\x00": "a NUL",
    " ": "a space",
}


def _key_problem(character: str, position: int, length: int) -> str:
    # Only the kind of character and where: the key (or any part of it) is never in a message.
    where = "at its end" if position == length - 1 else f"at position {position + 1} of {length}"
    if character in _NAMED:
        kind = _NAMED[character]
    elif ord(character) < 0x20 or 0x7F <= ord(character) <= 0x9F:
        kind = f"a control character (U+{ord(character):04X})"
    else:
        kind = "a character outside printable ASCII"
    hint = (
        ": a key read from a file keeps its newline; strip it (open(path).read().strip())"
        if character in "\r\n" and position >= length - 2
        else ": an API key is printable ASCII without spaces"
    )
    return f"api_key has {kind} {where}{hint}"


class InsecureBaseURLWarning(UserWarning):
    """A plain ``http://`` base URL to a host that is not this machine: the key travels in clear."""


def resolve_base_url(base_url: str | None, *, stacklevel: int = 2) -> str:
    """The argument, else ``VOX_BASE_URL``, else the documented production URL; checked.

    It must be an ``http`` or ``https`` URL with a host (``ValueError`` otherwise, before any
    request). Plain ``http://`` to a host other than loopback warns with
    ``InsecureBaseURLWarning``: the API key would cross the network unencrypted. Userinfo
    (``user:password@``) is dropped with a ``UserWarning``: the key is the API's only
    credential, and a URL carrying another would put it in logs and messages (and httpx would
    send it as Basic auth in place of the key).
    """
    value = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).strip()
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        # httpx's reason may quote a part of the URL: shown only when no userinfo can hide there.
        reason = f": {exc}" if "@" not in value else ""
        raise ValueError(f"{_shown(value)!r} is not a base URL{reason}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(
            f"{_shown(value)!r} is not a base URL: it needs http:// or https:// and a host, "
            f"as in {DEFAULT_BASE_URL!r}"
        )
    if url.query or url.fragment:
        raise ValueError(f"{_shown(value)!r} is not a base URL: it has a query or a fragment")
    if not _HOST.fullmatch(url.raw_host):
        raise ValueError(f"{_shown(value)!r} is not a base URL: its host is not a host name")
    if url.port is not None and not 0 < url.port < 65536:
        raise ValueError(f"{_shown(value)!r} is not a base URL: its port is not in 1..65535")
    if url.userinfo:
        url = url.copy_with(userinfo=b"")
        value = str(url)
        warnings.warn(
            f"the user:password@ part of base_url {value!r} is dropped: the API key is the only "
            "credential the API takes (api_key= or VOX_API_KEY)",
            UserWarning,
            stacklevel=stacklevel + 1,
        )
    if url.scheme == "http" and not _is_loopback(url.host):
        warnings.warn(
            f"{_shown(value)!r} is plain http to another machine: the API key would travel "
            "unencrypted; use https://",
            InsecureBaseURLWarning,
            stacklevel=stacklevel + 1,
        )
    return value.rstrip("/")


# A host as httpx holds it (IDNA-encoded): a name, an IPv4 or an IPv6 address (with a zone).
_HOST = re.compile(
    rb"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\.?|[0-9A-Fa-f:.]+(?:%25[A-Za-z0-9._~-]+)?"
)


def _shown(value: str) -> str:
    # Userinfo in a URL is a credential: never in a message.
    try:
        return str(httpx.URL(value).copy_with(userinfo=b""))
    except (httpx.InvalidURL, TypeError, ValueError):
        if "@" in value:
            scheme, sep, rest = value.partition("://")
            return f"{scheme}{sep}***@{rest.rpartition('@')[2]}" if sep else "<unparseable URL>"
        return value


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
    never sent twice or to the wrong place. A name or value with a control character (which
    HTTP forbids) is refused here, naming the header only: the HTTP library would refuse it
    later in a message that quotes the value, and a value may be a credential too.
    """
    if not headers:
        return {}
    plain = dict(headers)
    for name, value in plain.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"{where}: header names and values are str")
        if name.strip().lower() == "authorization":
            raise ValueError(
                f"{name!r} in {where}: the API key is set only with api_key= or {API_KEY_ENV}"
            )
        if not name or any(not "!" <= c <= "~" or c == ":" for c in name):
            raise ValueError(f"{name!r} in {where} is not a header name")
        if any(c != "\t" and (c < " " or "\x7f" <= c <= "\x9f") for c in value):
            raise ValueError(
                f"the value of {name!r} in {where} has a control character, which HTTP "
                "forbids in a header"
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
    """``timeout`` as an ``httpx.Timeout``; a number must be finite and above 0 (``ValueError``).

    ``httpx.Timeout(None)`` (no limit on any phase) is the explicit way to wait for ever.
    """
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        for phase, seconds in timeout.as_dict().items():
            if seconds is not None:
                _check_seconds(seconds, f"timeout's {phase}")
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise TypeError(
            f"timeout must be a number of seconds or an httpx.Timeout, not {type(timeout).__name__}"
        )
    _check_seconds(timeout, "timeout")
    # A number sets every phase, as in httpx; pass an httpx.Timeout to set phases apart.
    return httpx.Timeout(timeout)


def _check_seconds(seconds: float, what: str) -> None:
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(
            f"{seconds!r} is not a {what}: a finite number of seconds above 0 (httpx.Timeout(None) "
            "for no limit)"
        )


def call_deadline(timeout: httpx.Timeout) -> float | None:
    """The seconds one call may take in all, retries and waits included: the longest phase of
    ``timeout`` (a number sets every phase, so ``timeout=2`` is 2 s for the whole call); ``None``
    when a phase has no limit."""
    phases = timeout.as_dict().values()
    if any(seconds is None for seconds in phases):
        return None
    return max(float(seconds) for seconds in phases if seconds is not None)


def checked_max_response_size(size: int) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"{size!r} is not a max_response_size: a number of bytes >= 1")
    return size
