"""Validating batches of records, in this process or in a pool of worker processes.

A batch is validated and rendered by :func:`run_batch` (a plain picklable function). With
``jobs > 1`` batches go to a :mod:`multiprocessing` pool; at most a few batches per worker are in
flight (so memory stays flat when reading is faster than validating), and results are written in
submission order, so the output is the same whatever the number of jobs.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from multiprocessing.pool import AsyncResult

from vox_validators import Finding, validate_json
from voxkit._records import Batch, LinesBatch, Record, RecordsBatch, parse_finding
from voxkit._reporters import Settings, Tally, renderer


@dataclass(frozen=True, slots=True)
class BatchResult:
    source: str
    rendered: str
    tally: Tally


def _records(batch: Batch) -> Iterator[Record]:
    if isinstance(batch, RecordsBatch):
        yield from batch.records
        return
    data: bytes | None = batch.data
    if not data and batch.origin is not None:
        data = _read_slice(*batch.origin)
    if data is None:
        message = "the file changed while it was being read; these lines were not validated"
        yield Record(batch.first_line, None, None, batch.schema, (parse_finding(message),))
        return
    line = batch.first_line
    for raw in data.split(b"\n"):
        if raw.strip():
            yield Record(line, None, raw, batch.schema)
        line += 1


def _read_slice(path: str, offset: int, length: int) -> bytes | None:
    try:
        with open(path, "rb") as file:  # noqa: PTH123 - os-level read of one slice
            data = os.pread(file.fileno(), length, offset)
    except OSError:
        return None
    return data if len(data) == length else None


def _shipped(batch: Batch) -> Batch:
    """``batch`` as sent to a worker: lines of a regular file are read there, not piped."""
    if isinstance(batch, LinesBatch) and batch.origin is not None:
        return replace(batch, data=b"")
    return batch


def _validate(record: Record, strict: bool) -> list[Finding]:
    findings = list(record.findings)
    if record.data is not None:
        try:
            findings.extend(validate_json(record.data, record.schema, strict=strict))
        except Exception as error:  # a validator bug must not lose the other records
            message = f"the validator failed on this record: {error!r}"
            findings.append(Finding("internal", "error", "", message))
    return findings


def run_batch(batch: Batch, settings: Settings) -> BatchResult:
    """Validate and render every record of ``batch``."""
    render = renderer(settings)
    tally = Tally()
    parts: list[str] = []
    fail_on_warning = settings.fail_on == "warning"
    for record in _records(batch):
        findings = _validate(record, settings.strict)
        errors = sum(1 for finding in findings if finding.severity == "error")
        warnings = len(findings) - errors
        valid = errors == 0
        failing = not valid or (fail_on_warning and warnings > 0)
        tally.records += 1
        tally.valid += valid
        tally.invalid += not valid
        tally.errors += errors
        tally.warnings += warnings
        tally.failing += failing
        rendered = render(batch.source, record, findings, failing)
        if rendered:
            parts.append(rendered)
    return BatchResult(batch.source, "".join(parts), tally)


def run(
    batches: Iterable[Batch],
    settings: Settings,
    jobs: int,
    consume: Callable[[BatchResult], None],
) -> None:
    """Validate every batch, handing each result to ``consume`` in input order."""
    if jobs <= 1:
        for batch in batches:
            consume(run_batch(batch, settings))
        return
    in_flight_limit = 3 * jobs
    with multiprocessing.get_context().Pool(jobs) as pool:
        pending: deque[AsyncResult[BatchResult]] = deque()
        for batch in batches:
            pending.append(pool.apply_async(run_batch, (_shipped(batch), settings)))
            while len(pending) >= in_flight_limit or (pending and pending[0].ready()):
                consume(pending.popleft().get())
        while pending:
            consume(pending.popleft().get())
