"""The session every recorder records: the same requests, and what ``voxkit validate`` must say.

Nine calls to the reference server through the encoding proxy: valid campaigns and error
envelopes under gzip, deflate and identity, and three bodies that are wrong on purpose (a
business rule broken, a field of the wrong type, a maintenance page that is not JSON). Every
request carries ``Authorization: Bearer <key>``, so an unfiltered recording has one ``secret``
finding per interaction.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vox_client.testing import MockVox

ONGOING = "cmp_5b6e0f9d13"
DRAFT = "cmp_3f9a1c2e7b"
PENDING = "cmp_8d21b7e04a"
PAUSED = "cmp_1a7c3e5f90"
SUCCESS = "cmp_4c8f1a0e26"
CANCELED = "cmp_0b3e7d1f54"
MAINTENANCE = b"<html><body><h1>Service maintenance</h1></body></html>"


def _nothing(mock: MockVox) -> None:
    pass


@dataclass(frozen=True)
class Step:
    """One request of the session, the encoding of its answer, and the rules it must break."""

    name: str
    method: str
    path: str
    coding: str  # gzip, deflate or identity
    body: dict[str, Any] | None = None
    arrange: Callable[[MockVox], None] = field(default=_nothing, compare=False)
    rules: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "body": self.body}


def _breaks_rule(mock: MockVox) -> None:
    # ongoing, yet finished: the schema holds, the business rule VOX-E002 does not
    campaign = mock.get(ONGOING)
    campaign["finished_at"] = 1764410400000
    mock.respond_next(200, campaign, path=f"/v3/campaigns/{ONGOING}")


def _wrong_type(mock: MockVox) -> None:
    campaign = mock.get(PENDING)
    campaign["total_calls"] = "many"
    mock.respond_next(200, campaign, path=f"/v3/campaigns/{PENDING}")


def _unavailable(mock: MockVox) -> None:
    mock.fail_next(503, path=f"/v3/campaigns/{PAUSED}")


def _maintenance(mock: MockVox) -> None:
    mock.malformed_next(MAINTENANCE, content_type="text/html", path=f"/v3/campaigns/{CANCELED}")


STEPS: tuple[Step, ...] = (
    Step("get-ongoing", "GET", f"/v3/campaigns/{ONGOING}", "gzip"),
    Step("get-draft", "GET", f"/v3/campaigns/{DRAFT}", "deflate"),
    Step("get-success", "GET", f"/v3/campaigns/{SUCCESS}", "identity"),
    Step("rename-draft", "PATCH", f"/v3/campaigns/{DRAFT}", "gzip", body={"name": "새 이름"}),
    Step("get-missing-404", "GET", "/v3/campaigns/cmp_missing", "gzip"),
    Step(
        "get-ongoing-finished",
        "GET",
        f"/v3/campaigns/{ONGOING}",
        "gzip",
        arrange=_breaks_rule,
        rules=("VOX-E002",),
    ),
    Step("get-paused-503", "GET", f"/v3/campaigns/{PAUSED}", "gzip", arrange=_unavailable),
    Step(
        "get-pending-bad-type",
        "GET",
        f"/v3/campaigns/{PENDING}",
        "deflate",
        arrange=_wrong_type,
        rules=("schema/type",),
    ),
    Step(
        "get-canceled-not-json",
        "GET",
        f"/v3/campaigns/{CANCELED}",
        "gzip",
        arrange=_maintenance,
        rules=("parse",),
    ),
)
#: What a partial first recording holds (new_episodes then adds the rest).
FIRST = STEPS[:4]


def steps_json(steps: Iterable[Step]) -> str:
    return json.dumps([step.as_json() for step in steps], ensure_ascii=False)


def expected(steps: Sequence[Step], *, secret: bool) -> list[tuple[int, list[str]]]:
    """(index, sorted rule ids) of each record ``voxkit validate`` must give for ``steps``."""
    return [
        (index, sorted([*step.rules, *(["secret"] if secret else [])]))
        for index, step in enumerate(steps)
    ]


def verdicts(
    findings_by_record: Iterable[tuple[int | None, Iterable[str]]],
) -> list[tuple[int, list[str]]]:
    return [
        (index if index is not None else -1, sorted(rules)) for index, rules in findings_by_record
    ]


def rule_counts(verdict: Iterable[tuple[int, list[str]]]) -> Counter[str]:
    return Counter(rule for _, rules in verdict for rule in rules)
