"""Drift: members the spec does not list (reported only in strict mode)."""

from __future__ import annotations

from typing import Any

from vox_validators._findings import Finding
from vox_validators._schema import bundle, validator_for
from vox_validators._tiers.compiled_errors import compiled_errors_of_subschema
from vox_validators.jsonpointer import pointer

# ErrorDetails says "Other keys may appear": extra keys there are documented, not drift.
_OPEN_SCHEMAS = frozenset({"ErrorDetails"})
_REF_PREFIX = "#/$defs/"


def drift_findings(record: object, schema: str) -> list[Finding]:
    """A ``drift`` warning for every member of ``record`` that the schema ``schema`` does not list.

    Call it on a record from which the rejected members were removed: a value the schema
    rejected is not looked into.
    """
    walk = _Walk(schema)
    walk.walk(bundle()["$defs"][schema], record, [], schema)
    return walk.out


def _satisfies(branch: object, value: object, root: str) -> bool:
    """Whether ``value`` is valid under ``branch``, a subschema of the component ``root``: by
    the compiled errors, or by jsonschema when they cannot vouch (imported only then)."""
    errors = compiled_errors_of_subschema(branch).errors(value)
    if errors is not None:
        return not errors
    valid: bool = validator_for(root).evolve(schema=branch).is_valid(value)
    return valid


class _Walk:
    def __init__(self, root: str) -> None:
        self.root = root
        self.out: list[Finding] = []

    def walk(self, schema: Any, value: Any, path: list[str | int], name: str | None) -> None:
        if not isinstance(schema, dict):
            return
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            target = ref[len(_REF_PREFIX) :]
            self.walk(bundle()["$defs"].get(target), value, path, target)
        branches = schema.get("anyOf")
        if isinstance(branches, list) and value is not None:
            # Follow the first branch the value satisfies (e.g. the object of "object or null").
            for branch in branches:
                if _satisfies(branch, value, self.root):
                    self.walk(branch, value, path, None)
                    break
        properties = schema.get("properties")
        if type(value) is dict and isinstance(properties, dict):
            open_ended = name in _OPEN_SCHEMAS or "additionalProperties" in schema
            for key, member in value.items():
                if key in properties:
                    self.walk(properties[key], member, [*path, key], None)
                elif not open_ended:
                    self.out.append(
                        Finding(
                            "drift",
                            "warning",
                            pointer([*path, key]),
                            f"{key!r} is not a field of {name or 'this object'} in the spec",
                        )
                    )
        items = schema.get("items")
        if type(value) is list and isinstance(items, dict):
            for index, item in enumerate(value):
                self.walk(items, item, [*path, index], None)
