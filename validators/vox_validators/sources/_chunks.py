"""Reading an input as byte chunks, through gzip when needed.

A failure part way (an I/O error, a truncated or corrupt gzip stream) is a :class:`ReadError`,
which the readers turn into a ``parse`` finding on the record being read.
"""

from __future__ import annotations

import io
import os
import stat
import zlib
from collections.abc import Iterator
from typing import BinaryIO

#: How much is read at a time (tests make it tiny to exercise every chunk boundary).
READ_CHUNK_BYTES = 1024 * 1024
BOM = b"\xef\xbb\xbf"


class ReadError(Exception):
    """Reading failed part way through an input; the message says why."""


def chunks_of(stream: BinaryIO, *, watch_size: bool = False) -> Iterator[bytes]:
    """The bytes of ``stream`` in chunks; a failure to read is a :class:`ReadError`.

    ``read1`` returns what one read gives, so a gzip stream that ends early raises only once
    everything before the break has been returned (``read`` would drop the last chunk).
    ``watch_size``: for a regular file, a file that ends before the size it had when reading
    started (truncated or rewritten meanwhile) is a :class:`ReadError` saying how much was lost,
    rather than a silently shorter input.
    """
    read = getattr(stream, "read1", stream.read)
    expected = _size_left(stream) if watch_size else None
    total = 0
    while True:
        try:
            chunk = read(READ_CHUNK_BYTES)
        except EOFError as error:
            raise ReadError(f"truncated gzip stream ({error})") from error
        except (OSError, zlib.error) as error:
            raise ReadError(f"cannot read further: {error}") from error
        if not chunk:
            if expected is not None and total < expected:
                raise ReadError(
                    f"the file shrank while it was read: its last {expected - total:,} of "
                    f"{expected:,} bytes were not read"
                )
            return
        total += len(chunk)
        yield chunk


def _size_left(stream: BinaryIO) -> int | None:
    """How many bytes a regular file has from the current position on (None: not a file)."""
    try:
        status = os.fstat(stream.fileno())
        if not stat.S_ISREG(status.st_mode):
            return None
        return max(status.st_size - stream.tell(), 0)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def read_whole(chunks: Iterator[bytes], limit: int) -> bytes | None:
    """All of ``chunks`` joined, or None as soon as they add up to more than ``limit`` bytes: what
    was read is dropped and the rest is left unread (a bomb never costs more than the limit)."""
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            parts.clear()
            return None
        parts.append(chunk)
    return b"".join(parts)


def first_chunk(chunks: Iterator[bytes]) -> tuple[bytes, Iterator[bytes]]:
    """At least the first few bytes (enough to sniff a gzip magic or a BOM), and the rest."""
    head = b""
    try:
        while len(head) < len(BOM):
            chunk = next(chunks, b"")
            if not chunk:
                break
            head += chunk
    except ReadError as error:
        return head, _raising(error)
    return head, chunks


def _raising(error: ReadError) -> Iterator[bytes]:
    raise error
    yield b""  # pragma: no cover - makes this a generator


def prepend(head: bytes, chunks: Iterator[bytes]) -> Iterator[bytes]:
    if head:
        yield head
    yield from chunks


class ChunkStream(io.RawIOBase):
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
