"""Catalogue-only rules: findings the validator and the readers make themselves.

They have no function (nothing to run on a record); they are here so that ``RULES`` and
``voxkit rules`` name every rule a finding can carry.
"""

from __future__ import annotations

from vox_validators.rules._registry import EVERY_SCHEMA, Rule

_CONTRACT = "voxkit's contract (docs/contracts.md)"

parse = Rule(
    "parse",
    "error",
    "The record is valid JSON (as Python's json.loads reads it).",
    f"{_CONTRACT}: unparseable input is a finding on that record, never a crash.",
    EVERY_SCHEMA,
)

drift = Rule(
    "drift",
    "warning",
    "A field the spec does not list (only with strict=True / --strict).",
    "Spec decision (Campaign): fields the docs do not list are allowed for forward "
    "compatibility; strict mode reports them so spec drift is noticed.",
    EVERY_SCHEMA,
)

internal = Rule(
    "internal",
    "error",
    "A rule or the validator itself failed on this record (the message names the rule).",
    f"{_CONTRACT}: a failure on one record is a finding on that record, never a crash; the "
    "other rules and records still run.",
    EVERY_SCHEMA,
)

undocumented = Rule(
    "undocumented",
    "warning",
    "A recorded response to an operation (or status) the spec does not document; its body "
    "is not validated.",
    f"{_CONTRACT}: nothing recorded is skipped silently.",
    (),
)

not_captured = Rule(
    "not-captured",
    "warning",
    "A HAR entry whose body was not captured, or that got no response.",
    f"{_CONTRACT}: nothing recorded is skipped silently.",
    (),
)

limit = Rule(
    "limit",
    "error",
    "An input, record or response over one of the readers' size limits (the message names the "
    "limit and how to raise it); what is over the limit is not read further.",
    f"{_CONTRACT}: hostile or broken input is a finding on that input, memory stays flat, and "
    "the run goes on with the rest.",
    (),
)

secret = Rule(
    "secret",
    "error",
    "A credential in recorded traffic (an Authorization or API-key header, a bearer token or key "
    "in a URL, query string or body of a cassette or HAR file); the value is masked.",
    f"{_CONTRACT}: recorded traffic is committed and shared, so a credential in it is reported, "
    "never printed.",
    (),
)
