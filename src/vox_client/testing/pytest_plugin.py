"""The voxkit pytest plugin, active wherever voxkit is installed (the ``pytest11`` entry point).

Fixtures (each fresh per test):

- ``vox_mock``: a ``MockVox`` serving on 127.0.0.1 (``vox_mock.url``, ``vox_mock.api_key``);
  override the ``vox_mock_options`` fixture to pass it options (``{"examples": False}``);
- ``vox_client``: a ``vox_client.Client`` pointed at ``vox_mock.url`` over the socket;
- ``vox_async_client``: a ``vox_client.AsyncClient`` on the same mock, in-process
  (``mock.async_transport()``), so it works under any event loop (pytest-asyncio, anyio,
  ``asyncio.run``). Both clients retry as the real client does, on the real clock.

Option ``--vox-validate-cassettes`` (or ``vox_validate_cassettes = true`` in the ini file): after
each test, every vcrpy cassette the test used (``vcr.use_cassette``, pytest-recording's
``@pytest.mark.vcr``), replayed or recorded, is checked: a documented response that breaks the
spec or a business rule, or a credential left in the cassette (an ``Authorization`` header, a
bearer token, a key in a URL or a body), fails the test with the findings.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from vox_client import AsyncClient, Client
from vox_client.testing._cassettes import CassetteFinding, check_cassette
from vox_client.testing._mock import MockVox

OPTION = "--vox-validate-cassettes"
INI = "vox_validate_cassettes"

# The cassettes loaded since the current test's setup began (None: the option is off).
_used: list[Any] | None = None
_patched = False


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("voxkit", "voxkit (vox.ai campaigns API)")
    group.addoption(
        OPTION,
        action="store_true",
        default=None,
        help="check every vcrpy cassette a test uses against the vox.ai v3 spec and for "
        "credentials; a finding fails the test",
    )
    parser.addini(INI, "like --vox-validate-cassettes", type="bool", default=False)


def _enabled(config: pytest.Config) -> bool:
    option = config.getoption(OPTION)
    return bool(option) if option is not None else bool(config.getini(INI))


def pytest_configure(config: pytest.Config) -> None:
    if _enabled(config):
        _patch_vcrpy()


def _patch_vcrpy() -> None:
    """Wrap ``vcr.cassette.Cassette._load``, which every cassette goes through (vcrpy's
    ``use_cassette`` and pytest-recording alike), to learn which cassettes a test uses."""
    global _patched  # noqa: PLW0603 - one patch per process
    if _patched:
        return
    try:
        from vcr.cassette import Cassette  # type: ignore[import-untyped]  # noqa: PLC0415
    except ImportError as exc:
        raise pytest.UsageError(f"{OPTION} needs vcrpy (pip install vcrpy)") from exc
    original = Cassette._load

    @functools.wraps(original)
    def _load(self: Any) -> Any:
        if _used is not None and all(used is not self for used in _used):
            _used.append(self)
        return original(self)

    Cassette._load = _load
    _patched = True


def _cassette_text(cassette: Any) -> tuple[bytes, str]:
    """The cassette as it is (or will be) on disk: the file when nothing new was recorded,
    else the interactions in memory, serialized as vcrpy saves them."""
    path = Path(str(cassette._path))
    if not cassette.dirty and path.is_file():
        return path.read_bytes(), str(path)
    from vcr.serialize import serialize  # type: ignore[import-untyped]  # noqa: PLC0415

    text = serialize(cassette._as_dict(), cassette._serializer)
    return (text.encode("utf-8") if isinstance(text, str) else bytes(text)), str(path)


def _findings_of_used() -> list[CassetteFinding]:
    findings: list[CassetteFinding] = []
    for cassette in _used or ():
        if not len(cassette.data):
            continue  # nothing was replayed or recorded
        data, name = _cassette_text(cassette)
        findings.extend(check_cassette(data, name))
    return findings


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    global _used  # noqa: PLW0603 - the current test's cassettes
    _used = [] if _enabled(item.config) else None
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    try:
        result = yield
    except BaseException:
        # The test failed already and keeps its own failure; the findings go beside it.
        findings = _findings_of_used()
        if findings:
            item.add_report_section("call", "vox cassettes", _message(findings))
        raise
    findings = _findings_of_used()
    if findings:
        pytest.fail(_message(findings), pytrace=False)
    return result


def _message(findings: list[CassetteFinding]) -> str:
    listed = "\n".join(f"  {f}" for f in findings)
    return f"{OPTION}: {len(findings)} finding(s) in the cassettes this test used:\n{listed}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    global _used  # noqa: PLW0603
    try:
        return (yield)
    finally:
        _used = None


@pytest.fixture
def vox_mock_options() -> dict[str, Any]:
    """Keyword arguments of ``MockVox(...)`` for ``vox_mock``; override it to change them."""
    return {}


@pytest.fixture
def vox_mock(vox_mock_options: dict[str, Any]) -> Iterator[MockVox]:
    """A fresh ``MockVox`` serving on 127.0.0.1 for this test."""
    with MockVox.serve(**vox_mock_options) as mock:
        yield mock


@pytest.fixture
def vox_client(vox_mock: MockVox) -> Iterator[Client]:
    """A ``vox_client.Client`` pointed at ``vox_mock``."""
    with Client(api_key=vox_mock.api_key, base_url=vox_mock.url) as client:
        yield client


@pytest.fixture
def vox_async_client(vox_mock: MockVox) -> Iterator[AsyncClient]:
    """A ``vox_client.AsyncClient`` on ``vox_mock``, in-process (any event loop will do)."""
    client = AsyncClient(
        api_key=vox_mock.api_key, base_url=vox_mock.url, transport=vox_mock.async_transport()
    )
    yield client
    # The in-process transport holds no connection, so closing needs no particular loop.
    with contextlib.suppress(RuntimeError):
        asyncio.run(client.aclose())
