"""Prism, a schema-driven mock, generates bodies the strict client refuses only for what spans
fields or needs data, never for a single-field fact: those are all in the schema.

Prism (``@stoplight/prism-cli``, pinned below and installed by the test when missing)
runs in dynamic mode on the spec, bound to loopback: every answer is a body json-schema-faker
made from the schema alone. The schema then accepts every one, and a refusal can only come from
a business rule relating fields (counts that do not add up, a finish time before a terminal
status, ...) or needing data (the IANA time zones): rules no schema-driven tool can know.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.paths import REPO_ROOT, SPEC_PATH
from tests.support.tools import npm_tool
from vox_client import Client, ResponseValidationError
from vox_validators import RULES, validate_json

PRISM_VERSION = "5.14.2"  # the newest release for Node.js 20 (5.15 and later need Node.js 24)
BODIES = 150  # 50 of each operation
AGENT = {"agent_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "agent_version": "current"}

# The built-in error rules that relate fields or need data: the only ones allowed to refuse.
CROSS_FIELD = {
    "VOX-E001": "a call window starts before it ends (start_min, end_min)",
    "VOX-E002": "finished_at only at a terminal status",
    "VOX-E003": "completed_calls + failed_calls within total_calls",
    "VOX-E005": "paused_at and paused_by only while paused",
    "VOX-E006": "a paused campaign has paused_at and paused_by",
    "VOX-E007": "active_concurrency within concurrency",
    "VOX-E010": "created_at not after finished_at or paused_at",
    "VOX-E013": "the time zone is one of the IANA database (needs tzdata)",
}
# The one single-field rule left: whether a value "looks like seconds" is an inference from
# the docs, not a bound they give, so it is not in the schema. Prism's integers (json-schema-
# faker's default range, |n| <= 10**8) never reach it; if they did, this test would say so.
SINGLE_FIELD_RULES = {"VOX-E009"}


def _prism() -> str:
    return npm_tool("@stoplight/prism-cli", PRISM_VERSION, "prism", override="VOXKIT_PRISM")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing in this process connects beyond loopback while these tests run."""
    connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"a connection to {host!r}, beyond loopback")
        connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="module")
def prism() -> Iterator[tuple[str, int]]:
    port = _free_port()
    process = subprocess.Popen(
        [_prism(), "mock", "-d", "--host", "127.0.0.1", "--port", str(port), str(SPEC_PATH)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                pytest.fail(f"Prism exited with {process.returncode}:\n{output[-3000:]}")
            try:
                httpx.get(url + "/v3/campaigns/cmp_1", headers={"Authorization": "Bearer k"})
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail("Prism did not answer within 30 s")
                time.sleep(0.2)
        yield url, port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_prism_is_the_pinned_version_in_a_folder_git_ignores() -> None:
    prism = _prism()
    run = subprocess.run([prism, "--version"], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == PRISM_VERSION
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", prism], cwd=REPO_ROOT, check=False
    ).returncode
    assert ignored in (0, 128)  # ignored by git (128: not a git checkout)


def _listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on ``port`` (Linux /proc/net)."""
    found = set()
    for table in ("tcp", "tcp6"):
        path = Path("/proc/net") / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


def test_prism_listens_on_loopback_only(prism: tuple[str, int]) -> None:
    _, port = prism
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net to read the listening sockets from")
    addresses = _listening_addresses(port)
    assert addresses == {"0100007F"}  # 127.0.0.1, and no wildcard or other interface


def _refusals(client: Client, number: int) -> tuple[int, Counter[str], list[bytes]]:
    """Ask Prism ``number`` times (GET, PATCH, POST in turn): how many bodies the strict client
    refused, the rule ids of the error findings, and the bodies."""
    refused = 0
    rules: Counter[str] = Counter()
    bodies = []
    for index in range(number):
        operation = index % 3
        if operation == 0:
            response = client.campaigns.with_raw_response.get("cmp_1")
        elif operation == 1:
            response = client.campaigns.with_raw_response.update("cmp_1", name="2차 설문")
        else:
            response = client.campaigns.with_raw_response.create(
                name="고객 설문", from_number="07070001234", agent=AGENT, tasks=[{}]
            )
        assert response.status_code == 200
        bodies.append(response.content)
        try:
            response.parse()
        except ResponseValidationError as refusal:
            refused += 1
            errors = [f for f in refusal.findings if f.severity == "error"]
            assert errors == [f for f in validate_json(response.content) if f.severity == "error"]
            rules.update({f.rule for f in errors})
    return refused, rules, bodies


def test_the_strict_client_refuses_prism_bodies_only_for_cross_field_rules(
    prism: tuple[str, int],
) -> None:
    url, _ = prism
    with Client(api_key="prism-test-key", base_url=url, max_retries=0) as client:
        refused, rules, bodies = _refusals(client, BODIES)
    assert len(bodies) == BODIES
    assert len(set(bodies)) > BODIES // 2  # generated anew, not one example repeated
    schema = {rule: count for rule, count in rules.items() if rule.startswith("schema/")}
    assert schema == {}, f"bodies Prism made from the schema broke it: {schema}"
    assert set(rules) <= set(CROSS_FIELD), f"refused for single-field facts: {rules}"
    # Random bodies break the rules that relate fields (active_concurrency above concurrency,
    # nearly always): the refusals are real, and each names a cross-field rule.
    assert refused > 0
    assert rules


def test_every_built_in_error_rule_is_classified() -> None:
    """A new rule must be put in one group: cross-field (allowed to refuse Prism's bodies) or
    single-field (then it belongs in the schema, or its reason to stay is written here)."""
    errors = {each.id for each in RULES if each.check is not None and each.severity == "error"}
    assert errors == set(CROSS_FIELD) | SINGLE_FIELD_RULES
