"""The rule registry: a rule is one function plus its metadata, declared together.

The built-in rules are every ``Rule`` at the top level of the modules of this package (but the
machinery: ``_registry``, ``_loading``, ``_docs``, ``_quiet_checks``): a new rule is one decorated function in one
of them, or in a new module here, and nothing else. ``rules_of`` finds them exactly as
``load_rules`` finds a user's; every tier of the validator runs every one of them.

A rule's function receives the decoded record as a read-only mapping of plain JSON values
(``dict``, ``list``, ``str``, ``int``, an integral ``float`` where jsonschema took one for an
integer, ``bool``, ``None``) and yields ``(json_pointer, message)`` pairs. What the schema rejected
is invisible: a rejected member is absent, a rejected array item is ``REJECTED``. The function
must not modify the record (the other rules read the same one). Built-in rules read only the
members the spec lists: the fastest tier hands them the record without the others.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from vox_validators._findings import Finding, Severity

CAMPAIGN = "Campaign"
CREATE = "CreateCampaignRequest"
UPDATE = "UpdateCampaignRequest"
ENVELOPE = "ErrorEnvelope"
REQUESTS = (CREATE, UPDATE)
EVERY_SCHEMA = (CAMPAIGN, CREATE, UPDATE, ENVELOPE)

Check = Callable[[Mapping[str, Any]], Iterable[tuple[str, str]]]
"""A rule's function: the record in, ``(json_pointer, message)`` pairs out."""

_SEVERITIES = ("error", "warning")


