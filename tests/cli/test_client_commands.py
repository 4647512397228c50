"""``voxkit get`` and ``voxkit update`` against MockVox served on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner, Result

from vox_client.testing import MockVox
from voxkit.cli import cli as _cli
from voxkit.cli.create import create_command

# Until cli/__init__.py adds `create`, the tests add it themselves (the same command object).
cli = (
    _cli
    if "create" in _cli.commands
    else click.Group("voxkit", commands={**_cli.commands, "create": create_command})
)

KEY = "voxref_cli_00112233445566778899aabbccddeeff"
PAUSED = "cmp_9e4d2b6a71"
ONGOING = "cmp_5b6e0f9d13"


@pytest.fixture
def server() -> Iterator[MockVox]:
    with MockVox.serve(api_key=KEY) as running:
        yield running


def run(server: MockVox, *args: str, key: str | None = KEY) -> Result:
    env = {"VOX_BASE_URL": server.url, "VOX_API_KEY": key}
    return CliRunner().invoke(cli, list(args), env=env)


def test_get_prints_the_campaign_as_json(server: MockVox) -> None:
    result = run(server, "get", PAUSED)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == server.get(PAUSED)
    assert "예약 확인 전화" in result.stdout  # UTF-8, not \\u escapes


def test_get_with_a_wrong_key_is_a_clear_401(server: MockVox) -> None:
    result = run(server, "get", PAUSED, key="voxref_cli_wrong_key_0000")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: HTTP 401 from GET /v3/campaigns/{PAUSED}: unauthorized: Invalid API key"
        " [request id req_00000001]\n"  # MockVox's x-request-id header
    )
    assert "Traceback" not in result.output
    assert "voxref_cli_wrong_key_0000" not in result.output


def test_get_unknown_id_is_a_clear_404(server: MockVox) -> None:
    result = run(server, "get", "cmp_nope")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: HTTP 404 from GET /v3/campaigns/cmp_nope: not_found: Campaign not found "
        "(field: campaign_id, reason: not_found) [request id req_00000001]\n"
    )


def test_get_of_a_body_that_is_not_json_lists_the_finding(server: MockVox) -> None:
    server.malformed_next(b"<html>", content_type="text/html", path=f"/v3/campaigns/{PAUSED}")
    result = run(server, "get", PAUSED)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"error: HTTP 200 from GET /v3/campaigns/{PAUSED} broke the contract"
        " [request id req_00000001]:"
    )
    assert lines[1].startswith("  /: not valid JSON")
    assert lines[1].endswith("[parse]")


def test_get_prints_what_the_validator_accepts_as_it_was_sent(server: MockVox) -> None:
    # One verdict: 640.0 is an integer to JSON Schema, and "\ud800" a valid string escape.
    campaign = dict(server.get(PAUSED), name="a\ud800b")
    calls = campaign["completed_calls"]
    body = json.dumps({**campaign, "completed_calls": float(calls)}).encode("ascii")
    server.respond_next(200, body, path=f"/v3/campaigns/{PAUSED}")
    result = run(server, "get", PAUSED)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["completed_calls"] == calls
    assert isinstance(printed["completed_calls"], int)
    assert f'"completed_calls": {calls},' in result.stdout
    assert '"name": "a\\ud800b"' in result.stdout  # the escape, not an unencodable character


def test_get_without_a_key_is_a_usage_error(server: MockVox) -> None:
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


def test_update_name(server: MockVox) -> None:
    result = run(server, "update", PAUSED, "--name", "새 이름")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["name"] == "새 이름"
    assert server.get(PAUSED)["name"] == "새 이름"


def test_update_call_time_window(server: MockVox) -> None:
    window = {
        "windows": [{"start_min": 600, "end_min": 720, "days": ["Sunday"]}],
        "timezone": "Asia/Seoul",
        "auto_resume": False,
    }
    result = run(server, "update", PAUSED, "--call-time-window", json.dumps(window))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["call_time_window"] == window


def test_update_blank_name_is_refused_before_sending(server: MockVox) -> None:
    before = dict(server.get(PAUSED))
    result = run(server, "update", PAUSED, "--name", "   ")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "error: update campaign refused before sending:"
    # The business rule says why, in the docs' terms; the schema's pattern is not shown.
    assert result.stderr.splitlines()[1:] == [
        "  /name: '   ' is only whitespace: a name has 1..255 characters, not only whitespace"
        " [schema/pattern]"
    ]
    assert "does not match" not in result.stderr
    assert server.get(PAUSED) == before


def test_update_of_an_ongoing_campaign_is_a_clear_409(server: MockVox) -> None:
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
def test_usage_errors_exit_2(server: MockVox, args: list[str], message: str) -> None:
    result = run(server, *args)
    assert result.exit_code == 2
    assert message in result.stderr


# --- create, --api-key, --base-url, --raw, help ----------------------------------------------

AGENT_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


@pytest.fixture
def mock() -> Iterator[MockVox]:
    with MockVox.serve() as running:
        yield running


def run_mock(mock: MockVox, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"VOX_API_KEY": None, "VOX_BASE_URL": None})


def create_args(mock: MockVox, *extra: str) -> list[str]:
    return [
        "create",
        "--api-key",
        mock.api_key,
        "--base-url",
        mock.url,
        "--name",
        "고객 설문",
        "--from-number",
        "07070001234",
        "--agent-id",
        AGENT_ID,
        "--agent-version",
        "v1",
        "--tasks",
        '[{"to_number": "01012345678"}]',
        *extra,
    ]


def test_create_prints_the_new_campaign(mock: MockVox) -> None:
    window = '{"windows": [{"start_min": 540, "end_min": 1080, "days": ["Monday"]}], '
    window += '"timezone": "Asia/Seoul", "auto_resume": true}'
    result = run_mock(
        mock,
        *create_args(
            mock,
            "--concurrency",
            "5",
            "--scheduled-at",
            "1764464400000",
            "--call-time-window",
            window,
        ),
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert (printed["name"], printed["concurrency"]) == ("고객 설문", 5)
    assert printed["agent"] == {"agent_id": AGENT_ID, "agent_version": "v1"}
    assert printed["id"] in mock.campaigns
    sent = mock.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v3/campaigns")
    assert sent.json()["tasks"] == [{"to_number": "01012345678"}]


def test_create_with_a_blank_name_gets_the_business_rule_message(mock: MockVox) -> None:
    args = create_args(mock)
    args[args.index("고객 설문")] = "   "
    result = run_mock(mock, *args)
    assert result.exit_code == 1
    assert (
        "'   ' is only whitespace: a name has 1..255 characters, not only whitespace"
        " [schema/pattern]" in result.stderr
    )
    assert "does not match" not in result.stderr
    assert mock.requests == []


@pytest.mark.parametrize(
    ("tasks", "message"), [("{oops", "not valid JSON"), ('{"a": 1}', "JSON array of objects")]
)
def test_create_tasks_must_be_a_json_array(mock: MockVox, tasks: str, message: str) -> None:
    args = create_args(mock)
    args[args.index('[{"to_number": "01012345678"}]')] = tasks
    result = run_mock(mock, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_api_key_and_base_url_options_win_over_the_environment(mock: MockVox) -> None:
    cid = mock.add()["id"]
    env = {"VOX_API_KEY": "voxmock_wrong", "VOX_BASE_URL": "http://127.0.0.1:1"}
    args = ["get", cid, "--api-key", mock.api_key, "--base-url", mock.url]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == cid


def test_a_bad_base_url_is_a_usage_error(mock: MockVox) -> None:
    result = run_mock(mock, "get", "cmp_1", "--api-key", "k", "--base-url", "ftp://x")
    assert result.exit_code == 2
    assert "--base-url" in result.stderr
    assert "is not a base URL" in result.stderr


def test_raw_prints_status_headers_and_body_without_the_key(mock: MockVox) -> None:
    cid = mock.add(name="원본")["id"]
    common = ["--api-key", mock.api_key, "--base-url", mock.url, "--raw"]
    result = run_mock(mock, "get", cid, *common)
    assert result.exit_code == 0, result.output
    head, _, body = result.stdout.partition("\n\n")
    lines = head.splitlines()
    assert lines[0] == "HTTP/1.1 200 OK"
    assert f"x-request-id: {mock.requests[-1].request_id}" in [line.lower() for line in lines]
    assert json.loads(body)["name"] == "원본"
    assert mock.api_key not in result.output
    missing = run_mock(mock, "get", "cmp_nope", *common)
    assert missing.exit_code == 1
    assert missing.stdout.startswith("HTTP/1.1 404 Not Found")
    assert "not_found" in missing.stdout
    assert f"[request id {mock.requests[-1].request_id}]" in missing.stderr
    updated = run_mock(mock, "update", cid, "--name", "새", *common)
    assert updated.exit_code == 0, updated.output
    assert updated.stdout.startswith("HTTP/1.1 200 OK")
    created = run_mock(mock, *create_args(mock, "--raw"))
    assert created.exit_code == 0, created.output
    assert created.stdout.startswith("HTTP/1.1 20")
    assert mock.api_key not in updated.output + created.output


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("get", "Retries of the GET after a connection error"),
        ("update", "Retries of the PATCH only when it was never sent"),
        ("create", "Retries of the POST only when it was never sent"),
    ],
)
def test_help_names_the_environment_and_the_right_retries(command: str, words: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"], terminal_width=400)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "--api-key" in text
    assert "env var: VOX_API_KEY" in text
    assert "--base-url" in text
    assert "env var: VOX_BASE_URL" in text
    assert "--raw" in text
    assert words in text
    if command != "get":
        assert "after a connection error, a timeout, 408" not in text
