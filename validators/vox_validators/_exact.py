"""Exact schema findings: jsonschema itself, run only on the members the fast checks doubt.

``Draft202012Validator.iter_errors`` on a whole campaign costs about 200 orjson parses. The
component schemas are objects whose ``properties`` dominate the cost, so the exact path runs
the component schema with every property the fast predicate vouches for replaced by the
``true`` schema. Every other keyword (``type``, ``required``, ...) is evaluated by jsonschema
as written, in the schema's own order, so the findings and their order equal those of the
full run (the differential tests compare the two).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from jsonschema.exceptions import ValidationError

from vox_validators._fastcheck import SchemaPredicates, compile_predicates
from vox_validators._findings import Finding
from vox_validators._pointer import Path, pointer
from vox_validators._schema import bundle, validator_for


@cache
def predicates_for(schema: str) -> SchemaPredicates:
    validator_for(schema)  # the same KeyError for an unknown schema name
    return compile_predicates(bundle()["$defs"], schema)


@cache
def _component_validator(schema: str) -> Any:
    """A validator for the component schema itself that resolves ``$ref`` in the bundle."""
    return validator_for(schema).evolve(schema=bundle()["$defs"][schema])


def schema_errors(instance: object, schema: str) -> Iterable[ValidationError]:
    """Exactly the errors of ``Draft202012Validator(bundle + $ref).iter_errors(instance)``."""
    definition = bundle()["$defs"][schema]
    properties = definition.get("properties") if isinstance(definition, dict) else None
    if type(instance) is not dict or not isinstance(properties, dict):
        return validator_for(schema).iter_errors(instance)
    vouched = predicates_for(schema).properties
    doubtful: dict[str, Any] = {
        key: subschema if key in instance and not vouched[key](instance[key]) else True
        for key, subschema in properties.items()
    }
    narrowed = {**definition, "properties": doubtful}
    errors: Iterable[ValidationError] = _component_validator(schema).descend(instance, narrowed)
    return errors


def finding_and_path(error: ValidationError) -> tuple[Finding, Path]:
    """The finding of one jsonschema error and the path of the member it rejects.

    Decision: a ``required`` finding points at the missing member (``/call_time_window/timezone``),
    not at the object that lacks it (jsonschema's ``absolute_path``): that is where the fix goes,
    each missing member gets its own path, and a rule reading that member knows it is rejected.
    """
    path: list[str | int] = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        required: Any = error.validator_value
        missing = [
            name
            for name in required
            if name not in error.instance and f"{name!r} is a required property" == error.message
        ]
        if missing:
            path.append(missing[0])
    finding = Finding(
        rule=f"schema/{error.validator}",
        severity="error",
        path=pointer(path),
        message=error.message,
    )
    return finding, tuple(path)
