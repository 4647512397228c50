"""Reading an input as records, streamed, whatever its format: :func:`iter_records`.

Formats, by ``format=``, else by extension, else by content:

- ``jsonl`` (``.jsonl`` / ``.ndjson``): JSON Lines, one record per non-blank line;
- ``cassette`` (``.yaml`` / ``.yml``): vcrpy cassettes, ``har`` (``.har``): HAR files (see
  ``_traffic``);
- ``json`` (``.json``, stdin, an unknown extension): sniffed. A top-level array is streamed
  element by element; otherwise, when the first line holds a whole JSON value the input is read as
  JSON Lines, else as one (pretty-printed) JSON document or several concatenated ones.

Whatever the format, ``.gz`` or the gzip magic bytes at the start mean the input is decompressed on
the fly first. A UTF-8 byte order mark at the start of an input is dropped (RFC 8259, section 8.1,
lets parsers ignore it). A read error in the middle of an input (a truncated gzip stream, an I/O
error) is a ``parse`` finding on the record being read; the records before it are kept.
"""

from __future__ import annotations

import gzip
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Literal, cast

from vox_validators._findings import Finding
from vox_validators.sources._chunks import (
    BOM,
    ChunkStream,
    ReadError,
    chunks_of,
    first_chunk,
    prepend,
    read_whole,
)
from vox_validators.sources._discovery import (
    CASSETTE_SUFFIXES,
    HAR_SUFFIXES,
    JSON_LINES_SUFFIXES,
    walk,
)
from vox_validators.sources._json_array import ArraySplitter
from vox_validators.sources._limits import DEFAULT_LIMITS, Limits, over_limit
from vox_validators.sources._record import (
    BYTES_NAME,
    STDIN_NAME,
    Record,
    failed,
    limited,
)

Format = Literal["json", "jsonl", "cassette", "har"]
#: The values of ``iter_records(format=...)``.
FORMATS: tuple[Format, ...] = ("json", "jsonl", "cassette", "har")

GZIP_MAGIC = b"\x1f\x8b"
_WHITESPACE = b" \t\r\n"
# Whitespace kept before a value (its columns in a parse message stay right); beyond this much,
# whitespace is dropped as it is read, so a run of any length takes bounded memory.
_KEPT_WHITESPACE = 64 * 1024


def iter_records(
    source: str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO,
    *,
    format: Format | None = None,
    schema: str = "Campaign",
    name: str | None = None,
    limits: Limits | None = None,
) -> Iterator[Record]:
    """Every record of ``source``, in order, streamed (memory: about one record).

    ``source`` is a path (``str`` or path-like; a directory is walked as ``voxkit validate DIR``
    walks it: recursively, in sorted order, recognised extensions only), bytes, or a binary
    file object (read to its end, not closed). ``format`` (one of :data:`FORMATS`) says how to read
    it, instead of the extension of the path (or of ``name``) and the content; gzip is recognised
    whatever ``format`` says. ``schema`` is the schema of plain JSON and JSON Lines records
    (cassettes and HAR files carry the schema their operation documents). ``name`` is what each
    record's ``source`` says: by default the path as given, ``<stdin>`` for a file object and
    ``<bytes>`` for bytes (the files of a directory are named by their own paths). ``limits``
    (:class:`Limits`, by default ``Limits()``) caps what a reader holds: whatever is over a limit
    is one record with a ``limit`` finding, and reading goes on.

    Nothing that can be read raises: what cannot be parsed is a record with a ``parse`` finding.
    A path that cannot be opened raises :class:`OSError` here, at the call; so does a directory
    that cannot be listed (a file below it that cannot be opened: when it is reached).
    """
    if format is not None and format not in FORMATS:
        raise ValueError(f"{format!r} is not an input format; one of: {', '.join(FORMATS)}")
    if limits is None:
        limits = DEFAULT_LIMITS
    elif not isinstance(limits, Limits):
        raise TypeError(f"limits is a {type(limits).__name__}, not a Limits")
    if isinstance(source, bytes | bytearray | memoryview):
        label = name or BYTES_NAME
        return _read(io.BytesIO(bytes(source)), label, label, format, schema=schema, limits=limits)
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        if Path(path).is_dir():
            return _directory(_listing(path), format, schema, limits)
        stream = Path(path).open("rb")  # noqa: SIM115 - closed by the generator
        return _closing(
            stream, _read(stream, name or path, path, format, schema=schema, limits=limits)
        )
    if not callable(getattr(source, "read", None)):
        raise TypeError(f"cannot read records from a {type(source).__name__}")
    label = name or STDIN_NAME
    return _read(source, label, label, format, schema=schema, limits=limits)


