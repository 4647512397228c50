"""The two schema compilers are sound on schemas beyond today's bundle.

``_tiers.compiled_predicate`` (Python predicates) and ``_tiers.struct_decoder`` (msgspec structs
and TypedDicts) must never vouch for a value jsonschema rejects, whatever keywords a future spec
uses: unknown keywords must make them answer "maybe" (or refuse to compile), never "valid".
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests.support.campaigns import json_values
from vox_validators._tiers.compiled_predicate import compile_predicates
from vox_validators._tiers.keywords import DRAFT_2020_12_KEYWORDS
from vox_validators._tiers.struct_decoder import Decoder, compile_decoder

DEFS: dict[str, Any] = {
    "Node": {
        "type": "object",
        "required": ["a"],
        "properties": {
            "a": {"type": "integer", "minimum": 0, "maximum": 10},
            "b": {"type": ["string", "null"]},
            "c": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]},
            "d": {"type": "array", "items": {"enum": ["x", "y"]}, "minItems": 1},
            "e": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
            "f": {"const": 1},
            "g": {"type": "string", "pattern": "^a", "maxLength": 3},
            "h": {"type": "number", "multipleOf": 2},
            "i": {},
            "j": {"enum": [1, "1", True]},
            "k": {"anyOf": [{"type": "integer"}, {"type": "string", "minLength": 2}]},
            "l": {"type": "boolean"},
        },
    },
    "Closed": {
        "type": "object",
        "properties": {"a": {"type": "integer"}},
        "additionalProperties": False,
    },
    "Short": {"type": "string", "minLength": 2, "maxLength": 4},
    "Flat": {
        "type": "object",
        "required": ["n", "s"],
        "properties": {
            "n": {"type": "integer", "minimum": -5, "maximum": 5},
            "s": {"enum": ["on", "off"]},
            "o": {"type": ["integer", "null"]},
            "t": {"type": "string", "minLength": 1, "format": "uuid"},
            "w": {"type": "array", "items": {"$ref": "#/$defs/Pair"}},
            "z": {"anyOf": [{"$ref": "#/$defs/Pair"}, {"type": "null"}]},
        },
    },
    "Pair": {
        "type": "object",
        "required": ["x"],
        "properties": {"x": {"type": "boolean"}, "y": {"type": "string"}},
    },
    # String keywords both compilers take: lengths in code points, patterns as Python's re.search
    # (what jsonschema runs), "$" before a final newline and Unicode \\d included.
    "Texts": {
        "type": "object",
        "required": ["p"],
        "properties": {
            "p": {"type": "string", "pattern": "^[0-9]+$"},
            "q": {"type": ["string", "null"], "pattern": "^[0-9]+(?![\\s\\S])", "maxLength": 3},
            "r": {"type": "string", "minLength": 2, "maxLength": 4},
            "u": {"type": ["null", "string"], "minLength": 1},
            "v": {"type": "string", "pattern": "[^\\x09-\\x0d\\x20\\ufeff]"},
            "w": {"type": "string", "pattern": "\\d"},
        },
    },
    "BadPattern": {"type": "string", "pattern": "("},
    # Patterns the struct decoder checks after the C pass (in structs reached through members)
    # and where msgspec must check them itself (in an array).
    "Nested": {
        "type": "object",
        "required": ["t"],
        "properties": {
            "t": {"$ref": "#/$defs/Texts"},
            "o": {"anyOf": [{"$ref": "#/$defs/Texts"}, {"type": "null"}]},
        },
    },
    "Listed": {
        "type": "object",
        "properties": {"l": {"type": "array", "items": {"$ref": "#/$defs/Texts"}}},
    },
}
_KEYS = st.sampled_from(
    [
        "a",
        "b",
        "c",
        "d",
        "e",
        "f",
        "g",
        "h",
        "i",
        "j",
        "k",
        "l",
        "n",
        "s",
        "o",
        "t",
        "w",
        "x",
        "y",
        "z",
    ]
)
values = st.one_of(
    json_values,
    st.dictionaries(_KEYS, json_values, max_size=6),
    st.dictionaries(
        _KEYS,
        st.one_of(
            json_values,
            st.dictionaries(_KEYS, json_values, max_size=3),
            st.lists(st.dictionaries(_KEYS, json_values, max_size=2), max_size=2),
            st.sampled_from(["x", "y", "on", "off", "ab", "abc", 1, 5, 10, 11, -5, -6, 2.0]),
        ),
        max_size=8,
    ),
)


def _reference(name: str) -> Draft202012Validator:
    return Draft202012Validator({"$defs": DEFS, "$ref": f"#/$defs/{name}"})


@settings(max_examples=400, deadline=None)
@given(values, st.sampled_from(sorted(DEFS)))
def test_a_predicate_never_vouches_for_an_invalid_value(value: Any, name: str) -> None:
    predicates = compile_predicates(DEFS, name)
    if predicates.whole(value):
        assert _reference(name).is_valid(value)
    properties = DEFS[name].get("properties", {})
    if isinstance(value, dict):
        for key, predicate in predicates.properties.items():
            if key in value and predicate(value[key]):
                sub = Draft202012Validator({"$defs": DEFS, **properties[key]})
                assert sub.is_valid(value[key])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Node", {"a": 3}),
        ("Node", {"a": 0, "b": None, "c": {"a": 10, "c": None}, "d": ["x"], "g": "ab", "l": True}),
        ("Node", {"a": 1, "k": 5, "unknown": [[1]]}),
        ("Short", "abc"),
        ("Flat", {"n": 5, "s": "off", "o": None, "w": [{"x": True}], "z": {"x": False, "y": "q"}}),
    ],
)
def test_a_predicate_vouches_for_plain_valid_values(name: str, value: Any) -> None:
    assert _reference(name).is_valid(value)
    assert compile_predicates(DEFS, name).whole(value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Node", {"a": 1, "e": 1}),
        ("Node", {"a": 1, "f": 1}),
        ("Node", {"a": 1, "h": 4}),
        ("Closed", {"a": 1}),
    ],
)
def test_keywords_it_does_not_know_mean_maybe(name: str, value: Any) -> None:
    assert _reference(name).is_valid(value)
    assert not compile_predicates(DEFS, name).whole(value)


def _decoder(name: str, *, forbid_unknown: bool = True) -> Decoder | None:
    return compile_decoder(DEFS, name, unknown_members=not forbid_unknown)


def test_schemas_with_keywords_msgspec_cannot_mirror_get_no_decoder() -> None:
    assert _decoder("Node") is None  # oneOf, const, multipleOf, ...
    assert _decoder("Closed") is None  # additionalProperties
    assert _decoder("BadPattern") is None  # a pattern Python's re cannot compile
    assert _decoder("Short") is not None  # lengths: code points in both
    assert _decoder("Texts") is not None  # patterns: Python's re.search in both
    assert _decoder("Flat") is not None


_TEXTS = st.text(
    alphabet=st.one_of(
        st.sampled_from("0123456789\n\t \x0b\x1c\x85\xa0\ufeff\u3000a-\u0663\uff13"),
        st.sampled_from(["\U0001f600", "\ud800", "\udfff"]),
        st.characters(),
    ),
    max_size=6,
)
_text_records = st.fixed_dictionaries(
    {},
    optional={
        key: st.one_of(_TEXTS, st.none(), st.integers(), st.sampled_from(["12", "12\n", "١٢"]))
        for key in ("p", "q", "r", "u", "v", "w")
    },
)


@settings(max_examples=600, deadline=None)
@given(_text_records)
@example({"p": "12\n", "q": "12\n"})
@example({"p": "\u0663", "q": "1", "r": "\U0001f600" * 4, "u": None, "v": "\ufeff", "w": "\u0663"})
@example({"p": "1", "r": "\U0001f600" * 5, "u": ""})
@example({"p": "1", "q": None, "v": "\ud800"})
def test_string_keywords_are_judged_as_jsonschema_judges_them(value: dict[str, Any]) -> None:
    """Both compilers vouch only for valid strings, and the decoder for every valid document it
    can read (strings without lone surrogates)."""
    valid = _reference("Texts").is_valid(value)
    if compile_predicates(DEFS, "Texts").whole(value):
        assert valid
    surrogates = any(
        isinstance(v, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in v) for v in value.values()
    )
    document = json.dumps(value)
    for forbid_unknown in (True, False):
        decoder = _decoder("Texts", forbid_unknown=forbid_unknown)
        assert decoder is not None
        try:
            decoder.decode(document)
        except msgspec.DecodeError:
            assert surrogates or not valid
        else:
            assert valid


# Records of each schema, members all listed (a struct decoder refuses the others).
_patterned_records = {
    "Nested": st.one_of(
        st.fixed_dictionaries(
            {"t": _text_records}, optional={"o": st.one_of(st.none(), _text_records, json_values)}
        ),
        st.dictionaries(st.sampled_from(["t", "o"]), json_values, max_size=2),
    ),
    "Listed": st.one_of(
        st.fixed_dictionaries({"l": st.lists(_text_records, max_size=3)}),
        st.dictionaries(st.just("l"), json_values, max_size=1),
    ),
}


def _has_surrogates(value: Any) -> bool:
    if isinstance(value, str):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, dict):
        return any(map(_has_surrogates, value.values())) or any(map(_has_surrogates, value))
    return isinstance(value, list) and any(map(_has_surrogates, value))


def test_patterns_in_structs_are_checked_after_the_decode_and_in_arrays_by_msgspec() -> None:
    # Which decoder each gets; the test below proves both judge as jsonschema does.
    assert type(_decoder("Nested")) is not msgspec.json.Decoder
    assert type(_decoder("Listed")) is msgspec.json.Decoder
    nested = _decoder("Nested")
    assert nested is not None
    with pytest.raises(msgspec.ValidationError, match=r"regex .* at `\$\.o\.p`"):
        nested.decode(json.dumps({"t": {"p": "1"}, "o": {"p": "x"}}))


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(sorted(_patterned_records)).flatmap(
        lambda name: st.tuples(st.just(name), _patterned_records[name])
    )
)
@example(("Nested", {"t": {"p": "1"}, "o": {"p": "1", "v": " "}}))
@example(("Listed", {"l": [{"p": "1"}, {"p": "1\n", "w": "a"}]}))
@example(("Nested", {"t": {"p": "1", "q": "12\n"}, "o": None}))
def test_patterns_of_nested_strings_are_judged_as_jsonschema_judges_them(
    case: tuple[str, Any],
) -> None:
    name, value = case
    document = json.dumps(value)
    surrogates = _has_surrogates(value)
    valid = _reference(name).is_valid(json.loads(document))
    for forbid_unknown in (True, False):
        decoder = _decoder(name, forbid_unknown=forbid_unknown)
        assert decoder is not None
        try:
            decoder.decode(document)
        except msgspec.DecodeError:
            assert surrogates or not valid, forbid_unknown
        else:
            assert valid, forbid_unknown


@settings(max_examples=400, deadline=None)
@given(values, st.booleans())
def test_a_decoder_never_vouches_for_an_invalid_document(value: Any, forbid_unknown: bool) -> None:
    decoder = _decoder("Flat", forbid_unknown=forbid_unknown)
    assert decoder is not None
    document = json.dumps(value)
    try:
        decoder.decode(document)
    except msgspec.DecodeError:
        return
    assert _reference("Flat").is_valid(json.loads(document))


def _listed_only(value: Any, schema: Any) -> Any:
    """``value`` without the members ``schema`` (of DEFS) does not list, recursively."""
    if isinstance(schema, dict) and "$ref" in schema:
        return _listed_only(value, DEFS[schema["$ref"].rsplit("/", 1)[1]])
    if isinstance(schema, dict) and "anyOf" in schema and value is not None:
        return _listed_only(value, schema["anyOf"][0])
    if isinstance(schema, dict) and isinstance(value, dict) and "properties" in schema:
        properties = schema["properties"]
        return {k: _listed_only(v, properties[k]) for k, v in value.items() if k in properties}
    if isinstance(schema, dict) and isinstance(value, list) and "items" in schema:
        return [_listed_only(item, schema["items"]) for item in value]
    return value


@settings(max_examples=400, deadline=None)
@given(values)
@example({"n": 5, "s": "off", "o": None, "w": [{"x": True}], "z": {"x": False, "y": "q"}})
@example({"s": "on", "n": -5, "unknown": [1], "z": {"x": True, "q": {"r": 1}}, "w": []})
def test_decoded_records_are_the_plain_json_the_reference_reads(value: Any) -> None:
    """What the rules receive from tier one: json.loads' value (without unknown members)."""
    document = json.dumps(value)
    for forbid_unknown in (True, False):
        decoder = _decoder("Flat", forbid_unknown=forbid_unknown)
        assert decoder is not None
        try:
            decoded = msgspec.to_builtins(decoder.decode(document))
        except msgspec.DecodeError:
            continue
        reference = json.loads(document)
        if forbid_unknown:
            assert decoded == reference
        else:
            assert type(decoder.decode(document)) is dict
            assert decoded == _listed_only(reference, DEFS["Flat"])


def test_the_static_keyword_set_is_jsonschemas() -> None:
    """The compilers read the asserting keywords without importing jsonschema: the same set."""
    assert set(Draft202012Validator.VALIDATORS) == DRAFT_2020_12_KEYWORDS
