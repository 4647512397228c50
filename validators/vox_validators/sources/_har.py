"""HAR files: one record per recorded response (see ``_traffic``).

A HAR file is read whole, not streamed (within ``Limits.input`` bytes and ``Limits.nodes``
values, checked before anything is built).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from vox_validators._findings import Finding
from vox_validators.sources._limits import Limits, over_limit
from vox_validators.sources._record import Record, failed
from vox_validators.sources._secrets import har_secrets
from vox_validators.sources._traffic import (
    Problem,
    body_bytes,
    body_size_problem,
    decode_content,
    problem_record,
    response_schema,
    with_secrets,
)


def har_records(
    source: str,
    stream: BinaryIO,
    whole_input: Callable[[str], bytes | Record],
    limits: Limits,
    folder: Path | None,
) -> Iterator[Record]:
    """The records of the HAR file ``stream``; ``whole_input(subject)`` reads it whole (or gives
    the one record saying why it cannot be). ``folder`` is where the HAR file is, for the bodies
    kept beside it (None: not on disk)."""
    whole = whole_input("the HAR file")
    if isinstance(whole, Record):
        yield whole
        return
    yield from _har_records(source, whole, limits, folder)


def _har_header(headers: object, name: str) -> str:
    if not isinstance(headers, list):
        return ""
    values = [
        header.get("value")
        for header in headers
        if isinstance(header, dict)
        and isinstance(header.get("name"), str)
        and header["name"].lower() == name
    ]
    return ",".join(value for value in values if isinstance(value, str))


# --------------------------------------------------------------------------- HAR

# A JSON string, or what is left of an unterminated one: always matches at a quote (no retry per
# quote, no quadratic scan on a hostile file).
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)


def _json_values(whole: bytes) -> int:
    """About how many values a JSON text has (its separators and containers, strings aside)."""
    skeleton = _JSON_STRING.sub(b"", whole)
    return skeleton.count(b",") + skeleton.count(b"[") + skeleton.count(b"{") + 1


def _har_records(
    source: str, whole: bytes, limits: Limits, folder: Path | None
) -> Iterator[Record]:
    if _json_values(whole) > limits.nodes:
        message = over_limit("the HAR file", "nodes", limits, "not read")
        yield Record(source, None, None, None, None, (Finding("limit", "error", "", message),))
        return
    try:
        document = json.loads(whole)
    except (ValueError, RecursionError) as error:
        yield failed(source, f"not a readable HAR file: {error}")
        return
    log = document.get("log") if isinstance(document, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        yield failed(source, "not a HAR file: no 'log.entries' list")
        return
    for index, entry in enumerate(entries):
        try:
            record = _har_record(source, entry, index, limits, folder)
        except Exception as error:  # an odd shape is a finding on this entry only
            record = failed(source, f"entry could not be read: {error!r}", index=index)
        if isinstance(entry, dict):
            record = with_secrets(record, har_secrets, entry, record.data, limits)
        yield record


def _attached_body(folder: Path | None, name: str, limits: Limits) -> bytes | Problem | str:
    """The body Playwright attached as the file ``name`` beside the HAR file, or (a string) why it
    cannot be read. Only a plain file name in ``folder`` is read: a HAR file cannot make voxkit
    read a file elsewhere (``../``, an absolute path), nor block on a FIFO."""
    if folder is None:
        return f"is in the file {name!r} beside the HAR file, which is not on disk here"
    if not name or name in (".", "..") or any(char in name for char in "/\\\0") or ":" in name:
        return f"names the file {name!r}, which is not a plain file name; not read"
    path = folder / name
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        return (
            f"is in the file {name!r} beside the HAR file, which cannot be read: {error.strerror}"
        )
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return f"is in {name!r} beside the HAR file, which is not a regular file; not read"
        os.set_blocking(descriptor, True)
        body = stream.read(limits.record + 1)
    if len(body) > limits.record:
        return body_size_problem(limits)
    return body


def _not_captured(source: str, index: int, message: str) -> Record:
    finding = Finding("not-captured", "warning", "", message)
    return Record(source, None, index, None, None, (finding,))


def _har_record(
    source: str, entry: object, index: int, limits: Limits, folder: Path | None
) -> Record:
    request = entry.get("request") if isinstance(entry, dict) else None
    response = entry.get("response") if isinstance(entry, dict) else None
    if not isinstance(request, dict) or not isinstance(response, dict):
        return failed(source, "entry has no 'request' and 'response' objects", index=index)
    method, url, status = request.get("method"), request.get("url"), response.get("status")
    if not isinstance(method, str) or not isinstance(url, str) or type(status) is not int:
        message = "entry lacks the request method, url or response status"
        return failed(source, message, index=index)
    if status == 0:
        message = f"{method} {url} got no response (status 0); nothing to validate"
        return _not_captured(source, index, message)
    schema = response_schema(method, url, status)
    if isinstance(schema, Finding):
        return Record(source, None, index, None, None, (schema,))
    content = response.get("content")
    text = content.get("text") if isinstance(content, dict) else None
    attached = content.get("_file") if isinstance(content, dict) else None
    body: bytes | Problem
    if not isinstance(text, str) and isinstance(attached, str):
        # Playwright's record_har_content="attach": the body is a file beside the HAR file.
        found = _attached_body(folder, attached, limits)
        if isinstance(found, str):
            return _not_captured(source, index, f"the body of the {status} response {found}")
        body = found
    elif not isinstance(text, str):
        message = f"the body of the {status} response was not captured; not validated"
        return _not_captured(source, index, message)
    elif isinstance(content, dict) and content.get("encoding") == "base64":
        if len(text) // 4 * 3 > limits.record + 3:  # base64: 3 bytes per 4 characters
            body = body_size_problem(limits)
        else:
            try:
                body = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError) as error:
                message = f"response body is not valid base64: {error}"
                return failed(source, message, index=index)
            if len(body) > limits.record:
                body = body_size_problem(limits)
    else:
        body = body_bytes(text, limits)
    if not isinstance(body, Problem):
        # HAR bodies are decoded by the format's definition; some tools keep them encoded.
        encoding = _har_header(response.get("headers"), "content-encoding")
        body = decode_content(body, encoding, limits, raw_deflate=False)
    if isinstance(body, Problem):
        return problem_record(source, body, line=None, index=index)
    return Record(source, None, index, body, schema)
