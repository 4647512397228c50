"""The generated JSON Schema bundle, loaded once."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator


@cache
def bundle() -> dict[str, Any]:
    text = resources.files("vox_generated").joinpath("schema.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def schema_names() -> list[str]:
    return sorted(bundle()["$defs"])


@cache
def validator_for(schema: str) -> Draft202012Validator:
    """A reusable Draft 2020-12 validator for one component schema of the spec."""
    if schema not in bundle()["$defs"]:
        raise KeyError(
            f"{schema!r} is not a schema of the spec; known: {', '.join(schema_names())}"
        )
    root = {**bundle(), "$ref": f"#/$defs/{schema}"}
    return Draft202012Validator(root)
