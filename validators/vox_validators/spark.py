"""Validation on Apache Spark: the verdicts of :func:`vox_validators.validate_json`, at scale.

Needs the extra ``voxkit[spark]`` (PySpark 4, pyarrow); importing :mod:`vox_validators` never
imports PySpark, and this module imports it only when a function is called. Python work runs in
Arrow batches (``mapInArrow``), never one row at a time, and a bad record is a row with findings,
never a failed job::

    from vox_validators.spark import read_payloads, validate_dataframe, validate_payloads

    checked = validate_dataframe(spark.table("lake.responses"), "body")     # a column of JSON
    checked.where(~checked.valid).select("id", "findings").show()

    records = validate_payloads(read_payloads(spark, ["s3a://qa/captures/2026/"]))

- ``validate_dataframe(df, column="value", *, schema="Campaign", strict=False, rules=())``:
  ``df`` plus ``valid`` (boolean: no error) and ``findings`` (:data:`FINDINGS_TYPE`), for a
  string or binary column of encoded JSON documents, each validated against ``schema``.
- ``read_payloads(spark, paths, *, schema="Campaign", format=None, names=None)``: one row per
  record of JSON Lines (plain or gzip), JSON files, vcrpy cassettes and HAR files, read with
  :func:`vox_validators.sources.iter_records` on each whole file (Spark's ``binaryFile`` source):
  ``source``, ``position`` (0-based, the record's rank in its source), ``line``, ``index``,
  ``schema``, ``data`` (the body, binary; null when unreadable) and ``findings`` (the reader's).
- ``validate_payloads(df, *, strict=False, rules=())``: rows of ``read_payloads`` validated as
  :func:`vox_validators.validate_record` validates a record: ``findings`` becomes the reader's
  findings then the validator's, and ``valid`` is added.

``rules`` are :class:`vox_validators.rules.Rule` objects; they travel to the executors with the
task (cloudpickle), including rules defined in ``__main__``, a notebook or a file loaded with
:func:`vox_validators.rules.load_rules`: their modules are pickled by value, so the executors need
only ``voxkit`` itself installed.
"""

# PySpark and pyarrow are imported inside the functions: the extra is optional, and importing
# vox_validators must never import them.
# ruff: noqa: PLC0415

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from vox_validators import SCHEMAS, validate_json, validate_record
from vox_validators._findings import Finding
from vox_validators.sources import FORMATS, Record, is_recognised, iter_records

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import DataType, StructType

    from vox_validators.rules import Rule
    from vox_validators.sources import Format

__all__ = [
    "FINDINGS_TYPE",
    "PAYLOAD_COLUMNS",
    "read_payloads",
    "validate_dataframe",
    "validate_payloads",
]

#: The Spark SQL type of the ``findings`` column.
FINDINGS_TYPE = "array<struct<rule:string,severity:string,path:string,message:string>>"
#: The columns of :func:`read_payloads`, in order.
PAYLOAD_COLUMNS = ("source", "position", "line", "index", "schema", "data", "findings")

# Output batches stay well below Arrow's 2 GiB per-array limit and keep executor memory flat.
_BATCH_RECORDS = 4096
_BATCH_BYTES = 16 * 1024 * 1024

_FINDING_FIELDS = ("rule", "severity", "path", "message")


def _findings_type() -> DataType:
    from pyspark.sql.types import ArrayType, StringType, StructField, StructType

    item = StructType([StructField(name, StringType(), False) for name in _FINDING_FIELDS])
    return ArrayType(item, containsNull=False)


def _arrow_findings_type() -> pa.DataType:
    import pyarrow as pa

    item = pa.struct([pa.field(name, pa.string(), nullable=False) for name in _FINDING_FIELDS])
    return pa.list_(pa.field("element", item, nullable=False))


def _payload_schema() -> StructType:
    from pyspark.sql.types import BinaryType, LongType, StringType, StructField, StructType

    return StructType(
        [
            StructField("source", StringType(), False),
            StructField("position", LongType(), False),
            StructField("line", LongType(), True),
            StructField("index", LongType(), True),
            StructField("schema", StringType(), True),
            StructField("data", BinaryType(), True),
            StructField("findings", _findings_type(), False),
        ]
    )


