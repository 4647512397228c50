"""The readers' limits (``vox_validators.sources.Limits``) and the hostile inputs of issue 9.

Whatever is over a limit is one ``limit`` finding naming the limit and how to raise it, in every
reader; an odd shape is a finding on its own record; whitespace costs no memory; a file that
shrinks while it is read says what was lost. Memory-heavy cases run in a child process with an
address-space limit (tests.support.memory), so a regression fails the test, not the machine.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import pickle
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import vox_validators.sources._chunks
import vox_validators.sources._har
from tests.support.memory import run_limited
from tests.support.streams import pipe
from tests.support.validate import campaign
from vox_validators import validate_record
from vox_validators.sources import Format, Limits, Record, discover, iter_records

MiB = 1024 * 1024
GET = "https://client-api.tryvox.co/v3/campaigns/cmp_01JD3W6Q8N4K2M7R5T9V0X0003"
SMALL = Limits(record=4000)


def good() -> bytes:
    return json.dumps(campaign("ongoing")).encode()


def big() -> bytes:
    """A valid campaign larger than SMALL.record (and than any chunk boundary it could hide in)."""
    return json.dumps({**campaign("ongoing"), "notes": "x" * 6000}).encode()


def verdicts(records: Iterator[Record] | list[Record]) -> list[list[str]]:
    return [[finding.rule for finding in validate_record(record)] for record in records]


def limit_messages(records: list[Record]) -> list[str]:
    return [f.message for record in records for f in record.findings if f.rule == "limit"]


# --------------------------------------------------------------------------- the public value


def test_limits_are_one_public_value_with_sane_defaults() -> None:
    limits = Limits()
    assert (limits.record, limits.input, limits.nodes) == (64 * MiB, 256 * MiB, 1_000_000)
    assert pickle.loads(pickle.dumps(SMALL)) == SMALL
    for wrong in ({"record": 0}, {"input": -1}, {"nodes": 1.5}, {"record": True}):
        with pytest.raises(ValueError, match="is not a limit"):
            Limits(**wrong)
    with pytest.raises(TypeError, match="not a Limits"):
        iter_records(b"{}", limits={"record": 10})  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the record limit


def _cassette(bodies: list[dict[str, Any]], headers: dict[str, list[str]] | None = None) -> bytes:
    interactions = [
        {
            "request": {"method": "GET", "uri": GET, "body": None, "headers": {}},
            "response": {
                "status": {"code": 200, "message": "OK"},
                "headers": headers or {},
                "body": body,
            },
        }
        for body in bodies
    ]
    return yaml.safe_dump({"interactions": interactions, "version": 1}).encode()


def _har(contents: list[dict[str, Any]], headers: list[dict[str, str]] | None = None) -> bytes:
    entries = [
        {
            "request": {"method": "GET", "url": GET, "headers": []},
            "response": {"status": 200, "headers": headers or [], "content": content},
        }
        for content in contents
    ]
    return json.dumps({"log": {"version": "1.2", "entries": entries}}).encode()


def _every_reader() -> dict[str, tuple[Format, bytes]]:
    """Per reader: a format and an input whose second record is over SMALL.record."""
    small, large = good(), big()
    return {
        "jsonl": ("jsonl", b"\n".join([small, large, small]) + b"\n"),
        "json lines, sniffed": ("json", b"\n".join([small, large, small]) + b"\n"),
        "array": ("json", b"[" + b",\n".join([small, large, small]) + b"]"),
        "documents": (
            "json",
            b"\n".join(json.dumps(json.loads(r), indent=2).encode() for r in (small, large, small)),
        ),
        "cassette text": (
            "cassette",
            _cassette([{"string": r.decode()} for r in (small, large, small)]),
        ),
        "cassette gzip body": (
            "cassette",
            _cassette(
                [{"string": gzip.compress(r)} for r in (small, large, small)],
                {"Content-Encoding": ["gzip"]},
            ),
        ),
        "har text": ("har", _har([{"text": r.decode()} for r in (small, large, small)])),
        "har base64": (
            "har",
            _har(
                [
                    {"text": base64.b64encode(r).decode(), "encoding": "base64"}
                    for r in (small, large, small)
                ]
            ),
        ),
        "har gzip body": (
            "har",
            _har(
                [
                    {"text": base64.b64encode(gzip.compress(r)).decode(), "encoding": "base64"}
                    for r in (small, large, small)
                ],
                [{"name": "Content-Encoding", "value": "gzip"}],
            ),
        ),
    }


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("reader", list(_every_reader()))
def test_every_reader_makes_a_record_over_the_limit_one_limit_finding(
    reader: str, compress: bool
) -> None:
    kind, content = _every_reader()[reader]
    if compress:
        content = gzip.compress(content)
    records = list(iter_records(content, format=kind, limits=SMALL))
    assert verdicts(records) == [[], ["limit"], []], reader
    [message] = limit_messages(records)
    assert "larger than 3.9 KiB, the record limit" in message
    assert "--max-record-size" in message
    assert "Limits(record=...)" in message
    assert records[1].data is None
    # The default limits let the same record through.
    assert verdicts(iter_records(content, format=kind)) == [[], [], []]


def test_a_compressed_body_is_limited_by_what_it_decompresses_to() -> None:
    limits = Limits(record=64 * 1024)
    bomb = gzip.compress(b" " * (8 * MiB))  # 8 KiB that decompress to 8 MiB
    assert len(bomb) < limits.record
    for content in (
        _cassette([{"string": bomb}], {"Content-Encoding": ["gzip"]}),
        _har(
            [{"text": base64.b64encode(bomb).decode(), "encoding": "base64"}],
            [{"name": "Content-Encoding", "value": "gzip"}],
        ),
    ):
        kind: Format = "cassette" if content.startswith(b"interactions") else "har"
        records = list(iter_records(content, format=kind, limits=limits))
        assert verdicts(records) == [["limit"]]
        assert (
            "the gzip response body, decoded, is larger than 64 KiB" in (limit_messages(records)[0])
        )


# --------------------------------------------------------------------------- inputs read whole


def _read_beside_jsonl(
    tmp_path: Path, name: str, content: bytes, compress: bool, limits: Limits
) -> tuple[list[Record], list[tuple[str, list[str]]]]:
    """``content`` written as ``name`` (gzipped when asked) beside a one-record ``b.jsonl``, the
    folder read with ``limits``: the records, and each one's file name and rules."""
    (tmp_path / name).write_bytes(gzip.compress(content) if compress else content)
    (tmp_path / "b.jsonl").write_bytes(good() + b"\n")
    records = list(iter_records(str(tmp_path), limits=limits))
    named = [
        (Path(r.source).name, rules) for r, rules in zip(records, verdicts(records), strict=True)
    ]
    return records, named


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_a_whole_input_over_the_input_limit_is_one_finding_and_the_next_input_is_read(
    tmp_path: Path, compress: bool
) -> None:
    # HAR files are streamed: their input limit is on one entry (test_har_streaming.py). A
    # cassette is read whole only when its layout is in doubt (here: a "---" document start) or
    # it cannot seek.
    content = b"---\n" + _cassette([{"string": good().decode()}] * 3) + b" " * (2 * MiB)
    name = "a.yaml" + (".gz" if compress else "")
    limits = Limits(input=MiB)
    records, named = _read_beside_jsonl(tmp_path, name, content, compress, limits)
    assert named == [(name, ["limit"]), ("b.jsonl", [])]
    message = limit_messages(records)[0]
    decompressed = ", decompressed," if compress else ""
    assert f"{decompressed} is larger than 1 MiB, the input limit; not read" in message
    assert "--max-input-size" in message
    # The same from a pipe (not seekable: read up to the limit) and from bytes.
    for source in (pipe((tmp_path / name).read_bytes()), (tmp_path / name).read_bytes()):
        found = list(iter_records(source, format="cassette", limits=limits))
        assert verdicts(found) == [["limit"]]
        assert "the input limit; not read" in limit_messages(found)[0]
    assert verdicts(iter_records(str(tmp_path / name))) == [[]] * 3  # the default: read


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_a_streamed_cassette_over_the_input_limit_is_read_interaction_by_interaction(
    tmp_path: Path, compress: bool
) -> None:
    # Three bodies of 700 KiB each (JSON with whitespace after it), none shared: one body three
    # times would be dumped as an anchor and its aliases, which cross interactions (read whole).
    content = _cassette([{"string": good().decode() + " " * (700 * 1024)} for _ in range(3)])
    assert len(content) > 2 * MiB
    name = "a.yaml" + (".gz" if compress else "")
    limits = Limits(input=MiB)
    _, named = _read_beside_jsonl(tmp_path, name, content, compress, limits)
    assert named == [(name, [])] * 3 + [("b.jsonl", [])]
    found = list(iter_records((tmp_path / name).read_bytes(), format="cassette", limits=limits))
    assert verdicts(found) == [[]] * 3
    # A pipe cannot be read again if the layout is in doubt: it is read whole, within the limit.
    found = list(
        iter_records(pipe((tmp_path / name).read_bytes()), format="cassette", limits=limits)
    )
    assert verdicts(found) == [["limit"]]
    assert "the input limit; not read" in limit_messages(found)[0]


