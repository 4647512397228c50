"""Every row of the speed goals (issue 12) in one run: what, measured, goal, with the machine's load.

    python -m benchmarks.bench_speed [--records 1000000] [--reader-records 200000] [--runs 5]
                                     [--har-gigabytes 1] [--cassette-megabytes 100] [--data DIR]

Rows (ratios of throughputs measured in the same run; medians of ``--runs`` runs, the contenders
of all rows interleaved run by run, so passing load falls on all of them alike):

- ``voxkit validate FILE --format jsonl`` (its default ``--jobs auto``: one process per CPU on
  such a file) against a plain Python loop reading the same file and calling ``orjson.loads`` on
  each line (both whole processes), on ``--records`` records all valid, then about 5% invalid
  (``make_corpus``); the detail column gives the ratio of ``--jobs 1`` too;
- the peak resident memory of that command on the all-valid file (default jobs, ``--jobs 1``);
- start-up: ``benchmarks.bench_startup.measure`` (``voxkit --version`` vs ``python -c pass``,
  ``voxkit validate one.json`` vs ``check-jsonschema``);
- the same ``--reader-records`` records as one JSON array, a HAR file and a vcrpy cassette,
  against JSON Lines (the whole command each time, with ``--jobs 1``: the readers compared, not
  how well each format spreads over processes); then the peak resident memory of the command
  (its default jobs) on a ``--har-gigabytes`` GB HAR file and a ``--cassette-megabytes`` MB
  cassette (once each);
- the time ``validate_json`` takes for a record that fails the schema (in a process of its
  own, beside a valid record's);
- ``--jobs 2`` against ``--jobs 1`` on the ``--records`` corpus, as a share of the machine's
  two-process ceiling measured beside it (``bench_cli``: a perfectly parallel loop).

The generated inputs go to ``--data`` (default ``benchmarks/data/``, git-ignored) and are deleted
at the end. Output goes to ``/dev/null``. Nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from benchmarks import make_corpus
from benchmarks.bench_cli import _MEASURE, _machine_ceiling, _voxkit

URL = "https://client-api.tryvox.co/v3/campaigns/"
# The whole inputs of the traffic rows are read at once by today's readers: no limit in the way.
NO_LIMITS = ("--max-input-size", "1TiB", "--max-nodes", str(2**62))
LOOP = """
import sys, orjson
with open(sys.argv[1], "rb") as lines:
    for line in lines:
        orjson.loads(line)
