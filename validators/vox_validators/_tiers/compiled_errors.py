"""Exact schema errors compiled from the bundle: jsonschema's findings, without jsonschema.

For a record the fast tiers reject, ``schema_errors_of(instance, schema)`` gives exactly what
``Draft202012Validator(bundle + $ref).iter_errors(instance)`` gives, as ``(rule, path, pointer,
message)`` (the ``required`` path decision applied: the path of the missing member), in
jsonschema's order: each schema's keywords as the schema lists them, ``properties`` in their
order, array items by index, a ``$ref`` where it stands. Or None, when the generated code cannot
vouch for that, and the caller asks jsonschema (``jsonschema_reference``).

The compiler writes Python source (as ``compiled_predicate`` does) that mirrors jsonschema's
keyword functions (``jsonschema/_keywords.py``) one by one, messages included, for the keywords
this bundle uses: ``type``, ``enum`` (of strings), ``required``, ``properties``, ``items``,
``pattern``, the length, count and numeric bounds, ``anyOf``, ``$ref`` (to ``#/$defs/``, not
recursive), ``format`` (an annotation: no format checker) and ``additionalProperties`` that
allows everything. A member whose subschema looks inside it (an object, an array, an
``anyOf``) is first asked to the compiled predicate: True there means no error at all, and the
predicate walks a valid member faster; a failing record usually has one bad member. Paths
without an array index, and their JSON Pointers, are constants of the generated code.

It gives up (None, "doubt"):

- at compile time, on a subschema with another keyword or an unusual value (a non-string enum,
  a pattern Python cannot compile, ``$id``...): the generated code doubts when it gets there;
- at run time, on a value read by a keyword whose type is not exactly one that JSON decodes
  to (a ``str`` subclass, a tuple, a ``Decimal`` from ``validate``), where jsonschema's
  ``isinstance`` checks could judge otherwise; and before ``repr`` of a container nested 200
  deep or more (a message jsonschema could fail to write, deeper in its own stack).

As in jsonschema, every branch of an ``anyOf`` is evaluated, messages included, up to the
first valid one. ``tests/validators/test_schema_errors_compiled.py`` compares the errors with a
plain ``Draft202012Validator`` on generated and mutated records and on random schemas.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from vox_validators._schema import bundle
from vox_validators._tiers.compiled_predicate import compile_predicate, is_shallow
from vox_validators._tiers.keywords import DRAFT_2020_12_KEYWORDS
from vox_validators._tiers.pattern_shapes import match_expression
from vox_validators.jsonpointer import Path, pointer

SchemaError = tuple[str, Path, str, str]
"""The finding's rule (``schema/<keyword>``), the path of the rejected member, that path as a
JSON Pointer, and the message."""
_Token = tuple[str, object]
"""A token of a path in the generated code: its code, and its value when known (a member name)
or ``_DYNAMIC`` (an array index, a loop variable)."""
_DYNAMIC = object()

# A container this deep or deeper is not repr'd path: jsonschema's deeper stack may overflow.
REPR_DEPTH_LIMIT = 200
_REF_PREFIX = "#/$defs/"
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_JSON_TYPES = frozenset({dict, list, str, int, float, bool, type(None)})
# Keywords that change how references resolve, or which validator reads a subschema.
_RESOURCE_KEYS = frozenset({"$id", "$anchor", "$dynamicAnchor", "$schema"})
_DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

# jsonschema's type checks (Draft 2020-12) on a value of an exact JSON type.
_TYPE_TESTS = {
    "string": "type({v}) is str",
    "integer": "(type({v}) is int or (type({v}) is float and {v}.is_integer()))",
    "number": "(type({v}) is int or type({v}) is float)",
    "boolean": "type({v}) is bool",
    "null": "{v} is None",
    "object": "type({v}) is dict",
    "array": "type({v}) is list",
}
_NUMBER = "(type({v}) is int or type({v}) is float)"
# keyword: (comparison that fails, message middle)
_NUMERIC_BOUNDS = {
    "minimum": ("<", " is less than the minimum of "),
    "maximum": (">", " is greater than the maximum of "),
    "exclusiveMinimum": ("<=", " is less than or equal to the minimum of "),
    "exclusiveMaximum": (">=", " is greater than or equal to the maximum of "),
}
# keyword: (Python type, comparison that fails, (the bound that has its own message, it), else)
_SIZE_BOUNDS = {
    "minLength": ("str", "<", (1, " should be non-empty"), " is too short"),
    "maxLength": ("str", ">", (0, " is expected to be empty"), " is too long"),
    "minItems": ("list", "<", (1, " should be non-empty"), " is too short"),
    "maxItems": ("list", ">", (0, " is expected to be empty"), " is too long"),
    "minProperties": ("dict", "<", (1, " should be non-empty"), " does not have enough properties"),
    "maxProperties": ("dict", ">", (0, " is expected to be empty"), " has too many properties"),
}
_LOOKS_INSIDE = frozenset({"properties", "items", "anyOf", "required"})
# Keywords that do not read the value themselves (a $ref's target reads it).
_NOT_READING = frozenset({"$ref", "format"})
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
        "format",
        *_NUMERIC_BOUNDS,
        *_SIZE_BOUNDS,
    }
)


class Doubt(Exception):
    """The generated code cannot vouch for giving exactly jsonschema's errors here."""


