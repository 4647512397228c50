"""Validating batches of records, in this process or in a pool of worker processes.

A batch is validated and rendered by :func:`run_batch` (a plain picklable function). With
``jobs > 1`` batches go to a process pool (:class:`~concurrent.futures.ProcessPoolExecutor`, so a
worker that dies is an error rather than a hang); at most three batches per worker are in flight
(memory stays flat when reading is faster than validating), lines of a regular file are read by
the worker itself rather than piped, and results are written in submission order, so the output is
the same whatever the number of jobs.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace

from vox_validators import Finding, validate_json
from vox_validators.sources._record import Batch, LinesBatch, RecordsBatch, parse_finding
from voxkit.report import Settings, Tally, clean_renderer, renderer


@dataclass(frozen=True, slots=True)
class BatchResult:
    source: str
    rendered: str
    tally: Tally


def _lines_data(batch: LinesBatch) -> bytes | None:
    if not batch.data and batch.origin is not None:
        return _read_slice(*batch.origin)
    return batch.data


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


def _validate(data: bytes, schema: str, strict: bool) -> list[Finding]:
    try:
        return validate_json(data, schema, strict=strict)
    except Exception as error:  # a validator bug must not lose the other records
        message = f"the validator failed on this record: {error!r}"
        return [Finding("internal", "error", "", message)]


class _BatchOutput:
    """Counts and renders the records of one batch, in order."""

    def __init__(self, source: str, settings: Settings) -> None:
        self.source = source
        self.render = renderer(settings)
        self.render_clean = clean_renderer(settings, source)
        self.fail_on_warning = settings.fail_on == "warning"
        self.tally = Tally()
        self.parts: list[str] = []

    def clean(self, line: int | None, index: int | None) -> None:
        self.tally.records += 1
        self.tally.valid += 1
        if self.render_clean is not None:
            self.parts.append(self.render_clean(line, index))

    def add(self, line: int | None, index: int | None, findings: list[Finding]) -> None:
        if not findings:
            self.clean(line, index)
            return
        errors = sum(1 for finding in findings if finding.severity == "error")
        warnings = len(findings) - errors
        valid = errors == 0
        failing = not valid or (self.fail_on_warning and warnings > 0)
        tally = self.tally
        tally.records += 1
        tally.valid += valid
        tally.invalid += not valid
        tally.errors += errors
        tally.warnings += warnings
        tally.failing += failing
        rendered = self.render(self.source, line, index, findings, failing)
        if rendered:
            self.parts.append(rendered)

    def result(self) -> BatchResult:
        return BatchResult(self.source, "".join(self.parts), self.tally)


def run_batch(batch: Batch, settings: Settings) -> BatchResult:
    """Validate and render every record of ``batch``."""
    output = _BatchOutput(batch.source, settings)
    strict = settings.strict
    if isinstance(batch, RecordsBatch):
        for record in batch.records:
            findings = list(record.findings)
            if record.data is not None:
                findings += _validate(record.data, record.schema, strict)
            output.add(record.line, record.index, findings)
        return output.result()
    data = _lines_data(batch)
    if data is None:
        message = "the file changed while it was being read; these lines were not validated"
        output.add(batch.first_line, None, [parse_finding(message)])
        return output.result()
    schema, line = batch.schema, batch.first_line
    add, clean = output.add, output.clean
    for raw in data.split(b"\n"):  # the hot loop: one JSON Lines record per line
        if raw and not raw.isspace():
            findings = _validate(raw, schema, strict)
            if findings:
                add(line, None, findings)
            else:
                clean(line, None)
        line += 1
    return output.result()


def _ignore_interrupts() -> None:
    """Ctrl-C is the main process's business: workers must not print tracebacks of their own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class WorkerDied(Exception):
    """A worker process ended abruptly (killed, out of memory); its records are unaccounted for."""


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
    context = multiprocessing.get_context()
    try:
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_ignore_interrupts
        ) as pool:
            pending: deque[Future[BatchResult]] = deque()
            for batch in batches:
                pending.append(pool.submit(run_batch, _shipped(batch), settings))
                while len(pending) >= in_flight_limit or (pending and pending[0].done()):
                    consume(pending.popleft().result())
            while pending:
                consume(pending.popleft().result())
    except BrokenProcessPool as error:
        raise WorkerDied(str(error)) from error
