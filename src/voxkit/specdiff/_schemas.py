"""Comparing two schemas in the role they play (request or response), recursively."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from vox_validators.jsonpointer import deref, join
from voxkit.specdiff._checks import LOWER_BOUNDS, OTHER_CONSTRAINTS, UPPER_BOUNDS
from voxkit.specdiff._nodes import (
    at,
    enum_values,
    equivalent,
    is_number,
    non_null_branches,
    object_view,
    required_ptr,
    show,
    type_text,
    types_of,
    unwrap_null,
)
from voxkit.specdiff._record import Recorder


@dataclass(frozen=True)
class Where:
    """Where a schema sits: the operation, the role, and the field path from the body."""

    operation: str
    role: str  # "request" or "response"
    parameter: str = ""  # "path parameter `id`" when the schema is a parameter's
    field: str = ""  # dotted path from the body or parameter: "agent.agent_id", "tasks[]"

    @property
    def subject(self) -> str:
        if self.parameter:
            return "request-parameter"
        return f"{self.role}-{'property' if self.field else 'body'}"

    @property
    def label(self) -> str:
        if self.parameter:
            return f"{self.parameter}" + (f" property `{self.field}`" if self.field else "")
        return f"{self.role} property `{self.field}`" if self.field else f"{self.role} body"

    def child(self, name: str) -> Where:
        return replace(self, field=f"{self.field}.{name}" if self.field else name)

    def items(self) -> Where:
        return replace(self, field=f"{self.field}[]")


# A pair of schemas (by their pointers) compared for one operation, role and parameter.
_Compared = tuple[str, str, str, str, str]


@dataclass
class SchemaComparer(Recorder):
    """Schema checks: types, nullability, enums, bounds, properties, items, alternatives."""

    # Each pair is compared once per operation and role, wherever else it is reached from: a
    # recursive schema ends, and schemas reached by many paths (nine properties naming the same
    # schema, nine levels deep) cost one comparison each rather than one per path. A change is
    # then named by the first field path that reaches it.
    _compared: set[_Compared] = field(default_factory=set)

    def _first_time(self, old_ptr: str, new_ptr: str, where: Where) -> bool:
        key = (old_ptr, new_ptr, where.role, where.operation, where.parameter)
        if key in self._compared:
            return False
        self._compared.add(key)
        return True

    def _schema(self, old_in: tuple[Any, str], new_in: tuple[Any, str], where: Where) -> None:
        old, old_ptr = deref(self.old, *old_in)
        new, new_ptr = deref(self.new, *new_in)
        if not isinstance(old, dict) or not isinstance(new, dict):
            return  # boolean schemas and other oddities: nothing comparable
        if not self._first_time(old_ptr, new_ptr, where):
            return
        self._docs(old, old_ptr, new, new_ptr, where.operation)
        self._examples(old, old_ptr, new, new_ptr, where.operation)
        old_nullable, old_core, old_core_ptr = unwrap_null(self.old, old, old_ptr)
        new_nullable, new_core, new_core_ptr = unwrap_null(self.new, new, new_ptr)
        if old_nullable != new_nullable:
            became = "nullable" if new_nullable else "not-nullable"
            self.emit(
                f"{where.subject}-became-{became}",
                f"{where.label} became {'nullable' if new_nullable else 'not nullable'}",
                (old_ptr, new_ptr),
                role=where.role,
                operation=where.operation,
            )
        if (old_core_ptr, new_core_ptr) != (old_ptr, new_ptr):
            # The nullable wrapper names another schema (anyOf: [{$ref}, {type: 'null'}]).
            if not self._first_time(old_core_ptr, new_core_ptr, where):
                return
            if old_core is not old and new_core is not new:
                self._docs(old_core, old_core_ptr, new_core, new_core_ptr, where.operation)
        self._types(old_core, old_core_ptr, new_core, new_core_ptr, where)
        self._enum(old_core, old_core_ptr, new_core, new_core_ptr, where)
        self._bounds(old_core, old_core_ptr, new_core, new_core_ptr, where)
        self._properties(old_core, old_core_ptr, new_core, new_core_ptr, where=where)
        if isinstance(old_core.get("items"), dict) and isinstance(new_core.get("items"), dict):
            self._schema(
                (old_core["items"], join(old_core_ptr, "items")),
                (new_core["items"], join(new_core_ptr, "items")),
                where.items(),
            )
        self._branches(old_core, old_core_ptr, new_core, new_core_ptr, where=where)

    def _types(
        self, old: dict[str, Any], old_ptr: str, new: dict[str, Any], new_ptr: str, where: Where
    ) -> None:
        old_types, new_types = types_of(old), types_of(new)
        pointers = (at(old, old_ptr, "type"), at(new, new_ptr, "type"))
        if old_types != new_types:
            widened = not new_types or (
                bool(old_types)
                and all(
                    t in new_types or (t == "integer" and "number" in new_types) for t in old_types
                )
            )
            request_widened = where.role == "request" and widened
            self.emit(
                f"{where.subject}-type-{'generalized' if request_widened else 'changed'}",
                f"{where.label}: type {type_text(old_types)} became {type_text(new_types)}",
                pointers,
                role=where.role,
                operation=where.operation,
            )
        old_format, new_format = old.get("format"), new.get("format")
        if old_format != new_format:
            # Dropping a request format accepts more; any other format change may not.
            generalized = where.role == "request" and new_format is None
            self.emit(
                f"{where.subject}-type-{'generalized' if generalized else 'changed'}",
                f"{where.label}: format {show(old_format)} became {show(new_format)}",
                (at(old, old_ptr, "format"), at(new, new_ptr, "format")),
                role=where.role,
                operation=where.operation,
            )

    def _enum(
        self, old: dict[str, Any], old_ptr: str, new: dict[str, Any], new_ptr: str, where: Where
    ) -> None:
        old_values, new_values = enum_values(old), enum_values(new)
        pointers = (at(old, old_ptr, "enum", "const"), at(new, new_ptr, "enum", "const"))
        emit_args = {"role": where.role, "operation": where.operation}
        if old_values is None and new_values is None:
            return
        if old_values is None:
            self.emit(
                f"{where.subject}-became-enum",
                f"{where.label} restricted to an enum",
                pointers,
                **emit_args,
            )
            return
        if new_values is None:
            self.emit(
                f"{where.subject}-enum-unset",
                f"{where.label} is no longer an enum",
                pointers,
                **emit_args,
            )
            return
        for key, value in old_values.items():
            if key not in new_values:
                self.emit(
                    f"{where.subject}-enum-value-removed",
                    f"{show(value)} removed from the enum of {where.label}",
                    pointers,
                    **emit_args,
                )
        for key, value in new_values.items():
            if key not in old_values:
                strict = " (breaking for a strict client, which rejects values it does not know)"
                self.emit(
                    f"{where.subject}-enum-value-added",
                    f"{show(value)} added to the enum of {where.label}"
                    + (strict if where.role == "response" else ""),
                    pointers,
                    **emit_args,
                )

    def _bounds(
        self, old: dict[str, Any], old_ptr: str, new: dict[str, Any], new_ptr: str, where: Where
    ) -> None:
        for keyword, fragment in (*LOWER_BOUNDS.items(), *UPPER_BOUNDS.items()):
            if keyword not in old and keyword not in new:
                continue
            old_value, new_value = old.get(keyword), new.get(keyword)
            if (keyword in old and not is_number(old_value)) or (
                keyword in new and not is_number(new_value)
            ):
                continue  # OpenAPI 3.0's boolean exclusiveMinimum: not a bound to order
            if old_value == new_value:
                continue
            if old_value is None:
                action, text = "set", f"{keyword} set to {show(new_value)}"
            elif new_value is None:
                action, text = "unset", f"{keyword} {show(old_value)} removed"
            else:
                action = "increased" if new_value > old_value else "decreased"
                text = f"{keyword} {action} from {show(old_value)} to {show(new_value)}"
            self.emit(
                f"{where.subject}-{fragment}-{action}",
                f"{where.label}: {text}",
                (at(old, old_ptr, keyword), at(new, new_ptr, keyword)),
                role=where.role,
                operation=where.operation,
            )
        for keyword, fragment in OTHER_CONSTRAINTS.items():
            old_value, new_value = old.get(keyword), new.get(keyword)
            if old_value == new_value or (
                keyword == "uniqueItems" and not old_value and not new_value
            ):
                continue
            if old_value is None or old_value is False:
                action, text = "added", f"{keyword} {show(new_value)} added"
            elif new_value is None or new_value is False:
                action, text = "removed", f"{keyword} {show(old_value)} removed"
            else:
                action, text = "changed", f"{keyword} {show(old_value)} became {show(new_value)}"
            self.emit(
                f"{where.subject}-{fragment}-{action}",
                f"{where.label}: {text}",
                (at(old, old_ptr, keyword), at(new, new_ptr, keyword)),
                role=where.role,
                operation=where.operation,
            )

    def _properties(
        self,
        old: dict[str, Any],
        old_ptr: str,
        new: dict[str, Any],
        new_ptr: str,
        *,
        where: Where,
    ) -> None:
        old_props, old_required, old_props_ptr = object_view(self.old, old, old_ptr)
        new_props, new_required, new_props_ptr = object_view(self.new, new, new_ptr)
        removed = [name for name in old_props if name not in new_props]
        added = [name for name in new_props if name not in old_props]
        renamed = self._renames((old, old_props), (new, new_props), removed, added)
        response = where.role == "response"
        for name in removed:
            child = where.child(name)
            if response:
                change_id = f"response-{'required' if name in old_required else 'optional'}-property-removed"
            else:
                change_id = "request-property-removed"
            hint = f" (renamed to `{renamed[name]}`?)" if name in renamed else ""
            self.emit(
                change_id,
                f"{child.label} removed{hint}",
                (old_props[name][1], new_props_ptr),
                role=where.role,
                operation=where.operation,
            )
        for name in added:
            child = where.child(name)
            required = name in new_required
            if response:
                change_id = f"response-{'required' if required else 'optional'}-property-added"
                text = f"new {'required' if required else 'optional'} {child.label}"
            else:
                change_id = f"new-{'required' if required else 'optional'}-request-property"
                text = f"new {'required' if required else 'optional'} {child.label}"
            self.emit(
                change_id,
                text,
                (old_props_ptr, new_props[name][1]),
                role=where.role,
                operation=where.operation,
            )
        for name in old_props:
            if name not in new_props:
                continue
            child = where.child(name)
            was, now = name in old_required, name in new_required
            if was != now:
                self.emit(
                    f"{'response' if response else 'request'}-property-became-{'required' if now else 'optional'}",
                    f"{child.label} became {'required' if now else 'optional'}",
                    (required_ptr(old, old_ptr), required_ptr(new, new_ptr)),
                    role=where.role,
                    operation=where.operation,
                )
            self._schema(old_props[name], new_props[name], child)

    def _renames(
        self,
        old: tuple[dict[str, Any], dict[str, tuple[Any, str]]],
        new: tuple[dict[str, Any], dict[str, tuple[Any, str]]],
        removed: list[str],
        added: list[str],
    ) -> dict[str, str]:
        """A removed and an added property with the same schema are likely a rename: say so.

        The schemas holding them are taken as the same, so a property that names its own
        object (a tree node's ``parent`` renamed ``up``) is recognised too.
        """
        if len(removed) != 1 or len(added) != 1:
            return {}
        (old_schema, old_props), (new_schema, new_props) = old, new
        same = equivalent(
            self.old,
            old_props[removed[0]][0],
            self.new,
            new_props[added[0]][0],
            assume=((old_schema, new_schema),),
        )
        return {removed[0]: added[0]} if same else {}

    def _branches(
        self,
        old: dict[str, Any],
        old_ptr: str,
        new: dict[str, Any],
        new_ptr: str,
        *,
        where: Where,
    ) -> None:
        for keyword, fragment in (("anyOf", "any-of"), ("oneOf", "one-of")):
            old_branches = non_null_branches(self.old, old.get(keyword), join(old_ptr, keyword))
            new_branches = non_null_branches(self.new, new.get(keyword), join(new_ptr, keyword))
            if len(old_branches) <= 1 and len(new_branches) <= 1:
                continue  # a nullable wrapper, handled by _unwrap_null
            pointers = (at(old, old_ptr, keyword), at(new, new_ptr, keyword))
            if len(new_branches) > len(old_branches):
                self.emit(
                    f"{where.subject}-{fragment}-added",
                    f"{where.label}: {keyword} has {len(new_branches)} alternatives, was {len(old_branches)}",
                    pointers,
                    role=where.role,
                    operation=where.operation,
                )
            elif len(new_branches) < len(old_branches):
                self.emit(
                    f"{where.subject}-{fragment}-removed",
                    f"{where.label}: {keyword} has {len(new_branches)} alternatives, was {len(old_branches)}",
                    pointers,
                    role=where.role,
                    operation=where.operation,
                )
            # Alternatives are matched by position: reordering them is reported as changes.
            for old_branch, new_branch in zip(old_branches, new_branches, strict=False):
                self._schema(old_branch, new_branch, where)
