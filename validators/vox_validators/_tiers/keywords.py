"""The keywords Draft 2020-12 asserts with, as a static set: the compilers read it without
importing jsonschema (``tests/validators/test_compilers.py`` checks that it equals
``Draft202012Validator.VALIDATORS``)."""

from __future__ import annotations

DRAFT_2020_12_KEYWORDS = frozenset(
    {
        "$dynamicRef",
        "$ref",
        "additionalProperties",
        "allOf",
        "anyOf",
        "const",
        "contains",
        "dependentRequired",
        "dependentSchemas",
        "enum",
        "exclusiveMaximum",
        "exclusiveMinimum",
        "format",
        "if",
        "items",
        "maxItems",
        "maxLength",
        "maxProperties",
        "maximum",
        "minItems",
        "minLength",
        "minProperties",
        "minimum",
        "multipleOf",
        "not",
        "oneOf",
        "pattern",
        "patternProperties",
        "prefixItems",
        "properties",
        "propertyNames",
        "required",
        "type",
        "unevaluatedItems",
        "unevaluatedProperties",
        "uniqueItems",
    }
)
"""The keys of ``Draft202012Validator.VALIDATORS``: a key of a schema outside this set asserts
nothing (``description``, ``$comment``, ``x-vox-inferred``...)."""
