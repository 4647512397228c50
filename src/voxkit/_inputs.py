"""Finding the input files and reading them as batches of records, streamed.

Formats, by extension and then by content:

- ``.jsonl`` / ``.ndjson``: JSON Lines, one record per non-blank line;
- ``.yaml`` / ``.yml``: vcrpy cassettes, ``.har``: HAR files (see ``_traffic``);
- anything else (``.json``, stdin, an unknown extension): sniffed. A top-level array is streamed
  element by element; otherwise, when the first line holds a whole JSON value the input is read as
  JSON Lines, else as one (pretty-printed) JSON document or several concatenated ones;
- ``.gz``, or any input starting with the gzip magic bytes: decompressed on the fly, then as above.

A UTF-8 byte order mark at the start of an input is dropped (RFC 8259, section 8.1, lets parsers
ignore it). A read error in the middle of an input (a truncated gzip stream, an I/O error) is a
``parse`` finding on the record being read; the records before it are kept.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from voxkit._records import (
    BATCH_BYTES,
    BATCH_RECORDS,
    MAX_RECORD_BYTES,
    STDIN_NAME,
    Batch,
    LinesBatch,
    Record,
    RecordsBatch,
    parse_finding,
)

JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
CASSETTE_SUFFIXES = (".yaml", ".yml")
HAR_SUFFIXES = (".har",)
JSON_SUFFIXES = (".json",)
RECOGNISED_SUFFIXES = JSON_SUFFIXES + JSON_LINES_SUFFIXES + CASSETTE_SUFFIXES + HAR_SUFFIXES
GZIP_MAGIC = b"\x1f\x8b"
BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\r\n"
_MiB = 1024 * 1024
#: How much is read at a time (tests make it tiny to exercise every chunk boundary).
READ_CHUNK_BYTES = _MiB


class UnreadableInput(Exception):
    """An input path that cannot be read at all (missing, a permission error, ...)."""


class _ReadError(Exception):
    """Reading failed part way through an input; the message says why."""


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input: ``name`` as shown in reports, ``path`` on disk (None for stdin)."""

    name: str
    path: str | None
    size: int | None


@dataclass(slots=True)
class Discovery:
    files: list[InputFile]
    errors: list[str]
    notes: list[str]


def discover(arguments: Iterable[str]) -> Discovery:
    """The input files named by the command line, in a deterministic order.

    Directories are walked recursively in sorted order; only files with a recognised extension
    (optionally ``.gz``) are read from them, and the others are counted in a note, as are hidden
    entries (``.name``) and symbolic links to directories (not followed: no loops). A missing path,
    an unreadable directory, or a directory without any input file is an error.
    """
    found = Discovery(files=[], errors=[], notes=[])
    for argument in arguments:
        if argument == "-":
            found.files.append(InputFile(name=STDIN_NAME, path=None, size=None))
        elif Path(argument).is_dir():
            _walk(argument, found)
        elif Path(argument).exists():
            found.files.append(InputFile(name=argument, path=argument, size=_size(argument)))
        else:
            found.errors.append(f"{argument}: no such file or directory")
    return found


def _walk(directory: str, found: Discovery) -> None:
    ignored: list[str] = []
    count_before = len(found.files)

    def on_error(error: OSError) -> None:
        found.errors.append(f"{error.filename}: cannot list directory: {error.strerror}")

    for root, dirs, files in os.walk(directory, onerror=on_error):
        skipped = [name for name in dirs if name.startswith(".") or Path(root, name).is_symlink()]
        ignored.extend(str(Path(root, name)) for name in skipped)
        dirs[:] = sorted(name for name in dirs if name not in skipped)
        for name in sorted(files):
            path = str(Path(root, name))
            if name.startswith(".") or not is_recognised(name):
                ignored.append(path)
            else:
                found.files.append(InputFile(name=path, path=path, size=_size(path)))
    if ignored:
        shown = ", ".join(ignored[:3]) + (", ..." if len(ignored) > 3 else "")
        found.notes.append(
            f"{directory}: ignored {len(ignored)} entries without a recognised extension "
            f"or hidden ({shown})"
        )
    if len(found.files) == count_before:
        found.errors.append(f"{directory}: directory contains no input files")


def is_recognised(name: str) -> bool:
    lowered = name.lower().removesuffix(".gz")
    return lowered.endswith(RECOGNISED_SUFFIXES)


def _size(path: str) -> int | None:
    try:
        return Path(path).stat().st_size
    except OSError:
        return None


