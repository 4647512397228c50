"""Recorded HTTP traffic (vcrpy cassettes, HAR files): one record per recorded response.

Each response is matched to a documented operation of the spec (method and path template, from
``vox_generated/operations.json``) and validated against the schema documented for its status: the
exact status, else its class (``5XX``), else ``default``. So a success body is validated as a
``Campaign`` and an error body as an ``ErrorEnvelope``.

Nothing recorded is skipped silently: a response to an undocumented operation (or status) is a
record with one ``undocumented`` warning, and a HAR entry whose body was not captured is a record
with one ``not-captured`` warning. Request bodies are not validated. ``index`` is the 0-based
position of the interaction (cassette) or entry (HAR); ``line`` is the cassette line of the
response body (null for HAR). Cassettes and HAR files are read whole, not streamed (within
``Limits.input`` bytes and ``Limits.nodes`` values, YAML aliases expanded, checked before anything
is built); each response body is a record, within ``Limits.record`` bytes once decoded.

Every record of an interaction (or entry) also carries the ``secret`` findings of the credentials
recorded in it (see ``_secrets``), whatever becomes of its body.

A body whose Content-Encoding says ``gzip`` or ``deflate`` but whose bytes are not (no gzip magic,
no zlib header, not a raw deflate stream) is taken as recorded already decoded, which is what
vcrpy writes with ``requests`` (urllib3 2), ``aiohttp`` and pytest-recording's defaults.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from vox_validators._findings import Finding
from vox_validators.sources._limits import DEFAULT_LIMITS, Limits, over_limit
from vox_validators.sources._record import Record, failed
from vox_validators.sources._secrets import cassette_secrets, har_secrets

_YamlLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class _Problem:
    """Why a body is not validated: a ``parse`` or ``limit`` finding's rule and message."""

    rule: str
    message: str

    def finding(self) -> Finding:
        return Finding(self.rule, "error", "", self.message)


class _CassetteLoader(_YamlLoader):  # type: ignore[valid-type,misc]
    """A safe YAML loader that also reads the few Python tags vcrpy cassettes contain.

    Their constructors never raise for an odd shape (a ``BytesIO`` whose state is an int): they
    build a :class:`_Problem`, which becomes a finding on that interaction only.
    """


