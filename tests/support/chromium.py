"""The headless Chromium the browser tests drive (the docs site, Chromium's HAR recordings)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, sync_playwright

# Loopback only: every other host resolves to nothing, and Chromium's own background traffic
# (updates, sync, first-run pings) is off.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def chromium_executable() -> str:
    for candidate in (
        os.environ.get("VOXKIT_CHROMIUM", ""),
        "/usr/bin/chromium",
        shutil.which("chromium") or "",
        shutil.which("chromium-browser") or "",
        shutil.which("google-chrome") or "",
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "no Chromium: `apt-get install -y chromium` (as .ci/run does) or set VOXKIT_CHROMIUM"
    )


@contextmanager
def launched_chromium() -> Iterator[Browser]:
    """A headless Chromium driven by Playwright, closed on exit (a module fixture's body)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
