from __future__ import annotations

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
