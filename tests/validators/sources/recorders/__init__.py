"""Real recordings of the reference server by the recorders users record with: vcrpy (with httpx,
requests and aiohttp), pytest-recording, mitmproxy's HAR export and Chromium's (Playwright)."""
