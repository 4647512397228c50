"""``voxkit validate``: the contract of docs/contracts.md, exit codes, formats, options."""

from __future__ import annotations

import gzip
import json
import multiprocessing
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

import vox_validators
import vox_validators.sources._chunks
import voxkit.cli.validate as validate_module
import voxkit.engine.local
from tests.support.paths import REPO_ROOT
from tests.support.validate import (
    EXAMPLES,
    FIXTURES,
    VALID_JSONL,
    campaign,
    invoke,
    parse_jsonl,
    rules_of,
    valid_campaigns,
    write_jsonl,
)
from vox_validators import Finding, Rule
from vox_validators.rules import RuleLoadError, load_rules, rule
from vox_validators.sources import iter_records
from voxkit.engine.local import BatchResult, batches, run
from voxkit.engine.progress import Progress
from voxkit.report import Settings, Tally, renderer

# --------------------------------------------------------------------------- the contract


def test_examples_follow_the_jsonl_contract() -> None:
    result = invoke([str(EXAMPLES), "--format", "jsonl"])
    records, summary = parse_jsonl(result.stdout)
    assert result.exit_code == 1  # the invalid examples
    assert summary["valid"] >= 8
    assert summary["invalid"] >= 5
    sources = {record["source"] for record in records}
    assert str(VALID_JSONL) in sources
    assert all(source.startswith(str(EXAMPLES)) for source in sources)


def test_valid_examples_exit_0_and_cover_every_status() -> None:
    result = invoke([str(EXAMPLES / "valid"), "--format", "jsonl"])
    records, summary = parse_jsonl(result.stdout)
    assert result.exit_code == 0, result.output
    assert summary["invalid"] == 0
    assert summary["errors"] == 0
    statuses = {record["status"] for record in valid_campaigns()}
    assert statuses == {"draft", "pending", "ongoing", "paused", "success", "fail", "canceled"}
    paused_by = {r["paused_by"] for r in valid_campaigns() if r["status"] == "paused"}
    assert paused_by == {"user", "system"}
    assert len(records) == summary["records"] == 12


def test_every_broken_example_is_caught() -> None:
    result = invoke([str(EXAMPLES / "invalid"), "--format", "jsonl"])
    records, summary = parse_jsonl(result.stdout)
    assert result.exit_code == 1
    assert summary["records"] == 19
    assert all(record["findings"] for record in records), "an example breaks nothing"
    rules = {rule for record in records for rule in rules_of(record)}
    assert {"parse", "schema/required", "schema/enum", "schema/type"} <= rules
    assert sum(rule.startswith("VOX-") for rule in rules) >= 10  # business rules, both severities
    severities = {
        f["severity"]
        for record in records
        for f in record["findings"]
        if f["rule"].startswith("VOX-")
    }
    assert severities == {"error", "warning"}


def test_jsonl_record_positions(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [campaign("draft"), {"id": 1}])
    result = invoke([str(path), "--format", "jsonl"])
    records, _ = parse_jsonl(result.stdout)
    assert [(r["source"], r["line"], r["index"], r["valid"]) for r in records] == [
        (str(path), 1, None, True),
        (str(path), 2, None, False),
    ]
    assert "schema/type" in rules_of(records[1])


# --------------------------------------------------------------------------- exit status


def test_exit_1_on_an_invalid_record_and_0_when_all_valid(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [campaign("ongoing")])
    bad = write_jsonl(tmp_path / "bad.jsonl", [{**campaign("ongoing"), "status": "running"}])
    assert invoke([str(good)]).exit_code == 0
    assert invoke([str(bad)]).exit_code == 1
    assert invoke([str(good), str(bad)]).exit_code == 1


def test_fail_on_warning(tmp_path: Path) -> None:
    cassette = FIXTURES / "cassette-undocumented-only.yaml"
    result = invoke([str(cassette), "--format", "jsonl"])
    _records, summary = parse_jsonl(result.stdout)
    assert summary["warnings"] == 1
    assert summary["invalid"] == 0
    assert result.exit_code == 0
    assert invoke([str(cassette), "--fail-on", "warning"]).exit_code == 1
    assert invoke([str(cassette), "--fail-on", "error"]).exit_code == 0


