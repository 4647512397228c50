"""msgspec decoders compiled from the bundle: decode and vouch for a record in one C pass.

Two decoders per schema:

- ``decoder_for(schema)``: structs with ``forbid_unknown_fields``. ``decode`` succeeds only when
  the document is well-formed UTF-8 JSON whose members all have the declared types and bounds,
  and no member the schema does not list. Such a document is read identically by ``json.loads``
  (duplicate keys keep the last value in both; strings are validated UTF-8 in both; integers are
  exact, and a float, ``true`` or an integer beyond 64 bits for an ``integer`` fails the decode)
  and is valid for jsonschema; ``msgspec.to_builtins`` of the struct is the record as plain JSON.
- ``decoder_for(schema, unknown_members=True)``: TypedDicts, decoded straight to plain dicts;
  members the schema does not list are skipped (left out of the dict), so the decoder vouches
  only together with ``skipping_is_safe``.

Anything that fails the decode takes the slower tiers. Only keywords whose msgspec meaning equals
jsonschema's are compiled (for strings: ``minLength``, ``maxLength`` and ``pattern``, which both
read as Python does: code points, ``re.search``); a schema using others gets no decoder.

The struct decoder checks a ``pattern`` after the C pass rather than in it: msgspec's own check
costs about three times a compiled ``re.search`` called from generated code (about 0.7 µs a
pattern, most of a valid record's decode), and generated code can answer the common shapes with
``str.strip`` (``_tiers.pattern_shapes``). That needs every patterned string to be reachable
from the root through struct members alone (no array, no union with another struct); where one
is not, msgspec checks every pattern itself, as the skipping decoder always does.
"""

from __future__ import annotations

import keyword
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import (
    Annotated,
    Any,
    Literal,
    Protocol,
    Required,
    TypedDict,
    Union,
    get_args,
    get_origin,
    is_typeddict,
)

import msgspec

from vox_validators._schema import bundle
from vox_validators._tiers.keywords import DRAFT_2020_12_KEYWORDS
from vox_validators._tiers.pattern_shapes import match_expression

_REF_PREFIX = "#/$defs/"
_STRING_KEYWORDS = {"minLength": "min_length", "maxLength": "max_length", "pattern": "pattern"}
_UNIONS = (Union, types.UnionType)  # X | None: typing.Union, or types.UnionType of classes
_SCALARS: dict[str, Any] = {"string": str, "integer": int, "boolean": bool, "null": None}


class Unsupported(Exception):
    """The schema uses a keyword whose msgspec meaning is not exactly jsonschema's."""


class Decoder(Protocol):
    """What ``decoder_for`` gives: ``decode`` (raising ``msgspec.DecodeError``, or its
    ``ValidationError``, for a document it cannot vouch for) and the decoded ``type``."""

    @property
    def type(self) -> Any: ...

    def decode(self, data: bytes | str, /) -> Any: ...


@cache
def decoder_for(schema: str, *, unknown_members: bool = False) -> Decoder | None:
    """A decoder vouching for ``schema``, or None when the schema cannot be compiled exactly.

    With ``unknown_members=True`` the decoder (of TypedDicts, giving plain dicts) skips members
    the schema does not list instead of refusing them. msgspec skips such values without
    checking their UTF-8 and without the nesting limit ``json.loads`` has, so a record it
    accepts is vouched for only together with ``skipping_is_safe``.
    """
    return compile_decoder(bundle()["$defs"], schema, unknown_members=unknown_members)


def compile_decoder(
    defs: Mapping[str, Any], schema: str, *, unknown_members: bool = False
) -> Decoder | None:
    """``decoder_for`` of the definitions ``defs`` (for tests of other schemas)."""
    root = {"$ref": _REF_PREFIX + schema}
    try:
        if not unknown_members:
            deferring = _Compiler(defs, forbid_unknown=True, defer_patterns=True)
            target = deferring.type_of(root)
            if deferring.reaches_every_pattern(target):
                return _PatternsAfter.of(msgspec.json.Decoder(target), deferring.checks)
        target = _Compiler(defs, forbid_unknown=not unknown_members).type_of(root)
        return msgspec.json.Decoder(target)
    except (Unsupported, TypeError):  # TypeError: a type combination msgspec refuses
        return None


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A string's ``pattern``, left out of its msgspec ``Meta``: checked after the decode."""

    pattern: str


