"""The same cassette through pytest-recording's ``@pytest.mark.vcr`` (skipped without it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from campaign_report import make_client, progress_line

pytest.importorskip("pytest_recording")

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTES)


@pytest.fixture
def default_cassette_name() -> str:
    return "ongoing_campaign"


@pytest.mark.vcr
def test_progress_line_through_the_marker() -> None:
    with make_client("unused-key", "http://127.0.0.1:8765") as client:
        assert progress_line(client, "cmp_5b6e0f9d13").endswith("(ongoing)")
