"""The ``voxkit`` click group, whose commands are imported on first use.

Click's documented "lazily loading subcommands" pattern, held in the group's ``commands``
mapping rather than in overrides of ``list_commands``/``get_command``: every name is listed
without importing anything, and a command's module is imported when the command is looked up
(to run it, or for ``voxkit --help`` and the docs, which list every command with its help).
Code that reads ``cli.commands`` directly keeps working.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping

import click

from voxkit import __version__

__all__ = ["LazyCommands", "cli"]

# name -> "module:attribute" of the command object; the modules import their heavy dependencies
# (httpx, the generated client, the validators) at their top.
_COMMANDS = {
    "create": "voxkit.cli.create:create_command",
    "get": "voxkit.cli.get:get_command",
    "mock": "voxkit.cli.mock:mock_command",
    "rules": "voxkit.cli.rules:rules_command",
    "spec": "voxkit.cli.spec:spec",
    "update": "voxkit.cli.update:update_command",
    "validate": "voxkit.cli.validate:validate_command",
}


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands by name: each imported from its ``module:attribute`` when looked up."""

    def __init__(self, homes: dict[str, str]) -> None:
        self._homes = dict(homes)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        loaded = self._loaded.get(name)
        if loaded is not None:
            return loaded
        home = self._homes[name]  # KeyError: not a command (click's get_command uses .get)
        module, _, attribute = home.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{home} is not a click command")
        self._loaded[name] = command
        return command

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._homes.pop(name, None)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self._homes and name not in self._loaded:
            raise KeyError(name)
        self._homes.pop(name, None)
        self._loaded.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._homes or name in self._loaded

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*self._homes, *self._loaded}))

    def __len__(self) -> int:
        return len({*self._homes, *self._loaded})


@click.group(
    commands=LazyCommands(_COMMANDS),
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="voxkit")
def cli() -> None:
    """Validate captured vox.ai campaign payloads and call the campaigns API strictly."""
