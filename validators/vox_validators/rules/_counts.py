"""The call counts: all calls, successes, failures, and how they add up.

That each count is not negative is the schema's (``minimum: 0``); VOX-E004 is retired.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from vox_validators.rules._docs import GET_PAGE
from vox_validators.rules._registry import rule
from vox_validators.rules._status import TERMINAL


def _all_counts(record: Mapping[str, Any]) -> tuple[Any, Any, Any] | None:
    """The three counts, when all are there (a negative count is the schema's: absent here)."""
    total = record.get("total_calls")
    completed = record.get("completed_calls")
    failed = record.get("failed_calls")
    if total is None or completed is None or failed is None:
        return None
    return total, completed, failed


@rule(
    "VOX-E003",
    severity="error",
    description="completed_calls + failed_calls <= total_calls.",
    source=f"{GET_PAGE}: total_calls '전체 발신 수', completed_calls '성공 발신 수', "
    "failed_calls '실패+취소 발신 수': successes and failures are parts of all calls.",
)
def parts_do_not_exceed_the_total(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    counts = _all_counts(record)
    if counts is None:
        return
    total, completed, failed = counts
    done = completed + failed
    if done > total:
        yield (
            "/total_calls",
            f"{total} is less than completed_calls + failed_calls ({completed} + {failed} = {done})",
        )


@rule(
    "VOX-W002",
    severity="warning",
    description="At a terminal status, completed_calls + failed_calls equals total_calls.",
    source=f"{GET_PAGE}: failed_calls counts failed and canceled calls together ('실패+취소'), so "
    "after the end every call is one or the other; a warning, not an error, because the docs "
    "do not say that calls never dialled when a campaign fails are counted as canceled.",
)
def finished_parts_add_up(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    status = record.get("status")
    counts = _all_counts(record)
    if counts is None or status not in TERMINAL:
        return
    total, completed, failed = counts
    done = completed + failed
    if done < total:  # more than the total is VOX-E003
        yield (
            "/total_calls",
            f"{total} is not completed_calls + failed_calls ({completed} + {failed} = {done}) "
            f"at terminal status {status!r}",
        )
