"""A user's pytest project recording with pytest-recording, run in a subprocess.

The project has pytest-recording's defaults (no ``vcr_config``: nothing filtered, so the
``Authorization`` header is recorded) and one test, parametrized by the plans it is given: each
plan sends its steps with ``requests`` or ``httpx`` under ``@pytest.mark.vcr``, with vcrpy's
``decode_compressed_response`` on or off. The record mode is the command line's
(``--record-mode``), as a user runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.validators.sources.recorders._script import Step

TEST_FILE = """
import json
import os

import httpx
import pytest
import requests

URL = os.environ["RECORDING_URL"]
KEY = os.environ["RECORDING_KEY"]
PLANS = json.loads(os.environ["RECORDING_PLANS"])


def send(client, steps):
    headers = {"Authorization": f"Bearer {KEY}"}
    if client == "requests":
        with requests.Session() as session:
            session.headers.update(headers)
            for step in steps:
                session.request(step["method"], URL + step["path"], json=step["body"], timeout=10)
    else:
        with httpx.Client(base_url=URL, headers=headers) as session:
            for step in steps:
                session.request(step["method"], step["path"], json=step["body"])


@pytest.mark.parametrize(
    "plan",
    [
        pytest.param(
            plan,
            id=plan["name"],
            marks=pytest.mark.vcr(decode_compressed_response=plan["decode"]),
        )
        for plan in PLANS
    ],
)
def test_session(plan):
    send(plan["client"], plan["steps"])
"""


@dataclass(frozen=True)
class Plan:
    """One test of the project: its cassette's name, client, decode setting and steps."""

    name: str
    client: str
    decode: bool
    steps: Sequence[Step]

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "client": self.client,
            "decode": self.decode,
            "steps": [step.as_json() for step in self.steps],
        }


def project(root: Path) -> Path:
    """Write the project into ``root`` (once); returns it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pytest.ini").write_text("[pytest]\n", "utf-8")
    (root / "test_session.py").write_text(TEST_FILE, "utf-8")
    return root


def cassette(root: Path, plan: Plan) -> Path:
    """Where pytest-recording keeps the cassette of ``plan``: cassettes/<module>/<test id>.yaml."""
    return root / "cassettes" / "test_session" / f"test_session[{plan.name}].yaml"


def run(
    root: Path, url: str, key: str, plans: Sequence[Plan], record_mode: str
) -> subprocess.CompletedProcess[str]:
    """Run the project's tests with ``--record-mode``; returns the finished run."""
    env = {
        **os.environ,
        "RECORDING_URL": url,
        "RECORDING_KEY": key,
        "RECORDING_PLANS": json.dumps([plan.as_json() for plan in plans], ensure_ascii=False),
        # pytest-recording alone: the other plugins of this environment only slow it down
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "pytest_recording.plugin",
        f"--record-mode={record_mode}",
        "test_session.py",
    ]
    return subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False
    )
