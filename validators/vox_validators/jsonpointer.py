"""JSON Pointers (RFC 6901) and local ``$ref`` references: the one implementation.

The validators point at findings with it, ``voxkit.specdiff`` follows an OpenAPI document's
references with it, and the (development-only) generator checks the spec's references with it.
It imports nothing but the standard library, so none of them loads the schema bundle through it.

A reference is local when it is a URI fragment holding a pointer: ``#`` (the whole document) or
``#/components/schemas/Campaign``. Fragments are read as written, without percent-decoding:
OpenAPI documents write ``#/paths/~1v3~1campaigns~1{campaign_id}``, braces and all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = [
    "Path",
    "deref",
    "escape",
    "existing",
    "iter_refs",
    "join",
    "lookup",
    "parse",
    "pointer",
    "unescape",
]

Path = tuple[str | int, ...]
"""A location in a record as its keys and indices, outermost first."""

# RFC 6901 section 4: an array index is 0 or has no leading zero (and "-", past the end, names
# nothing that exists). str.isdigit() would also let "01" and non-ASCII digits such as "١" in.
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")


def escape(token: str | int) -> str:
    """One reference token as a pointer writes it: ``a/b~c`` is ``a~1b~0c``."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """The key a written token names: ``a~1b~0c`` is ``a/b~c`` (``~1`` first, as RFC 6901 says)."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer(tokens: Iterable[str | int]) -> str:
    """The JSON Pointer of ``tokens``: ``("windows", 0, "a/b")`` is ``/windows/0/a~1b``."""
    return "".join("/" + escape(token) for token in tokens)


def join(base: str, *tokens: str | int) -> str:
    """``base`` (a pointer) extended by ``tokens``: ``join("/paths", "/v3")`` is ``/paths/~1v3``."""
    return base + pointer(tokens)


def parse(text: str) -> list[str]:
    """The keys a pointer names, outermost first; ``""`` (the whole document) is ``[]``.

    Raises ``ValueError`` for text that is not a pointer (non-empty, not starting with ``/``).
    """
    if not text:
        return []
    if not text.startswith("/"):
        raise ValueError(f"{text!r} is not a JSON Pointer: it must be empty or start with '/'")
    return [unescape(token) for token in text[1:].split("/")]


def lookup(document: Any, ref: str) -> tuple[bool, Any]:
    """Follow a local reference (``#`` or ``#/a/b``): ``(True, node)``, or ``(False, None)``.

    Anything else is not found: the documents read here are one self-contained file each, so a
    reference to another file, or a fragment that is not a pointer (``#name``), names nothing.
    """
    if not ref.startswith("#"):
        return False, None
    try:
        keys = parse(ref[1:])
    except ValueError:
        return False, None
    node = document
    for key in keys:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and _ARRAY_INDEX.fullmatch(key) and int(key) < len(node):
            node = node[int(key)]
        else:
            return False, None
    return True, node


def iter_refs(node: Any, base: str = "") -> Iterator[tuple[str, str]]:
    """Every ``$ref`` string under ``node``, with the pointer of its ``$ref`` member."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield join(base, "$ref"), ref
        for key, value in node.items():
            yield from iter_refs(value, join(base, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from iter_refs(value, join(base, index))


def deref(document: Any, node: Any, at: str) -> tuple[Any, str]:
    """Follow the ``$ref`` chain from ``node`` (found at pointer ``at``) to the node it names.

    Returns that node and its own pointer, so that what is inside a referenced component is
    placed where it is written. A missing target or a reference loop stops the walk at the last
    node reached.
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
        node, at = target, ref[1:]
    return node, at


def existing(document: Any, at: str) -> str:
    """``at`` if it names a node of ``document``, else its nearest ancestor that does."""
    while at and not lookup(document, "#" + at)[0]:
        at = at.rsplit("/", 1)[0]
    return at