def _repr(value: object) -> str:
    if (type(value) is dict or type(value) is list) and not is_shallow(value, REPR_DEPTH_LIMIT):
        raise Doubt
    return repr(value)


ErrorFunction = Callable[[object, list[SchemaError]], None]


@dataclass(frozen=True, slots=True)
class CompiledErrors:
    """The compiled error producer of one schema."""

    function: ErrorFunction
    """Appends the errors of a value to a list; raises ``Doubt``."""
    source: str
    """The generated source, for debugging and tests."""

    def errors(self, instance: object) -> list[SchemaError] | None:
        """jsonschema's errors of ``instance``, or None when the code cannot vouch for them."""
        found: list[SchemaError] = []
        try:
            self.function(instance, found)
        except Doubt:
            return None
        return found


@cache
def compiled_errors_for(schema: str, *, shallow: bool = False) -> CompiledErrors:
    """The error producer of the component schema ``schema`` of the bundle (a known name);
    ``shallow``: for values known to nest fewer than ``REPR_DEPTH_LIMIT`` deep."""
    return compile_errors(bundle(), {"$ref": _REF_PREFIX + schema}, shallow=shallow)


_BY_SUBSCHEMA: dict[int, tuple[object, CompiledErrors]] = {}


def compiled_errors_of_subschema(subschema: object) -> CompiledErrors:
    """The error producer of a subschema of the bundle (kept by identity: the bundle is loaded
    once, and the subschema is kept alive beside its code)."""
    known = _BY_SUBSCHEMA.get(id(subschema))
    if known is None or known[0] is not subschema:
        known = (subschema, compile_errors(bundle(), subschema))
        _BY_SUBSCHEMA[id(subschema)] = known
    return known[1]


def schema_errors_of(
    instance: object, schema: str, *, shallow: bool = False
) -> list[SchemaError] | None:
    """jsonschema's errors of ``instance`` against a component schema, or None (see above).

    ``shallow``: the caller knows that ``instance`` nests fewer than ``REPR_DEPTH_LIMIT``
    containers deep (a document with fewer brackets), so no message needs the depth check.
    """
    return compiled_errors_for(schema, shallow=shallow).errors(instance)


def compile_errors(
    root: Mapping[str, Any], schema: object, *, shallow: bool = False
) -> CompiledErrors:
    """Compile ``schema``, whose ``$ref``\\ s point into ``root["$defs"]``, a resource root
    (no ``$id``) of Draft 2020-12; ``shallow``: for values known to be shallow (see
    ``schema_errors_of``)."""
    defs = root.get("$defs", {})
    dialect = root.get("$schema", _DRAFT_2020_12)
    usable = isinstance(defs, dict) and dialect == _DRAFT_2020_12 and "$id" not in root
    compiler = _Compiler(defs if usable else {}, repr_function=repr if shallow else _repr)
    if not usable:
        schema = {"$id": "not compiled"}  # doubts at once
    namespace = compiler.build([compiler.function(schema, "errors")])
    function: ErrorFunction = namespace["errors"]  # type: ignore[assignment]
    return CompiledErrors(function=function, source=str(namespace["__source__"]))


