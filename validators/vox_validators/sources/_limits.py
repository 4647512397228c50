"""The readers' size limits: one value, :class:`Limits`, that every reader obeys.

Whatever is over a limit is one ``limit`` finding that names the limit and how to raise it, and is
not read further; the reader goes on with the next record, or the next input. Sizes are counted
after decoding (gzip, base64, Content-Encoding), so a small compressed input cannot make a reader
hold more than a limit: decompression stops at the limit.
"""

from __future__ import annotations

from dataclasses import dataclass

_KiB = 1024
_MiB = 1024 * _KiB
_GiB = 1024 * _MiB


@dataclass(frozen=True, slots=True)
class Limits:
    """How much a reader holds at once (picklable; ``Limits()`` are the defaults).

    - ``record``: the bytes of one record: a JSON Lines line, an array element, a JSON document,
      a recorded response body once base64 and its Content-Encoding are decoded (64 MiB).
    - ``input``: the bytes of one HAR entry or cassette interaction (256 MiB, decompressed): HAR
      files and cassettes are streamed entry by entry. It caps a whole cassette when it is read
      whole: from a pipe, or when its layout is not vcrpy's (see ``_cassette``). JSON and JSON
      Lines inputs are streamed, and only their records are limited, whatever their size.
    - ``nodes``: the values of what ``input`` caps: the YAML nodes of an interaction (or of a
      cassette read whole) with its aliases expanded (a "billion laughs" is refused before it is
      built), the JSON values of a HAR entry (1,000,000).
    """

    record: int = 64 * _MiB
    input: int = 256 * _MiB
    nodes: int = 1_000_000

    def __post_init__(self) -> None:
        for name in ("record", "input", "nodes"):
            value = getattr(self, name)
            if type(value) is not int or value < 1:
                raise ValueError(f"{value!r} is not a limit: Limits.{name} is a positive integer")


#: The limits a reader obeys when it is given none.
DEFAULT_LIMITS = Limits()

#: How each limit is raised: the command line option, and the field of :class:`Limits`.
_RAISED_BY = {
    "record": "--max-record-size or Limits(record=...)",
    "input": "--max-input-size or Limits(input=...)",
    "nodes": "--max-nodes or Limits(nodes=...)",
}


def size_text(size: int) -> str:
    """``size`` bytes as people write it: ``64 MiB``, ``1.5 GiB``, ``3000 bytes``."""
    for unit, scale in (("GiB", _GiB), ("MiB", _MiB), ("KiB", _KiB)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def over_limit(subject: str, limit: str, limits: Limits, outcome: str = "not validated") -> str:
    """The message of a ``limit`` finding: ``subject`` is over ``limit`` (a field of Limits)."""
    value: int = getattr(limits, limit)
    if limit == "nodes":
        over = f"has more than {value:,} values"
    else:
        over = f"is larger than {size_text(value)}"
    return f"{subject} {over}, the {limit} limit; {outcome} (raise it with {_RAISED_BY[limit]})"
