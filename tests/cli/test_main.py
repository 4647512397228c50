from __future__ import annotations

import tomllib

from click.testing import CliRunner

from tests.support.paths import REPO_ROOT
from voxkit import __version__
from voxkit.cli import cli


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"voxkit, version {__version__}\n"


def test_help_lists_the_tool() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "vox.ai" in result.output


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_the_written_out_version_is_the_installed_distributions() -> None:
    # voxkit.__version__ is a literal (importlib.metadata is slow to import): pyproject.toml's
    # version and it must move together.
    from importlib.metadata import version  # noqa: PLC0415

    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert __version__ == pyproject["project"]["version"] == version("voxkit")
