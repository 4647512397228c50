"""The pytest plugin (fixtures, --vox-validate-cassettes) in a pytest subprocess; assert_valid."""

from __future__ import annotations

import textwrap
from pathlib import Path

import httpx
import pytest

from tests.client.testing._pytest_run import run_pytest
from tests.client.testing._support import DRAFT, ONGOING
from tests.support.memory import run_limited
from vox_client import Client
from vox_client.testing import MockVox
from vox_client.testing._cassettes import check_cassette
from vox_validators.testing import assert_valid

FIXTURES_SUITE = """
import asyncio
import pytest
from vox_client.testing import MockVox

seen = []

@pytest.fixture
def vox_mock_options():
    return {"examples": False}

@pytest.mark.parametrize("run", [1, 2])
def test_a_fresh_mock_each_time(vox_mock, vox_client, run):
    assert isinstance(vox_mock, MockVox) and vox_mock.campaigns == {}
    campaign = vox_mock.add(status="pending")
    assert vox_client.campaigns.get(campaign["id"]).status.value == "pending"
    seen.append(vox_mock.url)
    assert len(set(seen)) == len(seen)

def test_async(vox_mock, vox_async_client):
    campaign = vox_mock.add()
    got = asyncio.run(vox_async_client.campaigns.get(campaign["id"]))
    assert got.id == campaign["id"]
"""

RECORDING_SUITE = """
import httpx
import vcr
from vox_client import Client

def test_records_against_the_mock(vox_mock):
    recorder = vcr.VCR(record_mode="all", cassette_library_dir="cassettes", {filters})
    with recorder.use_cassette("recorded.yaml"), httpx.Client(base_url=vox_mock.url) as http:
        http.get("/v3/campaigns/{campaign}{query}", headers={{"Authorization": "Bearer " + vox_mock.api_key}})
"""


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")


