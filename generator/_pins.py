"""The exact tool versions that generate code. Same spec + same pins = same bytes.

``pyproject.toml``'s ``generate`` extra pins the same versions (a test keeps the two equal), and
the generator refuses to run with any other installed version rather than emit different bytes.
"""

PINNED_TOOLS: dict[str, str] = {
    "openapi-python-client": "0.29.1",
    "datamodel-code-generator": "0.89.0",
    "ruff": "0.17.6",
}
