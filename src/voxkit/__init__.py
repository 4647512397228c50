"""voxkit: a spec-driven toolkit for the vox.ai (tryvox) v3 campaigns API.

The import packages of the ``voxkit`` distribution:

- ``voxkit``: the ``voxkit`` command line.
- ``vox_client``: the strict HTTP client applications import.
- ``vox_validators``: schema and business-rule validation of campaign payloads.
- ``vox_generated``: code generated from ``openapi/`` (never edited by hand).
"""

# Written out rather than read with importlib.metadata, whose import alone costs more than the
# interpreter's start-up (``voxkit --version``); tests/cli/test_main.py checks it against the
# installed distribution's version (pyproject.toml).
__version__ = "0.1.0"
__all__ = ["__version__"]
