"""Write the benchmark corpora: JSON Lines of v3 campaigns, all valid and about 5% invalid.

    python -m benchmarks.make_corpus [--records 200000] [--seed 7] [--data benchmarks/data]

Writes ``benchmarks/data/campaigns-valid.jsonl`` and ``benchmarks/data/campaigns-5pct-invalid.jsonl``
(git-ignored). Deterministic for a seed. Valid records are varied (every status, with the
members each status implies); invalid ones break the schema (half) or a business rule (half).
"""

from __future__ import annotations

import argparse
import random
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

DATA = Path(__file__).resolve().parent / "data"
VALID_NAME = "campaigns-valid.jsonl"
INVALID_NAME = "campaigns-5pct-invalid.jsonl"
INVALID_SHARE = 0.05

_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_STATUSES = ["draft", "pending", "ongoing", "paused", "success", "fail", "canceled"]
_ZONES = ["Asia/Seoul", "Asia/Tokyo", "UTC", "Europe/Berlin", "America/New_York"]
_WORDS = [
    "Spring",
    "promo",
    "renewal",
    "survey",
    "reminder",
    "캠페인",
    "고객",
    "VIP",
    "Q3",
    "outreach",
]


def valid_campaign(rng: random.Random, index: int) -> dict[str, Any]:
    status = rng.choice(_STATUSES)
    total = rng.randint(0, 50_000)
    completed = rng.randint(0, total)
    failed = rng.randint(0, total - completed)
    if status in ("success", "fail", "canceled"):
        failed = total - completed
    concurrency = rng.randint(1, 100)
    created = rng.randint(1_700_000_000_000, 1_760_000_000_000)
    windows = None
    if rng.random() < 0.8:
        windows = {
            "windows": [
                {
                    "start_min": (start := rng.randint(0, 1200)),
                    "end_min": rng.randint(start + 1, 1440),
                    "days": rng.sample(_DAYS, rng.randint(1, 7)),
                }
                for _ in range(rng.randint(1, 3))
            ],
            "timezone": rng.choice(_ZONES),
            "auto_resume": rng.random() < 0.5,
        }
    paused = status == "paused"
    return {
        "id": f"cmp_{index:010d}",
        "name": " ".join(rng.sample(_WORDS, rng.randint(1, 4))),
        "status": status,
        "agent": {
            "agent_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "agent_version": rng.choice(["current", "production", "v3"]),
        },
        "from_number": f"070{rng.randint(10_000_000, 99_999_999)}",
        "total_calls": total,
        "completed_calls": completed,
        "failed_calls": failed,
        "concurrency": concurrency,
        "active_concurrency": rng.randint(0, concurrency) if status == "ongoing" else 0,
        "created_at": created,
        "presentation_number": rng.choice([None, f"02{rng.randint(10_000_000, 99_999_999)}"]),
        "scheduled_at": rng.choice([None, created + rng.randint(0, 10**9)]),
        "finished_at": created + rng.randint(1, 10**9)
        if status in ("success", "fail", "canceled")
        else None,
        "paused_at": created + rng.randint(1, 10**9) if paused else None,
        "paused_by": ("system" if windows and rng.random() < 0.5 else "user") if paused else None,
        "call_time_window": windows,
    }


def _set(key: str, value: Any) -> Callable[[dict[str, Any], random.Random], None]:
    def mutate(record: dict[str, Any], rng: random.Random) -> None:
        del rng
        record[key] = value

    return mutate


def _drop(record: dict[str, Any], rng: random.Random) -> None:
    del record[rng.choice(sorted(record))]


def _bad_window(record: dict[str, Any], rng: random.Random) -> None:
    record["call_time_window"] = {
        "windows": [{"start_min": rng.randint(0, 1440), "end_min": 1441, "days": ["Monday"]}],
        "timezone": "Asia/Seoul",
        "auto_resume": True,
    }


def _empty_window(record: dict[str, Any], rng: random.Random) -> None:
    start = rng.randint(0, 1440)
    record["call_time_window"] = {
        "windows": [{"start_min": start, "end_min": start, "days": ["Monday"]}],
        "timezone": "Asia/Seoul",
        "auto_resume": True,
    }


def _seconds(record: dict[str, Any], rng: random.Random) -> None:
    del rng
    record["created_at"] //= 1000


def _too_many_calls(record: dict[str, Any], rng: random.Random) -> None:
    record["completed_calls"] = record["total_calls"] + rng.randint(1, 10)


SCHEMA_BREAKS = [
    _set("total_calls", "12"),
    _set("status", "finished"),
    _set("concurrency", None),
    _set("name", 42),
    _set("paused_by", "admin"),
    _drop,
    _bad_window,
]
RULE_BREAKS = [
    _empty_window,
    _seconds,
    _too_many_calls,
    _set("from_number", "070-1234-5678"),
    _set("concurrency", 0),
    _set("name", "   "),
]


def write(path: Path, records: int, invalid_share: float, seed: int) -> int:
    rng = random.Random(seed)
    invalid = 0
    with path.open("wb") as out:
        for index in range(records):
            record = valid_campaign(rng, index)
            if rng.random() < invalid_share:
                invalid += 1
                rng.choice(SCHEMA_BREAKS if rng.random() < 0.5 else RULE_BREAKS)(record, rng)
            out.write(orjson.dumps(record) + b"\n")
    return invalid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=DATA, help="the folder to write to")
    args = parser.parse_args(argv)
    args.data.mkdir(parents=True, exist_ok=True)
    write(args.data / VALID_NAME, args.records, 0.0, args.seed)
    invalid = write(args.data / INVALID_NAME, args.records, INVALID_SHARE, args.seed + 1)
    print(f"{args.data / VALID_NAME}: {args.records} records, all valid")
    print(f"{args.data / INVALID_NAME}: {args.records} records, {invalid} made invalid")
    return invalid


if __name__ == "__main__":
    main()
