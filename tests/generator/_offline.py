"""The environment of a child process with no network: ``offline/sitecustomize.py`` loaded."""

from __future__ import annotations

import os
from pathlib import Path

OFFLINE = Path(__file__).resolve().parent / "offline"


def offline_env(log: Path) -> dict[str, str]:
    """``os.environ`` with the offline folder first on ``PYTHONPATH`` (inherited by every process
    the child starts), and each attempt to connect written to ``log``."""
    path = os.pathsep.join(filter(None, [str(OFFLINE), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "VOXKIT_NETWORK_LOG": str(log)}
