"""Reading an input file as batches of records, streamed, whatever its format.

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
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, cast

from vox_validators.sources import _record as _records
from vox_validators.sources._chunks import BOM, ChunkStream, ReadError, chunks_of, first_chunk, prepend
from vox_validators.sources._discovery import CASSETTE_SUFFIXES, HAR_SUFFIXES, JSON_LINES_SUFFIXES, InputFile
from vox_validators.sources._json_array import ArraySplitter
from vox_validators.sources._record import (
    BATCH_RECORDS,
    Batch,
    LinesBatch,
    Record,
    RecordsBatch,
    parse_finding,
)

GZIP_MAGIC = b"\x1f\x8b"
_WHITESPACE = b" \t\r\n"
_MiB = 1024 * 1024


class UnreadableInput(Exception):
    """An input path that cannot be read at all (missing, a permission error, ...)."""


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
    chunks = chunks_of(stream)
    head, chunks = first_chunk(chunks)
    compressed = name.endswith(".gz") or head.startswith(GZIP_MAGIC)
    name = name.removesuffix(".gz")
    if compressed:
        gz = gzip.GzipFile(fileobj=ChunkStream(prepend(head, chunks)), mode="rb")
        chunks = chunks_of(cast(BinaryIO, gz))
        head, chunks = first_chunk(chunks)
    origin = None
    if not compressed and file.path is not None and Path(file.path).is_file():
        origin = (file.path, len(BOM) if head.startswith(BOM) else 0)
    head = head.removeprefix(BOM)
    chunks = prepend(head, chunks)
    if name.endswith(JSON_LINES_SUFFIXES):
        yield from read_json_lines(file.name, chunks, schema, origin)
    elif name.endswith(CASSETTE_SUFFIXES + HAR_SUFFIXES):
        try:
            whole = b"".join(chunks)
        except ReadError as error:
            yield _failure(file.name, None, None, str(error))
            return
        yield from read_traffic(file.name, whole, "har" if name.endswith(".har") else "cassette")
    else:
        yield from read_json(file.name, chunks, schema, origin)


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
                if len(pending) > _records.MAX_RECORD_BYTES:
                    oversized_from, position, pending = line, position + len(pending), b""
                continue
            block, pending = pending[: cut + 1], pending[cut + 1 :]
            where = (origin[0], position, len(block)) if origin else None
            yield LinesBatch(source, line, block, schema, where)
            position += len(block)
            line += block.count(b"\n")
            if len(pending) > _records.MAX_RECORD_BYTES:
                oversized_from, position, pending = line, position + len(pending), b""
    except ReadError as error:
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
    message = f"{what} is larger than {_records.MAX_RECORD_BYTES // _MiB} MiB; not validated"
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
                yield from ArraySplitter(source, schema, buffer, chunks).batches()
                return
            first_line_end = stripped.find(b"\n")
            if first_line_end < 0 and len(buffer) < _records.MAX_RECORD_BYTES:
                continue
            if _is_balanced(stripped[: first_line_end if first_line_end >= 0 else None]):
                yield from read_json_lines(source, prepend(buffer, chunks), schema, origin)
            else:
                yield from _read_documents(source, prepend(buffer, chunks), schema)
            return
    except ReadError as error:
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
        if size > _records.MAX_RECORD_BYTES:
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
        message = f"document is larger than {_records.MAX_RECORD_BYTES // _MiB} MiB; not validated"
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
            if (
                len(pending) > _records.MAX_RECORD_BYTES
            ):  # a line too long to keep: keep its size only
                yield pending
                pending = b""
    except ReadError as error:
        if pending:
            yield pending
        yield _failure(source, None, None, f"input ends early: {error}")
        return
    if pending:
        yield pending
