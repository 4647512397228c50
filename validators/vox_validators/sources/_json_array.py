"""A top-level JSON array, cut into its elements as a stream (the elements stay bytes)."""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator
from functools import cache
from typing import TYPE_CHECKING

from vox_validators.sources._chunks import ReadError
from vox_validators.sources._limits import DEFAULT_LIMITS, Limits, over_limit
from vox_validators.sources._record import Record, failed, limited

if TYPE_CHECKING:
    import msgspec

# A run of JSON whitespace, skipped in one go (a loop per byte is slow on a long run).
_WHITESPACE_RUN = re.compile(rb"[ \t\r\n]*")

# Everything up to the next bracket, comma (at the top) or unterminated string; strings whole.
# (Unrolled loops: no alternation per character, no catastrophic backtracking.)
_STRING = rb'"[^"\\]*(?:\\.[^"\\]*)*"'
_SKIP_TOP = re.compile(rb'[^"\[\]{},]*(?:' + _STRING + rb'[^"\[\]{},]*)*', re.DOTALL)
_SKIP_INNER = re.compile(rb'[^"\[\]{}]*(?:' + _STRING + rb'[^"\[\]{}]*)*', re.DOTALL)
_QUOTE = ord('"')
_STRING_STOP = re.compile(rb'["\\]')

# The bulk of a chunk is cut in C: from an element's start to a comma that may end an element
# (after a closing bracket, before an opening one), msgspec checks that the stretch is a run of
# whole JSON values. The parse runs from a known top-level position, so if it succeeds the comma
# is a top-level one and the values are the very elements the Python scanner would cut.
_CUT = re.compile(rb"[}\]][ \t\r\n]*,[ \t\r\n]*[{\[]")
_GAP = re.compile(rb"[ \t\r\n]*,[ \t\r\n]*")
#: Below this many bytes left in the buffer, the Python scanner goes on alone.
_BULK_BYTES = 16 * 1024
# Commas tried, latest first, before the rest of the chunk is left to the Python scanner.
_CUT_TRIES = 4
# How much of the end of the buffer is searched for such commas first (grown when none is there).
_CUT_WINDOW = 16 * 1024
_COMMA = ord(",")
_NEWLINE = ord("\n")
_WHITESPACE_BYTES = b" \t\r\n"