def test_the_nodes_limit_counts_yaml_aliases_expanded_and_json_values() -> None:
    many = _cassette([{"string": good().decode()}] * 50)  # one body: YAML aliases
    assert verdicts(iter_records(many, format="cassette")) == [[]] * 50
    # Aliases across interactions send the cassette to the whole read, whose count is the whole
    # cassette's (the interaction read before is kept).
    assert verdicts(iter_records(many, format="cassette", limits=Limits(nodes=500))) == [
        [],
        ["limit"],
    ]
    # Streamed, the limit caps one interaction: one over it is one record, and reading goes on.
    bodies: list[dict[str, Any]] = [{"string": good().decode()} for _ in range(50)]
    bodies[1] = {"string": good().decode(), "extra": list(range(600))}
    distinct = _cassette(bodies)
    expected: list[list[str]] = [[] for _ in bodies]
    expected[1] = ["limit"]
    assert verdicts(iter_records(distinct, format="cassette", limits=Limits(nodes=500))) == expected
    # Aliases count as what they expand to: 3 ** 12 nodes from a few lines.
    lines = ["a0: &a0 [x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 13)]
    laughs = ("\n".join(lines) + "\ninteractions: []\n").encode()
    records = list(iter_records(laughs, format="cassette"))
    assert verdicts(records) == [["limit"]]
    assert (
        "(YAML aliases expanded) has more than 1,000,000 values, the nodes limit"
        in (limit_messages(records)[0])
    )
    har = _har([{"text": good().decode()}] * 50)
    assert verdicts(iter_records(har, format="har")) == [[]] * 50
    # A HAR file is streamed: the limit is on what is held at once, one entry (12 values here),
    # and an entry over it is one limit record; reading goes on with the next.
    assert verdicts(iter_records(har, format="har", limits=Limits(nodes=500))) == [[]] * 50
    over = list(iter_records(har, format="har", limits=Limits(nodes=11)))
    assert verdicts(over) == [["limit"]] * 50
    assert [record.index for record in over] == list(range(50))
    assert "the HAR entry has more than 11 values, the nodes limit" in limit_messages(over)[0]


BILLION_LAUGHS = """
import sys
from vox_validators import validate_record
from vox_validators.sources import iter_records
lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i-1}"] * 9) + "]" for i in range(1, 10)]
lines.append(
    "interactions:\\n- request: {method: GET, uri: 'https://x/v3/campaigns/c1', headers: {x: *a9}}\\n"
    "  response: {status: {code: 200}, headers: {Content-Encoding: *a9}, body: {string: '{}'}}"
)
for record in iter_records("\\n".join(lines).encode(), format="cassette"):
    print([finding.rule for finding in validate_record(record)])
"""


def test_a_billion_laughs_is_a_limit_finding_in_flat_memory() -> None:
    result = run_limited(["python", "-c", BILLION_LAUGHS], memory_mib=400, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == "['limit']\n"


# --------------------------------------------------------------------------- odd shapes


BYTES_IO = (
    "interactions:\n"
    "- request: {{method: GET, uri: '{uri}'}}\n"
    "  response:\n"
    "    status: {{code: 200}}\n"
    "    body: !!python/object/new:_io.BytesIO {body}\n"
    "- request: {{method: GET, uri: '{uri}'}}\n"
    "  response:\n"
    "    status: {{code: 200}}\n"
    "    body: {{string: '{good}'}}\n"
)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{state: 5}", "response body is a BytesIO whose state is a int"),
        ("{state: {a: 1}}", "response body is a BytesIO whose state is a mapping"),
        ("{state: [[1, 2], 0]}", "response body is a BytesIO holding a list"),
        ("{state: [7]}", "response body is a BytesIO holding a int"),
        ("[1, 2]", "response body is a BytesIO written as a sequence"),
        ("just-text", "response body is a BytesIO written as a scalar"),
    ],
)
def test_a_bytes_io_of_any_shape_is_a_finding_on_its_interaction_only(
    body: str, message: str
) -> None:
    content = BYTES_IO.format(uri=GET, body=body, good=good().decode()).encode()
    records = list(iter_records(content, format="cassette"))
    assert verdicts(records) == [["parse"], []]
    assert records[0].findings[0].message == message
    assert (records[0].index, records[0].line) == (0, 5)


