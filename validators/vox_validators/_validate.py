"""validate and validate_json: the schema verdict of jsonschema, fast, plus the business rules.

Three tiers, each exact, each taken only when the faster ones cannot vouch for the record:

1. ``validate_json``: a msgspec decoder compiled from the bundle (``_structs``) decodes and
   type-checks the record in one C pass; the business rules read the struct. A record with
   members the spec does not list gets a second msgspec pass that skips them (not in strict
   mode, which reports them).
2. orjson decodes; a predicate compiled from the bundle (``_fastcheck``) vouches for the
   schema verdict (records with unknown fields, or schemas msgspec cannot express).
3. ``json.loads`` (the reference decoder: it keeps integers beyond 64 bits, reads NaN and a
   UTF-8 BOM in bytes) and jsonschema on the members the predicate doubts (``_exact``); the
   rules then read the record without the members the schema rejected.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import msgspec
import orjson

from vox_validators.rules._builtin import Checker, checker_for, quiet_for, view, without
from vox_validators._drift import drift_findings
from vox_validators._tiers.jsonschema_reference import finding_and_path, predicates_for, schema_errors
from vox_validators._findings import Finding
from vox_validators._tiers.struct_decoder import decoder_for, skipping_is_safe


def validate(instance: object, schema: str = "Campaign", *, strict: bool = False) -> list[Finding]:
    """Every finding of a decoded JSON value: schema first, then the business rules of ``schema``.

    ``strict=True`` adds a ``drift`` warning for each member the spec does not list.
    Raises ``KeyError`` for an unknown schema name.
    """
    if predicates_for(schema).whole(instance):
        return _rule_findings(instance, schema, strict)
    return _exact_findings(instance, schema, strict)


def validate_json(
    data: bytes | str, schema: str = "Campaign", *, strict: bool = False
) -> list[Finding]:
    """Every finding of one encoded JSON document; unparseable input is one ``parse`` finding.

    The document is read as ``json.loads`` reads it. A plain module-level function: picklable,
    safe to map over records in other processes. Raises ``KeyError`` for an unknown schema name.
    """
    tier_one = _TIER_ONE.get(schema) or _tier_one(schema)
    if tier_one.decode is not None:
        try:
            record = tier_one.decode(data)
        # ValueError: a str with a lone surrogate cannot be encoded for msgspec.
        except (msgspec.DecodeError, ValueError, RecursionError):
            pass
        else:  # no unknown member can be in a decoded struct, so no drift either
            if tier_one.quiet(record):
                return []
            return tier_one.check(record)
        if tier_one.decode_skipping is not None and not strict:
            # Perhaps only unknown members (a field the API added) stopped the decoder.
            try:
                record = tier_one.decode_skipping(data)
            except (msgspec.DecodeError, ValueError, RecursionError):
                pass
            else:
                if skipping_is_safe(data):
                    return tier_one.check(record)
    try:
        instance = orjson.loads(data)
    except orjson.JSONDecodeError:
        pass  # orjson is stricter than json.loads (BOM, NaN, 1e400): ask the reference
    else:
        if predicates_for(schema).whole(instance):
            return _rule_findings(instance, schema, strict)
    # Re-read with the reference decoder: orjson turns integers beyond 64 bits into floats.
    try:
        reference = json.loads(bytes(data) if isinstance(data, memoryview) else data)
    except RecursionError:
        return [_parse_finding("nested too deeply")]
    except ValueError as exc:  # JSONDecodeError, and UnicodeDecodeError for invalid UTF-8
        return [_parse_finding(str(exc))]
    return _exact_findings(reference, schema, strict)


@dataclass(frozen=True, slots=True)
class _TierOne:
    decode: Callable[[bytes | str], Any] | None
    decode_skipping: Callable[[bytes | str], Any] | None
    quiet: Callable[[Any], bool]
    check: Checker


_TIER_ONE: dict[str, _TierOne] = {}


def _tier_one(schema: str) -> _TierOne:
    predicates_for(schema)  # the same KeyError for an unknown schema name
    decoder = decoder_for(schema)
    skipping = decoder_for(schema, unknown_members=True)
    tier = _TierOne(
        decode=None if decoder is None else decoder.decode,
        decode_skipping=None if skipping is None else skipping.decode,
        quiet=quiet_for(schema),
        check=checker_for(schema),
    )
    _TIER_ONE[schema] = tier
    return tier


def validate_many(
    records: Iterable[object], schema: str = "Campaign", *, strict: bool = False
) -> Iterator[list[Finding]]:
    """The findings of each record, lazily and in order: ``bytes``, ``bytearray`` and ``str``
    records are encoded JSON documents (``validate_json``), anything else a decoded value
    (``validate``)."""
    for record in records:
        if isinstance(record, bytes | str):
            yield validate_json(record, schema, strict=strict)
        elif isinstance(record, bytearray):
            yield validate_json(bytes(record), schema, strict=strict)
        else:
            yield validate(record, schema, strict=strict)


def is_valid(findings: list[Finding]) -> bool:
    """Whether a record with these findings is valid: no finding of severity ``error``."""
    return all(finding.severity != "error" for finding in findings)


def _parse_finding(reason: str) -> Finding:
    return Finding(rule="parse", severity="error", path="", message=f"not valid JSON: {reason}")


def _rule_findings(instance: Any, schema: str, strict: bool) -> list[Finding]:
    if type(instance) is not dict:
        return []
    findings = checker_for(schema)(view(instance))
    if strict:
        findings += drift_findings(instance, schema)
    return findings


def _exact_findings(instance: object, schema: str, strict: bool) -> list[Finding]:
    try:
        pairs = [finding_and_path(error) for error in schema_errors(instance, schema)]
    except RecursionError:  # jsonschema's messages repr the value; a deep one can overflow
        return [Finding("schema/type", "error", "", "the value is nested too deeply to validate")]
    findings = [finding for finding, _ in pairs]
    if type(instance) is dict:
        remaining = without(instance, [path for _, path in pairs])
        if remaining is not None:
            findings += _rule_findings(remaining, schema, strict)
    return findings
