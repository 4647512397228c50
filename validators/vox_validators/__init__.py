"""Schema and business-rule validation of vox.ai v3 campaign payloads.

Public API (stable; the strict client and the CLI rely on it):

- ``Finding``: one problem: ``rule``, ``severity`` (``"error"`` or ``"warning"``), ``path`` (an RFC 6901
  JSON Pointer into the record) and ``message`` (the offending value first, as jsonschema writes).
- ``validate(instance, schema="Campaign", *, strict=False) -> list[Finding]``: every finding for one
  decoded JSON value against a component schema of the spec (``Campaign``, ``ErrorEnvelope``,
  ``UpdateCampaignRequest``, ``CreateCampaignRequest``, ...): schema findings (rule
  ``schema/<keyword>``) first, then the business rules of that schema. ``strict=True`` adds a
  ``drift`` warning for every field the spec does not list.
- ``validate_json(data, schema="Campaign", *, strict=False) -> list[Finding]``: the same for one
  encoded JSON document (bytes or str), read as ``json.loads`` reads it; unparseable input is a
  single ``parse`` finding. A plain module-level function (picklable) and the fast path.
- ``validate_many(records, schema="Campaign", *, strict=False)``: lazily, the findings of each
  record of an iterable (bytes or str: ``validate_json``; anything else: ``validate``).
- ``is_valid(findings) -> bool``: no finding of severity ``error``.
- ``Rule`` and ``RULES``: the registry of rule IDs, severities, descriptions and docs sources;
  ``RULES_BY_ID`` indexes it. ``SCHEMAS``: the schema names ``validate`` accepts.

Schema verdicts equal jsonschema's Draft 2020-12 ``Draft202012Validator`` on the generated bundle
(``vox_generated/schema.json``), without format assertion. A ``schema/required`` finding points at
the missing member (``/call_time_window/timezone``), not at the object that lacks it. A business
rule never fires on a value the schema rejected.
"""

from vox_validators._findings import Finding, Severity
from vox_validators.rules._registry import RULES, RULES_BY_ID, Rule
from vox_validators._schema import schema_names
from vox_validators._validate import is_valid, validate, validate_json, validate_many

SCHEMAS: tuple[str, ...] = tuple(schema_names())

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "SCHEMAS",
    "Finding",
    "Rule",
    "Severity",
    "is_valid",
    "validate",
    "validate_json",
    "validate_many",
]
