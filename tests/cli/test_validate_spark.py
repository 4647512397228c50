"""``voxkit validate --engine spark``: byte for byte what the local engine prints, in local mode.

The Spark tests share one ``local[2]`` session (created by the first test that needs it, then
handed over by ``getOrCreate``); the usage error without PySpark needs no Spark at all.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.spark import RULES_FILE, build_corpus, spark_session
from tests.support.validate import invoke

needs_spark = pytest.mark.skipif(
    any(__import__("importlib").util.find_spec(name) is None for name in ("pyspark", "pyarrow")),
    reason="PySpark is not installed (pip install 'voxkit[spark]')",
)

SPARK = ["--engine", "spark", "--spark-master", "local[2]"]

CUSTOM_RULE = """
from vox_validators.rules import rule


@rule("ACME-W001", severity="warning", schemas=("Campaign",),
      description="Campaigns call at most 10,000 people.", source="ACME calling policy (a test)")
def at_most_ten_thousand_calls(record):
    total = record.get("total_calls")
    if isinstance(total, int) and total > 10_000:
        yield "/total_calls", f"{total} calls is more than the 10,000 ACME allows"
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def rules_files(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("rules")
    (folder / "acme_windows.py").write_text(RULES_FILE, "utf-8")
    (folder / "acme_calls.py").write_text(CUSTOM_RULE, "utf-8")
    return [str(folder / "acme_windows.py"), str(folder / "acme_calls.py")]


@pytest.fixture(scope="module")
def spark() -> object:
    return spark_session()


def corpus_arguments(corpus: Path) -> list[str]:
    # A directory (walked, with a note for notes.txt), a file named twice under two names,
    # and the traffic folder's files in an order of their own.
    traffic = sorted(str(path) for path in (corpus / "e-traffic").iterdir())
    again = os.path.relpath(corpus / "d-object.json")  # a second name of one file
    return [str(corpus), *reversed(traffic), str(corpus / "a-mixed.jsonl"), again]


@needs_spark
@pytest.mark.usefixtures("spark")
@pytest.mark.parametrize("output_format", ["jsonl", "text", "junit", "github"])
def test_every_format_prints_what_the_local_engine_prints(
    corpus: Path, rules_files: list[str], output_format: str
) -> None:
    arguments = [*corpus_arguments(corpus), "--format", output_format]
    for spec in rules_files:
        arguments += ["--rules", spec]
    local = invoke(arguments)
    spark = invoke([*arguments, *SPARK])
    assert spark.stdout == local.stdout
    assert spark.exit_code == local.exit_code == 1
    if output_format == "jsonl":
        rules = {
            f["rule"]
            for line in local.stdout.splitlines()[:-1]
            for f in json.loads(line)["findings"]
        }
        assert {"ACME-W001", "ACME-E002", "parse", "undocumented", "not-captured"} <= rules


@needs_spark
@pytest.mark.usefixtures("spark")
def test_options_exit_codes_and_unreadable_inputs_as_the_local_engine(
    corpus: Path, tmp_path: Path
) -> None:
    valid = str(corpus / "d-object.json")
    cassette = tmp_path / "piped.txt"
    cassette.write_bytes((corpus / "e-traffic" / "update_400_blank_name.yaml").read_bytes())
    cases = [
        [valid, "--format", "jsonl"],  # exit 0
        [str(corpus / "e-traffic" / "session.har"), "--fail-on", "warning", "--format", "jsonl"],
        [str(corpus), "--strict", "--format", "jsonl"],
        [str(cassette), "--input-format", "cassette", "--format", "jsonl"],
        [valid, str(tmp_path / "missing.jsonl"), "--format", "jsonl"],  # exit 2
        [str(corpus / "c-array.json"), "--schema", "ErrorEnvelope", "--format", "jsonl"],
    ]
    codes = []
    for arguments in cases:
        local = invoke(arguments)
        spark = invoke([*arguments, *SPARK])
        assert (spark.stdout, spark.exit_code) == (local.stdout, local.exit_code), arguments
        codes.append(local.exit_code)
    assert codes == [0, 1, 1, 0, 2, 1]


@needs_spark
@pytest.mark.usefixtures("spark")
@pytest.mark.parametrize("spooled", [True, False], ids=["spooled", "in the rows"])
def test_rendered_text_waits_in_spool_files_in_local_mode_else_travels_in_the_rows(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spooled: bool
) -> None:
    from voxkit.engine import spark as engine  # noqa: PLC0415 - PySpark is optional

    spool = tmp_path / "spool"
    spool.mkdir()

    @contextlib.contextmanager
    def kept_spool(*arguments: object) -> Iterator[str | None]:
        yield str(spool) if spooled else None  # kept after the run, to be looked at

    monkeypatch.setattr(engine, "_spool_for", kept_spool)
    arguments = [*corpus_arguments(corpus), "--format", "jsonl"]
    local = invoke(arguments)
    spark = invoke([*arguments, *SPARK])
    assert (spark.stdout, spark.exit_code) == (local.stdout, local.exit_code)
    spooled_bytes = sum(path.stat().st_size for path in spool.iterdir())
    summary_line = local.stdout.splitlines(keepends=True)[-1]
    expected = len(local.stdout.encode()) - len(summary_line.encode()) if spooled else 0
    assert spooled_bytes == expected
    assert (len(list(spool.iterdir())) >= 2) is spooled  # one file per task that rendered


@needs_spark
@pytest.mark.usefixtures("spark")
def test_size_limits_as_the_local_engine(corpus: Path) -> None:
    traffic = corpus / "e-traffic"
    cases = [
        [str(corpus), "--max-record-size", "300"],
        [str(traffic), "--max-input-size", "1KiB"],
        [str(traffic), "--max-nodes", "40"],
    ]
    for arguments in cases:
        arguments += ["--format", "jsonl"]
        local = invoke(arguments)
        spark = invoke([*arguments, *SPARK])
        assert (spark.stdout, spark.exit_code) == (local.stdout, local.exit_code), arguments
        assert '"rule":"limit"' in local.stdout.replace(" ", ""), arguments


@needs_spark
@pytest.mark.usefixtures("spark")
def test_stdin_through_spark(corpus: Path) -> None:
    data = (corpus / "e-traffic" / "get_200_breaks_business_rule.yaml").read_bytes()
    arguments = ["-", "--input-format", "cassette", "--format", "jsonl"]
    local = invoke(arguments, stdin=data)
    spark = invoke([*arguments, *SPARK], stdin=data)
    assert (spark.stdout, spark.exit_code) == (local.stdout, local.exit_code)


@needs_spark
@pytest.mark.usefixtures("spark")
def test_output_writes_parquet_by_source_and_prints_the_summary(
    corpus: Path, tmp_path: Path, rules_files: list[str]
) -> None:
    from pyspark.sql import SparkSession  # noqa: PLC0415 - PySpark is optional

    arguments = [str(corpus), "--format", "jsonl", "--rules", rules_files[1]]
    local = invoke(arguments)
    target = tmp_path / "results"
    spark = invoke([*arguments, *SPARK, "--output", str(target)])
    assert spark.exit_code == local.exit_code == 1
    assert spark.stdout == local.stdout.splitlines(keepends=True)[-1]  # the summary line only
    session = SparkSession.getActiveSession()
    assert session is not None
    written = session.read.parquet(str(target))
    assert {"source", "unit", "item", "line", "index", "valid", "findings"} <= set(written.columns)
    assert any(path.name.startswith("source=") for path in target.iterdir())
    printed = [json.loads(line) for line in local.stdout.splitlines()[:-1]]
    rows = {
        (row.source, row.line, row["index"]): (row.valid, [f.asDict() for f in row.findings])
        for row in written.collect()
    }
    assert len(rows) == len(printed)
    for record in printed:
        key = (record["source"], record["line"], record["index"])
        assert rows[key] == (record["valid"], record["findings"])
    text = invoke([str(corpus / "d-object.json"), *SPARK, "--output", str(tmp_path / "text")])
    assert text.stdout == "1 record: 1 valid, 0 invalid (0 errors, 0 warnings)\n"
    assert text.exit_code == 0


def test_engine_spark_without_pyspark_is_a_usage_error_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch, corpus: Path
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now fails
    result = invoke([str(corpus / "d-object.json"), "--engine", "spark"])
    assert result.exit_code == 2
    assert "voxkit[spark]" in result.output
    assert invoke([str(corpus / "d-object.json"), "--engine", "local"]).exit_code == 0


@needs_spark
@pytest.mark.usefixtures("spark")
def test_archives_read_in_shares_and_files_spread_print_what_the_local_engine_prints(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voxkit.engine import spark as engine  # noqa: PLC0415 - PySpark is optional

    # Thresholds of the driver's plan, lowered so that small inputs take the paths large ones do.
    monkeypatch.setattr(engine, "_SHARED_MIN_BYTES", 1)
    monkeypatch.setattr(engine, "_SPREAD_MIN_BYTES", 1)
    monkeypatch.setattr(engine, "_SHARE_CHUNK_BYTES", 512)
    planned: list[list[Any]] = []
    spread: list[list[Any]] = []
    plan, whole_files = engine._plan, engine._whole_files

    def planning(*arguments: Any) -> list[Any]:
        planned.append(plan(*arguments))
        return planned[-1]

    def spreading(spark: Any, whole: list[Any]) -> Any:
        spread.append(whole)
        return whole_files(spark, whole)

    monkeypatch.setattr(engine, "_plan", planning)
    monkeypatch.setattr(engine, "_whole_files", spreading)

    archive = tmp_path / "big.jsonl.gz"
    archive.write_bytes(gzip.compress((corpus / "a-mixed.jsonl").read_bytes() * 40))
    truncated = tmp_path / "truncated.jsonl.gz"
    truncated.write_bytes(archive.read_bytes()[:-30])
    har = corpus / "e-traffic" / "session.har"
    for inputs in ([archive], [truncated], [har]):
        for output_format in ("jsonl", "text"):
            arguments = [*map(str, inputs), "--format", output_format]
            local = invoke(arguments)
            spark = invoke([*arguments, *SPARK])
            assert (spark.stdout, spark.exit_code) == (local.stdout, local.exit_code), arguments
            assert local.stdout.count("\n") > 3
    # The archives went out as two shares, the HAR file's records were spread.
    shares = [(piece[6], piece[7]) for pieces in planned[:4] for piece in pieces]
    assert shares == [(0, 2), (1, 2)] * 4
    assert [piece[4] for pieces in spread for piece in pieces] == [str(har.resolve())] * 2


@needs_spark
def test_a_session_the_command_starts_keeps_sparks_start_up_lines_off_stderr(
    corpus: Path,
) -> None:
    """stderr is voxkit's: a fresh ``--engine spark`` process prints what the local engine does."""
    invalid = str(corpus / "a-mixed.jsonl")
    environment = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "VOXKIT_SPARK_MEMORY": "1g"}

    def run(*engine: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "voxkit", "validate", invalid, "--no-color"]
        return subprocess.run(
            [*command, *engine], capture_output=True, text=True, env=environment, check=False
        )

    local = run()
    spark = run("--engine", "spark", "--spark-master", "local[1]")
    # Java's own warning (Spark adds an incubator module on the JVM's command line) is not Spark's
    # logging, and no option of the JVM silences it.
    java = "WARNING: Using incubator modules: jdk.incubator.vector\n"
    assert (spark.stdout, spark.stderr.replace(java, "", 1), spark.returncode) == (
        local.stdout,
        local.stderr,
        local.returncode,
    )
    assert local.returncode == 1
    assert local.stdout.count("\n") > 3