def test_the_bytes_io_vcrpy_writes_is_read() -> None:
    body = f"{{state: !!python/tuple [!!binary {base64.b64encode(good()).decode()}, 0, null]}}"
    content = BYTES_IO.format(uri=GET, body=body, good=good().decode()).encode()
    assert verdicts(iter_records(content, format="cassette")) == [[], []]


# --------------------------------------------------------------------------- Content-Encoding


@pytest.mark.parametrize(
    "encoding", ["gzip", "x-gzip", "deflate", "gzip, deflate", "br", "zstd", "GZIP"]
)
def test_a_body_recorded_already_decoded_is_validated(encoding: str) -> None:
    # vcrpy with requests (urllib3 2), aiohttp and pytest-recording's defaults keep the header.
    content = _cassette([{"string": good().decode()}], {"Content-Encoding": [encoding]})
    assert verdicts(iter_records(content, format="cassette")) == [[]]
    har = _har([{"text": good().decode()}], [{"name": "Content-Encoding", "value": encoding}])
    assert verdicts(iter_records(har, format="har")) == [[]]


def test_a_body_still_encoded_is_decoded_and_a_broken_one_is_a_parse_finding() -> None:
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    encoded = {
        "gzip": gzip.compress(good()),
        "deflate": zlib.compress(good()),
        "x-deflate-raw": raw_deflate.compress(good()) + raw_deflate.flush(),
        "gzip, gzip": gzip.compress(gzip.compress(good())),
        "gzip members": gzip.compress(good()[:100]) + gzip.compress(good()[100:]),
    }
    for name, body in encoded.items():
        header = {"x-deflate-raw": "deflate", "gzip members": "gzip"}.get(name, name)
        content = _cassette([{"string": body}], {"Content-Encoding": [header]})
        assert verdicts(iter_records(content, format="cassette")) == [[]], name
    broken = gzip.compress(good())[:-12]  # gzip magic, then cut
    content = _cassette(
        [{"string": broken}, {"string": b"\x1f\x8bnot gzip"}], {"Content-Encoding": ["gzip"]}
    )
    records = list(iter_records(content, format="cassette"))
    assert verdicts(records) == [["parse"], ["parse"]]
    assert all("response body is not valid gzip" in r.findings[0].message for r in records)
    binary = _cassette([{"string": b"\x00\xff\x10binary"}], {"Content-Encoding": ["br"]})
    assert (
        "which voxkit cannot decode"
        in next(iter_records(binary, format="cassette")).findings[0].message
    )