# --------------------------------------------------------------------------- opening and sniffing


def open_input(file: InputFile, stdin: BinaryIO) -> BinaryIO:
    """Open ``file`` for binary reading; :class:`UnreadableInput` when it cannot be opened."""
    if file.path is None:
        return stdin
    try:
        path = Path(file.path)
        if path.is_dir():
            raise IsADirectoryError(21, "is a directory")
        return path.open("rb")
    except OSError as error:
        raise UnreadableInput(f"{file.name}: cannot read: {error.strerror or error}") from error


def read_batches(
    file: InputFile,
    stream: BinaryIO,
    schema: str,
    read_traffic: Callable[[str, bytes, str], Iterator[Batch]],
) -> Iterator[Batch]:
    """Every batch of records of one opened input, whatever its format."""
    name = (file.path or "").lower()
    chunks = _chunks(stream)
    head, chunks = _first_chunk(chunks)
    compressed = name.endswith(".gz") or head.startswith(GZIP_MAGIC)
    name = name.removesuffix(".gz")
    if compressed:
        gz = gzip.GzipFile(fileobj=_ChunkStream(_prepend(head, chunks)), mode="rb")
        chunks = _chunks(cast(BinaryIO, gz))
        head, chunks = _first_chunk(chunks)
    origin = None
    if not compressed and file.path is not None and Path(file.path).is_file():
        origin = (file.path, len(BOM) if head.startswith(BOM) else 0)
    head = head.removeprefix(BOM)
    chunks = _prepend(head, chunks)
    if name.endswith(JSON_LINES_SUFFIXES):
        yield from read_json_lines(file.name, chunks, schema, origin)
    elif name.endswith(CASSETTE_SUFFIXES + HAR_SUFFIXES):
        try:
            whole = b"".join(chunks)
        except _ReadError as error:
            yield _failure(file.name, None, None, str(error))
            return
        yield from read_traffic(file.name, whole, "har" if name.endswith(".har") else "cassette")
    else:
        yield from read_json(file.name, chunks, schema, origin)


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    """The bytes of ``stream`` in chunks; a failure to read is a :class:`_ReadError`.

    ``read1`` returns what one read gives, so a gzip stream that ends early raises only once
    everything before the break has been returned (``read`` would drop the last chunk).
    """
    read = getattr(stream, "read1", stream.read)
    while True:
        try:
            chunk = read(READ_CHUNK_BYTES)
        except EOFError as error:
            raise _ReadError(f"truncated gzip stream ({error})") from error
        except (OSError, zlib.error) as error:
            raise _ReadError(f"cannot read further: {error}") from error
        if not chunk:
            return
        yield chunk


def _first_chunk(chunks: Iterator[bytes]) -> tuple[bytes, Iterator[bytes]]:
    """At least the first few bytes (enough to sniff a gzip magic or a BOM), and the rest."""
    head = b""
    try:
        while len(head) < len(BOM):
            chunk = next(chunks, b"")
            if not chunk:
                break
            head += chunk
    except _ReadError as error:
        return head, _raising(error)
    return head, chunks


def _raising(error: _ReadError) -> Iterator[bytes]:
    raise error
    yield b""  # pragma: no cover - makes this a generator


def _prepend(head: bytes, chunks: Iterator[bytes]) -> Iterator[bytes]:
    if head:
        yield head
    yield from chunks


