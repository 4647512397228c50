"""Exact schema findings: jsonschema itself, run only on the members the fast checks doubt.

``Draft202012Validator.iter_errors`` on a whole campaign costs about 200 orjson parses. The
component schemas are objects whose ``properties`` dominate that cost, so the exact path:

- evaluates the component schema's own keywords (``type``, ``required``, ...) with jsonschema,
  in the schema's order, split around ``properties``;
- runs jsonschema on a member only when the fast predicate does not vouch for it, with a
  validator built once per property, and puts the property name in front of the error path;
- validates against a copy of the schema in which every ``$ref`` to a non-recursive
  definition is replaced by that definition. A ``$ref`` adds nothing to an error (no path,
  and the error names the keyword that failed inside the target), so the errors are the same,
  without a reference lookup per value.

When a keyword reads its sibling ``properties`` (``additionalProperties``, ...), the split
would change its meaning, and the component schema runs whole. The findings and their order
equal those of the full run; the differential tests compare the two.

This is the fallback of ``_tiers.compiled_errors``, which gives the same findings without
jsonschema wherever its generated code can vouch for them; this module imports jsonschema, so
it is imported only when a record needs it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from vox_validators._findings import Finding
from vox_validators._schema import bundle, lean_validator_class, validator_for
from vox_validators._tiers.compiled_predicate import predicates_for
from vox_validators._tiers.keywords import DRAFT_2020_12_KEYWORDS
from vox_validators.jsonpointer import Path, pointer

# Keywords whose result depends on the names listed in a sibling "properties".
_READS_PROPERTIES = frozenset({"additionalProperties", "unevaluatedProperties"})
_REF_PREFIX = "#/$defs/"
# A target with these keywords changes how references inside it resolve: never inlined.
_RESOLUTION_KEYWORDS = frozenset({"$id", "$anchor", "$dynamicAnchor", "$dynamicRef", "$ref"})


@dataclass(frozen=True, slots=True)
class _SplitSchema:
    before: Draft202012Validator
    """The keywords before ``properties``."""
    properties: Mapping[str, Draft202012Validator]
    after: Draft202012Validator
    """The keywords after ``properties``."""


@cache
def _split(schema: str) -> _SplitSchema | None:
    definition = _inline_references(bundle()["$defs"][schema], bundle()["$defs"], ())
    if not isinstance(definition, dict) or not isinstance(definition.get("properties"), dict):
        return None
    if _READS_PROPERTIES & definition.keys() or _RESOLUTION_KEYWORDS & _all_keys(definition):
        return None  # left with a reference or a sibling reader: run the schema whole
    keys = list(definition)
    middle = keys.index("properties")
    Validator = lean_validator_class()
    return _SplitSchema(
        before=Validator({key: definition[key] for key in keys[:middle]}),
        properties={
            key: Validator(subschema) for key, subschema in definition["properties"].items()
        },
        after=Validator({key: definition[key] for key in keys[middle + 1 :]}),
    )


def _inline_references(schema: Any, defs: Mapping[str, Any], trail: tuple[str, ...]) -> Any:
    if isinstance(schema, list):
        return [_inline_references(item, defs, trail) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    asserting = schema.keys() & DRAFT_2020_12_KEYWORDS
    if isinstance(ref, str) and ref.startswith(_REF_PREFIX) and asserting == {"$ref"}:
        name = ref[len(_REF_PREFIX) :]
        target = defs.get(name)
        inlinable = (
            isinstance(target, dict) and not (_RESOLUTION_KEYWORDS - {"$ref"}) & target.keys()
        )
        if name not in trail and inlinable:
            return _inline_references(target, defs, (*trail, name))
    return {key: _inline_references(value, defs, trail) for key, value in schema.items()}


def _all_keys(schema: Any) -> set[str]:
    """Every key of every object in ``schema`` (keyword or property name alike)."""
    found: set[str] = set()
    stack = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.update(key for key in item if isinstance(key, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def schema_errors(instance: object, schema: str) -> Iterable[ValidationError]:
    """Exactly the errors of ``Draft202012Validator(bundle + $ref).iter_errors(instance)``."""
    split = _split(schema)
    if type(instance) is not dict or split is None:
        return validator_for(schema).iter_errors(instance)
    return _split_errors(instance, split, predicates_for(schema).properties)


def _split_errors(
    instance: dict[str, Any], split: _SplitSchema, vouched: Mapping[str, Any]
) -> Iterator[ValidationError]:
    yield from split.before.iter_errors(instance)
    for key, validator in split.properties.items():
        if key in instance:
            value = instance[key]
            if not vouched[key](value):
                for error in validator.iter_errors(value):
                    error.path.appendleft(key)
                    yield error
    yield from split.after.iter_errors(instance)


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
