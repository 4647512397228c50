"""``assert_valid``: one assertion for a test, with the findings in its message.

::

    from vox_validators.testing import assert_valid

    assert_valid(response)                            # an httpx/requests response: its body
    assert_valid(b'{"error": {...}}', schema="ErrorEnvelope")
    assert_valid(campaign_dict)                       # a decoded value, or a Pydantic model
"""

from __future__ import annotations

from typing import Any

from vox_validators import Finding, validate, validate_json

__all__ = ["assert_valid"]


def _findings(value: Any, schema: str, strict: bool) -> list[Finding]:
    if isinstance(value, bytes | bytearray | memoryview | str):
        return validate_json(
            bytes(value) if not isinstance(value, str) else value, schema, strict=strict
        )
    content = getattr(value, "content", None)
    if isinstance(content, bytes) and hasattr(value, "status_code"):
        return validate_json(content, schema, strict=strict)  # httpx.Response, requests.Response
    dump = getattr(value, "model_dump", None)
    if callable(dump):  # a Pydantic model, such as vox_generated.models.Campaign
        return validate(dump(mode="json", by_alias=True), schema, strict=strict)
    return validate(value, schema, strict=strict)


def assert_valid(
    body_or_response: Any,
    schema: str = "Campaign",
    *,
    strict: bool = False,
    warnings: bool = False,
) -> list[Finding]:
    """Fail (``AssertionError``) when the body breaks ``schema`` or one of its business rules.

    ``body_or_response`` is an encoded JSON document (bytes or str), a response object with
    ``content`` and ``status_code`` (httpx, requests), a Pydantic model, or a decoded value.
    The message lists every finding as ``rule severity at pointer: message``. ``warnings=True``
    fails on warnings too; ``strict=True`` adds the ``drift`` warnings of undocumented fields.
    Returns the findings that did not fail (warnings), so a test can look at them.
    """
    __tracebackhide__ = True
    findings = _findings(body_or_response, schema, strict)
    failing = [f for f in findings if warnings or f.severity == "error"]
    if failing:
        lines = "\n".join(
            f"  {f.rule} {f.severity} at {f.path or '/'}: {f.message}" for f in findings
        )
        raise AssertionError(f"not a valid {schema} ({len(findings)} finding(s)):\n{lines}")
    return findings
