"""The catalogue of changes the spec diff reports, and how each is classified.

A check's classification is fixed by its id, so one id always means the same verdict.
Ids follow oasdiff's naming (``<subject>-<what>-<action>``); ``OASDIFF_CHECK_IDS`` lists the
ids that are oasdiff's own published check ids, the others are voxkit's additions.

The verdicts are for a user of the strict client, which validates every response against
the spec: anything that lets the server send a value the old spec did not allow is breaking
(a new response enum value, a loosened response bound, a response field made nullable or
optional), and so is anything that makes a request the old spec allowed invalid.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Classification(StrEnum):
    BREAKING = "breaking"
    NON_BREAKING = "non-breaking"


@dataclass(frozen=True)
class Check:
    id: str
    classification: Classification
    summary: str

    @property
    def oasdiff(self) -> bool:
        return self.id in OASDIFF_CHECK_IDS


B = Classification.BREAKING
N = Classification.NON_BREAKING

REQUEST_SUBJECTS = ("request-body", "request-property", "request-parameter")
RESPONSE_SUBJECTS = ("response-body", "response-property")

# JSON Schema keyword -> id fragment. A lower bound tightens when it rises, an upper bound
# when it falls; setting either where there was none tightens, removing it loosens.
LOWER_BOUNDS = {
    "minimum": "min",
    "exclusiveMinimum": "exclusive-min",
    "minLength": "min-length",
    "minItems": "min-items",
    "minProperties": "min-properties",
}
UPPER_BOUNDS = {
    "maximum": "max",
    "exclusiveMaximum": "exclusive-max",
    "maxLength": "max-length",
    "maxItems": "max-items",
    "maxProperties": "max-properties",
}
# Keywords that are not ordered: adding one restricts, removing one relaxes, changing one
# may do either (a pattern's language cannot be compared), so a change counts as both.
OTHER_CONSTRAINTS = {
    "pattern": "pattern",
    "multipleOf": "multiple-of",
    "uniqueItems": "unique-items",
}


def _static() -> list[Check]:
    return [
        # paths and operations
        Check("api-path-removed-without-deprecation", B, "a path and all its operations removed"),
        Check("api-path-removed-with-deprecation", B, "a deprecated path removed"),
        Check("api-removed-without-deprecation", B, "an operation removed from a path"),
        Check("api-removed-with-deprecation", B, "a deprecated operation removed"),
        Check("endpoint-added", N, "a new operation"),
        Check("endpoint-deprecated", N, "an operation marked deprecated"),
        Check(
            "api-operation-id-removed",
            B,
            "operationId changed or removed: the generated client's function is renamed",
        ),
        Check(
            "api-operation-id-added",
            B,
            "operationId added: the generated client's function is renamed",
        ),
        # security
        Check("api-global-security-added", B, "a global security requirement added"),
        Check("api-global-security-removed", B, "a global security requirement removed"),
        Check("api-global-security-scope-added", B, "a scope added to a global requirement"),
        Check("api-global-security-scope-removed", B, "a scope removed from a global requirement"),
        Check("api-security-added", B, "an operation's security requirement added"),
        Check("api-security-removed", B, "an operation's security requirement removed"),
        Check("api-security-scope-added", B, "a scope added to an operation's requirement"),
        Check("api-security-scope-removed", B, "a scope removed from an operation's requirement"),
        Check("api-security-component-added", N, "a new security scheme (not yet required)"),
        Check("api-security-component-removed", B, "a security scheme removed"),
        Check("api-security-component-type-changed", B, "a security scheme's type changed"),
        Check(
            "security-scheme-changed",
            B,
            "a security scheme's scheme, location, name or bearer format changed",
        ),
        # parameters
        Check("request-parameter-removed", B, "a request parameter removed"),
        Check("new-required-request-parameter", B, "a new required request parameter"),
        Check("new-optional-request-parameter", N, "a new optional request parameter"),
        Check("request-parameter-became-required", B, "a request parameter became required"),
        Check("request-parameter-became-optional", N, "a request parameter became optional"),
        # request body
        Check("request-body-added-required", B, "a required request body added"),
        Check("request-body-added-optional", N, "an optional request body added"),
        Check("request-body-removed", B, "the request body removed"),
        Check("request-body-became-required", B, "the request body became required"),
        Check("request-body-became-optional", N, "the request body became optional"),
        Check("request-body-media-type-removed", B, "a request media type removed"),
        Check("request-body-media-type-added", N, "a request media type added"),
        # responses
        Check("response-success-status-removed", B, "a success status removed"),
        Check(
            "response-success-status-added",
            B,
            "a new success status: the strict client rejects an undocumented success",
        ),
        Check("response-non-success-status-removed", N, "an error status removed"),
        Check("response-non-success-status-added", N, "an error status added"),
        Check("response-media-type-removed", B, "a response media type removed"),
        Check("response-media-type-added", N, "a response media type added"),
        Check("required-response-header-removed", B, "a required response header removed"),
        Check("optional-response-header-removed", N, "an optional response header removed"),
        Check("response-header-added", N, "a response header added"),
        Check(
            "servers-changed",
            B,
            "the server URLs changed: the client's documented default base URL moves",
        ),
        # object properties
        Check("request-property-removed", B, "a request property removed"),
        Check("new-required-request-property", B, "a new required request property"),
        Check("new-optional-request-property", N, "a new optional request property"),
        Check("request-property-became-required", B, "a request property became required"),
        Check("request-property-became-optional", N, "a request property became optional"),
        Check("response-required-property-removed", B, "a required response property removed"),
        Check(
            "response-optional-property-removed",
            B,
            "an optional response property removed: the client's model loses the field",
        ),
        Check("response-required-property-added", N, "a new required response property"),
        Check("response-optional-property-added", N, "a new optional response property"),
        Check(
            "response-property-became-optional",
            B,
            "a response property became optional: the strict client would mis-type it",
        ),
        Check("response-property-became-required", N, "a response property became required"),
        # components, documentation
        Check("api-schema-removed", B, "a component schema removed: its generated model is gone"),
        Check("api-schema-added", N, "a component schema added"),
        Check("description-changed", N, "a description, summary or title changed"),
        Check("example-changed", N, "an example changed"),
    ]


def _schema_checks() -> list[Check]:
    checks: list[Check] = []
    for subject in REQUEST_SUBJECTS:
        checks += [
            Check(f"{subject}-type-changed", B, "a request type or format changed or narrowed"),
            Check(f"{subject}-type-generalized", N, "a request type widened"),
            Check(f"{subject}-became-nullable", N, "a request value may now be null"),
            Check(f"{subject}-became-not-nullable", B, "a request value may no longer be null"),
            Check(f"{subject}-enum-value-removed", B, "a request enum value removed"),
            Check(f"{subject}-enum-value-added", N, "a request enum value added"),
            Check(f"{subject}-became-enum", B, "a request value restricted to an enum"),
            Check(f"{subject}-enum-unset", N, "a request value no longer restricted to an enum"),
            Check(f"{subject}-any-of-added", N, "a request anyOf branch added"),
            Check(f"{subject}-any-of-removed", B, "a request anyOf branch removed"),
            Check(f"{subject}-one-of-added", N, "a request oneOf branch added"),
            Check(f"{subject}-one-of-removed", B, "a request oneOf branch removed"),
        ]
    for subject in RESPONSE_SUBJECTS:
        checks += [
            Check(f"{subject}-type-changed", B, "a response type or format changed"),
            Check(
                f"{subject}-became-nullable",
                B,
                "a response value may now be null: the strict client would reject or mis-type it",
            ),
            Check(f"{subject}-became-not-nullable", N, "a response value is no longer null"),
            Check(
                f"{subject}-enum-value-added",
                B,
                "a new response enum value: breaking for a strict client, which rejects it",
            ),
            Check(f"{subject}-enum-value-removed", N, "a response enum value removed"),
            Check(f"{subject}-became-enum", N, "a response value restricted to an enum"),
            Check(
                f"{subject}-enum-unset",
                B,
                "a response value no longer restricted to an enum: breaking for a strict client",
            ),
            Check(f"{subject}-any-of-added", B, "a response anyOf branch added"),
            Check(f"{subject}-any-of-removed", N, "a response anyOf branch removed"),
            Check(f"{subject}-one-of-added", B, "a response oneOf branch added"),
            Check(f"{subject}-one-of-removed", N, "a response oneOf branch removed"),
        ]
    for subject in (*REQUEST_SUBJECTS, *RESPONSE_SUBJECTS):
        request = subject.startswith("request")
        for bounds, tighten in ((LOWER_BOUNDS, "increased"), (UPPER_BOUNDS, "decreased")):
            loosen = "decreased" if tighten == "increased" else "increased"
            for keyword, fragment in bounds.items():
                for action, tightens in (
                    (tighten, True),
                    ("set", True),
                    (loosen, False),
                    ("unset", False),
                ):
                    checks.append(
                        _bound_check(
                            subject,
                            fragment,
                            keyword,
                            action=action,
                            tightens=tightens,
                            request=request,
                        )
                    )
        for keyword, fragment in OTHER_CONSTRAINTS.items():
            for action, tightens in (("added", True), ("removed", False)):
                checks.append(
                    _bound_check(
                        subject,
                        fragment,
                        keyword,
                        action=action,
                        tightens=tightens,
                        request=request,
                    )
                )
            if keyword != "uniqueItems":  # a boolean is only ever added or removed
                checks.append(
                    Check(
                        f"{subject}-{fragment}-changed",
                        B,
                        f"{keyword} changed: it may accept less or more",
                    )
                )
    return checks


def _bound_check(
    subject: str, fragment: str, keyword: str, *, action: str, tightens: bool, request: bool
) -> Check:
    # Tightening a request bound rejects requests that were valid; loosening a response
    # bound lets the server send values the strict client rejects.
    breaking = tightens if request else not tightens
    effect = "tightened" if tightens else "loosened"
    side = "request" if request else "response"
    return Check(
        f"{subject}-{fragment}-{action}", B if breaking else N, f"{side} {keyword} {effect}"
    )


CHECKS: dict[str, Check] = {check.id: check for check in (*_static(), *_schema_checks())}

# oasdiff's published check ids (the `...Id = "..."` constants of checker/*.go in
# github.com/oasdiff/oasdiff) that voxkit emits with the same meaning. The verdict may differ
# from oasdiff's default severity: voxkit judges for a strict client. Each one has a fixture
# pair under tests/fixtures/specdiff/.
OASDIFF_CHECK_IDS: frozenset[str] = frozenset(
    {
        "api-global-security-added",
        "api-global-security-removed",
        "api-global-security-scope-added",
        "api-global-security-scope-removed",
        "api-operation-id-added",
        "api-operation-id-removed",
        "api-path-removed-with-deprecation",
        "api-path-removed-without-deprecation",
        "api-removed-with-deprecation",
        "api-removed-without-deprecation",
        "api-schema-removed",
        "api-security-added",
        "api-security-component-added",
        "api-security-component-removed",
        "api-security-component-type-changed",
        "api-security-removed",
        "api-security-scope-added",
        "api-security-scope-removed",
        "endpoint-added",
        "endpoint-deprecated",
        "new-optional-request-parameter",
        "new-optional-request-property",
        "new-required-request-parameter",
        "new-required-request-property",
        "request-body-added-optional",
        "request-body-added-required",
        "request-body-any-of-added",
        "request-body-any-of-removed",
        "request-body-became-enum",
        "request-body-became-not-nullable",
        "request-body-became-nullable",
        "request-body-became-optional",
        "request-body-became-required",
        "request-body-enum-value-removed",
        "request-body-exclusive-max-decreased",
        "request-body-exclusive-max-increased",
        "request-body-exclusive-max-set",
        "request-body-exclusive-min-decreased",
        "request-body-exclusive-min-increased",
        "request-body-exclusive-min-set",
        "request-body-max-decreased",
        "request-body-max-increased",
        "request-body-max-length-decreased",
        "request-body-max-length-increased",
        "request-body-max-length-set",
        "request-body-max-set",
        "request-body-media-type-added",
        "request-body-media-type-removed",
        "request-body-min-decreased",
        "request-body-min-increased",
        "request-body-min-items-increased",
        "request-body-min-items-set",
        "request-body-min-length-decreased",
        "request-body-min-length-increased",
        "request-body-min-set",
        "request-body-one-of-added",
        "request-body-one-of-removed",
        "request-body-removed",
        "request-body-type-changed",
        "request-body-type-generalized",
        "request-parameter-became-enum",
        "request-parameter-became-not-nullable",
        "request-parameter-became-nullable",
        "request-parameter-became-optional",
        "request-parameter-became-required",
        "request-parameter-enum-value-added",
        "request-parameter-enum-value-removed",
        "request-parameter-exclusive-max-decreased",
        "request-parameter-exclusive-max-increased",
        "request-parameter-exclusive-max-set",
        "request-parameter-exclusive-min-decreased",
        "request-parameter-exclusive-min-increased",
        "request-parameter-exclusive-min-set",
        "request-parameter-max-decreased",
        "request-parameter-max-increased",
        "request-parameter-max-items-decreased",
        "request-parameter-max-items-increased",
        "request-parameter-max-length-decreased",
        "request-parameter-max-length-increased",
        "request-parameter-max-length-set",
        "request-parameter-max-set",
        "request-parameter-min-decreased",
        "request-parameter-min-increased",
        "request-parameter-min-items-decreased",
        "request-parameter-min-items-increased",
        "request-parameter-min-items-set",
        "request-parameter-min-length-decreased",
        "request-parameter-min-length-increased",
        "request-parameter-min-set",
        "request-parameter-pattern-added",
        "request-parameter-pattern-changed",
        "request-parameter-pattern-removed",
        "request-parameter-removed",
        "request-parameter-type-changed",
        "request-parameter-type-generalized",
        "request-property-any-of-added",
        "request-property-any-of-removed",
        "request-property-became-enum",
        "request-property-became-not-nullable",
        "request-property-became-nullable",
        "request-property-became-optional",
        "request-property-became-required",
        "request-property-enum-value-added",
        "request-property-enum-value-removed",
        "request-property-exclusive-max-decreased",
        "request-property-exclusive-max-increased",
        "request-property-exclusive-max-set",
        "request-property-exclusive-min-decreased",
        "request-property-exclusive-min-increased",
        "request-property-exclusive-min-set",
        "request-property-max-decreased",
        "request-property-max-increased",
        "request-property-max-length-decreased",
        "request-property-max-length-increased",
        "request-property-max-length-set",
        "request-property-max-set",
        "request-property-min-decreased",
        "request-property-min-increased",
        "request-property-min-items-increased",
        "request-property-min-items-set",
        "request-property-min-length-decreased",
        "request-property-min-length-increased",
        "request-property-min-set",
        "request-property-one-of-added",
        "request-property-one-of-removed",
        "request-property-pattern-added",
        "request-property-pattern-changed",
        "request-property-pattern-removed",
        "request-property-removed",
        "request-property-type-changed",
        "request-property-type-generalized",
        "response-body-any-of-added",
        "response-body-any-of-removed",
        "response-body-became-not-nullable",
        "response-body-became-nullable",
        "response-body-exclusive-max-increased",
        "response-body-exclusive-min-decreased",
        "response-body-max-increased",
        "response-body-max-length-increased",
        "response-body-max-length-unset",
        "response-body-min-decreased",
        "response-body-min-items-decreased",
        "response-body-min-items-unset",
        "response-body-min-length-decreased",
        "response-body-one-of-added",
        "response-body-one-of-removed",
        "response-body-type-changed",
        "optional-response-header-removed",
        "required-response-header-removed",
        "response-header-added",
        "response-media-type-added",
        "response-media-type-removed",
        "response-non-success-status-added",
        "response-non-success-status-removed",
        "response-optional-property-added",
        "response-optional-property-removed",
        "response-property-any-of-added",
        "response-property-any-of-removed",
        "response-property-became-not-nullable",
        "response-property-became-nullable",
        "response-property-became-optional",
        "response-property-became-required",
        "response-property-enum-value-added",
        "response-property-enum-value-removed",
        "response-property-exclusive-max-increased",
        "response-property-exclusive-min-decreased",
        "response-property-max-increased",
        "response-property-max-length-increased",
        "response-property-max-length-unset",
        "response-property-min-decreased",
        "response-property-min-items-decreased",
        "response-property-min-items-unset",
        "response-property-min-length-decreased",
        "response-property-one-of-added",
        "response-property-one-of-removed",
        "response-property-pattern-added",
        "response-property-pattern-changed",
        "response-property-pattern-removed",
        "response-property-type-changed",
        "response-required-property-added",
        "response-required-property-removed",
        "response-success-status-added",
        "response-success-status-removed",
    }
)
