"""Spans: byte ranges of a plain JSON Lines file that a worker process reads itself.

With ``--jobs`` above 1 the main process would otherwise read, split and pickle every record to
the workers, work they could share. For an uncompressed regular JSON Lines file it only reads the
file to count its lines and cut it into :class:`Span`\\ s at newlines (a ``bytes.count`` per
chunk); each worker reads its span with :func:`vox_validators.sources.iter_records`, as the file
itself would be read, its line numbers shifted to the span's first line. Every other input keeps
the records read in the main process.

A worker reopens the file through the main process's own descriptor (``/proc/PID/fd/N``, a
duplicate kept open until the run ends), so a file deleted or renamed meanwhile is still read to
its end, as ``--jobs 1`` reads it. A file that shrinks is counted as ``--jobs 1`` counts it: what
was lost is one ``parse`` finding saying how many bytes.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from vox_validators import Finding
from vox_validators.sources import Format, Limits, Record, iter_records

__all__ = ["Span", "close_descriptor", "may_begin", "records_or_spans"]

#: How much the main process reads at a time to count lines (a span is cut at the end of a read).
SPAN_READ_BYTES = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"
_PROC_FD = Path("/proc/self/fd")


def may_begin(head: bytes) -> bool:
    """Whether a piece of a file may begin with ``head``, the three bytes after a newline: read
    alone, a piece beginning with a BOM would lose it, and one with the gzip magic be gunzipped."""
    return len(head) == 3 and not head.startswith((_GZIP_MAGIC, _BOM))


@dataclass(frozen=True, slots=True)
class Span:
    """Bytes ``start`` to ``end`` of a JSON Lines file, whole lines from ``first_line`` on: a
    batch whose :attr:`records` are read where they are asked for (in a worker)."""

    source: str
    handle: str  # what a worker opens: the main process's descriptor, else the path
    #: st_dev, st_ino of the file: the one planned, not a successor (None: not checked, for
    #: readers on other machines, where a shared file system numbers devices its own way)
    identity: tuple[int, int] | None
    descriptor: (
        int  # the main process's duplicate descriptor (closed at the end of the run; -1: none)
    )
    size: int  # the file's size when reading started
    start: int
    end: int
    first_line: int
    schema: str
    limits: Limits
    #: Like a record read in the main process without data: ``batches`` tells a span by it.
    data: ClassVar[None] = None

    @property
    def records(self) -> tuple[Record, ...]:
        """The span's records, numbered by their lines in the file."""
        records, shift = self.read()
        if not shift:
            return records
        return tuple(
            Record(
                record.source,
                None if record.line is None else record.line + shift,
                record.index,
                record.data,
                record.schema,
                record.findings,
            )
            for record in records
        )

    def read(self) -> tuple[tuple[Record, ...], int]:
        """The span's records as read on their own (lines from 1), and what to add to their
        line numbers (renderers add it: cheaper than making every record again)."""
        try:
            stream = Path(self.handle).open("rb")  # noqa: SIM115 - closed below
        except OSError as error:
            return (self._unreadable(f"cannot read further: {error.strerror or error}"),), 0
        with stream:
            status = os.fstat(stream.fileno())
            if self.identity is not None and (status.st_dev, status.st_ino) != self.identity:
                return (self._unreadable("cannot read further: the file was replaced"),), 0
            stream.seek(self.start)
            ranged = io.BufferedReader(_Range(stream, self.end - self.start, self.size))
            found = iter_records(
                ranged, format="jsonl", schema=self.schema, name=self.source, limits=self.limits
            )
            return tuple(found), self.first_line - 1

    def _unreadable(self, reason: str) -> Record:
        message = f"input ends early: {reason}"
        finding = Finding("parse", "error", "", message)
        return Record(self.source, self.first_line, None, None, self.schema, (finding,))


class _Range(io.RawIOBase):
    """``length`` bytes of ``stream`` from where it is; ending early is an error saying how much
    of the file (``size`` bytes when reading started) was lost."""

    def __init__(self, stream: BinaryIO, length: int, size: int) -> None:
        self._stream = stream
        self._left = length
        self._size = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._left <= 0:
            return 0
        wanted = min(len(buffer), self._left)
        view = memoryview(buffer)[:wanted]
        got = self._stream.readinto(view)  # type: ignore[attr-defined]
        if not got:
            now = os.fstat(self._stream.fileno()).st_size
            raise OSError(
                f"the file shrank while it was read: its last {self._size - now:,} of "
                f"{self._size:,} bytes were not read"
            )
        self._left -= got
        return int(got)


def close_descriptor(descriptor: int) -> None:
    with contextlib.suppress(OSError):  # already closed
        os.close(descriptor)


def _plain_json_lines(name: str, format: Format | None) -> bool:
    lowered = name.lower()
    if lowered.endswith(".gz"):
        return False
    return format == "jsonl" or (format is None and lowered.endswith((".jsonl", ".ndjson")))


