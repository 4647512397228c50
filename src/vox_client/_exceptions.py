"""The exceptions of the strict client: one tree, every failure a subclass of ``VoxError``.

::

    VoxError
    ├── MissingAPIKeyError          no api_key= and no VOX_API_KEY; raised before any request
    ├── InvalidAPIKeyError          a key that is not printable ASCII (also a ValueError); raised
    │                               when the client is built, without the key in the message
    ├── ClientClosedError           a call on a client after close() / aclose()
    ├── RequestValidationError      a request body the spec refuses; nothing was sent (.findings)
    │   └── InvalidCampaignIDError  an ID that cannot be one path segment ("", ".", "..", too
    │                               long, a lone surrogate); also a ValueError
    ├── APIConnectionError          the server could not be reached or the connection broke
    │   └── APITimeoutError         connect, read, write or pool timeout, or the call's deadline
    ├── ResponseTooLargeError       an answer over max_response_size (counted decoded); not read
    │                               further (.limit, .status_code, .request_id)
    ├── APIStatusError              a non-2xx answer (.status_code, .code, .message, .details,
    │   │                           .response, .request_id, .findings about the envelope itself)
    │   ├── BadRequestError             400
    │   ├── AuthenticationError         401
    │   ├── PermissionDeniedError       403
    │   ├── NotFoundError               404
    │   ├── ConflictError               409
    │   ├── UnprocessableEntityError    422
    │   ├── RateLimitError              429
    │   └── InternalServerError         5xx
    └── ResponseValidationError     a 2xx whose body breaks the schema or a business rule, or is
                                    not JSON (.findings, .status_code, .response, .request_id)

No message of these exceptions contains the API key: messages are built from the status line, the
error envelope and the validator's findings only, never from request headers. Errors about an
answer end with the answer's ``x-request-id`` (``.request_id``; ``None`` when the server sent
none), the id to quote to vox.ai support.

What the server sent is shown escaped in messages (a control character as ``\\x1b``, so an
answer cannot drive the terminal that prints it), and a long text is cut with a note
(``.message`` and ``.details`` keep the whole of it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from vox_validators import Finding

# Server text longer than this is cut in a message (the attributes keep all of it): a 3 MiB error
# message is a hostile answer's, not something to print.
MAX_SHOWN = 1000


def printable(text: str) -> str:
    """``text`` with every character that is not printable escaped (``\\x1b``, ``\\u202e``, ...).

    Control characters, C1 controls, bidirectional overrides, line separators and lone
    surrogates would otherwise reach the terminal that prints a message; printable text (Korean
    included) is kept as it is.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escaped(c) for c in text)


def _escaped(character: str) -> str:
    code = ord(character)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def shown(text: str, limit: int = MAX_SHOWN) -> str:
    """Server text as a message shows it: escaped, and cut after ``limit`` characters."""
    if len(text) > limit:
        rest = len(text) - limit
        return f"{printable(text[:limit])}... ({rest:,} more characters not shown)"
    return printable(text)


def where(request: httpx.Request) -> str:
    """``METHOD /path`` as sent (percent-encoded: an ID with ``/`` or ``?`` stays one segment)."""
    return f"{request.method} {request.url.raw_path.split(b'?', 1)[0].decode('ascii', 'replace')}"


class VoxError(Exception):
    """The base of every error the strict client raises."""


class MissingAPIKeyError(VoxError):
    """No API key: neither ``api_key=`` nor the ``VOX_API_KEY`` environment variable is set."""


class InvalidAPIKeyError(VoxError, ValueError):
    """An API key that an ``Authorization`` header cannot carry: a newline (a key read from a
    file), another control character, a space or a character outside ASCII. Raised when the
    client is built; the message says what and where, never the key."""


class ClientClosedError(VoxError):
    """A call on a client that was closed (``close()``, ``aclose()`` or the end of ``with``)."""


def request_id_of(response: httpx.Response) -> str | None:
    """The answer's ``x-request-id`` header, the id vox.ai support can look up."""
    value: str | None = response.headers.get("x-request-id")
    return value


def _with_request_id(text: str, request_id: str | None) -> str:
    return text if request_id is None else f"{text} [request id {shown(request_id, 200)}]"


def _findings_text(findings: Sequence[Finding]) -> str:
    text = "; ".join(f"{f.path or '/'}: {f.message} [{f.rule}]" for f in findings[:20])
    if len(findings) > 20:
        text += f"; ... ({len(findings) - 20} more)"
    return shown(text, 20 * MAX_SHOWN)


