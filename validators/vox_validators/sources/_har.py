"""HAR files: one record per recorded response (see ``_traffic``), streamed.

A HAR file is read as a stream of chunks, never whole: the top-level object and ``log`` are
walked key by key, and ``log.entries`` is cut entry by entry, each entry then decoded and read on
its own. Memory: one read chunk plus one entry, whatever the size of the file.

Cutting: the bulk of each chunk is cut in C, as ``_json_array`` cuts a top-level array: msgspec
decodes the stretch from an entry's start to a comma late in the buffer as an array of raw values;
when it decodes, that comma is a top-level one and the values are the entries. The entry that spans
two chunks, and whatever msgspec refuses, is cut by a scanner of brackets and commas (strings
skipped whole), then decoded alone: a malformed entry is a finding on that entry only.

Decoding: msgspec, which makes of a JSON text what ``json.loads`` makes of it (integers of any
size, the last of duplicate keys, at the place of the first); an entry it refuses (``NaN``, a lone
surrogate, ``1e400``) is decoded by ``json.loads`` itself. So every entry is what ``json.loads`` of
the whole file gave before. Keys are decoded as JSON (``"entr\\u0069es"`` is ``entries``); the keys
of ``log`` and of the top-level object may come in any order, and every other value is read (and
checked) one at a time. A file in UTF-16 or UTF-32, which ``json.loads`` reads too, is the one
exception: it is read whole (within ``Limits.input``), then streamed the same way (as UTF-8: the
bytes messages name are those of the UTF-8 text).

Limits cap what is held at once: ``Limits.input`` the bytes of one entry (or of another value of
the file), ``Limits.nodes`` its JSON values. An entry over a limit is one ``limit`` record (with its
index), not read, and reading goes on with the next.

A malformed file keeps every record read before the fault; then one ``parse`` finding says what is
wrong and at which byte of the file (decompressed), and the rest is not read. A malformed entry
(which the scanner still delimits) is a ``parse`` finding on that entry, and reading goes on; so is
a malformed other value (``log.creator``...). A second ``log`` or ``log.entries`` is a finding and
is not read (``json.loads`` kept the last one; a stream cannot take back the records of the
first). Without a ``log.entries`` list the file is one ``parse`` record: "not a HAR file".
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vox_validators._findings import Finding
from vox_validators.sources._chunks import BOM, ReadError, prepend, read_whole
from vox_validators.sources._limits import Limits, over_limit
from vox_validators.sources._record import Record, failed, limited
from vox_validators.sources._secret_screen import har_entry_may_hold
from vox_validators.sources._secrets import har_secrets
from vox_validators.sources._traffic import (
    Problem,
    body_bytes,
    body_size_problem,
    decode_content,
    problem_record,
    response_schema,
    with_secrets,
)

if TYPE_CHECKING:
    import msgspec

NOT_A_HAR_FILE = "not a HAR file: no 'log.entries' list"


def har_records(
    source: str, chunks: Iterator[bytes], limits: Limits, folder: Path | None
) -> Iterator[Record]:
    """The records of a HAR file, streamed from ``chunks`` (its bytes as ``_read`` decodes them:
    decompressed, BOM dropped). ``folder`` is where the HAR file is, for the bodies kept beside it
    (None: not on disk)."""
    yield from _har_records(source, chunks, limits, folder)


def _har_records(
    source: str, chunks: Iterator[bytes], limits: Limits, folder: Path | None
) -> Iterator[Record]:
    try:
        head, chunks = _head(chunks)
    except ReadError as error:
        yield failed(source, f"input ends early: {error}")
        return
    encoding = json.detect_encoding(head)
    if encoding == "utf-8-sig":  # a second BOM: json.loads drops it too
        head = head.removeprefix(BOM)
    elif encoding != "utf-8":
        transcoded = _transcoded(source, head, chunks, encoding, limits)
        if isinstance(transcoded, Record):
            yield transcoded
            return
        head, chunks = transcoded, iter(())
    yield from _HarReader(source, head, chunks, limits, folder).records()


def _head(chunks: Iterator[bytes]) -> tuple[bytes, Iterator[bytes]]:
    """The first four bytes or more (what json.detect_encoding looks at), and the rest."""
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= 4:
            break
    return head, chunks


def _transcoded(
    source: str, head: bytes, chunks: Iterator[bytes], encoding: str, limits: Limits
) -> bytes | Record:
    """A UTF-16 or UTF-32 file as UTF-8 (read whole: json.loads reads them, few tools write them),
    or the record saying why it cannot be."""
    subject = f"the HAR file ({encoding.upper()})"
    try:
        whole = read_whole(prepend(head, chunks), limits.input)
    except ReadError as error:
        return failed(source, f"input ends early: {error}")
    if whole is None:
        return limited(source, over_limit(subject, "input", limits, "not read"))
    try:
        return whole.decode(encoding, "surrogatepass").encode("utf-8", "surrogatepass")
    except UnicodeError as error:
        return failed(source, f"not a readable HAR file: {subject} is not valid: {error}")


# --------------------------------------------------------------------------- cutting

_QUOTE, _COMMA, _COLON = (ord(char) for char in '",:')
_OPEN_BRACE, _CLOSE_BRACE, _OPEN_BRACKET, _CLOSE_BRACKET = (ord(char) for char in "{}[]")
_OPENERS = (_OPEN_BRACE, _OPEN_BRACKET)
_CLOSERS = (_CLOSE_BRACE, _CLOSE_BRACKET)
_END = -1  # the byte "at" the end of the file
_NO_CLOSER = -2  # a top-level value: no bracket of its own ends it

_WHITESPACE_RUN = re.compile(rb"[ \t\r\n]*")
# Everything up to the next bracket, comma (at the top of a value) or unterminated string, strings
# whole (unrolled loops: no alternation per character, no catastrophic backtracking).
_STRING = rb'"[^"\\]*(?:\\.[^"\\]*)*"'
_SKIP_TOP = re.compile(rb'[^"\[\]{},]*(?:' + _STRING + rb'[^"\[\]{},]*)*', re.DOTALL)
_SKIP_INNER = re.compile(rb'[^"\[\]{}]*(?:' + _STRING + rb'[^"\[\]{}]*)*', re.DOTALL)
_WHOLE_STRING = re.compile(_STRING, re.DOTALL)
_STRING_STOP = re.compile(rb'["\\]')
# A comma that may end an entry (a closing bracket before it, an opening one after it).
_CUT = re.compile(rb"[}\]][ \t\r\n]*,[ \t\r\n]*[{\[]")
_GAP = re.compile(rb"[ \t\r\n]*,[ \t\r\n]*")
#: Below this many bytes left in the buffer, the scanner cuts alone.
_BULK_BYTES = 16 * 1024
# Commas tried, latest first, before the rest of the buffer is left to the scanner; and how much
# of the end of the buffer is searched for them first (grown when none is there).
_CUT_TRIES = 4
_CUT_WINDOW = 16 * 1024
_FAILED_AT = re.compile(r"\(byte (\d+)\)")
# The whitespace around the comma between two entries that is learnt, at most, on either side.
_SEPARATOR_BYTES = 64


class _Malformed(Exception):
    """The file cannot be read further: the message of its last record (``index``: the entry;
    ``rule``: ``parse``, or ``limit`` when what comes next is too large to hold)."""

    def __init__(self, message: str, index: int | None = None, rule: str = "parse") -> None:
        super().__init__(message)
        self.message = message
        self.index = index
        self.rule = rule


class _HarReader:
    """Walks one HAR file, held a chunk (plus the value being cut) at a time.

    ``buffer[pos]`` is where reading is; ``offset`` is the position of ``buffer[0]`` in the file,
    so ``offset + pos`` is the byte a message names.
    """

    def __init__(
        self,
        source: str,
        head: bytes,
        chunks: Iterator[bytes],
        limits: Limits,
        folder: Path | None,
    ) -> None:
        self.source = source
        self.buffer = bytearray(head)  # (dropping its front is free: see _refill)
        self.pos = 0
        self.offset = 0
        self.chunks = chunks
        self.eof = False
        self.limits = limits
        self.folder = folder
        self.entries_read = False  # a log.entries list was read
        self.entry_index: int | None = None  # the entry being cut, for a read error inside it
        self.separator: bytes | None = None  # what is between two entries: searched first
        self.slow_until = 0  # no bulk cut before this position (where it last failed)

    # ----------------------------------------------------------------------- the buffer

    def _refill(self, keep_from: int) -> int:
        """Drop the buffer before ``keep_from`` and append a chunk (``eof`` when there is none);
        return how much was dropped (positions in the buffer move back by that much)."""
        chunk = next(self.chunks, b"")
        if not chunk:
            self.eof = True
        # In place: a bytearray drops its front without copying the rest, so a value kept across
        # many chunks (up to the input limit) costs linear time, not a copy of it per chunk.
        del self.buffer[:keep_from]
        self.buffer += chunk
        self.offset += keep_from
        self.slow_until = 0  # a new chunk: worth another bulk cut
        return keep_from

    def _at(self, pos: int) -> str:
        return f"at byte {self.offset + pos}"

    def _peek(self) -> int:
        """The byte at ``pos`` once whitespace is skipped (dropped as it is read), or ``_END``."""
        while True:
            run = _WHITESPACE_RUN.match(self.buffer, self.pos)
            self.pos = run.end() if run is not None else self.pos  # it always matches
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if self.eof:
                return _END
            self.pos -= self._refill(self.pos)

    def _string_end(self, pos: int, keep_from: int | None, limit: int) -> tuple[int | None, int]:
        """Where the string whose content starts at ``pos`` ends (None: the file ends inside
        it), and how much of the buffer was dropped meanwhile. The buffer from ``keep_from`` on is
        kept while it is within ``limit`` bytes (None: nothing of the string is kept)."""
        dropped = 0
        while True:
            match = _STRING_STOP.search(self.buffer, pos)
            if match is not None and match.group() == b'"':
                return match.end(), dropped
            if match is not None and match.end() < len(self.buffer):  # an escape: skip it
                pos = match.end() + 1
                continue
            if self.eof:
                return None, dropped
            searched = len(self.buffer) if match is None else match.start()
            if keep_from is not None and len(self.buffer) - keep_from > limit:
                keep_from = None  # too long to keep: the caller sees the value is oversized
            drop = searched if keep_from is None else keep_from
            self._refill(drop)
            dropped += drop
            pos = searched - drop
            keep_from = None if keep_from is None else 0

    def _cut(self, closer: int, limit: int) -> tuple[bytes | None, int, int]:
        """Cut the value at ``pos``: up to a comma at its top level, ``closer`` (``]`` or ``}``)
        there, or the end of the file. Returns its bytes (None when over ``limit`` bytes: then
        nothing of it is held), where it starts in the file, and the byte that ends it
        (``_END`` at the end of the file); ``pos`` is then at that byte."""
        start = self.pos
        started_at = self.offset + start
        depth = 0
        scan = start
        oversized = False
        while True:
            buffer = self.buffer
            # Jump over everything but brackets (and commas at the top): strings in one go.
            skipped = (_SKIP_TOP if depth == 0 else _SKIP_INNER).match(buffer, scan)
            at = skipped.end() if skipped is not None else scan  # it always matches
            if at < len(buffer) and buffer[at] != _QUOTE:
                token = buffer[at]
                scan = at + 1
                if token in _OPENERS:
                    depth += 1
                elif token in _CLOSERS:
                    if depth > 0:
                        depth -= 1
                    elif token == closer:
                        break
                else:  # a comma at the top of the value
                    break
                continue
            # More input is needed: for the string that starts at ``at``, or the buffer ended.
            if not oversized and len(buffer) - start > limit:
                oversized = True
            if at < len(buffer):
                end, dropped = self._string_end(at + 1, None if oversized else start, limit)
                if not oversized and dropped > start:  # it could not be kept
                    oversized = True
                start = max(start - dropped, 0)
                if end is None:
                    return self._ended(start, oversized, limit), started_at, _END
                scan = end
                continue
            if self.eof:
                return self._ended(start, oversized, limit), started_at, _END
            dropped = self._refill(at if oversized else start)
            start, scan = max(start - dropped, 0), at - dropped
        self.pos = at
        data = None if oversized else bytes(buffer[start:at]).rstrip()
        if data is not None and len(data) > limit:
            data = None
        return data, started_at, token

    def _ended(self, start: int, oversized: bool, limit: int) -> bytes | None:
        """What was cut of a value the file ends inside (``pos`` then at the end)."""
        data = None if oversized else bytes(self.buffer[start:]).rstrip()
        self.pos = len(self.buffer)
        return None if data is None or len(data) > limit else data

    # ----------------------------------------------------------------------- the document

    def records(self) -> Iterator[Record]:
        try:
            yield from self._document()
        except _Malformed as malformed:
            finding = Finding(malformed.rule, "error", "", malformed.message)
            yield Record(self.source, None, malformed.index, None, None, (finding,))
            return
        except ReadError as error:
            yield failed(self.source, f"input ends early: {error}", index=self.entry_index)
            return
        if not self.entries_read:
            yield failed(self.source, NOT_A_HAR_FILE)

    def _malformed(self, what: str) -> _Malformed:
        if self._peek() == _END:
            what = "the file ends early (is it truncated?)"
        return _Malformed(f"not a readable HAR file: {what} {self._at(self.pos)}")

    def _document(self) -> Iterator[Record]:
        char = self._peek()
        if char == _END:
            raise _Malformed("not a readable HAR file: it is empty (no JSON value)")
        if char != _OPEN_BRACE:
            # Not an object: read as one value, to say whether it is JSON at all.
            yield from self._value("the top-level value", _NO_CLOSER)
        else:
            self.pos += 1
            first = True
            while (key := self._key(first)) is not None:
                first = False
                if key != "log":
                    yield from self._value(f"the value of {_shown(key)}", _CLOSE_BRACE)
                elif self.entries_read:
                    yield self._second("'log'", _CLOSE_BRACE)
                elif self._peek() == _OPEN_BRACE:
                    self.pos += 1
                    yield from self._log()
                else:  # not an object (a later 'log' may be one: json.loads kept the last)
                    yield from self._value("'log'", _CLOSE_BRACE)
        if self._peek() != _END:
            raise self._malformed("Extra data")

    def _key(self, first: bool) -> str | None:
        """The next key of the object being read (``pos`` then at its value), or None at its end
        (``pos`` then past it)."""
        char = self._peek()
        if char == _CLOSE_BRACE:
            self.pos += 1
            return None
        if not first:
            if char != _COMMA:
                raise self._malformed("Expecting ',' delimiter")
            self.pos += 1
            char = self._peek()
        if char != _QUOTE:
            raise self._malformed("Expecting property name enclosed in double quotes")
        key = self._key_text()
        if self._peek() != _COLON:
            raise self._malformed("Expecting ':' delimiter")
        self.pos += 1
        if self._peek() == _END:
            raise self._malformed("Expecting value")
        return key

    def _key_text(self) -> str:
        """The key at ``pos`` (a quote), decoded as json.loads decodes it."""
        start = self.pos
        match = _WHOLE_STRING.match(self.buffer, start)
        if match is not None:
            end: int | None = match.end()
        else:
            end, dropped = self._string_end(start + 1, start, self.limits.input)
            start = -1 if dropped > start else start - dropped  # (-1: it could not be kept)
        if start < 0 or (end is not None and end - start > self.limits.input):
            message = over_limit("a key of the HAR file", "input", self.limits, "not read")
            raise _Malformed(f"{message}; the rest of the file is not read", rule="limit")
        if end is None:
            self.pos = start
            raise _Malformed(
                "not a readable HAR file: the file ends early (is it truncated?), "
                f"inside the key that starts {self._at(start)}"
            )
        self.pos = end
        try:  # as json.loads reads a key: escapes, and no control characters
            key = _json_loads(bytes(self.buffer[start:end]))
        except ValueError as error:
            reason = _reason(error, bytes(self.buffer[start:end]), self.offset + start)
            raise _Malformed(
                f"not a readable HAR file: a key is not valid JSON: {reason}"
            ) from None
        return str(key)

    def _log(self) -> Iterator[Record]:
        first = True
        while (key := self._key(first)) is not None:
            first = False
            if key != "entries":
                yield from self._value(f"the value of {_shown(key)} in 'log'", _CLOSE_BRACE)
            elif self.entries_read:
                yield self._second("'log.entries'", _CLOSE_BRACE)
            elif self._peek() == _OPEN_BRACKET:
                self.pos += 1
                yield from self._entries()
                self.entries_read = True
            else:  # not a list (a later 'entries' may be one: json.loads kept the last)
                yield from self._value("'log.entries'", _CLOSE_BRACE)

    def _second(self, name: str, closer: int) -> Record:
        """The record of a second ``log`` or ``log.entries``, skipped without holding it."""
        where = self._at(self.pos)
        if self._cut(closer, -1)[2] == _END:
            raise self._malformed("")
        message = (
            f"the HAR file has a second {name} ({where}), which is not read: a HAR file has one, "
            "and the first is read"
        )
        return failed(self.source, message)

    def _value(self, name: str, closer: int) -> Iterator[Record]:
        """Read the value at ``pos`` (not an entry), to check that it is JSON: one that is not
        is a finding, and reading goes on after it (as after a malformed entry)."""
        data, started_at, end = self._cut(closer, self.limits.input)
        if end == _END and closer != _NO_CLOSER:
            raise self._malformed("")
        if data is None:
            yield limited(self.source, over_limit(name, "input", self.limits, "not read"))
            return
        if len(data) >= self.limits.nodes and _json_values(data) > self.limits.nodes:
            yield limited(self.source, over_limit(name, "nodes", self.limits, "not read"))
            return
        try:
            _decoded(data)
        except (ValueError, RecursionError) as error:
            reason = _reason(error, data, started_at)
            message = f"not a readable HAR file: {name} is not valid JSON: {reason}"
            if closer == _NO_CLOSER:  # the whole document: nothing more to say
                raise _Malformed(message) from None
            yield failed(self.source, message)

    # ----------------------------------------------------------------------- the entries

    def _entries(self) -> Iterator[Record]:
        index = 0
        if self._peek() == _CLOSE_BRACKET:
            self.pos += 1
            return
        entry = self._entry
        while True:
            if self._peek() == _END:
                raise _Malformed(
                    f"not a readable HAR file: the file ends early (is it truncated?) "
                    f"{self._at(self.pos)}, inside 'log.entries' after {index} entries"
                )
            if self.pos >= self.slow_until and len(self.buffer) - self.pos >= _BULK_BYTES:
                cut = self._bulk()
                if cut is not None:
                    raws, start = cut
                    for number, raw in enumerate(raws):
                        yield entry(raw, index + number, None, (raws, number, start))
                    index += len(raws)
                    del cut, raws  # (their stretch is not held while the next is cut)
                    continue
            self.entry_index = index
            data, started_at, end = self._cut(_CLOSE_BRACKET, self.limits.input)
            if end == _END:
                yield from self._last_entry(data, index, started_at)
                return
            self.entry_index = None
            yield entry(data, index, started_at)
            index += 1
            self.pos += 1
            if end == _CLOSE_BRACKET:
                return
            if self.separator is None:
                self._learn_separator()

    def _last_entry(self, data: bytes | None, index: int, started_at: int) -> Iterator[Record]:
        """The entry the file ends inside: read if it is whole; either way the file ends early."""
        if data:
            try:
                _decoded(data)
            except (ValueError, RecursionError):
                pass
            else:
                yield self._entry(data, index, started_at)
                raise _Malformed(
                    "not a readable HAR file: the file ends early (is it truncated?) "
                    f"{self._at(self.pos)}, inside 'log.entries' after {index + 1} entries"
                )
        message = (
            "the HAR file ends inside this entry (is it truncated?): the entry starts at byte "
            f"{started_at}, the file ends at byte {self.offset + self.pos}"
        )
        raise _Malformed(message, index)

    def _learn_separator(self) -> None:
        """Remember what is between the entry just cut and the next (``pos`` is past the comma):
        the bulk cut searches for it first."""
        comma = self.pos - 1
        since = max(comma - _SEPARATOR_BYTES, 0)  # (a separator is short: no long copy)
        before = since + len(self.buffer[since:comma].rstrip())
        after = _WHITESPACE_RUN.match(self.buffer, self.pos, self.pos + _SEPARATOR_BYTES)
        following = after.end() if after is not None else self.pos  # it always matches
        if before > since and following < len(self.buffer):
            separator = bytes(self.buffer[before - 1 : following + 1])
            if separator[:1] in (b"}", b"]") and separator[-1:] in (b"{", b"["):
                self.separator = separator

    def _bulk(self) -> tuple[list[msgspec.Raw], int] | None:
        """Cut the entries from ``pos`` to a top-level comma late in the buffer, in C.

        Returns their raw values and where the first is in the buffer (``pos`` is then past the
        comma); or None: nothing cut (no comma found ends an entry, or a value msgspec refuses
        comes first, which the scanner then cuts).
        """
        buffer, start = self.buffer, self.pos
        tries = 0
        before = len(buffer)  # commas from here on were tried
        if self.separator is not None:
            end = buffer.rfind(self.separator, start)
            if end > start:
                tries += 1
                cut = self._decode_stretch(buffer.index(b",", end))
                if cut is not None or self.slow_until > start:
                    return cut
        window = _CUT_WINDOW
        while tries < _CUT_TRIES and before > start:
            since = max(start, before - window)
            ends = [match.start() for match in _CUT.finditer(buffer, since, before)]
            if not ends:
                if since == start:
                    break
                window *= 4
                continue
            for end in reversed(ends[-(_CUT_TRIES - tries) :]):
                tries += 1
                cut = self._decode_stretch(buffer.index(b",", end))
                if cut is not None or self.slow_until > start:
                    return cut
                before = end  # the comma was inside a value: try an earlier one
        self.slow_until = len(buffer)
        return None

    def _decode_stretch(self, comma: int) -> tuple[list[msgspec.Raw], int] | None:
        """The entries from ``pos`` to ``comma`` if they are a run of whole values (``pos`` then
        past the comma), else None; ``slow_until`` then says how far the scanner goes alone
        (past a value msgspec refuses, or the whole buffer when it cannot say)."""
        start = self.pos
        decode, refused = _raw_decoder()
        try:
            raws = decode(b"".join((b"[", memoryview(self.buffer)[start:comma], b"]")))
        except refused as error:
            found = _FAILED_AT.search(str(error))
            if found is not None and int(found.group(1)) - 1 < comma - start:
                self.slow_until = start + int(found.group(1))  # a refused value before it
            return None  # (else the comma was inside a value)
        except RecursionError:  # nested too deep for msgspec: the scanner has no such limit
            self.slow_until = len(self.buffer)
            return None
        self.pos = comma + 1
        return raws, start

    def _bulk_start(self, raws: list[msgspec.Raw], number: int, start: int) -> int:
        """Where in the file the ``number``th of ``raws`` starts (the first at ``start`` in the
        buffer, which still holds them all)."""
        position = start
        for raw in raws[:number]:
            gap = _GAP.match(self.buffer, position + len(raw))
            position = gap.end() if gap is not None else position + len(raw) + 1
        return self.offset + position

    # ----------------------------------------------------------------------- one entry

    def _entry(
        self,
        data: bytes | msgspec.Raw | None,
        index: int,
        started_at: int | None,
        bulk: tuple[list[msgspec.Raw], int, int] | None = None,
    ) -> Record:
        """The record of the entry ``data`` (None: over the input limit), ``index`` in the list.
        It starts at byte ``started_at`` of the file, or is the ``bulk`` entry (raw values, which
        of them, where they start in the buffer) that ``_bulk_start`` finds."""
        source, limits = self.source, self.limits
        if data is None or len(data) > limits.input:  # (a bulk cut is not cut within the limit)
            message = over_limit("the HAR entry", "input", limits, "not read")
            return limited(source, message, index=index)
        if len(data) >= limits.nodes and _json_values(bytes(data)) > limits.nodes:
            message = over_limit("the HAR entry", "nodes", limits, "not read")
            return limited(source, message, index=index)
        try:
            entry = _decoded(data)
        except (ValueError, RecursionError) as error:
            if started_at is None and bulk is not None:
                started_at = self._bulk_start(*bulk)
            reason = _reason(error, bytes(data), started_at or 0)
            return failed(source, f"entry is not valid JSON: {reason}", index=index)
        try:
            record = _har_record(source, entry, index, limits, self.folder)
        except Exception as error:  # an odd shape is a finding on this entry only
            record = failed(source, f"entry could not be read: {error!r}", index=index)
        # The entry's text first: most hold nothing a credential needs, and are not walked.
        if isinstance(entry, dict) and har_entry_may_hold(bytes(data)):
            record = with_secrets(record, har_secrets, entry, record.data, limits)
        return record


# --------------------------------------------------------------------------- decoding


@cache
def _raw_decoder() -> tuple[Callable[[bytes], list[msgspec.Raw]], type[Exception]]:
    """msgspec's decoder of an array into its raw values, and its error."""
    import msgspec  # noqa: PLC0415 - imported when a HAR file is first read

    return msgspec.json.Decoder(list[msgspec.Raw]).decode, msgspec.DecodeError


