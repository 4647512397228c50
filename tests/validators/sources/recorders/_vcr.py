"""vcrpy recordings made with httpx, requests and aiohttp, as a user's test suite makes them."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import aiohttp
import httpx
import requests
import vcr  # type: ignore[import-untyped]

from tests.validators.sources.recorders._script import Step


def _httpx(url: str, key: str, steps: Sequence[Step]) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as client:
        for step in steps:
            client.request(step.method, step.path, json=step.body).read()


def _requests(url: str, key: str, steps: Sequence[Step]) -> None:
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {key}"
        for step in steps:
            session.request(step.method, url + step.path, json=step.body, timeout=10).close()


def _aiohttp(url: str, key: str, steps: Sequence[Step]) -> None:
    async def run() -> None:
        headers = {"Authorization": f"Bearer {key}"}
        async with aiohttp.ClientSession(base_url=url, headers=headers) as session:
            for step in steps:
                async with session.request(step.method, step.path, json=step.body) as response:
                    await response.read()

    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    errors: list[BaseException] = []
    thread = threading.Thread(target=lambda: _capture(errors, lambda: asyncio.run(run())))
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def _capture(errors: list[BaseException], call: Callable[[], object]) -> None:
    try:
        call()
    except BaseException as error:  # re-raised in the calling thread
        errors.append(error)


CLIENTS: dict[str, Callable[[str, str, Sequence[Step]], None]] = {
    "httpx": _httpx,
    "requests": _requests,
    "aiohttp": _aiohttp,
}


def record(
    client: str,
    cassette: Path,
    url: str,
    key: str,
    steps: Sequence[Step],
    *,
    decode: bool,
    filter_authorization: bool = False,
) -> Path:
    """Record ``steps`` with ``client`` into ``cassette`` (vcrpy's defaults otherwise)."""
    recorder = vcr.VCR(
        record_mode="once",
        decode_compressed_response=decode,
        filter_headers=["authorization"] if filter_authorization else [],
    )
    with recorder.use_cassette(str(cassette)):
        CLIENTS[client](url, key, steps)
    return cassette
