"""Benchmark of the ``voxkit validate`` command: processes, and peak memory on a 1 GB input.

    python benchmarks/bench_cli.py [--records 200000] [--runs 3] [--gigabytes 1.0] [--skip-memory]

1. Writes a corpus of campaign records (JSON Lines, about 5% invalid: schema and business-rule
   violations) under ``benchmarks/data/`` (git-ignored), runs ``voxkit validate --format jsonl``
   on it with ``--jobs 1`` and ``--jobs 2``, ``--runs`` times each (alternating), and reports the
   median records/second and the ratio.
   Before each pair of runs it measures the machine's ceiling: how much faster a perfectly parallel
   pure-Python loop runs in 2 processes than in 1 at that moment (the CPUs may be shared).
2. Writes a JSON Lines file of ``--gigabytes`` GB, runs ``voxkit validate`` on it once with
   ``--jobs 1`` and once with ``--jobs 2``, and reports the peak resident memory (max RSS) of the
   largest process, then deletes the file; then the same for one JSON array of that size, with
   ``--jobs 1`` (every input is read, and cut into records, in the main process).

Output goes to ``/dev/null``; timings are wall-clock, on whatever else the machine is doing, so
compare ratios measured in the same run. Nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "valid" / "campaigns-every-status.jsonl"

# Runs a command and prints the peak RSS (KiB) of its largest process, workers included.
_MEASURE = """
import resource, subprocess, sys
with open("/dev/null", "wb") as sink:
    code = subprocess.run(sys.argv[1:], stdout=sink, check=False).returncode
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _voxkit() -> list[str]:
    script = Path(sys.executable).with_name("voxkit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "voxkit.cli"]


def _records(seed: int) -> Iterator[bytes]:
    """Endless distinct campaign records, one in twenty invalid."""
    rng = random.Random(seed)
    bases = [json.loads(line) for line in EXAMPLES.read_text("utf-8").splitlines()]
    mutations = [
        lambda r: r.pop("agent"),
        lambda r: r.update(status="running"),
        lambda r: r.update(total_calls="many"),
        lambda r: r.update(concurrency=500),
        lambda r: r.update(from_number="02-123-4567"),
        lambda r: r.update(created_at=1764303600),
    ]
    number = 0
    while True:
        record: dict[str, Any] = json.loads(json.dumps(rng.choice(bases)))
        record["id"] = f"cmp_{number:012d}"
        record["name"] = f"{record['name']} #{number}"
        if number % 20 == 7:
            rng.choice(mutations)(record)
        number += 1
        yield json.dumps(record, ensure_ascii=False).encode() + b"\n"


def write_corpus(
    path: Path, *, records: int | None = None, size: int | None = None, array: bool = False
) -> int:
    """JSON Lines, or with ``array`` one JSON array (one element per line); returns the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written = count = 0
    with path.open("wb") as out:
        block: list[bytes] = [b"[\n"] if array else []
        for line in _records(seed=42):
            if array and count:
                line = b"," + line
            block.append(line)
            written += len(line)
            count += 1
            if len(block) >= 10_000:
                out.write(b"".join(block))
                block = []
            if (records is not None and count >= records) or (size is not None and written >= size):
                break
        out.write(b"".join(block))
        if array:
            out.write(b"]\n")
    return count


def _spin(iterations: int) -> int:
    total = 0
    for number in range(iterations):
        total += number * number % 7
    return total


def _machine_ceiling(iterations: int = 10_000_000) -> float:
    """How much faster 2 processes run a perfectly parallel pure-Python loop than 1, right now.

    The CPUs are shared, so this is the speed-up any program could get at this moment.
    """
    started = time.perf_counter()
    _spin(iterations)
    one = time.perf_counter() - started
    with multiprocessing.get_context().Pool(2) as pool:
        pool.map(_spin, [1, 1])  # the workers are up
        started = time.perf_counter()
        pool.map(_spin, [iterations // 2, iterations // 2])
        two = time.perf_counter() - started
    return one / two


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(path: Path, jobs: int) -> tuple[float, float]:
    """Wall time and CPU time (all processes: the command and its workers) of one run."""
    command = [*_voxkit(), "validate", str(path), "--format", "jsonl", "--jobs", str(jobs)]
    cpu_before = _cpu_of_children()
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started, _cpu_of_children() - cpu_before


def _peak_rss_mib(path: Path, jobs: int) -> tuple[float, float]:
    command = [*_voxkit(), "validate", str(path), "--format", "jsonl", "--jobs", str(jobs)]
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(output[1]) / 1024, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--gigabytes", type=float, default=1.0)
    parser.add_argument("--skip-memory", action="store_true")
    options = parser.parse_args()

    corpus = DATA / "corpus.jsonl"
    count = write_corpus(corpus, records=options.records)
    print(
        f"corpus: {count:,} records, {corpus.stat().st_size / 2**20:.0f} MiB, {os.cpu_count()} CPUs"
    )
    load = os.getloadavg()[0]
    times: dict[int, list[float]] = {1: [], 2: []}
    cpu: dict[int, list[float]] = {1: [], 2: []}
    ceilings: list[float] = []
    for _ in range(options.runs):
        ceilings.append(_machine_ceiling())
        for jobs in (1, 2):
            wall, seconds = _run(corpus, jobs)
            times[jobs].append(wall)
            cpu[jobs].append(seconds)
    rates = {jobs: count / statistics.median(runs) for jobs, runs in times.items()}
    print(f"load average (1 min) before the runs: {load:.1f}")
    print("| run | median records/s | wall times (s) | median CPU s, all processes |")
    print("|---|---:|---|---:|")
    for jobs in (1, 2):
        runs = ", ".join(f"{t:.1f}" for t in times[jobs])
        print(
            f"| `--jobs {jobs}` | {rates[jobs]:,.0f} | {runs} | {statistics.median(cpu[jobs]):.1f} |"
        )
    print(f"| ratio | {rates[2] / rates[1]:.2f}x | | |")
    shown = ", ".join(f"{ceiling:.2f}x" for ceiling in ceilings)
    print(f"\nmachine ceiling (a perfectly parallel loop, 2 processes vs 1): {shown}")
    corpus.unlink()

    if options.skip_memory:
        return
    big = DATA / "big.jsonl"
    count = write_corpus(big, size=int(options.gigabytes * 10**9))
    print(f"\nbig file: {count:,} records, {big.stat().st_size / 10**9:.2f} GB")
    print("| run | peak RSS (largest process) | wall time (s) | records/s |")
    print("|---|---:|---:|---:|")
    try:
        for jobs in (1, 2):
            peak, seconds = _peak_rss_mib(big, jobs)
            print(f"| `--jobs {jobs}` | {peak:.0f} MiB | {seconds:.0f} | {count / seconds:,.0f} |")
    finally:
        big.unlink()

    array = DATA / "big-array.json"
    count = write_corpus(array, size=int(options.gigabytes * 10**9), array=True)
    print(f"\nbig JSON array: {count:,} elements, {array.stat().st_size / 10**9:.2f} GB")
    try:
        peak, seconds = _peak_rss_mib(array, 1)
        print(f"| `--jobs 1` | {peak:.0f} MiB | {seconds:.0f} | {count / seconds:,.0f} |")
    finally:
        array.unlink()


if __name__ == "__main__":
    main()
