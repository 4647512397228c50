"""``voxkit validate`` against hostile input (issue 9): never a traceback, one finding per bad
input, the other inputs still validated and the summary printed, memory flat, nothing a file
name or an input says reaching the terminal raw.

Each attack runs the real command in a child process with an address-space limit
(tests.support.memory), with the limit options lowered where that keeps the test quick.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.memory import Limited, run_limited
from tests.support.validate import VALID_JSONL, campaign, invoke, parse_jsonl, rules_of
from vox_validators import Finding
from voxkit.engine import local as engine
from voxkit.report import Settings, renderer

MiB = 1024 * 1024
GET = "https://client-api.tryvox.co/v3/campaigns/cmp_01JD3W6Q8N4K2M7R5T9V0X0003"
VALID_COUNT = len(VALID_JSONL.read_text("utf-8").splitlines())


def in_child(*args: str, memory_mib: int = 300, timeout: float = 60) -> Limited:
    """``voxkit validate ARGS... VALID_JSONL --format jsonl`` in a child with capped memory."""
    argv = ["python", "-m", "voxkit", "validate", *args, str(VALID_JSONL), "--format", "jsonl"]
    return run_limited(argv, memory_mib=memory_mib, timeout=timeout)


def survived(result: Limited) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The records and summary of a run that went on to the valid file after the attack."""
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "MemoryError" not in result.stderr, result.stderr[-3000:]
    records, summary = parse_jsonl(result.stdout)
    assert [r["valid"] for r in records[-VALID_COUNT:]] == [True] * VALID_COUNT
    assert all(r["source"] == str(VALID_JSONL) for r in records[-VALID_COUNT:])
    return records[:-VALID_COUNT], summary


