"""The application against a recorded cassette (vcrpy), checked by --vox-validate-cassettes."""

from __future__ import annotations

from pathlib import Path

import vcr
from campaign_report import make_client, progress_line

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
replay = vcr.VCR(cassette_library_dir=str(CASSETTES), record_mode="none")


def test_progress_line_from_the_cassette() -> None:
    with (
        replay.use_cassette("ongoing_campaign.yaml"),
        make_client("unused-key", "http://127.0.0.1:8765") as client,
    ):
        assert (
            progress_line(client, "cmp_5b6e0f9d13") == "연말 이벤트 안내: 243/500 calls (ongoing)"
        )
