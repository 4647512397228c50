"""vcrpy cassettes, streamed: one record per recorded response (see ``_traffic``).

A cassette is cut into its interactions as it is read: PyYAML's emitter (vcrpy's writer) puts
``interactions:`` at column 0 and each interaction at a ``- `` of column 0, and nothing else of
the document starts a line at column 0 until what follows the list (``version: 1``). Each piece is
read alone, by the fast reader of ``_cassette_fast`` when it can (the emitter's layout, exactly
as PyYAML reads it), else by libyaml with the loader below; then it is a record, and is let go:
memory holds about one interaction whatever the size of the cassette.

A piece read alone is read as in the whole document unless something crosses pieces: an alias
of an anchor in another piece, an anchor named twice (PyYAML's composer refuses that), a quoted
scalar or a flow collection going on at column 0, another kind of line break (CR, NEL) hiding a
``- `` at column 0. Each makes the piece unreadable alone, or more than one item, and so does a
YAML error; anything unusual before the list (another key, ``%`` directives, ``---``, an indented
or flow list) is a doubt too. A doubt sends the cassette to the exact path, today's whole read
(within ``Limits.input``): from its start again when the input can seek, else from the copy read
whole first. The records yielded already are not yielded again (the whole read's are the same);
the rest come from the whole read, or its ``parse`` finding does (so the records before a YAML
error are kept, then that error). One deliberate difference: a second ``interactions`` key after
the list (a whole load keeps the last) is a ``parse`` finding after the first list's records.

An input that cannot seek (a pipe), or one whose decoded chunks are not handed over, is read
whole first (within ``Limits.input``, as before), then cut all the same.

Limits, when streamed: ``Limits.input`` caps an interaction (and what follows the list), and
``Limits.nodes`` its YAML nodes, aliases expanded, counted before anything is built; one over a
limit is one ``limit`` record, and reading goes on with the next. The whole read keeps both for
the whole cassette.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import yaml

from vox_validators._findings import Finding
from vox_validators.sources import _cassette_fast
from vox_validators.sources._chunks import ReadError
from vox_validators.sources._limits import Limits, over_limit
from vox_validators.sources._record import Record, failed, limited
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
    source: str,
    stream: BinaryIO,
    whole_input: Callable[[str], bytes | Record],
    limits: Limits,
    *,
    chunks: Iterator[bytes] | None = None,
    seekable: bool = False,
) -> Iterator[Record]:
    """The records of the cassette ``stream``.

    ``whole_input(subject)`` reads it whole (or gives the one record saying why it cannot be).
    ``chunks`` are its decoded bytes from its start (gunzipped, without a BOM) and ``seekable``
    whether ``whole_input`` still reads it from its start once they are consumed: the cassette is
    then streamed from them. Otherwise it is read whole first (a pipe: nothing could read it
    again), then cut into interactions all the same.
    """
    del stream  # read through chunks or whole_input
    if chunks is None or not seekable:
        whole = whole_input("the cassette")
        if isinstance(whole, Record):
            yield whole
            return
        yield from _streamed(source, iter((whole,)), limits, lambda: whole)
        return
    yield from _streamed(source, chunks, limits, lambda: whole_input("the cassette"))


# --------------------------------------------------------------------------- cutting

# A line starting at column 0 with something other than a space: where a piece may end.
_COLUMN_ZERO = re.compile(rb"\n(?=[^ \n])")
_HEAD = re.compile(rb"interactions: *\r?\n")
# Blank lines and comment lines (before the first interaction).
_BLANK_LINES = re.compile(rb"(?:[ \r]*(?:#[^\n]*)?\n)*")


def _line_breaks(text: bytes) -> int:
    """The line breaks libyaml counts in ``text`` (CR LF is one)."""
    count = text.count(b"\n")
    if text.isascii() and b"\r" not in text:
        return count  # the usual case: no need to look further
    if b"\r" not in text and b"\xc2\x85" not in text and b"\xe2\x80" not in text:
        return count  # no NEL, LS, PS (nor CR) either
    return (
        count
        + text.count(b"\r")
        - text.count(b"\r\n")
        + text.count(b"\xc2\x85")
        + text.count(b"\xe2\x80\xa8")
        + text.count(b"\xe2\x80\xa9")
    )


class _Doubt(Exception):
    """The cassette is not certainly read piece by piece: the exact path reads it."""


# What the cutter finds: a piece (bytes, line), one over the input limit (line), what follows
# the list (bytes, line), a read error (the error, line).
_PIECE, _OVERSIZED, _TAIL, _TAIL_OVERSIZED, _READ_ERROR = range(5)


def _cut(chunks: Iterator[bytes], limits: Limits) -> Iterator[tuple[int, Any, int]]:
    """The interactions of the cassette as pieces of text, each from its ``- `` to the next
    line at column 0 that is not a comment (comments and blank lines go with the piece before).

    Raises :class:`_Doubt` when the document does not start as vcrpy's do: blank and comment
    lines, ``interactions:``, blank and comment lines, then a ``- `` at column 0.
    """
    cutter = _Cutter(limits)
    try:
        for chunk in chunks:
            yield from cutter.feed(chunk)
            if cutter.done:
                return
    except ReadError as error:
        yield _READ_ERROR, error, cutter.line
        return
    yield from cutter.end()


class _Cutter:
    """The state of :func:`_cut` between chunks."""

    def __init__(self, limits: Limits) -> None:
        self.limit = limits.input
        self.buffer = b""
        self.start = 0  # where the current piece (or the head, or the tail) starts in buffer
        self.scanned = 0  # buffer is searched for column-0 lines up to here
        self.line = 1  # the line of buffer[start]
        self.in_head, self.in_tail, self.skipping, self.done = True, False, False, False
        self.seen_key = False  # "interactions:" was read

    def feed(self, chunk: bytes) -> Iterator[tuple[int, Any, int]]:
        start = self.start
        # Only the current piece is kept: one copy per chunk, never per piece.
        self.buffer = self.buffer[start:] + chunk if start else self.buffer + chunk
        self.scanned -= start
        self.start = 0
        if self.in_head:
            if not self._head():
                if len(self.buffer) - self.start > self.limit:
                    raise _Doubt  # a line longer than a whole cassette may be
                return
            self.scanned = self.start
            self.in_head = False
        if not self.in_tail:
            yield from self._pieces()
        if self.in_tail:
            if len(self.buffer) - self.start > self.limit:
                yield _TAIL_OVERSIZED, None, self.line
                self.done = True
        elif len(self.buffer) - self.start > self.limit:
            # Too large to hold: said once, then skipped to the next interaction.
            if not self.skipping:
                yield _OVERSIZED, None, self.line
                self.skipping = True
            end = len(self.buffer) - 1  # the last byte is kept: a newline may end it
            self.line += _line_breaks(self.buffer[self.start : end])
            self.start = end
            self.scanned = end + 1

    def _head(self) -> bool:
        """Whether the first interaction starts at ``start`` (False: more is needed).

        :class:`_Doubt` for anything but blank or comment lines around ``interactions:``.
        """
        buffer = self.buffer
        while True:
            blank = _BLANK_LINES.match(buffer, self.start)  # in C: any number of them
            skipped = blank.end() if blank is not None else self.start
            self.line += _line_breaks(buffer[self.start : skipped])
            self.start = skipped
            end = buffer.find(b"\n", skipped)
            if end < 0:
                return False
            if self.seen_key:
                if buffer.startswith((b"- ", b"-\n", b"-\r"), skipped):
                    return True
                raise _Doubt
            if _HEAD.fullmatch(buffer, skipped, end + 1) is None:
                raise _Doubt
            self.seen_key = True
            self.line += 1
            self.start = end + 1

    def _pieces(self) -> Iterator[tuple[int, Any, int]]:
        buffer = self.buffer
        while True:
            match = _COLUMN_ZERO.search(buffer, max(self.scanned, self.start + 1) - 1)
            if match is None:
                self.scanned = max(len(buffer), self.start + 1)
                return
            cut = match.end()
            if cut + 1 >= len(buffer):  # what follows the first character is still to come
                self.scanned = cut - 1
                return
            self.scanned = cut + 1
            if buffer.startswith((b"#", b"\r\n"), cut):
                continue  # a comment or a blank line: within the piece
            item = buffer.startswith((b"- ", b"-\n", b"-\r"), cut)
            if not item and not 0x21 <= buffer[cut] <= 0x7E:
                # A tab, a CR, a NEL, LS, PS or BOM (libyaml's breaks and blanks): the line may
                # not start at column 0 for libyaml, nor end the piece before it.
                raise _Doubt
            yield from self._piece_until(cut)
            if not item:
                self.in_tail = True
                return

    def _piece_until(self, cut: int) -> Iterator[tuple[int, Any, int]]:
        piece = self.buffer[self.start : cut]
        if self.skipping:
            self.skipping = False
        elif len(piece) > self.limit:
            yield _OVERSIZED, None, self.line
        else:
            yield _PIECE, piece, self.line
        self.line += _line_breaks(piece)
        self.start = cut

    def end(self) -> Iterator[tuple[int, Any, int]]:
        if self.in_head:
            raise _Doubt
        rest = self.buffer[self.start :]
        if self.in_tail:
            if len(rest) > self.limit:
                yield _TAIL_OVERSIZED, None, self.line
            else:
                yield _TAIL, rest, self.line
        elif self.skipping:
            return
        elif rest:
            if len(rest) > self.limit:
                yield _OVERSIZED, None, self.line
            else:
                yield _PIECE, rest, self.line


# --------------------------------------------------------------------------- reading


def _streamed(
    source: str, chunks: Iterator[bytes], limits: Limits, whole: Callable[[], bytes | Record]
) -> Iterator[Record]:
    """The records of the cassette in ``chunks``, interaction by interaction; ``whole`` reads it
    whole, from its start, for the exact path."""
    index = 0
    anchors: set[str] = set()
    try:
        for kind, content, line in _cut(chunks, limits):
            if kind == _PIECE:
                record = _piece_record(source, content, line, index, limits, anchors)
            elif kind == _OVERSIZED:
                message = over_limit("the interaction", "input", limits, "not read")
                record = limited(source, message, line=line, index=index)
            elif kind == _TAIL:
                tail = _tail_record(source, content, line, limits, anchors)
                if tail is not None:
                    yield tail
                return
            elif kind == _TAIL_OVERSIZED:
                subject = "what follows the interactions of the cassette"
                yield limited(source, over_limit(subject, "input", limits, "not read"), line=line)
                return
            else:
                yield failed(source, str(content), line=line, index=index)
                return
            yield record
            index += 1
    except _Doubt:
        read = whole()
        if isinstance(read, Record):
            yield read
            return
        yield from _exact(source, read, limits, skip=index)


def _piece_record(  # noqa: PLR0917 - the piece, where it is, and what came before
    source: str, piece: bytes, line: int, index: int, limits: Limits, anchors: set[str]
) -> Record:
    """The record of one interaction; :class:`_Doubt` when it cannot be read alone.

    ``anchors`` are those of the pieces before: one named again is an error of the whole
    document (PyYAML's composer refuses a duplicate anchor), so it is a doubt here.
    """
    interaction: Any = None
    located: int | None = None
    text = piece
    if b"\r" in text and text.count(b"\r") == text.count(b"\r\n"):
        text = text.replace(b"\r\n", b"\n")  # CR LF (vcrpy on Windows) is one line break
    if text.endswith(b"\n") and _cassette_fast.is_safe(text):
        try:
            interaction, located, nodes = _cassette_fast.interaction(text.decode("utf-8"))
        except _cassette_fast.Decline:
            pass
        else:
            if nodes > limits.nodes:
                return _too_many_nodes(source, line, index, limits)
    if located is None:
        try:
            # The piece is a one-item sequence: its node count has one more.
            named: set[str] = set()
            if _yaml_nodes(piece, limits.nodes + 1, named) is None:
                return _too_many_nodes(source, line, index, limits)
            if not named.isdisjoint(anchors):
                raise _Doubt
            anchors |= named
            loader = _CassetteLoader(piece)
            try:
                node = loader.get_single_node()
                if not isinstance(node, yaml.SequenceNode) or len(node.value) != 1:
                    raise _Doubt  # a line break of another kind made two of it
                interaction = loader.construct_document(node)[0]
            finally:
                loader.dispose()
        except (yaml.YAMLError, ValueError, TypeError, RecursionError) as error:
            raise _Doubt from error
        located = _located_line(node.value[0]) - 1
    return _record_of(source, interaction, index, line + located, limits)


def _too_many_nodes(source: str, line: int, index: int, limits: Limits) -> Record:
    subject = "the interaction (YAML aliases expanded)"
    return limited(source, over_limit(subject, "nodes", limits, "not read"), line=line, index=index)


def _tail_record(
    source: str, tail: bytes, line: int, limits: Limits, anchors: set[str]
) -> Record | None:
    """What follows the list (``version: 1``): nothing, or a record saying what is wrong.
    :class:`_Doubt` when it is not YAML alone (the whole read then says what it is)."""
    text = b"interactions: []\n" + tail
    named: set[str] = set()
    try:
        if _yaml_nodes(text, limits.nodes, named) is None:
            subject = "what follows the interactions of the cassette (YAML aliases expanded)"
            message = over_limit(subject, "nodes", limits, "not read")
            return limited(source, message, line=line)
        loader = _CassetteLoader(text)
        try:
            node = loader.get_single_node()
            loader.construct_document(node)
        finally:
            loader.dispose()
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as error:
        raise _Doubt from error
    if not named.isdisjoint(anchors):
        raise _Doubt
    keys = [key for key, _ in node.value if getattr(key, "value", None) == "interactions"]
    if len(keys) > 1:  # a YAML load would keep the last list; its first was read already
        message = "the cassette has a second 'interactions' list; only the first was read"
        return failed(source, message, line=keys[1].start_mark.line + line - 1)
    return None


def _exact(source: str, whole: bytes, limits: Limits, skip: int) -> Iterator[Record]:
    """Today's whole read; the records of the first ``skip`` interactions were yielded already."""
    for record in _cassette_records(source, whole, limits):
        if record.index is None or record.index >= skip:
            yield record


def _record_of(
    source: str, interaction: object, index: int, line: int | None, limits: Limits
) -> Record:
    try:
        record = _cassette_record(source, interaction, index, line, limits)
    except Exception as error:  # an odd shape is a finding on this interaction only
        message = f"interaction could not be read: {error!r}"
        record = failed(source, message, line=line, index=index)
    if isinstance(interaction, dict):
        record = with_secrets(record, cassette_secrets, interaction, record.data, limits)
    return record


def _cassette_records(source: str, whole: bytes, limits: Limits) -> Iterator[Record]:
    """The whole read: every node counted, then the document composed and built at once."""
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
        yield _record_of(source, interaction, index, lines[index], limits)


def _yaml_nodes(text: bytes, cap: int, anchors: set[str] | None = None) -> int | None:
    """The YAML nodes of ``text`` with every alias expanded, or None as soon as there are more
    than ``cap``: counted from the parser's events, so nothing is built (a billion laughs costs
    a few counters). :class:`yaml.YAMLError` when ``text`` is not YAML. The names of its anchors
    are added to ``anchors``."""
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
    if anchors is not None:
        anchors.update(sizes)
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
            lines[index] = _located_line(item)
    return lines


def _located_line(item: yaml.Node) -> int:
    """The 1-based line of an interaction's response body (or of the interaction)."""
    response = _child(item, "response")
    body = _child(response, "body")
    located = _child(body, "string") or body or _child(response, "content") or item
    line: int = located.start_mark.line + 1
    return line


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
