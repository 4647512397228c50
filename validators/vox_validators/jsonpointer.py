"""RFC 6901 JSON Pointers."""

from __future__ import annotations

from collections.abc import Iterable

Path = tuple[str | int, ...]
"""A location in a record as its keys and indices, outermost first."""


def pointer(path: Iterable[str | int]) -> str:
    """The JSON Pointer of ``path``: ``("windows", 0, "a/b")`` is ``/windows/0/a~1b``."""
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in path)
