"""The private package behind ``voxkit spec diff``: an explicit API, and no dev-only imports."""

from __future__ import annotations

import subprocess
import sys

import voxkit.specdiff as specdiff


def _kind(name: str) -> tuple[int, str]:
    # Constants, then classes, then functions: the order ruff's RUF022 keeps.
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_complete() -> None:
    assert specdiff.__all__ == sorted(specdiff.__all__, key=_kind)
    for name in specdiff.__all__:
        assert hasattr(specdiff, name), name


def test_the_installed_cli_does_not_import_the_dev_only_generator() -> None:
    code = (
        "import sys, voxkit.cli, voxkit.specdiff;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('generator', 'tests'));"
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
