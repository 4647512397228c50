"""JSON Pointers (RFC 6901) and local ``$ref`` references: the one implementation.

The validators point at findings with it, ``voxkit.specdiff`` follows an OpenAPI document's
references with it, and the (development-only) generator checks the spec's references with it.
It imports nothing but the standard library, so none of them loads the schema bundle through it.
Its walks over a whole document (``iter_refs``, ``ref_cycle``, ``check_size``) are iterative and
visit each parsed node once, by identity: a YAML alias bomb is one small object graph to them.

A reference is local when it is a URI fragment holding a pointer: ``#`` (the whole document) or
``#/components/schemas/Campaign``. Fragments are read as written, without percent-decoding:
OpenAPI documents write ``#/paths/~1v3~1campaigns~1{campaign_id}``, braces and all.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from typing import Any

__all__ = [
    "Path",
    "check_size",
    "deref",
    "escape",
    "existing",
    "iter_refs",
    "join",
    "lookup",
    "parse",
    "pointer",
    "ref_cycle",
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


def iter_refs(
    node: Any, base: str = "", keywords: Collection[str] = ("$ref",)
) -> Iterator[tuple[str, str]]:
    """Every ``$ref`` string under ``node``, with the pointer of its ``$ref`` member.

    ``keywords`` names the members to report instead (``$dynamicRef``, ``operationRef``...),
    a mapping's in that order. The walk is iterative (no depth limit), in document order, and
    linear in what was parsed: a node reached again (a YAML alias, or an object a caller shares)
    is walked once, where first met, so its references are reported at that pointer only.
    """
    for at, _, value in _members(node, base, keywords):
        yield at, value


def ref_cycle(document: Any) -> tuple[str, ...] | None:
    """The first loop of references that never reaches a node other than a reference, or None.

    ``{A: {$ref: '#/B'}, B: {$ref: '#/A'}}`` gives ``('#/A', '#/B', '#/A')``: the pointer of the
    first node of the loop, then each reference followed until it names that node again. Such a
    loop has no schema to stand for; a reference inside one (``properties: {child: {$ref: ...}}``
    of a tree node) is a valid recursive schema, not a loop. Each reference is followed once, so
    the search is linear in the document's size. Unresolvable references end a chain.
    """
    done: set[int] = set()  # nodes known to lead to a real node or a missing target
    for at, holder, _ in _members(document, "", ("$ref",)):
        chain: list[tuple[str, Any]] = [("#" + at[: -len("/$ref")], holder)]
        on_chain = {id(holder): 0}
        node: Any = holder
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            if id(node) in done:
                break
            ref = node["$ref"]
            found, node = lookup(document, ref)
            if not found:
                break
            if id(node) in on_chain:
                start = on_chain[id(node)]
                return (*(name for name, _ in chain[start:]), ref)
            on_chain[id(node)] = len(chain)
            chain.append((ref, node))
        done.update(id(member) for _, member in chain)
    return None


def check_size(node: Any, *, max_nodes: int, max_chars: int, max_depth: int | None = None) -> None:
    """Refuse a parsed document too big to walk once its shared nodes are counted at each use.

    A YAML alias is one node in memory but a whole subtree to every walk that follows it: nine
    aliases of nine aliases, nine levels deep, are a "billion laughs". This counts, in one pass
    linear in what was parsed (each node measured once, by identity), the nodes and the
    characters of text (keys and strings) the document would have with every alias expanded,
    and its depth. Raises ``ValueError`` with a one-line message, naming a pointer where there
    is one, when a limit is passed or a node contains itself (a recursive alias, ``&a [*a]``).
    """
    sizes: dict[int, tuple[int, int, int]] = {}  # id -> (nodes, characters, depth)
    on_path: set[int] = set()
    stack: list[tuple[str, Any, bool]] = [("", node, False)]
    while stack:
        at, current, leaving = stack.pop()
        if leaving:
            on_path.discard(id(current))
            nodes, chars, depth = 1, 0, 0
            for key, child in _children(current):
                child_nodes, child_chars, child_depth = _measured(sizes, child)
                nodes += child_nodes
                chars += child_chars + (len(key) if isinstance(key, str) else 0)
                depth = max(depth, child_depth)
            # Capped just past the limits: the numbers stay small however big the expansion.
            sizes[id(current)] = (min(nodes, max_nodes + 1), min(chars, max_chars + 1), depth + 1)
            continue
        if id(current) in sizes:
            continue
        on_path.add(id(current))
        stack.append((at, current, True))
        for key, child in reversed(_children(current)):
            if isinstance(child, dict | list) and id(child) not in sizes:
                if id(child) in on_path:
                    raise ValueError(f"a node contains itself at {join(at, key) or '/'}")
                stack.append((join(at, key), child, False))
    nodes, chars, depth = _measured(sizes, node)
    if nodes > max_nodes:
        raise ValueError(f"more than {max_nodes:,} nodes with every YAML alias expanded")
    if chars > max_chars:
        raise ValueError(
            f"more than {max_chars:,} characters of text with every YAML alias expanded"
        )
    if max_depth is not None and depth > max_depth:
        raise ValueError(
            f"nested more than {max_depth} levels deep at {_deepest(sizes, node, max_depth)}"
        )


def _children(node: Any) -> list[tuple[str | int, Any]]:
    if isinstance(node, dict):
        return [
            (str(key) if not isinstance(key, str) else key, value) for key, value in node.items()
        ]
    if isinstance(node, list):
        return list(enumerate(node))
    return []


def _measured(sizes: dict[int, tuple[int, int, int]], node: Any) -> tuple[int, int, int]:
    if isinstance(node, dict | list):
        return sizes[id(node)]
    return 1, len(node) if isinstance(node, str) else 0, 0


def _deepest(sizes: dict[int, tuple[int, int, int]], node: Any, levels: int) -> str:
    """The pointer of the container ``levels`` steps down the deepest branch of ``node``."""
    tokens: list[str | int] = []
    for _ in range(levels):
        key, node = max(_children(node), key=lambda item: _measured(sizes, item[1])[2])
        tokens.append(key)
    return pointer(tokens)


def _members(
    node: Any, base: str, keywords: Collection[str]
) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(pointer of the member, the mapping holding it, its value) for each string member named
    in ``keywords``, in document order; a container already walked is not walked again."""
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [(base, node)]
    while stack:
        at, current = stack.pop()
        if not isinstance(current, dict | list) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, dict):
            for keyword in keywords:
                value = current.get(keyword)
                if isinstance(value, str):
                    yield join(at, keyword), current, value
            children = [(join(at, str(key)), value) for key, value in current.items()]
        else:
            children = [(join(at, index), value) for index, value in enumerate(current)]
        stack.extend(reversed(children))


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
