"""External tools some tests drive for real (Prism, mitmproxy), installed when missing.

The README's one test command must pass on a fresh machine by itself, so the tests provision
what they need instead of relying on CI: each tool is installed once, pinned exactly, into a
git-ignored folder of the checkout (``.cache/tools/``), under a file lock so that parallel runs
do not race. A tool that cannot be installed fails the test; it never skips it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT

TOOLS = REPO_ROOT / ".cache" / "tools"


@contextmanager
def _locked(name: str) -> Iterator[None]:
    TOOLS.mkdir(parents=True, exist_ok=True)
    with (TOOLS / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _install(what: str, command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=900)
    if done.returncode != 0:
        output = (done.stdout + done.stderr)[-3000:]
        pytest.fail(f"cannot install {what} ({' '.join(command)}):\n{output}")


def _overridden(variable: str | None) -> str | None:
    """The executable an environment variable names instead, checked; None when it is unset."""
    value = os.environ.get(variable, "") if variable else ""
    if value and not os.access(value, os.X_OK):
        pytest.fail(f"{variable}={value!r} is not an executable")
    return value or None


def npm_tool(package: str, version: str, executable: str, *, override: str | None = None) -> str:
    """The path of ``executable`` from npm's ``package@version``, installed when missing.

    ``override`` names an environment variable whose value, when set, is used instead.
    """
    if overridden := _overridden(override):
        return overridden
    prefix = TOOLS / f"{package.replace('/', '+')}-{version}"
    binary = prefix / "node_modules" / ".bin" / executable
    with _locked(prefix.name):
        if not os.access(binary, os.X_OK):
            npm = shutil.which("npm") or pytest.fail("no npm: install Node.js 18+ and npm")
            command = [npm, "install", "--prefix", str(prefix), "--no-save", "--no-audit"]
            _install(f"{package}@{version}", [*command, "--no-fund", f"{package}@{version}"])
    return str(binary)


def venv_tool(
    name: str, requirements: Path, executable: str, *, override: str | None = None
) -> str:
    """The path of ``executable`` from a virtual environment of its own, made when missing.

    For tools whose pins cannot live beside the project's (mitmproxy pins an older h11 than
    httpx needs). The environment is named after the requirements file's content, so a change
    of pins makes a new one.
    """
    if overridden := _overridden(override):
        return overridden
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]
    environment = TOOLS / f"{name}-{digest}"
    binary = environment / "bin" / executable
    with _locked(environment.name):
        if not os.access(binary, os.X_OK):
            shutil.rmtree(environment, ignore_errors=True)
            _install(f"a venv for {name}", [sys.executable, "-m", "venv", str(environment)])
            pip = [str(environment / "bin" / "python"), "-m", "pip", "install", "-q"]
            pip.append("--disable-pip-version-check")
            _install(name, [*pip, "-r", str(requirements)])
    return str(binary)
