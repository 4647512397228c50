"""``vox_validators.sources.iter_records`` and ``validate_record`` as a library: every kind of source."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import pickle
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

import vox_validators.sources
from tests.support.validate import EXAMPLES, FIXTURES, VALID_JSONL, campaign, write_jsonl
from vox_validators import Finding, validate_record
from vox_validators.rules import rule
from vox_validators.sources import FORMATS, MAX_RECORD_BYTES, Record, iter_records

CASSETTE = EXAMPLES / "traffic" / "campaigns-api.yaml"
HAR = FIXTURES / "session.har"


def located(records: Iterable[Record]) -> list[tuple[str, int | None, int | None]]:
    return [(record.source, record.line, record.index) for record in records]


def rules_of(records: Iterable[Record]) -> list[list[str]]:
    return [[finding.rule for finding in validate_record(record)] for record in records]


# --------------------------------------------------------------------------- the public face


def test_the_public_names() -> None:
    assert vox_validators.sources.__all__ == [
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
    assert FORMATS == ("json", "jsonl", "cassette", "har")
    assert MAX_RECORD_BYTES == 64 * 1024 * 1024
    assert [field.name for field in dataclasses.fields(Record)] == [
        "source",
        "line",
        "index",
        "data",
        "schema",
        "findings",
    ]


def test_reading_loads_no_validator() -> None:
    # The readers stand alone (Spark executors, the generator's tools): the validator, its schema
    # bundle and its decoders load only with validate_record.
    code = (
        "import sys, vox_validators.sources; "
        "print(sorted(m for m in ('jsonschema', 'msgspec', 'vox_validators._validate') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "[]\n"


def test_a_record_is_frozen_and_picklable() -> None:
    record = Record("a.jsonl", 3, None, b"{}", "Campaign", (Finding("parse", "error", "", "m"),))
    assert pickle.loads(pickle.dumps(record)) == record
    assert hash(record) == hash(Record("a.jsonl", 3, None, b"{}", "Campaign", record.findings))
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.line = 4  # type: ignore[misc]
    assert Record("s", None, 0, None, None).findings == ()


# --------------------------------------------------------------------------- kinds of source


def test_a_path_as_str_or_path_like() -> None:
    lines = VALID_JSONL.read_bytes().splitlines()
    for source in (str(VALID_JSONL), VALID_JSONL):
        records = list(iter_records(source))
        assert records == [
            Record(str(VALID_JSONL), number, None, line, "Campaign", ())
            for number, line in enumerate(lines, start=1)
        ]


def test_bytes_and_file_objects() -> None:
    data = VALID_JSONL.read_bytes()
    expected = [(r.line, r.index, r.data) for r in iter_records(VALID_JSONL)]
    from_bytes = list(iter_records(data))
    assert [(r.line, r.index, r.data) for r in from_bytes] == expected
    assert {r.source for r in from_bytes} == {"<bytes>"}
    stream = io.BytesIO(data)
    from_stream = list(iter_records(stream))
    assert [(r.line, r.index, r.data) for r in from_stream] == expected
    assert {r.source for r in from_stream} == {"<stdin>"}
    assert not stream.closed  # the caller's to close
    with VALID_JSONL.open("rb") as opened:
        assert [(r.line, r.data) for r in iter_records(opened, name="mine")] == [
            (line, data) for line, _, data in expected
        ]
    assert [r.source for r in iter_records(bytearray(data), name="x.jsonl")][:1] == ["x.jsonl"]


def test_the_name_of_bytes_says_the_format_as_a_path_would() -> None:
    data = CASSETTE.read_bytes()
    as_cassette = list(iter_records(data, name="capture.yaml"))
    assert located(as_cassette) == [
        ("capture.yaml", r.line, r.index) for r in iter_records(CASSETTE)
    ]
    assert all(r.schema is not None for r in as_cassette[:6])


def test_a_directory_is_walked_as_the_command_walks_it(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "b.jsonl", [campaign("draft"), campaign("fail")])
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.json").write_text(json.dumps([campaign("paused")]), "utf-8")
    (tmp_path / "sub" / "c.jsonl.gz").write_bytes(gzip.compress(b'{"id": 1}\n'))
    (tmp_path / "notes.txt").write_text("not a payload", "utf-8")
    (tmp_path / ".hidden.json").write_text("{", "utf-8")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert located(iter_records(tmp_path)) == [
        (str(tmp_path / "b.jsonl"), 1, None),
        (str(tmp_path / "b.jsonl"), 2, None),
        (str(tmp_path / "sub" / "a.json"), 1, 0),
        (str(tmp_path / "sub" / "c.jsonl.gz"), 1, None),
    ]
    assert located(iter_records(str(tmp_path))) == located(iter_records(tmp_path))
    (tmp_path / "empty").mkdir()
    assert list(iter_records(tmp_path / "empty")) == []


def test_what_cannot_be_opened_raises_at_the_call(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        iter_records(tmp_path / "missing.jsonl")
    with pytest.raises(ValueError, match="'xml' is not an input format; one of: json, jsonl"):
        iter_records(b"{}", format="xml")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cannot read records from a int"):
        iter_records(3)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- formats


def test_format_cassette_reads_a_cassette_under_any_name() -> None:
    data = CASSETTE.read_bytes()
    expected = [(r.line, r.index, r.data, r.schema, r.findings) for r in iter_records(CASSETTE)]
    for source in (data, io.BytesIO(data)):
        records = list(iter_records(source, format="cassette"))
        assert [(r.line, r.index, r.data, r.schema, r.findings) for r in records] == expected
    # Sniffed as JSON instead, a cassette is nothing but parse errors.
    assert {rule for rules in rules_of(iter_records(data)) for rule in rules} == {"parse"}


def test_records_of_traffic_carry_the_documented_schema() -> None:
    records = list(iter_records(CASSETTE))
    assert [r.schema for r in records] == [
        "Campaign",  # GET 200
        "Campaign",  # PATCH 200
        "ErrorEnvelope",  # POST 400
        "ErrorEnvelope",  # GET 404
        "Campaign",
        "ErrorEnvelope",  # 503: the 5XX response
        None,  # GET /v2/campaigns: undocumented
    ]
    assert records[6].data is None
    assert [f.rule for f in records[6].findings] == ["undocumented"]
    har = list(iter_records(HAR))
    assert [(r.schema, [f.rule for f in r.findings]) for r in har] == [
        ("Campaign", []),
        ("Campaign", []),
        ("ErrorEnvelope", []),
        ("ErrorEnvelope", []),
        (None, ["not-captured"]),
        (None, ["undocumented"]),
    ]
    assert list(iter_records(HAR.read_bytes(), format="har")) == [
        dataclasses.replace(r, source="<bytes>") for r in har
    ]


def test_format_jsonl_and_json_override_the_extension(tmp_path: Path) -> None:
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps([campaign("draft"), campaign("fail")], indent=2), "utf-8")
    assert [r.index for r in iter_records(pretty)] == [0, 1]
    as_lines = list(iter_records(pretty, format="jsonl"))
    assert len(as_lines) == len(pretty.read_text("utf-8").splitlines())
    assert all(r.index is None for r in as_lines)
    array = tmp_path / "array.jsonl"
    array.write_bytes(pretty.read_bytes())
    assert len(list(iter_records(array))) == len(as_lines)  # the extension: JSON Lines
    assert [r.index for r in iter_records(array, format="json")] == [0, 1]


def test_gzip_whatever_the_format_says(tmp_path: Path) -> None:
    plain = list(iter_records(CASSETTE))
    packed = gzip.compress(CASSETTE.read_bytes())
    assert [r.data for r in iter_records(packed, format="cassette")] == [r.data for r in plain]
    (tmp_path / "c.yaml.gz").write_bytes(packed)
    assert [r.data for r in iter_records(tmp_path / "c.yaml.gz")] == [r.data for r in plain]
    lines = gzip.compress(VALID_JSONL.read_bytes())
    for source in (lines, io.BytesIO(lines)):
        assert [r.data for r in iter_records(source)] == [r.data for r in iter_records(VALID_JSONL)]


def test_schema_is_for_plain_json_and_json_lines() -> None:
    envelope = b'{"error": {"code": "x", "message": "m"}}\n'
    [record] = iter_records(envelope, schema="ErrorEnvelope")
    assert record.schema == "ErrorEnvelope"
    assert validate_record(record) == []
    assert [r.schema for r in iter_records(CASSETTE, schema="ErrorEnvelope")][:2] == [
        "Campaign",
        "Campaign",
    ]


def test_unreadable_records_are_records_with_a_parse_finding() -> None:
    records = list(iter_records(b'{"id": 1}\n{broken\n\n[1, 2'))
    assert [(r.line, r.data is not None) for r in records] == [(1, True), (2, True), (4, True)]
    [empty] = iter_records(b"")
    assert empty.data is None
    assert [(f.rule, f.message) for f in empty.findings] == [
        ("parse", "no JSON value: the input is empty")
    ]


# --------------------------------------------------------------------------- validate_record


@rule(
    "TEST-W100",
    severity="warning",
    description="A test rule: campaigns named 'forbidden'.",
    source="tests",
)
def no_forbidden_name(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if record.get("name") == "forbidden":
        yield "/name", "'forbidden' is a forbidden name"


def test_validate_record_is_reader_findings_then_validate_json() -> None:
    records = list(iter_records(CASSETTE))
    assert validate_record(records[0]) == []
    assert [f.rule for f in validate_record(records[5])] == ["schema/required"]
    assert validate_record(records[6]) == list(records[6].findings)  # no data: nothing else
    record = Record("s", 1, None, json.dumps({**campaign("draft"), "x": 1}).encode(), "Campaign")
    assert validate_record(record) == []
    assert [f.rule for f in validate_record(record, strict=True)] == ["drift"]
    named = dataclasses.replace(
        record, data=json.dumps({**campaign("draft"), "name": "forbidden"}).encode()
    )
    assert validate_record(named) == []
    assert [f.rule for f in validate_record(named, rules=[no_forbidden_name])] == ["TEST-W100"]


def test_validate_record_never_raises_for_a_bad_record() -> None:
    reader = Finding("parse", "error", "", "input ends early")
    record = Record("s", 1, None, b'{"id": "x', "Campaign", (reader,))
    assert [f.rule for f in validate_record(record)] == ["parse", "parse"]
    unknown = Record("s", 1, None, b"{}", "NoSuchSchema")
    [finding] = validate_record(unknown)
    assert (finding.rule, finding.severity, finding.path) == ("internal", "error", "")
    assert finding.message.startswith("the validator failed on this record: KeyError(")
    assert validate_record(Record("s", 1, None, b"{}", None)) == []
