"""``voxkit validate --rules PATH_OR_MODULE`` and the ``voxkit.rules`` entry points."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.campaigns import valid_campaign
from tests.support.validate import invoke, parse_jsonl, rules_of, write_jsonl

# A custom rule as an organisation would write it: its own prefix, one function, its metadata.
RULES_FILE = """
from vox_validators import rule


@rule(
    "ACME-E001",
    severity="error",
    description="Campaign names carry the team prefix.",
    source="ACME house rules",
)
def team_prefix(record):
    name = record.get("name")
    if isinstance(name, str) and not name.startswith("acme:"):
        yield "/name", f"{name!r} does not start with 'acme:'"
"""


VALIDATE = [sys.executable, "-m", "voxkit", "validate"]


def _rules_file(tmp_path: Path, text: str = RULES_FILE, name: str = "acme_rules.py") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _records(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "campaigns.jsonl",
        [valid_campaign(name="acme: spring"), valid_campaign(name="spring"), valid_campaign()],
    )


def test_a_rule_from_a_python_file_fires(tmp_path: Path) -> None:
    data, rules = _records(tmp_path), _rules_file(tmp_path)
    result = invoke([str(data), "--format", "jsonl", "--rules", str(rules)])
    assert result.exit_code == 1, result.output
    records, summary = parse_jsonl(result.output)
    assert [rules_of(record) for record in records] == [[], ["ACME-E001"], ["ACME-E001"]]
    assert records[1]["findings"][0] == {
        "rule": "ACME-E001",
        "severity": "error",
        "path": "/name",
        "message": "'spring' does not start with 'acme:'",
    }
    assert summary["invalid"] == 2
    # Without the option the same records are valid: the rule came from the file only.
    assert invoke([str(data), "--format", "jsonl"]).exit_code == 0


def test_rules_reach_worker_processes(tmp_path: Path) -> None:
    data, rules = _records(tmp_path), _rules_file(tmp_path)
    runs = [
        subprocess.run(
            [*VALIDATE, str(data), "--format", "jsonl", "--rules", str(rules), "--jobs", jobs],
            capture_output=True,
            check=False,
        )
        for jobs in ("1", "2")
    ]
    assert [run.returncode for run in runs] == [1, 1]
    assert runs[0].stdout == runs[1].stdout
    records, _ = parse_jsonl(runs[1].stdout.decode("utf-8"))
    assert [rules_of(record) for record in records] == [[], ["ACME-E001"], ["ACME-E001"]]


def test_an_id_that_clashes_with_a_built_in_rule_is_a_usage_error(tmp_path: Path) -> None:
    clash = _rules_file(tmp_path, RULES_FILE.replace("ACME-E001", "VOX-E001"), "clash.py")
    result = invoke([str(_records(tmp_path)), "--rules", str(clash)])
    assert result.exit_code == 2
    assert "VOX-E001" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "spec", ["no_such_file.py", "no_such_module_for_voxkit", "json"], ids=["file", "module", "none"]
)
def test_rules_that_cannot_be_loaded_are_a_usage_error(tmp_path: Path, spec: str) -> None:
    result = invoke([str(_records(tmp_path)), "--rules", spec])
    assert result.exit_code == 2
    assert result.output.startswith("voxkit: error: ")
    assert len(result.output.strip().splitlines()) == 1


def test_a_rule_that_raises_is_an_internal_finding_and_the_run_goes_on(tmp_path: Path) -> None:
    raising = _rules_file(
        tmp_path, RULES_FILE.replace("name = record.get", "name = record.nope"), "raising.py"
    )
    result = invoke([str(_records(tmp_path)), "--format", "jsonl", "--rules", str(raising)])
    assert result.exit_code == 1
    records, summary = parse_jsonl(result.output)
    assert summary["records"] == 3
    assert all(rules_of(record) == ["internal"] for record in records)
    assert all("ACME-E001" in record["findings"][0]["message"] for record in records)


def test_an_installed_package_contributes_rules(tmp_path: Path) -> None:
    # A small installed package: its module and its dist-info with a voxkit.rules entry point.
    site = tmp_path / "site"
    package = site / "acme_plugin"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "rules.py").write_text(RULES_FILE, encoding="utf-8")
    info = site / "acme_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-plugin\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[voxkit.rules]\nacme = acme_plugin.rules\n", encoding="utf-8"
    )
    environment = {**os.environ, "PYTHONPATH": str(site)}
    data = _records(tmp_path)
    validated = subprocess.run(
        [*VALIDATE, str(data), "--format", "jsonl"],
        capture_output=True,
        check=False,
        env=environment,
    )
    assert validated.returncode == 1, validated.stderr
    records, _ = parse_jsonl(validated.stdout.decode("utf-8"))
    assert [rules_of(record) for record in records] == [[], ["ACME-E001"], ["ACME-E001"]]
    listed = subprocess.run(
        [sys.executable, "-m", "voxkit", "rules", "--format", "json"],
        capture_output=True,
        check=True,
        env=environment,
    )
    assert "ACME-E001" in [entry["id"] for entry in json.loads(listed.stdout)]
