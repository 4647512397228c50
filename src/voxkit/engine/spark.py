"""The Spark engine of ``voxkit validate --engine spark``: the local engine's output, through Spark.

The driver lists the inputs as the local engine does (:func:`vox_validators.sources.discover`;
paths with a URI scheme such as ``s3a://`` go to Spark as they are) and plans the work, one row
per piece, in as many Spark tasks as the cores can keep busy:

- a plain JSON Lines file is cut into byte ranges at newlines (the spans of ``--jobs``), each
  read by the executor that validates it: nothing of the file travels through Spark;
- a gzipped JSON Lines file is read by the executors in shares when the inputs are fewer than
  the cores: each decompresses it (gzip cannot be split) but reads and validates only every n-th
  chunk of whole lines (:func:`_shared_runs`);
- any other file (JSON, cassettes, HAR) is read by one executor, as one stream, with
  :func:`vox_validators.sources.iter_records`; when such files are fewer than the cores, their
  records are spread over the cores first (a shuffle of packed batches);
- standard input and FIFOs are read on the driver, as the local engine reads them.

Executors validate and render each batch with the local engine's
:func:`voxkit.engine.local.run_records`; the driver collects, per batch, its place, its counts
and its rendered text (in local mode, where that text waits in a spool file of the task's, on
the file system the driver shares), and writes the text in input order, so every ``--format``
prints byte for byte what ``--engine local`` prints, and the exit status is the same. With
``--output DIR`` the per-record results are written as Parquet, partitioned by source, and only
the summary is printed.

PySpark is optional (``voxkit[spark]``): this module imports it only inside its functions.
"""

# PySpark and pyarrow are imported inside the functions: the extra is optional.
# ruff: noqa: PLC0415

from __future__ import annotations

import contextlib
import gzip
import heapq
import io
import os
import pickle
import re
import stat
import sys
import tempfile
import uuid
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, cast

from vox_validators import validate_record
from vox_validators.sources import (
    InputFile,
    Limits,
    Record,
    discover,
    is_recognised,
    iter_records,
)
from vox_validators.spark import FINDINGS_TYPE as FINDINGS_DDL
from vox_validators.spark import _arrow_findings_type, _contents, _shipped
from voxkit.engine._spans import may_begin
from voxkit.engine.local import (
    Batch,
    BatchResult,
    Span,
    batches,
    records_or_spans,
    run_records,
)
from voxkit.report import JUnitWriter, Settings, Tally, summary

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    from pyspark.sql import DataFrame, SparkSession

    from vox_validators.rules import Rule
    from vox_validators.sources import Format as InputFormat

__all__ = [
    "MISSING_PYSPARK",
    "SparkRun",
    "pyspark_available",
    "run_spark",
    "spark_session",
]

#: The usage error of ``--engine spark`` without PySpark.
MISSING_PYSPARK = (
    "--engine spark needs PySpark, which is not installed: pip install 'voxkit[spark]'"
)

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_GZIP_MAGIC = b"\x1f\x8b"
#: Tasks planned per core: enough for a slow core's share to be taken by the others.
_TASKS_PER_CORE = 4
#: A gzipped JSON Lines file at least this large (compressed) is read in shares by the cores.
_SHARED_MIN_BYTES = 8 * 1024 * 1024
#: What a share's chunk holds, decompressed: whole lines, about this many bytes.
_SHARE_CHUNK_BYTES = 4 * 1024 * 1024
#: Whole files together at least this large, fewer than the cores, have their records spread.
_SPREAD_MIN_BYTES = 16 * 1024 * 1024
#: How much a shared read decompresses at a time: what the readers read at a time.
_GZIP_READ_BYTES = 1024 * 1024
#: What a share decoding with ISA-L holds back of what it decoded: more than the one read the
#: readers (zlib) lose when a read fails, so a share never yields a line they lose.
_ISAL_HOLDBACK = 2 * _GZIP_READ_BYTES
#: An executor's output batch is cut at this much rendered text (Arrow strings stay far below 2 GiB).
_RESULT_BATCH_BYTES = 16 * 1024 * 1024
#: Spark's logging in a local session this module starts: errors only, on stderr.
_QUIET_LOGGING = Path(__file__).with_name("log4j2.properties")


def pyspark_available() -> bool:
    """Whether PySpark and pyarrow can be imported (the extra ``voxkit[spark]``)."""
    try:
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class SparkRun:
    """What a run found: the counts, and how many inputs could not be read (exit 2)."""

    tally: Tally
    unreadable: int


