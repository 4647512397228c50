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

from vox_validators.sources import _record as _records
from vox_validators.sources._chunks import (
    BOM,
    ChunkStream,
    ReadError,
    chunks_of,
    first_chunk,
    prepend,
)
from vox_validators.sources._discovery import (
    CASSETTE_SUFFIXES,
    HAR_SUFFIXES,
    JSON_LINES_SUFFIXES,
    walk,
)
from vox_validators.sources._json_array import ArraySplitter
from vox_validators.sources._record import BYTES_NAME, STDIN_NAME, Record, failed, too_large
from vox_validators.sources._traffic import traffic_records

Format = Literal["json", "jsonl", "cassette", "har"]
#: The values of ``iter_records(format=...)``.
FORMATS: tuple[Format, ...] = ("json", "jsonl", "cassette", "har")

GZIP_MAGIC = b"\x1f\x8b"
_WHITESPACE = b" \t\r\n"


def iter_records(
    source: str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO,
    *,
    format: Format | None = None,
    schema: str = "Campaign",
    name: str | None = None,
) -> Iterator[Record]:
    """Every record of ``source``, in order, streamed (memory: about one record).

    ``source`` is a path (``str`` or path-like; a directory is walked as ``voxkit validate DIR``
    walks it: recursively, in sorted order, recognised extensions only), bytes, or a binary
    file object (read to its end, not closed). ``format`` (one of :data:`FORMATS`) says how to read
    it, instead of the extension of the path (or of ``name``) and the content; gzip is recognised
    whatever ``format`` says. ``schema`` is the schema of plain JSON and JSON Lines records
    (cassettes and HAR files carry the schema their operation documents). ``name`` is what each
    record's ``source`` says: by default the path as given, ``<stdin>`` for a file object and
    ``<bytes>`` for bytes (the files of a directory are named by their own paths).

    Nothing that can be read raises: what cannot be parsed is a record with a ``parse`` finding.
    A path that cannot be opened raises :class:`OSError` here, at the call; so does a directory
    that cannot be listed (a file below it that cannot be opened: when it is reached).
    """
    if format is not None and format not in FORMATS:
        raise ValueError(f"{format!r} is not an input format; one of: {', '.join(FORMATS)}")
    if isinstance(source, bytes | bytearray | memoryview):
        label = name or BYTES_NAME
        return _read(io.BytesIO(bytes(source)), label, label, format, schema)
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        if Path(path).is_dir():
            return _directory(_listing(path), format, schema)
        stream = Path(path).open("rb")  # noqa: SIM115 - closed by the generator
        return _closing(stream, _read(stream, name or path, path, format, schema))
    if not callable(getattr(source, "read", None)):
        raise TypeError(f"cannot read records from a {type(source).__name__}")
    label = name or STDIN_NAME
    return _read(source, label, label, format, schema)


def _listing(directory: str) -> list[str]:
    """The input files below ``directory``, listed now (a listing error is raised now)."""

    def on_error(error: OSError) -> None:
        raise error

    return [file.name for file in walk(directory, lambda _: None, on_error)]


def _directory(paths: list[str], format: Format | None, schema: str) -> Iterator[Record]:
    for path in paths:
        stream = Path(path).open("rb")  # noqa: SIM115 - closed by _closing
        yield from _closing(stream, _read(stream, path, path, format, schema))


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
    stream: BinaryIO, source: str, hint: str, format: Format | None, schema: str
) -> Iterator[Record]:
    """The records of one opened input; ``hint`` is the name whose extension may say the format."""
    chunks = chunks_of(stream)
    head, chunks = first_chunk(chunks)
    if hint.lower().endswith(".gz") or head.startswith(GZIP_MAGIC):
        gz = gzip.GzipFile(fileobj=ChunkStream(prepend(head, chunks)), mode="rb")
        chunks = chunks_of(cast(BinaryIO, gz))
        head, chunks = first_chunk(chunks)
    chunks = prepend(head.removeprefix(BOM), chunks)
    kind = format or format_of(hint)
    if kind == "jsonl":
        yield from _json_lines(source, chunks, schema)
    elif kind == "json":
        yield from _json(source, chunks, schema)
    else:
        try:
            whole = b"".join(chunks)
        except ReadError as error:
            yield failed(source, str(error))
            return
        yield from traffic_records(source, whole, kind)


# --------------------------------------------------------------------------- JSON Lines


