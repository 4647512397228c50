"""Turning an HTTP answer into a typed model, or into the precise exception."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pydantic

from vox_client._exceptions import APIStatusError, ResponseValidationError, status_error_class
from vox_generated.models import Campaign
from vox_validators import Finding, validate, validate_json

logger = logging.getLogger("vox_client")


def campaign_from(response: httpx.Response, *, strict: bool) -> Campaign:
    """The campaign in a 2xx answer; any other status raises its ``APIStatusError``.

    The body is checked with the validator before a model is built, so a response that breaks a
    business rule (which the Pydantic model cannot see) is noticed too. With ``strict=False`` the
    findings are logged as warnings and the model is returned when it can still be built.
    """
    if not 200 <= response.status_code < 300:
        raise status_error(response)
    findings = validate_json(response.content, "Campaign")
    errors = [f for f in findings if f.severity == "error"]
    if errors and strict:
        raise ResponseValidationError(findings, response=response)
    for finding in findings:
        logger.warning(
            "%s %s: response finding %s at %s: %s",
            response.request.method,
            response.request.url.path,
            finding.rule,
            finding.path or "/",
            finding.message,
        )
    try:
        return Campaign.model_validate_json(response.content)
    except pydantic.ValidationError as exc:
        # Reached only with strict=False, or if the model is stricter than the validator.
        model_findings = findings or [
            Finding(
                rule="model",
                severity="error",
                path="/" + "/".join(str(p) for p in error["loc"]),
                message=error["msg"],
            )
            for error in exc.errors()
        ]
        raise ResponseValidationError(model_findings, response=response) from exc


def status_error(response: httpx.Response) -> APIStatusError:
    """The ``APIStatusError`` subclass for a non-2xx answer, with the envelope's fields."""
    cls = status_error_class(response.status_code)
    try:
        body: Any = json.loads(response.content)
    except (ValueError, RecursionError):
        return cls(
            status_code=response.status_code,
            code=None,
            message=f"{response.reason_phrase or 'error'} (the body is not JSON)",
            details=None,
            response=response,
            findings=[Finding("parse", "error", "", "the error body is not valid JSON")],
        )
    findings = validate(body, "ErrorEnvelope")
    if findings:
        return cls(
            status_code=response.status_code,
            code=None,
            message=f"{response.reason_phrase or 'error'} (the body is not the v3 error envelope)",
            details=None,
            response=response,
            findings=findings,
        )
    error = body["error"]
    details = error.get("details")
    return cls(
        status_code=response.status_code,
        code=error["code"],
        message=error["message"],
        details=details if isinstance(details, dict) else None,
        response=response,
    )
