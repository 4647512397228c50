"""``voxkit get`` and ``voxkit update`` against the reference server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result

from tests.support.reference_server import ReferenceServer, Reply
from voxkit.cli import cli

KEY = "voxref_cli_00112233445566778899aabbccddeeff"
PAUSED = "cmp_9e4d2b6a71"
ONGOING = "cmp_5b6e0f9d13"


@pytest.fixture
def server() -> Iterator[ReferenceServer]:
    with ReferenceServer({KEY}) as running:
        yield running


def run(server: ReferenceServer, *args: str, key: str | None = KEY) -> Result:
    env = {"VOX_BASE_URL": server.base_url, "VOX_API_KEY": key}
    return CliRunner().invoke(cli, list(args), env=env)


def test_get_prints_the_campaign_as_json(server: ReferenceServer) -> None:
    result = run(server, "get", PAUSED)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == server.api.campaigns[PAUSED]
    assert "예약 확인 전화" in result.stdout  # UTF-8, not \\u escapes


def test_get_with_a_wrong_key_is_a_clear_401(server: ReferenceServer) -> None:
    result = run(server, "get", PAUSED, key="voxref_cli_wrong_key_0000")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: HTTP 401 from GET /v3/campaigns/{PAUSED}: unauthorized: Invalid API key\n"
    )
    assert "Traceback" not in result.output
    assert "voxref_cli_wrong_key_0000" not in result.output


def test_get_unknown_id_is_a_clear_404(server: ReferenceServer) -> None:
    result = run(server, "get", "cmp_nope")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: HTTP 404 from GET /v3/campaigns/cmp_nope: not_found: Campaign not found "
        "(field: campaign_id, reason: not_found)\n"
    )


def test_get_of_a_body_that_is_not_json_lists_the_finding(server: ReferenceServer) -> None:
    server.inject("GET", f"/v3/campaigns/{PAUSED}", Reply(200, b"<html>", content_type="text/html"))
    result = run(server, "get", PAUSED)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"error: HTTP 200 from GET /v3/campaigns/{PAUSED} broke the contract:"
    assert lines[1].startswith("  /: not valid JSON")
    assert lines[1].endswith("[parse]")


def test_get_without_a_key_is_a_usage_error(server: ReferenceServer) -> None:
    result = run(server, "get", PAUSED, key=None)
    assert result.exit_code == 2
    assert "no API key: set the VOX_API_KEY environment variable." in result.stderr
    assert "Traceback" not in result.output


def test_get_when_nothing_listens_is_a_connection_error() -> None:
    env = {"VOX_BASE_URL": "http://127.0.0.1:1", "VOX_API_KEY": KEY}
    result = CliRunner().invoke(cli, ["get", PAUSED, "--max-retries", "0"], env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: connection error on GET http://127.0.0.1:1/v3/campaigns/"
    )
    assert "Traceback" not in result.output


def test_update_name(server: ReferenceServer) -> None:
    result = run(server, "update", PAUSED, "--name", "새 이름")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["name"] == "새 이름"
    assert server.api.campaigns[PAUSED]["name"] == "새 이름"


def test_update_call_time_window(server: ReferenceServer) -> None:
    window = {
        "windows": [{"start_min": 600, "end_min": 720, "days": ["Sunday"]}],
        "timezone": "Asia/Seoul",
        "auto_resume": False,
    }
    result = run(server, "update", PAUSED, "--call-time-window", json.dumps(window))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["call_time_window"] == window


def test_update_blank_name_is_refused_before_sending(server: ReferenceServer) -> None:
    before = dict(server.api.campaigns[PAUSED])
    result = run(server, "update", PAUSED, "--name", "   ")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "error: update campaign refused before sending:"
    assert "/name:" in result.stderr
    assert "[schema/pattern]" in result.stderr
    assert server.api.campaigns[PAUSED] == before


def test_update_of_an_ongoing_campaign_is_a_clear_409(server: ReferenceServer) -> None:
    result = run(server, "update", ONGOING, "--name", "x")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: HTTP 409 from PATCH /v3/campaigns/{ONGOING}: invalid_status: "
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["update", PAUSED], "nothing to update"),
        (["update", PAUSED, "--call-time-window", "{oops"], "not valid JSON"),
        (["update", PAUSED, "--call-time-window", "[1]"], "must be a JSON object"),
        (["get", PAUSED, "--timeout", "0"], "--timeout"),
        (["get"], "Missing argument 'CAMPAIGN_ID'"),
    ],
)
def test_usage_errors_exit_2(server: ReferenceServer, args: list[str], message: str) -> None:
    result = run(server, *args)
    assert result.exit_code == 2
    assert message in result.stderr
