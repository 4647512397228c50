"""The ``voxkit`` command line. Each command lives in its own private module."""

from __future__ import annotations

import click

from voxkit import __version__
from voxkit.cli._client import get_command, update_command
from voxkit.cli.rules import rules_command
from voxkit.cli.spec import spec
from voxkit.cli.validate import validate_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="voxkit")
def cli() -> None:
    """Validate captured vox.ai campaign payloads and call the campaigns API strictly."""


cli.add_command(get_command)
cli.add_command(update_command)
cli.add_command(rules_command)
cli.add_command(spec)
cli.add_command(validate_command)


def main() -> None:
    cli()
