from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.support.paths import SPEC_PATH


@pytest.fixture(scope="session")
def spec_document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return document