def _listing(directory: str) -> list[str]:
    """The input files below ``directory``, listed now (a listing error is raised now)."""

    def on_error(error: OSError) -> None:
        raise error

    return [file.name for file in walk(directory, lambda _: None, on_error)]


def _directory(
    paths: list[str], format: Format | None, schema: str, limits: Limits
) -> Iterator[Record]:
    for path in paths:
        stream = Path(path).open("rb")  # noqa: SIM115 - closed by _closing
        yield from _closing(stream, _read(stream, path, path, format, schema=schema, limits=limits))


def _closing(stream: BinaryIO, records: Iterator[Record]) -> Iterator[Record]:
    try:
        yield from records
    finally:
        stream.close()


def format_of(name: str) -> Format:
    """The format the extension of ``name`` says (``.gz`` aside); ``json`` (sniffed) for others."""
    lowered = name.lower().removesuffix(".gz")
    if lowered.endswith(JSON_LINES_SUFFIXES):
        return "jsonl"
    if lowered.endswith(CASSETTE_SUFFIXES):
        return "cassette"
    if lowered.endswith(HAR_SUFFIXES):
        return "har"
    return "json"


def _read(
    stream: BinaryIO,
    source: str,
    hint: str,
    format: Format | None,
    *,
    schema: str,
    limits: Limits,
) -> Iterator[Record]:
    """The records of one opened input; ``hint`` is the name whose extension may say the format.

    Whatever goes wrong inside a reader (a bug, memory running out) is one ``internal`` finding on
    this input, whose rest is not read: the caller goes on with the next input.
    """
    try:
        yield from _read_records(stream, source, hint, format, schema=schema, limits=limits)
    except Exception as error:  # one input must not lose the others
        message = f"the reader failed on this input: {error!r}; the rest of it was not read"
        yield Record(source, None, None, None, schema, (Finding("internal", "error", "", message),))


def _read_records(
    stream: BinaryIO,
    source: str,
    hint: str,
    format: Format | None,
    *,
    schema: str,
    limits: Limits,
) -> Iterator[Record]:
    start = _position(stream)
    chunks, compressed = _decoded(stream, hint)
    kind = format or format_of(hint)
    if kind == "jsonl":
        yield from _json_lines(source, chunks, schema, limits)
    elif kind == "json":
        yield from _json(source, chunks, schema, limits)
    else:

        def whole_input(subject: str) -> bytes | Record:
            return _whole_input(stream, source, hint, subject, start, chunks, compressed, limits)

        # Imported here: YAML, the secret scan and the operations table cost tens of ms of
        # start-up that reading JSON and JSON Lines never needs.
        if kind == "cassette":
            from vox_validators.sources._cassette import cassette_records  # noqa: PLC0415

            yield from cassette_records(
                source, stream, whole_input, limits, chunks=chunks, seekable=start is not None
            )
        else:
            from vox_validators.sources._har import har_records  # noqa: PLC0415

            yield from har_records(source, chunks, limits, _folder_of(stream))


