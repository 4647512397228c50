"""The ``voxkit`` command line: the click group; each command lives in its own module here."""

from __future__ import annotations

import click

from voxkit import __version__
from voxkit.cli.create import create_command
from voxkit.cli.get import get_command
from voxkit.cli.mock import mock_command
from voxkit.cli.rules import rules_command
from voxkit.cli.spec import spec
from voxkit.cli.update import update_command
from voxkit.cli.validate import validate_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="voxkit")
def cli() -> None:
    """Validate captured vox.ai campaign payloads and call the campaigns API strictly."""


for _command in (
    get_command,
    update_command,
    create_command,
    mock_command,
    rules_command,
    spec,
    validate_command,
):
    cli.add_command(_command)


def main() -> None:
    cli()
