"""What the rules see of a record the schema rejected in part: the rejected members removed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vox_validators.jsonpointer import Path
from vox_validators.rules._registry import REJECTED


def without(record: dict[str, Any], rejected: Iterable[Path]) -> dict[str, Any] | None:
    """What the rules see of ``record``: a copy without the members at ``rejected`` paths, and
    with ``REJECTED`` in place of rejected array items.

    None when the record itself is rejected. Only the containers on a rejected path are copied.
    """
    paths = list(rejected)
    if any(not path for path in paths):
        return None
    root: dict[str, Any] = dict(record)
    copied: set[int] = {id(root)}
    for path in paths:
        container: Any = root
        for token in path[:-1]:
            try:
                child = container[token]
            except (KeyError, IndexError, TypeError):
                break
            if type(child) not in (dict, list):
                break
            if id(child) not in copied:
                child = dict(child) if type(child) is dict else list(child)
                copied.add(id(child))
                container[token] = child
            container = child
        else:
            last = path[-1]
            if type(container) is dict:
                container.pop(last, None)
            elif type(container) is list and type(last) is int and 0 <= last < len(container):
                container[last] = REJECTED
    return root
