"""The Spark engine of ``voxkit validate --engine spark``: the local engine's output, through Spark.

The driver lists the inputs as the local engine does (:func:`vox_validators.sources.discover`;
paths with a URI scheme such as ``s3a://`` go to Spark as they are). Executors read each file
whole (``binaryFile``), cut it into records with the public readers and validate each with
:func:`vox_validators.validate_record` (:mod:`vox_validators.spark`), in Arrow batches; records of
inputs fewer than the cores are spread over them first. The driver collects, per record, only its
source, rank, line, index and findings, puts them back in input order and renders them with the
local engine's renderers, so every ``--format`` prints byte for byte what ``--engine local``
prints, and the exit status is the same. With ``--output DIR`` the per-record results are written
as Parquet, partitioned by source, and only the summary is printed.

PySpark is optional (``voxkit[spark]``): this module imports it only inside its functions.
"""

# PySpark and pyarrow are imported inside the functions: the extra is optional.
# ruff: noqa: PLC0415

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vox_validators import Finding, validate_record
from vox_validators.sources import (
    STDIN_NAME,
    InputFile,
    Record,
    discover,
    is_recognised,
    iter_records,
)
from vox_validators.spark import FINDINGS_TYPE as FINDINGS_DDL
from vox_validators.spark import _arrow_findings_type, _contents, _shipped
from voxkit.report import JUnitWriter, Settings, Tally, clean_renderer, renderer, summary

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
_GLOB = re.compile(r"([\\{}\[\]*?])")
# Records are rendered and written this many at a time (junit spools them per source).
_RENDER_CHUNK = 2000


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
        # Whole files travel through the driver's JVM in local mode: leave room for them.
        memory = os.environ.get("VOXKIT_SPARK_MEMORY") or _half_of_memory()
        builder = builder.config("spark.driver.memory", memory)
        builder = builder.config("spark.driver.maxResultSize", "0")
        builder = builder.config("spark.ui.enabled", "false")
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    builder = builder.config("spark.log.level", "ERROR")
    return builder.getOrCreate()


def _half_of_memory() -> str:
    """Half of this machine's memory, 2 to 16 GiB: a file's bytes are copied a few times."""
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


@dataclass(frozen=True, slots=True)
class _Input:
    """One input as Spark reads it: ``key`` is Spark's name of the file, ``name`` voxkit's."""

    key: str
    name: str


def _local_key(path: str) -> str:
    """How Spark's ``binaryFile`` names a local file (the path normalised as Hadoop's Path is)."""
    return "file:" + os.path.abspath(path)  # noqa: PTH100