def test_missing_path_exits_2_and_the_others_are_still_validated(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [campaign("ongoing")])
    missing = tmp_path / "nope.jsonl"
    result = invoke([str(missing), str(good), "--format", "jsonl"])
    assert result.exit_code == 2
    assert result.stderr == f"voxkit: error: {missing}: no such file or directory\n"
    records, _summary = parse_jsonl(result.stdout)
    assert [record["source"] for record in records] == [str(good)]


def test_exit_2_wins_over_1(tmp_path: Path) -> None:
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"id": 1}])
    assert invoke([str(bad), str(tmp_path / "missing")]).exit_code == 2


def test_unreadable_file_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = write_jsonl(tmp_path / "locked.jsonl", [campaign("ongoing")])
    good = write_jsonl(tmp_path / "good.jsonl", [campaign("ongoing")])
    real_open = Path.open

    def refusing_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr("pathlib.Path.open", refusing_open)
    result = invoke([str(locked), str(good), "--format", "jsonl"])
    assert result.exit_code == 2
    assert result.stderr == f"voxkit: error: {locked}: cannot read: Permission denied\n"
    records, _ = parse_jsonl(result.stdout)
    assert [record["source"] for record in records] == [str(good)]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_by_mode_exits_2(tmp_path: Path) -> None:
    locked = write_jsonl(tmp_path / "locked.jsonl", [campaign("ongoing")])
    locked.chmod(0)
    result = invoke([str(locked)])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_empty_directory_exits_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = invoke([str(tmp_path / "empty")])
    assert result.exit_code == 2
    assert (
        result.stderr == f"voxkit: error: {tmp_path / 'empty'}: directory contains no input files\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Missing argument"),
        (["x.json", "--format", "xml"], "Invalid value for '--format'"),
        (["x.json", "--jobs", "0"], "Invalid value for '--jobs'"),
        (["x.json", "--fail-on", "info"], "Invalid value for '--fail-on'"),
        (["x.json", "--schema", "Nope"], "'Nope' is not a schema of the spec"),
        (["x.json", "--frobnicate"], "No such option"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = invoke(args)
    assert result.exit_code == 2
    assert message in result.stderr


# --------------------------------------------------------------------------- input formats


def _jsonl_records(args: list[str], stdin: bytes | None = None) -> list[dict[str, Any]]:
    result = invoke([*args, "--format", "jsonl"], stdin=stdin)
    records, _ = parse_jsonl(result.stdout)
    return records


def test_pretty_printed_object_is_one_record(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text("\n\n" + json.dumps(campaign("paused"), indent=2) + "\n", "utf-8")
    records = _jsonl_records([str(path)])
    assert [(r["line"], r["index"], r["valid"]) for r in records] == [(3, None, True)]


def test_array_elements_have_index_and_line(tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    elements = [campaign("draft"), {"id": "x"}, campaign("success")]
    path.write_text(json.dumps(elements, indent=2), "utf-8")
    text = path.read_text("utf-8").splitlines()
    starts = [n for n, line in enumerate(text, start=1) if line == "  {"]
    records = _jsonl_records([str(path)])
    assert [(r["line"], r["index"], r["valid"]) for r in records] == [
        (starts[0], 0, True),
        (starts[1], 1, False),
        (starts[2], 2, True),
    ]


def test_ndjson_and_jsonl_content_in_a_json_file(tmp_path: Path) -> None:
    nd = write_jsonl(tmp_path / "a.ndjson", [campaign("draft"), campaign("fail")])
    lines_in_json = write_jsonl(tmp_path / "b.json", [campaign("draft"), {"id": 2}])
    records = _jsonl_records([str(nd), str(lines_in_json)])
    assert [(r["line"], r["valid"]) for r in records] == [
        (1, True),
        (2, True),
        (1, True),
        (2, False),
    ]


@pytest.mark.parametrize("name", ["c.jsonl.gz", "c.json.gz", "c-no-extension"])
def test_gzip(tmp_path: Path, name: str) -> None:
    content = "".join(json.dumps(r) + "\n" for r in [campaign("draft"), {"id": 1}])
    (tmp_path / name).write_bytes(gzip.compress(content.encode()))
    records = _jsonl_records([str(tmp_path / name)])
    assert [(r["line"], r["valid"]) for r in records] == [(1, True), (2, False)]


def test_gzip_of_an_array(tmp_path: Path) -> None:
    path = tmp_path / "array.json.gz"
    path.write_bytes(gzip.compress(json.dumps([campaign("draft")] * 3).encode()))
    records = _jsonl_records([str(path)])
    assert [(r["index"], r["valid"]) for r in records] == [(0, True), (1, True), (2, True)]


@pytest.mark.parametrize("compress", [False, True])
def test_stdin(compress: bool) -> None:
    data = VALID_JSONL.read_bytes()
    records = _jsonl_records(["-"], stdin=gzip.compress(data) if compress else data)
    assert len(records) == 8
    assert {r["source"] for r in records} == {"<stdin>"}
    assert [r["line"] for r in records] == list(range(1, 9))


def test_stdin_array() -> None:
    data = json.dumps([campaign("draft"), 5]).encode()
    records = _jsonl_records(["-"], stdin=data)
    assert [(r["index"], r["valid"]) for r in records] == [(0, True), (1, False)]


def test_directory_order_and_ignored_files(tmp_path: Path) -> None:
    for name in ["b.jsonl", "a.json", "sub/c.ndjson", "sub/d.jsonl.gz"]:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        data = (json.dumps(campaign("draft")) + "\n").encode()
        (tmp_path / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    (tmp_path / "notes.txt").write_text("not a payload")
    (tmp_path / ".hidden.json").write_text("{")
    result = invoke([str(tmp_path), "--format", "jsonl"])
    records, _ = parse_jsonl(result.stdout)
    assert result.exit_code == 0
    assert [Path(r["source"]).relative_to(tmp_path).as_posix() for r in records] == [
        "a.json",
        "b.jsonl",
        "sub/c.ndjson",
        "sub/d.jsonl.gz",
    ]
    assert "ignored 2 entries" in result.stderr
    assert "notes.txt" in result.stderr


def test_a_file_given_by_name_is_read_whatever_its_extension(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "capture.txt", [campaign("draft")])
    assert _jsonl_records([str(path)])[0]["valid"] is True


def test_schema_option(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "errors.jsonl", [{"error": {"code": "x", "message": "m"}}])
    assert invoke([str(path), "--schema", "ErrorEnvelope"]).exit_code == 0
    assert invoke([str(path)]).exit_code == 1


# --------------------------------------------------------------------------- options


def test_strict_is_passed_to_the_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []

    def spy(data: bytes | str, schema: str = "Campaign", *, strict: bool = False) -> list[Finding]:
        seen.append(strict)
        return []

    monkeypatch.setattr("vox_validators.sources._validate_record.validate_json", spy)
    path = write_jsonl(tmp_path / "a.jsonl", [campaign("draft")])
    invoke([str(path)])
    invoke([str(path), "--strict"])
    assert seen == [False, True]


def test_a_validator_failure_is_a_finding_and_the_other_records_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = vox_validators.validate_json

    def flaky(
        data: bytes | str, schema: str = "Campaign", *, strict: bool = False
    ) -> list[Finding]:
        if b"explode" in (data if isinstance(data, bytes) else data.encode()):
            raise RuntimeError("boom")
        return real(data, schema, strict=strict)

    monkeypatch.setattr("vox_validators.sources._validate_record.validate_json", flaky)
    path = write_jsonl(tmp_path / "a.jsonl", [campaign("draft"), {"explode": 1}, campaign("fail")])
    records = _jsonl_records([str(path)])
    assert [rules_of(r) for r in records] == [[], ["internal"], []]


def _corpus(tmp_path: Path) -> list[str]:
    """Several files and formats, a few hundred records, some invalid."""
    records: list[Any] = []
    for number, record in enumerate(valid_campaigns() * 40):
        if number % 7 == 0:
            record = {**record, "status": "running"}
        records.append(record)
    write_jsonl(tmp_path / "a.jsonl", records)
    (tmp_path / "b.json").write_text(json.dumps(records[:100], indent=1), "utf-8")
    (tmp_path / "c.jsonl.gz").write_bytes(gzip.compress((tmp_path / "a.jsonl").read_bytes()))
    (tmp_path / "d.jsonl").write_text('{"id": 1}\n{broken\n', "utf-8")
    (tmp_path / "e.jsonl").write_bytes(b"\xef\xbb\xbf" + (tmp_path / "a.jsonl").read_bytes())
    write_jsonl(tmp_path / "f.json", records[:300])  # JSON Lines in a .json file
    return [str(tmp_path), str(FIXTURES)]


@pytest.mark.parametrize("output_format", ["jsonl", "text", "junit", "github"])
def test_jobs_2_gives_the_same_output_as_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output_format: str
) -> None:
    monkeypatch.setattr(vox_validators.sources._chunks, "READ_CHUNK_BYTES", 4096)  # small chunks
    monkeypatch.setattr(voxkit.engine.local, "BATCH_RECORDS", 7)  # many small batches
    paths = _corpus(tmp_path)
    one = invoke([*paths, "--format", output_format, "--jobs", "1"])
    two = invoke([*paths, "--format", output_format, "--jobs", "2"])
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout
    assert one.stdout.count("\n") > 100


def test_jobs_2_in_a_real_process() -> None:
    script = Path(sys.executable).with_name("voxkit")
    command = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from voxkit.cli import main; main()"]
    )
    # The example payloads (examples/user-project/ is a sample project, not payloads).
    payloads = [str(EXAMPLES / name) for name in ("invalid", "traffic", "valid")]
    runs = [
        subprocess.run(
            [*command, "validate", *payloads, "--format", "jsonl", "--jobs", jobs],
            capture_output=True,
            check=False,
        )
        for jobs in ("1", "2")
    ]
    assert [run.returncode for run in runs] == [1, 1]
    assert runs[0].stdout == runs[1].stdout
    assert runs[0].stderr == runs[1].stderr == b""
    parse_jsonl(runs[1].stdout.decode("utf-8"))


def _processes_chosen(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of processes each run of the command goes on to use."""
    chosen: list[int] = []
    real = validate_module._run_local

    def spy(records: Any, settings: Settings, jobs: int, *rest: Any) -> None:
        chosen.append(jobs)
        real(records, settings, jobs, *rest)

    monkeypatch.setattr(validate_module, "_run_local", spy)
    return chosen


def test_jobs_auto_is_one_process_below_its_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = _processes_chosen(monkeypatch)
    assert invoke([str(EXAMPLES), "--format", "jsonl"]).exit_code == 1  # the default: auto
    assert invoke([str(EXAMPLES), "--format", "jsonl", "--jobs", "auto"]).exit_code == 1
    assert invoke(["-", "--format", "jsonl"], stdin=VALID_JSONL.read_bytes()).exit_code == 0
    assert chosen == [1, 1, 1]


def test_jobs_auto_is_one_process_per_cpu_from_its_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _corpus(tmp_path)[:1]  # the files written here, whose sizes are known
    size = sum(path.stat().st_size for path in Path(paths[0]).iterdir())
    monkeypatch.setattr(validate_module, "AUTO_JOBS_BYTES", size)  # the corpus just reaches it
    chosen = _processes_chosen(monkeypatch)
    automatic = invoke([*paths, "--format", "jsonl"])
    one = invoke([*paths, "--format", "jsonl", "--jobs", "1"])
    three = invoke([*paths, "--format", "jsonl", "-j", "3"])
    cpus = len(os.sched_getaffinity(0))
    assert chosen == [cpus, 1, 3]
    assert automatic.exit_code == one.exit_code == three.exit_code == 1
    assert automatic.stdout == one.stdout == three.stdout
    monkeypatch.setattr(validate_module, "AUTO_JOBS_BYTES", size + 1)
    invoke([*paths, "--format", "jsonl"])
    assert chosen[-1] == 1


@pytest.mark.parametrize("jobs", ["0", "-1", "two", "1.5", ""])
def test_a_bad_jobs_value_is_a_usage_error(jobs: str) -> None:
    result = invoke([str(VALID_JSONL), "--jobs", jobs])
    assert result.exit_code == 2
    assert f"{jobs!r} is not a number of jobs: 1 or more, or auto" in result.output


# --------------------------------------------------------------------------- output formats


def test_text_format_is_plain_when_piped_and_coloured_on_request() -> None:
    plain = invoke([str(EXAMPLES / "invalid")])
    assert "\x1b[" not in plain.stdout
    line = next(line for line in plain.stdout.splitlines() if "schema/enum" in line)
    path = EXAMPLES / "invalid" / "campaigns-broken.jsonl"
    assert line.startswith(f"{path}:2: error [schema/enum] at /status: 'running' is not one of")
    assert plain.stdout.splitlines()[-1].startswith("19 records: ")
    coloured = invoke([str(EXAMPLES / "invalid"), "--color"])
    assert "\x1b[31m" in coloured.stdout  # red errors
    assert (
        invoke([str(EXAMPLES / "invalid"), "--format", "jsonl", "--color"]).stdout.count("\x1b[")
        == 0
    )


def test_text_summary_when_all_valid() -> None:
    result = invoke([str(VALID_JSONL)])
    assert result.stdout == "8 records: 8 valid, 0 invalid (0 errors, 0 warnings)\n"


def test_github_annotations(tmp_path: Path) -> None:
    path = tmp_path / "odd, name: 100%.jsonl"
    write_jsonl(path, [campaign("draft"), {**campaign("draft"), "status": "a\nb"}])
    result = invoke([str(path), "--format", "github"])
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert annotations == [
        "::error file="
        + str(tmp_path).replace(":", "%3A").replace(",", "%2C")
        + "/odd%2C name%3A 100%25.jsonl,line=2,title=schema/enum::/status: 'a\\nb' is not one of "
        "['draft', 'pending', 'ongoing', 'paused', 'success', 'fail', 'canceled']"
    ]
    assert result.exit_code == 1


def test_github_escapes_newlines_in_messages() -> None:
    render = renderer(Settings(format="github", color=False, strict=False, fail_on="error"))
    finding = Finding("parse", "error", "", "two\nlines\r, 50%")
    rendered = render("<stdin>", 3, None, [finding], True)
    assert rendered == "::error line=3,title=parse::two%0Alines%0D, 50%25\n"


def test_github_annotation_of_an_array_element(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps([campaign("draft"), 5]), "utf-8")
    result = invoke([str(path), "--format", "github"])
    assert (
        f"::error file={path},line=1,title=schema/type::element 1: 5 is not of type 'object'"
        in result.stdout
    )


def test_junit_is_well_formed_xml_with_one_case_per_record(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl", [campaign("draft"), {"name": "\x01\ud800"}, campaign("fail")]
    )
    (tmp_path / "b.json").write_text("[1, 2", "utf-8")
    result = invoke([str(tmp_path), "--format", "junit"])
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("6", "4")
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == [str(path), str(tmp_path / "b.json")]
    cases = suites[0].findall("testcase")
    assert [case.get("name") for case in cases] == ["line 1", "line 2", "line 3"]
    assert [case.find("failure") is not None for case in cases] == [False, True, False]


def test_text_output_survives_lone_surrogates_and_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"status": "\\ud800\\u0007"}\n', "utf-8")
    for output_format in ("text", "github", "jsonl"):
        result = invoke([str(path), "--format", output_format])
        assert result.exit_code == 1
        assert "\x07" not in result.stdout


@pytest.mark.parametrize(("line", "index"), [(3, None), (None, 4), (7, 0), (None, None)])
def test_the_jsonl_fast_path_renders_exactly_like_json_dumps(
    line: int | None, index: int | None
) -> None:
    render = renderer(Settings(format="jsonl", color=False, strict=False, fail_on="error"))
    source = 'dir/"odd" \u00e9\udc80.jsonl'
    rendered = render(source, line, index, [], False)
    expected: dict[str, object] = {
        "source": source,
        "line": line,
        "index": index,
        "valid": True,
        "findings": [],
    }
    assert rendered == json.dumps(expected) + "\n"


def test_progress_appears_only_after_a_second_and_is_cleared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [100.0]
    monkeypatch.setattr("voxkit.engine.progress.time.monotonic", lambda: clock[0])
    written: list[str] = []
    meter = Progress(True, 1000, written.append)
    meter.update(100, 10)
    assert written == []  # not within the first second
    clock[0] += 1.5
    meter.update(500, 50)
    assert written[-1].startswith("\r[###############...............]  50% 50 records")
    meter.close()
    assert written[-1] == "\r\x1b[K"
    silent: list[str] = []
    disabled = Progress(False, 1000, silent.append)
    clock[0] += 5
    disabled.update(500, 50)
    disabled.close()
    assert silent == []


def test_no_progress_on_stderr_when_piped() -> None:
    result = invoke([str(EXAMPLES / "valid")])
    assert result.stderr == ""
    forced = invoke([str(EXAMPLES / "valid"), "--progress"])  # a fast run draws nothing either
    assert forced.exit_code == 0


def test_the_readme_shows_what_the_main_job_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (REPO_ROOT / "README.md").read_text("utf-8")
    marker = "`voxkit validate examples/` (the quick start's command) prints:\n\n```\n"
    start = readme.index(marker) + len(marker)
    expected = readme[start : readme.index("```", start)]
    monkeypatch.chdir(REPO_ROOT)
    result = invoke(["examples/"])
    assert result.exit_code == 1
    assert result.stdout == expected, "paste the output of `voxkit validate examples/` in README.md"


def _dying_batch(batch: object, settings: object) -> object:
    os._exit(3)


def test_a_dead_worker_is_an_error_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [campaign("draft")])
    monkeypatch.setattr("voxkit.engine.local.run_batch", _dying_batch)
    result = invoke([str(path), "--jobs", "2"])
    assert result.exit_code == 2
    assert result.stderr.startswith("voxkit: error: a worker process ended abruptly")


def test_strict_reports_unknown_fields_as_drift_warnings(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [{**campaign("ongoing"), "new_field": 1}])
    quiet = _jsonl_records([str(path)])
    assert quiet[0]["findings"] == []
    strict = invoke([str(path), "--strict", "--format", "jsonl"])
    records, _ = parse_jsonl(strict.stdout)
    assert [(f["rule"], f["severity"], f["path"]) for f in records[0]["findings"]] == [
        ("drift", "warning", "/new_field")
    ]
    assert strict.exit_code == 0
    assert invoke([str(path), "--strict", "--fail-on", "warning"]).exit_code == 1


# --------------------------------------------------------------------------- --input-format

CASSETTE = EXAMPLES / "traffic" / "campaigns-api.yaml"


def _without_source(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**record, "source": None} for record in records]


@pytest.mark.parametrize("path", [CASSETTE, FIXTURES / "session.har"], ids=lambda p: p.name)
@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_recorded_traffic_on_stdin_with_input_format(path: Path, compress: bool) -> None:
    data = path.read_bytes()
    piped = gzip.compress(data) if compress else data
    kind = "cassette" if path.suffix == ".yaml" else "har"
    from_stdin = _jsonl_records(["--input-format", kind, "-"], stdin=piped)
    assert {record["source"] for record in from_stdin} == {"<stdin>"}
    assert _without_source(from_stdin) == _without_source(_jsonl_records([str(path)]))


def test_without_input_format_a_piped_cassette_is_parse_errors() -> None:
    records = _jsonl_records(["-"], stdin=CASSETTE.read_bytes())
    assert len(records) > 50
    assert {rule for record in records for rule in rules_of(record)} == {"parse"}


def test_input_format_applies_where_no_extension_says_the_format(tmp_path: Path) -> None:
    capture = tmp_path / "capture.txt"
    capture.write_bytes(CASSETTE.read_bytes())
    as_cassette = _jsonl_records(["--input-format", "cassette", str(capture)])
    assert _without_source(as_cassette) == _without_source(_jsonl_records([str(CASSETTE)]))
    lines = write_jsonl(tmp_path / "lines.jsonl", [campaign("draft"), campaign("fail")])
    # The extension says JSON Lines: --input-format does not change that.
    assert _jsonl_records(["--input-format", "cassette", str(lines)]) == _jsonl_records(
        [str(lines)]
    )


def test_input_format_jsonl_and_json_on_stdin() -> None:
    pretty = json.dumps([campaign("draft"), campaign("fail")], indent=2).encode()
    assert [r["index"] for r in _jsonl_records(["--input-format", "json", "-"], stdin=pretty)] == [
        0,
        1,
    ]
    as_lines = _jsonl_records(["--input-format", "jsonl", "-"], stdin=pretty)
    assert len(as_lines) == len(pretty.splitlines())  # every line a record, most unparseable
    assert all(record["index"] is None for record in as_lines)


def test_input_format_is_checked() -> None:
    result = invoke(["-", "--input-format", "xml"], stdin=b"{}")
    assert result.exit_code == 2
    assert "Invalid value for '--input-format'" in result.stderr


# --------------------------------------------------------------------------- extra rules, in workers

RULES_FILE = """
from vox_validators.rules import rule


@rule("ACME-W001", severity="warning", description="No campaign is called 'forbidden'.",
      source="ACME policy")
def not_forbidden(record):
    if record.get("name") == "forbidden":
        yield "/name", "'forbidden' is not a name ACME allows"
"""


def _run_engine(
    path: Path, jobs: int, rules: tuple[Rule, ...], rule_specs: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    settings = Settings(format="jsonl", color=False, strict=False, fail_on="error")
    results: list[BatchResult] = []
    records = iter_records(path)
    run(batches(records), settings, jobs, results.append, rules=rules, rule_specs=rule_specs)
    found, _ = parse_jsonl("".join(r.rendered for r in results) + _summary_of(results))
    return found


def _summary_of(results: list[BatchResult]) -> str:
    total = Tally()
    for result in results:
        total.add(result.tally)
    return json.dumps({"summary": total.summary()})


@pytest.mark.parametrize("jobs", [1, 2, "2-spawn"])
def test_rules_from_a_user_file_run_in_every_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int | str
) -> None:
    if jobs == "2-spawn":  # workers that inherit nothing: they must re-load the file
        spawn = multiprocessing.get_context("spawn")
        monkeypatch.setattr("voxkit.engine.local.multiprocessing.get_context", lambda: spawn)
        jobs = 2
    assert isinstance(jobs, int)
    monkeypatch.setattr(voxkit.engine.local, "BATCH_RECORDS", 7)  # work for every worker
    spec = tmp_path / "acme_rules.py"
    spec.write_text(RULES_FILE, "utf-8")
    rules = tuple(load_rules(str(spec)))
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [campaign("draft"), {**campaign("draft"), "name": "forbidden"}] * 30,
    )
    records = _run_engine(path, jobs, rules, (str(spec),))
    assert [rules_of(record) for record in records] == [[], ["ACME-W001"]] * 30


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_importable_rule_is_sent_to_the_workers_without_a_spec(
    tmp_path: Path, jobs: int
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [{**campaign("draft"), "name": "forbidden"}])
    records = _run_engine(path, jobs, (importable_rule,))
    assert rules_of(records[0]) == ["TEST-W200"]


@rule(
    "TEST-W200",
    severity="warning",
    description="A test rule, importable by workers.",
    source="tests",
)
def importable_rule(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if record.get("name") == "forbidden":
        yield "/name", "'forbidden' again"


def test_a_rule_that_no_worker_can_get_is_refused_before_any_work(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [campaign("draft")])
    local = Rule("TEST-W300", "warning", "d", "tests", ("Campaign",), lambda record: iter(()))
    assert _run_engine(path, 1, (local,))[0]["findings"] == []  # one process: nothing to send
    with pytest.raises(ValueError, match="rule TEST-W300 cannot be sent to worker processes"):
        _run_engine(path, 2, (local,))


def test_a_spec_that_no_longer_loads_in_a_worker_is_a_dead_worker(tmp_path: Path) -> None:
    spec = tmp_path / "acme_rules.py"
    spec.write_text(RULES_FILE, "utf-8")
    rules = tuple(load_rules(str(spec)))
    spec.unlink()
    with pytest.raises(RuleLoadError):
        load_rules(str(spec))
    path = write_jsonl(tmp_path / "a.jsonl", [campaign("draft")])
    with pytest.raises(voxkit.engine.local.WorkerDied):
        _run_engine(path, 2, rules, (str(spec),))
