"""``python -m voxkit``: the same command line as the ``voxkit`` script."""

from voxkit.cli import main

main()
