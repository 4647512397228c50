"""Streams as readers meet them that files are not: a pipe, which cannot seek."""

from __future__ import annotations

import io
from typing import Any


class _Pipe(io.RawIOBase):
    def __init__(self, content: bytes) -> None:
        self._content = io.BytesIO(content)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._content.readinto(buffer)


def pipe(content: bytes) -> io.BufferedReader:
    """``content`` as a buffered stream that cannot seek, like a pipe or standard input."""
    return io.BufferedReader(_Pipe(content))
