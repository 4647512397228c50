"""Recorded HTTP traffic (vcrpy cassettes, HAR files): one record per recorded response.

Each response is matched to a documented operation of the spec (method and path template, from
``vox_generated/operations.json``) and validated against the schema documented for its status: the
exact status, else its class (``5XX``), else ``default``. So a success body is validated as a
``Campaign`` and an error body as an ``ErrorEnvelope``.

Nothing recorded is skipped silently: a response to an undocumented operation (or status) is a
record with one ``undocumented`` warning, and a HAR entry whose body was not captured is a record
with one ``not-captured`` warning. Request bodies are not validated. ``index`` is the 0-based
position of the interaction (cassette) or entry (HAR); ``line`` is the cassette line of the
response body (null for HAR). Cassettes and HAR files are read whole, not streamed.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import yaml

from vox_validators._findings import Finding
from vox_validators.sources._record import Record, failed

_YamlLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CassetteLoader(_YamlLoader):  # type: ignore[valid-type,misc]
    """A safe YAML loader that also reads the few Python tags vcrpy cassettes contain."""


def _construct_str(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


def _construct_tuple(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return tuple(loader.construct_sequence(node))  # type: ignore[arg-type]


def _construct_bytes_io(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    mapping = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    state = mapping.get("state") or (b"",)
    return state[0] if state else b""


def _construct_iter(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    mapping = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    arguments: Any = mapping.get("args") or ([],)
    return list(arguments[0]) if arguments else []


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


def traffic_records(source: str, whole: bytes, kind: str) -> Iterator[Record]:
    """The records of a whole cassette (``kind`` "cassette") or HAR file (``kind`` "har")."""
    if kind == "cassette":
        yield from _cassette_records(source, whole)
    else:
        yield from _har_records(source, whole)


# --------------------------------------------------------------------------- vcrpy cassettes


def _cassette_records(source: str, whole: bytes) -> Iterator[Record]:
    loader = _CassetteLoader(whole)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        yield failed(source, f"not a readable YAML cassette: {problem}", line=line)
        return
    finally:
        loader.dispose()
    interactions = data.get("interactions") if isinstance(data, dict) else None
    if not isinstance(interactions, list):
        yield failed(source, "not a vcrpy cassette: no 'interactions' list")
        return
    lines = _interaction_lines(node, len(interactions))
    for index, interaction in enumerate(interactions):
        yield _cassette_record(source, interaction, index, lines[index])


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


def _cassette_record(source: str, interaction: object, index: int, line: int | None) -> Record:
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
        raw = raw.encode("utf-8", "surrogatepass")
    if not isinstance(raw, bytes | bytearray):
        message = f"response body is a {type(raw).__name__}, not text"
        return failed(source, message, line=line, index=index)
    decoded = _decode_content(bytes(raw), _header(response.get("headers"), "content-encoding"))
    if isinstance(decoded, str):
        return failed(source, decoded, line=line, index=index)
    return Record(source, line, index, decoded, schema)


def _header(headers: object, name: str) -> str:
    if isinstance(headers, dict):
        for key, value in headers.items():
            if isinstance(key, str) and key.lower() == name:
                values = value if isinstance(value, list) else [value]
                return ",".join(str(item) for item in values)
    return ""


def _decode_content(raw: bytes, encoding: str) -> bytes | str:
    """The body without its Content-Encoding, or a message saying why it cannot be decoded."""
    for coding in reversed([part.strip().lower() for part in encoding.split(",") if part.strip()]):
        try:
            if coding in ("gzip", "x-gzip"):
                raw = gzip.decompress(raw)
            elif coding == "deflate":
                try:
                    raw = zlib.decompress(raw)
                except zlib.error:
                    raw = zlib.decompress(raw, -zlib.MAX_WBITS)
            elif coding != "identity":
                return f"response body has Content-Encoding {coding!r}, which voxkit cannot decode"
        except (OSError, EOFError, zlib.error) as error:
            return f"response body is not valid {coding}: {error}"
    return raw


# --------------------------------------------------------------------------- HAR


def _har_records(source: str, whole: bytes) -> Iterator[Record]:
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
        yield _har_record(source, entry, index)


def _not_captured(source: str, index: int, message: str) -> Record:
    finding = Finding("not-captured", "warning", "", message)
    return Record(source, None, index, None, None, (finding,))


def _har_record(source: str, entry: object, index: int) -> Record:
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
    if not isinstance(text, str):
        message = f"the body of the {status} response was not captured; not validated"
        return _not_captured(source, index, message)
    if isinstance(content, dict) and content.get("encoding") == "base64":
        try:
            return Record(source, None, index, base64.b64decode(text, validate=True), schema)
        except (binascii.Error, ValueError) as error:
            message = f"response body is not valid base64: {error}"
            return failed(source, message, index=index)
    return Record(source, None, index, text.encode("utf-8", "surrogatepass"), schema)
