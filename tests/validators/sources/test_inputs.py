"""``voxkit validate`` on bad input: a finding on the record or one clear line, never a traceback."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

import pytest

import vox_validators.sources._chunks
from tests.support.validate import campaign, invoke, parse_jsonl, rules_of, write_jsonl

BOM = b"\xef\xbb\xbf"


def records_of(path: Path, *extra: str) -> tuple[list[dict[str, Any]], int]:
    result = invoke([str(path), "--format", "jsonl", *extra])
    records, _ = parse_jsonl(result.stdout)
    return records, result.exit_code


def verdicts(records: list[dict[str, Any]]) -> list[tuple[int | None, int | None, bool]]:
    return [(r["line"], r["index"], r["valid"]) for r in records]


def good_line() -> bytes:
    return json.dumps(campaign("ongoing"), ensure_ascii=False).encode() + b"\n"


def test_a_malformed_line_does_not_stop_the_others(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(good_line() + b'{"id": "x",,}\n' + b"\n   \n" + good_line())
    records, status = records_of(path)
    assert verdicts(records) == [(1, None, True), (2, None, False), (5, None, True)]
    assert rules_of(records[1]) == ["parse"]
    assert status == 1


def test_a_truncated_last_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(good_line() + good_line()[:50])
    records, _ = records_of(path)
    assert verdicts(records) == [(1, None, True), (2, None, False)]
    assert rules_of(records[1]) == ["parse"]


def test_a_truncated_array(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    text = json.dumps([campaign("draft"), campaign("fail")], indent=2)
    path.write_text(text[: len(text) // 2 + 40], "utf-8")
    records, _ = records_of(path)
    assert [(r["index"], r["valid"]) for r in records] == [(0, True), (1, False)]
    assert rules_of(records[1]) == ["parse"]


def test_an_array_that_is_never_closed(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(
        "[" + json.dumps(campaign("draft")) + ",\n" + json.dumps(campaign("fail")) + "\n"
    )
    records, _ = records_of(path)
    assert verdicts(records) == [(1, 0, True), (2, 1, True), (3, None, False)]
    assert "the array is not closed" in records[2]["findings"][0]["message"]


def test_a_malformed_array(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    good = json.dumps(campaign("draft"))
    path.write_text(f'[{good},, "]}},[{{\\"", {good} {good}, {good},] trailing', "utf-8")
    records, _ = records_of(path)
    assert [(r["index"], r["valid"], rules_of(r)[:1]) for r in records] == [
        (0, True, []),
        (1, False, ["parse"]),  # the empty element between the commas
        (2, False, ["schema/type"]),  # a string with brackets in it
        (3, False, ["parse"]),  # two objects without a comma
        (4, True, []),
        (5, False, ["parse"]),  # the trailing comma
        (None, False, ["parse"]),  # data after the array
    ]


def test_a_truncated_gzip_stream_keeps_the_records_before(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl.gz"
    lines = b"".join(
        json.dumps(
            {**campaign("ongoing"), "id": f"cmp_{n}", "name": f"{random.Random(n).random()}"}
        ).encode()
        + b"\n"
        for n in range(300)
    )
    compressed = gzip.compress(lines)
    path.write_bytes(compressed[: len(compressed) // 2])
    records, status = records_of(path)
    assert status == 1
    assert all(r["valid"] for r in records[:-1])
    assert 10 < len(records) < 300
    assert [r["line"] for r in records[:-1]] == list(range(1, len(records)))
    messages = [finding["message"] for finding in records[-1]["findings"]]
    assert "truncated gzip stream" in messages[0]  # then the JSON parser's view of the partial line


def test_a_gz_file_that_is_not_gzip(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(good_line())
    records, _ = records_of(path)
    assert len(records) == 1
    assert rules_of(records[0]) == ["parse"]
    assert "cannot read further" in records[0]["findings"][0]["message"]


@pytest.mark.parametrize("name", ["junk.json", "junk.jsonl", "junk.bin", "junk.yaml", "junk.har"])
def test_binary_junk(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(random.Random(3).randbytes(200_000))
    records, status = records_of(path)
    assert status == 1
    assert records
    assert all(not r["valid"] and rules_of(r) == ["parse"] for r in records)


@pytest.mark.parametrize("layout", ["jsonl", "array", "pretty"])
def test_a_byte_order_mark_at_the_start_is_ignored(tmp_path: Path, layout: str) -> None:
    record = campaign("paused")
    data = {
        "jsonl": json.dumps(record) + "\n",
        "array": json.dumps([record]),
        "pretty": json.dumps(record, indent=2),
    }[layout]
    path = tmp_path / ("a.jsonl" if layout == "jsonl" else "a.json")
    path.write_bytes(BOM + data.encode())
    records, status = records_of(path)
    assert [r["valid"] for r in records] == [True]
    assert status == 0


def test_invalid_utf8_is_a_parse_finding(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(good_line().replace(b"production", b"produc\xff\xfeion") + good_line())
    records, _ = records_of(path)
    assert verdicts(records) == [(1, None, False), (2, None, True)]
    assert rules_of(records[0]) == ["parse"]


def test_huge_integers_nan_and_deep_nesting(tmp_path: Path) -> None:
    huge = good_line().replace(b'"total_calls": 1200', b'"total_calls": ' + b"9" * 400)
    nan = good_line().replace(b'"total_calls": 1200', b'"total_calls": NaN')
    deep = b"[" * 100_000 + b"]" * 100_000 + b"\n"
    deep_unknown = good_line().replace(
        b'{"id"', b'{"extra": ' + b"[" * 5000 + b"]" * 5000 + b', "id"'
    )
    path = tmp_path / "a.jsonl"
    path.write_bytes(huge + nan + deep + deep_unknown + good_line())
    records, status = records_of(path)
    assert status == 1
    assert [r["line"] for r in records] == [1, 2, 3, 4, 5]
    assert records[1]["valid"] is False  # NaN is not an integer
    assert records[2]["valid"] is False
    assert records[4]["valid"] is True


def test_deep_nesting_in_an_array_element(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b"[" + b"[" * 100_000 + b"]" * 100_000 + b", " + good_line() + b"]")
    records, _ = records_of(path)
    assert [(r["index"], r["valid"]) for r in records] == [(0, False), (1, True)]


@pytest.mark.parametrize(
    ("name", "count"), [("empty.json", 1), ("blank.json", 1), ("empty.jsonl", 0)]
)
def test_empty_files(tmp_path: Path, name: str, count: int) -> None:
    path = tmp_path / name
    path.write_text("" if name.startswith("empty") else " \n\t\n", "utf-8")
    records, status = records_of(path)
    assert len(records) == count
    assert status == (1 if count else 0)
    if count:
        assert records[0]["findings"][0]["message"] == "no JSON value: the input is empty"


@pytest.mark.parametrize("layout", ["jsonl", "array"])
@pytest.mark.parametrize("bulk", ["x\\" * 5000, [1, {"a": "b"}] * 2000])
def test_a_record_too_large_to_hold_is_reported_and_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, bulk: object
) -> None:
    monkeypatch.setattr(vox_validators.sources._chunks, "READ_CHUNK_BYTES", 512)
    big = json.dumps({**campaign("ongoing"), "notes": bulk})
    small = json.dumps(campaign("ongoing"))
    if layout == "jsonl":
        path = tmp_path / "a.jsonl"
        path.write_text(f"{small}\n{big}\n{small}\n", "utf-8")
    else:
        path = tmp_path / "a.json"
        path.write_text(f"[{small}, {big}, {small}]", "utf-8")
    records, _ = records_of(path, "--max-record-size", "3000")
    assert [r["valid"] for r in records] == [True, False, True]
    assert rules_of(records[1]) == ["limit"]
    assert "larger than" in records[1]["findings"][0]["message"]
    assert records[2]["line" if layout == "jsonl" else "index"] in (2, 3)


# --------------------------------------------------------------------------- chunk boundaries

TRICKY_ARRAY = (
    '[\n  {"id": "a,b]c}", "name": "quote \\" and backslash \\\\", "n": [1, [2, {"x": "]"}]]},\n'
    '  "\\u00e9\\ud83d\\ude00 ,]",\n  [ ],\n  {},\n  12.5e3 , null,true  ,\n'
    '  {"multi":\n    {"line": ["]", "}"]}\n  }\n]\n'
)
TRICKY_LINES = '{"a": "}{"}\n\n  {"b": [1,\n2]}\n["x"]\n{"c": "\\"]"}\n{broken\n'
TRICKY_DOCUMENTS = '{\n  "a": "} {",\n  "b": [\n    1\n  ]\n}\n{\n  "c": 1\n}\n'


@pytest.mark.parametrize("content", [TRICKY_ARRAY, TRICKY_LINES, TRICKY_DOCUMENTS])
@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 64])
def test_chunk_boundaries_do_not_change_the_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, chunk_size: int
) -> None:
    path = tmp_path / "a.json"
    path.write_text(content, "utf-8")
    expected, _ = records_of(path)
    monkeypatch.setattr(vox_validators.sources._chunks, "READ_CHUNK_BYTES", chunk_size)
    assert records_of(path)[0] == expected
    gz = tmp_path / "a.json.gz"
    gz.write_bytes(gzip.compress(content.encode()))
    assert [{**r, "source": str(path)} for r in records_of(gz)[0]] == expected


def test_the_tricky_array_is_cut_where_json_says() -> None:
    elements = json.loads(TRICKY_ARRAY)
    result = invoke(["-", "--format", "jsonl"], stdin=TRICKY_ARRAY.encode())
    records, _ = parse_jsonl(result.stdout)
    assert [r["index"] for r in records] == list(range(len(elements)))
    assert [r["line"] for r in records] == [2, 3, 4, 5, 6, 6, 6, 7]


def test_documents_mode_finds_each_document() -> None:
    result = invoke(["-", "--format", "jsonl"], stdin=TRICKY_DOCUMENTS.encode())
    records, _ = parse_jsonl(result.stdout)
    assert [(r["line"], rules_of(r)[0]) for r in records] == [
        (1, "schema/required"),
        (7, "schema/required"),
    ]


def test_lines_mode_when_the_first_line_is_a_whole_value() -> None:
    result = invoke(["-", "--format", "jsonl"], stdin=TRICKY_LINES.encode())
    records, _ = parse_jsonl(result.stdout)
    assert [r["line"] for r in records] == [1, 3, 4, 5, 6, 7]
    assert [rules_of(r)[0] for r in records] == [
        "schema/required",
        "parse",  # JSON Lines: a record never spans lines
        "parse",
        "schema/type",
        "schema/required",
        "parse",
    ]


def test_stdin_given_twice_reads_once_then_is_empty(tmp_path: Path) -> None:
    result = invoke(["-", "-", "--format", "jsonl"], stdin=good_line())
    records, _ = parse_jsonl(result.stdout)
    assert [r["valid"] for r in records] == [True, False]


def test_unknown_extension_in_a_directory_is_noted_not_read(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [campaign("draft")])
    (tmp_path / "a.csv").write_text("id,name\n")
    result = invoke([str(tmp_path)])
    assert result.exit_code == 0
    assert result.stderr.startswith(f"voxkit: note: {tmp_path}: ignored 1 entries")


def test_symbolic_links_to_directories_are_noted_not_followed(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [campaign("draft")])
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    result = invoke([str(tmp_path), "--format", "jsonl"])
    records, _ = parse_jsonl(result.stdout)
    assert len(records) == 1
    assert "ignored 1 entries" in result.stderr
    assert str(tmp_path / "loop") in result.stderr


@pytest.mark.parametrize("layout", ["jsonl", "array", "pretty"])
def test_windows_line_endings(tmp_path: Path, layout: str) -> None:
    records = [campaign("draft"), campaign("fail")]
    text = {
        "jsonl": "".join(json.dumps(r) + "\n" for r in records),
        "array": json.dumps(records, indent=2),
        "pretty": json.dumps(records[0], indent=2),
    }[layout]
    path = tmp_path / ("a.jsonl" if layout == "jsonl" else "a.json")
    path.write_bytes(text.replace("\n", "\r\n").encode())
    found, status = records_of(path)
    assert status == 0
    expected_lines = {"jsonl": [1, 2], "array": [2, 40], "pretty": [1]}[layout]
    assert [r["line"] for r in found] == expected_lines