def _arrow_payload_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            pa.field("source", pa.string(), nullable=False),
            pa.field("position", pa.int64(), nullable=False),
            pa.field("line", pa.int64()),
            pa.field("index", pa.int64()),
            pa.field("schema", pa.string()),
            pa.field("data", pa.binary()),
            pa.field("findings", _arrow_findings_type(), nullable=False),
        ]
    )


# --------------------------------------------------------------------------- rules


def _shipped(rules: Iterable[Rule]) -> tuple[Rule, ...]:
    """``rules`` as a tuple, their modules marked to be pickled by value for the executors.

    cloudpickle pickles a function by reference (module and name) when its module is imported
    here; an executor could not import a rules file loaded from a path, a test module or a
    notebook cell, so those modules travel by value. ``vox_validators`` itself is installed there.
    """
    from pyspark import cloudpickle

    shipped = tuple(rules)
    for extra in shipped:
        check = getattr(extra, "check", None)
        name = getattr(check, "__module__", None)
        if not name or name == "__main__" or name.split(".")[0] == "vox_validators":
            continue
        module = sys.modules.get(name)
        if module is not None:
            cloudpickle.register_pickle_by_value(module)  # type: ignore[no-untyped-call]
    return shipped


def _check_schema(schema: str) -> None:
    if schema not in SCHEMAS:
        raise ValueError(f"{schema!r} is not a schema of the spec; one of: {', '.join(SCHEMAS)}")


def _as_dicts(findings: Sequence[Finding]) -> list[dict[str, str]]:
    return [finding.as_dict() for finding in findings]


def _findings_of(items: list[dict[str, str]] | None) -> tuple[Finding, ...]:
    if not items:
        return ()
    return tuple(
        Finding(item["rule"], item["severity"], item["path"], item["message"])  # type: ignore[arg-type]
        for item in items
    )


def _null_finding(column: str) -> Finding:
    return Finding("parse", "error", "", f"null: no JSON document in column {column!r}")


# --------------------------------------------------------------------------- validate_dataframe


