"""Validation speed as ratios to ``orjson.loads`` alone, measured in the same run.

    python -m benchmarks.make_corpus          # once: writes benchmarks/data/ (git-ignored)
    python -m benchmarks.bench_validate [--runs 3] [--slow-slice 4000] [--limit N] [--data DIR]

For each corpus (all valid; about 5% invalid) and each contender, the records/second of
turning every JSON line (already in memory) into a verdict, the median of ``--runs`` runs:

- ``orjson.loads`` alone: the floor every validator pays;
- jsonschema alone: one reused ``Draft202012Validator``, all errors (``iter_errors``) of each
  orjson-decoded record;
- the generated Pydantic models: ``vox_generated.models.Campaign.model_validate_json``;
- jsonschema-rs (``Draft202012Validator.is_valid`` of the orjson-decoded record) and
  fastjsonschema (the compiled function on the orjson-decoded record);
- voxkit: ``vox_validators.validate_json``, the schema and every business rule, all findings.

On the corpus with invalid records it also times one schema-invalid record (those with a
``schema/...`` finding), in microseconds, beside ``orjson.loads`` of the same records.

Every run times the contenders in turn on each chunk of 5,000 lines, so passing load from
other processes falls on all of them alike. jsonschema alone (about 0.005x orjson) times
``--slow-slice`` lines spread over the corpus (a rate needs no more); the table says how
many. One process; speed is never asserted in tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import fastjsonschema
import jsonschema_rs
import orjson
from jsonschema import Draft202012Validator

from benchmarks.make_corpus import DATA, INVALID_NAME, VALID_NAME
from vox_generated.models import Campaign
from vox_validators import is_valid, validate_json
from vox_validators._schema import bundle

Verdict = Callable[[bytes], object]


@dataclass(frozen=True)
class Contender:
    name: str
    verdict: Verdict
    slow: bool = False


def contenders() -> list[Contender]:
    schema = {**bundle(), "$ref": "#/$defs/Campaign"}
    reference = Draft202012Validator(schema)
    rust = jsonschema_rs.Draft202012Validator(schema)
    compiled = fastjsonschema.compile(schema)

    def jsonschema_alone(line: bytes) -> object:
        return list(reference.iter_errors(orjson.loads(line)))

    def pydantic(line: bytes) -> object:
        try:
            return Campaign.model_validate_json(line)
        except ValueError:
            return None

    def jsonschema_rs_alone(line: bytes) -> object:
        return rust.is_valid(orjson.loads(line))

    def fastjsonschema_alone(line: bytes) -> object:
        try:
            return compiled(orjson.loads(line))
        except fastjsonschema.JsonSchemaException:
            return None

    return [
        Contender("orjson.loads alone", orjson.loads),
        Contender("jsonschema alone (Draft202012Validator)", jsonschema_alone, slow=True),
        Contender("Pydantic (vox_generated.models.Campaign)", pydantic),
        Contender("jsonschema-rs (is_valid)", jsonschema_rs_alone),
        Contender("fastjsonschema", fastjsonschema_alone),
        Contender("voxkit validate_json (schema + rules)", validate_json),
    ]


CHUNK = 5_000


def elapsed(verdict: Verdict, lines: list[bytes]) -> float:
    start = time.perf_counter()
    for line in lines:
        verdict(line)
    return time.perf_counter() - start


def measure(lines: list[bytes], runs: int, slow_slice: int) -> list[tuple[Contender, float, int]]:
    """Median records/second per contender over ``runs`` runs.

    Each run walks the corpus in chunks of ``CHUNK`` lines and times every contender on each
    chunk in turn, so load from other processes, which comes and goes within seconds, falls
    on every contender alike. Slow contenders time an equal share of each chunk, together
    ``slow_slice`` lines spread over the corpus.
    """
    todo = contenders()
    chunks = [lines[start : start + CHUNK] for start in range(0, len(lines), CHUNK)]
    slow_share = max(1, slow_slice // len(chunks))
    rates: dict[str, list[float]] = {c.name: [] for c in todo}
    sizes: dict[str, int] = {}
    for _ in range(runs):
        seconds = dict.fromkeys(rates, 0.0)
        counts = dict.fromkeys(rates, 0)
        for chunk in chunks:
            for contender in todo:
                sample = chunk[:slow_share] if contender.slow else chunk
                seconds[contender.name] += elapsed(contender.verdict, sample)
                counts[contender.name] += len(sample)
        for name, history in rates.items():
            history.append(counts[name] / seconds[name])
        sizes = counts
    return [(c, statistics.median(rates[c.name]), sizes[c.name]) for c in todo]


def table(title: str, rows: list[tuple[Contender, float, int]]) -> str:
    floor = rows[0][1]
    out = [
        f"**{title}**",
        "",
        "| validator | records/s (median) | ratio to orjson | records timed |",
        "|---|---:|---:|---:|",
    ]
    out += [f"| {c.name} | {r:,.0f} | {r / floor:.3f}x | {n:,} |" for c, r, n in rows]
    return "\n".join(out)


def schema_invalid(lines: list[bytes]) -> list[bytes]:
    """The lines with a ``schema/...`` finding: those jsonschema's messages are made for."""
    return [
        line for line in lines if any(f.rule.startswith("schema/") for f in validate_json(line))
    ]


def invalid_micro(lines: list[bytes], runs: int) -> str:
    """Microseconds per schema-invalid record (median of ``runs``), beside orjson.loads."""
    rows: dict[str, list[float]] = {"orjson.loads alone": [], "voxkit validate_json": []}
    for _ in range(runs):
        for name, verdict in (
            ("orjson.loads alone", orjson.loads),
            ("voxkit validate_json", validate_json),
        ):
            rows[name].append(elapsed(verdict, lines) / len(lines) * 1e6)
    out = [
        f"**one schema-invalid record: {len(lines):,} records**",
        "",
        "| contender | µs per record (median) |",
        "|---|---:|",
    ]
    out += [f"| {name} | {statistics.median(times):.1f} |" for name, times in rows.items()]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--slow-slice", type=int, default=4000)
    parser.add_argument("--limit", type=int, default=None, help="use only the first N lines")
    parser.add_argument("--data", type=Path, default=DATA, help="where make_corpus wrote")
    args = parser.parse_args(argv)
    corpora = [
        ("all valid", args.data / VALID_NAME),
        ("about 5% invalid", args.data / INVALID_NAME),
    ]
    missing = [str(path) for _, path in corpora if not path.exists()]
    if missing:
        print(
            f"missing corpus {', '.join(missing)}: run python -m benchmarks.make_corpus",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    for title, path in corpora:
        lines = path.read_bytes().splitlines()[: args.limit]
        invalid = sum(not is_valid(validate_json(line)) for line in lines)
        rows = measure(lines, args.runs, args.slow_slice)
        print(table(f"{title}: {len(lines):,} records, {invalid:,} invalid per voxkit", rows))
        print()
        failing = schema_invalid(lines) if invalid else []
        if failing:
            print(invalid_micro(failing, args.runs))
            print()
    print(
        f"({args.runs} runs each, interleaved per {CHUNK:,}-line chunk; {time.perf_counter() - started:.0f} s in all; "
        f"Python {sys.version.split()[0]})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
