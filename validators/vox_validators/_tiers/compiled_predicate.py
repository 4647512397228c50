"""Fast, sound validity predicates compiled from the JSON Schema bundle at import time.

A predicate answers one question: "is this value certainly valid?". ``True`` means jsonschema
(Draft 2020-12, no format assertion) would report no error at all; ``False`` means "maybe not",
and the caller asks jsonschema itself (see ``jsonschema_reference``). So a predicate may be
conservative but must never be optimistic. Being conservative costs speed, never exactness:

- ``integer`` accepts only ``int`` (never ``bool``); a float such as ``1.0`` (an integer for
  jsonschema) answers "maybe", so floats never need the predicate to mimic jsonschema's rules,
  and an integer beyond 64 bits, which orjson decodes as a float, is judged by jsonschema too.
- Keywords the compiler does not know make the predicate answer "maybe" for that subschema.
- Values the schema leaves unconstrained (unknown fields, ``items: {}``) are walked for depth:
  orjson accepts nesting up to 1024 levels, ``json.loads`` (the reference) fails near 1000, so a
  deep value sends the record to the exact path, which re-parses it with ``json.loads``.

The compiler writes Python source (straight-line checks with early ``return False``) and
``exec``s it once: the hot path runs no interpreter over the schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from vox_validators._schema import bundle, check_schema_name
from vox_validators._tiers.keywords import DRAFT_2020_12_KEYWORDS
from vox_validators._tiers.pattern_shapes import match_expression

Predicate = Callable[[object], bool]

# Deeper unconstrained values go to the exact path (json.loads fails near 1000 levels).
UNCONSTRAINED_DEPTH_LIMIT = 200

_TYPE_TESTS = {
    "string": "type({v}) is str",
    "integer": "type({v}) is int",
    "boolean": "type({v}) is bool",
    "null": "{v} is None",
    "object": "type({v}) is dict",
    "array": "type({v}) is list",
    # A float "number" would need NaN and bound care; "maybe" is always safe.
    "number": "type({v}) is int",
}
_SCALAR_TYPES = frozenset({"string", "integer", "boolean", "null", "number"})
_NUMERIC_BOUNDS = {
    "minimum": "<",
    "maximum": ">",
    "exclusiveMinimum": "<=",
    "exclusiveMaximum": ">=",
}
_LENGTH_BOUNDS = {
    "minLength": ("str", "<"),
    "maxLength": ("str", ">"),
    "minItems": ("list", "<"),
    "maxItems": ("list", ">"),
    "minProperties": ("dict", "<"),
    "maxProperties": ("dict", ">"),
}
_HANDLED = frozenset(
    {
        "type",
        "enum",
        "required",
        "properties",
        "additionalProperties",
        "items",
        "pattern",
        "anyOf",
        "$ref",
        "format",  # an annotation: Draft202012Validator asserts no format by default
        *_NUMERIC_BOUNDS,
        *_LENGTH_BOUNDS,
    }
)


def is_shallow(value: object, limit: int = UNCONSTRAINED_DEPTH_LIMIT) -> bool:
    """Whether ``value`` nests fewer than ``limit`` containers deep (the value itself at depth
    1). Level by level, without recursion: a level is a plain list of the containers at it."""
    if limit <= 1:
        return False
    level: list[Any] = [value] if type(value) is dict or type(value) is list else []
    depth = 1
    while level:
        if depth >= limit:
            return False
        below: list[Any] = []
        for item in level:
            for child in item.values() if type(item) is dict else item:
                if type(child) is dict or type(child) is list:
                    below.append(child)
        level = below
        depth += 1
    return True


@dataclass(frozen=True, slots=True)
class SchemaPredicates:
    """The compiled predicates of one component schema."""

    whole: Predicate
    """Certainly valid against the whole component schema."""
    properties: Mapping[str, Predicate]
    """Certainly valid against one top-level ``properties`` subschema, by property name."""
    source: str
    """The generated source, for debugging and tests."""


class _Compiler:
    def __init__(self, defs: Mapping[str, Any]) -> None:
        self._defs = defs
        self._namespace: dict[str, object] = {
            "_MISSING": _MISSING,
            "_is_shallow": is_shallow,
        }
        self._helpers: list[str] = []
        self._counter = 0
        self._inlining: list[str] = []
        self._defined: set[str] = set()

    def _name(self, prefix: str) -> str:
        self._counter += 1
        return f"_{prefix}{self._counter}"

    def _const(self, value: object, prefix: str) -> str:
        name = self._name(prefix)
        self._namespace[name] = value
        return name

    def function(self, schema: object, name: str) -> str:
        """Compile ``schema`` into a helper function called ``name``; return its source."""
        lines = [f"def {name}(v0):"]
        self._emit(schema, "v0", 1, lines)
        lines.append("    return True")
        return "\n".join(lines)

    def build(self, functions: list[str]) -> dict[str, object]:
        source = "\n\n".join([*self._helpers, *functions]) + "\n"
        namespace = dict(self._namespace)
        exec(compile(source, "<vox_validators fast checks>", "exec"), namespace)
        namespace["__source__"] = source
        return namespace

    # Each _emit* appends statements that `return False` when `var` may be invalid.
    def _emit(self, schema: object, var: str, indent: int, lines: list[str]) -> None:
        pad = "    " * indent
        if schema is True:
            lines.append(f"{pad}if not _is_shallow({var}): return False")
            return
        if not isinstance(schema, dict):  # False, or not a schema at all
            lines.append(f"{pad}return False")
            return
        asserting = schema.keys() & DRAFT_2020_12_KEYWORDS
        if asserting - _HANDLED or not self._supported_shape(schema):
            lines.append(f"{pad}return False")
            return
        known_type = self._emit_type(schema, var, pad, lines)
        if "enum" in schema:
            values = schema["enum"]
            if not all(isinstance(value, str) for value in values):
                lines.append(f"{pad}return False")
                return
            allowed = self._const(frozenset(values), "ENUM")
            if known_type == "string":
                lines.append(f"{pad}if {var} not in {allowed}: return False")
            else:  # `in` on an unhashable value would raise; a non-string never matches
                lines.append(
                    f"{pad}if not (type({var}) is str and {var} in {allowed}): return False"
                )
            known_type = "string"
        for keyword, operator in _NUMERIC_BOUNDS.items():
            if keyword in schema:
                bound = schema[keyword]
                if type(bound) is not int:
                    lines.append(f"{pad}return False")
                    return
                lines.append(f"{pad}if {var} {operator} {bound!r}: return False")
        # Under "type": ["string", "null"] the string keywords apply to a string only.
        only_str = "" if known_type != "scalar" else f"type({var}) is str and "
        for keyword, (_, operator) in _LENGTH_BOUNDS.items():
            if keyword in schema:
                bound = int(schema[keyword])
                lines.append(f"{pad}if {only_str}len({var}) {operator} {bound}: return False")
        if "pattern" in schema:
            # jsonschema runs re.search with the pattern as written; so does this check
            # (or str.strip where that is the same verdict: pattern_shapes).
            try:
                compiled = re.compile(schema["pattern"])
            except (re.error, TypeError):  # not a pattern Python reads: leave it to jsonschema
                lines.append(f"{pad}return False")
                return
            matches = match_expression(
                compiled.pattern, var, lambda value: self._const(value, "RE")
            )
            lines.append(f"{pad}if {only_str}not {matches}: return False")
        if known_type == "object":
            self._emit_object(schema, var, indent, lines)
        elif known_type == "array":
            self._emit_array(schema, var, indent, lines)
        elif known_type is None and "anyOf" not in schema and "$ref" not in schema:
            # Nothing pins the value down: it may be any JSON, however deep.
            lines.append(f"{pad}if not _is_shallow({var}): return False")
        if "$ref" in schema:
            self._emit_ref(schema["$ref"], var, indent, lines)
        if "anyOf" in schema:
            self._emit_any_of(schema["anyOf"], var, indent, lines)

    @staticmethod
    def _supported_shape(schema: dict[str, Any]) -> bool:
        """Type-specific keywords are compiled only under a single asserted type of that kind."""
        declared = schema.get("type")
        needs = {
            "object": {"required", "properties", "additionalProperties"},
            "array": {"items"},
            "integer": set(_NUMERIC_BOUNDS),
            "string": {"pattern"},
        }
        nullable_string = isinstance(declared, list) and sorted(declared) == ["null", "string"]
        for kind, keywords in needs.items():
            allowed = declared == kind or (kind == "string" and nullable_string)
            if keywords & schema.keys() and not allowed:
                return False
        for keyword, (python_type, _) in _LENGTH_BOUNDS.items():
            wanted = {"str": "string", "list": "array", "dict": "object"}[python_type]
            allowed = declared == wanted or (wanted == "string" and nullable_string)
            if keyword in schema and not allowed:
                return False
        if "enum" in schema and declared not in (None, "string"):
            return False
        additional = schema.get("additionalProperties", True)
        return additional is True or additional == {}

    def _emit_type(
        self, schema: dict[str, Any], var: str, pad: str, lines: list[str]
    ) -> str | None:
        declared = schema.get("type")
        if declared is None:
            return None
        kinds = [declared] if isinstance(declared, str) else list(declared)
        if not kinds or any(kind not in _TYPE_TESTS for kind in kinds):
            lines.append(f"{pad}return False")
            return "unknown"
        test = " or ".join(_TYPE_TESTS[kind].format(v=var) for kind in kinds)
        lines.append(f"{pad}if not ({test}): return False")
        if len(kinds) == 1:
            return kinds[0]
        return "scalar" if set(kinds) <= _SCALAR_TYPES else "unknown"

    def _emit_object(self, schema: dict[str, Any], var: str, indent: int, lines: list[str]) -> None:
        pad = "    " * indent
        required = [
            key for key in dict.fromkeys(schema.get("required", [])) if isinstance(key, str)
        ]
        properties: dict[str, Any] = schema.get("properties", {})
        if required:
            needed = self._const(frozenset(required), "REQ")
            lines.append(f"{pad}if not {var}.keys() >= {needed}: return False")
        for key, subschema in properties.items():
            child = self._name("v")
            if key in required:
                lines.append(f"{pad}{child} = {var}[{key!r}]")
                self._emit(subschema, child, indent, lines)
            else:
                lines.append(f"{pad}{child} = {var}.get({key!r}, _MISSING)")
                lines.append(f"{pad}if {child} is not _MISSING:")
                self._emit(subschema, child, indent + 1, lines)
                lines.append(f"{pad}    pass")
        # Keys beyond the known ones are allowed; their values must only be shallow enough.
        known = self._const(frozenset(properties), "KNOWN")
        required_known = len(set(required) & set(properties))
        extra = self._name("k")
        lines.append(f"{pad}if len({var}) > {required_known}:")
        lines.append(f"{pad}    for {extra} in {var}.keys() - {known}:")
        lines.append(f"{pad}        if not _is_shallow({var}[{extra}]): return False")

    def _emit_array(self, schema: dict[str, Any], var: str, indent: int, lines: list[str]) -> None:
        pad = "    " * indent
        item = self._name("v")
        items = schema.get("items", True)
        lines.append(f"{pad}for {item} in {var}:")
        self._emit(items if items != {} else True, item, indent + 1, lines)

    def _emit_ref(self, ref: object, var: str, indent: int, lines: list[str]) -> None:
        pad = "    " * indent
        prefix = "#/$defs/"
        if (
            not isinstance(ref, str)
            or not ref.startswith(prefix)
            or ref[len(prefix) :] not in self._defs
        ):
            lines.append(f"{pad}return False")
            return
        target = ref[len(prefix) :]
        if target not in self._inlining:
            self._inlining.append(target)
            self._emit(self._defs[target], var, indent, lines)
            self._inlining.pop()
            return
        helper = "_def_" + re.sub(r"\W", "_", target)  # a recursive schema: call, not inline
        if helper not in self._defined:
            self._defined.add(helper)
            self._helpers.append(self.function(self._defs[target], helper))
        lines.append(f"{pad}if not {helper}({var}): return False")

    def _emit_any_of(self, branches: object, var: str, indent: int, lines: list[str]) -> None:
        pad = "    " * indent
        if not isinstance(branches, list) or not branches:
            lines.append(f"{pad}return False")
            return
        others = [branch for branch in branches if not _is_null_schema(branch)]
        if len(others) == 1 and len(others) < len(branches):
            # The common "X or null": null passes; anything else must satisfy X.
            lines.append(f"{pad}if {var} is not None:")
            self._emit(others[0], var, indent + 1, lines)
            lines.append(f"{pad}    pass")
            return
        names = []
        for branch in branches:
            name = self._name("any_of")
            self._helpers.append(self.function(branch, name))
            names.append(f"{name}({var})")
        lines.append(f"{pad}if not ({' or '.join(names)}): return False")


class _Missing:
    __slots__ = ()


_MISSING = _Missing()


def _is_null_schema(schema: object) -> bool:
    if not isinstance(schema, dict) or schema.get("type") != "null":
        return False
    return not (set(schema) - {"type"}) & DRAFT_2020_12_KEYWORDS


@cache
def predicates_for(schema: str) -> SchemaPredicates:
    """The predicates of a component schema of the bundle; ``KeyError`` for an unknown name."""
    check_schema_name(schema)
    return compile_predicates(bundle()["$defs"], schema)


def compile_predicate(defs: Mapping[str, Any], schema: object) -> Predicate:
    """Compile one subschema whose references point into ``defs``."""
    compiler = _Compiler(defs)
    namespace = compiler.build([compiler.function(schema, "whole")])
    predicate: Predicate = namespace["whole"]  # type: ignore[assignment]
    return predicate


def compile_predicates(defs: Mapping[str, Any], name: str) -> SchemaPredicates:
    """Compile the component schema ``defs[name]`` and each of its top-level properties."""
    compiler = _Compiler(defs)
    schema = defs[name]
    functions = [compiler.function({"$ref": f"#/$defs/{name}"}, "whole")]
    properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
    property_names = {key: f"property_{index}" for index, key in enumerate(properties)}
    functions += [
        compiler.function(properties[key], function) for key, function in property_names.items()
    ]
    namespace = compiler.build(functions)
    whole: Predicate = namespace["whole"]  # type: ignore[assignment]
    by_property: dict[str, Predicate] = {
        key: namespace[function]  # type: ignore[misc]
        for key, function in property_names.items()
    }
    return SchemaPredicates(
        whole=whole, properties=by_property, source=str(namespace["__source__"])
    )