def records_or_spans(
    stream: BinaryIO,
    *,
    format: Format | None,
    schema: str,
    name: str,
    limits: Limits,
    ranged: bool,
    path: str | None = None,
) -> Iterator[Record | Span]:
    """The records of ``stream`` as :func:`iter_records` reads them, or, with ``ranged``, for an
    uncompressed regular JSON Lines file, its :class:`Span`\\ s (each to be read by a worker; the
    main process reads the file only to cut it, as the progress line follows).

    ``path``: the spans are read from this path (by processes that are not this one's children,
    maybe on other machines: Spark's executors) rather than through a descriptor of this process.
    """
    if ranged and _plain_json_lines(name, format):
        try:
            descriptor = stream.fileno()
            status = os.fstat(descriptor)
            start = stream.tell()
            regular = stat.S_ISREG(status.st_mode) and stream.seekable()
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            regular = False
        if regular:
            return _planned(stream, status, start, name, format, schema, limits, path)
    return iter_records(stream, format=format, schema=schema, name=name, limits=limits)


def _planned(  # noqa: PLR0917 - the reading of one input, planned
    stream: BinaryIO,
    status: os.stat_result,
    start: int,
    name: str,
    format: Format | None,
    schema: str,
    limits: Limits,
    path: str | None,
) -> Iterator[Record | Span]:
    from voxkit.engine import local  # noqa: PLC0415 - the batch bounds, read when used (patchable)

    read = stream.read
    try:
        head = read(SPAN_READ_BYTES)
    except OSError:
        head = _GZIP_MAGIC  # unreadable: iter_records says so, as for any other input
    if head.startswith(_GZIP_MAGIC):  # compressed after all: read as any other input
        stream.seek(start)
        yield from iter_records(stream, format=format, schema=schema, name=name, limits=limits)
        return
    identity: tuple[int, int] | None = (status.st_dev, status.st_ino)
    if path is not None:
        duplicate, handle, identity = -1, path, None
    else:
        duplicate = os.dup(stream.fileno())
        handle = f"/proc/{os.getpid()}/fd/{duplicate}" if _PROC_FD.is_dir() else name
    expected = max(status.st_size - start, 0)

    def span(begin: int, end: int, first_line: int) -> Span:
        return Span(
            name, handle, identity, duplicate, status.st_size, begin, end, first_line, schema,
            limits,
        )  # fmt: skip

    planned = False  # once a span is out, the run closes the descriptor; else it is closed here
    try:
        for item in _cut(read, head, start, expected, name, schema, limits, local, span):
            planned = planned or isinstance(item, Span)
            yield item
    finally:
        if not planned and duplicate >= 0:
            close_descriptor(duplicate)


def _cut(  # noqa: PLR0917 - _planned's state, passed on
    read: Callable[[int], bytes],
    head: bytes,
    start: int,
    expected: int,
    name: str,
    schema: str,
    limits: Limits,
    local: Any,
    span: Callable[[int, int, int], Span],
) -> Iterator[Record | Span]:
    """The spans of the file from ``head`` (its first read) on: cut at newlines, the
    :data:`~voxkit.engine.local.BATCH_BYTES` or ``BATCH_RECORDS`` of a batch or more each."""
    position = start  # the offset of the next byte to read
    span_start, span_line = start, 1
    line = 1  # the line the next byte is on
    tail = b""  # the bytes after the last newline (the last line so far), unless too long
    tail_size = 0
    chunk = head
    error: OSError | None = None
    while chunk:
        newlines = chunk.count(b"\n")
        last = chunk.rfind(b"\n")
        if last >= 0:
            line += newlines
            tail, tail_size = chunk[last + 1 :], len(chunk) - last - 1
            cut = position + last + 1
            full = cut - span_start >= local.BATCH_BYTES or line - span_line >= local.BATCH_RECORDS
            if full and may_begin(chunk[last + 1 : last + 4]):
                yield span(span_start, cut, span_line)
                span_start, span_line = cut, line
        else:
            tail_size += len(chunk)
            tail = tail + chunk if tail_size <= limits.record else b""
        position += len(chunk)
        try:
            chunk = read(SPAN_READ_BYTES)
        except OSError as failure:
            error, chunk = failure, b""
    read_bytes = position - start
    if error is None and read_bytes >= expected:
        if position > span_start:
            yield span(span_start, position, span_line)
        return
    # Ended early (an I/O error, a file that shrank): the whole lines, then what says why.
    lines_end = position - tail_size
    if lines_end > span_start:
        yield span(span_start, lines_end, span_line)
    if error is not None:
        reason = f"cannot read further: {error}"
    else:
        reason = (
            f"the file shrank while it was read: its last {expected - read_bytes:,} of "
            f"{expected:,} bytes were not read"
        )
    finding = Finding("parse", "error", "", f"input ends early: {reason}")
    yield Record(name, line, None, tail or None, schema, (finding,))
