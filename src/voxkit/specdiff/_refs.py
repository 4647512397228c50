"""JSON Pointers (RFC 6901) and local ``$ref`` resolution."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def escape(part: str | int) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def join(pointer: str, *parts: str | int) -> str:
    return pointer + "".join(f"/{escape(part)}" for part in parts)


def lookup(document: dict[str, Any], ref: str) -> tuple[bool, Any]:
    """Follow a local reference ``#/a/b``; (found, node)."""
    if not ref.startswith("#"):
        return False, None  # the spec is one self-contained file: only local references
    node: Any = document
    for part in ref[1:].split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False, None
    return True, node


def existing(document: dict[str, Any], pointer: str) -> str:
    """``pointer`` if it names a node of ``document``, else its nearest ancestor that does."""
    while pointer and not lookup(document, "#" + pointer)[0]:
        pointer = pointer.rsplit("/", 1)[0]
    return pointer


def resolves(document: dict[str, Any], ref: str) -> bool:
    return lookup(document, ref)[0]


def iter_refs(node: object, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every ``$ref`` string in the document, with the pointer of the ``$ref`` key."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield join(pointer, "$ref"), ref
        for key, value in node.items():
            yield from iter_refs(value, join(pointer, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from iter_refs(value, join(pointer, index))


def deref(document: dict[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """Follow ``$ref`` chains from ``node`` (at ``pointer``) to the node they name.

    Returns the resolved node and its own pointer, so a change inside a component is
    reported where it is written. A reference loop stops at the last node reached.
    """
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref: str = node["$ref"]
        if ref in seen:
            break
        seen.add(ref)
        found, target = lookup(document, ref)
        if not found:
            break
        node, pointer = target, ref[1:]
    return node, pointer
