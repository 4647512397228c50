"""What the readers yield: records, and the one way to build a record that could not be read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vox_validators._findings import Finding
from vox_validators.sources._limits import DEFAULT_LIMITS

#: A record larger than this is reported (rule ``limit``) instead of being held in memory: the
#: default of ``Limits.record``.
MAX_RECORD_BYTES = DEFAULT_LIMITS.record

STDIN_NAME = "<stdin>"
BYTES_NAME = "<bytes>"


@dataclass(frozen=True, slots=True, init=False)
class Record:
    """One record of a source: where it is, its encoded JSON document, and what reading found.

    ``source`` names the input (a path, ``<stdin>``, ``<bytes>``); ``line`` is the 1-based line
    where the record starts and ``index`` its 0-based position in its container (array element,
    cassette interaction, HAR entry), each None when there is none. ``data`` is the encoded
    document, or None when there is nothing to validate (``findings`` then say why). ``schema`` is
    the component schema ``data`` is to be validated against, None when no documented one applies.
    ``findings`` are the reader's own (rules ``parse``, ``limit``, ``undocumented``,
    ``not-captured``, ``secret``, ``internal``).
    """

    source: str
    line: int | None
    index: int | None
    data: bytes | None
    schema: str | None
    findings: tuple[Finding, ...] = ()

    def __init__(  # noqa: PLR0917 - the fields in order, as a dataclass takes them
        self,
        source: str,
        line: int | None,
        index: int | None,
        data: bytes | None,
        schema: str | None,
        findings: tuple[Finding, ...] = (),
    ) -> None:
        # Records are made by the million: the __init__ a frozen dataclass generates calls
        # object.__setattr__ per field, setting the slots directly is about twice as fast.
        _set_source(self, source)
        _set_line(self, line)
        _set_index(self, index)
        _set_data(self, data)
        _set_schema(self, schema)
        _set_findings(self, findings)

    def __reduce__(self) -> tuple[Any, ...]:
        # Records cross to worker processes by the thousand: a plain constructor call pickles
        # several times faster than the default state dictionary of a slotted class.
        return (
            Record,
            (self.source, self.line, self.index, self.data, self.schema, self.findings),
        )


_set_source, _set_line, _set_index, _set_data, _set_schema, _set_findings = (
    vars(Record)[name].__set__ for name in ("source", "line", "index", "data", "schema", "findings")
)


def failed(
    source: str,
    message: str,
    *,
    line: int | None = None,
    index: int | None = None,
    data: bytes | None = None,
    schema: str | None = None,
) -> Record:
    """A record with one ``parse`` error: what a reader yields for whatever it cannot read.

    ``data`` is kept when there is a part worth validating (the partial last line of a truncated
    input: the JSON parser then says where it breaks).
    """
    return Record(source, line, index, data, schema, (Finding("parse", "error", "", message),))


def limited(
    source: str,
    message: str,
    *,
    line: int | None = None,
    index: int | None = None,
    schema: str | None = None,
) -> Record:
    """A record with one ``limit`` error: what is over one of the readers' limits (``message``
    from :func:`vox_validators.sources._limits.over_limit`), not held and not validated."""
    return Record(source, line, index, None, schema, (Finding("limit", "error", "", message),))