def _whole_input(  # noqa: PLR0917 - what _read_records knows of the input, passed on
    stream: BinaryIO,
    source: str,
    hint: str,
    subject: str,
    start: int | None,
    chunks: Iterator[bytes],
    compressed: bool,
    limits: Limits,
) -> bytes | Record:
    """The whole of an input read whole (``subject``: a cassette from a pipe, or in doubt),
    decompressed, or the one record saying why it cannot be read (over ``limits.input``, a read
    error)."""
    if compressed:
        subject += ", decompressed,"
    if start is not None:  # measured first, without holding it: a bomb costs no memory
        if _larger_than(stream, hint, start, compressed, limits.input):
            return limited(source, over_limit(subject, "input", limits, "not read"))
        stream.seek(start)
        chunks, compressed = _decoded(stream, hint)
    try:
        whole = read_whole(chunks, limits.input)
    except ReadError as error:
        return failed(source, str(error))
    if whole is None:
        return limited(source, over_limit(subject, "input", limits, "not read"))
    return whole


def _decoded(stream: BinaryIO, hint: str) -> tuple[Iterator[bytes], bool]:
    """The chunks of ``stream`` from where it is, gunzipped when compressed, BOM dropped; and
    whether it was compressed (``.gz`` in ``hint``, or the gzip magic)."""
    chunks = chunks_of(stream, watch_size=True)
    head, chunks = first_chunk(chunks)
    compressed = hint.lower().endswith(".gz") or head.startswith(GZIP_MAGIC)
    if compressed:
        # GzipFile.read1 decompresses at most one chunk per call: memory follows the output.
        gz = gzip.GzipFile(fileobj=ChunkStream(prepend(head, chunks)), mode="rb")
        chunks = chunks_of(cast(BinaryIO, gz))
        head, chunks = first_chunk(chunks)
    return prepend(head.removeprefix(BOM), chunks), compressed


def _position(stream: BinaryIO) -> int | None:
    """Where a seekable ``stream`` is (None for a pipe, a socket, a terminal)."""
    try:
        return stream.tell() if stream.seekable() else None
    except (OSError, ValueError):
        return None


def _larger_than(stream: BinaryIO, hint: str, start: int, compressed: bool, limit: int) -> bool:
    """Whether the seekable ``stream`` holds more than ``limit`` bytes from ``start`` on, once
    decompressed: from its size, or by decompressing it without keeping anything."""
    if not compressed:
        try:
            return os.fstat(stream.fileno()).st_size - start > limit
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            size = stream.seek(0, io.SEEK_END) - start  # a BytesIO
            return size > limit
    stream.seek(start)
    size = 0
    try:
        for chunk in _decoded(stream, hint)[0]:
            size += len(chunk)
            if size > limit:
                return True
    except ReadError:  # reading it for real says what is wrong
        return False
    return False


def _folder_of(stream: BinaryIO) -> Path | None:
    """The folder of the file ``stream`` reads (None for stdin, bytes, a pipe): where the bodies
    a HAR file keeps beside it are."""
    name = getattr(stream, "name", None)
    if not isinstance(name, str) or not Path(name).is_file():
        return None
    return Path(name).parent


# --------------------------------------------------------------------------- JSON Lines