def validate_dataframe(
    df: DataFrame,
    column: str = "value",
    *,
    schema: str = "Campaign",
    strict: bool = False,
    rules: Iterable[Rule] = (),
) -> DataFrame:
    """``df`` with ``valid`` and ``findings`` for the JSON documents of ``column``.

    ``column`` is a string or binary column; each value is validated by
    :func:`vox_validators.validate_json` against ``schema`` (with ``strict`` and the extra
    ``rules``). A null value is a ``parse`` error. The other columns pass through unchanged.
    """
    from pyspark.sql.types import BinaryType, BooleanType, StringType, StructField, StructType

    _check_schema(schema)
    if column not in df.columns:
        raise ValueError(f"{column!r} is not a column of the DataFrame: {', '.join(df.columns)}")
    kind = df.schema[column].dataType
    if not isinstance(kind, StringType | BinaryType):
        raise ValueError(f"{column!r} is a {kind.simpleString()} column, not string or binary")
    for name in ("valid", "findings"):
        if name in df.columns:
            raise ValueError(f"{name!r} is already a column of the DataFrame; rename it first")
    position = df.columns.index(column)
    extra = _shipped(rules)
    output = StructType(
        [
            *df.schema.fields,
            StructField("valid", BooleanType(), False),
            StructField("findings", _findings_type(), False),
        ]
    )

    def check(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            valid: list[bool] = []
            found: list[list[dict[str, str]]] = []
            for value in batch.column(position).to_pylist():
                if value is None:
                    findings = [_null_finding(column)]
                else:
                    findings = _checked(value, schema, strict, extra)
                valid.append(not any(finding.severity == "error" for finding in findings))
                found.append(_as_dicts(findings))
            yield _with_verdicts(batch, valid, found)

    return df.mapInArrow(check, output)


def _checked(
    value: bytes | str,
    schema: str,
    strict: bool,
    rules: tuple[Rule, ...],
) -> list[Finding]:
    try:
        if rules:
            return validate_json(value, schema, strict=strict, rules=rules)
        return validate_json(value, schema, strict=strict)
    except Exception as error:  # a validator bug is a finding on this row, never a failed job
        return [Finding("internal", "error", "", f"the validator failed on this record: {error!r}")]


def _with_verdicts(
    batch: pa.RecordBatch, valid: list[bool], findings: list[list[dict[str, str]]]
) -> pa.RecordBatch:
    import pyarrow as pa

    return pa.RecordBatch.from_arrays(
        [*batch.columns, pa.array(valid, pa.bool_()), pa.array(findings, _arrow_findings_type())],
        names=[*batch.schema.names, "valid", "findings"],
    )


# --------------------------------------------------------------------------- read_payloads


def read_payloads(
    spark: SparkSession,
    paths: str | Sequence[str],
    *,
    schema: str = "Campaign",
    format: Format | None = None,
    names: Mapping[str, str] | None = None,
) -> DataFrame:
    """One row per record of the files at ``paths`` (files, directories, globs; any Hadoop URI).

    Each file is read whole by Spark's ``binaryFile`` source and cut into records by
    :func:`vox_validators.sources.iter_records` on the executor, so the records, their lines and
    the reader's findings are those of the local engine. A directory is read recursively; only
    its files with a recognised extension (``.json``, ``.jsonl``, ``.ndjson``, ``.yaml``, ``.yml``,
    ``.har``, each optionally ``.gz``) are kept, and Spark skips hidden ones (``.name``, ``_name``).
    ``format`` and ``schema`` are those of ``iter_records``. ``source`` is the file's path as Spark
    gives it (``file:/...``, ``s3a://...``), or ``names[path]`` when ``names`` maps it.

    A file named by ``paths`` is read whatever its extension.
    A file is one task and at most 2 GiB (a ``binaryFile`` limit); records are spread over the
    cluster by what follows (``validate_payloads`` on a repartitioned frame).
    """
    _check_schema(schema)
    if format is not None and format not in FORMATS:
        raise ValueError(f"{format!r} is not an input format; one of: {', '.join(FORMATS)}")
    listed = [paths] if isinstance(paths, str) else list(paths)
    renamed = dict(names or {})
    named = {*renamed, *listed, *(_local_uri(path) for path in listed)}
    contents, _ = _contents(spark, listed)
    return _payloads_of(contents, renamed, named, format, schema)


def _contents(spark: SparkSession, paths: list[str]) -> tuple[DataFrame, int]:
    """``path`` and ``content`` of every file at ``paths``, the empty ones included, and how
    many files there are (listing object storage is slow: it is done once)."""
    files = spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(paths)
    contents = files.select("path", "content")
    listed = {_spark_path(uri) for uri in files.inputFiles()}
    empty = _empty_files(files, listed)
    if empty:  # Spark plans no task for an empty file; the readers have a finding for it
        rows = [(path, b"") for path in empty]
        contents = contents.unionByName(spark.createDataFrame(rows, "path string, content binary"))
    return contents, len(listed)


def _empty_files(files: DataFrame, listed: set[str]) -> list[str]:
    """The empty files of a ``binaryFile`` frame, of the ``listed`` ones (named as its ``path``
    column names files).

    Spark lists them but reads no row from them (a scan of the file metadata finds them).
    """
    if not listed:
        return []
    read = {row.path for row in files.select("path").where("length > 0").collect()}
    return sorted(listed - read)


def _spark_path(uri: str) -> str:
    """``inputFiles()``'s URI (``file:///a%20b``) as ``binaryFile``'s path column (``file:/a b``)."""
    path = unquote(uri)
    return "file:/" + path.removeprefix("file:///") if path.startswith("file:///") else path


def _payloads_of(
    files: DataFrame,
    names: Mapping[str, str],
    named: set[str],
    format: Format | None,
    schema: str,
    *,
    only_unrecognised: bool = False,
) -> DataFrame:
    """The records of ``files`` (columns ``path``, ``content``) as :data:`PAYLOAD_COLUMNS` rows.

    A file is kept when its path is in ``named`` or its extension is recognised. With
    ``only_unrecognised``, ``format`` applies only to files whose extension does not say theirs
    (``voxkit validate --input-format``).
    """

    def explode(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for row, path in enumerate(batch.column(0).to_pylist()):
                name = names.get(path, path)
                recognised = is_recognised(name.rsplit("/", 1)[-1])
                if path not in named and not recognised:
                    continue  # found in a directory, but not an input file
                read_as = None if only_unrecognised and recognised else format
                content = batch.column(1)[row].as_py()
                yield from _records_of(content, name, read_as, schema)

    return files.mapInArrow(explode, _payload_schema())


def _local_uri(path: str) -> str:
    """How Spark names the local file ``path`` (``file:`` and the absolute path, not encoded)."""
    if _URI.match(path):
        return path
    return "file:" + os.path.abspath(path)  # noqa: PTH100 - normalised as Hadoop's Path is


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _records_of(
    content: bytes | None, name: str, format: Format | None, schema: str
) -> Iterator[pa.RecordBatch]:
    """The records of one file, as Arrow batches of :data:`PAYLOAD_COLUMNS`."""
    import pyarrow as pa

    arrow_schema = _arrow_payload_schema()
    columns: list[list[Any]] = [[] for _ in PAYLOAD_COLUMNS]
    source, position, line, index, kind, data, findings = columns
    size = 0
    for number, record in enumerate(
        iter_records(content or b"", format=format, schema=schema, name=name)
    ):
        source.append(record.source)
        position.append(number)
        line.append(record.line)
        index.append(record.index)
        kind.append(record.schema)
        data.append(record.data)
        findings.append(_as_dicts(record.findings))
        size += len(record.data or b"")
        if len(position) >= _BATCH_RECORDS or size >= _BATCH_BYTES:
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array(values, field.type)
                    for values, field in zip(columns, arrow_schema, strict=True)
                ],
                schema=arrow_schema,
            )
            for values in columns:
                values.clear()
            size = 0
    if position:
        yield pa.RecordBatch.from_arrays(
            [
                pa.array(values, field.type)
                for values, field in zip(columns, arrow_schema, strict=True)
            ],
            schema=arrow_schema,
        )


