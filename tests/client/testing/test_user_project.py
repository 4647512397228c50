"""The sample user project (examples/user-project) passes, and fails on a broken cassette."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.client.testing._pytest_run import run_pytest
from tests.client.testing._support import REPO

PROJECT = REPO / "examples" / "user-project"
CASSETTE = Path("cassettes") / "ongoing_campaign.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "user-project"
    shutil.copytree(PROJECT, copy, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return copy


def _edit_cassette(
    project: Path, *, body: tuple[str, str] | None = None, auth: str | None = None
) -> None:
    path = project / CASSETTE
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    interaction = document["interactions"][0]
    if body is not None:
        text = interaction["response"]["body"]["string"]
        assert body[0] in text
        text = text.replace(*body)
        interaction["response"]["body"]["string"] = text
        interaction["response"]["headers"]["content-length"] = [str(len(text.encode()))]
    if auth is not None:
        interaction["request"]["headers"]["authorization"] = [auth]
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def test_the_sample_project_passes(project: Path) -> None:
    run = run_pytest(project)
    assert run.returncode == 0, run.stdout + run.stderr
    assert " passed" in run.stdout
    assert "failed" not in run.stdout


def test_a_cassette_that_breaks_a_business_rule_fails_the_tests_that_use_it(project: Path) -> None:
    _edit_cassette(project, body=('"finished_at": null', '"finished_at": 1764410400000'))
    run = run_pytest(project)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "VOX-E002 error at /finished_at" in output
    assert "--vox-validate-cassettes" in output
    assert "FAILED tests/test_with_a_cassette.py::test_progress_line_from_the_cassette" in output
    # The application itself tolerated the answer (strict=False): only the check failed it.
    assert "1764410400000 is set although status 'ongoing' is not terminal" in output


def test_a_cassette_with_a_credential_fails(project: Path) -> None:
    _edit_cassette(project, auth="Bearer sk-live-0123456789abcdef")
    run = run_pytest(project)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "interaction 0: secret error at /request/headers/authorization/0" in output
    assert "0123456789abcdef" not in output  # the report does not copy the key
