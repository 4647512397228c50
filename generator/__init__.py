"""Regenerates everything under ``generated_client/`` from the OpenAPI document in ``openapi/``.

Run ``python -m generator`` from the repository root to rebuild, or ``python -m generator --check``
to compare a fresh build with the committed output without writing to the working tree.
This package is a development tool: it is not part of the ``voxkit`` wheel.
"""