# --------------------------------------------------------------------------- whitespace


WHITESPACE = """
import sys
from vox_validators import validate_record
from vox_validators.sources import iter_records
for record in iter_records(sys.argv[1]):
    print(record.line, [finding.rule for finding in validate_record(record)])
"""


@pytest.mark.parametrize("name", ["a.json", "a.jsonl"])
def test_whitespace_of_any_length_is_skipped_in_bounded_memory(tmp_path: Path, name: str) -> None:
    block = b" \n\t \r\n  " * (MiB // 8)  # 1 MiB, with blank lines and long blank runs
    blank = tmp_path / name
    with blank.open("wb") as out:
        for _ in range(256):
            out.write(block)
        out.write(b"  " * MiB + b"\n" + good() + b"\n")
    lines = 256 * block.count(b"\n") + 2  # the line of the record
    result = run_limited(["python", "-c", WHITESPACE, str(blank)], memory_mib=200, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == f"{lines} []\n"


def test_a_long_blank_line_is_not_a_record(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b" " * (3 * MiB) + b"\n" + good() + b"\n" + b"\t" * (2 * MiB))
    records = list(iter_records(str(path), limits=Limits(record=MiB)))
    assert [(r.line, rules) for r, rules in zip(records, verdicts(records), strict=True)] == [
        (2, [])
    ]


def test_a_whitespace_only_gzip_bomb_is_read_in_bounded_memory(tmp_path: Path) -> None:
    member = gzip.compress(b" " * (16 * MiB), 9)  # about 16 KiB
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(member * 64)  # 1 GiB of whitespace from 1 MiB
    result = run_limited(["python", "-c", WHITESPACE, str(bomb)], memory_mib=200, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == "None ['parse']\n"  # no JSON value: the input is empty


@pytest.mark.parametrize("chunk_size", [1, 3, 64])
def test_whitespace_before_the_first_value_keeps_lines_and_columns(
    monkeypatch: pytest.MonkeyPatch, chunk_size: int
) -> None:
    monkeypatch.setattr(vox_validators.sources._chunks, "READ_CHUNK_BYTES", chunk_size)
    content = b"\n \t\r\n\n   " + good() + b"\n  {broken\n"
    records = list(iter_records(content))
    assert [r.line for r in records] == [4, 5]
    assert records[0].data == b"   " + good()
    assert records[1].data == b"  {broken"
    array = list(iter_records(b"\n\n  [\n" + good() + b",\n\n  5]"))
    assert [(r.line, r.index) for r in array] == [(4, 0), (6, 1)]


# --------------------------------------------------------------------------- losing the rest


def test_a_file_that_shrinks_while_it_is_read_says_what_was_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vox_validators.sources._chunks, "READ_CHUNK_BYTES", 4096)
    line = good() + b"\n"
    path = tmp_path / "a.jsonl"
    path.write_bytes(line * 100)
    records: list[Record] = []
    for record in iter_records(str(path)):
        if not records:
            os.truncate(path, len(line) * 10)  # while the first chunk is being read
        records.append(record)
    rules = verdicts(records)
    assert rules[:-1] == [[]] * (len(records) - 1)
    assert rules[-1] == ["parse"]
    message = records[-1].findings[0].message
    assert message.startswith("input ends early: the file shrank while it was read: its last ")
    assert f"of {len(line) * 100:,} bytes were not read" in message


def test_a_reader_that_fails_loses_only_its_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> Iterator[Record]:
        raise MemoryError
        yield  # pragma: no cover

    monkeypatch.setattr(vox_validators.sources._har, "_har_records", broken)
    (tmp_path / "a.har").write_bytes(_har([{"text": good().decode()}]))
    (tmp_path / "b.jsonl").write_bytes(good() + b"\n")
    records = list(iter_records(str(tmp_path)))
    assert verdicts(records) == [["internal"], []]
    assert records[0].findings[0].message == (
        "the reader failed on this input: MemoryError(); the rest of it was not read"
    )


# --------------------------------------------------------------------------- FIFOs


def test_entries_that_are_not_regular_files_are_skipped_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(good() + b"\n")
    os.mkfifo(tmp_path / "b.jsonl")
    found = discover([str(tmp_path)])
    assert [Path(file.name).name for file in found.files] == ["a.jsonl"]
    assert found.notes == [
        f"{tmp_path}: skipped 1 entries that are not regular files (FIFOs, sockets or devices, "
        f"which could block the run; name one to read it as a stream): {tmp_path / 'b.jsonl'}"
    ]
    assert verdicts(iter_records(str(tmp_path))) == [[]]  # a directory is walked the same way
    named = discover([str(tmp_path / "b.jsonl"), os.devnull])
    assert [file.name for file in named.files] == [str(tmp_path / "b.jsonl")]
    assert named.errors == [f"{os.devnull}: not a regular file or a pipe but a character device"]


# --------------------------------------------------------------------------- HAR attachments


def test_a_body_attached_beside_the_har_file_is_read(tmp_path: Path) -> None:
    # Playwright's record_har_content="attach" writes each body to a file beside the HAR file.
    (tmp_path / "good.json").write_bytes(good())
    (tmp_path / "bad.json").write_bytes(json.dumps({**campaign(), "status": "x"}).encode())
    (tmp_path / "big.json").write_bytes(big())
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.json").write_bytes(good())
    os.mkfifo(tmp_path / "fifo.json")
    names = [
        "good.json",
        "bad.json",
        "big.json",
        "missing.json",
        "../x.json",
        "sub/x.json",
        "/etc/passwd",
        "fifo.json",
    ]
    har = _har([{"size": 1, "mimeType": "application/json", "_file": name} for name in names])
    (tmp_path / "s.har").write_bytes(har)
    records = list(iter_records(str(tmp_path / "s.har"), limits=SMALL))
    assert verdicts(records) == [
        [],
        ["schema/enum"],
        ["limit"],
        *[["not-captured"]] * 5,
    ]
    messages = [r.findings[0].message for r in records[3:]]
    assert "'missing.json' beside the HAR file, which cannot be read" in messages[0]
    assert all("not a plain file name" in m for m in messages[1:4])
    assert "not a regular file" in messages[4]
    # From bytes there is no folder: not captured.
    assert verdicts(iter_records(har, format="har"))[0] == ["not-captured"]


# --------------------------------------------------------------------------- secrets


def test_every_traffic_record_carries_its_interaction_s_secrets() -> None:
    key = "vox_live_" + "a1" * 16
    interactions = []
    for uri, status, body in (
        (GET, 200, good().decode()),  # valid body
        (GET, 200, json.dumps({**campaign(), "status": "x"})),  # invalid body
        (GET.replace("/v3/", "/v2/"), 200, "{}"),  # undocumented
        (GET, 200, "{broken"),  # unparseable
    ):
        interactions.append(
            {
                "request": {
                    "method": "GET",
                    "uri": uri,
                    "body": None,
                    "headers": {"Authorization": [f"Bearer {key}"]},
                },
                "response": {"status": {"code": status}, "headers": {}, "body": {"string": body}},
            }
        )
    content = yaml.safe_dump({"interactions": interactions, "version": 1}).encode()
    records = list(iter_records(content, format="cassette"))
    rules = verdicts(records)
    assert rules[0] == ["secret"]
    assert rules[1][0] == "secret"
    assert "schema/enum" in rules[1]
    assert rules[2] == ["undocumented", "secret"]
    assert rules[3] == ["secret", "parse"]
    for record in records:
        assert all(key not in f.message for f in validate_record(record))
    har = json.dumps(
        {
            "log": {
                "entries": [
                    {
                        "request": {
                            "method": "GET",
                            "url": GET,
                            "headers": [{"name": "Authorization", "value": f"Bearer {key}"}],
                        },
                        "response": {"status": 200, "headers": [], "content": {"size": 0}},
                    }
                ]
            }
        }
    ).encode()
    assert verdicts(iter_records(har, format="har")) == [["not-captured", "secret"]]
