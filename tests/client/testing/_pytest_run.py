"""Running pytest in a subprocess with the voxkit plugin, installed or not yet installed."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

PLUGIN = "vox_client.testing.pytest_plugin"
# Plugins of this venv that the runs do not need: schemathesis' and hypothesis' take seconds
# to start, which these short runs would spend many times over.
QUIET_PLUGINS = ("-p", "no:cacheprovider", "-p", "no:schemathesis", "-p", "no:hypothesispytest")


def plugin_args() -> list[str]:
    """``-p`` the plugin unless its ``pytest11`` entry point is installed (then pytest loads it,
    and ``-p`` would register it twice)."""
    installed = any(ep.value == PLUGIN for ep in entry_points(group="pytest11"))
    return [] if installed else ["-p", PLUGIN]


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "VOX_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", *plugin_args(), *QUIET_PLUGINS, "-q", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
