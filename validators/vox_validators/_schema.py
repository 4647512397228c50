"""The generated JSON Schema bundle, loaded once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend


@cache
def bundle() -> dict[str, Any]:
    text = resources.files("vox_generated").joinpath("schema.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def schema_names() -> list[str]:
    return sorted(bundle()["$defs"])


def _any_of(
    validator: Any, branches: list[Any], instance: object, schema: object
) -> Iterator[ValidationError]:
    """jsonschema's ``anyOf``, without collecting every branch's errors: the same error (the
    same message, keyword and path), whose ``context`` no finding reads, left empty. A branch
    is valid when its first error does not come, as jsonschema decides it."""
    for index, branch in enumerate(branches):
        if next(iter(validator.descend(instance, branch, schema_path=index)), None) is None:
            return
    yield ValidationError(f"{instance!r} is not valid under any of the given schemas")


Validator = extend(Draft202012Validator, {"anyOf": _any_of})  # type: ignore[no-untyped-call]
"""Draft 2020-12 with the lean ``anyOf``: every verdict and finding as ``Draft202012Validator``."""


@cache
def validator_for(schema: str) -> Draft202012Validator:
    """A reusable Draft 2020-12 validator for one component schema of the spec."""
    if schema not in bundle()["$defs"]:
        raise KeyError(
            f"{schema!r} is not a schema of the spec; known: {', '.join(schema_names())}"
        )
    root = {**bundle(), "$ref": f"#/$defs/{schema}"}
    validator: Draft202012Validator = Validator(root)
    return validator
