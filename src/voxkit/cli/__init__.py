"""The ``voxkit`` command line: the click group; each command lives in its own module here.

Start-up is most of the cost of a short run (a pre-commit hook validating a few files), so this
package imports nothing heavy: ``voxkit --version`` is answered without click, and the group
(:mod:`voxkit.cli._group`) imports a command's module only when that command runs or when a help
page or the docs list it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from voxkit.cli._group import cli

__all__ = ["cli", "main"]


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        # What click's version option prints, without importing click (a third of the time).
        from voxkit import __version__  # noqa: PLC0415 - the lightest way in

        sys.stdout.write(f"voxkit, version {__version__}\n")
        sys.stdout.flush()
        return
    from voxkit.cli._group import cli  # noqa: PLC0415 - see the module docstring

    cli()


def __getattr__(name: str) -> object:
    if name == "cli":
        from voxkit.cli._group import cli  # noqa: PLC0415 - see the module docstring

        globals()["cli"] = cli
        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
