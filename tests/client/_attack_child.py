"""The client side of an attack, run in a child process (``tests/support/memory.py``
``run_limited``) so a client that holds a bomb in memory fails its test instead of the machine.

    python -m tests.client._attack_child URL [--timeout S] [--max-response-size N] [--async]

Makes one ``campaigns.get`` and prints one JSON line: the outcome (``ok`` or the exception's
class), the length of its message, its first 300 characters, and the seconds taken.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from vox_client import AsyncClient, Client

KEY = "voxref_attack_00112233445566778899aabbccddeeff"


def peak_mib() -> float:
    """This process's peak resident memory since it started (``VmHWM``: unlike ``ru_maxrss``,
    it does not count the parent's memory that the fork before ``exec`` shared)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return -1.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--max-response-size", type=int, default=None)
    parser.add_argument("--async", dest="asynchronous", action="store_true")
    args = parser.parse_args(argv)
    options: dict[str, Any] = {"api_key": KEY, "base_url": args.url, "max_retries": 0}
    if args.timeout is not None:
        options["timeout"] = args.timeout
    if args.max_response_size is not None:
        options["max_response_size"] = args.max_response_size
    started = time.monotonic()
    outcome, message = "ok", ""
    try:
        if args.asynchronous:

            async def run() -> None:
                async with AsyncClient(**options) as client:
                    await client.campaigns.get("cmp_3f9a1c2e7b")

            asyncio.run(run())
        else:
            with Client(**options) as client:
                client.campaigns.get("cmp_3f9a1c2e7b")
    except MemoryError:
        outcome = "MemoryError"
    except Exception as exc:  # the outcome is what is reported
        outcome, message = type(exc).__name__, str(exc)
    elapsed = time.monotonic() - started
    report = {
        "outcome": outcome,
        "message_length": len(message),
        "message": message[:300],
        "seconds": round(elapsed, 2),
        "peak_mib": peak_mib(),
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
