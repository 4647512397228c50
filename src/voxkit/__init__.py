"""voxkit: a spec-driven toolkit for the vox.ai (tryvox) v3 campaigns API.

The import packages of the ``voxkit`` distribution:

- ``voxkit``: the ``voxkit`` command line.
- ``vox_client``: the strict HTTP client applications import.
- ``vox_validators``: schema and business-rule validation of campaign payloads.
- ``vox_generated``: code generated from ``openapi/`` (never edited by hand).
"""

from importlib.metadata import version

__version__ = version("voxkit")
__all__ = ["__version__"]