"""


@dataclass
class Row:
    """One line of the table: ``measured`` is a ratio (or µs, MiB), ``goal`` its target."""

    what: str
    measured: str
    goal: str
    detail: str = ""


@dataclass
class Timed:
    """A command run once per round; its wall times."""

    command: list[str]
    times: list[float] = field(default_factory=list)

    def run(self) -> None:
        started = time.perf_counter()
        subprocess.run(self.command, stdout=subprocess.DEVNULL, check=False)
        self.times.append(time.perf_counter() - started)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def _validate(path: Path, *extra: str) -> list[str]:
    return [*_voxkit(), "validate", str(path), "--format", "jsonl", *extra]


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as lines:
        for line in lines:
            if line.strip():
                yield line.rstrip(b"\n")


def write_array(source: Path, path: Path) -> None:
    """The records of the JSON Lines ``source`` as one JSON array, one element per line."""
    with path.open("wb") as out:
        out.write(b"[\n")
        for number, line in enumerate(_lines(source)):
            out.write(b",\n" + line if number else line)
        out.write(b"\n]\n")


def _har_entry(line: bytes) -> bytes:
    record = orjson.loads(line)
    entry = {
        "startedDateTime": "2025-11-28T03:20:00.000Z",
        "time": 120,
        "request": {
            "method": "GET",
            "url": URL + str(record.get("id", "cmp_0")),
            "httpVersion": "HTTP/1.1",
            "headers": [],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "cookies": [],
            "content": {
                "size": len(line),
                "mimeType": "application/json",
                "text": line.decode("utf-8"),
            },
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(line),
        },
        "cache": {},
        "timings": {"send": 0, "wait": 120, "receive": 0},
    }
    return orjson.dumps(entry)


def write_har(lines: Iterator[bytes], path: Path, size: int | None = None) -> int:
    """A HAR file, one entry (``GET /campaigns/{id}``, 200) per record; until ``size`` bytes when
    given (the records repeat). Returns the number of entries."""
    count = written = 0
    with path.open("wb") as out:
        out.write(b'{"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"}, ')
        out.write(b'"entries": [\n')
        for line in lines:
            entry = (b",\n" if count else b"") + _har_entry(line)
            out.write(entry)
            count += 1
            written += len(entry)
            if size is not None and written >= size:
                break
        out.write(b"\n]}}\n")
    return count


def write_cassette(lines: Iterator[bytes], path: Path, size: int | None = None) -> int:
    """A vcrpy cassette (its layout, dumped with PyYAML as vcrpy does), one ``GET`` per record;
    until ``size`` bytes when given. Returns the number of interactions."""
    import yaml  # noqa: PLC0415 - only this row needs it

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    count = written = 0
    block: list[dict[str, object]] = []

    def flush(out: object) -> int:
        # A list dumped at the top level is the same text as the list under `interactions:`.
        text = yaml.dump(block, Dumper=dumper).encode("utf-8")
        out.write(text)  # type: ignore[attr-defined]
        block.clear()
        return len(text)

    with path.open("wb") as out:
        out.write(b"interactions:\n")
        for line in lines:
            record = orjson.loads(line)
            block.append(
                {
                    "request": {
                        "body": None,
                        "headers": {},
                        "method": "GET",
                        "uri": URL + str(record.get("id", "cmp_0")),
                    },
                    "response": {
                        "body": {"string": line.decode("utf-8")},
                        "headers": {"Content-Type": ["application/json"]},
                        "status": {"code": 200, "message": "OK"},
                    },
                }
            )
            count += 1
            if len(block) >= 1000:
                written += flush(out)
                if size is not None and written >= size:
                    break
        if block:
            flush(out)
        out.write(b"version: 1\n")
    return count


def _endless(path: Path) -> Iterator[bytes]:
    while True:
        yield from _lines(path)


def peak_rss_mib(command: list[str]) -> float:
    """The peak resident memory of the largest process of ``command`` (workers included)."""
    output = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(output[1]) / 1024


def schema_invalid_us(corpus: Path, runs: int, limit: int = 2000) -> tuple[float, float, int]:
    """Median µs of ``validate_json`` on a record of ``corpus`` that fails the schema, and on a
    valid one (the same number of records, timed in turn); and how many were timed."""
    from vox_validators import validate_json  # noqa: PLC0415

    failing: list[bytes] = []
    passing: list[bytes] = []
    for line in _lines(corpus):
        findings = validate_json(line, "Campaign")
        if any(finding.rule.startswith("schema/") for finding in findings):
            failing.append(line)
        elif not findings and len(passing) < limit:
            passing.append(line)
        if len(failing) >= limit:
            break
    passing = passing[: len(failing)]
    gc.collect()  # the reading above: none of its garbage collected in the timed loops
    bad: list[float] = []
    good: list[float] = []
    for _ in range(max(runs, 1)):
        for lines, times in ((failing, bad), (passing, good)):
            started = time.perf_counter()
            for line in lines:
                validate_json(line, "Campaign")
            times.append((time.perf_counter() - started) / max(len(lines), 1) * 1e6)
    return statistics.median(bad), statistics.median(good), len(failing)


def schema_invalid_us_apart(corpus: Path, runs: int) -> tuple[float, float, int]:
    """``schema_invalid_us`` in a process of its own, as every other row runs: not in this one,
    whose heap and caches the rows before it have filled."""
    code = (
        "import json, sys; from pathlib import Path; "
        "from benchmarks.bench_speed import schema_invalid_us; "
        "print(json.dumps(schema_invalid_us(Path(sys.argv[1]), int(sys.argv[2]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(corpus), str(runs)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    bad, good, count = orjson.loads(done.stdout)
    return float(bad), float(good), int(count)


def _startup_rows(runs: int) -> list[Row]:
    try:  # by name: the module is another helper's, and may be missing
        bench_startup = importlib.import_module("benchmarks.bench_startup")
    except ImportError as error:
        return [Row("start-up rows", "not measured", "", f"benchmarks.bench_startup: {error}")]
    rows = []
    for row in bench_startup.measure(runs=runs):
        rows.append(Row(row.what, f"{row.measured:.2f}x", row.goal, row.detail))
    return rows


def _ratio_row(
    what: str,
    goal: str,
    contender: Timed,
    baseline: Timed,
    count: int,
    *,
    one_job: Timed | None = None,
) -> Row:
    """A throughput ratio: the baseline's time over the contender's (same records); with
    ``one_job``, also the ratio of the contender run with ``--jobs 1``."""
    detail = (
        f"{count / contender.median:,.0f} vs {count / baseline.median:,.0f} records/s "
        f"(medians of {len(contender.times)}: {contender.median:.2f} s vs {baseline.median:.2f} s)"
    )
    if one_job is not None:
        detail += (
            f"; with `--jobs 1`: {baseline.median / one_job.median:.2f}x ({one_job.median:.2f} s)"
        )
    return Row(what, f"{baseline.median / contender.median:.2f}x", goal, detail)


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915 - one table, row after row
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--reader-records", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--startup-runs", type=int, default=15)
    parser.add_argument("--har-gigabytes", type=float, default=1.0)
    parser.add_argument("--cassette-megabytes", type=float, default=100.0)
    parser.add_argument("--data", type=Path, default=make_corpus.DATA)
    parser.add_argument("--keep", action="store_true", help="keep the generated inputs")
    options = parser.parse_args(argv)
    # Every command with its byte code cached, as on a user's machine (see bench_startup).
    no_byte_code = os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    data: Path = options.data
    data.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    made: list[Path] = []
    log: Callable[[str], None] = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    try:
        log(f"writing {options.records:,} records ...")
        with _quiet():
            make_corpus.main(["--records", str(options.records), "--data", str(data)])
        valid, mixed = data / make_corpus.VALID_NAME, data / make_corpus.INVALID_NAME
        made += [valid, mixed]
        # The reader rows: the first --reader-records valid records in each format.
        readers = data / "speed-readers.jsonl"
        with readers.open("wb") as out:
            for number, line in enumerate(_lines(valid)):
                if number >= options.reader_records:
                    break
                out.write(line + b"\n")
        count = min(options.reader_records, options.records)
        array, har, cassette = (data / f"speed-readers.{ext}" for ext in ("json", "har", "yaml"))
        made += [readers, array, har, cassette]
        write_array(readers, array)
        write_har(_lines(readers), har)
        write_cassette(_lines(readers), cassette)

        one_job = ("--jobs", "1")
        timed = {
            "valid": Timed(_validate(valid)),
            "valid loop": Timed([sys.executable, "-c", LOOP, str(valid)]),
            "valid, 1 job": Timed(_validate(valid, *one_job)),
            "mixed": Timed(_validate(mixed)),
            "mixed loop": Timed([sys.executable, "-c", LOOP, str(mixed)]),
            "jsonl": Timed(_validate(readers, *NO_LIMITS, *one_job)),
            "array": Timed(_validate(array, *NO_LIMITS, *one_job)),
            "har": Timed(_validate(har, *NO_LIMITS, *one_job)),
            "cassette": Timed(_validate(cassette, *NO_LIMITS, *one_job)),
            "jobs 1": Timed(_validate(mixed, *one_job)),  # also the 5%-invalid row's 1-job figure
            "jobs 2": Timed(_validate(mixed, "--jobs", "2")),
        }
        ceilings: list[float] = []
        for round_number in range(options.runs):
            log(f"round {round_number + 1} of {options.runs} ...")
            for name, contender in timed.items():
                if name == "jobs 1":
                    ceilings.append(_machine_ceiling())
                contender.run()

        rows = [
            _ratio_row(
                f"whole command vs read + orjson.loads loop, all valid, {options.records:,} records",
                ">= 0.55x",
                timed["valid"],
                timed["valid loop"],
                options.records,
                one_job=timed["valid, 1 job"],
            ),
            _ratio_row(
                "same, 5% invalid",
                ">= 0.35x",
                timed["mixed"],
                timed["mixed loop"],
                options.records,
                one_job=timed["jobs 1"],
            ),
        ]
        log("peak memory of the whole command ...")
        peaks = [peak_rss_mib(_validate(valid, *jobs)) for jobs in ((), one_job)]
        rows.append(
            Row(
                f"peak memory of the whole command on the {options.records:,} records "
                f"({valid.stat().st_size / 2**20:,.0f} MiB)",
                f"{peaks[0]:.0f} MiB / {peaks[1]:.0f} MiB",
                "flat",
                "the largest process, with the default jobs / with `--jobs 1`",
            )
        )
        log("start-up ...")
        rows += _startup_rows(options.startup_runs)
        rows.append(
            _ratio_row(
                f"JSON array throughput vs the same records as JSON Lines ({count:,})",
                ">= 0.8x",
                timed["array"],
                timed["jsonl"],
                count,
            )
        )

        log(f"peak memory on a {options.har_gigabytes:g} GB HAR file ...")
        big_har = data / "speed-big.har"
        made.append(big_har)
        entries = write_har(_endless(readers), big_har, size=int(options.har_gigabytes * 10**9))
        har_peak = peak_rss_mib(_validate(big_har, *NO_LIMITS))
        big_har.unlink()
        har_row = _ratio_row("", "", timed["har"], timed["jsonl"], count)
        rows.append(
            Row(
                f"HAR throughput vs JSON Lines / peak memory on a {options.har_gigabytes:g} GB HAR",
                f"{har_row.measured} / {har_peak:.0f} MiB",
                ">= 0.7x / <= 100 MiB",
                f"{har_row.detail}; {entries:,} entries in the big file",
            )
        )

        log(f"peak memory on a {options.cassette_megabytes:g} MB cassette ...")
        big_cassette = data / "speed-big.yaml"
        made.append(big_cassette)
        size = int(options.cassette_megabytes * 10**6)
        interactions = write_cassette(_endless(readers), big_cassette, size=size)
        cassette_peak = peak_rss_mib(_validate(big_cassette, *NO_LIMITS))
        big_cassette.unlink()
        cassette_row = _ratio_row("", "", timed["cassette"], timed["jsonl"], count)
        rows.append(
            Row(
                "cassette throughput vs JSON Lines / peak memory on a "
                f"{options.cassette_megabytes:g} MB cassette",
                f"{cassette_row.measured} / {cassette_peak:.0f} MiB",
                ">= 0.3x / <= 150 MiB",
                f"{cassette_row.detail}; {interactions:,} interactions in the big file",
            )
        )

        log("a schema-invalid record ...")
        bad, good, timed_records = schema_invalid_us_apart(mixed, options.runs)
        rows.append(
            Row(
                "a schema-invalid record",
                f"{bad:.1f} µs",
                "<= 25 µs",
                f"validate_json, median of {options.runs} over {timed_records:,} such records; "
                f"a valid one: {good:.1f} µs",
            )
        )

        one, two = timed["jobs 1"], timed["jobs 2"]
        speedup = one.median / two.median
        ceiling = statistics.median(ceilings)
        rows.append(
            Row(
                f"`--jobs 2` vs `--jobs 1`, {options.records:,} records (5% invalid)",
                f"{speedup / ceiling:.2f} of the ceiling",
                ">= 0.95 of the ceiling",
                f"{speedup:.2f}x, ceiling {ceiling:.2f}x (medians of {len(ceilings)}; "
                f"{one.median:.2f} s vs {two.median:.2f} s)",
            )
        )
    finally:
        if no_byte_code is not None:
            os.environ["PYTHONDONTWRITEBYTECODE"] = no_byte_code
        if not options.keep:
            for path in made:
                path.unlink(missing_ok=True)
    load_after = os.getloadavg()

    print(f"{os.cpu_count()} CPUs; load average (1, 5, 15 min) before: {_load(load_before)}")
    print("| what | measured | goal | detail |")
    print("|---|---:|---:|---|")
    for row in rows:
        print(f"| {row.what} | {row.measured} | {row.goal} | {row.detail} |")
    print(f"load average after: {_load(load_after)}")
    return 0


def _load(load: tuple[float, float, float]) -> str:
    return ", ".join(f"{value:.2f}" for value in load)


class _quiet:
    """stdout to stderr for a while (make_corpus prints what it wrote)."""

    def __enter__(self) -> None:
        self._stdout = sys.stdout
        sys.stdout = sys.stderr

    def __exit__(self, *exc: object) -> None:
        sys.stdout = self._stdout


if __name__ == "__main__":
    sys.exit(main())