def _inputs(
    paths: Sequence[str],
    note: Callable[[str], None],
    error: Callable[[str], None],
) -> tuple[list[_Input], list[str], int]:
    """The inputs in output order, the URIs Spark lists itself, and the count of errors.

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
    inputs: list[_Input] = []
    unreadable = len(found.errors)
    for file in found.files:
        if file.path is None:
            inputs.append(_Input(STDIN_NAME, file.name))
            continue
        failure = _unreadable(file)
        if failure is not None:
            error(failure)
            unreadable += 1
            continue
        inputs.append(_Input(_local_key(file.path), file.name))
    return inputs, remote, unreadable


def _unreadable(file: InputFile) -> str | None:
    assert file.path is not None
    try:
        if Path(file.path).is_dir():
            raise IsADirectoryError(21, "is a directory")
        with Path(file.path).open("rb"):  # only whether it opens
            pass
    except OSError as error:
        return f"{file.name}: cannot read: {error.strerror or error}"
    return None


# --------------------------------------------------------------------------- the Spark job


def _files_frame(
    spark: SparkSession,
    inputs: list[_Input],
    remote: list[str],
    stdin: Callable[[], bytes],
) -> DataFrame | None:
    """``path`` and ``content`` of every input (read once each), or None when there is none."""
    frames: list[DataFrame] = []
    keys = list(dict.fromkeys(item.key for item in inputs if item.key != STDIN_NAME))
    # Spark skips files named ``.name`` or ``_name`` as hidden, even when named; the local
    # engine reads a file it is given whatever its name, so the driver reads those itself.
    hidden = [key for key in keys if key.rsplit("/", 1)[-1].startswith((".", "_"))]
    listed = [_GLOB.sub(r"\\\1", key) for key in keys if key not in hidden]
    if listed or remote:
        frames.append(_contents(spark, [*listed, *remote]))
    rows = [(key, Path(key.removeprefix("file:")).read_bytes()) for key in hidden]
    if any(item.key == STDIN_NAME for item in inputs):
        rows.append((STDIN_NAME, stdin()))
    if rows:
        frames.append(spark.createDataFrame(rows, "path string, content binary"))
    if not frames:
        return None
    files = frames[0]
    for frame in frames[1:]:
        files = files.unionByName(frame)
    return files


def _read_names(inputs: list[_Input]) -> dict[str, str]:
    """The name each file is read under: the first of the names it was given (``a``, ``./a``)."""
    names: dict[str, str] = {}
    for item in inputs:
        names.setdefault(item.key, item.name)
    return names


# A unit is what travels between the read and the validation: one record, or (the bulk of JSON
# Lines) a run of plain records of one source packed as their lines joined by newlines, which no
# JSON Lines record contains. Far fewer rows cross between the JVM and Python than records.
_UNIT_RECORDS = 2000
_UNIT_BYTES = 1024 * 1024

_UNIT_SCHEMA = (
    "source string, position long, count long, lines array<long>, `index` long, "
    "`schema` string, data binary, findings " + FINDINGS_DDL
)
_RESULT_SCHEMA = (
    "source string, position long, lines array<long>, indexes array<long>, "
    "findings array<" + FINDINGS_DDL + ">"
)

_Unit = tuple[str, int, int, list[int | None], int | None, str | None, bytes | None, list[Any]]


@dataclass(frozen=True, slots=True)
class _Reading:
    """How the executors read the files: what ``voxkit validate`` was told."""

    names: dict[str, str]
    named: frozenset[str]
    input_format: InputFormat | None
    schema: str


def _units_of(reading: _Reading, path: str, content: bytes | None) -> Iterator[_Unit]:
    """The records of one file as units, in order (``position`` numbers the units)."""
    name = reading.names.get(path, path)
    recognised = is_recognised(name.rsplit("/", 1)[-1])
    if path not in reading.named and not recognised:
        return  # found in a directory, but not an input file
    # --input-format is for the inputs whose extension does not say their format.
    read_as = None if recognised else reading.input_format
    records = iter_records(content or b"", format=read_as, schema=reading.schema, name=name)
    position = 0
    run = _Run()
    for record in records:
        data = record.data
        # Only one-line records pack (JSON Lines; a pretty-printed document is a unit alone).
        plain = (
            data is not None and record.index is None and not record.findings and b"\n" not in data
        )
        if run.lines and (not plain or record.schema != run.schema):
            yield run.unit(name, position)
            position += 1
        if plain:
            run.add(record)
            if run.full():
                yield run.unit(name, position)
                position += 1
            continue
        findings = [finding.as_dict() for finding in record.findings]
        yield (name, position, 1, [record.line], record.index, record.schema, data, findings)
        position += 1
    if run.lines:
        yield run.unit(name, position)


class _Run:
    """Consecutive one-line records of one schema, packed into one unit."""

    def __init__(self) -> None:
        self.lines: list[int | None] = []
        self.parts: list[bytes] = []
        self.size = 0
        self.schema: str | None = None

    def add(self, record: Record) -> None:
        assert record.data is not None
        self.schema = record.schema
        self.lines.append(record.line)
        self.parts.append(record.data)
        self.size += len(record.data)

    def full(self) -> bool:
        return len(self.parts) >= _UNIT_RECORDS or self.size >= _UNIT_BYTES

    def unit(self, name: str, position: int) -> _Unit:
        data = b"\n".join(self.parts)
        unit: _Unit = (name, position, len(self.parts), self.lines, None, self.schema, data, [])
        self.lines, self.parts, self.size = [], [], 0
        return unit


def _check_unit(unit: _Unit, strict: bool, rules: tuple[Rule, ...]) -> tuple[Any, ...]:
    """The verdicts of one unit's records: (source, position, lines, indexes, findings)."""
    source, position, count, lines, index, schema, data, reader = unit
    if count == 1:
        records = [Record(source, lines[0], index, data, schema, tuple(map(_finding, reader)))]
    else:
        assert data is not None
        records = [
            Record(source, line, None, part, schema)
            for line, part in zip(lines, data.split(b"\n"), strict=True)
        ]
    found = []
    for record in records:
        if rules:
            findings = validate_record(record, strict=strict, rules=rules)
        else:
            findings = validate_record(record, strict=strict)
        found.append([finding.as_dict() for finding in findings])
    return (source, position, lines, [index] * count, found)