@cache
def _value_decoder() -> tuple[Callable[[Any], Any], type[Exception]]:
    import msgspec  # noqa: PLC0415 - see above

    return msgspec.json.Decoder().decode, msgspec.DecodeError


def _decoded(data: bytes | msgspec.Raw) -> Any:
    """``data`` decoded as json.loads decodes it (ValueError or RecursionError when it cannot)."""
    decode, refused = _value_decoder()
    try:
        return decode(data)
    except refused:  # NaN, 1e400, a lone surrogate...: json.loads reads them, or says why not
        return _json_loads(bytes(data))
    except RecursionError:
        return _json_loads(bytes(data))


def _json_loads(data: bytes) -> Any:
    # The text as json.loads decoded the whole UTF-8 file (surrogates in UTF-8 kept).
    return json.loads(data.decode("utf-8", "surrogatepass"))


def _reason(error: BaseException, data: bytes | None = None, started_at: int = 0) -> str:
    """What json.loads says is wrong with ``data`` (which starts at byte ``started_at`` of the
    file), and where in the file."""
    if isinstance(error, RecursionError):
        return "it is nested too deeply to be read"
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 ({error.reason}) at byte {started_at + error.start}"
    if isinstance(error, json.JSONDecodeError) and data is not None:
        # json.loads counts characters of the decoded text: the byte is found from them.
        text = data.decode("utf-8", "surrogatepass")
        at = started_at + len(text[: error.pos].encode("utf-8", "surrogatepass"))
        return f"{error.msg.removesuffix(' at')} at byte {at}"
    if isinstance(error, json.JSONDecodeError):
        return error.msg
    return str(error)


