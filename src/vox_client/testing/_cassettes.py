"""What ``--vox-validate-cassettes`` finds in one vcrpy cassette: invalid documented responses,
and credentials left in it, as ``voxkit validate`` reads it.

The cassette is read by ``vox_validators.sources`` alone: its limits (size, YAML nodes, so an
alias bomb is one ``limit`` finding) and its secret scan (rule ``secret``, the value masked) are
the command line's, so the plugin and ``voxkit validate`` give the same verdict on the same file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from vox_validators import Finding, validate_record
from vox_validators.sources import iter_records


@dataclass(frozen=True, slots=True)
class CassetteFinding:
    """One finding of a cassette, with where it is (the 0-based interaction, or None)."""

    source: str
    interaction: int | None
    finding: Finding

    def __str__(self) -> str:
        where = f"interaction {self.interaction}" if self.interaction is not None else "cassette"
        f = self.finding
        return f"{self.source}: {where}: {f.rule} {f.severity} at {f.path or '/'}: {f.message}"


def _record_findings(data: bytes, name: str) -> Iterator[tuple[int | None, Finding]]:
    """The findings of the cassette's records, as ``voxkit validate`` reads them."""
    for record in iter_records(data, format="cassette", name=name):
        for finding in validate_record(record):
            yield record.index, finding


def check_cassette(data: bytes, name: str) -> list[CassetteFinding]:
    """Every error-severity finding of one cassette (its YAML text): a documented response that
    breaks the contract, a credential (``secret``), a cassette that cannot be read."""
    return [
        CassetteFinding(name, index, finding)
        for index, finding in _record_findings(data, name)
        if finding.severity == "error"
    ]
