"""validate and validate_json: the schema verdict of jsonschema, fast, plus the rules.

Three tiers, each exact, each taken only when the faster ones cannot vouch for the record:

1. ``validate_json`` only: msgspec decoders compiled from the bundle (``_tiers.struct_decoder``)
   decode and type-check the record in one C pass. A struct (no member the spec does not list)
   becomes the rules' dict with ``msgspec.to_builtins``; a record with unknown members gets a
   TypedDict pass that skips them, when nothing needs them (not strict, no extra rules). When
   the struct decoder refuses a member the spec lists (a type, a bound, a missing member), the
   record most likely fails the schema: the TypedDict pass and the predicate are skipped (they
   would refuse it too) and it goes straight to the exact findings.
2. orjson decodes; a predicate compiled from the bundle (``_tiers.compiled_predicate``) vouches
   for the schema verdict (records with unknown members, or schemas msgspec cannot express).
   A record it rejects gets the exact findings as orjson read it, when ``json.loads`` reads it
   alike.
3. ``json.loads`` (the reference decoder: it keeps integers beyond 64 bits, reads NaN and a
   UTF-8 BOM in bytes), then the exact findings.

The exact findings are jsonschema's errors, from code compiled from the bundle
(``_tiers.compiled_errors``: the keywords' checks and messages as jsonschema writes them, and
the compiled predicate skipping the members it vouches for). Where that code cannot vouch for
giving exactly jsonschema's errors (a value of no exact JSON type, from ``validate``; a container
too deep to repr safely; a keyword it does not know), jsonschema itself gives them
(``_tiers.jsonschema_reference``, imported only then: a valid record, and a plain invalid one,
never imports jsonschema). The rules then read the record without the members the schema
rejected (``_tiers.rejected_members``).

Every tier runs every registered rule of the schema, then the extra ``rules=``: no tier has a
shortcut that could skip one. Each tier first asks the rules' quiet check, derived from the rules'
own source (``rules._quiet_checks``): when it says that no rule would report, there is nothing
to run; otherwise the rules' generators run and give the findings, in their order. Tier one asks
it on the decoded struct itself (``struct_quiet_for``), so a quiet record never becomes a dict.
The first records of a schema (``QUIET_CHECKS_AFTER``) skip the question and run the generators:
deriving the checks pays only over many records (``quiet_checks_pay``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

import msgspec
import orjson

from vox_validators._drift import drift_findings
from vox_validators._findings import Finding
from vox_validators._schema import check_schema_name
from vox_validators._tiers.compiled_errors import REPR_DEPTH_LIMIT, schema_errors_of
from vox_validators._tiers.compiled_predicate import predicates_for
from vox_validators._tiers.rejected_members import without
from vox_validators._tiers.struct_decoder import decoder_for, skipping_is_safe
from vox_validators.jsonpointer import Path
from vox_validators.rules._registry import (
    Rule,
    extras_for,
    quiet_checks_pay,
    quiet_for,
    run_rules,
    running_for,
    struct_quiet_for,
)

# ValueError: a str with a lone surrogate cannot be encoded for msgspec.
_DECODE_ERRORS = (msgspec.DecodeError, ValueError, RecursionError)
# How msgspec starts the error of a struct refusing a member the schema does not list.
_UNKNOWN_MEMBER = "Object contains unknown field"


def validate(
    instance: object, schema: str = "Campaign", *, strict: bool = False, rules: Iterable[Rule] = ()
) -> list[Finding]:
    """Every finding of a decoded JSON value: schema first, then the rules of ``schema``.

    ``strict=True`` adds a ``drift`` warning for each member the spec does not list. ``rules``
    are extra rules, run after the built-in ones (those whose ``schemas`` lack ``schema`` are
    skipped). Raises ``KeyError`` for an unknown schema name.
    """
    predicates = predicates_for(schema)  # the KeyError for an unknown schema name
    extras = extras_for(rules, schema) if rules else ()
    if predicates.whole(instance):
        return _rule_findings(instance, schema, strict, extras)
    return _exact_findings(instance, schema, strict, extras)


def validate_json(
    data: bytes | str, schema: str = "Campaign", *, strict: bool = False, rules: Iterable[Rule] = ()
) -> list[Finding]:
    """Every finding of one encoded JSON document; unparseable input is one ``parse`` finding.

    The document is read as ``json.loads`` reads it. A plain module-level function: picklable,
    safe to map over records in other processes. ``strict`` and ``rules`` are those of
    ``validate``. Raises ``KeyError`` for an unknown schema name.
    """
    tier = _TIER_ONE.get(schema) or _tier_one(schema)
    extras = extras_for(rules, schema) if rules else ()
    predicate_may_vouch = True
    if tier.decode is not None:
        decoded = _decoded_findings(data, schema, tier, strict, extras)
        if isinstance(decoded, list):
            return decoded
        predicate_may_vouch = decoded is not _MEMBER_REJECTED
    found = _predicate_tier(data, schema, strict, extras, predicate_may_vouch)
    if found is not None:
        return found
    return _reference_tier(data, schema, strict, extras)


@dataclass(frozen=True, slots=True)
class _TierOne:
    decode: Callable[[bytes | str], Any] | None
    """To a struct, refusing unknown members."""
    decode_skipping: Callable[[bytes | str], dict[str, Any]] | None
    """To a plain dict, skipping unknown members."""


_TIER_ONE: dict[str, _TierOne] = {}


def _tier_one(schema: str) -> _TierOne:
    check_schema_name(schema)  # the same KeyError for an unknown schema name
    decoder = decoder_for(schema)
    skipping = decoder_for(schema, unknown_members=True)
    tier = _TierOne(
        decode=None if decoder is None else decoder.decode,
        decode_skipping=None if skipping is None else skipping.decode,
    )
    _TIER_ONE[schema] = tier
    return tier


class _Undecided:
    __slots__ = ()


_DOUBTED: Final = _Undecided()
"""Tier one cannot vouch for the document: ask the predicate."""
_MEMBER_REJECTED: Final = _Undecided()
"""Tier one cannot vouch, and the struct decoder refused what the schema lists (a member's type
or bound, a missing member, the record's own type) before any unknown member: the record most
likely fails the schema, so neither the skipping decoder nor the predicate (which would refuse
it too) is asked; the exact path decides."""


def _decoder_tier(
    data: bytes | str, schema: str, tier: _TierOne, strict: bool, extras: tuple[Rule, ...]
) -> list[Finding] | None:
    """Tier one: the findings, or None when the msgspec decoders cannot vouch for ``data``."""
    findings = _decoded_findings(data, schema, tier, strict, extras)
    return findings if isinstance(findings, list) else None


def _decoded_findings(
    data: bytes | str, schema: str, tier: _TierOne, strict: bool, extras: tuple[Rule, ...]
) -> list[Finding] | _Undecided:
    """Tier one: the findings, or why the msgspec decoders cannot vouch for ``data``."""
    try:
        struct = tier.decode(data)  # type: ignore[misc]  # only called with a decoder
    except msgspec.ValidationError as error:
        # A listed member refused: the skipping decoder refuses it too, the predicate doubts.
        if not str(error).startswith(_UNKNOWN_MEMBER):
            return _MEMBER_REJECTED
    except _DECODE_ERRORS:
        pass
    else:  # no unknown member can be in a decoded struct, so no drift either
        asks = quiet_checks_pay(schema)
        if asks and not extras:  # the common case: read the struct as decoded, no dict made
            quiet = struct_quiet_for(schema, type(struct))
            if quiet is not None and quiet(struct):
                return []
        findings: list[Finding] = []
        record = msgspec.to_builtins(struct)
        if not (asks and quiet_for(schema)(record)):
            run_rules(running_for(schema), record, findings)
        if extras:
            _run_extras(extras, record, findings)
        return findings
    # Perhaps only unknown members (a field the API added) stopped the decoder. Strict mode
    # reports them and extra rules may read them: both need them, which this pass drops.
    if tier.decode_skipping is None or strict or extras:
        return _DOUBTED
    try:
        record = tier.decode_skipping(data)
    except _DECODE_ERRORS:
        return _DOUBTED
    if not skipping_is_safe(data):
        return _DOUBTED
    findings = []
    if not (quiet_checks_pay(schema) and quiet_for(schema)(record)):
        run_rules(running_for(schema), record, findings)
    return findings


def _predicate_tier(
    data: bytes | str,
    schema: str,
    strict: bool,
    extras: tuple[Rule, ...],
    predicate_may_vouch: bool = True,
) -> list[Finding] | None:
    """Tier two: the findings, or None when orjson or the predicate cannot vouch for ``data``.

    A record the predicate rejects (or that it is not asked about: ``predicate_may_vouch``
    False) goes to the exact path as orjson read it, when that is how
    ``json.loads`` reads it too: orjson refuses what the reference reads otherwise (a BOM, NaN,
    1e400, a lone surrogate, UTF-16), but turns an integer beyond 64 bits into a float and nests
    deeper, so a document with a run of 19 digits or many brackets is read again by the reference.
    """
    try:
        instance = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None  # orjson is stricter than json.loads (BOM, NaN, 1e400): ask the reference
    if predicate_may_vouch and predicates_for(schema).whole(instance):
        return _rule_findings(instance, schema, strict, extras)
    # One pass maps every digit to "0" and "{" to "[": a run of 19 "0"s, and the brackets.
    if type(data) is bytes:
        mapped = data.translate(_DIGITS_AND_BRACKETS)
        as_read = _LONG_RUN not in mapped and mapped.count(b"[") < _SHALLOW
    elif type(data) is str:
        mapped_str = data.translate(_DIGITS_AND_BRACKETS_STR)
        as_read = _LONG_RUN_STR not in mapped_str and mapped_str.count("[") < _SHALLOW
    else:
        as_read = False
    if as_read:  # fewer brackets than REPR_DEPTH_LIMIT: a shallow value
        return _exact_findings(instance, schema, strict, extras, True)
    return None


# 19 ASCII digits in a row: perhaps an integer beyond 64 bits (orjson takes those as floats).
# Found as a run of "0" once every digit is one: a regex search for [0-9]{19} retries at every
# digit of every timestamp, ten times slower.
_LONG_RUN = b"0" * 19
_LONG_RUN_STR = "0" * 19
_DIGITS_AND_BRACKETS = bytes.maketrans(b"123456789{", b"000000000[")
_DIGITS_AND_BRACKETS_STR = str.maketrans("123456789{", "000000000[")
# Fewer brackets than this: json.loads cannot reach its nesting limit (orjson's is deeper), and
# no container is too deep for the compiled errors to repr (REPR_DEPTH_LIMIT).
_SHALLOW = min(200, REPR_DEPTH_LIMIT)


def _reference_tier(
    data: bytes | str, schema: str, strict: bool, extras: tuple[Rule, ...]
) -> list[Finding]:
    """Tier three: the reference decoder, then the exact findings."""
    # Re-read with the reference decoder: orjson turns integers beyond 64 bits into floats.
    try:
        reference = json.loads(bytes(data) if isinstance(data, memoryview) else data)
    except RecursionError:
        return [_parse_finding("nested too deeply")]
    except ValueError as exc:  # JSONDecodeError, and UnicodeDecodeError for invalid UTF-8
        return [_parse_finding(str(exc))]
    return _exact_findings(reference, schema, strict, extras)


def validate_many(
    records: Iterable[object],
    schema: str = "Campaign",
    *,
    strict: bool = False,
    rules: Iterable[Rule] = (),
) -> Iterator[list[Finding]]:
    """The findings of each record, lazily and in order: ``bytes``, ``bytearray`` and ``str``
    records are encoded JSON documents (``validate_json``), anything else a decoded value
    (``validate``). ``strict`` and ``rules`` are those of ``validate``."""
    extras = tuple(rules)  # read once, used for every record
    for record in records:
        if isinstance(record, bytes | str):
            yield validate_json(record, schema, strict=strict, rules=extras)
        elif isinstance(record, bytearray):
            yield validate_json(bytes(record), schema, strict=strict, rules=extras)
        else:
            yield validate(record, schema, strict=strict, rules=extras)


def is_valid(findings: list[Finding]) -> bool:
    """Whether a record with these findings is valid: no finding of severity ``error``."""
    return all(finding.severity != "error" for finding in findings)


def _parse_finding(reason: str) -> Finding:
    return Finding(rule="parse", severity="error", path="", message=f"not valid JSON: {reason}")


def _rule_findings(
    instance: Any, schema: str, strict: bool, extras: tuple[Rule, ...]
) -> list[Finding]:
    """The rules' findings on a record the schema accepted (what it rejected removed)."""
    findings: list[Finding] = []
    if type(instance) is not dict:
        return findings
    if not (quiet_checks_pay(schema) and quiet_for(schema)(instance)):
        run_rules(running_for(schema), instance, findings)
    if strict:
        findings += drift_findings(instance, schema)
    if extras:
        _run_extras(extras, instance, findings)
    return findings


def _run_extras(extras: tuple[Rule, ...], record: Any, findings: list[Finding]) -> None:
    # Imported here: deriving quiet checks (ast, inspect) is for runs with extra rules, or long.
    from vox_validators.rules._quiet_checks import quiet_check  # noqa: PLC0415

    if not quiet_check(extras)(record):
        run_rules(extras, record, findings)


def _exact_findings(
    instance: object,
    schema: str,
    strict: bool,
    extras: tuple[Rule, ...],
    shallow: bool = False,
) -> list[Finding]:
    """The schema's findings (``shallow``: the instance is known to nest fewer than
    ``REPR_DEPTH_LIMIT`` deep), then the rules' on what the schema did not reject."""
    try:
        errors = schema_errors_of(instance, schema, shallow=shallow)
        if errors is None:
            findings, paths = _jsonschema_findings(instance, schema)
        else:
            findings = [Finding(rule, "error", at, message) for rule, _, at, message in errors]
            paths = [path for _, path, _, _ in errors]
    except RecursionError:  # jsonschema's messages repr the value; a deep one can overflow
        return [Finding("schema/type", "error", "", "the value is nested too deeply to validate")]
    if type(instance) is dict:
        remaining = without(instance, paths)
        if remaining is not None:
            findings += _rule_findings(remaining, schema, strict, extras)
    return findings


def _jsonschema_findings(instance: object, schema: str) -> tuple[list[Finding], list[Path]]:
    """The findings of jsonschema itself, where the compiled errors cannot vouch for theirs."""
    # Imported here: jsonschema costs ~50 ms of start-up, and a valid record never needs it.
    from vox_validators._tiers.jsonschema_reference import (  # noqa: PLC0415
        finding_and_path,
        schema_errors,
    )

    pairs = [finding_and_path(error) for error in schema_errors(instance, schema)]
    return [finding for finding, _ in pairs], [path for _, path in pairs]
