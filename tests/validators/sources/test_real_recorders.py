"""Recordings made for real by the recorders users record with, and judged right.

The reference server (``MockVox`` on a loopback socket) sits behind a proxy that gzips or
deflates its answers (``recorders/_proxy.py``); the same nine-call session (``recorders/
_script.py``) is recorded by vcrpy with httpx, requests and aiohttp (``decode_compressed_response``
on and off), by pytest-recording in a user's project run in a subprocess (every record mode), by
mitmproxy's HAR export and by Chromium through Playwright (HAR content embedded and attached).
Each recording must then give exactly the session's verdicts: its two broken bodies and its
maintenance page found, every other response valid whatever its Content-Encoding and however
the recorder stored it (requests, urllib3 2, aiohttp and pytest-recording's defaults keep
``Content-Encoding: gzip`` on a body they already decompressed), and the ``Authorization``
header they all recorded reported as a ``secret`` and never printed.

Nothing leaves loopback: the clients, mitmproxy and Chromium (tests.support.chromium) reach only the
proxy on 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser

from tests.support.chromium import launched_chromium
from tests.support.validate import invoke
from tests.validators.sources.recorders import _pytest_recording as project
from tests.validators.sources.recorders._har import (
    chromium_har,
    mitmproxy,
    provision_mitmdump,
    send_through,
)
from tests.validators.sources.recorders._judge import judge
from tests.validators.sources.recorders._proxy import EncodingProxy
from tests.validators.sources.recorders._script import FIRST, STEPS, Step, expected
from tests.validators.sources.recorders._vcr import record
from vox_client.testing import MockVox


@pytest.fixture(scope="session")
def mitmdump() -> str:
    """mitmproxy's mitmdump, installed into .cache/tools/ on first use (see provision_mitmdump)."""
    return provision_mitmdump()


@pytest.fixture(scope="module")
def mock() -> Iterator[MockVox]:
    with MockVox.serve() as running:
        yield running


@pytest.fixture(scope="module")
def proxy(mock: MockVox) -> Iterator[EncodingProxy]:
    running = EncodingProxy(mock)
    try:
        yield running
    finally:
        running.close()


def assert_judged(
    path: Path,
    steps: Sequence[Step],
    key: str,
    *,
    secret: bool = True,
    before: Sequence[tuple[int, list[str]]] = (),
) -> None:
    """``path`` gives exactly the verdicts of ``steps`` (after the records ``before``, such as a
    browser's page), no ``parse`` error but the maintenance page's, and never shows ``key``."""
    assert (key in path.read_text("utf-8")) is secret, "the recording does not hold what it should"
    judged = judge(path)
    offset = len(before)
    want = [*before, *[(index + offset, rules) for index, rules in expected(steps, secret=secret)]]
    got = [(index, sorted(f.rule for f in findings)) for index, findings in judged]
    assert got == want
    for index, findings in judged:
        assert index is not None  # every record of recorded traffic is an interaction or entry
        for finding in findings:
            assert key not in finding.message
            assert key[8:20] not in finding.message
            if finding.rule == "parse":  # only the maintenance page, for not being JSON
                assert steps[index - offset].name == "get-canceled-not-json", finding
                assert finding.message.startswith("not valid JSON"), finding
            if finding.rule == "secret":
                # as the recorder spelt it: httpx writes header names in lower case
                assert finding.message.lower().startswith("authorization: bearer ****("), finding
                assert finding.path.lower() in (
                    "/request/headers/authorization/0",
                    "/request/headers/" + _header_index(path, index, "authorization"),
                )


def _header_index(path: Path, index: int, name: str) -> str:
    """``<n>/value``, where n is the position of header ``name`` in HAR entry ``index``."""
    if path.suffix != ".har":
        return ""
    headers = json.loads(path.read_text("utf-8"))["log"]["entries"][index]["request"]["headers"]
    [position] = [n for n, header in enumerate(headers) if header["name"].lower() == name]
    return f"{position}/value"


