"""The rule registry: every business rule is one function plus its metadata.

Public API::

    from collections.abc import Iterator, Mapping
    from typing import Any

    from vox_validators.rules import rule

    @rule("ACME-W001", severity="warning", schemas=("Campaign",),
          description="Campaigns call at most 10,000 people.", source="ACME calling policy")
    def at_most_ten_thousand_calls(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        total = record.get("total_calls")
        if isinstance(total, int) and total > 10_000:
            yield "/total_calls", f"{total} calls is more than the 10,000 ACME allows"

- ``rule(id, *, severity, schemas=("Campaign",), description, source)``: a decorator that turns
  the function into a ``Rule`` (it registers nothing: pass custom rules as ``rules=`` to
  ``validate``, ``validate_json``, ``validate_many`` or ``validate_record``).
- ``Rule(id, severity, description, source, schemas=("Campaign",), check=None)``: frozen;
  ``as_dict()`` is what ``voxkit rules --format json`` prints. Without ``check`` a rule is
  catalogue-only (``parse``, ``drift``, ``internal``, ``undocumented``, ``not-captured``).
- The function receives the decoded record as a read-only mapping of plain JSON values and
  yields ``(json_pointer, message)`` pairs; the message starts with the offending value. What
  the schema rejected is invisible: a rejected member is absent, a rejected array item is
  ``REJECTED``. A rule that raises is one ``internal`` error on that record.
- ``RULES``: every built-in rule, catalogue order (``parse``, ``VOX-E...``, ``VOX-W...``,
  ``drift``, ``internal``, ...); ``RULES_BY_ID`` indexes it. Built-in rules are the ``Rule``\\ s
  at the top level of this package's modules.
- ``load_rules(spec)``: the top-level Rules of a Python file or module (``--rules``);
  ``entry_point_rules()``: those of the ``voxkit.rules`` entry-point group;
  ``check_extra_rules(rules)``: refuses an id that clashes (``RuleClashError``);
  ``extra_rules(specs)``: the entry-point rules and those of each spec, checked (the CLI's).
  ``RuleLoadError`` and ``RuleClashError`` are ``RuleError``\\ s, which are ``ValueError``\\ s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vox_validators.rules._loading import (
    RuleClashError,
    RuleError,
    RuleLoadError,
    check_extra_rules,
    entry_point_rules,
    extra_rules,
    load_rules,
)
from vox_validators.rules._registry import REJECTED, Rule, registry, rule

if TYPE_CHECKING:
    RULES: tuple[Rule, ...]
    RULES_BY_ID: dict[str, Rule]


def __getattr__(name: str) -> object:
    # Derived from the rule modules on first use (and after a rediscovery, in tests).
    if name == "RULES":
        return registry().catalogue
    if name == "RULES_BY_ID":
        return dict(registry().by_id)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "REJECTED",
    "RULES",
    "RULES_BY_ID",
    "Rule",
    "RuleClashError",
    "RuleError",
    "RuleLoadError",
    "check_extra_rules",
    "entry_point_rules",
    "extra_rules",
    "load_rules",
    "rule",
]
