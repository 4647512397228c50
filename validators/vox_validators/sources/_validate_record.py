"""Every finding of one record of a source: what reading found, then what validating finds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from vox_validators._findings import Finding
from vox_validators._validate import validate_json
from vox_validators.sources._record import Record

if TYPE_CHECKING:
    from vox_validators.rules import Rule


def validate_record(
    record: Record, *, strict: bool = False, rules: Iterable[Rule] = ()
) -> list[Finding]:
    """The reader's findings on ``record``, then ``validate_json`` of its data against its schema.

    A record without data (unreadable, undocumented, not captured) or without a schema has only
    the reader's findings. Never raises for a bad record: should the validator itself fail, that
    is one ``internal`` error on this record, and the caller goes on with the next.
    ``strict`` and ``rules`` are those of :func:`vox_validators.validate_json`.
    """
    data, schema, read = record.data, record.schema, record.findings
    if data is None or schema is None:
        return list(read)
    try:
        if rules:
            found = validate_json(data, schema, strict=strict, rules=rules)
        else:  # the plain call: the common case, and the hot loop of the command line
            found = validate_json(data, schema, strict=strict)
    except Exception as error:  # a validator bug must not lose the other records
        message = f"the validator failed on this record: {error!r}"
        found = [Finding("internal", "error", "", message)]
    return [*read, *found] if read else found  # validate_json's list is the caller's own
