"""The benchmark scripts run (on a tiny corpus); speed itself is never asserted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks import bench_speed, bench_validate, make_corpus
from vox_validators import is_valid, validate_json


def test_corpus_is_valid_except_for_the_records_made_invalid(tmp_path: Path) -> None:
    made_invalid = make_corpus.main(["--records", "400", "--data", str(tmp_path)])
    valid_lines = (tmp_path / make_corpus.VALID_NAME).read_bytes().splitlines()
    mixed_lines = (tmp_path / make_corpus.INVALID_NAME).read_bytes().splitlines()
    assert len(valid_lines) == len(mixed_lines) == 400
    assert all(is_valid(validate_json(line)) for line in valid_lines)
    assert sum(not is_valid(validate_json(line)) for line in mixed_lines) == made_invalid > 0


def test_benchmark_prints_a_ratio_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_corpus.main(["--records", "60", "--data", str(tmp_path)])
    assert bench_validate.main(["--runs", "1", "--slow-slice", "10", "--data", str(tmp_path)]) == 0
    output = capsys.readouterr().out
    assert output.count("| orjson.loads alone |") == 2
    assert "| voxkit validate_json (schema + rules) |" in output
    assert "1.000x" in output


def test_benchmark_without_a_corpus_says_how_to_make_one(tmp_path: Path) -> None:
    assert bench_validate.main(["--data", str(tmp_path)]) == 2


def test_speed_table_prints_every_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    options = ["--records", "60", "--reader-records", "40", "--runs", "1", "--startup-runs", "1"]
    sizes = ["--har-gigabytes", "0.0002", "--cassette-megabytes", "0.05", "--data", str(tmp_path)]
    environment = dict(os.environ)
    assert bench_speed.main([*options, *sizes]) == 0
    assert dict(os.environ) == environment  # what it changes for its commands, it restores
    output = capsys.readouterr().out
    assert "load average (1, 5, 15 min) before:" in output
    assert "load average after:" in output
    for row in (
        "| whole command vs read + orjson.loads loop, all valid, 60 records |",
        "| same, 5% invalid |",
        "| JSON array throughput vs the same records as JSON Lines (40) |",
        "| HAR throughput vs JSON Lines / peak memory on a 0.0002 GB HAR |",
        "| cassette throughput vs JSON Lines / peak memory on a 0.05 MB cassette |",
        "| a schema-invalid record |",
        "| `--jobs 2` vs `--jobs 1`, 60 records (5% invalid) |",
        "| peak memory of the whole command on the 60 records",
    ):
        assert row in output
    assert output.count("\n| ") >= 10  # the header, and the start-up rows too
    assert list(tmp_path.iterdir()) == []  # every generated input deleted
