from __future__ import annotations

import json

from jsonschema.exceptions import ValidationError

from vox_validators._findings import Finding
from vox_validators._schema import validator_for


def validate(instance: object, schema: str = "Campaign", *, strict: bool = False) -> list[Finding]:
    """Every schema finding of ``instance`` against the component schema ``schema``."""
    del strict  # reserved for drift warnings on unknown fields
    return [_schema_finding(error) for error in validator_for(schema).iter_errors(instance)]


def _schema_finding(error: ValidationError) -> Finding:
    pointer = "".join(
        "/" + str(part).replace("~", "~0").replace("/", "~1") for part in error.absolute_path
    )
    return Finding(
        rule=f"schema/{error.validator}", severity="error", path=pointer, message=error.message
    )


def validate_json(
    data: bytes | str, schema: str = "Campaign", *, strict: bool = False
) -> list[Finding]:
    """Parse one JSON document and validate it; unparseable input is one ``parse`` finding."""
    try:
        instance = json.loads(data)
    except (ValueError, RecursionError) as exc:
        return [Finding(rule="parse", severity="error", path="", message=f"not valid JSON: {exc}")]
    return validate(instance, schema, strict=strict)
