"""Schema and business-rule validation of vox.ai v3 campaign payloads.

Public API (stable; the strict client and the CLI rely on it):

- ``Finding``: one problem: ``rule``, ``severity`` (``"error"`` or ``"warning"``), ``path`` (an RFC 6901
  JSON Pointer into the record) and ``message``.
- ``validate(instance, schema="Campaign", *, strict=False) -> list[Finding]``: every finding for one
  decoded JSON value against a component schema of the spec (``Campaign``, ``ErrorEnvelope``,
  ``UpdateCampaignRequest``, ``CreateCampaignRequest``, ...).
- ``validate_json(data, schema="Campaign", *, strict=False) -> list[Finding]``: the same for one
  encoded JSON document (bytes or str); unparseable input is a single ``parse`` finding.
"""

from vox_validators._findings import Finding
from vox_validators._validate import validate, validate_json

__all__ = ["Finding", "validate", "validate_json"]
