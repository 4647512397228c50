"""``voxkit get``, ``update`` and ``create`` against hostile input and hostile servers: a bad
``--timeout``, base URL, key or campaign ID is one usage error (exit 2), a hostile answer is one
error (exit 1), never a traceback, never the key, and nothing the server sent reaches the
terminal raw. Real loopback sockets; the 50 MB answer in a child process with a memory cap."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result

from tests.client.hostile import Hostile, drip, reply
from tests.support.campaigns import valid_campaign
from tests.support.memory import run_limited
from tests.support.paths import REPO_ROOT
from voxkit.cli import cli

KEY = "sk_live_cli_5f1d2c3b4a59687766554433221100ff"
CID = "cmp_3f9a1c2e7b"
AGENT = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
CREATE = [
    "create",
    "--name",
    "n",
    "--from-number",
    "07070001234",
    "--agent-id",
    AGENT,
    "--agent-version",
    "v1",
    "--tasks",
    '[{"to_number": "01012345678"}]',
]
# Every command, with an ID where it takes one.
COMMANDS = {
    "get": ["get", CID],
    "update": ["update", CID, "--name", "n"],
    "create": CREATE,
}
RAW_CONTROLS = ("\x1b", "\x9b", "\u202e", "\x07", "\x00")


def invoke(*args: str, env: dict[str, str | None] | None = None) -> Result:
    # color=True: click would strip some ANSI sequences from a stream that is not a terminal,
    # hiding what a terminal would get.
    environment: dict[str, str | None] = {"VOX_API_KEY": KEY, "VOX_BASE_URL": None, **(env or {})}
    return CliRunner().invoke(cli, list(args), env=environment, color=True)


def assert_one_usage_error(result: Result, *words: str) -> str:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    for word in words:
        assert word in errors[0], errors[0]
    return errors[0]


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "-1", "0", "NaN"])
def test_a_timeout_that_is_not_seconds_is_a_usage_error(command: str, value: str) -> None:
    with Hostile(reply(b"{}")) as server:
        result = invoke(*COMMANDS[command], "--base-url", server.url, "--timeout", value)
        assert server.requests == []
    assert_one_usage_error(result, "'--timeout'")


@pytest.mark.parametrize(
    "url", ["http://[::1", "http://[::1]:99999", "http://exa mple.com", "http://\x1b[2J"]
)
def test_a_malformed_base_url_is_a_usage_error(url: str) -> None:
    result = invoke("get", CID, env={"VOX_BASE_URL": url})
    line = assert_one_usage_error(result, "'--base-url'", "is not a base URL")
    assert not any(c in line for c in RAW_CONTROLS)


@pytest.mark.parametrize(
    "key", [KEY + "\n", KEY + "\r\n", KEY[:12] + "\n" + KEY[12:], KEY + "\x00", KEY + "\x1b[2J"]
)
def test_a_key_with_a_control_character_is_a_usage_error_that_hides_it(key: str) -> None:
    with Hostile(reply(b"{}")) as server:
        results = [invoke("get", CID, "--base-url", server.url, "--api-key", key)]
        if "\x00" not in key:  # an environment variable cannot hold a NUL
            results.append(invoke("get", CID, "--base-url", server.url, env={"VOX_API_KEY": key}))
        for result in results:
            assert_one_usage_error(result, "'--api-key' / VOX_API_KEY", "api_key has ")
            assert not any(KEY[i : i + 8] in result.output for i in range(len(KEY) - 7))
        assert server.requests == []


NOT_FOUND = b'{"error": {"code": "not_found", "message": "Campaign not found", "details": null}}'


@pytest.fixture
def not_found() -> Iterator[Hostile]:
    with Hostile(reply(NOT_FOUND, status=404)) as server:
        yield server


@pytest.mark.parametrize("campaign_id", [".", ".."])
@pytest.mark.parametrize("command", ["get", "update"])
def test_a_dot_segment_id_is_a_usage_error(
    not_found: Hostile, command: str, campaign_id: str
) -> None:
    args = [command, campaign_id, *(["--name", "n"] if command == "update" else [])]
    result = invoke(*args, "--base-url", not_found.url)
    assert_one_usage_error(result, "'CAMPAIGN_ID'", "is not a campaign ID")
    assert not_found.requests == []


def test_an_over_long_id_is_a_short_usage_error(not_found: Hostile) -> None:
    result = invoke("get", "x" * 70_000, "--base-url", not_found.url)
    line = assert_one_usage_error(result, "'CAMPAIGN_ID'", "is too long for a campaign ID")
    assert len(result.stderr) < 600
    assert "70,000 characters" in line
    assert not_found.requests == []


@pytest.mark.parametrize(
    ("campaign_id", "sent"),
    [("a/b", "/v3/campaigns/a%2Fb"), ("%2e%2e", "/v3/campaigns/%252e%252e"), ("a?b", None)],
)
def test_any_other_id_goes_as_one_segment(
    not_found: Hostile, campaign_id: str, sent: str | None
) -> None:
    result = invoke("get", campaign_id, "--base-url", not_found.url)
    assert result.exit_code == 1
    target = not_found.requests[0].split(b" ")[1].decode()
    assert target == (sent or "/v3/campaigns/a%3Fb")
    assert result.stderr.startswith(f"error: HTTP 404 from GET {target}: not_found")


# --- hostile answers -------------------------------------------------------------------------

ANSI = "\x1b[2J\x1b[31mgone\x9b\u202e\x1b]0;pwned\x07\x00"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_server_text_in_an_error_is_escaped(command: str) -> None:
    envelope = {"error": {"code": "not_found", "message": ANSI, "details": {"reason": ANSI}}}
    answer = reply(json.dumps(envelope).encode(), status=404, headers=[("x-request-id", "r\x9b")])
    with Hostile(answer) as server:
        for raw in ([], ["--raw"]):
            result = invoke(*COMMANDS[command], "--base-url", server.url, *raw)
            assert result.exit_code == 1, result.output
            assert "Traceback" not in result.output
            for text in (result.stdout, result.stderr):
                assert not any(c in text for c in RAW_CONTROLS), repr(text)
            assert "\\x1b[2J\\x1b[31mgone\\x9b\\u202e\\x1b]0;pwned\\x07\\x00" in result.stderr


def test_server_text_in_a_campaign_is_escaped_and_still_json() -> None:
    name = "a\x7fb\x9bc\u202ed\u2028e\U000e0001f"
    body = json.dumps(valid_campaign(id=CID, name=name), ensure_ascii=False).encode()
    with Hostile(reply(body, headers=[("X-Note", "\x9b2J")])) as server:
        printed = invoke("get", CID, "--base-url", server.url)
        raw = invoke("get", CID, "--base-url", server.url, "--raw")
    assert printed.exit_code == 0, printed.output
    assert not any(c in printed.stdout for c in (*RAW_CONTROLS, "\x7f", "\u2028", "\U000e0001"))
    assert json.loads(printed.stdout)["name"] == name  # the same JSON, escaped
    assert raw.exit_code == 0, raw.output
    assert not any(c in raw.stdout for c in (*RAW_CONTROLS, "\x7f"))
    assert "x-note: \\x9b2J" in raw.stdout.splitlines()


def test_findings_quoting_the_server_are_escaped() -> None:
    broken = {**valid_campaign(id=CID), "status": ANSI}
    with Hostile(reply(json.dumps(broken).encode())) as server:
        result = invoke("get", CID, "--base-url", server.url)
    assert result.exit_code == 1
    assert "broke the contract" in result.stderr
    assert not any(c in result.stderr for c in RAW_CONTROLS), repr(result.stderr)


def test_a_far_retry_after_is_one_error_not_a_traceback() -> None:
    limited = b'{"error": {"code": "rate_limited", "message": "later", "details": null}}'
    far = "Fri, 01 Dec 99999999999999999999 23:59:59 GMT"
    with Hostile(reply(limited, status=429, headers=[("Retry-After", far)])) as server:
        result = invoke("get", CID, "--base-url", server.url)
        assert len(server.requests) == 1
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr == (f"error: HTTP 429 from GET /v3/campaigns/{CID}: rate_limited: later\n")


def test_a_dripping_answer_ends_at_the_timeout() -> None:
    with Hostile(drip(b" " * 5000, interval=0.02), give_up=12) as server:
        started = time.monotonic()
        result = invoke("get", CID, "--base-url", server.url, "--timeout", "1")
        elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert result.stderr.startswith("error: read timeout on GET http://127.0.0.1:")
    assert result.stderr.endswith("(the 1 s timeout ran out)\n")
    assert elapsed < 2.5


def test_a_50_mb_error_is_not_written_to_stderr() -> None:
    body = b'{"error": {"code": "not_found", "message": "%s"}}' % (b"x" * (50 * 1024 * 1024))
    with Hostile(reply(body, status=404)) as server:
        result = run_limited(
            ["python", "-m", "voxkit", "get", CID, "--base-url", server.url],
            memory_mib=256,
            timeout=60,
            env={"VOX_API_KEY": KEY},
            cwd=str(REPO_ROOT),
        )
    assert result.returncode == 1, result.stderr[-500:]
    assert len(result.stderr) < 300
    assert result.stderr.startswith(f"error: HTTP 404 from GET /v3/campaigns/{CID}: the body is")
    assert "Traceback" not in result.stderr


def test_a_long_error_message_is_cut_with_a_note() -> None:
    message = "y" * (3 * 1024 * 1024)
    envelope = {"error": {"code": "not_found", "message": message, "details": None}}
    with Hostile(reply(json.dumps(envelope).encode(), status=404)) as server:
        result = invoke("get", CID, "--base-url", server.url)
    assert result.exit_code == 1
    assert len(result.stderr) < 1200
    assert result.stderr.endswith("... (3,144,728 more characters not shown)\n")
