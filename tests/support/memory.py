"""Running a memory-hungry check in a child process with an address-space limit.

A regression that makes a reader hold a whole bomb in memory then fails the test (the child gets
``MemoryError`` or is killed) instead of taking the machine down with it.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

_MiB = 1024 * 1024


@dataclass(frozen=True)
class Limited:
    """What a limited child did: its exit code, output, and peak resident memory in MiB."""

    returncode: int
    stdout: str
    stderr: str
    peak_mib: float


def run_limited(
    argv: Sequence[str],
    *,
    memory_mib: int = 1024,
    timeout: float = 120,
    input: bytes | None = None,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
) -> Limited:
    """Run ``argv`` with its address space capped at ``memory_mib`` (``RLIMIT_AS``).

    ``argv[0]`` of ``"python"`` means this interpreter. The peak is the child's ``ru_maxrss``.
    """
    command = [sys.executable, *argv[1:]] if argv and argv[0] == "python" else list(argv)
    limit = memory_mib * _MiB

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    completed = subprocess.run(
        command,
        input=input,
        capture_output=True,
        timeout=timeout,
        preexec_fn=cap,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        check=False,
    )
    # RUSAGE_CHILDREN's maxrss is the largest of all children so far: only a new maximum is this
    # child's own; otherwise it is at most the old one (an upper bound, which is what tests need).
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return Limited(
        completed.returncode,
        completed.stdout.decode("utf-8", "replace"),
        completed.stderr.decode("utf-8", "replace"),
        peak,
    )