def _shown(key: str) -> str:
    """A key as a message shows it (quoted, escaped, cut when long)."""
    shown = ascii(key[:80])
    return shown if len(key) <= 80 else shown[:-1] + "...'"


# A JSON string, or what is left of an unterminated one: always matches at a quote (no retry per
# quote, no quadratic scan on a hostile value).
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)


def _json_values(data: bytes) -> int:
    """About how many values a JSON text has (its separators and containers, strings aside): at
    most one more than its length, so only a text at least as long as a limit is counted."""
    skeleton = _JSON_STRING.sub(b"", data)
    return skeleton.count(b",") + skeleton.count(b"[") + skeleton.count(b"{") + 1


# --------------------------------------------------------------------------- one entry


def _har_header(headers: object, name: str) -> str:
    if not isinstance(headers, list):
        return ""
    values = [
        header.get("value")
        for header in headers
        if isinstance(header, dict)
        and isinstance(header.get("name"), str)
        and header["name"].lower() == name
    ]
    return ",".join(value for value in values if isinstance(value, str))


def _attached_body(folder: Path | None, name: str, limits: Limits) -> bytes | Problem | str:
    """The body Playwright attached as the file ``name`` beside the HAR file, or (a string) why it
    cannot be read. Only a plain file name in ``folder`` is read: a HAR file cannot make voxkit
    read a file elsewhere (``../``, an absolute path), nor block on a FIFO."""
    if folder is None:
        return f"is in the file {name!r} beside the HAR file, which is not on disk here"
    if not name or name in (".", "..") or any(char in name for char in "/\\\0") or ":" in name:
        return f"names the file {name!r}, which is not a plain file name; not read"
    path = folder / name
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        return (
            f"is in the file {name!r} beside the HAR file, which cannot be read: {error.strerror}"
        )
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return f"is in {name!r} beside the HAR file, which is not a regular file; not read"
        os.set_blocking(descriptor, True)
        body = stream.read(limits.record + 1)
    if len(body) > limits.record:
        return body_size_problem(limits)
    return body