def _result_batch(rows: list[tuple[Any, ...]]) -> pa.RecordBatch:
    import pyarrow as pa

    columns = list(zip(*rows, strict=True))
    return pa.RecordBatch.from_arrays(
        [
            pa.array(columns[0], pa.string()),
            pa.array(columns[1], pa.int64()),
            pa.array(columns[2], pa.list_(pa.int64())),
            pa.array(columns[3], pa.list_(pa.int64())),
            pa.array(columns[4], pa.list_(_arrow_findings_type())),
        ],
        names=["source", "position", "lines", "indexes", "findings"],
    )


def _unit_batch(units: list[_Unit]) -> pa.RecordBatch:
    import pyarrow as pa

    columns = list(zip(*units, strict=True))
    types = [
        pa.string(),
        pa.int64(),
        pa.int64(),
        pa.list_(pa.int64()),
        pa.int64(),
        pa.string(),
        pa.binary(),
        _arrow_findings_type(),
    ]
    names = ["source", "position", "count", "lines", "index", "schema", "data", "findings"]
    arrays = [pa.array(values, kind) for values, kind in zip(columns, types, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _batched(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _file_units(reading: _Reading, batches: Iterable[pa.RecordBatch]) -> Iterator[_Unit]:
    for batch in batches:
        paths = batch.column(0).to_pylist()
        for row, path in enumerate(paths):
            yield from _units_of(reading, path, batch.column(1)[row].as_py())


def _verdicts(
    spark: SparkSession,
    *,
    paths: Sequence[str],
    settings: Settings,
    rules: Sequence[Rule],
    schema: str,
    input_format: InputFormat | None,
    note: Callable[[str], None],
    error: Callable[[str], None],
    stdin: Callable[[], bytes],
) -> tuple[list[_Input], DataFrame | None, int]:
    """The per-unit verdicts of every input (``_RESULT_SCHEMA`` rows)."""
    inputs, remote, unreadable = _inputs(paths, note, error)
    files = _files_frame(spark, inputs, remote, stdin)
    if files is None:
        return inputs, None, unreadable
    names = _read_names(inputs)
    reading = _Reading(names, frozenset({*names, *remote}), input_format, schema)
    strict, extra = settings.strict, _shipped(rules)

    def check(units: Iterator[_Unit]) -> Iterator[pa.RecordBatch]:
        for group in _batched(units, 16):
            yield _result_batch([_check_unit(unit, strict, extra) for unit in group])

    cores = spark.sparkContext.defaultParallelism
    if files.rdd.getNumPartitions() >= cores:  # the files keep every core busy: one pass
        checked = files.mapInArrow(
            lambda batches: check(_file_units(reading, batches)), _RESULT_SCHEMA
        )
        return inputs, checked, unreadable

    # Fewer files than cores: units are spread over the cores before they are validated.
    def read(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for group in _batched(_file_units(reading, batches), 8):
            yield _unit_batch(group)

    def check_units(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield from check(
                iter(zip(*(column.to_pylist() for column in batch.columns), strict=True))
            )

    units = files.mapInArrow(read, _UNIT_SCHEMA).repartition(cores * 2, "source", "position")
    return inputs, units.mapInArrow(check_units, _RESULT_SCHEMA), unreadable


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
    tally = Tally()
    try:
        inputs, checked, unreadable = _verdicts(
            spark,
            paths=paths,
            settings=settings,
            rules=rules,
            schema=schema,
            input_format=input_format,
            note=note,
            error=error,
            stdin=stdin or sys.stdin.buffer.read,
        )
        if output_dir is not None:
            if checked is not None:
                tally = _write_parquet(spark, checked, output_dir, settings)
            _write_summary(settings, tally, write)
            return SparkRun(tally, unreadable)
        table = checked.toArrow() if checked is not None else None
    except AnalysisException as failure:  # a path Spark cannot list, an --output that exists
        error(_one_line(failure))
        _write_summary(settings, tally, write)
        return SparkRun(tally, 1)
    junit = JUnitWriter(write) if settings.format == "junit" else None
    for item, rows in _in_input_order(inputs, table):
        for source_tally, rendered in _rendered(item.name, rows, settings):
            tally.add(source_tally)
            if junit is not None:
                junit.add(item.name, rendered, source_tally)
            elif rendered:
                write(rendered)
    if junit is not None:
        junit.finish(tally)
    else:
        write(summary(settings, tally))
    return SparkRun(tally, unreadable)


def _one_line(failure: Exception) -> str:
    text = str(failure).strip().splitlines()
    return text[0] if text else type(failure).__name__


def _write_summary(settings: Settings, tally: Tally, write: Callable[[str], None]) -> None:
    if settings.format == "junit":
        junit = JUnitWriter(write)
        junit.finish(tally)
    else:
        write(summary(settings, tally))


_Rows = tuple[list[int | None], list[int | None], list[list[dict[str, str]]]]


def _in_input_order(inputs: list[_Input], table: pa.Table | None) -> Iterator[tuple[_Input, _Rows]]:
    """Each input in output order with its records' (lines, indexes, findings), in file order.

    Inputs Spark listed itself (URIs) follow, in the order of their names.
    """
    import pyarrow as pa
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    if table is None:
        return
    table = table.sort_by([("source", "ascending"), ("position", "ascending")])
    sources = table.column("source")
    by_source: dict[str, pa.Table] = {}
    if table.num_rows:
        values = sources.combine_chunks() if isinstance(sources, pa.ChunkedArray) else sources
        starts = [0]
        changed = pc.not_equal(values[1:], values[:-1]).to_pylist() if len(values) > 1 else []
        starts += [at + 1 for at, differs in enumerate(changed) if differs]
        ends = [*starts[1:], table.num_rows]
        for start, end in zip(starts, ends, strict=True):
            by_source[values[start].as_py()] = table.slice(start, end - start)

    def rows(part: pa.Table) -> _Rows:
        return (
            [line for unit in part.column("lines").to_pylist() for line in unit],
            [index for unit in part.column("indexes").to_pylist() for index in unit],
            [items for unit in part.column("findings").to_pylist() for items in unit],
        )

    names = _read_names(inputs)
    for item in inputs:
        part = by_source.get(names[item.key])
        if part is not None:
            yield item, rows(part)
    for name in sorted(set(by_source) - set(names.values())):
        yield _Input(name, name), rows(by_source[name])


def _rendered(source: str, rows: _Rows, settings: Settings) -> Iterator[tuple[Tally, str]]:
    """The records of one source rendered as the local engine renders them, a chunk at a time."""
    render = renderer(settings)
    render_clean = clean_renderer(settings, source)
    fail_on_warning = settings.fail_on == "warning"
    lines, indexes, found = rows
    for start in range(0, len(lines), _RENDER_CHUNK):
        tally = Tally()
        parts: list[str] = []
        for row in range(start, min(start + _RENDER_CHUNK, len(lines))):
            line, index, items = lines[row], indexes[row], found[row]
            tally.records += 1
            if not items:
                tally.valid += 1
                if render_clean is not None:
                    parts.append(render_clean(line, index))
                continue
            findings = [_finding(item) for item in items]
            errors = sum(1 for finding in findings if finding.severity == "error")
            warnings = len(findings) - errors
            valid = errors == 0
            failing = not valid or (fail_on_warning and warnings > 0)
            tally.valid += valid
            tally.invalid += not valid
            tally.errors += errors
            tally.warnings += warnings
            tally.failing += failing
            rendered = render(source, line, index, findings, failing)
            if rendered:
                parts.append(rendered)
        yield tally, "".join(parts)


def _finding(item: dict[str, Any]) -> Finding:
    return Finding(item["rule"], item["severity"], item["path"], item["message"])


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
        "source", F.col("position").alias("unit"), F.posexplode(zipped).alias("item", "record")
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