class RequestValidationError(VoxError):
    """A request body that the spec refuses; it was not sent."""

    def __init__(
        self,
        operation: str,
        findings: Sequence[Finding],
        *,
        schema: str | None = None,
        body: Any = None,
    ) -> None:
        self.operation = operation
        self.findings: list[Finding] = list(findings)
        # The refused body and its schema, for a caller that explains the findings further.
        self.schema = schema
        self.body = body
        super().__init__(
            f"{operation} refused before sending: {len(self.findings)} finding(s): "
            f"{_findings_text(self.findings)}"
        )


class InvalidCampaignIDError(RequestValidationError, ValueError):
    """A campaign ID that cannot be sent as one path segment: empty, ``.`` or ``..`` (which a URL
    resolves to another path), a lone surrogate (no UTF-8 for it), or longer than
    ``MAX_CAMPAIGN_ID_BYTES`` once percent-encoded. Nothing was sent."""


class APIConnectionError(VoxError):
    """The request did not get an HTTP answer: connection refused, reset, DNS, TLS, ..."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        self.request = request
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout."""


class APIStatusError(VoxError):
    """A non-2xx answer. ``code``, ``message`` and ``details`` come from the v3 error envelope.

    When the body is not a valid envelope, ``code`` is ``None``, ``message`` says so, and
    ``findings`` lists what is wrong with the envelope.
    """

    def __init__(
        self,
        *,
        status_code: int,
        code: str | None,
        message: str,
        details: dict[str, Any] | None,
        response: httpx.Response,
        findings: Sequence[Finding] = (),
    ) -> None:
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = details
        self.response = response
        self.request_id = request_id_of(response)
        self.findings: list[Finding] = list(findings)
        super().__init__(_with_request_id(self._text(), self.request_id))

    def _text(self) -> str:
        head = f"HTTP {self.status_code} from {where(self.response.request)}"
        message = shown(self.message)
        text = f"{head}: {shown(self.code, 200)}: {message}" if self.code else f"{head}: {message}"
        if self.details:
            details = ", ".join(f"{k}: {v}" for k, v in self.details.items())
            text += f" ({shown(details)})"
        return text


class BadRequestError(APIStatusError):
    """400: the request is malformed or a field is invalid (a blank name, for example)."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not act on this resource."""


class NotFoundError(APIStatusError):
    """404: no such campaign in the key's organisation."""


class ConflictError(APIStatusError):
    """409: the campaign's status does not allow the change (a PATCH of an ongoing campaign)."""


class UnprocessableEntityError(APIStatusError):
    """422: a well-formed request the server will not process."""


class RateLimitError(APIStatusError):
    """429: too many requests; retried automatically for GET before this is raised."""


class InternalServerError(APIStatusError):
    """Any 5xx answer."""


class ResponseValidationError(VoxError):
    """A 2xx answer whose body breaks the schema or a business rule, or is not JSON."""

    def __init__(self, findings: Sequence[Finding], *, response: httpx.Response) -> None:
        self.findings: list[Finding] = list(findings)
        self.response = response
        self.status_code = response.status_code
        self.request_id = request_id_of(response)
        super().__init__(
            _with_request_id(
                f"HTTP {response.status_code} from {where(response.request)} broke the "
                f"contract: {len(self.findings)} finding(s): {_findings_text(self.findings)}",
                self.request_id,
            )
        )


class ResponseTooLargeError(VoxError):
    """An answer whose body, decoded, is over ``max_response_size`` bytes (4 MiB by default).

    The rest of the body was not read (a gzip bomb or an endless body costs at most the limit).
    ``.limit`` is the limit, ``.status_code`` and ``.request_id`` describe the answer.
    """

    def __init__(self, *, limit: int, response: httpx.Response, read: int | None = None) -> None:
        self.limit = limit
        self.response = response
        self.status_code = response.status_code
        self.request_id = request_id_of(response)
        size = f"{read:,} bytes read" if read is not None else "its Content-Length says more"
        super().__init__(
            _with_request_id(
                f"HTTP {response.status_code} from {where(response.request)}: the body is over "
                f"the {limit:,}-byte limit ({size}; max_response_size= raises it)",
                self.request_id,
            )
        )


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The most precise ``APIStatusError`` subclass for a status code."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_ERRORS.get(status_code, APIStatusError)