class _ChunkStream(io.RawIOBase):
    """A read-only binary stream over an iterator of chunks (to feed :class:`gzip.GzipFile`)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        # Fill the buffer whole: gzip reads its header fields with single reads.
        filled = 0
        while filled < len(buffer):
            if not self._pending:
                self._pending = next(self._chunks, b"")
                if not self._pending:
                    break
            size = min(len(buffer) - filled, len(self._pending))
            buffer[filled : filled + size] = self._pending[:size]
            self._pending = self._pending[size:]
            filled += size
        return filled


def _failure(source: str, line: int | None, data: bytes | None, message: str) -> RecordsBatch:
    return RecordsBatch(source, (Record(line, None, data, "", (parse_finding(message),)),))


# --------------------------------------------------------------------------- JSON Lines


def read_json_lines(
    source: str, chunks: Iterator[bytes], schema: str, origin: tuple[str, int] | None = None
) -> Iterator[Batch]:
    """Blocks of whole lines; blank lines are not records. Memory: one block plus one line.

    ``origin`` is the file and the offset of the first chunk when the chunks are the plain bytes
    of a regular file: each block then says where it lies, so that a worker process can read it
    from the file instead of receiving it through a pipe.
    """
    line = 1
    pending = b""
    position = origin[1] if origin else 0  # the file offset of pending[0]
    oversized_from: int | None = None  # the line being skipped because it is too long
    try:
        for chunk in chunks:
            if oversized_from is not None:
                cut = chunk.find(b"\n")
                if cut < 0:
                    position += len(chunk)
                    continue
                yield _too_large(source, oversized_from, None, schema, "line")
                line = oversized_from + 1
                oversized_from = None
                position += cut + 1
                chunk = chunk[cut + 1 :]
            pending += chunk
            cut = pending.rfind(b"\n")
            if cut < 0:
                if len(pending) > MAX_RECORD_BYTES:
                    oversized_from, position, pending = line, position + len(pending), b""
                continue
            block, pending = pending[: cut + 1], pending[cut + 1 :]
            where = (origin[0], position, len(block)) if origin else None
            yield LinesBatch(source, line, block, schema, where)
            position += len(block)
            line += block.count(b"\n")
            if len(pending) > MAX_RECORD_BYTES:
                oversized_from, position, pending = line, position + len(pending), b""
    except _ReadError as error:
        if oversized_from is not None:
            yield _too_large(source, oversized_from, None, schema, "line")
            line, pending = oversized_from + 1, b""
        yield _failure(source, line, pending or None, f"input ends early: {error}")
        return
    if oversized_from is not None:
        yield _too_large(source, oversized_from, None, schema, "line")
    elif pending.strip():
        where = (origin[0], position, len(pending)) if origin else None
        yield LinesBatch(source, line, pending, schema, where)


def _too_large(
    source: str, line: int | None, index: int | None, schema: str, what: str
) -> RecordsBatch:
    message = f"{what} is larger than {MAX_RECORD_BYTES // _MiB} MiB; not validated"
    return RecordsBatch(source, (Record(line, index, None, schema, (parse_finding(message),)),))


# --------------------------------------------------------------------------- JSON, sniffed


def read_json(
    source: str, chunks: Iterator[bytes], schema: str, origin: tuple[str, int] | None = None
) -> Iterator[Batch]:
    """A JSON input that is not known to be JSON Lines: an array, lines, or documents."""
    buffer = b""
    try:
        for chunk in chunks:
            buffer += chunk
            stripped = buffer.lstrip(_WHITESPACE)
            if not stripped:
                continue
            if stripped[:1] == b"[":
                yield from _ArraySplitter(source, schema, buffer, chunks).batches()
                return
            first_line_end = stripped.find(b"\n")
            if first_line_end < 0 and len(buffer) < MAX_RECORD_BYTES:
                continue
            if _is_balanced(stripped[: first_line_end if first_line_end >= 0 else None]):
                yield from read_json_lines(source, _prepend(buffer, chunks), schema, origin)
            else:
                yield from _read_documents(source, _prepend(buffer, chunks), schema)
            return
    except _ReadError as error:
        yield _failure(source, 1, buffer or None, f"input ends early: {error}")
        return
    if buffer.strip():  # one line without a newline at the end
        yield from read_json_lines(source, iter([buffer]), schema, origin)
    else:
        yield _failure(source, None, None, "no JSON value: the input is empty")


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


def _read_documents(source: str, chunks: Iterator[bytes], schema: str) -> Iterator[Batch]:
    """Pretty-printed JSON documents, one after the other; a document ends where its brackets close."""
    records: list[Record] = []
    parts: list[bytes] = []
    size = 0
    depth = 0
    start_line = 0
    oversized = False
    for line_number, line in enumerate(_lines(chunks, source), start=1):
        if isinstance(line, RecordsBatch):  # a read error
            if parts or oversized:
                records.append(_document(start_line, parts, schema, oversized))
            yield RecordsBatch(source, tuple(records))
            yield RecordsBatch(
                source,
                tuple(Record(line_number, None, None, schema, r.findings) for r in line.records),
            )
            return
        if not parts and not oversized:
            if not line.strip():
                continue
            start_line, depth = line_number, 0
        depth += _depth_change(line)
        size += len(line)
        if size > MAX_RECORD_BYTES:
            oversized, parts = True, []
        elif not oversized:
            parts.append(line)
        if depth <= 0:
            records.append(_document(start_line, parts, schema, oversized))
            parts, size, oversized = [], 0, False
            if len(records) >= BATCH_RECORDS:
                yield RecordsBatch(source, tuple(records))
                records = []
    if parts or oversized:  # the input ends inside a document
        records.append(_document(start_line, parts, schema, oversized))
    if records:
        yield RecordsBatch(source, tuple(records))


def _document(line: int, parts: list[bytes], schema: str, oversized: bool) -> Record:
    if oversized:
        message = f"document is larger than {MAX_RECORD_BYTES // _MiB} MiB; not validated"
        return Record(line, None, None, schema, (parse_finding(message),))
    return Record(line, None, b"".join(parts), schema)


def _lines(chunks: Iterator[bytes], source: str) -> Iterator[bytes | RecordsBatch]:
    """The lines of the input (with their newline); a read error is yielded as a failure batch."""
    pending = b""
    try:
        for chunk in chunks:
            pending += chunk
            lines = pending.split(b"\n")
            pending = lines.pop()
            for line in lines:
                yield line + b"\n"
            if len(pending) > MAX_RECORD_BYTES:  # a line too long to keep: keep its size only
                yield pending
                pending = b""
    except _ReadError as error:
        if pending:
            yield pending
        yield _failure(source, None, None, f"input ends early: {error}")
        return
    if pending:
        yield pending


# --------------------------------------------------------------------------- a top-level array

# Everything up to the next bracket, comma (at the top) or unterminated string; strings whole.
# (Unrolled loops: no alternation per character, no catastrophic backtracking.)
_STRING = rb'"[^"\\]*(?:\\.[^"\\]*)*"'
_SKIP_TOP = re.compile(rb'[^"\[\]{},]*(?:' + _STRING + rb'[^"\[\]{},]*)*', re.DOTALL)
_SKIP_INNER = re.compile(rb'[^"\[\]{}]*(?:' + _STRING + rb'[^"\[\]{}]*)*', re.DOTALL)
_QUOTE = ord('"')
_STRING_STOP = re.compile(rb'["\\]')


class _ArraySplitter:
    """Cuts a top-level JSON array into its elements without decoding them (they stay bytes).

    Only strings and brackets are tokenised, so memory is one chunk plus one element, and a
    malformed element is still cut out and reported on its own. Element ``index`` is 0-based,
    ``line`` is where the element starts.
    """

    def __init__(self, source: str, schema: str, buffer: bytes, chunks: Iterator[bytes]) -> None:
        self.source = source
        self.schema = schema
        self.buffer = buffer
        self.chunks = chunks
        self.eof = False
        self.counted_pos = 0  # the line number of buffer[counted_pos] is counted_line
        self.counted_line = 1
        self.records: list[Record] = []
        self.batch_size = 0

    def _refill(self, keep_from: int) -> int:
        """Drop the buffer before ``keep_from``, append a chunk; return how much was dropped."""
        chunk = next(self.chunks, b"")
        if not chunk:
            self.eof = True
        drop = min(keep_from, self.counted_pos)  # lines before counted_pos are counted already
        self.counted_pos -= drop
        self.buffer = self.buffer[drop:] + chunk
        return drop

    def _line_at(self, pos: int) -> int:
        self.counted_line += self.buffer.count(b"\n", self.counted_pos, pos)
        self.counted_pos = pos
        return self.counted_line

    def _skip_whitespace(self, pos: int) -> int:
        while True:
            while pos < len(self.buffer) and self.buffer[pos] in _WHITESPACE:
                pos += 1
            if pos < len(self.buffer) or self.eof:
                return pos
            self._line_at(pos)
            pos -= self._refill(pos)

    def _emit(self, record: Record) -> Iterator[RecordsBatch]:
        self.records.append(record)
        self.batch_size += len(record.data or b"")
        if len(self.records) >= BATCH_RECORDS or self.batch_size >= BATCH_BYTES:
            yield self._flush()

    def _flush(self) -> RecordsBatch:
        batch = RecordsBatch(self.source, tuple(self.records))
        self.records, self.batch_size = [], 0
        return batch

    def batches(self) -> Iterator[RecordsBatch]:
        try:
            yield from self._split()
        except _ReadError as error:
            yield from self._emit(
                Record(
                    None, None, None, self.schema, (parse_finding(f"input ends early: {error}"),)
                )
            )
        if self.records:
            yield self._flush()

    def _split(self) -> Iterator[RecordsBatch]:
        pos = self._skip_whitespace(0) + 1  # past "["
        index = 0
        expecting_element = False
        while True:
            pos = self._skip_whitespace(pos)
            if pos >= len(self.buffer):
                message = f"the array is not closed: the input ends after {index} elements"
                line = self._line_at(pos)
                yield from self._emit(
                    Record(line, None, None, self.schema, (parse_finding(message),))
                )
                return
            char = self.buffer[pos : pos + 1]
            if char == b"]":
                if expecting_element:  # a trailing comma: an empty element
                    yield from self._emit(self._element(pos, pos, index))
                yield from self._after_array(pos + 1)
                return
            if char == b",":  # an empty element
                yield from self._emit(self._element(pos, pos, index))
                index += 1
                pos += 1
                expecting_element = True
                continue
            pos, end = yield from self._scan_element(pos, index)
            index += 1
            if end == b",":
                pos += 1
                expecting_element = True
            elif end == b"]":
                yield from self._after_array(pos + 1)
                return
            else:  # the input ended inside the element
                return

    def _scan_element(
        self, start: int, index: int
    ) -> Generator[RecordsBatch, None, tuple[int, bytes]]:
        """Find where the element at ``start`` ends: the position and the ``,`` or ``]`` there."""
        line = self._line_at(start)
        depth = 0
        scan = start
        oversized = False
        buffer = self.buffer
        while True:
            # Jump over everything but brackets (and commas at the top): strings in one go.
            skipped = (_SKIP_TOP if depth == 0 else _SKIP_INNER).match(buffer, scan)
            at = skipped.end() if skipped is not None else scan  # it always matches
            if at >= len(buffer) or buffer[at] == _QUOTE:  # more input is needed
                in_string = at < len(buffer)  # an unterminated string starts at ``at``
                if self.eof:  # the input ends inside the element
                    data = None if oversized else buffer[start:].rstrip()
                    yield from self._emit(self._record(line, index, data, oversized))
                    if depth == 0 and not in_string:  # a whole element, then the end
                        message = (
                            f"the array is not closed: the input ends after {index + 1} elements"
                        )
                        where = self._line_at(len(buffer))
                        yield from self._emit(
                            Record(where, None, None, self.schema, (parse_finding(message),))
                        )
                    return len(buffer), b""
                scan = at
                if not oversized and len(buffer) - start > MAX_RECORD_BYTES:
                    oversized = True
                if not oversized:
                    dropped = self._refill(start)
                    start, scan = start - dropped, scan - dropped
                elif in_string:  # a string too long to keep: skip it
                    after = self._skip_string(scan + 1)
                    if after is None:
                        yield from self._emit(self._record(line, index, None, oversized))
                        return len(self.buffer), b""
                    scan = after
                else:
                    self._line_at(scan)
                    scan -= self._refill(scan)
                buffer = self.buffer
                continue
            token = buffer[at : at + 1]
            scan = at + 1
            if token in (b"[", b"{"):
                depth += 1
            elif token in (b"]", b"}"):
                if depth > 0:
                    depth -= 1
                elif token == b"]":
                    break
            else:  # a comma at the top of the element
                break
        data = None if oversized else buffer[start:at].rstrip()
        yield from self._emit(self._record(line, index, data, oversized))
        return at, token

    def _skip_string(self, pos: int) -> int | None:
        """The position after the string whose content starts at ``pos``, keeping nothing of it.

        None when the input ends inside the string.
        """
        while True:
            match = _STRING_STOP.search(self.buffer, pos)
            if match is not None and match.group() == b'"':
                return match.end()
            if match is not None and match.end() < len(self.buffer):  # an escape: skip it
                pos = match.end() + 1
                continue
            if self.eof:
                return None
            keep = len(self.buffer) if match is None else match.start()
            self._line_at(keep)
            pos = keep - self._refill(keep)

    def _record(self, line: int, index: int, data: bytes | None, oversized: bool) -> Record:
        if oversized:
            message = f"array element is larger than {MAX_RECORD_BYTES // _MiB} MiB; not validated"
            return Record(line, index, None, self.schema, (parse_finding(message),))
        return Record(line, index, data, self.schema)

    def _element(self, start: int, end: int, index: int) -> Record:
        return Record(self._line_at(start), index, self.buffer[start:end].rstrip(), self.schema)

    def _after_array(self, pos: int) -> Iterator[RecordsBatch]:
        pos = self._skip_whitespace(pos)
        if pos < len(self.buffer):
            line = self._line_at(pos)
            message = "unexpected data after the end of the top-level array"
            yield from self._emit(Record(line, None, None, self.schema, (parse_finding(message),)))
            while not self.eof:  # read to the end without keeping it
                self._line_at(len(self.buffer))
                self._refill(len(self.buffer))