# ----------------------------------------------------------------------------- vcrpy


@pytest.mark.parametrize("decode", [True, False], ids=["decoded", "as-received"])
@pytest.mark.parametrize("client", ["httpx", "requests", "aiohttp"])
def test_a_vcrpy_cassette_is_judged_right(
    client: str, decode: bool, proxy: EncodingProxy, mock: MockVox, tmp_path: Path
) -> None:
    cassette = tmp_path / f"{client}.yaml"
    with proxy.plan(STEPS):
        record(client, cassette, proxy.url, mock.api_key, STEPS, decode=decode)
    assert_judged(cassette, STEPS, mock.api_key)
    first = yaml.safe_load(cassette.read_text("utf-8"))["interactions"][0]
    headers = {name.lower(): value for name, value in first["request"]["headers"].items()}
    assert headers["authorization"] == [f"Bearer {mock.api_key}"]


def test_a_filtered_vcrpy_cassette_has_no_secret(
    proxy: EncodingProxy, mock: MockVox, tmp_path: Path
) -> None:
    cassette = tmp_path / "filtered.yaml"
    with proxy.plan(STEPS):
        record(
            "requests",
            cassette,
            proxy.url,
            mock.api_key,
            STEPS,
            decode=False,
            filter_authorization=True,
        )
    assert_judged(cassette, STEPS, mock.api_key, secret=False)


# ----------------------------------------------------------------------------- pytest-recording

_CLIENTS = ("requests", "httpx")
_DECODES = (True, False)


def _plans(mode: str, steps: Sequence[Step]) -> list[project.Plan]:
    return [
        project.Plan(
            f"{mode}-{client}-{'decoded' if decode else 'as-received'}", client, decode, steps
        )
        for client in _CLIENTS
        for decode in _DECODES
    ]


@pytest.fixture(scope="module")
def recorded_once(
    tmp_path_factory: pytest.TempPathFactory, proxy: EncodingProxy, mock: MockVox
) -> Path:
    """The project after ``pytest --record-mode=once``: the whole session, and a first part of it
    (``seed-*``) for the modes that start from an existing cassette."""
    root = project.project(tmp_path_factory.mktemp("user-project"))
    plans = _plans("once", STEPS) + _plans("seed", FIRST)
    with proxy.plan(step for plan in plans for step in plan.steps):
        result = project.run(root, proxy.url, mock.api_key, plans, "once")
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_pytest_recording_once(recorded_once: Path, mock: MockVox) -> None:
    for plan in _plans("once", STEPS):
        assert_judged(project.cassette(recorded_once, plan), STEPS, mock.api_key)
    for plan in _plans("seed", FIRST):
        assert_judged(project.cassette(recorded_once, plan), FIRST, mock.api_key)


# mode: (the cassette it starts from, the requests that reach the server, what the cassette holds)
_MODES: dict[str, tuple[str, Sequence[Step], Sequence[Step]]] = {
    "new_episodes": ("seed", STEPS[len(FIRST) :], STEPS),  # the first part replayed, the rest added
    "all": ("seed", STEPS, STEPS),  # everything recorded again, the old cassette replaced
    "rewrite": ("seed", STEPS, STEPS),  # pytest-recording's own: the cassette deleted first
    "none": ("once", (), STEPS),  # replayed, nothing written
}


