"""Validating batches of records, in this process or in a pool of worker processes.

A batch (consecutive records of one source, as :func:`vox_validators.sources.iter_records` yields
them) is validated with :func:`vox_validators.validate_record` and rendered by :func:`run_batch`, a
plain picklable function. With ``jobs > 1`` batches go to a process pool
(:class:`~concurrent.futures.ProcessPoolExecutor`, so a worker that dies is an error rather than a
hang); at most three batches per worker are in flight (memory stays flat when reading is faster
than validating), and results are handed on in submission order, so the output is the same
whatever the number of jobs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby, islice, repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from vox_validators import Finding, Rule, validate_record
from vox_validators.rules import load_rules
from vox_validators.sources import Record
from voxkit.engine._spans import Span, close_descriptor, records_or_spans
from voxkit.report import Settings, Tally, clean_renderer, renderer

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = [
    "BATCH_BYTES",
    "BATCH_RECORDS",
    "Batch",
    "BatchResult",
    "Span",
    "Work",
    "WorkerDied",
    "batches",
    "records_or_spans",
    "run",
    "run_batch",
    "run_records",
    "run_serially",
]

#: A batch is cut after about this many bytes of record data...
BATCH_BYTES = 1024 * 1024
#: ... or this many records, whichever comes first.
BATCH_RECORDS = 2000


@dataclass(frozen=True, slots=True)
class Batch:
    """Consecutive records of one source (a batch never spans two sources: junit needs that)."""

    source: str
    records: tuple[Record, ...]

    def __reduce__(self) -> tuple[Any, ...]:
        # To a worker as columns: about half the cost of pickling the records one by one, paid
        # by the main process, which also reads every input.
        records = self.records
        columns = tuple(tuple(map(column, records)) for column in _COLUMNS)
        return (_batch_of_columns, (self.source, columns))


_COLUMNS = tuple(attrgetter(name) for name in ("line", "index", "data", "schema", "findings"))


def _batch_of_columns(source: str, columns: tuple[tuple[Any, ...], ...]) -> Batch:
    return Batch(source, tuple(map(Record, repeat(source), *columns)))


@dataclass(frozen=True, slots=True)
class BatchResult:
    source: str
    rendered: str
    tally: Tally


#: What a worker is given: records read here, or a span of a file it reads itself.
Work = Batch | Span


def batches(records: Iterable[Record | Span]) -> Iterator[Work]:
    """``records`` in batches of about :data:`BATCH_BYTES` or :data:`BATCH_RECORDS`, by source
    (a :class:`Span`, from :func:`records_or_spans`, is a batch already)."""
    pending: list[Record] = []
    size = 0
    source = ""
    for record in records:
        if pending and record.source != source:
            yield Batch(source, tuple(pending))
            pending, size = [], 0
        source = record.source
        data = record.data
        if data is not None:
            size += len(data)
        elif isinstance(record, Span):  # no data of its own: the only type test on the hot path
            if pending:
                yield Batch(source, tuple(pending))
                pending, size = [], 0
            yield record
            continue
        pending.append(record)  # type: ignore[arg-type]  # a record: a span went on above
        if size >= BATCH_BYTES or len(pending) >= BATCH_RECORDS:
            yield Batch(source, tuple(pending))
            pending, size = [], 0
    if pending:
        yield Batch(source, tuple(pending))


class _BatchOutput:
    """Counts and renders the records of one batch, in order."""

    def __init__(self, source: str, settings: Settings) -> None:
        self.source = source
        self.render = renderer(settings)
        self.render_clean = clean_renderer(settings, source)
        self.fail_on_warning = settings.fail_on == "warning"
        self.tally = Tally()
        self.parts: list[str] = []

    def add(self, line: int | None, index: int | None, findings: list[Finding]) -> None:
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


# The extra rules of this worker process (set by _start_worker); the main process passes its own.
_worker_rules: tuple[Rule, ...] = ()
# A rule as sent to a worker: its id, and the pickled rule when it pickles.
_Shipped = tuple[str, bytes | None]


def run_batch(batch: Work, settings: Settings, rules: Sequence[Rule] | None = None) -> BatchResult:
    """Validate and render every record of ``batch`` (``rules``: by default this worker's)."""
    if isinstance(batch, Span):  # read here, in the worker; lines shifted as they are rendered
        records, shift = batch.read()
    else:
        records, shift = batch.records, 0
    return run_records(
        batch.source, records, shift, settings, _worker_rules if rules is None else rules
    )


def run_records(
    source: str,
    records: Iterable[Record],
    shift: int,
    settings: Settings,
    rules: Sequence[Rule],
) -> BatchResult:
    """Validate and render ``records`` of ``source`` (their line numbers plus ``shift``)."""
    output = _BatchOutput(source, settings)
    strict = settings.strict
    add = output.add
    append = output.parts.append
    render_clean = output.render_clean
    clean = 0  # records without findings: counted here, added to the tally once
    for record in records:  # the hot loop: one validation and at most one line per record
        findings = validate_record(record, strict=strict, rules=rules)
        line = record.line
        if shift and line is not None:
            line += shift
        if findings:
            add(line, record.index, findings)
        else:
            clean += 1
            if render_clean is not None:
                append(render_clean(line, record.index))
    output.tally.records += clean
    output.tally.valid += clean
    return output.result()


def run_serially(
    records: Iterable[Record],
    settings: Settings,
    consume: Callable[[BatchResult], None],
    *,
    rules: tuple[Rule, ...] = (),
) -> None:
    """``run`` with one job, without batches: each record is validated and rendered as it is
    read, and ``consume`` gets a result per run of up to :data:`BATCH_RECORDS` records of one
    source. The same results, in the same order, as ``run(batches(records), settings, 1, ...)``
    but for where they are cut; no record is held after it is rendered."""
    for source, of_source in groupby(records, key=_source_of):
        while True:  # one iterator sliced again and again: each slice takes the next records
            chunk = islice(of_source, BATCH_RECORDS)  # noqa: B031 - see above
            result = run_records(source, chunk, 0, settings, rules)
            if not result.tally.records:  # the source's records are done
                break
            consume(result)


_source_of = attrgetter("source")


def _shipped(rules: Sequence[Rule], rule_specs: tuple[str, ...]) -> tuple[_Shipped, ...]:
    """Each rule's id and, when it pickles, the rule itself (a worker unpickles it only when no
    ``--rules`` spec defines that id: a rule from a user's file need not be importable there)."""
    import pickle  # noqa: PLC0415 - only a pool needs it: one process starts without it

    shipped = []
    for rule in rules:
        try:
            payload: bytes | None = pickle.dumps(rule)
        except Exception as error:  # a lambda, a closure: only a spec can bring it to a worker
            if not rule_specs:
                raise ValueError(
                    f"rule {rule.id} cannot be sent to worker processes: {error}"
                ) from error
            payload = None
        shipped.append((rule.id, payload))
    return tuple(shipped)


def _start_worker(rule_specs: tuple[str, ...], shipped: tuple[_Shipped, ...]) -> None:
    import pickle  # noqa: PLC0415 - see _shipped
    import signal  # noqa: PLC0415

    # Ctrl-C is the main process's business: workers must not print tracebacks of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not shipped:
        return
    reloaded = {rule.id: rule for spec in rule_specs for rule in load_rules(spec)}
    rules = []
    for rule_id, payload in shipped:
        if rule_id in reloaded:
            rules.append(reloaded[rule_id])
        elif payload is not None:
            rules.append(pickle.loads(payload))
        else:
            raise RuntimeError(f"rule {rule_id} is in none of the --rules {rule_specs}")
    global _worker_rules  # noqa: PLW0603 - one per worker process, set once at its start
    _worker_rules = tuple(rules)


def __getattr__(name: str) -> Any:
    # ``local.multiprocessing`` still names the module the pool takes its context from (imported
    # on first use, as in run), for whoever patches it.
    if name == "multiprocessing":
        import multiprocessing  # noqa: PLC0415

        return multiprocessing
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class WorkerDied(Exception):
    """A worker process ended abruptly (killed, out of memory): ``lost`` records, read from
    ``sources`` and sent to workers, were never validated (the summary cannot count them)."""

    def __init__(self, message: str, *, lost: int = 0, sources: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.lost = lost
        self.sources = sources


def run(
    batches: Iterable[Work],
    settings: Settings,
    jobs: int,
    consume: Callable[[BatchResult], None],
    *,
    rules: tuple[Rule, ...] = (),
    rule_specs: tuple[str, ...] = (),
) -> None:
    """Validate every batch, handing each result to ``consume`` in input order.

    ``rules`` are the extra rules, run after the built-in ones on every record. ``rule_specs``
    are the ``--rules`` specs (paths or module names) some of them were loaded from: each worker
    process re-loads those with :func:`vox_validators.rules.load_rules` and uses, for every rule of
    ``rules``, the re-loaded rule of the same id, or else the rule itself, pickled (an entry-point
    rule, in an importable module). :class:`ValueError` when a rule neither pickles nor can come
    from a spec.
    """
    held = _Held()
    try:
        if jobs <= 1:
            for batch in batches:
                held.submitted(batch)
                consume(run_batch(batch, settings, rules))
                held.done(batch)
            return
        _run_pool(batches, settings, jobs, consume, rules, rule_specs, held)
    finally:
        held.close_all()


class _Held:
    """The descriptors spans are read through, each closed once the spans of its file are done
    (its file is complete when a span of another file comes, or at the end of the run)."""

    def __init__(self) -> None:
        self.outstanding: dict[int, int] = {}
        self.latest: int | None = None

    def submitted(self, work: Work) -> None:
        if isinstance(work, Span):
            descriptor = work.descriptor
            if descriptor != self.latest:
                previous, self.latest = self.latest, descriptor
                self._close_if_done(previous)
            self.outstanding[descriptor] = self.outstanding.get(descriptor, 0) + 1

    def done(self, work: Work) -> None:
        if isinstance(work, Span):
            self.outstanding[work.descriptor] -= 1
            self._close_if_done(work.descriptor)

    def _close_if_done(self, descriptor: int | None) -> None:
        if descriptor is None or descriptor == self.latest:
            return
        if self.outstanding.get(descriptor) == 0:
            del self.outstanding[descriptor]
            close_descriptor(descriptor)

    def close_all(self) -> None:
        for descriptor in self.outstanding:
            close_descriptor(descriptor)
        self.outstanding.clear()


def _run_pool(  # noqa: PLR0917 - run's, passed on
    batches: Iterable[Work],
    settings: Settings,
    jobs: int,
    consume: Callable[[BatchResult], None],
    rules: tuple[Rule, ...],
    rule_specs: tuple[str, ...],
    held: _Held,
) -> None:
    # Imported for a pool only: `voxkit validate one.json` starts faster without them.
    import multiprocessing  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415
    from concurrent.futures.process import BrokenProcessPool  # noqa: PLC0415

    in_flight_limit = 3 * jobs
    context = multiprocessing.get_context()
    # Each batch in flight with what it holds: when a worker dies, what was lost is counted.
    pending: deque[tuple[Future[BatchResult], Work]] = deque()
    try:
        with ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=context,
            initializer=_start_worker,
            initargs=(rule_specs, _shipped(rules, rule_specs)),
        ) as pool:
            for batch in batches:
                held.submitted(batch)
                pending.append((pool.submit(run_batch, batch, settings), batch))
                while len(pending) >= in_flight_limit or (pending and pending[0][0].done()):
                    consume(pending[0][0].result())
                    held.done(pending.popleft()[1])
            while pending:
                consume(pending[0][0].result())
                held.done(pending.popleft()[1])
    except BrokenProcessPool as error:
        # A span's records are read here to be counted (the file is still open).
        lost = sum(len(batch.records) for _, batch in pending)
        sources = tuple(dict.fromkeys(batch.source for _, batch in pending))
        raise WorkerDied(str(error), lost=lost, sources=sources) from error
