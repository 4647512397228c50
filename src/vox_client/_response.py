"""Turning an HTTP answer into a typed model, or into the precise exception; ``APIResponse``."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import httpx
import orjson
import pydantic

from vox_client._exceptions import (
    APIStatusError,
    ResponseValidationError,
    printable,
    request_id_of,
    shown,
    status_error_class,
    where,
)
from vox_client._models import Campaign, lenient, stamp, unknown_enum_values
from vox_validators import Finding, validate, validate_json
from vox_validators.jsonpointer import pointer

logger = logging.getLogger("vox_client")

_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NOT_DECODED: Any = object()

T = TypeVar("T")


class APIResponse(Generic[T]):
    """One raw answer of ``client.campaigns.with_raw_response``: the HTTP parts, and ``parse()``.

    ``status_code``, ``headers``, ``request_id`` (``x-request-id``, ``None`` when absent),
    ``http_response`` (the ``httpx.Response``), ``retries_taken``, ``content``, ``text`` and
    ``json()``; ``parse()`` validates the body and returns the typed campaign (or raises
    ``ResponseValidationError``), once: later calls return the same object. A non-2xx answer
    never becomes an ``APIResponse``: it raises its ``APIStatusError``, which has the response.
    """

    __slots__ = ("_parsed", "_parser", "http_response", "retries_taken")

    def __init__(
        self,
        http_response: httpx.Response,
        parser: Callable[[httpx.Response], T],
        *,
        retries_taken: int = 0,
    ) -> None:
        self.http_response = http_response
        self.retries_taken = retries_taken
        self._parser = parser
        self._parsed: T | None = None

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        return request_id_of(self.http_response)

    @property
    def content(self) -> bytes:
        return self.http_response.content

    @property
    def text(self) -> str:
        return self.http_response.text

    def json(self) -> Any:
        """The body as plain JSON values, unvalidated."""
        return json.loads(self.http_response.content)

    def parse(self) -> T:
        """The typed, validated result (``ResponseValidationError`` when the body breaks it)."""
        if self._parsed is None:
            self._parsed = self._parser(self.http_response)
        return self._parsed

    def __repr__(self) -> str:
        return (
            f"<APIResponse [{self.status_code} {printable(self.http_response.reason_phrase)}] "
            f"{where(self.http_response.request)} request_id={self.request_id!r}>"
        )


def campaign_from(response: httpx.Response, *, strict: bool) -> Campaign:
    """The campaign in a 2xx answer; any other status raises its ``APIStatusError``.

    The validator gives the verdict, and the model is built only from a body it accepts: what
    ``voxkit validate`` calls valid is accepted here, and nothing else.

    ``strict=True``: any error finding raises ``ResponseValidationError``; an unknown enum value
    is an error, an unknown member is accepted and dropped (a new optional field is not a
    breaking change). ``strict=False`` (lenient, see ``_lenient``): unknown enum values and
    members are kept and reported as ``drift``; business-rule findings are logged as warnings;
    a body that is not JSON or has a wrong type or a missing field still raises.
    """
    if not 200 <= response.status_code < 300:
        raise status_error(response)
    content = response.content
    if not strict:
        return _lenient(response, content)
    findings = validate_json(content, "Campaign")
    if not findings:
        # The usual answer: one fast decode, and the model. orjson reads every body the
        # validator accepts as json.loads does, or refuses it (a lone surrogate, an int beyond
        # 64 bits, UTF-16): then the careful path below decides.
        try:
            data = orjson.loads(content)
        except orjson.JSONDecodeError:
            pass
        else:
            try:
                model = Campaign.model_validate(data)
            except pydantic.ValidationError:
                pass
            else:
                return stamp(model, request_id_of(response))
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise ResponseValidationError(findings, response=response)
    _log_findings(response, findings)
    return stamp(_built(response, Campaign, findings), request_id_of(response))


def _lenient(response: httpx.Response, content: bytes) -> Campaign:
    """Lenient mode: keep what the spec does not list yet, refuse what contradicts it.

    The validator runs with drift on (an unknown member is a ``drift`` warning). A schema error
    is forgiven only when every one is an unknown string where an enum is expected: the body,
    with each such string replaced by a known value, must pass the schema. What was rejected
    stays hidden from the business rules, which run on everything else.
    """
    findings = validate_json(content, "Campaign", strict=True)
    errors = [f for f in findings if f.severity == "error"]
    if any(f.rule == "parse" for f in errors):
        raise ResponseValidationError(findings, response=response)
    data = _decoded(response, content, findings)
    drift = [f for f in findings if f.rule == "drift"]
    if any(f.rule.startswith("schema/") for f in errors):
        unknown = unknown_enum_values(data, "Campaign")
        known = _with_known_values(data, unknown)
        rechecked = validate(known, "Campaign", strict=True)
        if not unknown or any(
            f.severity == "error" and (f.rule.startswith("schema/") or f.rule == "parse")
            for f in rechecked
        ):
            raise ResponseValidationError(findings, response=response)
        findings = [f for f in findings if not f.rule.startswith("schema/")]
        # Members under a value the schema rejected were not walked for drift the first time.
        drift = [f for f in rechecked if f.rule == "drift"]
        drift += [
            Finding(
                "drift",
                "warning",
                pointer(path),
                f"{value!r} is not one of {allowed}: a value the spec does not list (kept as a "
                "string)",
            )
            for path, value, allowed in unknown
        ]
    _log_findings(response, [f for f in findings if f.rule != "drift"])
    _log_findings(response, drift)
    model = _built(response, lenient(Campaign), findings, data)
    return stamp(model, request_id_of(response), tuple(drift))


def _with_known_values(data: Any, unknown: list[tuple[list[str | int], str, list[Any]]]) -> Any:
    copy = json.loads(json.dumps(data))
    for path, _, allowed in unknown:
        node = copy
        for token in path[:-1]:
            node = node[token]
        node[path[-1]] = allowed[0]
    return copy


def _log_findings(response: httpx.Response, findings: list[Finding]) -> None:
    # What the server sent (a member name in a path, a value in a message) is escaped: a log
    # line ends on a terminal.
    request_id = request_id_of(response)
    for finding in findings:
        logger.warning(
            "%s: response %s at %s: %s [request id %s]",
            where(response.request),
            "drift" if finding.rule == "drift" else f"finding {finding.rule}",
            printable(finding.path or "/"),
            shown(finding.message),
            None if request_id is None else printable(request_id),
        )


def _decoded(response: httpx.Response, content: bytes, findings: list[Finding]) -> Any:
    try:
        return json.loads(content, parse_float=_number)
    except (ValueError, RecursionError) as exc:  # the validator reads as json.loads does
        finding = Finding("parse", "error", "", f"not valid JSON: {exc}")
        raise ResponseValidationError([finding], response=response) from exc


def _built(
    response: httpx.Response,
    model: type[Campaign],
    findings: list[Finding],
    data: Any = _NOT_DECODED,
) -> Campaign:
    if data is _NOT_DECODED:
        data = _decoded(response, response.content, findings)
    try:
        return _model(model, data)
    except pydantic.ValidationError as exc:
        # Reached only with strict=False (a business rule the model also holds, such as a UUID),
        # or if the model were stricter than the validator.
        model_findings = [f for f in findings if f.severity == "error"] or [
            Finding(
                rule="model", severity="error", path=pointer(error["loc"]), message=error["msg"]
            )
            for error in exc.errors()
        ]
        raise ResponseValidationError(model_findings, response=response) from exc


def _model(model: type[Campaign], data: Any) -> Campaign:
    """The model of a decoded campaign, lone surrogates in its strings included."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        if not any(error["type"] == "string_unicode" for error in exc.errors()):
            raise
    # pydantic checks a constrained string (agent_version's minLength) only as valid Unicode,
    # which a lone surrogate is not; the validator has checked the constraint already. So the
    # model is built with U+FFFD (one character, not a space) for each, then given the strings
    # that were sent.
    built = model.model_validate(_replaced(data))
    _put_back(built, data)
    return built