class _Rejected:
    """An array item the schema rejected, as the rules see it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "REJECTED"

    def __reduce__(self) -> str:
        return "REJECTED"  # one object in every process


REJECTED: Any = _Rejected()
"""What a rule sees in place of an array item the schema rejected (compare with ``is``)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: ``id`` (stable), ``severity``, a one-line ``description``, ``source`` (the docs
    statement or spec decision it derives from), the component ``schemas`` it applies to, and
    ``check``, its function. A rule without ``check`` is catalogue-only: a finding the validator
    or a reader makes itself (``parse``, ``drift``, ``internal``, ...)."""

    id: str
    severity: Severity
    description: str
    source: str
    schemas: tuple[str, ...] = (CAMPAIGN,)
    check: Check | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "severity": self.severity,
            "description": self.description,
            "source": self.source,
            "schemas": list(self.schemas),
        }


def rule(
    id: str,
    *,
    severity: Severity,
    schemas: Sequence[str] = (CAMPAIGN,),
    description: str,
    source: str,
) -> Callable[[Check], Rule]:
    """Declare a rule: ``@rule("ACME-E001", severity="error", ...)`` on its function.

    The decorated name is bound to the ``Rule`` (its function is ``.check``). Declaring registers
    nothing: the built-in rules are those of this package's modules, a user's are passed as
    ``rules=`` or loaded with ``load_rules``.
    """
    if severity not in _SEVERITIES:
        raise ValueError(f"{severity!r} is not a severity: use 'error' or 'warning'")
    if isinstance(schemas, str):
        raise TypeError(f"schemas={schemas!r} must be a sequence of schema names, not a string")
    names = tuple(schemas)

    def declare(check: Check) -> Rule:
        # The decorated name is bound to the Rule, so the function is found as <name>.check:
        # pickle looks it up there (by reference), as worker processes need.
        qualname = getattr(check, "__qualname__", None)
        if isinstance(qualname, str):
            with contextlib.suppress(AttributeError, TypeError):
                check.__qualname__ = f"{qualname}.check"
        return Rule(id, severity, description, source, names, check)

    return declare


def rules_of(module: ModuleType) -> list[Rule]:
    """Every ``Rule`` at the top level of ``module``, in definition order.

    A rule whose function is defined in another module (a ``Rule`` imported here) is that
    module's, and left out; each rule is listed once.
    """
    found: list[Rule] = []
    seen: set[int] = set()
    for value in list(vars(module).values()):
        if not isinstance(value, Rule) or id(value) in seen:
            continue
        defined_in = getattr(value.check, "__module__", module.__name__)
        if defined_in != module.__name__:
            continue
        seen.add(id(value))
        found.append(value)
    return found


# The built-in modules in the order their rules run (so findings come in the order they always
# have); a module not listed runs after these, in name order.
_RUN_ORDER = (
    "_status",
    "_counts",
    "_concurrency",
    "_timestamps",
    "_windows",
)
# Ids of built-in rules that were removed, each with where its check went. A retired id is never
# given to another rule, built-in or custom: old reports and suppressions still name it.
RETIRED: dict[str, str] = {
    "VOX-E004": "the schema: total_calls, completed_calls and failed_calls have minimum 0",
    "VOX-E008": "the schema: concurrency is 1..100 (Campaign and CreateCampaignRequest)",
    "VOX-E011": "the schema: from_number and presentation_number match ^[0-9]+(?![\\s\\S])",
    "VOX-E012": "the schema: name is a CampaignName (1..255 characters, not only whitespace)",
    "VOX-E014": "the schema: agent.agent_id matches the 8-4-4-4-12 UUID pattern",
}
_MACHINERY = frozenset({"_docs", "_loading", "_quiet_checks", "_registry", "_specialize"})
# Catalogue-only ids listed before the business rules in RULES; the others come after them.
_LISTED_FIRST = ("parse",)


@dataclass(frozen=True, slots=True)
class _Registry:
    catalogue: tuple[Rule, ...]
    """Every built-in rule, as ``RULES`` lists them."""
    by_id: dict[str, Rule]
    running: tuple[Rule, ...]
    """The built-in rules with a function, in the order they run."""


_current: list[_Registry] = []
_running_by_schema: dict[str, tuple[Rule, ...]] = {}
_quiet_by_schema: dict[str, Callable[[Mapping[str, Any]], bool]] = {}
_struct_quiet_by_schema: dict[str, Callable[[Any], bool] | None] = {}


def builtin_modules() -> list[ModuleType]:
    """The modules of the built-in rules, in run order."""
    package = importlib.import_module(__name__.rpartition(".")[0])
    names = {info.name for info in pkgutil.iter_modules(package.__path__)} - _MACHINERY
    ordered = [name for name in _RUN_ORDER if name in names]
    ordered += sorted(names - set(_RUN_ORDER))
    return [importlib.import_module(f"{package.__name__}.{name}") for name in ordered]


def discover() -> None:
    """(Re)build the registry from the built-in modules; done once, on first use."""
    found = [each for module in builtin_modules() for each in rules_of(module)]
    by_id: dict[str, Rule] = {}
    for each in found:
        if each.id in by_id:
            raise RuntimeError(f"{each.id!r} names two built-in rules")
        if each.id in RETIRED:
            raise RuntimeError(f"{each.id!r} is a retired rule id: give the rule a new one")
        by_id[each.id] = each
    catalogue_only = [each for each in found if each.check is None]
    first = [each for each in catalogue_only if each.id in _LISTED_FIRST]
    last = [each for each in catalogue_only if each.id not in _LISTED_FIRST]
    running = tuple(each for each in found if each.check is not None)
    catalogue = (*first, *sorted(running, key=lambda each: each.id), *last)
    _current[:] = [_Registry(catalogue, {each.id: each for each in catalogue}, running)]
    _running_by_schema.clear()
    _quiet_by_schema.clear()
    _struct_quiet_by_schema.clear()
    _asked_by_schema.clear()
    _warm.clear()


def registry() -> _Registry:
    if not _current:
        discover()
    return _current[0]


def running_for(schema: str) -> tuple[Rule, ...]:
    """The built-in rules that run on a record of ``schema``, in order."""
    rules = _running_by_schema.get(schema)
    if rules is None:
        rules = tuple(each for each in registry().running if schema in each.schemas)
        _running_by_schema[schema] = rules
    return rules


#: Records of a schema checked by running the rules' generators before their quiet checks are
#: derived: deriving costs about 70 ms, which running the generators instead costs only over
#: some 20,000 records, so a short run (a few files, a pre-commit hook) never pays it, and a
#: long one loses at most this many records' difference (a few ms).
QUIET_CHECKS_AFTER = 2000
_asked_by_schema: dict[str, int] = {}
_warm: set[str] = set()


def quiet_checks_pay(schema: str) -> bool:
    """Whether the validator should ask the quiet checks of ``schema`` (``quiet_for``,
    ``struct_quiet_for``) for this record, rather than run the rules' generators: True once
    :data:`QUIET_CHECKS_AFTER` records of ``schema`` have asked, or once a check is derived."""
    if schema in _warm:
        return True
    asked = _asked_by_schema.get(schema, 0) + 1
    _asked_by_schema[schema] = asked
    if asked > QUIET_CHECKS_AFTER:
        _warm.add(schema)
        return True
    return False


def quiet_for(schema: str) -> Callable[[Mapping[str, Any]], bool]:
    """Whether no built-in rule of ``schema`` reports on a record (False: run them to see).

    Derived from the running rules themselves (``_quiet_checks``), so it covers every one.
    """
    quiet = _quiet_by_schema.get(schema)
    if quiet is None:
        from vox_validators.rules._quiet_checks import quiet_check  # noqa: PLC0415 - a cycle

        quiet = quiet_check(running_for(schema))
        _quiet_by_schema[schema] = quiet
        _warm.add(schema)  # derived: asking it costs less than running the generators
    return quiet


def struct_quiet_for(schema: str, struct_type: type) -> Callable[[Any], bool] | None:
    """``quiet_for(schema)`` run on the msgspec struct the decoder made (its verdict is that of
    ``quiet_for`` on ``msgspec.to_builtins`` of it), or None when the rules need the dict."""
    try:  # one struct type per schema: the decoder's
        return _struct_quiet_by_schema[schema]
    except KeyError:
        from vox_validators.rules._quiet_checks import struct_quiet_check  # noqa: PLC0415

        quiet = struct_quiet_check(running_for(schema), struct_type)
        _struct_quiet_by_schema[schema] = quiet
        _warm.add(schema)
        return quiet


def extras_for(rules: Iterable[Rule], schema: str) -> tuple[Rule, ...]:
    """The extra rules (``rules=``) that run on a record of ``schema``."""
    return tuple(each for each in rules if each.check is not None and schema in each.schemas)


def run_rules(rules: Iterable[Rule], record: Mapping[str, Any], out: list[Finding]) -> None:
    """Append the findings of each rule on ``record`` to ``out``, running their generators.

    A rule that raises adds one ``internal`` error (after what it yielded before); the others
    still run. The validator asks the rules' quiet check (``quiet_for``) first: this runs only
    on a record some rule reports on, and decides what is reported.
    """
    for each in rules:
        try:
            for path, message in each.check(record):  # type: ignore[misc]  # only rules with one
                out.append(Finding(each.id, each.severity, path, message))
        except Exception as error:  # a broken rule is a finding on this record, never a crash
            message = f"rule {each.id} failed on this record: {error!r}"
            out.append(Finding("internal", "error", "", message))