def spark_session(master: str | None = None) -> SparkSession:
    """The active Spark session, or a new one (``master``: by default spark-submit's or local).

    A session this function starts in local mode runs its Python workers with this interpreter
    (so that they import this voxkit) and keeps Spark's console quiet: stdout is voxkit's.
    """
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    builder = SparkSession.builder.appName("voxkit validate")
    if master is not None:
        builder = builder.master(master)
    effective = master or os.environ.get("MASTER") or _submitted_master() or "local[*]"
    if effective.startswith("local"):
        # PySpark starts its Python workers with $PYSPARK_PYTHON (else ``python3``).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        # Remote files travel whole through the driver's JVM in local mode: leave room for them.
        memory = os.environ.get("VOXKIT_SPARK_MEMORY") or _half_of_memory()
        builder = builder.config("spark.driver.memory", memory)
        builder = builder.config("spark.driver.maxResultSize", "0")
        builder = builder.config("spark.ui.enabled", "false")
        # Spark's start-up lines (its log4j profile, a native-library warning) are not voxkit's.
        builder = builder.config(
            "spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={_QUIET_LOGGING.as_uri()}"
        )
    else:
        builder = builder.config("spark.log.level", "ERROR")
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    return builder.getOrCreate()


def _half_of_memory() -> str:
    """Half of this machine's memory, 2 to 16 GiB: a remote file's bytes are copied a few times."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (OSError, ValueError):
        return "4g"
    return f"{min(16, max(2, total // 2**31))}g"


def _submitted_master() -> str | None:
    """The master spark-submit was given, when this process runs under it."""
    arguments = os.environ.get("PYSPARK_SUBMIT_ARGS", "")
    found = re.search(r"--master\s+(\S+)", arguments)
    return found.group(1) if found else None


# --------------------------------------------------------------------------- inputs


def _inputs(
    paths: Sequence[str],
    note: Callable[[str], None],
    error: Callable[[str], None],
) -> tuple[list[InputFile], list[str], int]:
    """The local inputs in output order, the URIs Spark lists itself, and the count of errors.

    Local paths are listed by :func:`discover` (so notes, errors and order are the local
    engine's) and checked for readability here, as the local engine reports them.
    """
    local = [path for path in paths if not _URI.match(path)]
    remote = [path for path in paths if _URI.match(path)]
    found = discover(local)
    for message in found.notes:
        note(message)
    for message in found.errors:
        error(message)
    inputs: list[InputFile] = []
    unreadable = len(found.errors)
    for file in found.files:
        failure = None if file.path is None else _unreadable(file.path, file.name)
        if failure is not None:
            error(failure)
            unreadable += 1
            continue
        inputs.append(file)
    return inputs, remote, unreadable


def _unreadable(path: str, name: str) -> str | None:
    try:
        if Path(path).is_dir():
            raise IsADirectoryError(21, "is a directory")
        with Path(path).open("rb"):  # only whether it opens
            pass
    except OSError as error:
        return f"{name}: cannot read: {error.strerror or error}"
    return None


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True, slots=True)
class _Reading:
    """How the executors read the inputs: what ``voxkit validate`` was told."""

    input_format: InputFormat | None
    schema: str
    limits: Limits
    #: The paths named on the command line (a file Spark finds in a named directory is read
    #: only when its extension is recognised).
    named: frozenset[str]
    #: The decompressed size of a chunk of a shared read (:func:`_shared_runs`).
    share_chunk: int = _SHARE_CHUNK_BYTES

    def format_of(self, name: str) -> InputFormat | None:
        """The format to read ``name`` as: ``--input-format`` only where the extension is silent."""
        return None if is_recognised(name.rsplit("/", 1)[-1]) else self.input_format

    def records(self, stream: BinaryIO, name: str) -> Iterator[Record]:
        """The records of ``stream`` read as the local engine reads the input ``name``."""
        return iter_records(
            stream,
            format=self.format_of(name),
            schema=self.schema,
            name=name,
            limits=self.limits,
        )

    def json_lines(self, name: str) -> bool:
        """Whether ``name`` is read as JSON Lines (gzipped or not)."""
        lowered = name.lower().removesuffix(".gz")
        stated = self.format_of(name)
        return stated == "jsonl" or (stated is None and lowered.endswith((".jsonl", ".ndjson")))


class _Piece(NamedTuple):
    """A piece of work, as a row of :data:`_PIECE_SCHEMA`: its place in the output (the input's
    rank, its name, the piece's rank in it) and what it is: a pickled span or batch (``work``),
    a local file read whole or in a share (``path``, ``part`` of ``parts``), or a remote file's
    bytes (``content``)."""

    order: int
    name: str
    sub: int
    work: bytes | None
    path: str | None
    content: bytes | None
    part: int
    parts: int
    cost: int  # bytes to read, decompressed: what balancing weighs

    @property
    def whole_file(self) -> bool:
        """A local file read whole by one task (not a span, a batch or a share)."""
        return self.path is not None and self.parts == 1


#: The Spark type of each of :class:`_Piece`'s fields, in order.
_PIECE_TYPES = ("long", "string", "long", "binary", "string", "binary", "int", "int", "long")
_PIECE_SCHEMA = ", ".join(
    f"`{name}` {kind}" for name, kind in zip(_Piece._fields, _PIECE_TYPES, strict=True)
)

#: A batch's counts, as :class:`Tally` has them.
_COUNTS = ("records", "valid", "invalid", "errors", "warnings", "failing")
# A batch's rendered text is in ``rendered``, or spooled: ``size`` bytes at ``at`` in ``spool``.
_PRINTED_SCHEMA = (
    "`order` long, name string, sub long, rendered string, spool string, at long, size long, "
    + ", ".join(f"{count} long" for count in _COUNTS)
)
_RECORDS_SCHEMA = (
    "`order` long, name string, sub long, lines array<long>, indexes array<long>, "
    "findings array<" + FINDINGS_DDL + ">"
)


def _plan(
    inputs: list[InputFile], reading: _Reading, stdin: Callable[[], bytes], cores: int
) -> list[_Piece]:
    """The pieces of every local input, in output order (remote files are Spark's to list)."""
    sizes: dict[str | None, int | None] = {
        file.path: _regular_size(file.path) for file in inputs if file.path is not None
    }
    regular = [file for file in inputs if sizes.get(file.path) is not None]
    compressed = {file.path for file in regular if _gzipped(str(file.path), file.name)}
    shared = [
        file
        for file in regular
        if file.path in compressed
        and reading.json_lines(file.name)
        and (sizes[file.path] or 0) >= _SHARED_MIN_BYTES
    ]
    parts = max(1, cores // len(shared)) if shared else 1
    pieces: list[_Piece] = []
    for order, file in enumerate(inputs):
        name = file.name
        if file not in regular:  # stdin, a FIFO: read here
            with _opened(file.path, None if file.path else stdin()) as stream:
                for sub, batch in enumerate(batches(reading.records(stream, name))):
                    pieces.append(_work_piece(order, name, sub, batch))
            continue
        assert file.path is not None
        path = str(Path(file.path).resolve())
        size = sizes[file.path] or 0
        if file in shared and parts > 1:
            share_cost = size * 8 // parts  # decompressed, a share of it
            pieces += [
                _Piece(order, name, 0, None, path, None, part, parts, share_cost)
                for part in range(parts)
            ]
        elif reading.json_lines(name) and file.path not in compressed:
            with Path(path).open("rb") as stream:
                spans = records_or_spans(
                    stream,
                    format=reading.format_of(name),
                    schema=reading.schema,
                    name=name,
                    limits=reading.limits,
                    ranged=True,
                    path=path,
                )
                for sub, work in enumerate(batches(spans)):
                    pieces.append(_work_piece(order, name, sub, work))
        else:
            cost = size * 8 if file.path in compressed else size
            pieces.append(_Piece(order, name, 0, None, path, None, 0, 1, cost))
    return pieces


def _work_piece(order: int, name: str, sub: int, work: Span | Any) -> _Piece:
    cost = (
        work.end - work.start
        if isinstance(work, Span)
        else sum(len(record.data or b"") for record in work.records)
    )
    return _Piece(order, name, sub, pickle.dumps(work), None, None, 0, 1, cost)


def _regular_size(path: str) -> int | None:
    """The size of the regular file at ``path`` (None: not a regular file; 0: cannot be read,
    which reading it says, as the local engine says it)."""
    try:
        status = Path(path).stat()
    except OSError:
        return 0
    return status.st_size if stat.S_ISREG(status.st_mode) else None


def _gzipped(path: str, name: str) -> bool:
    if name.lower().endswith(".gz"):
        return True
    try:
        with Path(path).open("rb") as stream:
            return stream.read(2) == _GZIP_MAGIC
    except OSError:
        return False


def _balanced(pieces: list[_Piece], tasks: int) -> list[list[_Piece]]:
    """``pieces`` in ``tasks`` groups of about equal cost (the largest first, to the least loaded)."""
    groups: list[list[_Piece]] = [[] for _ in range(max(1, min(tasks, len(pieces))))]
    loads = [(0, number) for number in range(len(groups))]
    for piece in sorted(pieces, key=lambda piece: -piece.cost):
        load, number = heapq.heappop(loads)
        groups[number].append(piece)
        heapq.heappush(loads, (load + max(piece.cost, 1), number))
    return [group for group in groups if group]


# --------------------------------------------------------------------------- reading, on executors


def _runs(piece: _Piece, reading: _Reading) -> Iterator[tuple[int, Sequence[Record], int]]:
    """The records of one piece in runs: (their rank in the input, the records, the line shift)."""
    name, work, path = piece.name, piece.work, piece.path
    if work is not None:
        loaded = pickle.loads(work)  # pickled by this command's own driver
        if isinstance(loaded, Span):
            records, shift = loaded.read()
            yield piece.sub, records, shift
        else:
            yield piece.sub, loaded.records, 0
        return
    if path is not None and piece.parts > 1:
        yield from _shared_runs(path, name, reading, piece.part, piece.parts)
        return
    if path is None and name not in reading.named and not is_recognised(name.rsplit("/", 1)[-1]):
        return  # found by Spark in a directory, but not an input file
    with _opened(path, piece.content) as stream:
        for rank, batch in enumerate(batches(reading.records(stream, name))):
            yield rank, batch.records, 0


def _opened(path: str | None, content: bytes | None) -> BinaryIO:
    """The file at ``path``, else ``content`` as a stream."""
    if path is not None:
        return Path(path).open("rb")
    return io.BytesIO(content or b"")


class _Irregular(Exception):
    """A shared read cannot go on chunk by chunk (the owner of the chunk reads the rest)."""


def _shared_runs(
    path: str, name: str, reading: _Reading, part: int, parts: int
) -> Iterator[tuple[int, Sequence[Record], int]]:
    """Share ``part`` of ``parts`` of a gzipped JSON Lines file: every ``parts``-th chunk of its
    whole lines (about :data:`_SHARE_CHUNK_BYTES` decompressed), read as the file is read.

    Every share decompresses the whole file, which costs a fraction of validating it, and cuts it
    at the same newlines; each reads records only from its own chunks. Should the file stop
    being regular (a corrupt or truncated stream, a line longer than a chunk may hold), the
    owner of the chunk at hand reads the rest with :func:`iter_records` from that chunk's first
    line on, so what is reported is what reading the file whole reports.
    """
    # The chunk is read as plain JSON Lines: a name without ``.gz``, so it is not gunzipped again.
    plain = name.removesuffix(".gz").removesuffix(".GZ") or "chunk"
    number, first_line = 0, 1
    decoder = _share_decoder()
    failures: tuple[type[Exception], ...] = (OSError, EOFError, zlib.error, _Irregular)
    try:
        with Path(path).open("rb") as raw, decoder.opened(raw) as unzipped:
            chunks = _line_chunks(
                unzipped, reading.share_chunk, reading.limits.record, decoder.holdback
            )
            for chunk in chunks:
                if number == 0 and chunk.startswith(_GZIP_MAGIC):
                    raise _Irregular  # read as text, not gunzipped twice: reading whole says so
                if number % parts == part:
                    chunk_records = tuple(
                        iter_records(
                            io.BytesIO(chunk),
                            format="jsonl",
                            schema=reading.schema,
                            name=plain,
                            limits=reading.limits,
                        )
                    )
                    yield number, chunk_records, first_line - 1
                number += 1
                first_line += chunk.count(b"\n")
        return
    except failures + decoder.errors:
        pass
    if number % parts != part:
        return
    with Path(path).open("rb") as stream:
        records = reading.records(stream, name)
        rest = (record for record in records if record.line is None or record.line >= first_line)
        for offset, batch in enumerate(batches(rest)):
            yield number + offset, batch.records, 0


class _Decoder(NamedTuple):
    """How shares decompress: a gzip reader, what it raises, and what to hold back of its output."""

    opened: Callable[[BinaryIO], gzip.GzipFile]
    errors: tuple[type[Exception], ...]
    holdback: int


def _share_decoder() -> _Decoder:
    """ISA-L's gzip reader where it is installed (the extra has it), else :mod:`gzip`.

    Decompressing is what every share pays in full, and ISA-L does it three to four times as
    fast as zlib. It decodes what zlib decodes; only where a stream fails may it give more or
    less before it raises, so its shares hold back :data:`_ISAL_HOLDBACK` bytes, and what
    follows the failure is read by the readers themselves (:func:`_shared_runs`).
    """
    try:
        from isal import igzip, isal_zlib
    except ImportError:
        return _Decoder(_gunzipped, (), 0)

    def opened(raw: BinaryIO) -> gzip.GzipFile:
        return igzip.IGzipFile(fileobj=raw, mode="rb")  # type: ignore[no-untyped-call]

    # isal's stubs call its error an instance; it is the class of what its reader raises.
    return _Decoder(opened, (cast("type[Exception]", isal_zlib.error),), _ISAL_HOLDBACK)


def _gunzipped(raw: BinaryIO) -> gzip.GzipFile:
    return gzip.GzipFile(fileobj=raw, mode="rb")


def _line_chunks(
    stream: gzip.GzipFile, chunk_bytes: int, limit: int, holdback: int = 0
) -> Iterator[bytes]:
    """The bytes of ``stream`` in chunks of whole lines of about ``chunk_bytes`` (the last one
    as the input ends), each yielded once ``holdback`` more bytes have been decoded after it.

    Read as the readers read (:data:`_GZIP_READ_BYTES` at a time), so that with the readers'
    decoder a corrupt stream fails at the same place. A chunk never begins with a BOM or the
    gzip magic (read alone, it would be read otherwise); a line longer than ``limit`` plus a
    chunk is :class:`_Irregular`.
    """
    wanted = chunk_bytes + holdback  # what to hold before cutting again (more after a long line)
    held: list[bytes] = []  # blocks read since (the decoder gives them in pieces of its own size)
    size = 0
    while block := stream.read1(_GZIP_READ_BYTES):
        held.append(block)
        size += len(block)
        if size < wanted:
            continue
        pending = b"".join(held)
        start = yield from _cut(pending, chunk_bytes, len(pending) - holdback)
        held, size = [pending[start:]], len(pending) - start
        kept = size - holdback  # what is held beyond the holdback, uncut
        wanted = size + chunk_bytes if kept >= chunk_bytes else chunk_bytes + holdback
        if kept > limit + 2 * chunk_bytes:  # a line too long to hold: read it streamed
            raise _Irregular
    pending = b"".join(held)
    start = yield from _cut(pending, chunk_bytes, len(pending))
    if start < len(pending):
        yield pending[start:]


def _cut(pending: bytes, chunk_bytes: int, usable: int) -> Generator[bytes, None, int]:
    """The chunks ``pending`` has in its first ``usable`` bytes; returns where the rest starts."""
    start = 0
    while usable - start >= chunk_bytes:
        cut = _cut_after(pending, start + chunk_bytes - 1, usable)
        if cut is None:
            break
        yield pending[start:cut]
        start = cut
    return start


def _cut_after(pending: bytes, at: int, end: int) -> int | None:
    """Where to cut ``pending``: after its first newline from ``at`` on where a chunk may begin,
    with three bytes after it before ``end`` (None: none yet)."""
    while (newline := pending.find(b"\n", at, end)) >= 0:
        if newline + 4 > end:
            return None
        if may_begin(pending[newline + 1 : newline + 4]):
            return newline + 1
        at = newline + 1
    return None


# --------------------------------------------------------------------------- the Spark job


@dataclass(frozen=True, slots=True)
class _Checking:
    """What the executors validate and render with."""

    reading: _Reading
    settings: Settings
    rules: tuple[Rule, ...]
    per_record: bool  # --output: each record's verdict, not rendered text
    #: A folder of the driver's that the executors write to (local mode: one file system), where
    #: the rendered text waits to be printed; None: it travels in the rows.
    spool: str | None = None


def _checked(pieces: Iterable[_Piece], checking: _Checking) -> Iterator[pa.RecordBatch]:
    """The verdicts of ``pieces``, as :data:`_PRINTED_SCHEMA` or :data:`_RECORDS_SCHEMA` rows."""
    rows: list[tuple[Any, ...]] = []
    size = 0
    with _Spool(checking.spool) as spool:
        for piece in pieces:
            order, name = piece.order, piece.name
            for sub, records, shift in _runs(piece, checking.reading):
                if checking.per_record:
                    rows.append((order, name, sub, *_verdicts_of(records, shift, checking)))
                    size += 64 * len(records)
                else:
                    result = run_records(name, records, shift, checking.settings, checking.rules)
                    tally = result.tally
                    rows.append(
                        (order, name, sub, *spool.place(result.rendered), tally.records,
                         tally.valid, tally.invalid, tally.errors, tally.warnings, tally.failing)
                    )  # fmt: skip
                    size += 64 if checking.spool else len(result.rendered)
                if size >= _RESULT_BATCH_BYTES:
                    yield _batch_of(rows, checking.per_record)
                    rows, size = [], 0
        if rows:
            yield _batch_of(rows, checking.per_record)


class _Spool:
    """Where a task puts the text it rendered: appended to a file of its own in the ``folder``
    (so that neither the task's result nor the driver holds all of it), else in the row."""

    def __init__(self, folder: str | None) -> None:
        self._folder = folder
        self._file: BinaryIO | None = None
        self._path = ""
        self._at = 0

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._file is not None:
            self._file.close()

    def place(self, rendered: str) -> tuple[str | None, str | None, int, int]:
        """The row's ``rendered``, ``spool``, ``at`` and ``size`` for ``rendered``."""
        if self._folder is None or not rendered:
            return rendered, None, 0, 0
        if self._file is None:  # a new file for every task attempt: a retried task's is unread
            self._path = str(Path(self._folder) / f"{uuid.uuid4().hex}.txt")
            self._file = Path(self._path).open("xb")  # noqa: SIM115 - closed by __exit__
        data = rendered.encode("utf-8", "surrogatepass")
        self._file.write(data)
        at, self._at = self._at, self._at + len(data)
        return None, self._path, at, len(data)


def _verdicts_of(
    records: Sequence[Record], shift: int, checking: _Checking
) -> tuple[list[int | None], list[int | None], list[list[dict[str, str]]]]:
    lines, indexes, found = [], [], []
    strict, rules = checking.settings.strict, checking.rules
    for record in records:
        line = record.line
        lines.append(line + shift if line is not None else None)
        indexes.append(record.index)
        findings = validate_record(record, strict=strict, rules=rules)
        found.append([finding.as_dict() for finding in findings])
    return lines, indexes, found


def _batch_of(rows: list[tuple[Any, ...]], per_record: bool) -> pa.RecordBatch:
    import pyarrow as pa

    columns = list(zip(*rows, strict=True))
    keys = [pa.array(columns[0], pa.int64()), pa.array(columns[1], pa.string()),
            pa.array(columns[2], pa.int64())]  # fmt: skip
    if per_record:
        values = [
            pa.array(columns[3], pa.list_(pa.int64())),
            pa.array(columns[4], pa.list_(pa.int64())),
            pa.array(columns[5], pa.list_(_arrow_findings_type())),
        ]
        names = ["lines", "indexes", "findings"]
    else:
        values = [pa.array(columns[3], pa.string()), pa.array(columns[4], pa.string())]
        values += [pa.array(column, pa.int64()) for column in columns[5:]]
        names = ["rendered", "spool", "at", "size", *_COUNTS]
    return pa.RecordBatch.from_arrays([*keys, *values], names=["order", "name", "sub", *names])


def _pieces_of(batches: Iterable[pa.RecordBatch]) -> Iterator[_Piece]:
    for batch in batches:
        columns = (column.to_pylist() for column in batch.columns)
        yield from map(_Piece._make, zip(*columns, strict=True))


def _read_whole(batches: Iterable[pa.RecordBatch], reading: _Reading) -> Iterator[pa.RecordBatch]:
    """Whole files read into pieces of packed batches (pickled), to be spread over the cores."""
    import pyarrow as pa

    rows: list[_Piece] = []
    size = 0
    for piece in _pieces_of(batches):
        order, name = piece.order, piece.name
        for sub, records, _ in _runs(piece, reading):
            work = pickle.dumps(Batch(name, tuple(records)))
            rows.append(_Piece(order, name, sub, work, None, None, 0, 1, len(work)))
            size += len(work)
            if size >= _RESULT_BATCH_BYTES:
                yield pa.RecordBatch.from_pylist(_as_dicts(rows), schema=_arrow_piece_schema())
                rows, size = [], 0
    if rows:
        yield pa.RecordBatch.from_pylist(_as_dicts(rows), schema=_arrow_piece_schema())


def _as_dicts(rows: list[_Piece]) -> list[dict[str, Any]]:
    return [row._asdict() for row in rows]


def _arrow_piece_schema() -> pa.Schema:
    """:data:`_PIECE_SCHEMA` in Arrow's types."""
    import pyarrow as pa

    arrow = {"long": pa.int64(), "int": pa.int32(), "string": pa.string(), "binary": pa.binary()}
    return pa.schema(
        [
            pa.field(name, arrow[kind])
            for name, kind in zip(_Piece._fields, _PIECE_TYPES, strict=True)
        ]
    )


def _results(
    spark: SparkSession,
    pieces: list[_Piece],
    remote: list[str],
    first_remote: int,
    checking: _Checking,
) -> DataFrame | None:
    """The verdicts of every piece, local and remote (Spark lists those), from the executors."""
    from pyspark.sql import functions as F

    cores = _cores(spark)
    reading = checking.reading
    schema = _RECORDS_SCHEMA if checking.per_record else _PRINTED_SCHEMA
    whole = [piece for piece in pieces if piece.whole_file]
    remote_files, remote_count = None, 0
    if remote:
        files, remote_count = _contents(spark, remote)
        remote_files = files.select(
            F.lit(first_remote).cast("long").alias("order"),
            F.col("path").alias("name"),
            F.lit(0).cast("long").alias("sub"),
            F.lit(None).cast("binary").alias("work"),
            F.lit(None).cast("string").alias("path"),
            F.col("content"),
            F.lit(0).alias("part"),
            F.lit(1).alias("parts"),
            F.length("content").cast("long").alias("cost"),
        )
    few = len(whole) + remote_count < cores
    spread = few and (
        remote_files is not None or sum(piece.cost for piece in whole) >= _SPREAD_MIN_BYTES
    )
    frames: list[DataFrame] = []
    direct = [piece for piece in pieces if not (spread and piece in whole)]
    if direct:
        groups = _balanced(direct, cores * _TASKS_PER_CORE)
        # One task per group: the groups travel with the tasks, each task picks its own.
        tasks = spark.range(0, len(groups), 1, len(groups))
        frames.append(
            tasks.mapInArrow(lambda batches: _checked_groups(batches, groups, checking), schema)
        )
    file_frames = []  # files the executors read whole
    if spread and whole:
        file_frames.append(_whole_files(spark, whole))
    if remote_files is not None:
        file_frames.append(remote_files)
    for files_frame in file_frames:
        if spread:  # each read by one task, their records validated by all
            read = files_frame.mapInArrow(
                lambda batches: _read_whole(batches, reading), _PIECE_SCHEMA
            )
            files_frame = read.repartition(cores * _TASKS_PER_CORE)
        frames.append(
            files_frame.mapInArrow(lambda batches: _checked(_pieces_of(batches), checking), schema)
        )
    if not frames:
        return None
    results = frames[0]
    for frame in frames[1:]:
        results = results.unionByName(frame)
    return results


def _checked_groups(
    batches: Iterable[pa.RecordBatch], groups: list[list[_Piece]], checking: _Checking
) -> Iterator[pa.RecordBatch]:
    """The verdicts of the groups whose numbers are in ``batches`` (a ``range`` frame)."""
    for batch in batches:
        for number in batch.column(0).to_pylist():
            yield from _checked(groups[number], checking)


def _whole_files(spark: SparkSession, whole: list[_Piece]) -> DataFrame:
    """Whole local files as a frame of pieces, one partition each (their records are spread)."""
    return spark.createDataFrame(whole, _PIECE_SCHEMA).repartition(len(whole))


# --------------------------------------------------------------------------- the command


def run_spark(
    paths: Sequence[str],
    settings: Settings,
    *,
    master: str | None = None,
    output_dir: str | None = None,
    rules: Sequence[Rule] = (),
    schema: str = "Campaign",
    input_format: InputFormat | None = None,
    limits: Limits = Limits(),  # noqa: B008 - frozen, never changed
    write: Callable[[str], None],
    note: Callable[[str], None] = lambda message: None,
    error: Callable[[str], None] = lambda message: None,
    stdin: Callable[[], bytes] | None = None,
) -> SparkRun:
    """``voxkit validate --engine spark PATH...``: writes what the local engine writes.

    ``paths`` are the command line's (local paths, ``-``, or URIs Spark reads such as
    ``s3a://bucket/prefix/``); ``write`` receives the output text, ``note`` and ``error`` the
    lines the command prints on stderr. With ``output_dir`` the per-record results are written
    there as Parquet (partitioned by ``source``) and only the summary is written. The caller
    exits 2 when ``unreadable`` (or a usage error it found itself), else 1 when
    ``tally.failing``, else 0.
    """
    from pyspark.errors import AnalysisException

    spark = spark_session(master)
    inputs, remote, unreadable = _inputs(paths, note, error)
    reading = _Reading(input_format, schema, limits, frozenset(remote), _SHARE_CHUNK_BYTES)
    per_record = output_dir is not None
    with _spool_for(spark, per_record) as spool:
        checking = _Checking(reading, settings, _shipped(rules), per_record, spool)
        tally = Tally()
        try:
            pieces = _plan(inputs, reading, stdin or sys.stdin.buffer.read, _cores(spark))
            results = _results(spark, pieces, remote, len(inputs), checking)
            if output_dir is not None:
                if results is not None:
                    tally = _write_parquet(spark, results, output_dir, settings)
                _write_summary(settings, tally, write)
                return SparkRun(tally, unreadable)
            table = results.toArrow() if results is not None else None
        except AnalysisException as failure:  # a path Spark cannot list, an --output that exists
            error(_one_line(failure))
            _write_summary(settings, tally, write)
            return SparkRun(tally, 1)
        junit = JUnitWriter(write) if settings.format == "junit" else None
        for source, rendered, counts in _in_input_order(table):
            result = BatchResult(source, rendered, Tally(*counts))
            tally.add(result.tally)
            if junit is not None:
                junit.add(result.source, result.rendered, result.tally)
            elif result.rendered:
                write(result.rendered)
    if junit is not None:
        junit.finish(tally)
    else:
        write(summary(settings, tally))
    return SparkRun(tally, unreadable)


def _spool_for(
    spark: SparkSession, per_record: bool
) -> contextlib.AbstractContextManager[str | None]:
    """A folder for the rendered text to wait in until it is printed, where the executors share
    the driver's file system (local mode), else none."""
    if per_record or not (spark.sparkContext.master or "").startswith("local"):
        return _no_folder()
    return tempfile.TemporaryDirectory(prefix="voxkit-spark-")


@contextlib.contextmanager
def _no_folder() -> Iterator[None]:
    yield None


def _in_input_order(table: pa.Table | None) -> Iterator[tuple[str, str, list[int]]]:
    """Each batch's source, rendered text (from its row or its spool file) and counts, in input
    order: one batch's text at a time."""
    if table is None:
        return
    table = table.sort_by([("order", "ascending"), ("name", "ascending"), ("sub", "ascending")])
    names = table.column("name").to_pylist()
    rendered, spool = table.column("rendered"), table.column("spool").to_pylist()
    at, size = table.column("at").to_pylist(), table.column("size").to_pylist()
    counts = zip(*(table.column(name).to_pylist() for name in _COUNTS), strict=True)
    with contextlib.ExitStack() as files:
        opened: dict[str, BinaryIO] = {}
        for row, source in enumerate(names):
            text = rendered[row].as_py()
            path = spool[row]
            if path is not None:
                if path not in opened:
                    opened[path] = files.enter_context(Path(path).open("rb"))
                opened[path].seek(at[row])
                text = opened[path].read(size[row]).decode("utf-8", "surrogatepass")
            yield source, text or "", list(next(counts))


def _cores(spark: SparkSession) -> int:
    return max(1, spark.sparkContext.defaultParallelism)


def _one_line(failure: Exception) -> str:
    text = str(failure).strip().splitlines()
    return text[0] if text else type(failure).__name__


def _write_summary(settings: Settings, tally: Tally, write: Callable[[str], None]) -> None:
    if settings.format == "junit":
        junit = JUnitWriter(write)
        junit.finish(tally)
    else:
        write(summary(settings, tally))


def _write_parquet(
    spark: SparkSession, checked: DataFrame, output_dir: str, settings: Settings
) -> Tally:
    """Write the per-record results under ``output_dir``; the counts, read back from them.

    One row per record: ``source`` (the partition), ``unit`` and ``item`` (the record's place
    in its source: order by both), ``line``, ``index``, ``valid`` and ``findings``.
    """
    from pyspark.sql import functions as F

    zipped = F.arrays_zip(
        F.col("lines").alias("line"), F.col("indexes").alias("index"), F.col("findings")
    )
    records = checked.select(
        F.col("name").alias("source"),
        F.col("sub").alias("unit"),
        F.posexplode(zipped).alias("item", "record"),
    ).select(
        "source",
        "unit",
        "item",
        F.col("record.line").alias("line"),
        F.col("record.index").alias("index"),
        (~F.exists("record.findings", lambda item: item.severity == "error")).alias("valid"),
        F.col("record.findings").alias("findings"),
    )
    records.write.partitionBy("source").parquet(output_dir)
    written = spark.read.parquet(output_dir)
    errors = F.size(F.filter("findings", lambda item: item.severity == "error"))
    warnings = F.size("findings") - errors
    failing = errors > 0
    if settings.fail_on == "warning":
        failing = failing | (warnings > 0)
    row = written.agg(
        F.count(F.lit(1)).alias("records"),
        F.sum(F.col("valid").cast("long")).alias("valid"),
        F.sum(errors).alias("errors"),
        F.sum(warnings).alias("warnings"),
        F.sum(failing.cast("long")).alias("failing"),
    ).first()
    assert row is not None
    count: int = row["records"] or 0
    valid: int = row["valid"] or 0
    return Tally(
        records=count,
        valid=valid,
        invalid=count - valid,
        errors=row["errors"] or 0,
        warnings=row["warnings"] or 0,
        failing=row["failing"] or 0,
    )
