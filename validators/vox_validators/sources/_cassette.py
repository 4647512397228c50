"""vcrpy cassettes: one record per recorded response (see ``_traffic``).

A cassette is read whole, not streamed (within ``Limits.input`` bytes and ``Limits.nodes`` values,
YAML aliases expanded, checked before anything is built).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import yaml

from vox_validators._findings import Finding
from vox_validators.sources._limits import Limits, over_limit
from vox_validators.sources._record import Record, failed
from vox_validators.sources._secrets import cassette_secrets
from vox_validators.sources._traffic import (
    Problem,
    body_bytes,
    body_size_problem,
    decode_content,
    kind_of,
    problem_record,
    response_schema,
    with_secrets,
)

_YamlLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CassetteLoader(_YamlLoader):  # type: ignore[valid-type,misc]
    """A safe YAML loader that also reads the few Python tags vcrpy cassettes contain.

    Their constructors never raise for an odd shape (a ``BytesIO`` whose state is an int): they
    build a :class:`Problem`, which becomes a finding on that interaction only.
    """


def _construct_str(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return Problem("parse", f"a !!python/str that is a {_node_kind(node)}, not text")
    return loader.construct_scalar(node)


def _construct_tuple(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if not isinstance(node, yaml.SequenceNode):
        return Problem("parse", f"a !!python/tuple that is a {_node_kind(node)}, not a sequence")
    return tuple(loader.construct_sequence(node))


def _construct_bytes_io(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """What vcrpy writes for a body it kept as a ``BytesIO``: ``state: [bytes, position, ...]``."""
    if not isinstance(node, yaml.MappingNode):
        return Problem("parse", f"response body is a BytesIO written as a {_node_kind(node)}")
    mapping = loader.construct_mapping(node, deep=True)
    state = mapping.get("state", (b"",))
    if state is None:
        return b""
    if not isinstance(state, tuple | list):
        return Problem("parse", f"response body is a BytesIO whose state is a {kind_of(state)}")
    content = state[0] if state else b""
    if isinstance(content, str):
        return content.encode("utf-8", "surrogatepass")
    if not isinstance(content, bytes):
        return Problem("parse", f"response body is a BytesIO holding a {kind_of(content)}")
    return content


def _construct_iter(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if not isinstance(node, yaml.MappingNode):
        return Problem(
            "parse", f"a !!python/object/apply:builtins.iter written as a {_node_kind(node)}"
        )
    mapping = loader.construct_mapping(node, deep=True)
    arguments: Any = mapping.get("args") or ([],)
    items = arguments[0] if isinstance(arguments, list | tuple) and arguments else []
    if not isinstance(items, list | tuple | str | bytes):
        return Problem("parse", f"an iterator over a {kind_of(items)}")
    return list(items)


def _node_kind(node: yaml.Node) -> str:
    return str(getattr(node, "id", "node"))


for _tag, _constructor in {
    "tag:yaml.org,2002:python/str": _construct_str,
    "tag:yaml.org,2002:python/unicode": _construct_str,
    "tag:yaml.org,2002:python/tuple": _construct_tuple,
    "tag:yaml.org,2002:python/object/new:_io.BytesIO": _construct_bytes_io,
    "tag:yaml.org,2002:python/object/apply:builtins.iter": _construct_iter,
}.items():
    _CassetteLoader.add_constructor(_tag, _constructor)


def cassette_records(
    source: str, stream: BinaryIO, whole_input: Callable[[str], bytes | Record], limits: Limits
) -> Iterator[Record]:
    """The records of the cassette ``stream``; ``whole_input(subject)`` reads it whole (or
    gives the one record saying why it cannot be)."""
    whole = whole_input("the cassette")
    if isinstance(whole, Record):
        yield whole
        return
    yield from _cassette_records(source, whole, limits)


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
            record = with_secrets(record, cassette_secrets, interaction, record.data, limits)
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
        raw = body_bytes(raw, limits)
    if isinstance(raw, Problem):
        return problem_record(source, raw, line=line, index=index)
    if not isinstance(raw, bytes | bytearray):
        message = f"response body is a {kind_of(raw)}, not text"
        return failed(source, message, line=line, index=index)
    if len(raw) > limits.record:
        return problem_record(source, body_size_problem(limits), line=line, index=index)
    encoding = _header(response.get("headers"), "content-encoding")
    decoded = decode_content(bytes(raw), encoding, limits)
    if isinstance(decoded, Problem):
        return problem_record(source, decoded, line=line, index=index)
    return Record(source, line, index, decoded, schema)


def _header(headers: object, name: str) -> str:
    if isinstance(headers, dict):
        for key, value in headers.items():
            if isinstance(key, str) and key.lower() == name:
                values = value if isinstance(value, list) else [value]
                return ",".join(item for item in values if isinstance(item, str))
    return ""
