"""``vox_validators.spark`` in local mode: the verdicts of ``validate_json`` and the public readers.

One Spark session (``local[2]``) serves the module; it is left running for the other Spark test
module of the run (``getOrCreate`` hands it over) and ends with the test process.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.spark import CASSETTES, EXAMPLES, RULES_FILE, build_corpus, spark_session
from vox_validators import Finding, rule, validate_json, validate_record
from vox_validators.rules import load_rules
from vox_validators.sources import iter_records

pytest.importorskip("pyspark", reason="PySpark is not installed (pip install 'voxkit[spark]')")
pytest.importorskip("pyarrow", reason="pyarrow is not installed (pip install 'voxkit[spark]')")

from vox_validators.spark import (
    PAYLOAD_COLUMNS,
    read_payloads,
    validate_dataframe,
    validate_payloads,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@rule(
    "ACME-W001",
    severity="warning",
    schemas=("Campaign",),
    description="Campaigns call at most 10,000 people.",
    source="ACME calling policy (a test rule)",
)
def at_most_ten_thousand_calls(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    total = record.get("total_calls")
    if isinstance(total, int) and total > 10_000:
        yield "/total_calls", f"{total} calls is more than the 10,000 ACME allows"


@pytest.fixture(scope="module")
def spark() -> SparkSession:
    return spark_session()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def file_rules(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    path = tmp_path_factory.mktemp("rules") / "acme_rules.py"
    path.write_text(RULES_FILE, "utf-8")
    return load_rules(str(path))


def corpus_files(corpus: Path) -> list[Path]:
    """The files Spark reads from the corpus directory (it skips ``_name`` files, as hidden)."""
    return sorted(
        path
        for path in corpus.rglob("*")
        if path.is_file() and path.suffix != ".txt" and not path.name.startswith("_")
    )


def as_dicts(findings: list[Finding]) -> list[dict[str, str]]:
    return [finding.as_dict() for finding in findings]


def documents(corpus: Path) -> list[bytes]:
    """Encoded documents of every kind: valid, invalid, unparseable, odd encodings."""
    found = [
        record.data
        for path in corpus_files(corpus)
        for record in iter_records(path)
        if record.data is not None
    ]
    return [*found, b"", b"{", b"null", b'"\\ud800"', '{"name": "캠페인"}'.encode(), b"\xff\xfe"]


# --------------------------------------------------------------------------- validate_dataframe


def test_validate_dataframe_agrees_with_validate_json(
    spark: SparkSession, corpus: Path, file_rules: list[Any]
) -> None:
    values = documents(corpus)
    rules = [at_most_ten_thousand_calls, *file_rules]
    df = spark.createDataFrame(
        [(i, value) for i, value in enumerate(values)], "id long, value binary"
    )
    rows = sorted(validate_dataframe(df, rules=rules).collect(), key=lambda row: row.id)
    assert [row.id for row in rows] == list(range(len(values)))
    fired = set()
    for row, value in zip(rows, values, strict=True):
        expected = validate_json(value, "Campaign", rules=rules)
        assert [item.asDict() for item in row.findings] == as_dicts(expected), value
        assert row.valid is not any(finding.severity == "error" for finding in expected)
        assert row.value == value  # the other columns pass through
        fired |= {finding.rule for finding in expected}
    assert {"ACME-W001", "ACME-E002", "parse"} <= fired  # both custom rules ran on executors
    assert any(rule.startswith("schema/") for rule in fired)


def test_validate_dataframe_reads_a_string_column_strictly_against_any_schema(
    spark: SparkSession, corpus: Path
) -> None:
    values = [value.decode("utf-8", "surrogatepass") for value in documents(corpus)[:40]]
    values += ['{"id": "cmp_1", "unknown_member": 1}', '{"error": {"code": "x"}}']
    df = spark.createDataFrame([(value,) for value in values], "body string")
    for schema in ("Campaign", "ErrorEnvelope"):
        rows = validate_dataframe(df, "body", schema=schema, strict=True).collect()
        got = {row.body: [item.asDict() for item in row.findings] for row in rows}
        for value in values:
            assert got[value] == as_dicts(validate_json(value, schema, strict=True))


def test_a_null_document_and_a_failing_rule_are_findings_not_a_failed_job(
    spark: SparkSession,
) -> None:
    @rule("ACME-E900", severity="error", description="Always breaks.", source="a test")
    def breaks(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        raise RuntimeError("boom")
        yield "", ""  # pragma: no cover - a generator that raises

    campaign = (EXAMPLES / "valid" / "campaign-ongoing.json").read_text()
    df = spark.createDataFrame([(None,), (campaign,)], "value string")
    rows = validate_dataframe(df, rules=[breaks]).collect()
    assert rows[0].valid is False
    assert [item.rule for item in rows[0].findings] == ["parse"]
    assert rows[0].findings[0].message == "null: no JSON document in column 'value'"
    assert [item.asDict() for item in rows[1].findings] == as_dicts(
        validate_json(campaign, rules=[breaks])
    )
    assert [item.rule for item in rows[1].findings] == ["internal"]


def test_validate_dataframe_refuses_what_it_cannot_validate(spark: SparkSession) -> None:
    df = spark.createDataFrame([(1, "{}")], "value long, body string")
    with pytest.raises(ValueError, match="'value' is a bigint column, not string or binary"):
        validate_dataframe(df)
    with pytest.raises(ValueError, match="'missing' is not a column"):
        validate_dataframe(df, "missing")
    with pytest.raises(ValueError, match="'Nope' is not a schema of the spec"):
        validate_dataframe(df, "body", schema="Nope")


def test_importing_vox_validators_does_not_import_pyspark() -> None:
    code = "import vox_validators, vox_validators.sources, sys; print('pyspark' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# --------------------------------------------------------------------------- read_payloads


def local_records(path: Path, name: str) -> list[tuple[Any, ...]]:
    return [
        (r.source, r.line, r.index, r.schema, r.data, [f.as_dict() for f in r.findings])
        for r in iter_records(path, name=name)
    ]


def test_read_payloads_gives_the_records_of_the_public_readers(
    spark: SparkSession, corpus: Path
) -> None:
    frame = read_payloads(spark, [str(corpus)])
    assert tuple(frame.columns) == PAYLOAD_COLUMNS
    rows = frame.collect()
    by_source: dict[str, list[Any]] = {}
    for row in rows:
        by_source.setdefault(row.source, []).append(row)
    expected_sources = {"file:" + str(path) for path in corpus_files(corpus)}
    assert set(by_source) == expected_sources  # notes.txt is not an input file
    kinds = set()
    for path in corpus_files(corpus):
        name = "file:" + str(path)
        got = sorted(by_source[name], key=lambda row: row.position)
        assert [row.position for row in got] == list(range(len(got)))
        assert [
            (r.source, r.line, r["index"], r.schema, r.data, [f.asDict() for f in r.findings])
            for r in got
        ] == local_records(path, name), path
        kinds |= {row.schema for row in got}
    assert {"Campaign", "ErrorEnvelope", None} <= kinds  # cassettes and HAR entries included


def test_read_payloads_names_and_formats(spark: SparkSession, corpus: Path, tmp_path: Path) -> None:
    cassette = tmp_path / "recorded.txt"  # an extension that says nothing
    shutil.copy(CASSETTES / "update_400_blank_name.yaml", cassette)
    key = "file:" + str(cassette)
    rows = read_payloads(spark, str(cassette), format="cassette", names={key: "recorded"}).collect()
    expected = list(iter_records(cassette, format="cassette", name="recorded"))
    assert [(row.source, row.line, row["index"], row.schema, row.data) for row in rows] == [
        (r.source, r.line, r.index, r.schema, r.data) for r in expected
    ]
    with pytest.raises(ValueError, match="'yaml' is not an input format"):
        read_payloads(spark, str(cassette), format="yaml")  # type: ignore[arg-type]


def test_validate_payloads_agrees_with_validate_record(
    spark: SparkSession, corpus: Path, file_rules: list[Any]
) -> None:
    rules = [at_most_ten_thousand_calls, *file_rules]
    frame = read_payloads(spark, [str(corpus)]).repartition(3)
    rows = validate_payloads(frame, strict=True, rules=rules).collect()
    got = {(row.source, row.position): row for row in rows}
    count = 0
    for path in corpus_files(corpus):
        name = "file:" + str(path)
        for position, record in enumerate(iter_records(path, name=name)):
            row = got[(name, position)]
            expected = validate_record(record, strict=True, rules=rules)
            assert [item.asDict() for item in row.findings] == as_dicts(expected), record
            assert row.valid is not any(finding.severity == "error" for finding in expected)
            count += 1
    assert count == len(rows)
