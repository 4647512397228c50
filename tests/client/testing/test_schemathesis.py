"""Schemathesis, with every check and every phase (stateful included), finds nothing against the
mock; and every body the mock sent during that run passes vox_validators, warnings included."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.client.testing._support import SPEC_PATH
from vox_client.testing import MockVox
from vox_validators import validate_json

pytest.importorskip("schemathesis")

# Schema-valid bodies that break a business rule (an unknown time zone, a window that ends
# before it starts, a hyphenated number) are refused with the documented 400/422: schemathesis
# cannot know those rules, so its positive-data check is told they are expected answers.
CONFIG = """\
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429", "5xx"]
"""


def _interactions(report: Path) -> list[dict[str, Any]]:
    document = yaml.safe_load(report.read_text(encoding="utf-8"))
    return [i for i in document["http_interactions"] if i.get("response")]


def test_schemathesis_finds_nothing_and_every_body_is_valid(tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    report = tmp_path / "traffic.yaml"
    with MockVox.serve() as mock:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "--config-file",
                str(config),
                "run",
                str(SPEC_PATH),
                "--url",
                mock.url,
                "--header",
                f"Authorization: Bearer {mock.api_key}",
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--seed",
                "20251201",
                "--max-examples",
                "12",
                "--workers",
                "1",
                "--no-color",
                "--report",
                "vcr",
                "--report-vcr-path",
                str(report),
                "--report-preserve-bytes",
            ],
            capture_output=True,
            text=True,
            timeout=540,
            check=False,
            cwd=tmp_path,
        )
        received = len(mock.requests)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-8000:]
    assert "Stateful" in output, output[-3000:]
    assert "inferred" in output, output[-3000:]  # the stateful phase found links to follow
    interactions = _interactions(report)
    assert received >= len(interactions) > 300
    bad = []
    statuses = set()
    for interaction in interactions:
        response = interaction["response"]
        status = int(response["status"]["code"])
        statuses.add(status)
        data = base64.b64decode(response["body"]["base64_string"])
        schema = "Campaign" if 200 <= status < 300 else "ErrorEnvelope"
        headers = {k.lower(): v for k, v in response["headers"].items()}
        findings = validate_json(data, schema)
        if findings or "x-request-id" not in headers:
            bad.append(
                (interaction["request"]["method"], interaction["request"]["uri"], status, findings)
            )
    assert bad == []
    # The run reached the interesting answers, not only 401s.
    assert {200, 400, 401, 404, 405, 422} <= statuses, statuses
