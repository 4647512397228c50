"""The strict client's cost per call, as a ratio to bare httpx on the same local server.

    python -m benchmarks.bench_client [--runs 5] [--calls 2000] [--concurrency 50]

A tiny fixed-response HTTP/1.1 server (keep-alive, one campaign body, an ``x-request-id``)
runs in a child process on 127.0.0.1, so it does not share this process's GIL. Each run times,
interleaved round by round:

- sync: ``client.campaigns.get(id)`` (the request built, sent, the body validated with the
  schema and every business rule, the typed model built) against bare ``httpx.Client.get(url)``
  followed by ``orjson.loads`` of the body;
- async: ``asyncio.gather`` of ``--concurrency`` ``await client.campaigns.get(id)`` against the
  same number of bare ``httpx.AsyncClient.get`` + ``orjson.loads``.

Interleaving (bare, client, bare, client, ...) lets passing load from other processes fall on
both alike. The ratio printed is client time / bare time, the median of ``--runs`` runs. Speed
is never asserted in tests (``tests/client/test_bench_client.py`` only smoke-tests the server).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

import httpx
import orjson

from vox_client import AsyncClient, Client

CAMPAIGN_ID = "cmp_3f9a1c2e7b"
KEY = "voxbench_00112233445566778899aabbccddeeff"


def campaign_body() -> bytes:
    """The spec's draft example campaign, as the server sends it."""
    text = resources.files("vox_client.testing").joinpath("_examples.json").read_text("utf-8")
    examples: Any = json.loads(text)
    items = examples.values() if isinstance(examples, dict) else examples
    for item in items:
        if isinstance(item, dict) and item.get("id") == CAMPAIGN_ID:
            return orjson.dumps(item)
    return orjson.dumps(next(iter(items)))


def _response(body: bytes) -> bytes:
    head = (
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "x-request-id: req_bench_0001\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body


async def _serve(port_out: Any, body: bytes) -> None:
    reply = _response(body)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                if length:
                    await reader.readexactly(length)
                writer.write(reply)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
    port_out.send(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


def _server_main(port_out: Any, body: bytes) -> None:
    asyncio.run(_serve(port_out, body))


@contextmanager
def fixed_server(body: bytes | None = None) -> Iterator[str]:
    """Serve ``body`` (the draft campaign) on 127.0.0.1 from a child process; yield the base URL."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_server_main, args=(child, body or campaign_body()), daemon=True)
    process.start()
    try:
        if not parent.poll(30):
            raise RuntimeError("the benchmark server did not start")
        yield f"http://127.0.0.1:{parent.recv()}"
    finally:
        process.terminate()
        process.join(5)


def _time(call: Callable[[], object], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        call()
    return time.perf_counter() - started


def sync_ratios(base_url: str, *, runs: int, calls: int) -> tuple[list[float], float, float]:
    url = f"{base_url}/v3/campaigns/{CAMPAIGN_ID}"
    bare_times: list[float] = []
    client_times: list[float] = []
    with httpx.Client() as bare, Client(api_key=KEY, base_url=base_url) as client:

        def bare_get() -> object:
            return orjson.loads(bare.get(url).content)

        def client_get() -> object:
            return client.campaigns.get(CAMPAIGN_ID)

        _time(bare_get, 200)  # warm-up: connections, caches
        _time(client_get, 200)
        ratios = []
        for _ in range(runs):
            bare_total = client_total = 0.0
            for _ in range(10):  # interleaved rounds within a run
                bare_total += _time(bare_get, calls // 10)
                client_total += _time(client_get, calls // 10)
            bare_times.append(bare_total / calls)
            client_times.append(client_total / calls)
            ratios.append(client_total / bare_total)
    return ratios, statistics.median(bare_times), statistics.median(client_times)


async def _async_ratios(
    base_url: str, *, runs: int, rounds: int, concurrency: int
) -> tuple[list[float], float, float]:
    url = f"{base_url}/v3/campaigns/{CAMPAIGN_ID}"
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    bare_times: list[float] = []
    client_times: list[float] = []
    async with (
        httpx.AsyncClient(limits=limits) as bare,
        AsyncClient(
            api_key=KEY, base_url=base_url, http_client=httpx.AsyncClient(limits=limits)
        ) as client,
    ):

        async def bare_get() -> object:
            return orjson.loads((await bare.get(url)).content)

        async def bare_batch() -> None:
            await asyncio.gather(*(bare_get() for _ in range(concurrency)))

        async def client_batch() -> None:
            await asyncio.gather(*(client.campaigns.get(CAMPAIGN_ID) for _ in range(concurrency)))

        async def timed(batch: Callable[[], Any], count: int) -> float:
            started = time.perf_counter()
            for _ in range(count):
                await batch()
            return time.perf_counter() - started

        await timed(bare_batch, 10)
        await timed(client_batch, 10)
        ratios = []
        for _ in range(runs):
            bare_total = client_total = 0.0
            for _ in range(10):
                bare_total += await timed(bare_batch, rounds // 10)
                client_total += await timed(client_batch, rounds // 10)
            calls = rounds * concurrency
            bare_times.append(bare_total / calls)
            client_times.append(client_total / calls)
            ratios.append(client_total / bare_total)
    return ratios, statistics.median(bare_times), statistics.median(client_times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=2000, help="sync calls per run")
    parser.add_argument("--rounds", type=int, default=40, help="async batches per run")
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args(argv)
    with fixed_server() as base_url:
        ratios, bare, ours = sync_ratios(base_url, runs=args.runs, calls=args.calls)
        print(
            f"sync  get: bare {bare * 1e6:7.1f} us/call, client {ours * 1e6:7.1f} us/call, "
            f"ratio {statistics.median(ratios):.3f}x (median of {args.runs}: "
            + ", ".join(f"{r:.3f}" for r in ratios)
            + ")"
        )
        ratios, bare, ours = asyncio.run(
            _async_ratios(
                base_url, runs=args.runs, rounds=args.rounds, concurrency=args.concurrency
            )
        )
        print(
            f"async get x{args.concurrency}: bare {bare * 1e6:7.1f} us/call, client "
            f"{ours * 1e6:7.1f} us/call, ratio {statistics.median(ratios):.3f}x (median of "
            f"{args.runs}: " + ", ".join(f"{r:.3f}" for r in ratios) + ")"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
