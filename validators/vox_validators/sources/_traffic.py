"""Recorded HTTP traffic (vcrpy cassettes: ``_cassette``; HAR files: ``_har``): one record per
recorded response. This module holds what both readers share.

Each response is matched to a documented operation of the spec (method and path template, from
``vox_generated/operations.json``) and validated against the schema documented for its status: the
exact status, else its class (``5XX``), else ``default``. So a success body is validated as a
``Campaign`` and an error body as an ``ErrorEnvelope``.

Nothing recorded is skipped silently: a response to an undocumented operation (or status) is a
record with one ``undocumented`` warning, and a HAR entry whose body was not captured is a record
with one ``not-captured`` warning. Request bodies are not validated. ``index`` is the 0-based
position of the interaction (cassette) or entry (HAR); ``line`` is the cassette line of the
response body (null for HAR). Each response body is a record, within ``Limits.record`` bytes once
decoded.

Every record of an interaction (or entry) also carries the ``secret`` findings of the credentials
recorded in it (see ``_secrets``), whatever becomes of its body.

A body whose Content-Encoding says ``gzip`` or ``deflate`` but whose bytes are not (no gzip magic,
no zlib header, not a raw deflate stream) is taken as recorded already decoded, which is what
vcrpy writes with ``requests`` (urllib3 2), ``aiohttp`` and pytest-recording's defaults.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from vox_validators._findings import Finding
from vox_validators.sources._limits import Limits, over_limit
from vox_validators.sources._record import Record


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a body is not validated: a ``parse`` or ``limit`` finding's rule and message."""

    rule: str
    message: str

    def finding(self) -> Finding:
        return Finding(self.rule, "error", "", self.message)


def kind_of(value: object) -> str:
    return "mapping" if isinstance(value, dict) else type(value).__name__


@dataclass(frozen=True, slots=True)
class _Operation:
    method: str
    path: str
    pattern: re.Pattern[str]
    responses: Mapping[str, str]


@cache
def operations() -> tuple[_Operation, ...]:
    text = resources.files("vox_generated").joinpath("operations.json").read_text("utf-8")
    found = []
    for operation in json.loads(text)["operations"]:
        template = re.escape(operation["path"])
        pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", template)
        found.append(
            _Operation(
                method=operation["method"].upper(),
                path=operation["path"],
                pattern=re.compile(pattern + r"/?\Z"),
                responses=operation["responses"],
            )
        )
    return tuple(found)


@cache
def _operations_by_method() -> dict[str, tuple[_Operation, ...]]:
    """``operations()`` by method, in their order (the loop of ``response_schema`` tries only
    those of the request's method, which is what comparing each one's method did)."""
    by_method: dict[str, list[_Operation]] = {}
    for operation in operations():
        by_method.setdefault(operation.method, []).append(operation)
    return {method: tuple(found) for method, found in by_method.items()}


# An absolute URL whose path urlsplit finds where this finds it: a scheme and "//" (urlsplit then
# splits them off), an ASCII authority without brackets (urlsplit raises only for brackets and
# for some non-ASCII ones), then the path up to "?" or "#", and no tab or newline anywhere
# (urlsplit removes them first). Any other URL goes through urlsplit.
_PLAIN_URL = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9!$&'()*+,;=:@%._~-]*(/[^?#\t\r\n]*)?(?:[?#][^\t\r\n]*)?"
)


def url_path(url: str) -> str:
    """``urlsplit(url).path`` (ValueError when urlsplit raises it), without urlsplit for the
    plain absolute URLs recorded traffic is made of (every URL differs, so urlsplit's own cache
    does not help)."""
    plain = _PLAIN_URL.fullmatch(url) if isinstance(url, str) else None
    if plain is None:
        return urlsplit(url).path
    return plain.group(1) or ""


def response_schema(method: str, url: str, status: int) -> str | Finding:
    """The schema documented for this response, or an ``undocumented`` warning saying why not."""
    path = url_path(url)
    for operation in _operations_by_method().get(method.upper(), ()):
        if operation.pattern.match(path):
            responses = operation.responses
            for key in (str(status), f"{status // 100}XX", "default"):
                if key in responses:
                    return responses[key]
            return Finding(
                "undocumented",
                "warning",
                "",
                f"{method} {operation.path} documents no {status} response; not validated",
            )
    return Finding(
        "undocumented",
        "warning",
        "",
        f"{method} {path} is not a documented operation; its {status} response was not validated",
    )


_Scan = Callable[..., tuple[Finding, ...]]