@dataclass(frozen=True, slots=True)
class _StructChecks:
    """What is checked after the decode in a struct: its patterned strings, and its members that
    are structs with checks of their own."""

    patterns: tuple[tuple[str, str], ...]
    nested: tuple[tuple[str, type], ...]


@dataclass(frozen=True, slots=True)
class _PatternsAfter:
    """A struct decoder whose patterns are checked by generated code after the C pass."""

    type: Any
    decode: Callable[[bytes | str], Any]

    @classmethod
    def of(cls, decoder: msgspec.json.Decoder[Any], checks: dict[type, _StructChecks]) -> Decoder:
        root: Any = decoder.type
        if root not in checks:
            return decoder  # no pattern anywhere: msgspec's decode as it is
        namespace: dict[str, Any] = {"_decode": decoder.decode, "_Refused": _PatternRefused}
        lines = ["def decode(data):", "    s0 = _decode(data)"]

        def bind(value: object) -> str:
            name = f"_g{len(namespace)}"
            namespace[name] = value
            return name

        def emit(struct: type, variable: str, path: str, indent: str) -> None:
            for member, pattern in checks[struct].patterns:
                at = f"{path}.{member}"
                message = bind(f"Expected `str` matching regex {pattern!r} - at `{at}`")
                lines.append(f"{indent}v = {variable}.{member}")
                matches = match_expression(pattern, "v", bind)
                lines.append(f"{indent}if type(v) is str and not {matches}:")
                lines.append(f"{indent}    raise _Refused({message})")
            for member, inner in checks[struct].nested:
                nested = f"s{len(lines)}"
                lines.append(f"{indent}{nested} = {variable}.{member}")
                lines.append(f"{indent}if type({nested}) is {bind(inner)}:")
                emit(inner, nested, f"{path}.{member}", indent + "    ")

        emit(root, "s0", "$", "    ")
        lines.append("    return s0")
        exec(compile("\n".join(lines) + "\n", "<pattern checks>", "exec"), namespace)
        return cls(root, namespace["decode"])


class _PatternRefused(msgspec.ValidationError):
    """A string the decoder read does not match its pattern (a member the schema lists)."""


# Fewer brackets than this in the whole document: json.loads cannot hit its nesting limit.
_BRACKET_LIMIT = 200


def skipping_is_safe(data: bytes | str) -> bool:
    """Whether ``json.loads`` reads every value msgspec skipped in ``data`` the way msgspec did:
    the bytes are strict UTF-8 (msgspec does not check skipped strings) and the document
    cannot nest deeply. (A str reaches msgspec as UTF-8; a lone surrogate fails before.)
    """
    if isinstance(data, str):
        return data.count("[") + data.count("{") < _BRACKET_LIMIT
    raw = bytes(data)  # bytes as they are; a bytearray or memoryview copied
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return raw.count(b"[") + raw.count(b"{") < _BRACKET_LIMIT