class ArraySplitter:
    """Cuts a top-level JSON array into its elements without decoding them (they stay bytes).

    Only brackets and the commas between elements are looked at (strings are skipped whole), so
    memory is one chunk plus one element, and a malformed element is still cut out and reported
    on its own. Element ``index`` is 0-based, ``line`` is where the element starts.

    The bulk of each chunk is cut in C (:meth:`_bulk`); the Python scanner cuts the element that
    spans a chunk boundary, and whatever msgspec rejects (so it reports it as before).
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
        self.slow_until = 0  # no bulk cut before this position (where it last failed)
        self.separator: bytes | None = None  # what was between two elements: tried first

    def _refill(self, keep_from: int) -> int:
        """Drop the buffer before ``keep_from``, append a chunk; return how much was dropped."""
        chunk = next(self.chunks, b"")
        if not chunk:
            self.eof = True
        drop = min(keep_from, self.counted_pos)  # lines before counted_pos are counted already
        self.counted_pos -= drop
        self.slow_until = 0  # a new chunk: worth another bulk cut
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
            if pos >= self.slow_until and len(self.buffer) - pos >= _BULK_BYTES:
                cut = self._bulk(pos, index)
                if cut is not None:  # elements up to the comma at ``cut`` are done
                    records, pos = cut
                    yield from records
                    index += len(records)
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

    def _bulk(self, start: int, index: int) -> tuple[list[Record], int] | None:
        """Cut the elements from ``start`` to a top-level comma late in the buffer, in C.

        Returns their records and the comma's position, or None (nothing cut: no comma was
        found that ends an element, or a malformed value comes first, which the Python scanner
        then reports).
        """
        buffer = self.buffer
        tries = 0
        before = len(buffer)  # commas from here on were tried
        window = _CUT_WINDOW
        separator = self.separator
        if separator is not None and separator[:1] in b"}]" and separator[-1:] in b"{[":
            end = buffer.rfind(separator, start)
            if end > start:
                comma = buffer.index(b",", end)
                cut = self._decode(start, index, comma)
                if cut is not None:
                    return cut, comma
                if self.slow_until > start:
                    return None
                tries += 1
        while tries < _CUT_TRIES and before > start:
            since = max(start, before - window)
            ends = [end for end in _cut_candidates(buffer, since) if end < before]
            if not ends:
                window *= 4
                if since == start:
                    break
                continue
            for end in reversed(ends[-(_CUT_TRIES - tries) :]):
                tries += 1
                comma = buffer.index(b",", end)
                cut = self._decode(start, index, comma)
                if cut is not None:
                    return cut, comma
                if self.slow_until > start:
                    return None
                before = end  # the comma was inside a value: try an earlier one
        self.slow_until = len(buffer)
        return None

    def _decode(self, start: int, index: int, comma: int) -> list[Record] | None:
        """The records of the elements from ``start`` to ``comma``, if that is a run of whole
        values; else None, and ``slow_until`` says how far the Python scanner goes alone (past a
        malformed value, or the whole buffer when msgspec cannot say)."""
        decode, malformed = _bulk_decoder()
        try:
            values = decode(b"[" + self.buffer[start:comma] + b"]")
        except malformed as error:
            failed_at = _failed_at(str(error))
            if failed_at is not None and failed_at < comma - start:
                # A malformed value before the comma: the Python scanner reports it.
                self.slow_until = start + failed_at + 1
            return None  # (else the comma was inside a value)
        except RecursionError:  # nested too deep for msgspec: the scanner has no such limit
            self.slow_until = len(self.buffer)
            return None
        return self._cut(start, index, values, comma)

    def _cut(self, start: int, index: int, values: list[msgspec.Raw], comma: int) -> list[Record]:
        """The records of ``values``, the elements from ``start`` to ``comma`` (their bytes are
        the buffer's: only their lengths are used)."""
        buffer, source, schema, limit = self.buffer, self.source, self.schema, self.limits.record
        line = self._line_at(start)
        gap = _GAP.match
        count, find = buffer.count, buffer.find
        records = []
        last = index + len(values) - 1
        for value in values:
            end = start + len(value)
            if end - start <= limit:
                records.append(Record(source, line, index, buffer[start:end], schema))
            else:
                message = over_limit("the array element", "record", self.limits)
                records.append(limited(source, message, line=line, index=index, schema=schema))
            index += 1
            if index > last:
                break
            # (bytes.count is a byte loop, find is memchr: count only where find sees a newline.)
            if find(b"\n", start, end) >= 0:
                line += count(b"\n", start, end)
            if buffer[end] == _COMMA:  # the usual gaps, "," and ",\n", without a regex
                following = buffer[end + 1]
                if following not in _WHITESPACE_BYTES:
                    start = end + 1
                    continue
                if following == _NEWLINE and buffer[end + 2] not in _WHITESPACE_BYTES:
                    line += 1
                    start = end + 2
                    continue
            after = gap(buffer, end)
            following = after.end() if after is not None else end  # it always matches
            if find(b"\n", end, following) >= 0:
                line += count(b"\n", end, following)
            if self.separator is None and end > 0:  # the way elements are set apart here
                self.separator = buffer[end - 1 : following + 1]
            start = following
        self.counted_pos, self.counted_line = start, line
        return records

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


_FAILED_AT = re.compile(r"\(byte (\d+)\)")


def _failed_at(message: str) -> int | None:
    """Where in the stretch msgspec found a malformed value (its message says the byte of the
    bracketed text), or None when it does not say (the text was cut inside a value)."""
    found = _FAILED_AT.search(message)
    return int(found.group(1)) - 1 if found is not None else None


def _cut_candidates(buffer: bytes, since: int) -> list[int]:
    """Where the commas that may end an element are (the bracket before each), from ``since``."""
    return [match.start() for match in _CUT.finditer(buffer, since)]


@cache
def _bulk_decoder() -> tuple[Callable[[bytes], list[msgspec.Raw]], type[Exception]]:
    """msgspec's decoder of an array into its raw values, and its error; imported when an array
    is first cut (the readers alone load no decoder: Spark executors, the generator's tools)."""
    import msgspec  # noqa: PLC0415 - see above

    return msgspec.json.Decoder(list[msgspec.Raw]).decode, msgspec.DecodeError