def _replaced(node: Any) -> Any:
    if isinstance(node, str):
        return _LONE_SURROGATE.sub("\ufffd", node)
    if isinstance(node, dict):
        return {key: _replaced(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_replaced(value) for value in node]
    return node


def _put_back(model: pydantic.BaseModel, data: dict[str, Any]) -> None:
    for name, field in type(model).model_fields.items():
        value, sent = getattr(model, name), data.get(field.alias or name)
        if isinstance(value, pydantic.BaseModel) and isinstance(sent, dict):
            _put_back(value, sent)
        elif isinstance(value, list) and isinstance(sent, list):
            for item, sent_item in zip(value, sent, strict=False):
                if isinstance(item, pydantic.BaseModel) and isinstance(sent_item, dict):
                    _put_back(item, sent_item)
        elif isinstance(value, str) and isinstance(sent, str) and value != sent:
            setattr(model, name, sent)


def _number(text: str) -> int | float:
    """A JSON number with a fraction or exponent, read as JSON Schema reads it.

    ``1200.0`` and ``1e20`` are integers to JSON Schema (and the validator): they become ints, so
    the model keeps ints as ints and takes one beyond 64 bits, which pydantic takes only as an int.
    """
    value = float(text)
    return int(value) if value.is_integer() else value


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