def _not_captured(source: str, index: int, message: str) -> Record:
    finding = Finding("not-captured", "warning", "", message)
    return Record(source, None, index, None, None, (finding,))


def _har_record(
    source: str, entry: object, index: int, limits: Limits, folder: Path | None
) -> Record:
    request = entry.get("request") if isinstance(entry, dict) else None
    response = entry.get("response") if isinstance(entry, dict) else None
    if not isinstance(request, dict) or not isinstance(response, dict):
        return failed(source, "entry has no 'request' and 'response' objects", index=index)
    method, url, status = request.get("method"), request.get("url"), response.get("status")
    if not isinstance(method, str) or not isinstance(url, str) or type(status) is not int:
        message = "entry lacks the request method, url or response status"
        return failed(source, message, index=index)
    if status == 0:
        message = f"{method} {url} got no response (status 0); nothing to validate"
        return _not_captured(source, index, message)
    schema = response_schema(method, url, status)
    if isinstance(schema, Finding):
        return Record(source, None, index, None, None, (schema,))
    content = response.get("content")
    text = content.get("text") if isinstance(content, dict) else None
    attached = content.get("_file") if isinstance(content, dict) else None
    body: bytes | Problem
    if not isinstance(text, str) and isinstance(attached, str):
        # Playwright's record_har_content="attach": the body is a file beside the HAR file.
        found = _attached_body(folder, attached, limits)
        if isinstance(found, str):
            return _not_captured(source, index, f"the body of the {status} response {found}")
        body = found
    elif not isinstance(text, str):
        message = f"the body of the {status} response was not captured; not validated"
        return _not_captured(source, index, message)
    elif isinstance(content, dict) and content.get("encoding") == "base64":
        if len(text) // 4 * 3 > limits.record + 3:  # base64: 3 bytes per 4 characters
            body = body_size_problem(limits)
        else:
            try:
                body = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError) as error:
                message = f"response body is not valid base64: {error}"
                return failed(source, message, index=index)
            if len(body) > limits.record:
                body = body_size_problem(limits)
    else:
        body = body_bytes(text, limits)
    if not isinstance(body, Problem):
        # HAR bodies are decoded by the format's definition; some tools keep them encoded.
        encoding = _har_header(response.get("headers"), "content-encoding")
        body = decode_content(body, encoding, limits, raw_deflate=False)
    if isinstance(body, Problem):
        return problem_record(source, body, line=None, index=index)
    return Record(source, None, index, body, schema)
