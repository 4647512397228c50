"""What the readers hand to the validator: records, grouped in batches of one source."""

from __future__ import annotations

from dataclasses import dataclass

from vox_validators import Finding

#: A record larger than this is reported (rule ``parse``) instead of being held in memory.
MAX_RECORD_BYTES = 64 * 1024 * 1024
#: Readers cut their output into batches of about this many bytes of input.
BATCH_BYTES = 1024 * 1024
#: ... or this many records, whichever comes first.
BATCH_RECORDS = 2000

STDIN_NAME = "<stdin>"


@dataclass(frozen=True, slots=True)
class Record:
    """One record of a source: its location, its encoded JSON document, and what reading found.

    ``data`` is None when there is nothing to validate (the reader's findings say why).
    """

    line: int | None
    index: int | None
    data: bytes | None
    schema: str
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordsBatch:
    """Consecutive records of one source."""

    source: str
    records: tuple[Record, ...]


@dataclass(frozen=True, slots=True)
class LinesBatch:
    """Consecutive whole lines of a JSON Lines source, split by the worker (cheap for the reader).

    Every non-blank line is a record of ``schema``; ``first_line`` is the 1-based number of the first.
    ``origin`` (path, offset, length) says where the lines lie in a regular file, when they do:
    a batch sent to a worker process then leaves ``data`` empty and the worker reads the file.
    """

    source: str
    first_line: int
    data: bytes
    schema: str
    origin: tuple[str, int, int] | None = None


Batch = RecordsBatch | LinesBatch


def parse_finding(message: str) -> Finding:
    return Finding(rule="parse", severity="error", path="", message=message)
