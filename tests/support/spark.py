"""The Spark tests' shared parts: one local session, the corpus of every input kind, a rules file."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tests.support.paths import REPO_ROOT

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

EXAMPLES = REPO_ROOT / "examples"
CASSETTES = REPO_ROOT / "cassettes"
FIXTURES = REPO_ROOT / "tests" / "fixtures"

RULES_FILE = """
from vox_validators.rules import rule

LIMIT = 3


@rule("ACME-E002", severity="error", schemas=("Campaign",),
      description="At most three call windows.", source="ACME calling policy (a test rule)")
def at_most_three_windows(record):
    windows = (record.get("call_time_window") or {}).get("windows") or []
    if len(windows) > LIMIT:
        yield "/call_time_window/windows", f"{len(windows)} windows is more than {LIMIT}"
"""


def spark_session() -> SparkSession:
    """The test run's Spark session (local[2]; ``getOrCreate`` hands it to every Spark test)."""
    from pyspark.sql import SparkSession  # noqa: PLC0415 - PySpark is optional

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        SparkSession.builder.master("local[2]")
        .appName("voxkit tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.log.level", "ERROR")
        # A short-lived JVM on few cores: the quick JIT tier and no code generation start faster.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1")
        .config("spark.sql.codegen.wholeStage", "false")
        .getOrCreate()
    )


def build_corpus(root: Path) -> Path:
    """Every input kind, valid and invalid records, and records the custom rules flag."""
    root.mkdir(parents=True, exist_ok=True)
    campaigns = [
        json.loads(line)
        for line in (EXAMPLES / "valid" / "campaigns-every-status.jsonl").read_text().splitlines()
    ]
    big = dict(campaigns[0], total_calls=20_000, completed_calls=0, failed_calls=0)
    windows = {
        "windows": [
            {"start_min": 60 * i, "end_min": 60 * i + 30, "days": ["Monday"]} for i in range(4)
        ],
        "timezone": "Asia/Seoul",
        "auto_resume": False,
    }
    many_windows = dict(campaigns[1], call_time_window=windows)
    lines = [json.dumps(record) for record in [*campaigns, big, many_windows]]
    lines[2:2] = ["", '{"id": "cmp_broken", ', "   ", "[1, 2]", '"text"']
    (root / "a-mixed.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    with gzip.open(root / "b-broken.jsonl.gz", "wb") as archive:
        archive.write((EXAMPLES / "invalid" / "campaigns-broken.jsonl").read_bytes())
        archive.write(lines[-2].encode() + b"\n")
    shutil.copy(EXAMPLES / "valid" / "campaigns-array.json", root / "c-array.json")
    shutil.copy(EXAMPLES / "invalid" / "campaigns-broken-array.json", root / "c-broken-array.json")
    shutil.copy(EXAMPLES / "valid" / "campaign-ongoing.json", root / "d-object.json")
    traffic = root / "e-traffic"
    traffic.mkdir(exist_ok=True)
    for name in ("get_200_breaks_business_rule.yaml", "update_400_blank_name.yaml"):
        shutil.copy(CASSETTES / name, traffic / name)
    shutil.copy(EXAMPLES / "traffic" / "campaigns-api.yaml", traffic / "campaigns-api.yaml")
    shutil.copy(FIXTURES / "session.har", traffic / "session.har")
    (root / "f-empty.json").write_bytes(b"")
    (root / "g-truncated.jsonl.gz").write_bytes(gzip.compress(lines[0].encode() + b"\n")[:-12])
    pretty = [json.dumps(record, indent=2, ensure_ascii=False) for record in campaigns[:2]]
    (root / "h-documents.json").write_text("\n".join([*pretty, '{"id": 1,\n'])[:-1], "utf-8")
    (root / "_underscore.jsonl").write_text(lines[0] + "\n" + lines[3] + "\n", "utf-8")
    (root / "notes.txt").write_text("not an input file\n")
    return root
