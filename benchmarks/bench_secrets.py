"""Speed of the credential scan of recorded traffic: microseconds per cassette interaction or
HAR entry.

    python -m benchmarks.bench_secrets [--runs 5] [--interactions 2000] [--hostile-megabytes 4]

Each case is ``--interactions`` different interactions as a vcrpy-like recorder writes them
(12 headers each side, the request id, date and trace id of each its own, a campaign of about
700 bytes as the response body), scanned by ``cassette_secrets`` (or, as HAR entries, by
``har_secrets``), the median of ``--runs`` runs. The cases take turns in every run, so passing
load from other processes falls on all of them alike. Then one interaction with a hostile
response body of ``--hostile-megabytes`` MB per kind (scanned, as a reader passes it, with a
record limit above its size): milliseconds, the best of the runs. One process; speed is never
asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from benchmarks.make_corpus import valid_campaign
from vox_validators._findings import Finding
from vox_validators.sources._secrets import cassette_secrets, har_secrets

KEY = "voxlive_5f1d2c3b4a59687766554433221100ff"  # a made-up key of the vox shape
HOSTILE_UNITS = ["Bearer ", "a_", "-----BEGIN PRIVATE KEY-----", "vox_", "key=1&", "x"]

Scan = Callable[..., tuple[Finding, ...]]


def interaction(index: int, *, authorized: bool, escaped: bool = False) -> dict[str, Any]:
    """One vcrpy interaction: a PATCH and its 200, with the headers clients and servers send."""
    campaign = valid_campaign(random.Random(index), index)
    # httpx writes json= bodies compact and as UTF-8; requests with ensure_ascii (\uXXXX)
    body = json.dumps(campaign) if escaped else orjson.dumps(campaign).decode()
    request_id = f"req_{index:08d}"
    request_headers = {
        "Accept": ["application/json"],
        "Accept-Encoding": ["gzip, deflate"],
        "Connection": ["keep-alive"],
        "User-Agent": ["python-requests/2.32.3"],
        "Content-Length": ["33"],
        "Content-Type": ["application/json"],
        "Host": ["127.0.0.1:8765"],
        "X-Request-Id": [request_id],
        "traceparent": [f"00-4bf92f3577b34da6a3ce929d{index:06x}-00f067aa0ba902b7-01"],
        "Idempotency-Key": [f"4f1c2a9e-0b7d-4c1e-9a3f-{index:012x}"],
        "X-Client-Version": ["voxkit/0.1.0"],
        "Authorization": [f"Bearer {KEY}" if authorized else "Bearer <REDACTED>"],
    }
    response_headers = {
        "Content-Type": ["application/json"],
        "Content-Length": [str(len(body))],
        "Date": [
            f"Mon, 01 Dec 2025 {index // 3600 % 24:02d}:{index // 60 % 60:02d}:{index % 60:02d} GMT"
        ],
        "Server": ["uvicorn"],
        "X-Request-Id": [request_id],
        "Connection": ["keep-alive"],
        "Keep-Alive": ["timeout=5"],
        "Vary": ["Accept-Encoding"],
        "Cache-Control": ["no-store"],
        "Strict-Transport-Security": ["max-age=31536000"],
        "X-RateLimit-Remaining": [str(index % 100)],
        "Retry-After": ["0"],
    }
    return {
        "request": {
            "method": "PATCH",
            "uri": f"http://127.0.0.1:8765/v3/campaigns/{campaign['id']}",
            "body": orjson.dumps({"name": campaign["name"]}).decode(),
            "headers": request_headers,
        },
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": response_headers,
            "body": {"string": body},
        },
    }


def as_har(recorded: dict[str, Any]) -> dict[str, Any]:
    """The same exchange as a HAR entry."""

    def pairs(headers: dict[str, list[str]]) -> list[dict[str, str]]:
        return [
            {"name": name, "value": value} for name, values in headers.items() for value in values
        ]

    request, response = recorded["request"], recorded["response"]
    return {
        "request": {
            "method": request["method"],
            "url": request["uri"],
            "httpVersion": "HTTP/1.1",
            "headers": pairs(request["headers"]),
            "queryString": [],
            "cookies": [],
            "postData": {"mimeType": "application/json", "text": request["body"]},
        },
        "response": {
            "status": 200,
            "headers": pairs(response["headers"]),
            "cookies": [],
            "redirectURL": "",
            "content": {"mimeType": "application/json", "text": response["body"]["string"]},
        },
    }


@dataclass(frozen=True)
class Case:
    name: str
    scan: Scan
    items: list[dict[str, Any]]


def cases(count: int) -> list[Case]:
    clean = [interaction(index, authorized=False) for index in range(count)]
    authorized = [interaction(index, authorized=True) for index in range(count)]
    escaped = [interaction(index, authorized=False, escaped=True) for index in range(count)]
    return [
        Case("cassette, clean (Authorization filtered)", cassette_secrets, clean),
        Case("cassette, one recorded Authorization header", cassette_secrets, authorized),
        Case("cassette, clean, \\u-escaped JSON bodies", cassette_secrets, escaped),
        Case("HAR entry, clean", har_secrets, [as_har(item) for item in clean]),
        Case("HAR entry, one recorded Authorization", har_secrets, [as_har(i) for i in authorized]),
    ]


def elapsed(scan: Scan, items: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    for item in items:
        scan(item)
    return time.perf_counter() - start


def measure(todo: list[Case], runs: int) -> list[tuple[Case, float, float]]:
    """(case, median microseconds per interaction, findings per interaction)."""
    times: dict[str, list[float]] = {case.name: [] for case in todo}
    for _ in range(runs):
        for case in todo:
            times[case.name].append(elapsed(case.scan, case.items) / len(case.items) * 1e6)
    return [
        (
            case,
            statistics.median(times[case.name]),
            sum(len(case.scan(item)) for item in case.items) / len(case.items),
        )
        for case in todo
    ]


def hostile(megabytes: float, runs: int) -> list[tuple[str, float, int]]:
    """(unit, best milliseconds, findings) of one interaction whose body repeats ``unit``."""
    size = int(megabytes * 1_000_000)
    rows = []
    for unit in HOSTILE_UNITS:
        body = (unit * (size // len(unit) + 1))[:size].encode()
        recorded = interaction(0, authorized=False)
        recorded["response"]["body"]["string"] = body.decode()
        best = float("inf")
        for _ in range(runs):
            start = time.perf_counter()
            found = cassette_secrets(recorded, response_body=body, max_body_bytes=2 * size)
            best = min(best, time.perf_counter() - start)
        rows.append((unit, best * 1e3, len(found)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--interactions", type=int, default=2000)
    parser.add_argument("--hostile-megabytes", type=float, default=4.0, help="0: none")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = measure(cases(args.interactions), args.runs)
    print(f"**{args.interactions:,} interactions each**")
    print()
    print("| case | µs per interaction (median) | findings each |")
    print("|---|---:|---:|")
    for case, micros, findings in rows:
        print(f"| {case.name} | {micros:,.1f} | {findings:g} |")
    if args.hostile_megabytes > 0:
        print()
        print(f"**one interaction with a hostile {args.hostile_megabytes:g} MB response body**")
        print()
        print("| body repeats | ms (best) | findings |")
        print("|---|---:|---:|")
        for unit, millis, findings in hostile(args.hostile_megabytes, args.runs):
            print(f"| {unit!r} | {millis:,.1f} | {findings} |")
    print()
    print(
        f"({args.runs} runs; {time.perf_counter() - started:.0f} s in all; "
        f"Python {sys.version.split()[0]})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
