"""The committed generated code imports, type-checks as generated, and round-trips examples."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from tests.support.paths import REPO_ROOT
from vox_generated import SPEC_SHA256, models
from vox_generated.openapi_client import AuthenticatedClient
from vox_generated.openapi_client.api.campaigns import (
    create_campaign,
    get_campaign,
    update_campaign,
)
from vox_generated.openapi_client.models import Campaign as AttrsCampaign


def test_generated_packages_import() -> None:
    assert len(SPEC_SHA256) == 64
    assert models.Campaign.model_fields.keys() >= {"id", "status", "call_time_window"}
    assert AuthenticatedClient(base_url="https://client-api.tryvox.co", token="t")
    assert {get_campaign.__name__, create_campaign.__name__, update_campaign.__name__}


def test_mypy_accepts_the_generated_code() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", os.devnull, "-p", "vox_generated"],
        cwd=REPO_ROOT / "generated_client",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_models_parse_every_campaign_example(spec_document: dict[str, Any]) -> None:
    examples = spec_document["components"]["examples"]
    campaigns = [e["value"] for name, e in examples.items() if name.startswith("Campaign")]
    assert len(campaigns) == 8
    for value in campaigns:
        assert models.Campaign.model_validate(value).model_dump(mode="json") == value
        assert AttrsCampaign.from_dict(value).to_dict() == value
