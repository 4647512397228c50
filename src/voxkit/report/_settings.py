"""What a worker needs to know to render records: the output format and the run's options."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Format = Literal["text", "jsonl", "junit", "github"]
FORMATS: tuple[Format, ...] = ("text", "jsonl", "junit", "github")


@dataclass(frozen=True, slots=True)
class Settings:
    """What a worker needs to validate and render records (picklable)."""

    format: Format
    color: bool
    strict: bool
    fail_on: Literal["error", "warning"]
