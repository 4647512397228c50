"""A one-line progress indicator on stderr: only on a terminal, and only once a run takes over 1 s."""

from __future__ import annotations

import time
from collections.abc import Callable

_DELAY_SECONDS = 1.0
_REDRAW_SECONDS = 0.1
_WIDTH = 30


class Progress:
    def __init__(
        self, enabled: bool, total_bytes: int | None, write: Callable[[str], None]
    ) -> None:
        self.enabled = enabled
        self.total_bytes = total_bytes or None
        self.write = write
        self.started = time.monotonic()
        self.drawn_at = 0.0
        self.drawn = False

    def update(self, done_bytes: int, records: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < _DELAY_SECONDS or now - self.drawn_at < _REDRAW_SECONDS:
            return
        self.drawn_at = now
        rate = records / (now - self.started)
        if self.total_bytes:
            fraction = min(done_bytes / self.total_bytes, 1.0)
            filled = int(fraction * _WIDTH)
            bar = f"[{'#' * filled}{'.' * (_WIDTH - filled)}] {fraction:4.0%} "
        else:
            bar = ""
        self.write(f"\r{bar}{records:,} records, {rate:,.0f}/s\x1b[K")
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.write("\r\x1b[K")
            self.drawn = False
