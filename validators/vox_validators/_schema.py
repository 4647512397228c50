"""The generated JSON Schema bundle, loaded once; jsonschema validators of it, built on demand.

jsonschema (and ``referencing``) are imported only when a validator is asked for: the tiers
that vouch for valid records, and the compiled error producers, read the bundle alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


@cache
def bundle() -> dict[str, Any]:
    text = resources.files("vox_generated").joinpath("schema.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def schema_names() -> list[str]:
    return sorted(bundle()["$defs"])


def check_schema_name(schema: str) -> None:
    """Raise the ``KeyError`` of an unknown schema name (``validate`` documents it)."""
    if schema not in bundle()["$defs"]:
        raise KeyError(
            f"{schema!r} is not a schema of the spec; known: {', '.join(schema_names())}"
        )


def _any_of(
    validator: Any, branches: list[Any], instance: object, schema: object
) -> Iterator[ValidationError]:
    """jsonschema's ``anyOf``, without collecting every branch's errors: the same error (the
    same message, keyword and path), whose ``context`` no finding reads, left empty. A branch
    is valid when its first error does not come, as jsonschema decides it."""
    from jsonschema.exceptions import ValidationError  # noqa: PLC0415 - see the module docstring

    for index, branch in enumerate(branches):
        if next(iter(validator.descend(instance, branch, schema_path=index)), None) is None:
            return
    yield ValidationError(f"{instance!r} is not valid under any of the given schemas")


@cache
def lean_validator_class() -> type[Draft202012Validator]:
    """Draft 2020-12 with the lean ``anyOf``: every verdict and finding as
    ``Draft202012Validator``."""
    from jsonschema import Draft202012Validator  # noqa: PLC0415 - see the module docstring
    from jsonschema.validators import extend  # noqa: PLC0415

    validator_class: type[Draft202012Validator] = extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, {"anyOf": _any_of}
    )
    return validator_class


@cache
def validator_for(schema: str) -> Draft202012Validator:
    """A reusable Draft 2020-12 validator for one component schema of the spec."""
    check_schema_name(schema)
    root = {**bundle(), "$ref": f"#/$defs/{schema}"}
    return lean_validator_class()(root)
