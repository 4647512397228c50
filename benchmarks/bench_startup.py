"""Start-up of the command line: ``voxkit --version`` and ``voxkit validate`` on one file.

    python benchmarks/bench_startup.py [--runs 15] [--file examples/valid/campaign-ongoing.json]
                                       [--before DIR]

Runs, interleaved, ``--runs`` times each (fresh processes, wall-clock, output to /dev/null):

- ``python -c pass`` (the interpreter of this virtualenv: its start-up is the floor);
- ``voxkit --version``;
- ``voxkit validate FILE`` (one valid campaign);
- ``check-jsonschema --schemafile CAMPAIGN FILE``: the usual jsonschema command line and
  pre-commit hook, on the same file against the same schema (the bundle's ``Campaign``, through a
  one-line schema that ``$ref``\\ s it), installed by ``pip install voxkit[bench]``;

and prints the medians and the two ratios of the issue's table: ``voxkit --version`` vs
``python -c pass`` (goal <= 4x) and ``voxkit validate`` vs check-jsonschema (goal <= 0.5x).
``--before DIR`` also runs the voxkit commands on the sources of another checkout (``DIR/src``,
``DIR/validators``, ``DIR/generated_client`` first on ``PYTHONPATH``; e.g. ``git archive HEAD``
unpacked there), interleaved with the others: before and after, measured in one run. Nothing here is asserted by the tests; :func:`measure` gives the rows to
benchmarks/bench_speed.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import NamedTuple

__all__ = ["Row", "main", "measure"]

REPO = Path(__file__).resolve().parent.parent
ONE_FILE = REPO / "examples" / "valid" / "campaign-ongoing.json"


class Row(NamedTuple):
    """One row of the goals table: ``measured`` is the ratio (nan when it cannot be measured)."""

    what: str
    measured: float
    goal: str
    detail: str


def _script(name: str) -> str | None:
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def _voxkit() -> list[str]:
    # The console script, as a user or a pre-commit hook runs it.
    script = _script("voxkit")
    return [script] if script is not None else [sys.executable, "-m", "voxkit"]


def _campaign_schema(folder: Path) -> Path:
    """A schema file that is the bundle's Campaign schema (check-jsonschema takes one file)."""
    bundle = Path(str(resources.files("vox_generated").joinpath("schema.json"))).resolve()
    schema = folder / "campaign.schema.json"
    schema.write_text(
        json.dumps(
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": f"{bundle.as_uri()}#/$defs/Campaign",
            }
        ),
        "utf-8",
    )
    return schema


def _time(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr[-500:]!r}")
    return elapsed


def _medians(runs: int, file: Path, before: Path | None) -> dict[str, float]:
    # Byte code cached, as on a user's machine: the warm-up run writes it (an environment with
    # PYTHONDONTWRITEBYTECODE would compile voxkit's editable sources on every run, while the
    # packages pip installed, check-jsonschema's among them, come compiled).
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    checker = _script("check-jsonschema")
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder:
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass": ([sys.executable, "-c", "pass"], env),
            "voxkit --version": ([*_voxkit(), "--version"], env),
            "voxkit validate": ([*_voxkit(), "validate", str(file)], env),
        }
        if before is not None:
            paths = [str(before / part) for part in ("src", "validators", "generated_client")]
            old = {**env, "PYTHONPATH": os.pathsep.join([*paths, env.get("PYTHONPATH", "")])}
            commands["before: voxkit --version"] = ([*_voxkit(), "--version"], old)
            commands["before: voxkit validate"] = ([*_voxkit(), "validate", str(file)], old)
        if checker is not None:
            schema = _campaign_schema(Path(folder))
            commands["check-jsonschema"] = ([checker, "--schemafile", str(schema), str(file)], env)
        for command, command_env in commands.values():  # warm the caches, not measured
            _time(command, command_env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):  # interleaved: a burst of load hits every contender alike
            for name, (command, command_env) in commands.items():
                times[name].append(_time(command, command_env))
    return {name: statistics.median(values) for name, values in times.items()}


def measure(runs: int = 15, *, file: Path = ONE_FILE, before: Path | None = None) -> list[Row]:
    """The two start-up rows of the goals table, from ``runs`` interleaved runs of each command.

    With ``before``, two more rows: the same for the checkout ``before`` (see the module doc).
    """
    medians = _medians(runs, file, before)
    rows = _rows(medians, "", runs)
    if before is not None:
        rows += _rows(medians, "before: ", runs)
    return rows


def _rows(medians: dict[str, float], prefix: str, runs: int) -> list[Row]:
    floor, version = medians["python -c pass"], medians[f"{prefix}voxkit --version"]
    validate = medians[f"{prefix}voxkit validate"]
    checker = medians.get("check-jsonschema")
    rows = [
        Row(
            f"{prefix}`voxkit --version` vs `python -c pass`",
            version / floor,
            "<= 4x",
            f"{version * 1e3:.0f} ms vs {floor * 1e3:.0f} ms (medians of {runs})",
        )
    ]
    if checker is None:
        rows.append(
            Row(
                f"{prefix}`voxkit validate one.json` start-up vs `check-jsonschema`",
                float("nan"),
                "<= 0.5x",
                f"voxkit {validate * 1e3:.0f} ms; check-jsonschema not installed "
                "(pip install 'voxkit[bench]')",
            )
        )
    else:
        rows.append(
            Row(
                f"{prefix}`voxkit validate one.json` start-up vs `check-jsonschema`",
                validate / checker,
                "<= 0.5x",
                f"{validate * 1e3:.0f} ms vs {checker * 1e3:.0f} ms (medians of {runs})",
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    parser.add_argument("--file", type=Path, default=ONE_FILE, help="the one file to validate")
    parser.add_argument(
        "--before", type=Path, default=None, help="also run voxkit from this checkout"
    )
    options = parser.parse_args(argv)
    print(f"load average (1, 5, 15 min): {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print("| what | measured | goal | detail |")
    print("|---|---:|---:|---|")
    for row in measure(options.runs, file=options.file, before=options.before):
        print(f"| {row.what} | {row.measured:.2f}x | {row.goal} | {row.detail} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