def _json_lines(source: str, chunks: Iterator[bytes], schema: str) -> Iterator[Record]:
    """One record per non-blank line. Memory: one chunk plus one line.

    Lines are cut block by block (a chunk's worth of whole lines at a time), which keeps the
    Python work per record to a share of one split and one :class:`Record`.
    """
    line = 1
    pending = b""
    oversized_from: int | None = None  # the line being skipped because it is too long
    try:
        for chunk in chunks:
            if oversized_from is not None:
                cut = chunk.find(b"\n")
                if cut < 0:
                    continue
                yield failed(source, too_large("line"), line=oversized_from, schema=schema)
                line = oversized_from + 1
                oversized_from = None
                chunk = chunk[cut + 1 :]
            pending += chunk
            cut = pending.rfind(b"\n")
            if cut < 0:
                if len(pending) > _records.MAX_RECORD_BYTES:
                    oversized_from, pending = line, b""
                continue
            for raw in pending[:cut].split(b"\n"):  # the hot loop: one record per line
                if raw and not raw.isspace():
                    yield Record(source, line, None, raw, schema)
                line += 1
            pending = pending[cut + 1 :]
            if len(pending) > _records.MAX_RECORD_BYTES:
                oversized_from, pending = line, b""
    except ReadError as error:
        if oversized_from is not None:
            yield failed(source, too_large("line"), line=oversized_from, schema=schema)
            line, pending = oversized_from + 1, b""
        message = f"input ends early: {error}"
        yield failed(source, message, line=line, data=pending or None, schema=schema)
        return
    if oversized_from is not None:
        yield failed(source, too_large("line"), line=oversized_from, schema=schema)
    elif pending.strip():  # the last line, without a newline
        yield Record(source, line, None, pending, schema)


# --------------------------------------------------------------------------- JSON, sniffed


def _json(source: str, chunks: Iterator[bytes], schema: str) -> Iterator[Record]:
    """A JSON input that is not known to be JSON Lines: an array, lines, or documents."""
    buffer = b""
    try:
        for chunk in chunks:
            buffer += chunk
            stripped = buffer.lstrip(_WHITESPACE)
            if not stripped:
                continue
            if stripped[:1] == b"[":
                yield from ArraySplitter(source, schema, buffer, chunks).records()
                return
            first_line_end = stripped.find(b"\n")
            if first_line_end < 0 and len(buffer) < _records.MAX_RECORD_BYTES:
                continue
            if _is_balanced(stripped[: first_line_end if first_line_end >= 0 else None]):
                yield from _json_lines(source, prepend(buffer, chunks), schema)
            else:
                yield from _documents(source, prepend(buffer, chunks), schema)
            return
    except ReadError as error:
        message = f"input ends early: {error}"
        yield failed(source, message, line=1, data=buffer or None, schema=schema)
        return
    if buffer.strip():  # one line without a newline at the end
        yield from _json_lines(source, iter([buffer]), schema)
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


def _documents(source: str, chunks: Iterator[bytes], schema: str) -> Iterator[Record]:
    """Pretty-printed JSON documents, one after the other; a document ends where its brackets close."""
    parts: list[bytes] = []
    size = 0
    depth = 0
    start_line = 0
    oversized = False
    for line_number, line in enumerate(_lines(chunks), start=1):
        if isinstance(line, ReadError):
            if parts or oversized:
                yield _document(source, start_line, parts, schema, oversized)
            message = f"input ends early: {line}"
            yield failed(source, message, line=line_number, schema=schema)
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
            yield _document(source, start_line, parts, schema, oversized)
            parts, size, oversized = [], 0, False
    if parts or oversized:  # the input ends inside a document
        yield _document(source, start_line, parts, schema, oversized)


def _document(source: str, line: int, parts: list[bytes], schema: str, oversized: bool) -> Record:
    if oversized:
        return failed(source, too_large("document"), line=line, schema=schema)
    return Record(source, line, None, b"".join(parts), schema)


def _lines(chunks: Iterator[bytes]) -> Iterator[bytes | ReadError]:
    """The lines of the input (with their newline); a read error is yielded, last."""
    pending = b""
    try:
        for chunk in chunks:
            pending += chunk
            lines = pending.split(b"\n")
            pending = lines.pop()
            for line in lines:
                yield line + b"\n"
            if len(pending) > _records.MAX_RECORD_BYTES:  # too long to keep: keep its size only
                yield pending
                pending = b""
    except ReadError as error:
        if pending:
            yield pending
        yield error
        return
    if pending:
        yield pending