def _json_lines(  # noqa: PLR0915 - one loop, every way a line can end
    source: str, chunks: Iterator[bytes], schema: str, limits: Limits, first_line: int = 1
) -> Iterator[Record]:
    """One record per non-blank line. Memory: one chunk plus one line (at most the record limit).

    Lines are cut block by block (a chunk's worth of whole lines at a time), which keeps the
    Python work per record to a share of one split and one :class:`Record`. A line longer than a
    chunk is gathered in parts (joined once: linear time); a blank one is not kept at all.
    """
    limit = limits.record
    line = first_line
    pending = b""  # the start of the current line, when it is in this chunk or the last
    held: list[bytes] = []  # the current line so far, when it spans more chunks
    held_size = 0
    oversized_from: int | None = None  # the line being skipped because it is too long

    def too_long(at: int) -> Record:
        message = over_limit("the line", "record", limits)
        return limited(source, message, line=at, schema=schema)

    try:
        for chunk in chunks:
            if oversized_from is not None:
                cut = chunk.find(b"\n")
                if cut < 0:
                    continue
                yield too_long(oversized_from)
                line = oversized_from + 1
                oversized_from = None
                chunk = chunk[cut + 1 :]
            if held:
                cut = chunk.find(b"\n")
                if cut < 0:
                    held.append(chunk)
                    held_size += len(chunk)
                    if held_size > limit:
                        oversized_from, held, held_size = line, [], 0
                    continue
                if held_size + cut > limit:
                    yield too_long(line)
                    line += 1
                    pending = chunk[cut + 1 :]
                else:
                    pending = b"".join(held) + chunk
                held, held_size = [], 0
            else:
                pending += chunk
            cut = pending.rfind(b"\n")
            if cut < 0:
                if not pending.translate(None, _WHITESPACE):  # blank so far: not a record
                    if len(pending) > _KEPT_WHITESPACE:
                        pending = b""  # a long blank run: not worth keeping
                elif len(pending) > limit:
                    oversized_from, pending = line, b""
                else:
                    held, held_size, pending = [pending], len(pending), b""
                continue
            block = pending[:cut]
            if block.isspace():  # blank lines only (isspace stops at the first record): count them
                line += block.count(b"\n") + 1
            else:
                for raw in block.split(b"\n"):  # the hot loop: one record per line
                    if raw and not raw.isspace():
                        if len(raw) <= limit:
                            yield Record(source, line, None, raw, schema)
                        else:  # a limit below the chunk size
                            yield too_long(line)
                    line += 1
            pending = pending[cut + 1 :]
    except ReadError as error:
        if oversized_from is not None:
            yield too_long(oversized_from)
            line, pending = oversized_from + 1, b""
        rest = b"".join(held) + pending
        message = f"input ends early: {error}"
        yield failed(source, message, line=line, data=rest or None, schema=schema)
        return
    if oversized_from is not None:
        yield too_long(oversized_from)
    else:
        rest = b"".join(held) + pending
        if not rest.strip():  # nothing after the last newline
            return
        if len(rest) > limit:
            yield too_long(line)
        else:  # the last line, without a newline
            yield Record(source, line, None, rest, schema)


# --------------------------------------------------------------------------- JSON, sniffed


class _Blank:
    """Whitespace before the first value, skipped chunk by chunk: only its line count is kept,
    and the indentation of the value's own line (up to :data:`_KEPT_WHITESPACE`)."""

    def __init__(self) -> None:
        self.line = 1  # the line the first value is on
        self.indent = b""

    def skip(self, chunk: bytes) -> bytes:
        """``chunk`` from the start of the first value's line on; empty while still blank."""
        if not chunk.translate(None, _WHITESPACE):  # all whitespace (the fast test)
            stripped = b""
            skipped = len(chunk)
        else:
            stripped = chunk.lstrip(_WHITESPACE)
            skipped = len(chunk) - len(stripped)
        newline = chunk.rfind(b"\n", 0, skipped)
        if newline >= 0:
            self.line += chunk.count(b"\n", 0, skipped)
            self.indent = chunk[newline + 1 : skipped]
        else:
            self.indent += chunk[:skipped]
        if len(self.indent) > _KEPT_WHITESPACE:
            self.indent = b""
        return self.indent + stripped if stripped else b""


def _json(source: str, chunks: Iterator[bytes], schema: str, limits: Limits) -> Iterator[Record]:
    """A JSON input that is not known to be JSON Lines: an array, lines, or documents.

    Whitespace before the first value is skipped chunk by chunk, keeping only its line count (a
    whitespace-only input of any size takes one chunk of memory and linear time).
    """
    parts: list[bytes] = []  # the input from the line of its first value, up to a first line
    size = 0
    blank = _Blank()
    opening = b""  # the first character of the first value
    try:
        for chunk in chunks:
            if not parts:
                chunk = blank.skip(chunk)
                if not chunk:
                    continue
                opening = chunk[len(blank.indent) : len(blank.indent) + 1]
            parts.append(chunk)
            size += len(chunk)
            line = blank.line
            if opening == b"[":
                buffer = b"".join(parts)
                splitter = ArraySplitter(
                    source, schema, buffer, chunks, limits=limits, first_line=line
                )
                yield from splitter.records()
                return
            if b"\n" not in chunk and size <= limits.record:
                continue
            buffer = b"".join(parts)
            first_line_end = buffer.find(b"\n")
            rest = prepend(buffer, chunks)
            if _is_balanced(buffer[: first_line_end if first_line_end >= 0 else None]):
                yield from _json_lines(source, rest, schema, limits, first_line=line)
            else:
                yield from _documents(source, rest, schema, limits, first_line=line)
            return
    except ReadError as error:
        message = f"input ends early: {error}"
        data = b"".join(parts) or None
        yield failed(source, message, line=blank.line, data=data, schema=schema)
        return
    if parts:  # one line without a newline at the end
        yield from _json_lines(source, iter(parts), schema, limits, first_line=blank.line)
    else:
        yield failed(source, "no JSON value: the input is empty", schema=schema)