class _Compiler:
    def __init__(
        self, defs: Mapping[str, Any], *, forbid_unknown: bool, defer_patterns: bool = False
    ) -> None:
        self._defs = defs
        self._forbid_unknown = forbid_unknown
        self._defer_patterns = defer_patterns
        self._structs: dict[str, Any] = {}
        self._building: set[str] = set()
        #: The structs with patterns to check after the decode (``defer_patterns``).
        self.checks: dict[type, _StructChecks] = {}
        #: A deferred pattern is somewhere the generated checks cannot reach (an array, say).
        self.deferral_failed = False

    def type_of(self, schema: Any) -> Any:
        if not isinstance(schema, dict):
            raise Unsupported(schema)
        asserting = set(schema.keys() & DRAFT_2020_12_KEYWORDS)
        if "$ref" in schema:
            if asserting != {"$ref"}:
                raise Unsupported(schema)
            return self._ref(schema["$ref"])
        if "anyOf" in schema:
            branches = schema["anyOf"]
            if asserting != {"anyOf"} or not isinstance(branches, list) or not branches:
                raise Unsupported(schema)
            types = [self.type_of(branch) for branch in branches]
            # msgspec unions allow one struct or object type, one str-like type, one int-like...
            if len({_kind(each) for each in types}) != len(types):
                raise Unsupported(schema)
            union: Any = types[0]
            for each in types[1:]:
                union = union | each
            return union
        declared = schema.get("type")
        if isinstance(declared, list) and sorted(declared) == ["null", "string"]:
            if asserting - {"type", *_STRING_KEYWORDS}:
                raise Unsupported(schema)
            # String keywords apply to the string only: a constrained string, or null.
            return self._string({**schema, "type": "string"}, asserting) | None
        if isinstance(declared, list):
            if asserting != {"type"} or not declared or not set(declared) <= set(_SCALARS):
                raise Unsupported(schema)
            union = _SCALARS[declared[0]]
            for kind in declared[1:]:
                union = union | _SCALARS[kind]
            return union
        if "enum" in schema:
            values = schema["enum"]
            if asserting - {"enum", "type"} or declared not in (None, "string"):
                raise Unsupported(schema)
            if not values or not all(isinstance(value, str) for value in values):
                raise Unsupported(schema)
            return Literal[tuple(values)]
        if declared == "string":
            return self._string(schema, asserting)
        if declared == "integer":
            return self._integer(schema, asserting)
        if declared in ("boolean", "null") and asserting == {"type"}:
            return _SCALARS[declared]
        if declared == "array" and asserting <= {"type", "items"}:
            return list[self.type_of(schema.get("items"))]  # type: ignore[misc]
        if declared == "object":
            return self._object(schema, asserting, name="Anonymous")
        raise Unsupported(schema)

    def _ref(self, ref: object) -> Any:
        if not isinstance(ref, str) or not ref.startswith(_REF_PREFIX):
            raise Unsupported(ref)
        name = ref[len(_REF_PREFIX) :]
        if name not in self._defs:
            raise Unsupported(ref)
        if name in self._building:
            raise Unsupported(ref)  # a recursive schema: left to the other tiers
        definition = self._defs[name]
        if name in self._structs:
            return self._structs[name]
        self._building.add(name)
        try:
            if isinstance(definition, dict) and definition.get("type") == "object":
                asserting = set(definition.keys() & DRAFT_2020_12_KEYWORDS)
                self._structs[name] = self._object(definition, asserting, name=name)
                return self._structs[name]
            return self.type_of(definition)
        finally:
            self._building.discard(name)

    def _string(self, schema: dict[str, Any], asserting: set[str]) -> Any:
        # msgspec means what jsonschema means by these: lengths in code points (len), and the
        # pattern run by Python's re with re.search; a string msgspec cannot take as str (a lone
        # surrogate escape) fails the decode and takes the slower tiers.
        if asserting - {"type", "format", *_STRING_KEYWORDS}:
            raise Unsupported(schema)
        meta: dict[str, Any] = {}
        for name, option in _STRING_KEYWORDS.items():
            if name in schema:
                meta[option] = schema[name]
        if "pattern" in meta:
            pattern = meta["pattern"]
            if not isinstance(pattern, str):
                raise Unsupported(schema)
            try:
                re.compile(pattern)
            except re.error:
                raise Unsupported(schema) from None  # jsonschema would fail on it too
        for option in ("min_length", "max_length"):
            if option in meta and (type(meta[option]) is not int or meta[option] < 0):
                raise Unsupported(schema)
        if self._defer_patterns and "pattern" in meta:
            pattern = meta.pop("pattern")
            deferred = _Pattern(pattern)
            if meta:
                return Annotated[str, msgspec.Meta(**meta), deferred]
            return Annotated[str, deferred]  # msgspec ignores metadata other than Meta
        return Annotated[str, msgspec.Meta(**meta)] if meta else str

    @staticmethod
    def _integer(schema: dict[str, Any], asserting: set[str]) -> Any:
        if asserting - {"type", "minimum", "maximum"}:
            raise Unsupported(schema)
        bounds = {"minimum": "ge", "maximum": "le"}
        meta = {bounds[key]: schema[key] for key in bounds if key in schema}
        if not all(type(value) is int for value in meta.values()):
            raise Unsupported(schema)
        return Annotated[int, msgspec.Meta(**meta)] if meta else int

    def _object(self, schema: dict[str, Any], asserting: set[str], name: str) -> Any:
        if asserting - {"type", "required", "properties"}:
            raise Unsupported(schema)  # e.g. additionalProperties, minProperties
        properties: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        if not properties or not required <= set(properties):
            raise Unsupported(schema)
        members: dict[str, Any] = {}
        for key, subschema in properties.items():
            if not key.isidentifier() or keyword.iskeyword(key) or key.startswith("_"):
                raise Unsupported(key)
            members[key] = self.type_of(subschema)
        if not self._forbid_unknown:
            # A TypedDict leaves absent members out and unknown ones too: a plain dict.
            typed = {key: Required[t] if key in required else t for key, t in members.items()}
            return TypedDict(name, typed, total=False)  # type: ignore[operator]
        fields = [
            (key, member) if key in required else (key, member, msgspec.UNSET)
            for key, member in members.items()
        ]
        # UNSET: an absent member stays absent in msgspec.to_builtins. gc=False: a decoded
        # document has no cycles, and untracked structs decode a few percent faster.
        struct = msgspec.defstruct(name, fields, forbid_unknown_fields=True, kw_only=True, gc=False)
        if self._defer_patterns:
            self._plan_checks(struct, members)
        return struct

    def _plan_checks(self, struct: type, members: dict[str, Any]) -> None:
        """Record what the generated code checks in ``struct``: a member that is a patterned
        string, or a struct with checks, each maybe null; a deferred pattern anywhere else
        (in an array, a union) cannot be reached, and msgspec checks the patterns after all."""
        patterns, nested = [], []
        for key, member in members.items():
            kinds = [each for each in get_args(member) if each is not type(None)]
            alone = kinds[0] if get_origin(member) in _UNIONS and len(kinds) == 1 else member
            pattern = _deferred_pattern(alone)
            if pattern is not None:
                patterns.append((key, pattern.pattern))
            elif alone in self.checks:
                nested.append((key, alone))
            elif self._mentions_deferred(member):
                self.deferral_failed = True
        if patterns or nested:
            self.checks[struct] = _StructChecks(tuple(patterns), tuple(nested))

    def reaches_every_pattern(self, root: Any) -> bool:
        """Whether the generated checks reach every deferred pattern of ``root``: it is a struct
        (with checks or without patterns), every pattern in it where ``_plan_checks`` found it."""
        return not self.deferral_failed and (
            root in self.checks or not self._mentions_deferred(root)
        )

    def _mentions_deferred(self, member: Any) -> bool:
        if member in self.checks or _deferred_pattern(member) is not None:
            return True
        return any(self._mentions_deferred(each) for each in get_args(member))


def _deferred_pattern(member: Any) -> _Pattern | None:
    if get_origin(member) is not Annotated:
        return None
    return next((each for each in member.__metadata__ if isinstance(each, _Pattern)), None)


def _kind(member: Any) -> str:
    """The msgspec union slot a type takes."""
    if member is None:
        return "null"
    if is_typeddict(member) or (isinstance(member, type) and issubclass(member, msgspec.Struct)):
        return "object"
    origin = getattr(member, "__origin__", None)
    if member is str or origin is Literal or (origin is Annotated and member.__origin__ is str):
        return "str"
    if member is int or (origin is Annotated and member.__origin__ is int):
        return "int"
    if member is bool:
        return "bool"
    if origin is list:
        return "array"
    return repr(member)
