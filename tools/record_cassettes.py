"""Record the cassettes in ``cassettes/``: the real client, over a real socket, with vcrpy.

By default the recordings come from ``vox_client.testing.MockVox``, served on 127.0.0.1:8765 with a
throwaway key made up for this run, one fresh mock per scenario and a fixed clock, so recording
twice gives the same bytes (``tests/client/test_cassettes.py`` checks it)::

    python -m tools.record_cassettes                 # rewrites cassettes/*.yaml
    python -m tools.record_cassettes --out /tmp/c    # records somewhere else

Against the real API, with a real key (read-only calls only; PATCH and POST would change real
campaigns)::

    VOX_API_KEY=... python -m tools.record_cassettes --live --campaign-id cmp_... --out cassettes/live

Credentials are filtered while recording: the ``Authorization`` header (and any cookie or key
header) is replaced in requests, cookies are dropped from responses, and the key's text is
replaced wherever else it might appear (URL, request body, response headers and bodies).
``tests/client/test_cassettes.py`` scans every cassette and fails on any credential.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import vcr  # type: ignore[import-untyped]
from vcr.request import Request as VcrRequest  # type: ignore[import-untyped]

from vox_client import Client, VoxError
from vox_client.testing import MockVox, example_campaigns

REPO_ROOT = Path(__file__).resolve().parent.parent
CASSETTES = REPO_ROOT / "cassettes"
# A fixed port keeps the recorded URLs stable from one recording to the next.
RECORD_PORT = 8765
RECORD_BASE_URL = f"http://127.0.0.1:{RECORD_PORT}"
# Every key made up for a recording starts with this, so the scan can spot one that slipped by.
KEY_PREFIX = "voxref_"
REDACTED = "<REDACTED>"
AUTH_PLACEHOLDER = f"Bearer {REDACTED}"
SECRET_HEADERS = ("authorization", "x-api-key", "api-key", "cookie", "proxy-authorization")
DROPPED_RESPONSE_HEADERS = ("set-cookie", "date", "server")
# The mock's clock while recording (created_at of a created campaign): fixed, so re-recording
# gives the same bytes.
RECORD_NOW_MS = 1764464400000

IDS = {
    c["status"] + ("_" + c["paused_by"] if c["paused_by"] else ""): c["id"]
    for c in example_campaigns()
}


def make_vcr(
    secrets_to_hide: Iterable[str], *, record_mode: str = "none", library: Path = CASSETTES
) -> vcr.VCR:
    """The vcrpy configuration shared by recording and replay (cassettes in ``library``)."""
    hidden = [s for s in secrets_to_hide if s]

    def scrub(text: str) -> str:
        for secret in hidden:
            text = text.replace(secret, REDACTED)
        return text

    def before_record_request(request: VcrRequest) -> VcrRequest:
        request.uri = scrub(request.uri)
        if isinstance(request.body, bytes):
            request.body = scrub(request.body.decode("utf-8", "replace")).encode("utf-8")
        return request

    def before_record_response(response: dict[str, Any]) -> dict[str, Any]:
        headers = {
            name: [scrub(v) for v in values]
            for name, values in response["headers"].items()
            if name.lower() not in DROPPED_RESPONSE_HEADERS
        }
        body = response["body"]["string"]
        if isinstance(body, bytes):
            body = scrub(body.decode("utf-8", "replace")).encode("utf-8")
        elif isinstance(body, str):
            body = scrub(body)
        return {**response, "headers": headers, "body": {**response["body"], "string": body}}

    return vcr.VCR(
        cassette_library_dir=str(library),
        record_mode=record_mode,
        match_on=("method", "scheme", "host", "port", "path", "query", "body"),
        filter_headers=[
            ("authorization", AUTH_PLACEHOLDER),
            *[(h, REDACTED) for h in SECRET_HEADERS if h != "authorization"],
        ],
        before_record_request=before_record_request,
        before_record_response=before_record_response,
        decode_compressed_response=True,
    )


Scenario = Callable[[MockVox, str, str], None]


def _expect_error(call: Callable[[], object]) -> None:
    """Run a call whose answer is deliberately an error: the cassette, not the result, matters."""
    try:
        call()
    except VoxError:
        return
    raise AssertionError("the scenario was meant to fail")


def _client(key: str, **options: Any) -> Client:
    return Client(api_key=key, base_url=RECORD_BASE_URL, **options)


def _get(campaign_id: str) -> Scenario:
    def scenario(mock: MockVox, key: str, wrong_key: str) -> None:
        with _client(key) as client:
            client.campaigns.get(campaign_id)

    return scenario


def _wrong_key(mock: MockVox, key: str, wrong_key: str) -> None:
    with _client(wrong_key) as client:
        _expect_error(lambda: client.campaigns.get(IDS["draft"]))


def _unknown_id(mock: MockVox, key: str, wrong_key: str) -> None:
    with _client(key) as client:
        _expect_error(lambda: client.campaigns.get("cmp_does_not_exist"))


def _blank_name(mock: MockVox, key: str, wrong_key: str) -> None:
    # validate_requests=False: the client would refuse the blank name locally otherwise.
    with _client(key, validate_requests=False) as client:
        _expect_error(lambda: client.campaigns.update(IDS["draft"], name="   "))


def _rename(mock: MockVox, key: str, wrong_key: str) -> None:
    with _client(key) as client:
        client.campaigns.update(IDS["paused_user"], name="재구매 안내 (2차)")


def _replace_window(mock: MockVox, key: str, wrong_key: str) -> None:
    window = {
        "windows": [{"start_min": 600, "end_min": 1080, "days": ["Monday", "Wednesday", "Friday"]}],
        "timezone": "Asia/Seoul",
        "auto_resume": False,
    }
    with _client(key) as client:
        client.campaigns.update(IDS["pending"], call_time_window=window)


def _update_ongoing(mock: MockVox, key: str, wrong_key: str) -> None:
    with _client(key) as client:
        _expect_error(lambda: client.campaigns.update(IDS["ongoing"], name="새 이름"))


def _create(mock: MockVox, key: str, wrong_key: str) -> None:
    with _client(key) as client:
        client.campaigns.create(
            name="고객 설문 캠페인",
            from_number="01012345678",
            agent={
                "agent_id": "550e8400-e29b-41d4-a716-446655440000",
                "agent_version": "production",
            },
            tasks=[{"to_number": "01023456789"}, {"to_number": "01034567890"}],
            scheduled_at=1764464400000,
            concurrency=10,
        )


def _rate_limited(mock: MockVox, key: str, wrong_key: str) -> None:
    mock.fail_next(429, retry_after=1, path=f"/v3/campaigns/{IDS['draft']}")
    with _client(key) as client:
        client.campaigns.get(IDS["draft"])


def _unavailable(mock: MockVox, key: str, wrong_key: str) -> None:
    mock.fail_next(503, path=f"/v3/campaigns/{IDS['ongoing']}")
    with _client(key) as client:
        client.campaigns.get(IDS["ongoing"])


def _breaks_rule(mock: MockVox, key: str, wrong_key: str) -> None:
    # A well-typed campaign (the schema is satisfied) that is `ongoing` yet has a `finished_at`:
    # the business rule "finished_at is null until the campaign finishes" is broken.
    campaign = mock.get(IDS["ongoing"])
    campaign["finished_at"] = 1764410400000
    mock.respond_next(200, campaign, path=f"/v3/campaigns/{IDS['ongoing']}")
    # Whether this client version spots the breach does not matter here: the test does.
    with _client(key) as client, contextlib.suppress(VoxError):
        client.campaigns.get(IDS["ongoing"])


def _not_json(mock: MockVox, key: str, wrong_key: str) -> None:
    body = b"<html><body><h1>Service maintenance</h1></body></html>"
    mock.malformed_next(body, content_type="text/html", path=f"/v3/campaigns/{IDS['success']}")
    with _client(key) as client:
        _expect_error(lambda: client.campaigns.get(IDS["success"]))


SCENARIOS: dict[str, Scenario] = {
    "get_200_draft": _get(IDS["draft"]),
    "get_200_pending_no_call_window": _get(IDS["pending"]),
    "get_200_ongoing": _get(IDS["ongoing"]),
    "get_200_paused_by_user": _get(IDS["paused_user"]),
    "get_200_paused_by_system": _get(IDS["paused_system"]),
    "get_200_success": _get(IDS["success"]),
    "get_200_fail": _get(IDS["fail"]),
    "get_200_canceled": _get(IDS["canceled"]),
    "get_401_wrong_key": _wrong_key,
    "get_404_unknown_id": _unknown_id,
    "update_400_blank_name": _blank_name,
    "update_200_rename_paused": _rename,
    "update_200_replace_window": _replace_window,
    "update_409_ongoing": _update_ongoing,
    "create_200": _create,
    "get_429_retry_after_then_200": _rate_limited,
    "get_503_then_200": _unavailable,
    "get_200_breaks_business_rule": _breaks_rule,
    "get_200_not_json": _not_json,
}


def record_mock(names: Iterable[str], port: int = RECORD_PORT, out: Path = CASSETTES) -> list[Path]:
    """Record each scenario into ``out`` from a fresh ``MockVox``; returns the cassette paths."""
    global RECORD_BASE_URL  # noqa: PLW0603 - one recording run, one port
    RECORD_BASE_URL = f"http://127.0.0.1:{port}"
    key = KEY_PREFIX + secrets.token_hex(16)
    wrong_key = KEY_PREFIX + "wrong_" + secrets.token_hex(16)
    written = []
    out.mkdir(parents=True, exist_ok=True)
    recorder = make_vcr([key, wrong_key], record_mode="once", library=out)
    for name in names:
        path = out / f"{name}.yaml"
        path.unlink(missing_ok=True)
        # A fresh mock per scenario: its request IDs and created IDs count from one again.
        with (
            MockVox.serve(port=port, api_key=key, now_ms=lambda: RECORD_NOW_MS) as mock,
            recorder.use_cassette(path.name),
        ):
            SCENARIOS[name](mock, key, wrong_key)
        written.append(path)
    return written


def record_live(campaign_id: str, out: Path) -> list[Path]:
    """Read-only recordings against the real API (or VOX_BASE_URL) with VOX_API_KEY."""
    key = os.environ.get("VOX_API_KEY", "").strip()
    if not key:
        raise SystemExit("set VOX_API_KEY to record against the real API")
    wrong_key = KEY_PREFIX + "wrong_" + secrets.token_hex(16)
    out.mkdir(parents=True, exist_ok=True)
    recorder = make_vcr([key, wrong_key], record_mode="once")
    plan: list[tuple[str, str, str]] = [
        ("live_get_200", key, campaign_id),
        ("live_get_404_unknown_id", key, "cmp_voxkit_does_not_exist"),
        ("live_get_401_wrong_key", wrong_key, campaign_id),
    ]
    written = []
    for name, use_key, target in plan:
        path = out / f"{name}.yaml"
        path.unlink(missing_ok=True)
        # strict=False: record whatever the API answers; `voxkit validate` judges it afterwards.
        with recorder.use_cassette(str(path)), Client(api_key=use_key, strict=False) as client:
            try:
                client.campaigns.get(target)
            except VoxError as exc:
                print(f"{name}: {type(exc).__name__}", file=sys.stderr)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.record_cassettes", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "scenarios", nargs="*", help=f"scenarios to record (default: all): {', '.join(SCENARIOS)}"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=RECORD_PORT,
        help="the mock's port on 127.0.0.1 (the replay tests expect 8765)",
    )
    parser.add_argument(
        "--live", action="store_true", help="record read-only calls against the real API"
    )
    parser.add_argument("--campaign-id", help="with --live: a campaign of your organisation")
    parser.add_argument(
        "--out",
        type=Path,
        help="where to write (default: cassettes/, and cassettes/live with --live)",
    )
    args = parser.parse_args(argv)
    if args.live:
        if not args.campaign_id:
            parser.error("--live needs --campaign-id")
        paths = record_live(args.campaign_id, args.out or CASSETTES / "live")
    else:
        unknown = [s for s in args.scenarios if s not in SCENARIOS]
        if unknown:
            parser.error(f"unknown scenario(s): {', '.join(unknown)}")
        paths = record_mock(args.scenarios or list(SCENARIOS), args.port, args.out or CASSETTES)
    for path in paths:
        print(path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
