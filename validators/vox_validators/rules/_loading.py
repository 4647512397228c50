"""Rules from outside: a Python file or module (``--rules``) and the ``voxkit.rules`` entry points."""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from vox_validators.rules._registry import RETIRED, Rule, registry, rules_of

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

ENTRY_POINT_GROUP = "voxkit.rules"


class RuleError(ValueError):
    """Custom rules that cannot be used; the message is one line, for people."""


class RuleLoadError(RuleError):
    """A file or module of rules that cannot be loaded (missing, failing, or without a Rule)."""


class RuleClashError(RuleError):
    """A custom rule id that is a built-in one, or that two custom rules share."""


# A file loaded twice is the same module, so its rules are the same objects (no clash).
_loaded_files: dict[Path, ModuleType] = {}


def load_rules(spec: str) -> list[Rule]:
    """Every ``Rule`` at the top level of a Python file or an importable module, in order.

    ``spec`` is a path when it ends in ``.py`` or names a directory part (``rules/acme.py``),
    otherwise a dotted module name (``acme.vox_rules``). A file is imported under a private
    module name of its own and registered in ``sys.modules``, so its rules pickle by reference
    (to worker processes forked from this one). Raises ``RuleLoadError``.
    """
    module = _import_file(spec) if _is_path(spec) else _import_module(spec)
    found = rules_of(module)
    if not found:
        raise RuleLoadError(f"{spec}: defines no Rule at its top level")
    return found


def _is_path(spec: str) -> bool:
    return spec.endswith(".py") or "/" in spec or "\\" in spec


def _import_file(spec: str) -> ModuleType:
    path = Path(spec)
    if not path.is_file():
        raise RuleLoadError(f"{spec}: no such file")
    resolved = path.resolve()
    if resolved in _loaded_files:
        return _loaded_files[resolved]
    stem = re.sub(r"\W", "_", resolved.stem)
    name = f"_voxkit_rules_{len(_loaded_files)}_{stem}"
    module_spec = importlib.util.spec_from_file_location(name, resolved)
    if module_spec is None or module_spec.loader is None:
        raise RuleLoadError(f"{spec}: not a Python file")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    try:
        module_spec.loader.exec_module(module)
    except Exception as error:
        del sys.modules[name]
        raise RuleLoadError(f"{spec}: {_one_line(error)}") from error
    _loaded_files[resolved] = module
    return module


def _import_module(spec: str) -> ModuleType:
    try:
        return importlib.import_module(spec)
    except Exception as error:
        raise RuleLoadError(f"{spec}: {_one_line(error)}") from error


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def entry_point_rules() -> list[Rule]:
    """The rules installed packages declare in the ``voxkit.rules`` entry-point group.

    An entry point names a ``Rule``, a module (its top-level Rules) or an iterable of Rules.
    Entry points are taken in name order. Raises ``RuleLoadError``.
    """
    if not _may_declare_entry_points():
        return []
    # Imported here: importlib.metadata (and reading every installed distribution) costs tens
    # of ms of start-up, which a run whose environment declares no rules never pays.
    from importlib.metadata import entry_points  # noqa: PLC0415

    found: list[Rule] = []
    points = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda point: point.name)
    for point in points:
        found += _rules_of_entry_point(point)
    return found


_METADATA_SUFFIXES = (".dist-info", ".egg-info")


def _may_declare_entry_points() -> bool:
    """Whether an installed distribution may declare entry points of the group: False only when
    no ``entry_points.txt`` where ``importlib.metadata`` looks mentions it.

    That is the standard finder's search (each folder of ``sys.path``, its ``*.dist-info`` and
    ``*.egg-info`` folders); anything else it could read (another finder of distributions, a
    zip or an ``.egg`` on ``sys.path``) answers True, and ``importlib.metadata`` decides.
    """
    for finder in sys.meta_path:
        finds_distributions = getattr(finder, "find_distributions", None) is not None
        if finds_distributions and finder is not importlib.machinery.PathFinder:
            return True
    group = ENTRY_POINT_GROUP.encode()
    for entry in sys.path:
        folder = Path(entry or ".")
        try:
            children = list(folder.iterdir())
        except NotADirectoryError:
            return True  # a zip file, say
        except OSError:
            continue  # missing: nothing there for importlib.metadata either
        if folder.name.lower().endswith(".egg"):
            return True
        for child in children:
            if not child.name.lower().endswith(_METADATA_SUFFIXES):
                continue
            try:
                if group in (child / "entry_points.txt").read_bytes():
                    return True
            except OSError:
                continue
    return False


def _rules_of_entry_point(point: EntryPoint) -> list[Rule]:
    where = f"entry point {point.name!r} ({point.value}) of group {ENTRY_POINT_GROUP}"
    try:
        target = point.load()
    except Exception as error:
        raise RuleLoadError(f"{where}: {_one_line(error)}") from error
    if isinstance(target, Rule):
        return [target]
    if isinstance(target, ModuleType):
        rules = rules_of(target)
    elif isinstance(target, Iterable) and not isinstance(target, str | bytes):
        rules = list(target)
    else:
        rules = []
    if not rules or not all(isinstance(each, Rule) for each in rules):
        raise RuleLoadError(f"{where}: names no Rule, module of Rules or iterable of Rules")
    return rules


def check_extra_rules(rules: Iterable[Rule]) -> tuple[Rule, ...]:
    """``rules`` as a tuple, each once, after checking that their ids clash with no other.

    Raises ``RuleClashError`` when an id is a built-in one (``VOX-E001``, ``parse``, a
    ``schema/`` id ...), a retired built-in one (``RETIRED``), or two different rules share it; ``RuleError`` for a value that is not a
    ``Rule``.
    """
    builtin = registry().by_id
    chosen: dict[str, Rule] = {}
    for each in rules:
        if not isinstance(each, Rule):
            raise RuleError(f"{each!r} is not a Rule")
        if each.id in builtin or each.id.startswith("schema/"):
            raise RuleClashError(
                f"{each.id!r} ({_origin(each)}) is the id of a built-in rule: "
                "give the custom rule an id of its own, such as 'ACME-E001'"
            )
        if each.id in RETIRED:
            raise RuleClashError(
                f"{each.id!r} ({_origin(each)}) is the id of a retired built-in rule (now "
                f"{RETIRED[each.id]}): give the custom rule an id of its own, such as 'ACME-E001'"
            )
        earlier = chosen.get(each.id)
        if earlier is each:
            continue
        if earlier is not None:
            raise RuleClashError(
                f"{each.id!r} names two custom rules ({_origin(earlier)} and {_origin(each)})"
            )
        chosen[each.id] = each
    return tuple(chosen.values())


def extra_rules(specs: Iterable[str] = ()) -> tuple[Rule, ...]:
    """What the command line adds to the built-in rules: the rules of installed packages
    (``entry_point_rules``), then those of each ``--rules`` spec, checked for clashes."""
    return check_extra_rules(
        [*entry_point_rules(), *(each for spec in specs for each in load_rules(spec))]
    )


def _origin(rule: Rule) -> str:
    """Where a rule's function is defined, for messages."""
    module = getattr(rule.check, "__module__", None)
    name = getattr(rule.check, "__qualname__", None)
    if module is None or name is None:
        return "no function"
    loaded = sys.modules.get(module)
    where = getattr(loaded, "__file__", None) if module.startswith("_voxkit_rules_") else None
    return f"{where or module}:{name}"
