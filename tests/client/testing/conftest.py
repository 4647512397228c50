from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.client.testing._support import NOW_MS, raw_http
from vox_client.testing import MockVox


@pytest.fixture
def mock() -> MockVox:
    return MockVox(api_key="voxmock_test_0123456789abcdef", now_ms=lambda: NOW_MS)


@pytest.fixture(params=["socket", "transport"])
def http(request: pytest.FixtureRequest, mock: MockVox) -> Iterator[httpx.Client]:
    """A plain httpx client on ``mock``, once over a real socket and once in-process."""
    with raw_http(mock, request.param) as client:
        yield client
