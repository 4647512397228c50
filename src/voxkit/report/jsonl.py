"""``--format jsonl``: one JSON object per record, then the summary (see docs/contracts.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from vox_validators import Finding
from voxkit.report._escape import json_text
from voxkit.report._tally import Tally

__all__ = ["render", "render_clean", "summary"]


@lru_cache(maxsize=64)
def render_clean(source: str) -> Callable[[int | None, int | None], str]:
    """The renderer of a record of ``source`` without findings (the common case, formatted
    directly: the same text as ``json.dumps``)."""
    prefix = f'{{"source": {json_text(source)}, "line": '
    # The usual record, a JSON Lines line: a line and no index (one short format).
    line_only = ', "index": null, "valid": true, "findings": []}\n'

    def render(line: int | None, index: int | None) -> str:
        if index is None and line is not None:
            return f"{prefix}{line}{line_only}"
        return (
            f"{prefix}{'null' if line is None else line}, "
            f'"index": {"null" if index is None else index}, "valid": true, "findings": []}}\n'
        )

    return render


def render(
    source: str, line: int | None, index: int | None, findings: Sequence[Finding], failing: bool
) -> str:
    del failing
    if not findings:
        return render_clean(source)(line, index)
    valid = not any(finding.severity == "error" for finding in findings)
    record = {
        "source": source,
        "line": line,
        "index": index,
        "valid": valid,
        "findings": [finding.as_dict() for finding in findings],
    }
    return json_text(record) + "\n"


def summary(tally: Tally) -> str:
    return json_text({"summary": tally.summary()}) + "\n"