class _Compiler:
    def __init__(
        self, defs: Mapping[str, Any], repr_function: Callable[[object], str] = _repr
    ) -> None:
        self._defs = defs
        self._namespace: dict[str, object] = {
            "_Doubt": Doubt,
            "_JSON_TYPES": _JSON_TYPES,
            "_MISSING": _MISSING,
            "_repr": repr_function,
            "_pointer": pointer,
        }
        self._helpers: list[str] = []
        self._counter = 0
        self._inlining: list[str] = []
        self._checked: set[str] = set()
        self._in_branch = False
        self.static_doubts = 0
        """How many places of the generated code doubt whatever the value (tests read it)."""

    def _name(self, prefix: str) -> str:
        self._counter += 1
        return f"_{prefix}{self._counter}"

    def _const(self, value: object, prefix: str) -> str:
        name = self._name(prefix)
        self._namespace[name] = value
        return name

    def function(self, schema: object, name: str) -> str:
        """Compile ``schema`` into ``def name(v0, out)``; return its source."""
        outer_checked, outer_inlining = self._checked, self._inlining
        self._checked, self._inlining = set(), []
        lines = [f"def {name}(v0, out):"]
        self._emit(schema, "v0", (), 1, lines)
        lines.append("    return None")
        self._checked, self._inlining = outer_checked, outer_inlining
        return "\n".join(lines)

    def build(self, functions: list[str]) -> dict[str, object]:
        source = "\n\n".join([*self._helpers, *functions]) + "\n"
        namespace = dict(self._namespace)
        exec(compile(source, "<vox_validators compiled errors>", "exec"), namespace)
        namespace["__source__"] = source
        return namespace

    def _path(self, path: tuple[_Token, ...]) -> tuple[str, str]:
        """The code of a path and of its JSON Pointer: constants, unless an index is in it."""
        if all(value is not _DYNAMIC for _, value in path):
            values: Path = tuple(value for _, value in path)  # type: ignore[misc]
            return self._const(values, "PATH"), self._const(pointer(values), "POINTER")
        code = f"({', '.join(token for token, _ in path)},)"
        return code, f"_pointer({code})"

    def _doubt(self, pad: str, lines: list[str]) -> None:
        """A doubt known when compiling: the code gives up whenever it gets here."""
        self.static_doubts += 1
        lines.append(f"{pad}raise _Doubt")

    def _error(self, pad: str, keyword: str, path: tuple[_Token, ...], message_code: str) -> str:
        rule = self._const(f"schema/{keyword}", "RULE")
        if self._in_branch:  # only whether a branch has errors counts: no path needed
            return f"{pad}out.append(({rule}, (), '', {message_code}))"
        path_code, pointer_code = self._path(path)
        return f"{pad}out.append(({rule}, {path_code}, {pointer_code}, {message_code}))"

    def _emit(
        self,
        schema: object,
        var: str,
        path: tuple[_Token, ...],
        indent: int,
        lines: list[str],
    ) -> None:
        """Append the statements that append the errors of ``var`` against ``schema``."""
        pad = "    " * indent
        if schema is True:
            return
        if not isinstance(schema, dict) or _RESOURCE_KEYS & schema.keys():
            self._doubt(pad, lines)  # False, not a schema, or a new resource
            return
        keywords = [key for key in schema if key in DRAFT_2020_12_KEYWORDS]
        if not keywords:
            return
        if not set(keywords) <= _HANDLED:
            self._doubt(pad, lines)
            return
        for keyword in keywords:
            value = schema[keyword]
            if var not in self._checked and keyword not in _NOT_READING:
                # Every keyword from here on reads an exact JSON type. Checked once per value;
                # a leading "type" that passes proves it.
                self._checked.add(var)
                if keyword == "type":
                    self._emit_type(value, var, path, pad, lines=lines, checking=True)
                    continue
                lines.append(f"{pad}if type({var}) not in _JSON_TYPES: raise _Doubt")
            if keyword == "type":
                self._emit_type(value, var, path, pad, lines=lines)
            elif keyword == "enum":
                self._emit_enum(value, var, path, pad, lines)
            elif keyword == "required":
                self._emit_required(value, var, path, pad, lines)
            elif keyword == "properties":
                self._emit_properties(value, var, path, indent, lines)
            elif keyword == "additionalProperties":
                if value is not True and value != {}:
                    self._doubt(pad, lines)
            elif keyword == "items":
                self._emit_items(schema, value, var, path, indent, lines=lines)
            elif keyword == "pattern":
                self._emit_pattern(value, var, path, pad, lines)
            elif keyword in _NUMERIC_BOUNDS:
                self._emit_numeric_bound(keyword, value, var, path, pad, lines=lines)
            elif keyword in _SIZE_BOUNDS:
                self._emit_size_bound(keyword, value, var, path, pad, lines=lines)
            elif keyword == "$ref":
                self._emit_ref(value, var, path, indent, lines)
            elif keyword == "anyOf":
                self._emit_any_of(value, var, path, indent, lines)
            # "format": an annotation (Draft202012Validator has no format checker by default)

    def _emit_type(
        self,
        value: object,
        var: str,
        path: tuple[_Token, ...],
        pad: str,
        *,
        lines: list[str],
        checking: bool = False,
    ) -> bool:
        """The ``type`` check; with ``checking``, the exactness check too, in its failing branch
        (a value that passes is of an exact type). False when nothing was emitted but doubt."""
        kinds = [value] if isinstance(value, str) else value
        if not isinstance(kinds, list) or not all(
            isinstance(kind, str) and kind in _TYPE_TESTS for kind in kinds
        ):
            self._doubt(pad, lines)  # jsonschema raises UnknownType, or worse
            return False
        suffix = self._const(" is not of type " + ", ".join(repr(kind) for kind in kinds), "MSG")
        test = " or ".join(_TYPE_TESTS[kind].format(v=var) for kind in kinds) or "False"
        lines.append(f"{pad}if not ({test}):")
        if checking:
            lines.append(f"{pad}    if type({var}) not in _JSON_TYPES: raise _Doubt")
        lines.append(self._error(pad + "    ", "type", path, f"_repr({var}) + {suffix}"))
        return True

    def _emit_enum(
        self, value: object, var: str, path: tuple[_Token, ...], pad: str, lines: list[str]
    ) -> None:
        if not isinstance(value, list) or not all(type(each) is str for each in value):
            self._doubt(pad, lines)  # jsonschema's `equal` on other values
            return
        allowed = self._const(frozenset(value), "ENUM")
        suffix = self._const(f" is not one of {value!r}", "MSG")
        lines.append(f"{pad}if not (type({var}) is str and {var} in {allowed}):")
        lines.append(self._error(pad + "    ", "enum", path, f"_repr({var}) + {suffix}"))

    def _emit_required(
        self,
        value: object,
        var: str,
        path: tuple[_Token, ...],
        pad: str,
        lines: list[str],
    ) -> None:
        if not isinstance(value, list) or not all(type(each) is str for each in value):
            self._doubt(pad, lines)
            return
        if not value:
            return
        needed = self._const(frozenset(value), "REQ")
        lines.append(f"{pad}if type({var}) is dict and not {var}.keys() >= {needed}:")
        for name in value:  # in the schema's order, a repeated name reported again
            message = self._const(f"{name!r} is a required property", "MSG")
            token = self._const(name, "KEY")
            lines.append(f"{pad}    if {token} not in {var}:")
            member = (*path, (token, name))
            lines.append(self._error(pad + "        ", "required", member, message))

    def _emit_properties(
        self,
        value: object,
        var: str,
        path: tuple[_Token, ...],
        indent: int,
        lines: list[str],
    ) -> None:
        pad = "    " * indent
        if not isinstance(value, dict):
            self._doubt(pad, lines)
            return
        lines.append(f"{pad}if type({var}) is dict:")
        for key, subschema in value.items():
            child = self._name("v")
            token = self._const(key, "KEY")
            lines.append(f"{pad}    {child} = {var}.get({token}, _MISSING)")
            if self._is_composite(subschema, 0):
                # The compiled predicate walks a valid member faster, and True from it means
                # no error at all: only a member it doubts is walked for its errors.
                vouch = self._const(compile_predicate(self._defs, subschema), "VOUCH")
                lines.append(f"{pad}    if {child} is not _MISSING and not {vouch}({child}):")
            else:
                lines.append(f"{pad}    if {child} is not _MISSING:")
            self._emit(subschema, child, (*path, (token, key)), indent + 2, lines)
            lines.append(f"{pad}        pass")
        lines.append(f"{pad}    pass")

    def _is_composite(self, schema: object, depth: int) -> bool:
        """Whether ``schema`` (through its references) looks into members or items."""
        if not isinstance(schema, dict) or depth > len(self._defs):
            return False
        if _LOOKS_INSIDE & schema.keys():
            return True
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            return self._is_composite(self._defs.get(ref[len(_REF_PREFIX) :]), depth + 1)
        return False

    def _emit_items(
        self,
        schema: dict[str, Any],
        value: object,
        var: str,
        path: tuple[_Token, ...],
        indent: int,
        *,
        lines: list[str],
    ) -> None:
        pad = "    " * indent
        if value is True or value == {}:
            return  # descends with a schema that asserts nothing
        if "prefixItems" in schema or not isinstance(value, dict):
            self._doubt(pad, lines)
            return
        index, item = self._name("i"), self._name("v")
        lines.append(f"{pad}if type({var}) is list:")
        lines.append(f"{pad}    for {index}, {item} in enumerate({var}):")
        self._emit(value, item, (*path, (index, _DYNAMIC)), indent + 2, lines)
        lines.append(f"{pad}        pass")

    def _emit_pattern(
        self, value: object, var: str, path: tuple[_Token, ...], pad: str, lines: list[str]
    ) -> None:
        try:
            compiled = re.compile(value)  # type: ignore[call-overload]  # checked below
        except (re.error, TypeError):
            compiled = None
        if not isinstance(value, str) or compiled is None:
            self._doubt(pad, lines)  # jsonschema would raise on it
            return
        # re.search(pattern, ...), as jsonschema calls it (or its verdict by str.strip)
        matches = match_expression(compiled.pattern, var, lambda value: self._const(value, "RE"))
        suffix = self._const(f" does not match {value!r}", "MSG")
        lines.append(f"{pad}if type({var}) is str and not {matches}:")
        lines.append(self._error(pad + "    ", "pattern", path, f"_repr({var}) + {suffix}"))

    def _emit_numeric_bound(
        self,
        keyword: str,
        value: object,
        var: str,
        path: tuple[_Token, ...],
        pad: str,
        *,
        lines: list[str],
    ) -> None:
        if type(value) not in (int, float):
            self._doubt(pad, lines)
            return
        operator, middle = _NUMERIC_BOUNDS[keyword]
        bound = self._const(value, "BOUND")
        suffix = self._const(f"{middle}{value!r}", "MSG")
        lines.append(f"{pad}if {_NUMBER.format(v=var)} and {var} {operator} {bound}:")
        lines.append(self._error(pad + "    ", keyword, path, f"_repr({var}) + {suffix}"))

    def _emit_size_bound(
        self,
        keyword: str,
        value: object,
        var: str,
        path: tuple[_Token, ...],
        pad: str,
        *,
        lines: list[str],
    ) -> None:
        if type(value) not in (int, float):
            self._doubt(pad, lines)
            return
        python_type, operator, (special, special_message), message = _SIZE_BOUNDS[keyword]
        bound = self._const(value, "BOUND")
        suffix = self._const(special_message if value == special else message, "MSG")
        lines.append(f"{pad}if type({var}) is {python_type} and len({var}) {operator} {bound}:")
        lines.append(self._error(pad + "    ", keyword, path, f"_repr({var}) + {suffix}"))

    def _emit_ref(
        self,
        ref: object,
        var: str,
        path: tuple[_Token, ...],
        indent: int,
        lines: list[str],
    ) -> None:
        pad = "    " * indent
        name = ref[len(_REF_PREFIX) :] if isinstance(ref, str) else ""
        if (
            not isinstance(ref, str)
            or not ref.startswith(_REF_PREFIX)
            or not _PLAIN_NAME.fullmatch(name)
            or name not in self._defs
            or name in self._inlining
        ):
            self._doubt(pad, lines)  # elsewhere, escaped, or recursive
            return
        self._inlining.append(name)
        self._emit(self._defs[name], var, path, indent, lines)
        self._inlining.pop()

    def _emit_any_of(
        self, branches: object, var: str, path: tuple[_Token, ...], indent: int, lines: list[str]
    ) -> None:
        pad = "    " * indent
        if not isinstance(branches, list) or not branches:
            self._doubt(pad, lines)
            return
        # Each branch in a function of its own, into a list of its own: as jsonschema does,
        # every branch runs (messages written) until one has no error.
        inlining = list(self._inlining)
        calls = []
        for branch in branches:
            name = self._name("any_of")
            self._helpers.append(self._branch_function(branch, name, inlining))
            calls.append(name)
        errors = self._name("e")
        message = self._const(" is not valid under any of the given schemas", "MSG")
        for depth, call in enumerate(calls):
            inner = pad + "    " * depth
            lines.append(f"{inner}{errors} = []")
            lines.append(f"{inner}{call}({var}, {errors})")
            lines.append(f"{inner}if {errors}:")
        last = pad + "    " * len(calls)
        lines.append(self._error(last, "anyOf", path, f"_repr({var}) + {message}"))

    def _branch_function(self, branch: object, name: str, inlining: list[str]) -> str:
        """A branch's function, the references being inlined around it still refused (a
        recursive schema doubts rather than recursing)."""
        outer = self._checked, self._inlining, self._in_branch
        self._checked, self._inlining, self._in_branch = set(), inlining, True
        lines = [f"def {name}(v0, out):"]
        self._emit(branch, "v0", (), 1, lines)
        lines.append("    return None")
        self._checked, self._inlining, self._in_branch = outer
        return "\n".join(lines)


class _Missing:
    __slots__ = ()


_MISSING = _Missing()