def with_secrets(
    record: Record, scan: _Scan, recorded: object, body: bytes | None, limits: Limits
) -> Record:
    """``record`` with the secret findings of its interaction (or entry) after the reader's own.

    ``body`` is the response body as decoded, when it could be (the scan then looks into a
    compressed body too).
    """
    try:
        secrets = scan(recorded, response_body=body, max_body_bytes=limits.record)
    except Exception as error:  # the scan must not lose the body's verdict
        secrets = (
            Finding("internal", "error", "", f"the secret scan failed on this record: {error!r}"),
        )
    if not secrets:
        return record
    return Record(
        record.source,
        record.line,
        record.index,
        record.data,
        record.schema,
        record.findings + secrets,
    )


def problem_record(source: str, problem: Problem, *, line: int | None, index: int | None) -> Record:
    return Record(source, line, index, None, None, (problem.finding(),))


# --------------------------------------------------------------------------- body decoding

_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def body_size_problem(limits: Limits) -> Problem:
    return Problem("limit", over_limit("the response body", "record", limits))


def decode_content(
    raw: bytes, encoding: str, limits: Limits, *, raw_deflate: bool = True
) -> bytes | Problem:
    """The body without its Content-Encoding, or the problem that stops it from being read.

    Decompression stops at ``limits.record`` bytes of output (a bomb costs no more than that).
    Bytes that do not look encoded the way the header says (no gzip magic, no zlib header, no raw
    deflate stream) are taken as recorded already decoded. ``raw_deflate``: whether a deflate
    body without a zlib header may be a raw deflate stream (HAR bodies are decoded by the spec).
    """
    codings = [part.strip().lower() for part in encoding.split(",") if part.strip()]
    for coding in reversed(codings):  # the last coding applied is undone first
        if coding == "identity":
            continue
        try:
            if coding in ("gzip", "x-gzip"):
                if not raw.startswith(_GZIP_MAGIC):
                    return raw  # recorded already decoded
                decoded = _inflate(raw, 16 + zlib.MAX_WBITS, limits.record)
            elif coding == "deflate":
                if _is_zlib(raw):
                    decoded = _inflate(raw, zlib.MAX_WBITS, limits.record)
                elif raw_deflate:
                    try:
                        decoded = _inflate(raw, -zlib.MAX_WBITS, limits.record, whole=True)
                    except (zlib.error, EOFError):
                        return raw  # not deflate at all: recorded already decoded
                else:
                    return raw
            elif (coding == "zstd" and not raw.startswith(_ZSTD_MAGIC)) or _looks_decoded(raw):
                return raw  # br, zstd, compress: only as recorded already decoded
            else:
                return Problem(
                    "parse",
                    f"response body has Content-Encoding {coding!r}, which voxkit cannot decode",
                )
        except (zlib.error, EOFError) as error:
            return Problem("parse", f"response body is not valid {coding}: {error}")
        if decoded is None:
            return Problem(
                "limit", over_limit(f"the {coding} response body, decoded,", "record", limits)
            )
        raw = decoded
    return raw


def _is_zlib(raw: bytes) -> bool:
    """Whether ``raw`` starts with a zlib header (RFC 1950: deflate, and a check sum of 31)."""
    return len(raw) >= 2 and raw[0] & 0x0F == 8 and (raw[0] << 8 | raw[1]) % 31 == 0


# Decoded JSON: text that starts and ends the way a JSON object or array does.
_DECODED_JSON = re.compile(rb"\A\s*(?:\{.*\}|\[.*\])\s*\Z", re.DOTALL)


def _looks_decoded(raw: bytes) -> bool:
    """Whether a body under a coding voxkit cannot undo is plainly JSON text already."""
    if _DECODED_JSON.match(raw) is None:
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _inflate(raw: bytes, wbits: int, limit: int, *, whole: bool = False) -> bytes | None:
    """``raw`` decompressed (every gzip member), or None once the output passes ``limit`` bytes.

    :class:`zlib.error` or :class:`EOFError` when ``raw`` is corrupt or ends early; ``whole``:
    also when something follows the end of the stream.
    """
    parts: list[bytes] = []
    size = 0
    data = raw
    while True:
        inflater = zlib.decompressobj(wbits)
        part = inflater.decompress(data, limit + 1 - size)
        size += len(part)
        if size > limit:
            return None
        parts.append(part)
        if not inflater.eof:
            raise EOFError("the compressed body ends early")
        data = inflater.unused_data
        if wbits > zlib.MAX_WBITS:
            data = data.lstrip(b"\0")  # gzip files may be padded with zeros
        if not data:
            return b"".join(parts)
        if wbits > zlib.MAX_WBITS and data.startswith(_GZIP_MAGIC):
            continue  # another gzip member
        if whole or wbits > zlib.MAX_WBITS:
            raise zlib.error(f"{len(data)} bytes after the end of the compressed body")
        return b"".join(parts)


def body_bytes(text: str, limits: Limits) -> bytes | Problem:
    """A text body as bytes (lone surrogates kept), within the record limit."""
    if len(text) > limits.record:  # each character is at least one byte
        return body_size_problem(limits)
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) > limits.record:
        return body_size_problem(limits)
    return encoded
