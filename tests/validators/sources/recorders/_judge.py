"""What the readers and validators say about a recording."""

from __future__ import annotations

from pathlib import Path

from vox_validators import Finding, validate_record
from vox_validators.sources import iter_records


def judge(path: Path) -> list[tuple[int | None, list[Finding]]]:
    """(index, findings) of each record of ``path``, as ``iter_records`` + ``validate_record``."""
    return [(record.index, validate_record(record)) for record in iter_records(path)]


def verdict(path: Path) -> list[tuple[int, list[str]]]:
    """(index, sorted rule ids) of each record of ``path``."""
    return [
        (-1 if index is None else index, sorted(f.rule for f in findings))
        for index, findings in judge(path)
    ]
