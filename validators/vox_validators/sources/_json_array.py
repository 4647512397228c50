"""A top-level JSON array, cut into its elements as a stream (the elements stay bytes)."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator

from vox_validators.sources._chunks import ReadError
from vox_validators.sources._limits import DEFAULT_LIMITS, Limits, over_limit
from vox_validators.sources._record import Record, failed, limited

# A run of JSON whitespace, skipped in one go (a loop per byte is slow on a long run).
_WHITESPACE_RUN = re.compile(rb"[ \t\r\n]*")

# Everything up to the next bracket, comma (at the top) or unterminated string; strings whole.
# (Unrolled loops: no alternation per character, no catastrophic backtracking.)
_STRING = rb'"[^"\\]*(?:\\.[^"\\]*)*"'
_SKIP_TOP = re.compile(rb'[^"\[\]{},]*(?:' + _STRING + rb'[^"\[\]{},]*)*', re.DOTALL)
_SKIP_INNER = re.compile(rb'[^"\[\]{}]*(?:' + _STRING + rb'[^"\[\]{}]*)*', re.DOTALL)
_QUOTE = ord('"')
_STRING_STOP = re.compile(rb'["\\]')


class ArraySplitter:
    """Cuts a top-level JSON array into its elements without decoding them (they stay bytes).

    Only brackets and the commas between elements are looked at (strings are skipped whole), so
    memory is one chunk plus one element, and a malformed element is still cut out and reported
    on its own. Element ``index`` is 0-based, ``line`` is where the element starts.
    """

    def __init__(
        self,
        source: str,
        schema: str,
        buffer: bytes,
        chunks: Iterator[bytes],
        *,
        limits: Limits = DEFAULT_LIMITS,
        first_line: int = 1,
    ) -> None:
        self.source = source
        self.schema = schema
        self.buffer = buffer
        self.chunks = chunks
        self.limits = limits
        self.eof = False
        self.counted_pos = 0  # the line number of buffer[counted_pos] is counted_line
        self.counted_line = first_line

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
            run = _WHITESPACE_RUN.match(self.buffer, pos)
            pos = run.end() if run is not None else pos  # it always matches
            if pos < len(self.buffer) or self.eof:
                return pos
            self._line_at(pos)
            pos -= self._refill(pos)

    def _failed(self, message: str, line: int | None, index: int | None = None) -> Record:
        return failed(self.source, message, line=line, index=index, schema=self.schema)

    def records(self) -> Iterator[Record]:
        try:
            yield from self._split()
        except ReadError as error:
            yield self._failed(f"input ends early: {error}", None)

    def _split(self) -> Iterator[Record]:
        pos = self._skip_whitespace(0) + 1  # past "["
        index = 0
        expecting_element = False
        while True:
            pos = self._skip_whitespace(pos)
            if pos >= len(self.buffer):
                message = f"the array is not closed: the input ends after {index} elements"
                yield self._failed(message, self._line_at(pos))
                return
            char = self.buffer[pos : pos + 1]
            if char == b"]":
                if expecting_element:  # a trailing comma: an empty element
                    yield self._element(pos, pos, index)
                yield from self._after_array(pos + 1)
                return
            if char == b",":  # an empty element
                yield self._element(pos, pos, index)
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

    def _scan_element(self, start: int, index: int) -> Generator[Record, None, tuple[int, bytes]]:
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
                    yield self._record(line, index, data, oversized)
                    if depth == 0 and not in_string:  # a whole element, then the end
                        message = (
                            f"the array is not closed: the input ends after {index + 1} elements"
                        )
                        yield self._failed(message, self._line_at(len(buffer)))
                    return len(buffer), b""
                scan = at
                if not oversized and len(buffer) - start > self.limits.record:
                    oversized = True
                if not oversized:
                    dropped = self._refill(start)
                    start, scan = start - dropped, scan - dropped
                elif in_string:  # a string too long to keep: skip it
                    after = self._skip_string(scan + 1)
                    if after is None:
                        yield self._record(line, index, None, oversized)
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
        yield self._record(line, index, data, oversized)
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
        if oversized or (data is not None and len(data) > self.limits.record):
            message = over_limit("the array element", "record", self.limits)
            return limited(self.source, message, line=line, index=index, schema=self.schema)
        return Record(self.source, line, index, data, self.schema)

    def _element(self, start: int, end: int, index: int) -> Record:
        data = self.buffer[start:end].rstrip()
        return Record(self.source, self._line_at(start), index, data, self.schema)

    def _after_array(self, pos: int) -> Iterator[Record]:
        pos = self._skip_whitespace(pos)
        if pos < len(self.buffer):
            message = "unexpected data after the end of the top-level array"
            yield self._failed(message, self._line_at(pos))
            while not self.eof:  # read to the end without keeping it
                self._line_at(len(self.buffer))
                self._refill(len(self.buffer))
