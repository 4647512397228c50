"""Reader throughput: the same records as JSON Lines and as a JSON array (three layouts).

    python -m benchmarks.bench_readers [--records 50000] [--runs 5]

Each contender is the records/s of ``vox_validators.sources.iter_records`` reading the file to
its end (nothing validated), medians of ``--runs``, contenders interleaved; the ratios are to
JSON Lines measured in the same run. :func:`reader_rows` gives the rows to the benchmark table.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import orjson

from benchmarks.make_corpus import valid_campaign
from vox_validators import validate_record
from vox_validators.sources import iter_records


def _write(folder: Path, records: int) -> dict[str, Path]:
    rng = random.Random(7)
    docs = [valid_campaign(rng, index) for index in range(records)]
    paths = {
        "jsonl": folder / "r.jsonl",
        "array": folder / "r-compact.json",
        "array, one a line": folder / "r-lines.json",
        "array, indented": folder / "r-indented.json",
    }
    paths["jsonl"].write_bytes(b"".join(orjson.dumps(doc) + b"\n" for doc in docs))
    paths["array"].write_bytes(orjson.dumps(docs))
    lines = b",\n".join(orjson.dumps(doc) for doc in docs)
    paths["array, one a line"].write_bytes(b"[\n" + lines + b"\n]\n")
    paths["array, indented"].write_bytes(orjson.dumps(docs, option=orjson.OPT_INDENT_2))
    return paths


def _rate(path: Path, validate: bool) -> float:
    start = time.perf_counter()
    if validate:
        count = sum(1 for record in iter_records(str(path)) if validate_record(record) or True)
    else:
        count = sum(1 for _ in iter_records(str(path)))
    return count / (time.perf_counter() - start)


def reader_rows(
    records: int = 50_000, runs: int = 5, *, validate: bool = False
) -> list[tuple[str, float, float]]:
    """(contender, records/s, ratio to JSON Lines), medians of ``runs`` interleaved runs.

    ``validate``: each record also goes through ``validate_record`` (the command's own work, in
    process), else the reader alone is timed.
    """
    with tempfile.TemporaryDirectory() as folder:
        paths = _write(Path(folder), records)
        rates: dict[str, list[float]] = {name: [] for name in paths}
        for _ in range(runs):
            for name, path in paths.items():
                rates[name].append(_rate(path, validate))
    base = statistics.median(rates["jsonl"])
    return [
        (name, statistics.median(values), statistics.median(values) / base)
        for name, values in rates.items()
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args(argv)
    for validate in (False, True):
        print("read and validated" if validate else "read only")
        for name, rate, ratio in reader_rows(options.records, options.runs, validate=validate):
            print(f"  {name:<18} {rate:>12,.0f} records/s  {ratio:5.2f}x")


if __name__ == "__main__":
    main()
