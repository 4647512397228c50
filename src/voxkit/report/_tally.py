"""The counts of a run (or of one batch, or one source), as the summaries report them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Tally:
    records: int = 0
    valid: int = 0
    invalid: int = 0
    errors: int = 0
    warnings: int = 0
    failing: int = 0  # records that fail the run under --fail-on

    def add(self, other: Tally) -> None:
        self.records += other.records
        self.valid += other.valid
        self.invalid += other.invalid
        self.errors += other.errors
        self.warnings += other.warnings
        self.failing += other.failing

    def summary(self) -> dict[str, int]:
        return {
            "records": self.records,
            "valid": self.valid,
            "invalid": self.invalid,
            "errors": self.errors,
            "warnings": self.warnings,
        }