@pytest.mark.parametrize("mode", list(_MODES))
def test_pytest_recording_every_record_mode(
    mode: str, recorded_once: Path, proxy: EncodingProxy, mock: MockVox
) -> None:
    start, sent, held = _MODES[mode]
    plans = _plans(mode, STEPS)
    for plan in plans:
        origin = project.Plan(plan.name.replace(mode, start, 1), plan.client, plan.decode, ())
        shutil.copyfile(
            project.cassette(recorded_once, origin), project.cassette(recorded_once, plan)
        )
    before = {plan.name: project.cassette(recorded_once, plan).read_bytes() for plan in plans}
    with proxy.plan(step for _ in plans for step in sent):
        result = project.run(recorded_once, proxy.url, mock.api_key, plans, mode)
    assert result.returncode == 0, result.stdout + result.stderr
    for plan in plans:
        path = project.cassette(recorded_once, plan)
        assert_judged(path, held, mock.api_key)
        if mode == "none":
            assert path.read_bytes() == before[plan.name]
        if mode == "new_episodes":  # the seed's interactions kept as they were
            ids = [_request_ids(path), _request_ids_of(before[plan.name])]
            assert ids[0][: len(FIRST)] == ids[1]


def _request_ids_of(text: bytes) -> list[str]:
    document = yaml.safe_load(text)
    ids = []
    for interaction in document["interactions"]:
        headers = {k.lower(): v for k, v in interaction["response"]["headers"].items()}
        ids.append(headers["x-request-id"][0])
    return ids


def _request_ids(path: Path) -> list[str]:
    return _request_ids_of(path.read_bytes())


# ----------------------------------------------------------------------------- HAR


def test_a_mitmproxy_har_is_judged_right(
    mitmdump: str, proxy: EncodingProxy, mock: MockVox, tmp_path: Path
) -> None:
    har = tmp_path / "mitmproxy.har"
    with proxy.plan(STEPS), mitmproxy(mitmdump, har, tmp_path / "mitmproxy-conf") as through:
        send_through(through, proxy.url, mock.api_key, STEPS)
    assert json.loads(har.read_text("utf-8"))["log"]["creator"]["name"] == "mitmproxy"
    assert_judged(har, STEPS, mock.api_key)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_chromium() as chromium:
        yield chromium


@pytest.mark.parametrize("content", ["embed", "attach"])
def test_a_chromium_har_is_judged_right(
    content: str, browser: Browser, proxy: EncodingProxy, mock: MockVox, tmp_path: Path
) -> None:
    har = tmp_path / "chromium.har"
    with proxy.plan(STEPS):
        chromium_har(browser, har, proxy.url, mock.api_key, STEPS, content=content)
    entries = json.loads(har.read_text("utf-8"))["log"]["entries"]
    attached = [e["response"]["content"].get("_file") for e in entries]
    assert all(attached) if content == "attach" else not any(attached)
    # the page the calls are made from is a record of its own: not an operation of the API
    assert_judged(har, STEPS, mock.api_key, before=[(0, ["undocumented"])])


# ----------------------------------------------------------------------------- voxkit validate


def test_voxkit_validate_judges_the_recordings_alike(
    mitmdump: str, proxy: EncodingProxy, mock: MockVox, tmp_path: Path
) -> None:
    """The command line gives the readers' verdicts, and never prints the recorded key."""
    folder = tmp_path / "recorded"
    folder.mkdir()
    with proxy.plan(STEPS):
        record("aiohttp", folder / "aiohttp.yaml", proxy.url, mock.api_key, STEPS, decode=False)
    har, conf = folder / "mitmproxy.har", tmp_path / "conf"
    with proxy.plan(STEPS), mitmproxy(mitmdump, har, conf) as through:
        send_through(through, proxy.url, mock.api_key, STEPS)
    result = invoke([str(folder), "--format", "jsonl"])
    assert result.exit_code == 1
    assert mock.api_key not in result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    *records, summary = lines
    got = [
        (Path(r["source"]).name, r["index"], sorted(f["rule"] for f in r["findings"]))
        for r in records
    ]
    want = [
        (name, index, rules)
        for name in ("aiohttp.yaml", "mitmproxy.har")
        for index, rules in expected(STEPS, secret=True)
    ]
    assert got == want
    assert summary["summary"]["records"] == 2 * len(STEPS)
    assert summary["summary"]["invalid"] == 2 * len(STEPS)  # every record has its secret