def _construct_str(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return _Problem("parse", f"a !!python/str that is a {_node_kind(node)}, not text")
    return loader.construct_scalar(node)


def _construct_tuple(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if not isinstance(node, yaml.SequenceNode):
        return _Problem("parse", f"a !!python/tuple that is a {_node_kind(node)}, not a sequence")
    return tuple(loader.construct_sequence(node))


def _construct_bytes_io(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """What vcrpy writes for a body it kept as a ``BytesIO``: ``state: [bytes, position, ...]``."""
    if not isinstance(node, yaml.MappingNode):
        return _Problem("parse", f"response body is a BytesIO written as a {_node_kind(node)}")
    mapping = loader.construct_mapping(node, deep=True)
    state = mapping.get("state", (b"",))
    if state is None:
        return b""
    if not isinstance(state, tuple | list):
        return _Problem("parse", f"response body is a BytesIO whose state is a {_kind(state)}")
    content = state[0] if state else b""
    if isinstance(content, str):
        return content.encode("utf-8", "surrogatepass")
    if not isinstance(content, bytes):
        return _Problem("parse", f"response body is a BytesIO holding a {_kind(content)}")
    return content


def _construct_iter(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if not isinstance(node, yaml.MappingNode):
        return _Problem(
            "parse", f"a !!python/object/apply:builtins.iter written as a {_node_kind(node)}"
        )
    mapping = loader.construct_mapping(node, deep=True)
    arguments: Any = mapping.get("args") or ([],)
    items = arguments[0] if isinstance(arguments, list | tuple) and arguments else []
    if not isinstance(items, list | tuple | str | bytes):
        return _Problem("parse", f"an iterator over a {_kind(items)}")
    return list(items)


def _node_kind(node: yaml.Node) -> str:
    return str(getattr(node, "id", "node"))


def _kind(value: object) -> str:
    return "mapping" if isinstance(value, dict) else type(value).__name__


for _tag, _constructor in {
    "tag:yaml.org,2002:python/str": _construct_str,
    "tag:yaml.org,2002:python/unicode": _construct_str,
    "tag:yaml.org,2002:python/tuple": _construct_tuple,
    "tag:yaml.org,2002:python/object/new:_io.BytesIO": _construct_bytes_io,
    "tag:yaml.org,2002:python/object/apply:builtins.iter": _construct_iter,
}.items():
    _CassetteLoader.add_constructor(_tag, _constructor)


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


def response_schema(method: str, url: str, status: int) -> str | Finding:
    """The schema documented for this response, or an ``undocumented`` warning saying why not."""
    path = urlsplit(url).path
    for operation in operations():
        if operation.method == method.upper() and operation.pattern.match(path):
            for key in (str(status), f"{status // 100}XX", "default"):
                if key in operation.responses:
                    return operation.responses[key]
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


def traffic_records(
    source: str,
    whole: bytes,
    kind: str,
    limits: Limits = DEFAULT_LIMITS,
    *,
    folder: Path | None = None,
) -> Iterator[Record]:
    """The records of a whole cassette (``kind`` "cassette") or HAR file (``kind`` "har").

    ``folder`` is where the HAR file is, for the bodies kept beside it (None: not on disk).
    """
    if kind == "cassette":
        yield from _cassette_records(source, whole, limits)
    else:
        yield from _har_records(source, whole, limits, folder)


_Scan = Callable[..., tuple[Finding, ...]]


def _with_secrets(
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


def _problem_record(
    source: str, problem: _Problem, *, line: int | None, index: int | None
) -> Record:
    return Record(source, line, index, None, None, (problem.finding(),))


# --------------------------------------------------------------------------- body decoding

_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def _body_size_problem(limits: Limits) -> _Problem:
    return _Problem("limit", over_limit("the response body", "record", limits))


def _decode_content(
    raw: bytes, encoding: str, limits: Limits, *, raw_deflate: bool = True
) -> bytes | _Problem:
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
                return _Problem(
                    "parse",
                    f"response body has Content-Encoding {coding!r}, which voxkit cannot decode",
                )
        except (zlib.error, EOFError) as error:
            return _Problem("parse", f"response body is not valid {coding}: {error}")
        if decoded is None:
            return _Problem(
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


def _body_bytes(text: str, limits: Limits) -> bytes | _Problem:
    """A text body as bytes (lone surrogates kept), within the record limit."""
    if len(text) > limits.record:  # each character is at least one byte
        return _body_size_problem(limits)
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) > limits.record:
        return _body_size_problem(limits)
    return encoded


# --------------------------------------------------------------------------- vcrpy cassettes


def _cassette_records(source: str, whole: bytes, limits: Limits) -> Iterator[Record]:
    try:
        if _yaml_nodes(whole, limits.nodes) is None:
            message = over_limit(
                "the cassette (YAML aliases expanded)", "nodes", limits, "not read"
            )
            yield Record(source, None, None, None, None, (Finding("limit", "error", "", message),))
            return
        loader = _CassetteLoader(whole)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        yield failed(source, f"not a readable YAML cassette: {problem}", line=line)
        return
    except (ValueError, TypeError, RecursionError) as error:  # an odd value inside a tag
        yield failed(source, f"not a readable YAML cassette: {error!r}")
        return
    interactions = data.get("interactions") if isinstance(data, dict) else None
    if not isinstance(interactions, list):
        yield failed(source, "not a vcrpy cassette: no 'interactions' list")
        return
    lines = _interaction_lines(node, len(interactions))
    for index, interaction in enumerate(interactions):
        line = lines[index]
        try:
            record = _cassette_record(source, interaction, index, line, limits)
        except Exception as error:  # an odd shape is a finding on this interaction only
            message = f"interaction could not be read: {error!r}"
            record = failed(source, message, line=line, index=index)
        if isinstance(interaction, dict):
            record = _with_secrets(record, cassette_secrets, interaction, record.data, limits)
        yield record


def _yaml_nodes(text: bytes, cap: int) -> int | None:
    """The YAML nodes of ``text`` with every alias expanded, or None as soon as there are more
    than ``cap``: counted from the parser's events, so nothing is built (a billion laughs costs
    a few counters). :class:`yaml.YAMLError` when ``text`` is not YAML."""
    loader = _YamlLoader(text)
    sizes: dict[str, int] = {}  # the expanded size of each anchored node
    open_nodes: list[tuple[int, str | None]] = []  # (expanded count when it opened, anchor)
    expanded = 0
    try:
        while loader.check_event():
            event = loader.get_event()  # type: ignore[no-untyped-call]
            if isinstance(event, yaml.AliasEvent):
                expanded += sizes.get(str(event.anchor), 1)
            elif isinstance(event, yaml.ScalarEvent):
                expanded += 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.CollectionStartEvent):
                expanded += 1
                open_nodes.append((expanded - 1, event.anchor))
            elif isinstance(event, yaml.CollectionEndEvent) and open_nodes:
                opened, anchor = open_nodes.pop()
                if anchor is not None:
                    sizes[anchor] = expanded - opened
            if expanded > cap:
                return None
    finally:
        loader.dispose()
    return expanded


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return value_node  # type: ignore[no-any-return]
    return None


def _interaction_lines(root: yaml.Node, count: int) -> list[int | None]:
    """The line of each interaction's response body (or of the interaction), 1-based."""
    sequence = _child(root, "interactions")
    lines: list[int | None] = [None] * count
    if isinstance(sequence, yaml.SequenceNode):
        for index, item in enumerate(sequence.value[:count]):
            response = _child(item, "response")
            body = _child(response, "body")
            located = _child(body, "string") or body or _child(response, "content") or item
            lines[index] = located.start_mark.line + 1
    return lines


def _cassette_record(
    source: str, interaction: object, index: int, line: int | None, limits: Limits
) -> Record:
    request = interaction.get("request") if isinstance(interaction, dict) else None
    response = interaction.get("response") if isinstance(interaction, dict) else None
    if not isinstance(request, dict) or not isinstance(response, dict):
        message = "interaction has no 'request' and 'response' mappings"
        return failed(source, message, line=line, index=index)
    method, uri = request.get("method"), request.get("uri")
    status_field = response.get("status")
    status = status_field.get("code") if isinstance(status_field, dict) else None
    if status is None:
        status = response.get("status_code")  # httpx cassettes of older vcrpy versions
    if not isinstance(method, str) or not isinstance(uri, str) or type(status) is not int:
        message = "interaction lacks the request method, uri or status code"
        return failed(source, message, line=line, index=index)
    schema = response_schema(method, uri, status)
    if isinstance(schema, Finding):
        return Record(source, line, index, None, None, (schema,))
    body = response.get("body")
    raw = body.get("string") if isinstance(body, dict) else response.get("content", body)
    if raw is None:
        raw = b""
    if isinstance(raw, str):
        raw = _body_bytes(raw, limits)
    if isinstance(raw, _Problem):
        return _problem_record(source, raw, line=line, index=index)
    if not isinstance(raw, bytes | bytearray):
        message = f"response body is a {_kind(raw)}, not text"
        return failed(source, message, line=line, index=index)
    if len(raw) > limits.record:
        return _problem_record(source, _body_size_problem(limits), line=line, index=index)
    encoding = _header(response.get("headers"), "content-encoding")
    decoded = _decode_content(bytes(raw), encoding, limits)
    if isinstance(decoded, _Problem):
        return _problem_record(source, decoded, line=line, index=index)
    return Record(source, line, index, decoded, schema)


def _header(headers: object, name: str) -> str:
    if isinstance(headers, dict):
        for key, value in headers.items():
            if isinstance(key, str) and key.lower() == name:
                values = value if isinstance(value, list) else [value]
                return ",".join(item for item in values if isinstance(item, str))
    return ""


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
            record = _with_secrets(record, har_secrets, entry, record.data, limits)
        yield record


def _attached_body(folder: Path | None, name: str, limits: Limits) -> bytes | _Problem | str:
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
        return _body_size_problem(limits)
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
    body: bytes | _Problem
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
            body = _body_size_problem(limits)
        else:
            try:
                body = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError) as error:
                message = f"response body is not valid base64: {error}"
                return failed(source, message, index=index)
            if len(body) > limits.record:
                body = _body_size_problem(limits)
    else:
        body = _body_bytes(text, limits)
    if not isinstance(body, _Problem):
        # HAR bodies are decoded by the format's definition; some tools keep them encoded.
        encoding = _har_header(response.get("headers"), "content-encoding")
        body = _decode_content(body, encoding, limits, raw_deflate=False)
    if isinstance(body, _Problem):
        return _problem_record(source, body, line=None, index=index)
    return Record(source, None, index, body, schema)
