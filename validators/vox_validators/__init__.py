"""Schema and business-rule validation of vox.ai v3 campaign payloads.

Public API (stable; the strict client and the CLI rely on it):

- ``Finding``: one problem: ``rule``, ``severity`` (``"error"`` or ``"warning"``), ``path`` (an RFC 6901
  JSON Pointer into the record) and ``message`` (the offending value first, as jsonschema writes).
- ``validate(instance, schema="Campaign", *, strict=False, rules=()) -> list[Finding]``: every
  finding for one decoded JSON value against a component schema of the spec (``Campaign``,
  ``ErrorEnvelope``, ``UpdateCampaignRequest``, ``CreateCampaignRequest``, ...): schema findings
  (rule ``schema/<keyword>``) first, then the business rules of that schema. ``strict=True`` adds
  a ``drift`` warning for every field the spec does not list. ``rules`` are extra ``Rule``\\ s
  (your organisation's), run after the built-in ones; a rule that raises is one ``internal``
  error on that record.
- ``validate_json(data, schema="Campaign", *, strict=False, rules=()) -> list[Finding]``: the
  same for one encoded JSON document (bytes or str), read as ``json.loads`` reads it;
  unparseable input is a single ``parse`` finding. A plain module-level function (picklable) and
  the fast path.
- ``validate_many(records, schema="Campaign", *, strict=False, rules=())``: lazily, the findings
  of each record of an iterable (bytes or str: ``validate_json``; anything else: ``validate``).
- ``validate_record(record, *, strict=False, rules=())``: the findings of one record of
  ``vox_validators.sources.iter_records`` (what reading found, then ``validate_json``).
- ``is_valid(findings) -> bool``: no finding of severity ``error``.
- ``rule(id, *, severity, schemas, description, source)``: the decorator that makes a function a
  ``Rule``. ``RULES``: every built-in rule (IDs, severities, descriptions, docs sources);
  ``RULES_BY_ID`` indexes it. More in ``vox_validators.rules``.
- ``SCHEMAS``: the schema names ``validate`` accepts.

Public modules: ``vox_validators.rules`` (the rule registry and custom rules),
``vox_validators.sources`` (the readers of JSON, JSON Lines, cassettes and HAR files) and
``vox_validators.jsonpointer`` (RFC 6901 pointers). Every other module is private.

Schema verdicts equal jsonschema's Draft 2020-12 ``Draft202012Validator`` on the generated bundle
(``vox_generated/schema.json``), without format assertion. A ``schema/required`` finding points at
the missing member (``/call_time_window/timezone``), not at the object that lacks it. A business
rule never sees a value the schema rejected.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vox_validators._findings import Finding, Severity
    from vox_validators._validate import is_valid, validate, validate_json, validate_many
    from vox_validators.rules import Rule, rule
    from vox_validators.sources._validate_record import validate_record

    RULES: tuple[Rule, ...]
    RULES_BY_ID: dict[str, Rule]
    SCHEMAS: tuple[str, ...]

# Imported on first use: the generator imports vox_validators.jsonpointer, which must load
# neither the schema bundle nor jsonschema, msgspec, orjson (nor generated code).
_HOMES = {
    "Finding": "vox_validators._findings",
    "Severity": "vox_validators._findings",
    "is_valid": "vox_validators._validate",
    "validate": "vox_validators._validate",
    "validate_json": "vox_validators._validate",
    "validate_many": "vox_validators._validate",
    "Rule": "vox_validators.rules",
    "rule": "vox_validators.rules",
    "RULES": "vox_validators.rules",
    "RULES_BY_ID": "vox_validators.rules",
    "validate_record": "vox_validators.sources._validate_record",
}


def __getattr__(name: str) -> object:
    if name == "SCHEMAS":
        schema_names = importlib.import_module("vox_validators._schema").schema_names
        globals()["SCHEMAS"] = value = tuple(schema_names())
        return value
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    if name not in ("RULES", "RULES_BY_ID"):  # those follow the registry
        globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "RULES",
    "RULES_BY_ID",
    "SCHEMAS",
    "Finding",
    "Rule",
    "Severity",
    "is_valid",
    "rule",
    "validate",
    "validate_json",
    "validate_many",
    "validate_record",
]