def test_the_fixtures_are_fresh_per_test(tmp_path: Path) -> None:
    _write(tmp_path, "test_fixtures.py", FIXTURES_SUITE)
    run = run_pytest(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout


def _recording(tmp_path: Path, *, filters: str = "", campaign: str = DRAFT, query: str = "") -> str:
    _write(
        tmp_path,
        "test_recording.py",
        RECORDING_SUITE.format(filters=filters, campaign=campaign, query=query),
    )
    (tmp_path / "cassettes").mkdir()
    run = run_pytest(tmp_path, "--vox-validate-cassettes")
    return f"{run.returncode}\n{run.stdout}{run.stderr}"


def test_a_cassette_recorded_with_the_key_fails_the_test(tmp_path: Path) -> None:
    output = _recording(tmp_path)
    assert output.startswith("1\n"), output
    assert "interaction 0: secret error at /request/headers/authorization/0" in output
    assert "voxmock_" not in output.split("short test summary")[0].split("--vox-validate")[1]


def test_a_filtered_recording_passes(tmp_path: Path) -> None:
    output = _recording(tmp_path, filters='filter_headers=[("authorization", "Bearer <REDACTED>")]')
    assert output.startswith("0\n"), output


def test_a_key_in_the_url_fails(tmp_path: Path) -> None:
    output = _recording(
        tmp_path,
        filters='filter_headers=[("authorization", "<REDACTED>")]',
        query="?api_key=live0123456789",
    )
    assert output.startswith("1\n"), output
    assert "interaction 0: secret error at /request/uri: api_key=****" in output


def test_the_check_is_off_without_the_option(tmp_path: Path) -> None:
    _write(
        tmp_path, "test_recording.py", RECORDING_SUITE.format(filters="", campaign=DRAFT, query="")
    )
    (tmp_path / "cassettes").mkdir()
    assert run_pytest(tmp_path).returncode == 0
    _write(tmp_path, "pytest.ini", "[pytest]\nvox_validate_cassettes = true\n")
    assert run_pytest(tmp_path).returncode == 1  # the ini switch turns it on


def _cassette(
    status: int,
    body: str,
    *,
    uri: str = f"http://127.0.0.1:8765/v3/campaigns/{ONGOING}",
    extra: str = "",
) -> bytes:
    return textwrap.dedent(
        f"""\
        interactions:
        - request:
            body: {extra or "''"}
            headers:
              authorization:
              - Bearer <REDACTED>
            method: GET
            uri: {uri}
          response:
            body:
              string: '{body}'
            headers: {{}}
            status:
              code: {status}
              message: X
        version: 1
        """
    ).encode()


def test_check_cassette_judges_documented_responses_only() -> None:
    ongoing = MockVox().get(ONGOING)
    import json  # noqa: PLC0415

    good = json.dumps(ongoing, ensure_ascii=True)
    assert check_cassette(_cassette(200, good), "c.yaml") == []
    broken = json.dumps({**ongoing, "finished_at": 1764410400000})
    (finding,) = check_cassette(_cassette(200, broken), "c.yaml")
    assert str(finding).startswith("c.yaml: interaction 0: VOX-E002 error at /finished_at: ")
    assert check_cassette(_cassette(200, "<html>", uri="http://127.0.0.1:8765/health"), "c") == []
    (envelope,) = check_cassette(_cassette(404, "{}"), "c")
    assert envelope.finding.rule == "schema/required"
    (secret,) = check_cassette(_cassette(200, good, extra='\'{"token": "abc12345"}\''), "c")
    assert secret.finding.rule == "secret"
    assert "abc12345" not in str(secret)


# A billion laughs: nine levels of nine aliases, 9**9 strings once expanded.
_ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_check_cassette_survives_a_yaml_alias_bomb() -> None:
    # In a child with a memory cap: a check that expands the aliases dies there, not here.
    code = (
        "import sys\n"
        "from vox_client.testing._cassettes import check_cassette\n"
        "found = check_cassette(sys.stdin.buffer.read(), 'bomb.yaml')\n"
        "print(sorted({f.finding.rule for f in found}))\n"
    )
    result = run_limited(
        ["python", "-c", code], memory_mib=256, timeout=60, input=_ALIAS_BOMB.encode()
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "['limit']"


def test_assert_valid_passes_valid_bodies_of_every_kind() -> None:
    mock = MockVox()
    campaign = mock.get(DRAFT)
    with Client(api_key=mock.api_key, transport=mock.transport()) as client:
        model = client.campaigns.get(DRAFT)
    with httpx.Client(base_url="http://x.invalid", transport=mock.transport()) as http:
        denied = http.get(f"/v3/campaigns/{DRAFT}")
    assert assert_valid(campaign) == []
    assert assert_valid(model) == []
    assert assert_valid(denied, schema="ErrorEnvelope") == []
    assert assert_valid(denied.content.decode(), "ErrorEnvelope") == []


def test_assert_valid_fails_with_rule_pointer_and_message() -> None:
    broken = {**MockVox().get(ONGOING), "finished_at": 1764410400000, "active_concurrency": -1}
    with pytest.raises(AssertionError) as raised:
        assert_valid(broken)
    message = str(raised.value)
    assert message.startswith("not a valid Campaign (2 finding(s)):")
    assert "VOX-E002 error at /finished_at: 1764410400000 is set although" in message
    assert (
        "schema/minimum error at /active_concurrency: -1 is less than the minimum of 0" in message
    )
    with pytest.raises(AssertionError, match="parse error at /"):
        assert_valid(b"<html>")


def test_assert_valid_warnings_and_strict() -> None:
    odd = {
        **MockVox().get(ONGOING),
        "status": "success",
        "finished_at": None,
        "active_concurrency": 0,
    }
    odd["completed_calls"], odd["failed_calls"] = 469, 31
    (warning,) = assert_valid(odd)
    assert warning.rule == "VOX-W001"
    with pytest.raises(AssertionError, match="VOX-W001 warning at /finished_at"):
        assert_valid(odd, warnings=True)
    drift = {**MockVox().get(DRAFT), "surprise": 1}
    assert assert_valid(drift) == []
    with pytest.raises(AssertionError, match="drift warning at /surprise"):
        assert_valid(drift, strict=True, warnings=True)
