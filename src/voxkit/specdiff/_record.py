"""Recording changes: one entry per change, with every operation that reaches it.

``Recorder`` also holds the checks every level of the document shares: descriptions and examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vox_validators.jsonpointer import deref, existing, join
from voxkit.specdiff._checks import CHECKS, Classification
from voxkit.specdiff._nodes import at, equivalent, mapping, union

DOC_KEYS = ("summary", "description", "title")
EXAMPLE_KEYS = ("example", "examples")


@dataclass(frozen=True)
class Change:
    """One difference between the documents, classified for a user of the strict client."""

    id: str
    classification: Classification
    message: str
    old_pointer: str
    new_pointer: str
    role: str | None
    operations: tuple[str, ...]

    @property
    def breaking(self) -> bool:
        return self.classification is Classification.BREAKING

    @property
    def oasdiff(self) -> bool:
        return CHECKS[self.id].oasdiff


@dataclass(frozen=True)
class DiffReport:
    old: str
    new: str
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.breaking)

    @property
    def non_breaking(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if not change.breaking)


@dataclass
class _Found:
    change_id: str
    message: str
    old_pointer: str
    new_pointer: str
    role: str | None
    operations: list[str] = field(default_factory=list)


@dataclass
class Recorder:
    old: dict[str, Any]
    new: dict[str, Any]
    _found: dict[tuple[str, str, str, str, str | None], _Found] = field(default_factory=dict)

    # ---- recording -------------------------------------------------------------------------

    def emit(
        self,
        change_id: str,
        message: str,
        pointers: tuple[str, str],
        *,
        role: str | None = None,
        operation: str | None = None,
    ) -> None:
        assert change_id in CHECKS, change_id  # every id is catalogued with its verdict
        # A side that lacks the node points at its nearest existing ancestor.
        old_ptr, new_ptr = existing(self.old, pointers[0]), existing(self.new, pointers[1])
        key = (change_id, message, old_ptr, new_ptr, role)
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = _Found(change_id, message, key[2], key[3], role)
        if operation is not None and operation not in found.operations:
            found.operations.append(operation)

    def changes(self) -> tuple[Change, ...]:
        changes = [
            Change(
                id=found.change_id,
                classification=CHECKS[found.change_id].classification,
                message=found.message,
                old_pointer=found.old_pointer,
                new_pointer=found.new_pointer,
                role=found.role,
                operations=tuple(found.operations),
            )
            for found in self._found.values()
        ]
        # Breaking first; otherwise the order of the documents (the walk is deterministic).
        order = {id(change): index for index, change in enumerate(changes)}
        return tuple(sorted(changes, key=lambda change: (not change.breaking, order[id(change)])))

    # ---- descriptions and examples, at every level ---------------------------------------------

    def _docs(self, old: Any, old_ptr: str, new: Any, new_ptr: str, operation: str | None) -> None:
        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        for key in DOC_KEYS:
            if old.get(key) != new.get(key):
                self.emit(
                    "description-changed",
                    f"{key} changed",
                    (at(old, old_ptr, key), at(new, new_ptr, key)),
                    operation=operation,
                )

    def _examples(
        self, old: Any, old_ptr: str, new: Any, new_ptr: str, operation: str | None
    ) -> None:
        old_named, new_named = mapping(old.get("examples")), mapping(new.get("examples"))
        keys: tuple[str, ...] = EXAMPLE_KEYS
        if old_named and new_named:
            # Named examples are compared one by one, where they are written (often a component).
            keys = ("example",)
            for name in union(old_named, new_named):
                self._named_example(name, (old_named, old_ptr), (new_named, new_ptr), operation)
        for key in keys:
            if not equivalent(self.old, old.get(key), self.new, new.get(key)):
                self.emit(
                    "example-changed",
                    f"{key} changed",
                    (at(old, old_ptr, key), at(new, new_ptr, key)),
                    operation=operation,
                )

    def _named_example(
        self,
        name: str,
        old: tuple[dict[str, Any], str],
        new: tuple[dict[str, Any], str],
        operation: str | None,
    ) -> None:
        (old_named, old_ptr), (new_named, new_ptr) = old, new
        if name not in new_named or name not in old_named:
            action = "added" if name in new_named else "removed"
            self.emit(
                "example-changed",
                f"example {name} {action}",
                (
                    join(old_ptr, "examples", *([name] if name in old_named else [])),
                    join(new_ptr, "examples", *([name] if name in new_named else [])),
                ),
                operation=operation,
            )
            return
        old_ex, old_ex_ptr = deref(self.old, old_named[name], join(old_ptr, "examples", name))
        new_ex, new_ex_ptr = deref(self.new, new_named[name], join(new_ptr, "examples", name))
        if not equivalent(self.old, old_ex, self.new, new_ex):
            self.emit(
                "example-changed",
                f"example {name} changed",
                (old_ex_ptr, new_ex_ptr),
                operation=operation,
            )