# --------------------------------------------------------------------------- validate_payloads


def validate_payloads(
    df: DataFrame, *, strict: bool = False, rules: Iterable[Rule] = ()
) -> DataFrame:
    """Rows of :func:`read_payloads` validated: ``findings`` (reader's, then validator's), ``valid``.

    Exactly :func:`vox_validators.validate_record` on each record: a row without ``data`` or
    without ``schema`` keeps only the reader's findings. Other columns pass through.
    """
    return _validate_payloads(df, strict=strict, rules=rules, keep=tuple(df.columns))


def _validate_payloads(
    df: DataFrame, *, strict: bool, rules: Iterable[Rule], keep: Sequence[str]
) -> DataFrame:
    """``validate_payloads`` returning only the columns ``keep`` (plus the verdicts)."""
    from pyspark.sql.types import BooleanType, StructField, StructType

    for name in ("source", "line", "index", "schema", "data", "findings"):
        if name not in df.columns:
            raise ValueError(
                f"{name!r} is not a column: validate_payloads reads read_payloads rows"
            )
    if "valid" in df.columns:
        raise ValueError("'valid' is already a column of the DataFrame; rename it first")
    kept = [name for name in keep if name != "findings"]
    order = df.columns
    at = {
        name: order.index(name)
        for name in (*kept, "source", "line", "index", "schema", "data", "findings")
    }
    extra = _shipped(rules)
    output = StructType(
        [
            *(df.schema[name] for name in kept),
            StructField("valid", BooleanType(), False),
            StructField("findings", _findings_type(), False),
        ]
    )

    def check(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        for batch in batches:
            column = batch.column
            sources = column(at["source"]).to_pylist()
            lines = column(at["line"]).to_pylist()
            indexes = column(at["index"]).to_pylist()
            schemas = column(at["schema"]).to_pylist()
            datas = column(at["data"]).to_pylist()
            readers = column(at["findings"]).to_pylist()
            valid: list[bool] = []
            found: list[list[dict[str, str]]] = []
            for row, data in enumerate(datas):
                record = Record(
                    sources[row],
                    lines[row],
                    indexes[row],
                    data,
                    schemas[row],
                    _findings_of(readers[row]),
                )
                if extra:
                    findings = validate_record(record, strict=strict, rules=extra)
                else:
                    findings = validate_record(record, strict=strict)
                valid.append(not any(finding.severity == "error" for finding in findings))
                found.append(_as_dicts(findings))
            yield pa.RecordBatch.from_arrays(
                [
                    *(column(at[name]) for name in kept),
                    pa.array(valid, pa.bool_()),
                    pa.array(found, _arrow_findings_type()),
                ],
                names=[*kept, "valid", "findings"],
            )

    return df.mapInArrow(check, output)
