"""Readers of captured payloads and recorded traffic: JSON, JSON Lines, cassettes, HAR, gzip.

Public API (``voxkit validate`` is built on it)::

    from vox_validators import validate_record
    from vox_validators.sources import iter_records

    for record in iter_records("session.har"):  # a path, a directory, bytes, a binary file
        findings = validate_record(record)

- ``iter_records(source, *, format=None, schema="Campaign", name=None, limits=None)``: the
  :class:`Record`\\ s of a source, streamed; ``format`` is one of :data:`FORMATS` (by default the
  extension, then the content, says it; gzip is always recognised). What cannot be read is a
  record with a ``parse`` finding, never an exception; what is over one of the ``limits`` is a
  record with a ``limit`` finding.
- ``Limits(record=64 MiB, input=256 MiB, nodes=1,000,000)``: what a reader holds at most: one
  record (a line, an element, a document, a response body once decoded); a HAR entry or cassette
  interaction, decompressed (or a cassette read whole); the values of one (YAML aliases expanded).
- ``Record``: ``source``, ``line``, ``index``, ``data`` (the encoded body, or None), ``schema``
  (what ``data`` is validated against: from the documented operation and status for recorded
  traffic; None for an undocumented one), ``findings`` (the reader's: ``parse``, ``limit``,
  ``undocumented``, ``not-captured``, ``secret``). Frozen and picklable.
- ``discover(paths)``: the files a list of command-line paths names (``-`` is stdin), directories
  walked in sorted order, with the errors and notes ``voxkit validate`` prints (entries that are
  not regular files, such as FIFOs, are skipped with a note: reading them could block).
- ``MAX_RECORD_BYTES``: the default of ``Limits.record``.
"""

from __future__ import annotations

from vox_validators.sources._discovery import Discovery, InputFile, discover, is_recognised
from vox_validators.sources._limits import Limits
from vox_validators.sources._read import FORMATS, Format, iter_records
from vox_validators.sources._record import MAX_RECORD_BYTES, STDIN_NAME, Record

__all__ = [
    "FORMATS",
    "MAX_RECORD_BYTES",
    "STDIN_NAME",
    "Discovery",
    "Format",
    "InputFile",
    "Limits",
    "Record",
    "discover",
    "is_recognised",
    "iter_records",
]