def gzip_bomb(path: Path, size: int, head: bytes = b"") -> Path:
    """``head`` then ``size`` bytes of whitespace, gzipped in members (1 GiB in about 1 MiB)."""
    member = gzip.compress(b" " * (16 * MiB), 9)
    path.write_bytes(gzip.compress(head) + member * (size // (16 * MiB)))
    return path


def cassette(interactions: list[dict[str, Any]]) -> str:
    return yaml.safe_dump({"interactions": interactions, "version": 1})


def interaction(body: object, headers: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {
        "request": {"method": "GET", "uri": GET, "body": None, "headers": {}},
        "response": {"status": {"code": 200}, "headers": headers or {}, "body": body},
    }


# --------------------------------------------------------------------------- the size options


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3000", True), ("64MiB", False), ("2.5KiB", True), ("4kb", True), ("4 K", True)],
)
def test_the_record_size_option_takes_sizes(tmp_path: Path, value: str, expected: bool) -> None:
    path = tmp_path / "a.jsonl"
    big = {**campaign(), "notes": "x" * 4000}
    path.write_text(json.dumps(campaign()) + "\n" + json.dumps(big) + "\n", "utf-8")
    result = invoke([str(path), "--format", "jsonl", "--max-record-size", value])
    records, _ = parse_jsonl(result.stdout)
    assert [rules_of(r) for r in records] == [[], ["limit"] if expected else []]
    assert result.exit_code == (1 if expected else 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-record-size", "lots"], "'lots' is not a size"),
        (["--max-record-size", "0"], "'0' is not a size of at least one byte"),
        (["--max-input-size", "-5MiB"], "'-5MiB' is not a size"),
        (["--max-input-size", "3XB"], "'3XB' is not a size"),
        (["--max-nodes", "0"], "0 is not in the range x>=1"),
        (["--max-record-size", "\x1b[2J"], "'\\\\x1b[2J' is not a size"),
        (["--engine", "spark", "--max-record-size", "0"], "'0' is not a size of at least one"),
    ],
)
def test_bad_limits_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = invoke([str(VALID_JSONL), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "\x1b" not in result.stderr


# --------------------------------------------------------------------------- bombs


def test_a_json_gzip_bomb_of_whitespace(tmp_path: Path) -> None:
    bomb = gzip_bomb(tmp_path / "bomb.json.gz", 1024 * MiB)  # 1 MiB that is 1 GiB
    result = in_child(str(bomb), memory_mib=250)
    assert result.returncode == 1
    attacked, summary = survived(result)
    assert [(r["source"], rules_of(r)) for r in attacked] == [(str(bomb), ["parse"])]
    assert attacked[0]["findings"][0]["message"] == "no JSON value: the input is empty"
    assert summary["records"] == VALID_COUNT + 1


def test_256_mib_of_whitespace_before_a_record(tmp_path: Path) -> None:
    path = tmp_path / "spaces.json"
    with path.open("wb") as out:
        for _ in range(256):
            out.write(b" " * MiB)
        out.write(json.dumps(campaign()).encode() + b"\n")
    result = in_child(str(path), memory_mib=250)
    assert result.returncode == 0
    attacked, _ = survived(result)
    assert [(r["line"], r["valid"]) for r in attacked] == [(1, True)]


@pytest.mark.parametrize(
    ("args", "limit"), [((), "256 MiB"), (("--max-input-size", "16MiB"), "16 MiB")]
)
def test_a_gzip_bomb_of_a_cassette_read_whole(
    tmp_path: Path, args: tuple[str, ...], limit: str
) -> None:
    # A flow list ("[]") is not vcrpy's layout: the cassette is read whole, within the limit.
    bomb = gzip_bomb(tmp_path / "bomb.yaml.gz", 1024 * MiB, b"interactions: []\n")
    # Measured before it is held: even at the default limit, memory stays far below it.
    result = in_child(str(bomb), *args, memory_mib=200)
    assert result.returncode == 1
    attacked, _ = survived(result)
    assert [rules_of(r) for r in attacked] == [["limit"]]
    message = attacked[0]["findings"][0]["message"]
    assert f"decompressed, is larger than {limit}, the input limit; not read" in message
    assert "--max-input-size" in message


@pytest.mark.parametrize(
    ("args", "limit", "memory_mib"),
    [((), "256 MiB", 450), (("--max-input-size", "16MiB"), "16 MiB", 200)],
)
def test_a_gzip_bomb_inside_a_har_entry(
    tmp_path: Path, args: tuple[str, ...], limit: str, memory_mib: int
) -> None:
    # HAR files are streamed: the bomb is one entry over the input limit, and the next is read.
    # An entry is held up to the limit (then dropped), never the gigabyte: memory is capped.
    bomb = tmp_path / "bomb.har.gz"
    gzip_bomb(bomb, 1024 * MiB, b'{"log": {"entries": [{"request": "')
    tail = json.dumps({"request": {"method": "GET", "url": GET}, "response": {"status": 0}})
    with bomb.open("ab") as out:
        out.write(gzip.compress(b'"}, ' + tail.encode() + b"]}}"))
    result = in_child(str(bomb), *args, memory_mib=memory_mib)
    assert result.returncode == 1
    attacked, _ = survived(result)
    assert [(r["index"], rules_of(r)) for r in attacked] == [(0, ["limit"]), (1, ["not-captured"])]
    message = attacked[0]["findings"][0]["message"]
    assert f"the HAR entry is larger than {limit}, the input limit; not read" in message
    assert "--max-input-size" in message


def test_a_har_entry_with_a_body_over_the_record_limit(tmp_path: Path) -> None:
    body = json.dumps({**campaign(), "notes": "x" * (65 * MiB)})
    entries = [
        {
            "request": {"method": "GET", "url": GET},
            "response": {"status": 200, "content": {"text": text}},
        }
        for text in (body, json.dumps(campaign()))
    ]
    path = tmp_path / "big.har"
    path.write_text(json.dumps({"log": {"entries": entries}}), "utf-8")
    del body, entries
    result = in_child(str(path), memory_mib=600)  # the HAR file is read whole: 65 MiB, twice
    assert result.returncode == 1
    attacked, _ = survived(result)
    assert [(r["index"], rules_of(r)) for r in attacked] == [(0, ["limit"]), (1, [])]
    assert "larger than 64 MiB, the record limit" in attacked[0]["findings"][0]["message"]


def test_a_yaml_alias_bomb(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    lines.append(
        f"interactions:\n- request: {{method: GET, uri: '{GET}', headers: {{x: *a9}}}}\n"
        "  response: {status: {code: 200}, headers: {Content-Encoding: *a9}, "
        "body: {string: '{}'}}"
    )
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    result = in_child(str(path), memory_mib=400, timeout=60)
    assert result.returncode == 1
    attacked, _ = survived(result)
    assert [rules_of(r) for r in attacked] == [["limit"]]
    assert (
        "(YAML aliases expanded) has more than 1,000,000 values"
        in (attacked[0]["findings"][0]["message"])
    )


# --------------------------------------------------------------------------- odd cassettes


@pytest.mark.parametrize("state", ["5", "{a: 1}"])
def test_a_bytes_io_with_an_odd_state_is_a_finding(tmp_path: Path, state: str) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(
        f"interactions:\n- request: {{method: GET, uri: '{GET}'}}\n"
        "  response:\n    status: {code: 200}\n    body: !!python/object/new:_io.BytesIO\n"
        f"      state: {state}\n",
        "utf-8",
    )
    result = invoke([str(path), str(VALID_JSONL), "--format", "jsonl"])
    assert result.exit_code == 1
    records, summary = parse_jsonl(result.stdout)
    assert [rules_of(r) for r in records[:1]] == [["parse"]]
    assert "response body is a BytesIO whose state is a" in records[0]["findings"][0]["message"]
    assert summary["records"] == VALID_COUNT + 1


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_cassette_recorded_already_decoded_is_judged_by_its_body(
    tmp_path: Path, encoding: str
) -> None:
    # What vcrpy writes with requests (urllib3 2), aiohttp, or pytest-recording's defaults.
    bad = {**campaign(), "status": "running"}
    path = tmp_path / "requests.yaml"
    path.write_text(
        cassette(
            [
                interaction({"string": json.dumps(body)}, {"Content-Encoding": [encoding]})
                for body in (campaign(), bad)
            ]
        ),
        "utf-8",
    )
    result = invoke([str(path), "--format", "jsonl"])
    records, _ = parse_jsonl(result.stdout)
    assert [rules_of(r)[:1] for r in records] == [[], ["schema/enum"]]


# --------------------------------------------------------------------------- FIFOs


def test_a_fifo_in_a_directory_is_skipped_with_a_note_not_a_hang(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps(campaign()) + "\n", "utf-8")
    os.mkfifo(tmp_path / "b.jsonl")
    result = run_limited(
        ["python", "-m", "voxkit", "validate", str(tmp_path)], memory_mib=300, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "1 record: 1 valid, 0 invalid (0 errors, 0 warnings)\n"
    assert result.stderr == (
        f"voxkit: note: {tmp_path}: skipped 1 entries that are not regular files (FIFOs, "
        "sockets or devices, which could block the run; name one to read it as a stream): "
        f"{tmp_path / 'b.jsonl'}\n"
    )


def test_a_fifo_named_on_the_command_line_is_read_as_a_stream(tmp_path: Path) -> None:
    fifo = tmp_path / "captures.jsonl"
    os.mkfifo(fifo)

    def write() -> None:
        with fifo.open("w", encoding="utf-8") as stream:
            stream.write(json.dumps(campaign()) + "\n" + json.dumps({"id": 1}) + "\n")

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    result = run_limited(
        ["python", "-m", "voxkit", "validate", str(fifo), "--format", "jsonl"],
        memory_mib=300,
        timeout=30,
    )
    writer.join(5)
    records, _ = parse_jsonl(result.stdout)
    assert [(r["line"], r["valid"]) for r in records] == [(1, True), (2, False)]


def test_a_device_named_on_the_command_line_is_an_error(tmp_path: Path) -> None:
    result = invoke([os.devnull, str(VALID_JSONL)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"voxkit: error: {os.devnull}: not a regular file or a pipe but a character device\n"
    )
    assert result.stdout.endswith(
        f"{VALID_COUNT} records: {VALID_COUNT} valid, 0 invalid (0 errors, 0 warnings)\n"
    )


# --------------------------------------------------------------------------- escaping


EVIL = "evil\x1b[2J\nname\r%,:\x9b31m"


def _evil_inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / f"{EVIL}.jsonl").write_text(
        json.dumps({**campaign(), "status": "\x1b]0;pwned\x07\n::error::forged"}) + "\n", "utf-8"
    )
    (folder / f"{EVIL}.txt").write_text("ignored", "utf-8")
    (folder / "server.yaml").write_text("interactions: [\x1b[31m\n", "utf-8")
    return folder


@pytest.mark.parametrize("output_format", ["text", "jsonl", "junit", "github"])
def test_nothing_a_name_or_an_input_says_reaches_the_terminal_raw(
    tmp_path: Path, output_format: str
) -> None:
    folder = _evil_inputs(tmp_path)
    missing = str(tmp_path / f"missing{EVIL}")
    result = invoke([str(folder), missing, "--format", output_format, "--color"])
    assert result.exit_code == 2
    for stream in (result.stdout, result.stderr):
        assert not {"\x07", "\r", "\x9b"} & set(stream), stream
    # The only escape sequences are voxkit's own colours (text with --color).
    colours = {"\x1b[31m", "\x1b[1m", "\x1b[0m", "\x1b[33m", "\x1b[36m", "\x1b[32m"}
    stripped = result.stdout
    for colour in colours:
        stripped = stripped.replace(colour, "")
    assert "\x1b" not in stripped
    assert "\x1b" not in result.stderr
    assert result.stderr.count("\n") == 2  # the note on the ignored file, the missing path
    assert "\\x1b[2J\\nname\\r%,:\\x9b31m" in result.stderr
    if output_format == "text":
        lines = stripped.splitlines()
        assert all(line.startswith((str(folder), "2 records")) for line in lines), lines
    elif output_format == "jsonl":
        records, _ = parse_jsonl(result.stdout)
        assert {r["source"] for r in records} == {
            str(folder / f"{EVIL}.jsonl"),
            str(folder / "server.yaml"),
        }
    elif output_format == "junit":
        root = ET.fromstring(result.stdout)
        assert [suite.get("name") for suite in root.findall("testsuite")] == [
            str(folder / "evil\\x1b[2J\\nname\\r%,:\\x9b31m.jsonl"),
            str(folder / "server.yaml"),
        ]
    else:
        lines = result.stdout.splitlines()
        assert all(line.startswith("::") for line in lines[:-1]), lines
        assert not any(line.startswith("::error::forged") for line in lines)
        assert (
            "file="
            + str(folder).replace(":", "%3A").replace(",", "%2C")
            + ("/evil\\x1b[2J%0Aname%0D%25%2C%3A\\x9b31m.jsonl,line=1,title=schema/enum::")
            in result.stdout
        )


def test_github_escapes_every_control_character() -> None:
    render = renderer(Settings(format="github", color=False, strict=False, fail_on="error"))
    message = "bell\x07 esc\x1b[2J csi\x9b cr\r lf\n 100% bidi\u202e 캠페인"
    finding = Finding("parse", "error", "/a", message)
    rendered = render("dir/a\x1b, b:c.json", 3, None, [finding], True)
    assert rendered == (
        "::error file=dir/a\\x1b%2C b%3Ac.json,line=3,title=parse::"
        "/a: bell\\x07 esc\\x1b[2J csi\\x9b cr%0D lf%0A 100%25 bidi\\u202e 캠페인\n"
    )


# --------------------------------------------------------------------------- lost records


_REAL_RUN_BATCH = engine.run_batch


def _dies_on_line_2500(batch: Any, settings: Any) -> Any:
    # Module-level, so that it pickles to the workers by name (they are forked from this one).
    if batch.records[0].line <= 2500 <= batch.records[-1].line:
        os._exit(3)
    return _REAL_RUN_BATCH(batch, settings)


def test_a_dead_worker_says_how_many_records_were_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "run_batch", _dies_on_line_2500)
    path = tmp_path / "a.jsonl"
    path.write_text((json.dumps(campaign()) + "\n") * 5000, "utf-8")
    result = invoke([str(path), "--jobs", "2", "--format", "jsonl"])
    assert result.exit_code == 2
    _, summary = parse_jsonl(result.stdout)  # the summary is still printed
    [line] = result.stderr.splitlines()
    assert line.startswith("voxkit: error: a worker process ended abruptly, so records are")
    lost = int(line.split("missing: ")[1].split(" records")[0].replace(",", ""))
    assert f"records read but not validated (of {path})" in line
    assert lost >= 1  # at least the batch the worker died on, which the summary cannot count
    assert summary["records"] + lost <= 5000
    assert summary["records"] < 2500


def test_a_file_swapped_for_a_fifo_after_the_listing_is_an_error_not_a_hang(
    tmp_path: Path,
) -> None:
    from vox_validators.sources import InputFile  # noqa: PLC0415
    from voxkit.cli.validate import _open  # noqa: PLC0415

    fifo = tmp_path / "a.jsonl"
    os.mkfifo(fifo)  # a regular file when the directory was listed, a FIFO when it is opened
    outcome: list[BaseException | None] = []

    def opening() -> None:
        try:
            _open(InputFile(str(fifo), str(fifo), 10), io.BytesIO(), frozenset()).close()
        except OSError as error:
            outcome.append(error)
        else:
            outcome.append(None)

    thread = threading.Thread(target=opening, daemon=True)
    thread.start()
    thread.join(10)
    assert outcome, "opening a FIFO found in a directory blocked"
    assert isinstance(outcome[0], OSError)
    assert "no longer a regular file" in str(outcome[0])


def test_an_empty_path_names_nothing(tmp_path: Path) -> None:
    result = invoke(["", str(VALID_JSONL)])
    assert result.exit_code == 2
    assert result.stderr == "voxkit: error: '': no such file or directory\n"


def test_a_har_file_found_in_a_directory_reads_its_attached_bodies(tmp_path: Path) -> None:
    # Playwright names each attached body after its SHA-1: read with the HAR file, once, against
    # the schema of its response (an error body is an ErrorEnvelope, not a Campaign).
    bodies = {
        "0" * 40 + ".json": json.dumps({**campaign(), "status": "x"}),
        "1" * 40 + ".json": json.dumps({"error": {"code": "not_found", "message": "no"}}),
    }
    entries = []
    for (name, body), status in zip(bodies.items(), (200, 404), strict=True):
        (tmp_path / name).write_text(body, "utf-8")
        content = {"size": len(body), "mimeType": "application/json", "_file": name}
        entries.append(
            {
                "request": {"method": "GET", "url": GET, "headers": []},
                "response": {"status": status, "headers": [], "content": content},
            }
        )
    (tmp_path / "s.har").write_text(json.dumps({"log": {"entries": entries}}), "utf-8")
    result = invoke([str(tmp_path), "--format", "jsonl"])
    records, _ = parse_jsonl(result.stdout)
    assert [(r["source"], r["index"], rules_of(r)[:1]) for r in records] == [
        (str(tmp_path / "s.har"), 0, ["schema/enum"]),
        (str(tmp_path / "s.har"), 1, []),
    ]
    assert result.stderr == (
        f"voxkit: note: {tmp_path}: read 2 bodies that HAR files keep beside them (Playwright's "
        f"attachments) with their HAR files, not on their own: {tmp_path / ('0' * 40 + '.json')}, "
        f"{tmp_path / ('1' * 40 + '.json')}\n"
    )


@pytest.mark.parametrize("change", ["delete", "truncate"])
def test_a_file_changed_while_jobs_2_reads_it_is_counted_honestly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    import voxkit.cli.validate  # noqa: PLC0415

    line = json.dumps(campaign()) + "\n"
    path = tmp_path / "a.jsonl"
    path.write_text(line * 6000, "utf-8")
    real_batches = engine.batches

    def changing(records: Any) -> Any:
        for count, batch in enumerate(real_batches(records)):
            if count == 0:  # once the first batch is read, while the rest is still to be read
                if change == "delete":
                    path.unlink()
                else:
                    os.truncate(path, len(line) * 3000 + 10)
            yield batch

    monkeypatch.setattr(voxkit.cli.validate, "batches", changing)
    monkeypatch.setattr("vox_validators.sources._chunks.READ_CHUNK_BYTES", 64 * 1024)
    result = invoke([str(path), "--jobs", "2", "--format", "jsonl"])
    records, summary = parse_jsonl(result.stdout)
    if change == "delete":  # the open file is still read to its end: nothing is lost
        assert result.exit_code == 0
        assert summary["records"] == summary["valid"] == 6000
        return
    assert result.exit_code == 1
    assert summary["records"] == 3001  # the 3,000 lines left, then what says the rest was lost
    # The reader's finding, then the JSON parser's on the cut line (10 bytes of it).
    assert [rules_of(r) for r in records[-1:]] == [["parse", "parse"]]
    message = records[-1]["findings"][0]["message"]
    lost = len(line) * 6000 - (len(line) * 3000 + 10)
    assert message == (
        f"input ends early: the file shrank while it was read: its last {lost:,} of "
        f"{len(line) * 6000:,} bytes were not read"
    )
