"""Reading the parts of an OpenAPI document the diff compares: pure functions of nodes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from vox_validators.jsonpointer import deref, join

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def union(old: dict[Any, Any], new: dict[Any, Any]) -> list[Any]:
    """Keys of both mappings: the old order, then keys only the new one has."""
    return [*old, *(key for key in new if key not in old)]


def operations_of(item: Any, item_ptr: str) -> Iterator[tuple[str, tuple[dict[str, Any], str]]]:
    if isinstance(item, dict):
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                yield method, (item[method], join(item_ptr, method))


def at(node: Any, pointer: str, *keys: str) -> str:
    """The pointer of the first of ``keys`` present in ``node``, else of ``node`` itself."""
    if isinstance(node, dict):
        for key in keys:
            if key in node:
                return join(pointer, key)
    return pointer


def show(value: Any) -> str:
    if value is None:
        return "none"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") in ("null", ["null"])


def unwrap_null(
    document: dict[str, Any], schema: dict[str, Any], pointer: str
) -> tuple[bool, dict[str, Any], str]:
    """(nullable, the schema describing the non-null values, its pointer).

    Null is allowed by ``type: [x, 'null']``, by a ``{type: 'null'}`` alternative of
    ``anyOf``/``oneOf``, by ``null`` in ``enum``, or by OpenAPI 3.0's ``nullable: true``.
    """
    types = schema.get("type")
    enum = schema.get("enum")
    nullable = (
        schema.get("nullable") is True
        or (isinstance(types, list) and "null" in types)
        or (isinstance(enum, list) and None in enum)
    )
    for keyword in ("anyOf", "oneOf"):
        branches = schema.get(keyword)
        if not isinstance(branches, list):
            continue
        resolved = [
            deref(document, branch, join(pointer, keyword, i)) for i, branch in enumerate(branches)
        ]
        if any(is_null_schema(branch) for branch, _ in resolved):
            nullable = True
            others = [(branch, ptr) for branch, ptr in resolved if not is_null_schema(branch)]
            if len(others) == 1 and isinstance(others[0][0], dict):
                return True, others[0][0], others[0][1]
    return nullable, schema, pointer


def non_null_branches(
    document: dict[str, Any], branches: Any, pointer: str
) -> list[tuple[Any, str]]:
    if not isinstance(branches, list):
        return []
    resolved = [deref(document, branch, join(pointer, i)) for i, branch in enumerate(branches)]
    return [(branch, ptr) for branch, ptr in resolved if not is_null_schema(branch)]


def types_of(schema: dict[str, Any]) -> frozenset[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        types = {declared}
    elif isinstance(declared, list):
        types = {str(t) for t in declared}
    elif "properties" in schema or "required" in schema:
        types = {"object"}
    elif "items" in schema:
        types = {"array"}
    else:
        types = set()  # any type
    return frozenset(types - {"null"})


def type_text(types: frozenset[str]) -> str:
    return "|".join(sorted(types)) if types else "any"


def enum_values(schema: dict[str, Any]) -> dict[str, Any] | None:
    if isinstance(schema.get("enum"), list):
        values = schema["enum"]
    elif "const" in schema:
        values = [schema["const"]]
    else:
        return None
    # null is nullability, reported as such; values are keyed by their JSON text.
    return {json.dumps(v, sort_keys=True): v for v in values if v is not None}


def object_view(
    document: dict[str, Any], schema: dict[str, Any], pointer: str
) -> tuple[dict[str, tuple[Any, str]], set[str], str]:
    """Properties (with pointers), required names, and where properties live.

    ``allOf`` parts are merged in, so a schema split into parts compares like one object.
    """
    properties: dict[str, tuple[Any, str]] = {}
    required: set[str] = set()
    parts = [(schema, pointer)]
    all_of = schema.get("allOf")
    if isinstance(all_of, list):
        parts += [deref(document, part, join(pointer, "allOf", i)) for i, part in enumerate(all_of)]
    for part, part_ptr in parts:
        if not isinstance(part, dict):
            continue
        for name, prop in mapping(part.get("properties")).items():
            properties.setdefault(str(name), (prop, join(part_ptr, "properties", str(name))))
        if isinstance(part.get("required"), list):
            required |= {str(name) for name in part["required"]}
    return properties, required, at(schema, pointer, "properties")


def required_ptr(schema: dict[str, Any], pointer: str) -> str:
    return at(schema, pointer, "required")


def security_requirements(security: Any) -> dict[frozenset[str], dict[str, frozenset[str]]]:
    """Security requirements as {scheme names: {scheme: scopes}}; any one of them suffices."""
    found: dict[frozenset[str], dict[str, frozenset[str]]] = {}
    for requirement in security if isinstance(security, list) else []:
        if isinstance(requirement, dict):
            scopes = {
                str(name): frozenset(str(s) for s in (value if isinstance(value, list) else []))
                for name, value in requirement.items()
            }
            found[frozenset(scopes)] = scopes
    return found


def server_urls(servers: Any) -> list[str]:
    """The URLs of top-level ``servers``; absent means ``/`` (OpenAPI's default)."""
    if not isinstance(servers, list) or not servers:
        return ["/"]
    return [str(s.get("url")) if isinstance(s, dict) else str(s) for s in servers]


def schemes_text(schemes: frozenset[str]) -> str:
    return "{" + ", ".join(sorted(schemes)) + "}" if schemes else "{} (no authentication)"


def equivalent(
    old_document: dict[str, Any],
    old: Any,
    new_document: dict[str, Any],
    new: Any,
    assume: tuple[tuple[Any, Any], ...] = (),
) -> bool:
    """Whether ``old`` and ``new`` are the same value once their local ``$ref``s are followed.

    Recursive schemas are compared as graphs: each (old node, new node) pair is checked once,
    and a pair met again while it is being checked is taken as equal (any difference still
    makes the whole answer false). So the work is linear in what is compared, never a tree
    unfolded to some depth. ``assume`` gives pairs of nodes to take as equal. ``true`` is not
    ``1`` here, as in JSON; ``1`` is ``1.0``.
    """
    checked = {(id(old_node), id(new_node)) for old_node, new_node in assume}
    pending = [(old, new)]
    while pending:
        old_node, new_node = pending.pop()
        old_node, _ = deref(old_document, old_node, "")
        new_node, _ = deref(new_document, new_node, "")
        if isinstance(old_node, dict) and isinstance(new_node, dict):
            if (id(old_node), id(new_node)) in checked:
                continue
            checked.add((id(old_node), id(new_node)))
            if old_node.keys() != new_node.keys():
                return False
            pending += [(value, new_node[key]) for key, value in old_node.items()]
        elif isinstance(old_node, list) and isinstance(new_node, list):
            if (id(old_node), id(new_node)) in checked:
                continue
            checked.add((id(old_node), id(new_node)))
            if len(old_node) != len(new_node):
                return False
            pending += zip(old_node, new_node, strict=True)
        elif not _same_scalar(old_node, new_node):
            return False
    return True


def _same_scalar(old: Any, new: Any) -> bool:
    if isinstance(old, dict | list) or isinstance(new, dict | list):
        return False  # a container against a scalar
    return isinstance(old, bool) == isinstance(new, bool) and bool(old == new)
