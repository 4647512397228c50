"""One-shot faults: what the mock does instead of (or before) answering a request."""

from __future__ import annotations

from dataclasses import dataclass

from vox_client.testing._app import Reply


@dataclass(frozen=True, slots=True)
class Fault:
    """A fault queued by ``MockVox.fail_next`` and friends; it applies to one matching request.

    ``reply`` replaces the answer (an error status, a malformed body); ``drop`` closes the
    connection without an answer; ``delay`` waits before answering. ``applied`` says whether the
    request still takes effect (a dropped POST may have created the campaign all the same).
    """

    reply: Reply | None = None
    drop: bool = False
    delay: float = 0.0
    applied: bool = True
    method: str | None = None
    path: str | None = None

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or self.path == path
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the server or the transport does with one request."""

    reply: Reply | None
    delay: float = 0.0
    drop: bool = False
