"""Shared helpers for the ``voxkit validate`` tests: running the command and checking the contract."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from tests.support.paths import REPO_ROOT
from voxkit.cli import cli

EXAMPLES = REPO_ROOT / "examples"
FIXTURES = REPO_ROOT / "tests" / "fixtures"
VALID_JSONL = EXAMPLES / "valid" / "campaigns-every-status.jsonl"

RECORD_KEYS = ["source", "line", "index", "valid", "findings"]
FINDING_KEYS = ["rule", "severity", "path", "message"]
SUMMARY_KEYS = ["records", "valid", "invalid", "errors", "warnings"]


def invoke(args: list[str], stdin: bytes | None = None) -> Result:
    result = CliRunner().invoke(cli, ["validate", *args], input=stdin)
    # Never a traceback: the only exception allowed out of the command is its exit.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def valid_campaigns() -> list[dict[str, Any]]:
    return [json.loads(line) for line in VALID_JSONL.read_text("utf-8").splitlines()]


def campaign(status: str = "ongoing") -> dict[str, Any]:
    for record in valid_campaigns():
        if record["status"] == status:
            return copy.deepcopy(record)
    raise LookupError(status)


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), "utf-8")
    return path


def parse_jsonl(output: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The records and summary of ``--format jsonl`` output, checked against docs/contracts.md."""
    lines = output.splitlines()
    assert lines, "no output"
    objects = [json.loads(line) for line in lines]
    *records, last = objects
    assert list(last) == ["summary"]
    summary = last["summary"]
    assert list(summary) == SUMMARY_KEYS
    assert all(type(summary[key]) is int for key in SUMMARY_KEYS)
    errors = warnings = 0
    for record in records:
        assert list(record) == RECORD_KEYS, record
        assert type(record["source"]) is str
        assert record["line"] is None or (type(record["line"]) is int and record["line"] >= 1)
        assert record["index"] is None or (type(record["index"]) is int and record["index"] >= 0)
        assert type(record["valid"]) is bool
        assert type(record["findings"]) is list
        for finding in record["findings"]:
            assert list(finding) == FINDING_KEYS, finding
            assert all(type(finding[key]) is str for key in FINDING_KEYS)
            assert finding["severity"] in ("error", "warning")
            assert finding["path"] == "" or finding["path"].startswith("/")
            assert finding["rule"]
        severities = [finding["severity"] for finding in record["findings"]]
        assert record["valid"] == ("error" not in severities)
        errors += severities.count("error")
        warnings += severities.count("warning")
    assert summary == {
        "records": len(records),
        "valid": sum(record["valid"] for record in records),
        "invalid": sum(not record["valid"] for record in records),
        "errors": errors,
        "warnings": warnings,
    }
    return records, summary


def rules_of(record: dict[str, Any]) -> list[str]:
    return [finding["rule"] for finding in record["findings"]]