# A string that may be unterminated on its line, or a bracket.
_LINE_TOKEN = re.compile(rb'"(?:[^"\\\n]|\\.)*"?|[\[\]{}]')


def _depth_change(line: bytes) -> int:
    depth = 0
    for match in _LINE_TOKEN.finditer(line):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
        elif token in (b"]", b"}"):
            depth -= 1
    return depth


def _is_balanced(first_line: bytes) -> bool:
    return _depth_change(first_line) <= 0


def _documents(
    source: str, chunks: Iterator[bytes], schema: str, limits: Limits, first_line: int = 1
) -> Iterator[Record]:
    """Pretty-printed JSON documents, one after the other; a document ends where its brackets close."""
    parts: list[bytes] = []
    size = 0
    depth = 0
    start_line = 0
    oversized = False
    completed = 0  # lines read to their newline
    for line in _lines(chunks, limits.record):
        current = first_line + completed  # the line this piece is (part of)
        if isinstance(line, ReadError):
            if parts or oversized:
                yield _document(
                    source, start_line, parts, schema, oversized=oversized, limits=limits
                )
            message = f"input ends early: {line}"
            yield failed(source, message, line=current, schema=schema)
            return
        ends_line = line.endswith(b"\n")
        completed += line.count(b"\n")  # one, or a run of blank lines in one piece
        if not parts and not oversized:
            if not line.strip():
                continue
            start_line, depth = current, 0
        depth += _depth_change(line)
        size += len(line)
        if size > limits.record:
            oversized, parts = True, []
        elif not oversized:
            parts.append(line)
        if depth <= 0 and ends_line:
            yield _document(source, start_line, parts, schema, oversized=oversized, limits=limits)
            parts, size, oversized = [], 0, False
    if parts or oversized:  # the input ends inside a document
        yield _document(source, start_line, parts, schema, oversized=oversized, limits=limits)


def _document(
    source: str, line: int, parts: list[bytes], schema: str, *, oversized: bool, limits: Limits
) -> Record:
    if oversized:
        message = over_limit("the document", "record", limits)
        return limited(source, message, line=line, schema=schema)
    return Record(source, line, None, b"".join(parts), schema)


def _lines(chunks: Iterator[bytes], limit: int) -> Iterator[bytes | ReadError]:
    """The lines of the input (with their newline); a read error is yielded, last.

    A line longer than ``limit`` comes in pieces without a newline (each at most about ``limit``
    plus a chunk), its last piece with it: nothing longer than that is ever held. A chunk of blank
    lines comes as one piece.
    """
    held: list[bytes] = []  # the current line so far
    size = 0
    try:
        for chunk in chunks:
            if not held and chunk.isspace():  # blank lines: one piece, not one per line
                cut = chunk.rfind(b"\n") + 1
                if cut:
                    yield chunk[:cut]
                    chunk = chunk[cut:]
            lines = chunk.split(b"\n")
            last = lines.pop()
            for line in lines:
                if held:
                    held.append(line)
                    line = b"".join(held)
                    held, size = [], 0
                yield line + b"\n"
            if last:
                held.append(last)
                size += len(last)
                if size > limit:  # too long to keep: pass it on in pieces
                    yield b"".join(held)
                    held, size = [], 0
    except ReadError as error:
        if held:
            yield b"".join(held)
        yield error
        return
    if held:
        yield b"".join(held)
