"""``voxkit validate`` is the library: ``iter_records`` + ``validate_record`` give, record by record,
exactly what ``voxkit validate --format jsonl`` prints, on every example, cassette and fixture."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import REPO_ROOT
from tests.support.validate import EXAMPLES, FIXTURES, invoke, parse_jsonl
from vox_validators import is_valid, validate_record
from vox_validators.sources import discover, iter_records

CASSETTES = REPO_ROOT / "cassettes"
FILES = sorted(
    {
        *(Path(file.name) for file in discover([str(EXAMPLES), str(CASSETTES)]).files),
        *FIXTURES.glob("*.yaml"),
        *FIXTURES.glob("*.har"),
    }
)


def from_the_library(path: Path, *, strict: bool) -> list[dict[str, Any]]:
    rows = []
    for record in iter_records(str(path)):
        findings = validate_record(record, strict=strict)
        rows.append(
            {
                "source": record.source,
                "line": record.line,
                "index": record.index,
                "valid": is_valid(findings),
                "findings": [finding.as_dict() for finding in findings],
            }
        )
    return rows


def from_the_command(path: Path, *, strict: bool) -> list[dict[str, Any]]:
    result = invoke([str(path), "--format", "jsonl", *(["--strict"] if strict else [])])
    records, _ = parse_jsonl(result.stdout)
    return records


def test_every_kind_of_input_is_covered() -> None:
    suffixes = {"".join(path.suffixes[-1:]) for path in FILES}
    assert {".json", ".jsonl", ".yaml", ".har"} <= suffixes
    assert len(FILES) >= 25


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_the_library_gives_what_the_command_prints(path: Path, strict: bool) -> None:
    library = from_the_library(path, strict=strict)
    assert library, "no records"
    command = from_the_command(path, strict=strict)
    assert len(library) == len(command)
    for ours, printed in zip(library, command, strict=True):
        assert ours == printed


def test_a_whole_directory_too() -> None:
    assert from_the_library(EXAMPLES, strict=False) == from_the_command(EXAMPLES, strict=False)
