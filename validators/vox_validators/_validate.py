"""validate and validate_json: the schema verdict of jsonschema, fast, plus the rules.

Three tiers, each exact, each taken only when the faster ones cannot vouch for the record:

1. ``validate_json`` only: msgspec decoders compiled from the bundle (``_tiers.struct_decoder``)
   decode and type-check the record in one C pass. A struct (no member the spec does not list)
   becomes the rules' dict with ``msgspec.to_builtins``; a record with unknown members gets a
   TypedDict pass that skips them, when nothing needs them (not strict, no extra rules).
2. orjson decodes; a predicate compiled from the bundle (``_tiers.compiled_predicate``) vouches
   for the schema verdict (records with unknown members, or schemas msgspec cannot express).
   A record it rejects goes to jsonschema as orjson read it, when ``json.loads`` reads it alike.
3. ``json.loads`` (the reference decoder: it keeps integers beyond 64 bits, reads NaN and a
   UTF-8 BOM in bytes) and jsonschema on the members the predicate doubts
   (``_tiers.jsonschema_reference``); the rules then read the record without the members the
   schema rejected.

Every tier runs every registered rule of the schema, then the extra ``rules=``: no tier has a
shortcut that could skip one. Each tier first asks the rules' quiet check, derived from the rules'
own source (``rules._quiet_checks``): when it says that no rule would report, there is nothing
to run; otherwise the rules' generators run and give the findings, in their order. Tier one asks
it on the decoded struct itself (``struct_quiet_for``), so a quiet record never becomes a dict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import msgspec
import orjson

from vox_validators._drift import drift_findings
from vox_validators._findings import Finding
from vox_validators._tiers.jsonschema_reference import (
    finding_and_path,
    predicates_for,
    schema_errors,
    without,
)
from vox_validators._tiers.struct_decoder import decoder_for, skipping_is_safe
from vox_validators.rules._quiet_checks import quiet_check
from vox_validators.rules._registry import (
    Rule,
    extras_for,
    quiet_for,
    run_rules,
    running_for,
    struct_quiet_for,
)

# ValueError: a str with a lone surrogate cannot be encoded for msgspec.
_DECODE_ERRORS = (msgspec.DecodeError, ValueError, RecursionError)


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
    if tier.decode is not None:
        findings = _decoder_tier(data, schema, tier, strict, extras)
        if findings is not None:
            return findings
    found = _predicate_tier(data, schema, strict, extras)
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
    predicates_for(schema)  # the same KeyError for an unknown schema name
    decoder = decoder_for(schema)
    skipping = decoder_for(schema, unknown_members=True)
    tier = _TierOne(
        decode=None if decoder is None else decoder.decode,
        decode_skipping=None if skipping is None else skipping.decode,
    )
    _TIER_ONE[schema] = tier
    return tier


def _decoder_tier(
    data: bytes | str, schema: str, tier: _TierOne, strict: bool, extras: tuple[Rule, ...]
) -> list[Finding] | None:
    """Tier one: the findings, or None when the msgspec decoders cannot vouch for ``data``."""
    try:
        struct = tier.decode(data)  # type: ignore[misc]  # only called with a decoder
    except _DECODE_ERRORS:
        pass
    else:  # no unknown member can be in a decoded struct, so no drift either
        if not extras:  # the common case: read the struct as decoded, no dict made
            quiet = struct_quiet_for(schema, type(struct))
            if quiet is not None and quiet(struct):
                return []
        findings: list[Finding] = []
        record = msgspec.to_builtins(struct)
        if not quiet_for(schema)(record):
            run_rules(running_for(schema), record, findings)
        if extras:
            _run_extras(extras, record, findings)
        return findings
    # Perhaps only unknown members (a field the API added) stopped the decoder. Strict mode
    # reports them and extra rules may read them: both need them, which this pass drops.
    if tier.decode_skipping is None or strict or extras:
        return None
    try:
        record = tier.decode_skipping(data)
    except _DECODE_ERRORS:
        return None
    if not skipping_is_safe(data):
        return None
    findings = []
    if not quiet_for(schema)(record):
        run_rules(running_for(schema), record, findings)
    return findings


def _predicate_tier(
    data: bytes | str, schema: str, strict: bool, extras: tuple[Rule, ...]
) -> list[Finding] | None:
    """Tier two: the findings, or None when orjson or the predicate cannot vouch for ``data``.

    A record the predicate rejects goes to jsonschema as orjson read it, when that is how
    ``json.loads`` reads it too: orjson refuses what the reference reads otherwise (a BOM, NaN,
    1e400, a lone surrogate, UTF-16), but turns an integer beyond 64 bits into a float and nests
    deeper, so a document with a run of 19 digits or many brackets is read again by the reference.
    """
    try:
        instance = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None  # orjson is stricter than json.loads (BOM, NaN, 1e400): ask the reference
    if predicates_for(schema).whole(instance):
        return _rule_findings(instance, schema, strict, extras)
    if type(data) is bytes:
        as_read = _LONG_DIGITS.search(data) is None and data.count(b"[") + data.count(b"{")
    elif type(data) is str:
        as_read = _LONG_DIGITS_STR.search(data) is None and data.count("[") + data.count("{")
    else:
        as_read = False
    if as_read is not False and as_read < _SHALLOW:
        return _exact_findings(instance, schema, strict, extras)
    return None


# 19 digits in a row: perhaps an integer beyond 64 bits (orjson takes those as floats).
_LONG_DIGITS = re.compile(rb"[0-9]{19}")
_LONG_DIGITS_STR = re.compile(r"[0-9]{19}")
# Fewer brackets than this: json.loads cannot reach its nesting limit (orjson's is deeper).
_SHALLOW = 200


def _reference_tier(
    data: bytes | str, schema: str, strict: bool, extras: tuple[Rule, ...]
) -> list[Finding]:
    """Tier three: the reference decoder, and jsonschema on the members in doubt."""
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
    if not quiet_for(schema)(instance):
        run_rules(running_for(schema), instance, findings)
    if strict:
        findings += drift_findings(instance, schema)
    if extras:
        _run_extras(extras, instance, findings)
    return findings


def _run_extras(extras: tuple[Rule, ...], record: Any, findings: list[Finding]) -> None:
    if not quiet_check(extras)(record):
        run_rules(extras, record, findings)


def _exact_findings(
    instance: object, schema: str, strict: bool, extras: tuple[Rule, ...]
) -> list[Finding]:
    try:
        pairs = [finding_and_path(error) for error in schema_errors(instance, schema)]
    except RecursionError:  # jsonschema's messages repr the value; a deep one can overflow
        return [Finding("schema/type", "error", "", "the value is nested too deeply to validate")]
    findings = [finding for finding, _ in pairs]
    if type(instance) is dict:
        remaining = without(instance, [path for _, path in pairs])
        if remaining is not None:
            findings += _rule_findings(remaining, schema, strict, extras)
    return findings
